// File: s3/checksum_request.h
// S3's additional checksums on the wire: which checksum a PutObject or
// UploadPart asks for (an x-amz-checksum-<algorithm> header, an aws-chunked
// trailer announced by x-amz-trailer, or only x-amz-sdk-checksum-algorithm),
// the check of the value once the body has been hashed, and the header and
// XML element names responses use. The errors are the ones S3 answers
// ("Checking object integrity" in the S3 user guide).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/checksum.h"
#include "http/http.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

struct ChecksumRequest {
  crypto::ChecksumAlgorithm algorithm;
  // The raw value the client claims (from its header); empty when it comes
  // in the trailer or when the client only names the algorithm (then the
  // server computes and stores it).
  std::string expected;
  bool in_trailer = false;  // the value is the aws-chunked trailer header_name()
};

// "x-amz-checksum-crc32", ...
std::string ChecksumHeaderName(crypto::ChecksumAlgorithm algorithm);
// "ChecksumCRC32", ... (XML elements of CompleteMultipartUpload, ListParts,
// GetObjectAttributes).
std::string ChecksumElementName(crypto::ChecksumAlgorithm algorithm);

// The x-amz-checksum-* header showing a stored checksum (`algorithm` by
// its S3 name, `value` base64, maybe with "-N"); nullopt if there is none.
std::optional<http::Header> StoredChecksumHeader(std::string_view algorithm, std::string_view value);
// The same header followed by x-amz-checksum-type (ChecksumTypeOf), as
// responses about a whole object show them; none if there is no checksum.
std::vector<http::Header> StoredChecksumHeaders(std::string_view algorithm, std::string_view value);

// Whether a GET or HEAD asks for the stored checksum
// (x-amz-checksum-mode: ENABLED).
bool ChecksumModeEnabled(const http::Request& request);

// The checksum `request` asks for; nullopt if none. `trailer_mode`: the
// body is aws-chunked with trailers (STREAMING-*-TRAILER). Errors, as
// InvalidRequest (400), in *error: more than one checksum named, a value
// that is not the base64 of a checksum of its algorithm, an unknown or
// contradicting x-amz-sdk-checksum-algorithm, or x-amz-trailer without a
// trailer payload mode; BadDigest (400) for a value that is not the base64
// of a checksum of its algorithm (it cannot match).
Result<std::optional<ChecksumRequest>> ParseChecksumRequest(const http::Request& request, bool trailer_mode,
                                                            S3Error* error);

// x-amz-checksum-type of CreateMultipartUpload, given the upload's
// algorithm: whether the completed object's checksum is full object (the
// CRC of the whole object) rather than composite (a checksum of the parts'
// checksums, shown with "-N"). Absent: full object for CRC64NVME (S3 has no
// composite CRC64NVME), composite for the others. InvalidRequest in *error
// for a type without an algorithm, an unknown type, FULL_OBJECT with SHA-1
// or SHA-256, or COMPOSITE with CRC64NVME.
Result<bool> ParseChecksumType(const http::Request& request, std::optional<crypto::ChecksumAlgorithm> algorithm,
                               S3Error* error);

// S3's name of a checksum type: "FULL_OBJECT" or "COMPOSITE".
std::string_view ChecksumTypeName(bool full_object);
// The checksum type of a stored checksum value: "COMPOSITE" for a
// multipart object's composite value ("...-N"), else "FULL_OBJECT".
std::string_view ChecksumTypeOf(std::string_view stored_value);

// x-amz-checksum-algorithm of CreateMultipartUpload: nullopt if absent;
// InvalidRequest in *error for an unknown algorithm.
Result<std::optional<crypto::ChecksumAlgorithm>> ParseChecksumAlgorithmHeader(const http::Request& request,
                                                                              S3Error* error);

// CompleteMultipartUpload's x-amz-checksum-<algorithm> header, if any: the
// checksum the client expects the completed object to have, compared with
// `stored` (the object's base64 value with "-N"; `algorithm` its
// algorithm, nullopt if it has none). BadDigest if they differ.
std::optional<S3Error> VerifyObjectChecksumHeader(const http::Request& request,
                                                  std::optional<crypto::ChecksumAlgorithm> algorithm,
                                                  std::string_view stored);

// Checks the checksum `computed` (raw) of a body against what `want`
// claimed; `trailer_value` is the value of the trailer header_name() when
// the body had one. nullopt if they agree; else BadDigest for a mismatch
// (or a trailer value that is no checksum of the algorithm),
// MalformedTrailerError for a missing trailer.
std::optional<S3Error> VerifyChecksum(const ChecksumRequest& want, std::string_view computed,
                                      std::optional<std::string_view> trailer_value);

}  // namespace confiance::s3

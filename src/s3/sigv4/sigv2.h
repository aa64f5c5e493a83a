// File: s3/sigv4/sigv2.h
// AWS Signature Version 2 (HMAC-SHA1 over a "string to sign"), for the
// clients that still send it: AWS deprecated it, but MinIO and Ceph RGW
// accept it, older SDKs and tools use it, and Debian's botocore 1.29
// presigns S3 URLs with it unless the client asks for 's3v4'. Same contract
// as sigv4::Verify: pure functions on the request as received, errors
// tagged with the sigv4 ErrorKinds (errors.h) so that the S3 layer maps
// them to the same S3 errors.
//
//   header:    Authorization: AWS <access key>:<base64 signature>
//   presigned: ?AWSAccessKeyId=<ak>&Expires=<epoch seconds>&Signature=<sig>
//
//   StringToSign = Method \n Content-MD5 \n Content-Type \n Date-or-Expires \n
//                  CanonicalizedAmzHeaders CanonicalizedResource
//
// Date-or-Expires: the Date header, or "" when x-amz-date is sent (which
// then counts as the request time); for a presigned URL, Expires.
// SigV2 does not sign the body: the payload is unsigned (Content-MD5, when
// sent, is checked by the object path as for any request).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/verify.h"

namespace confiance::sigv2 {

using sigv4::RequestView;
using sigv4::TimePoint;

// Whether `request` carries SigV2 credentials: an "AWS " Authorization
// header, or AWSAccessKeyId / Signature query parameters without
// X-Amz-Algorithm. Verifies nothing.
bool IsSigV2(const RequestView& request);

// The CanonicalizedResource: `bucket_prefix` ("/bucket" for a
// virtual-host-style request, else "") + the path as sent + the
// sub-resources of the query that SigV2 signs (acl, uploadId,
// response-content-type, ...), sorted by name, values decoded.
Result<std::string> CanonicalizedResource(std::string_view bucket_prefix, std::string_view raw_path,
                                          std::string_view raw_query);

// The lowercase x-amz-* headers, sorted, repeated values joined with ",",
// each "name:value\n".
std::string CanonicalizedAmzHeaders(std::span<const sigv4::Header> headers);

// The whole string to sign; `date_or_expires` as the file comment says.
Result<std::string> StringToSign(const RequestView& request, std::string_view bucket_prefix,
                                 std::string_view date_or_expires);

// Base64(HMAC-SHA1(secret, string_to_sign)).
std::string Sign(std::string_view secret, std::string_view string_to_sign);

// Verifies a SigV2 request at `now`. Checks: credentials well formed
// (kAuthorizationHeaderMalformed / kAuthorizationQueryMalformed); request
// time: x-amz-date or Date must parse as an HTTP date after the epoch
// (kMissingDate) within options.max_skew of `now` (kRequestTimeTooSkewed);
// presigned: now <= Expires (kRequestExpired); the secret
// (kInvalidAccessKeyId); the signature in constant time
// (kSignatureDoesNotMatch). The AuthContext has an unsigned payload and no
// SigV4 scope.
Result<sigv4::AuthContext> Verify(const RequestView& request, std::string_view bucket_prefix,
                                  const sigv4::SecretLookup& lookup, TimePoint now,
                                  const sigv4::VerifyOptions& options = {});

}  // namespace confiance::sigv2

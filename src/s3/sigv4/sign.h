// File: s3/sigv4/sign.h
// Client-side SigV4: what our load generator and tests use to build requests
// that Verify() accepts. Same canonicalisation code as the server side, so a
// round trip proves only self-consistency; the AWS vectors in sigv4_test.cc
// pin both to the spec.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/verify.h"

namespace confiance::sigv4 {

struct ClientCredentials {
  std::string_view access_key;
  std::string_view secret;
  std::string_view region;
};

struct SignedRequest {
  std::string authorization;  // the Authorization header value
  std::string signature;      // its Signature (the seed for aws-chunked)
};

// Signs every header of `request` (names lowercased and sorted; repeated
// names joined). REQUIRES: the headers include Host, and x-amz-date equal to
// `amz_date` (YYYYMMDDTHHMMSSZ) or a Date header for that instant; for
// Verify() also x-amz-content-sha256 equal to `payload_hash`. `raw_path` and
// `raw_query` are exactly what will be sent. Fails with kInvalidUri.
Result<SignedRequest> SignRequest(const RequestView& request, std::string_view payload_hash,
                                  const ClientCredentials& credentials,
                                  std::string_view amz_date);

// Presigns `request` (its headers are the headers to sign; Host is
// required) and returns the full query string to send: request.raw_query
// followed by the X-Amz-* parameters, X-Amz-Signature last. The payload is
// UNSIGNED-PAYLOAD. REQUIRES: 1 <= expires_seconds <= 604800.
Result<std::string> Presign(const RequestView& request, const ClientCredentials& credentials,
                            std::string_view amz_date, int64_t expires_seconds);

// Encodes `payload` as an aws-chunked body in `signing.payload_mode` (one of
// the streaming modes), with chunks of `chunk_size` bytes, chaining from
// `signing.seed_signature` with `signing.signing_key`, `amz_date` and
// `scope`. `trailers` (e.g. x-amz-checksum-crc32c) are appended in the
// trailer modes, followed by x-amz-trailer-signature when signed.
std::string EncodeAwsChunked(std::string_view payload, size_t chunk_size,
                             const AuthContext& signing, std::span<const Header> trailers = {});

}  // namespace confiance::sigv4

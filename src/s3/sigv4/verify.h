// File: s3/sigv4/verify.h
// sigv4::Verify(): the only way to turn a received request into an
// authenticated AuthContext (STYLE #9, "parse, don't validate"). Pure: no
// server, no globals; the caller supplies the secret lookup and the clock.
//
// Checks, in order (the first failure wins; kinds are in errors.h):
//  1. scheme: Authorization header XOR X-Amz-Algorithm query parameter
//     (neither: kMissingAuth; both: kAmbiguousAuth);
//  2. parse the header / query parameters (…Malformed, kUnsupportedAuth);
//  3. request time: header auth uses x-amz-date, else Date (kMissingDate if
//     neither parses); the credential date must equal its day, and the
//     credential region must equal options.region when that is set
//     (…Malformed);
//  4. payload hash: header auth requires x-amz-content-sha256
//     (kMissingContentSha256) whose value is a SHA-256 hex or one of the
//     supported sentinels (kInvalidContentSha256); presigned requests use it
//     when sent and UNSIGNED-PAYLOAD otherwise;
//  5. `host` and every x-amz-* header present must be signed
//     (kHeadersNotSigned);
//  6. the secret (kInvalidAccessKeyId when the lookup fails with NotFound;
//     other lookup failures are returned unchanged);
//  7. time window: header auth |now - t| <= max_skew (kRequestTimeTooSkewed);
//     presigned t <= now + max_skew (kRequestNotYetValid) and
//     now <= t + X-Amz-Expires (kRequestExpired);
//  8. signature, compared in constant time (kSignatureDoesNotMatch).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/signature.h"

namespace confiance::sigv4 {

enum class AuthScheme { kNone, kHeader, kPresigned, kAmbiguous };

// Which scheme `request` uses, without verifying anything.
AuthScheme DetectScheme(const RequestView& request);

// How the body is protected, from x-amz-content-sha256.
enum class PayloadMode {
  kUnsigned,                // UNSIGNED-PAYLOAD (or presigned without the header)
  kSha256,                  // a declared hex SHA-256: the caller hashes the body
                            // and answers XAmzContentSHA256Mismatch on mismatch
  kStreamingSigned,         // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
  kStreamingSignedTrailer,  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingSignedTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

// Classifies an x-amz-content-sha256 value; kInvalidContentSha256 otherwise.
Result<PayloadMode> ParsePayloadMode(std::string_view value);

// What a verified request proved. Built only by Verify() in production; it
// is a plain struct so that tests and fuzzers can build one for the chunk
// decoder.
struct AuthContext {
  AuthScheme scheme = AuthScheme::kHeader;
  std::string access_key;
  CredentialScope scope;
  std::string amz_date;        // YYYYMMDDTHHMMSSZ, as signed
  SigningKey signing_key;      // for chunk and trailer signatures
  std::string seed_signature;  // the request signature (lowercase hex)
  std::vector<std::string> signed_headers;
  PayloadMode payload_mode = PayloadMode::kUnsigned;
  std::string payload_sha256;  // lowercase hex; set iff payload_mode == kSha256
};

// Maps an access key to its secret. Returns NotFound for an unknown (or
// disabled) key; any other error is passed through by Verify().
using SecretLookup = std::function<Result<std::string>(std::string_view access_key)>;

struct VerifyOptions {
  // When not empty, the credential region must equal it.
  std::string region;
  // The service the credential must be scoped to: "s3", or "sts" for the
  // STS query API (s3/sts_handlers.cc).
  std::string_view service = "s3";
  // When not empty: the lowercase hex SHA-256 of the body, which the caller
  // has already read. A header-signed request without
  // x-amz-content-sha256 is then verified against it (payload mode
  // kSha256) instead of being refused; one with the header is checked as
  // usual, and the caller compares.
  std::string body_sha256;
  std::chrono::seconds max_skew = std::chrono::minutes(15);
};

// Verifies `request` at time `now`. See the file comment for the checks and
// errors. `request` is only borrowed during the call.
Result<AuthContext> Verify(const RequestView& request, const SecretLookup& lookup,
                           TimePoint now, const VerifyOptions& options = {});

}  // namespace confiance::sigv4

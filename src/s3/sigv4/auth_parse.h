// File: s3/sigv4/auth_parse.h
// Parsers for the SigV4 inputs: the Authorization header, the presigned-URL
// query parameters, the credential, and the two date formats. Pure; every
// failure is a typed sigv4 error (errors.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "s3/sigv4/errors.h"
#include "s3/sigv4/signature.h"

namespace confiance::sigv4 {

using TimePoint = std::chrono::system_clock::time_point;

// "<access key>/<date>/<region>/<service>/aws4_request".
struct Credential {
  std::string access_key;
  CredentialScope scope;
};

// The three components of "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...".
struct ParsedAuthorization {
  Credential credential;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // 64 lowercase hex
};

// The X-Amz-* parameters of a presigned URL (decoded).
struct PresignParams {
  Credential credential;
  std::string amz_date;                     // X-Amz-Date, YYYYMMDDTHHMMSSZ
  int64_t expires_seconds = 0;              // X-Amz-Expires, 1..604800
  std::vector<std::string> signed_headers;  // X-Amz-SignedHeaders
  std::string signature;                    // X-Amz-Signature, lowercase hex
};

inline constexpr int64_t kMaxPresignExpiresSeconds = 604800;  // 7 days

// Parses an Authorization header value. Components may come in any order,
// separated by ',' with optional blanks around ',' and '='. Errors:
// kUnsupportedAuth if the scheme is not AWS4-HMAC-SHA256 (e.g. SigV2 "AWS"),
// kAuthorizationHeaderMalformed for everything else (missing, duplicate or
// unknown component, bad credential, empty or invalid signed header list,
// signature that is not 64 hex digits). The credential's service must be
// `service`.
Result<ParsedAuthorization> ParseAuthorizationHeader(std::string_view value, std::string_view service = "s3");

// Parses "<ak>/<YYYYMMDD>/<region>/<service>/aws4_request", where the
// service must be `service`; failures are tagged `kind` (header or query
// flavour of "malformed").
Result<Credential> ParseCredential(std::string_view value, ErrorKind kind, std::string_view service = "s3");

// Parses the presigned parameters of `raw_query`. REQUIRES: X-Amz-Algorithm
// is present. Errors: kUnsupportedAuth if X-Amz-Algorithm is not
// AWS4-HMAC-SHA256; kAuthorizationQueryMalformed if a parameter is missing,
// repeated or invalid, including X-Amz-Expires outside 1..604800.
// The credential's service must be `service`. X-Amz-Security-Token is
// left to the caller (s3/auth.h: temporary credentials).
Result<PresignParams> ParsePresignQuery(std::string_view raw_query, std::string_view service = "s3");

// "YYYYMMDDTHHMMSSZ" (ISO 8601 basic, UTC) <-> time point. Parse fails with
// InvalidArgument (untagged; callers tag it) on any deviation, and with
// OutOfRange for a well-formed date after the year 2200 (both parsers).
Result<TimePoint> ParseAmzDate(std::string_view value);
std::string FormatAmzDate(TimePoint t);

// RFC 7231 IMF-fixdate "Fri, 24 May 2013 00:00:00 GMT" (the weekday is
// optional and not checked).
Result<TimePoint> ParseHttpDate(std::string_view value);

}  // namespace confiance::sigv4

// File: s3/cors.h
// Bucket CORS as S3 does it: the checks PutBucketCors applies to a
// configuration, and the matching of a browser request (a preflight
// OPTIONS, or an actual request carrying Origin) against its rules, with
// the response headers a match earns. Pure functions, no I/O; thread-safe.
//
// Matching, per rule in order, the first rule that matches wins:
//  - the Origin matches one of the rule's AllowedOrigin patterns (exact
//    bytes; one '*' stands for any run of characters, the empty one too);
//  - the method (Access-Control-Request-Method on a preflight) is one of
//    its AllowedMethod values;
//  - every header named in Access-Control-Request-Headers matches one of
//    its AllowedHeader patterns (ASCII case-insensitive, '*' as above).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "http/http.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

inline constexpr size_t kMaxCorsRules = 100;
inline constexpr size_t kMaxCorsRuleIdLength = 255;
inline constexpr std::array<std::string_view, 5> kCorsMethods = {"GET", "PUT", "POST", "DELETE", "HEAD"};

// Checks the rules of a PutBucketCors document (already parsed). On
// failure returns InvalidArgument and sets *error:
//  - MalformedXML: no rule, more than 100 rules, a rule without
//    AllowedOrigin or AllowedMethod, an ID over 255 characters, a negative
//    MaxAgeSeconds;
//  - InvalidRequest: an AllowedMethod other than GET, PUT, POST, DELETE,
//    HEAD (case-sensitive); more than one '*' in an AllowedOrigin or an
//    AllowedHeader; a '*' in an ExposeHeader.
Status ValidateCorsRules(const std::vector<catalog::CorsRule>& rules, S3Error* error);

// Whether `pattern`, with at most one '*' standing for any run of
// characters (possibly empty), matches all of `value`. A pattern with more
// than one '*' matches only itself.
bool CorsPatternMatches(std::string_view pattern, std::string_view value, bool ignore_case);

// The header names of an Access-Control-Request-Headers value: split on
// ',', trimmed, lowercased, empty items dropped, order kept.
std::vector<std::string> ParseCorsRequestHeaders(std::string_view value);

struct CorsMatch {
  const catalog::CorsRule* rule = nullptr;  // into the span given to MatchCorsRule
  // Matched through the origin pattern "*": the answer allows any origin
  // ("*") and no credentials.
  bool any_origin = false;
};

// The first rule of `rules` that allows `origin` to use `method` and send
// every header of `request_headers` (lowercase names); nullopt if none.
// The returned rule points into `rules`.
std::optional<CorsMatch> MatchCorsRule(std::span<const catalog::CorsRule> rules, std::string_view origin,
                                       std::string_view method,
                                       std::span<const std::string> request_headers);

// The CORS headers of a response to a matched request:
// Access-Control-Allow-Origin (the Origin, or "*"), -Allow-Methods (the
// rule's methods), -Allow-Credentials ("true" unless any origin),
// -Allow-Headers (`request_headers`, for a preflight that named some),
// -Max-Age and -Expose-Headers (when the rule has them), and Vary.
std::vector<http::Header> CorsResponseHeaders(const CorsMatch& match, std::string_view origin,
                                              std::span<const std::string> request_headers);

}  // namespace confiance::s3

// File: s3/conditional.h
// Evaluation of HTTP conditional request headers (RFC 7232) against an
// object's ETag and modification time, the way S3 applies them to
// GetObject/HeadObject, to CopyObject's x-amz-copy-source-if-* headers and
// to a conditional PutObject. Pure: no I/O, no S3 records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/http.h"

namespace confiance::s3 {

// The four condition headers of a request (raw values; absent = nullopt).
struct Conditions {
  std::optional<std::string_view> if_match;
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
  std::optional<std::string_view> if_unmodified_since;

  bool any() const {
    return if_match || if_none_match || if_modified_since || if_unmodified_since;
  }
};

// If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since.
Conditions ReadConditions(const http::Request& request);
// x-amz-copy-source-if-match, -if-none-match, -if-modified-since,
// -if-unmodified-since.
Conditions ReadCopySourceConditions(const http::Request& request);

enum class ConditionOutcome {
  kProceed,
  kNotModified,         // 304 (GET/HEAD only)
  kPreconditionFailed,  // 412
};

// RFC 7232 section 6 precedence, as S3 applies it to an existing object:
//  1. If-Match present and no listed tag matches (or "*")   -> 412;
//  2. else If-Unmodified-Since valid and the object changed after it -> 412;
//  3. If-None-Match present and a listed tag matches (or "*") -> 304;
//  4. else If-Modified-Since valid and the object did not change after it
//     -> 304.
// Dates compare at one-second granularity (Last-Modified has no finer one);
// an unparsable date is ignored. `etag` is unquoted.
ConditionOutcome EvaluateConditions(const Conditions& c, std::string_view etag, uint64_t modified_ms);

// True if the comma-separated entity-tag list `header` contains `etag`
// (unquoted) or is "*". Quotes and a weak "W/" prefix are ignored.
bool EtagListMatches(std::string_view header, std::string_view etag);

// An entity tag without surrounding blanks, a weak "W/" prefix or quotes.
std::string_view UnquoteEtag(std::string_view tag);

// Parses an HTTP-date: IMF-fixdate / RFC 1123 ("Sun, 06 Nov 1994 08:49:37
// GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6
// 08:49:37 1994"). Returns seconds since the epoch, or nullopt if invalid.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace confiance::s3

// File: s3/conditional.cc
#include "s3/conditional.h"

#include <time.h>

#include <cstring>
#include <string>

#include "common/ascii.h"

namespace confiance::s3 {
namespace {

std::string_view Unquote(std::string_view tag) {
  tag = TrimSpaceAndTab(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  return tag;
}

Conditions Read(const http::Request& req, std::string_view prefix) {
  std::string name(prefix);
  const size_t base = name.size();
  auto find = [&](const char* suffix) {
    name.resize(base);
    name += suffix;
    return req.FindHeader(name);
  };
  Conditions c;
  c.if_match = find("if-match");
  c.if_none_match = find("if-none-match");
  c.if_modified_since = find("if-modified-since");
  c.if_unmodified_since = find("if-unmodified-since");
  return c;
}

}  // namespace

std::string_view UnquoteEtag(std::string_view tag) { return Unquote(tag); }

Conditions ReadConditions(const http::Request& request) { return Read(request, ""); }

Conditions ReadCopySourceConditions(const http::Request& request) {
  return Read(request, "x-amz-copy-source-");
}

bool EtagListMatches(std::string_view header, std::string_view etag) {
  etag = Unquote(etag);
  while (true) {
    size_t comma = header.find(',');
    std::string_view item = TrimSpaceAndTab(header.substr(0, comma));
    if (item == "*") return true;
    if (!item.empty() && Unquote(item) == etag) return true;
    if (comma == std::string_view::npos) return false;
    header.remove_prefix(comma + 1);
  }
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(TrimSpaceAndTab(text));
  // strptime uses the C locale's day and month names, which are the HTTP
  // ones (the server never calls setlocale).
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate (RFC 1123)
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %e %H:%M:%S %Y",       // asctime
  };
  for (const char* format : kFormats) {
    struct tm tm;
    std::memset(&tm, 0, sizeof tm);
    const char* end = strptime(s.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    time_t t = timegm(&tm);
    if (t == static_cast<time_t>(-1)) continue;
    return static_cast<int64_t>(t);
  }
  return std::nullopt;
}

ConditionOutcome EvaluateConditions(const Conditions& c, std::string_view etag, uint64_t modified_ms) {
  const int64_t modified_s = static_cast<int64_t>(modified_ms / 1000);
  if (c.if_match) {
    if (!EtagListMatches(*c.if_match, etag)) return ConditionOutcome::kPreconditionFailed;
  } else if (c.if_unmodified_since) {
    std::optional<int64_t> date = ParseHttpDate(*c.if_unmodified_since);
    if (date && modified_s > *date) return ConditionOutcome::kPreconditionFailed;
  }
  if (c.if_none_match) {
    if (EtagListMatches(*c.if_none_match, etag)) return ConditionOutcome::kNotModified;
  } else if (c.if_modified_since) {
    std::optional<int64_t> date = ParseHttpDate(*c.if_modified_since);
    if (date && modified_s <= *date) return ConditionOutcome::kNotModified;
  }
  return ConditionOutcome::kProceed;
}

}  // namespace confiance::s3

// File: s3/sigv4/auth_parse.cc
#include "s3/sigv4/auth_parse.h"

#include <array>
#include <cstdio>
#include <optional>

#include "common/ascii.h"
#include "s3/sigv4/canonical.h"

namespace confiance::sigv4 {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Bounds that keep hostile headers cheap to reject.
constexpr size_t kMaxSignedHeaders = 64;
constexpr size_t kMaxScopePart = 128;

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// A header-name token (RFC 7230 tchar subset we accept: no separators).
bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' ||
         c == '\'' || c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
}

bool IsPrintableNoSlash(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/') return false;
  }
  return !s.empty() && s.size() <= kMaxScopePart;
}

Result<std::vector<std::string>> ParseSignedHeaders(std::string_view value, ErrorKind kind) {
  std::vector<std::string> out;
  if (value.empty()) return MakeError(kind, "SignedHeaders is empty");
  size_t start = 0;
  while (true) {
    size_t semi = value.find(';', start);
    std::string name = ToLower(value.substr(start, semi - start));
    if (name.empty()) return MakeError(kind, "empty name in SignedHeaders");
    for (char c : name) {
      if (!IsTokenChar(c)) return MakeError(kind, "invalid character in SignedHeaders");
    }
    for (const std::string& seen : out) {
      if (seen == name) return MakeError(kind, "duplicate name in SignedHeaders");
    }
    out.push_back(std::move(name));
    if (out.size() > kMaxSignedHeaders) return MakeError(kind, "too many SignedHeaders");
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

Result<std::string> ParseSignature(std::string_view value, ErrorKind kind) {
  if (!IsSha256Hex(value)) return MakeError(kind, "Signature must be 64 hex digits");
  return ToLower(value);
}

bool IsValidDate8(std::string_view d) {
  if (d.size() != 8 || !IsDigits(d)) return false;
  std::chrono::year_month_day ymd{std::chrono::year{Num(d.substr(0, 4))},
                                  std::chrono::month{static_cast<unsigned>(Num(d.substr(4, 2)))},
                                  std::chrono::day{static_cast<unsigned>(Num(d.substr(6, 2)))}};
  return ymd.ok();
}

Result<TimePoint> MakeTime(int y, int mo, int d, int h, int mi, int s) {
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return InvalidArgumentError("invalid date");
  // system_clock counts nanoseconds in 64 bits, from 1677 to 2262: dates
  // outside would overflow (UBSan found year 0000 with the sigv4 fuzz
  // smoke test). Such a date is that far from any request time.
  if (y > 2200) return OutOfRangeError("date too far in the future");
  if (y < 1900) return OutOfRangeError("date too far in the past");
  return TimePoint(std::chrono::sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) +
                   seconds(s));
}

}  // namespace

Result<Credential> ParseCredential(std::string_view value, ErrorKind kind, std::string_view service) {
  std::array<std::string_view, 5> parts;
  size_t start = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    size_t slash = value.find('/', start);
    if ((slash == std::string_view::npos) != (i + 1 == parts.size())) {
      return MakeError(kind, "Credential must have 5 '/'-separated parts");
    }
    parts[i] = value.substr(start, slash - start);
    start = slash + 1;
  }
  if (!IsPrintableNoSlash(parts[0])) return MakeError(kind, "invalid access key in Credential");
  if (!IsValidDate8(parts[1])) return MakeError(kind, "invalid date in Credential");
  if (!IsPrintableNoSlash(parts[2])) return MakeError(kind, "invalid region in Credential");
  if (parts[3] != service) {
    return MakeError(kind, "Credential should be scoped to correct service: '" + std::string(service) + "'");
  }
  if (parts[4] != "aws4_request") {
    return MakeError(kind, "Credential should be scoped with a valid terminator: 'aws4_request'");
  }
  return Credential{std::string(parts[0]),
                    CredentialScope{std::string(parts[1]), std::string(parts[2]), std::string(service)}};
}

Result<ParsedAuthorization> ParseAuthorizationHeader(std::string_view value, std::string_view service) {
  constexpr ErrorKind kMalformed = ErrorKind::kAuthorizationHeaderMalformed;
  value = TrimSpaceAndTab(value);
  size_t sp = value.find_first_of(" \t");
  std::string_view scheme = value.substr(0, sp);
  if (scheme != kAlgorithm) return MakeError(ErrorKind::kUnsupportedAuth, "unsupported scheme");
  if (sp == std::string_view::npos) return MakeError(kMalformed, "no components");
  std::string_view rest = value.substr(sp);
  std::optional<std::string_view> credential, signed_headers, signature;
  size_t start = 0;
  while (true) {
    size_t comma = rest.find(',', start);
    std::string_view part = TrimSpaceAndTab(rest.substr(start, comma - start));
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return MakeError(kMalformed, "component without '='");
    std::string_view key = TrimSpaceAndTab(part.substr(0, eq));
    std::string_view val = TrimSpaceAndTab(part.substr(eq + 1));
    std::optional<std::string_view>* slot = key == "Credential"      ? &credential
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (slot == nullptr) return MakeError(kMalformed, "unknown component");
    if (slot->has_value()) return MakeError(kMalformed, "duplicate component");
    *slot = val;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (!credential || !signed_headers || !signature) {
    return MakeError(kMalformed, "missing Credential, SignedHeaders or Signature");
  }
  ParsedAuthorization out;
  ASSIGN_OR_RETURN(out.credential, ParseCredential(*credential, kMalformed, service));
  ASSIGN_OR_RETURN(out.signed_headers, ParseSignedHeaders(*signed_headers, kMalformed));
  ASSIGN_OR_RETURN(out.signature, ParseSignature(*signature, kMalformed));
  return out;
}

Result<PresignParams> ParsePresignQuery(std::string_view raw_query, std::string_view service) {
  constexpr ErrorKind kMalformed = ErrorKind::kAuthorizationQueryMalformed;
  auto params_or = ParseQuery(raw_query);
  if (!params_or.ok()) return MakeError(kMalformed, "undecodable query string");
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature;
  for (auto& [name, value] : *params_or) {
    std::optional<std::string>* slot = name == "X-Amz-Algorithm"       ? &algorithm
                                       : name == "X-Amz-Credential"    ? &credential
                                       : name == "X-Amz-Date"          ? &date
                                       : name == "X-Amz-Expires"       ? &expires
                                       : name == "X-Amz-SignedHeaders" ? &signed_headers
                                       : name == "X-Amz-Signature"     ? &signature
                                                                       : nullptr;
    if (slot == nullptr) continue;
    if (slot->has_value()) return MakeError(kMalformed, "repeated X-Amz-* parameter");
    *slot = std::move(value);
  }
  if (!algorithm) return MakeError(kMalformed, "missing X-Amz-Algorithm");
  if (*algorithm != kAlgorithm) {
    return MakeError(ErrorKind::kUnsupportedAuth, "X-Amz-Algorithm only supports AWS4-HMAC-SHA256");
  }
  if (!credential || !date || !expires || !signed_headers || !signature) {
    return MakeError(kMalformed,
                     "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                     "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                     "and X-Amz-Expires parameters.");
  }
  PresignParams out;
  ASSIGN_OR_RETURN(out.credential, ParseCredential(*credential, kMalformed, service));
  if (!ParseAmzDate(*date).ok()) return MakeError(kMalformed, "X-Amz-Date must be in ISO 8601 format");
  out.amz_date = std::move(*date);
  if (!IsDigits(*expires) || expires->size() > 7) {
    return MakeError(kMalformed, "X-Amz-Expires should be a number");
  }
  out.expires_seconds = Num(*expires);
  if (out.expires_seconds < 1) return MakeError(kMalformed, "X-Amz-Expires must be non-negative");
  if (out.expires_seconds > kMaxPresignExpiresSeconds) {
    return MakeError(kMalformed,
                     "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  ASSIGN_OR_RETURN(out.signed_headers, ParseSignedHeaders(*signed_headers, kMalformed));
  ASSIGN_OR_RETURN(out.signature, ParseSignature(*signature, kMalformed));
  return out;
}

Result<TimePoint> ParseAmzDate(std::string_view v) {
  if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z' || !IsDigits(v.substr(0, 8)) ||
      !IsDigits(v.substr(9, 6))) {
    return InvalidArgumentError("expected YYYYMMDDTHHMMSSZ");
  }
  return MakeTime(Num(v.substr(0, 4)), Num(v.substr(4, 2)), Num(v.substr(6, 2)),
                  Num(v.substr(9, 2)), Num(v.substr(11, 2)), Num(v.substr(13, 2)));
}

std::string FormatAmzDate(TimePoint t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto day = std::chrono::floor<days>(secs);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(secs - day);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return std::string(buf);
}

Result<TimePoint> ParseHttpDate(std::string_view v) {
  v = TrimSpaceAndTab(v);
  if (size_t comma = v.find(','); comma != std::string_view::npos) v = TrimSpaceAndTab(v.substr(comma + 1));
  // "24 May 2013 00:00:00 GMT"
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (v.size() != 24 || v[2] != ' ' || v[6] != ' ' || v[11] != ' ' || v[14] != ':' ||
      v[17] != ':' || v.substr(20) != " GMT" || !IsDigits(v.substr(0, 2)) ||
      !IsDigits(v.substr(7, 4)) || !IsDigits(v.substr(12, 2)) || !IsDigits(v.substr(15, 2)) ||
      !IsDigits(v.substr(18, 2))) {
    return InvalidArgumentError("expected IMF-fixdate");
  }
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (v.substr(3, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  if (month == 0) return InvalidArgumentError("bad month");
  return MakeTime(Num(v.substr(7, 4)), month, Num(v.substr(0, 2)), Num(v.substr(12, 2)),
                  Num(v.substr(15, 2)), Num(v.substr(18, 2)));
}

}  // namespace confiance::sigv4

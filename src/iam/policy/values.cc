// File: iam/policy/values.cc
#include "iam/policy/values.h"

#include <arpa/inet.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "common/ascii.h"

namespace confiance::iam::policy {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`, advancing it.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool Consume(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// Epoch seconds with an optional fraction.
std::optional<int64_t> ParseEpoch(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (whole.empty() || whole.size() > 12) return std::nullopt;
  int64_t seconds = 0;
  for (char c : whole) {
    if (!IsDigit(c)) return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  int64_t ms = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = text.substr(dot + 1);
    if (frac.empty()) return std::nullopt;
    for (size_t i = 0; i < frac.size(); ++i) {
      if (!IsDigit(frac[i])) return std::nullopt;
      if (i < 3) ms += (frac[i] - '0') * (i == 0 ? 100 : i == 1 ? 10 : 1);
    }
  }
  return seconds * 1000 + ms;
}

// Milliseconds from ".fff..." at `pos` (digits beyond the third ignored).
bool Fraction(std::string_view s, size_t& pos, int& ms) {
  ms = 0;
  size_t start = pos;
  int scale = 100;
  while (pos < s.size() && IsDigit(s[pos])) {
    ms += (s[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos > start;
}

// The zone suffix: "Z", "+hh:mm", "+hhmm", "+hh", or nothing (UTC).
bool ZoneOffsetMinutes(std::string_view s, size_t& pos, int& minutes) {
  minutes = 0;
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') return ++pos == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  int sign = s[pos++] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  if (!Digits(s, pos, 2, hh)) return false;
  if (pos < s.size()) {
    Consume(s, pos, ':');
    if (!Digits(s, pos, 2, mm)) return false;
  }
  if (hh > 23 || mm > 59 || pos != s.size()) return false;
  minutes = sign * (hh * 60 + mm);
  return true;
}

std::optional<int64_t> ParseIso8601(std::string_view s) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0;
  if (!Digits(s, pos, 4, year)) return std::nullopt;
  bool extended = Consume(s, pos, '-');
  if (!Digits(s, pos, 2, month)) return std::nullopt;
  if (extended && !Consume(s, pos, '-')) return std::nullopt;
  if (!Digits(s, pos, 2, day)) return std::nullopt;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    ++pos;
    if (!Digits(s, pos, 2, hour)) return std::nullopt;
    if (extended && !Consume(s, pos, ':')) return std::nullopt;
    if (!Digits(s, pos, 2, minute)) return std::nullopt;
    bool has_seconds = extended ? Consume(s, pos, ':') : (pos < s.size() && IsDigit(s[pos]));
    if (has_seconds) {
      if (!Digits(s, pos, 2, second)) return std::nullopt;
      if (Consume(s, pos, '.') && !Fraction(s, pos, ms)) return std::nullopt;
    }
  }
  int offset_minutes = 0;
  if (!ZoneOffsetMinutes(s, pos, offset_minutes)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + ms;
}

bool ParseAddress(std::string_view text, IpBlock& out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out.addr.fill(0);
  if (text.find(':') == std::string_view::npos) {
    out.v6 = false;
    out.prefix = 32;
    return inet_pton(AF_INET, buf, out.addr.data()) == 1;
  }
  out.v6 = true;
  out.prefix = 128;
  if (inet_pton(AF_INET6, buf, out.addr.data()) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out.addr.data(), kMapped, sizeof(kMapped)) == 0) {
    std::memmove(out.addr.data(), out.addr.data() + 12, 4);
    std::memset(out.addr.data() + 4, 0, 12);
    out.v6 = false;
    out.prefix = 32;
  }
  return true;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::general);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInstantMs(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A date always has a '-' or a 'T'; epoch seconds never do.
  bool epoch = true;
  for (char c : text) epoch = epoch && (IsDigit(c) || c == '.');
  return epoch ? ParseEpoch(text) : ParseIso8601(text);
}

std::optional<bool> ParseBool(std::string_view text) {
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  return std::nullopt;
}

std::optional<IpBlock> ParseIpAddress(std::string_view text) {
  IpBlock ip;
  if (!ParseAddress(text, ip)) return std::nullopt;
  return ip;
}

std::optional<IpBlock> ParseIpBlock(std::string_view text) {
  size_t slash = text.find('/');
  IpBlock block;
  if (!ParseAddress(text.substr(0, slash), block)) return std::nullopt;
  if (slash == std::string_view::npos) return block;
  std::string_view len = text.substr(slash + 1);
  // A mapped IPv4 address keeps its IPv6 prefix length minus the 96 bits.
  bool mapped = !block.v6 && text.substr(0, slash).find(':') != std::string_view::npos;
  int bits = 0;
  auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  if (len.empty() || len.size() > 3 || ec != std::errc() || ptr != len.data() + len.size()) return std::nullopt;
  if (mapped) bits -= 96;
  if (bits < 0 || bits > (block.v6 ? 128 : 32)) return std::nullopt;
  block.prefix = static_cast<uint8_t>(bits);
  return block;
}

bool IpBlock::Contains(const IpBlock& ip) const {
  if (ip.v6 != v6) return false;
  size_t full = prefix / 8;
  if (std::memcmp(addr.data(), ip.addr.data(), full) != 0) return false;
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (addr[full] & mask) == (ip.addr[full] & mask);
}

}  // namespace confiance::iam::policy

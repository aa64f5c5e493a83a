// File: common/iso8601.cc
#include "common/iso8601.h"

#include <chrono>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace confiance {
namespace {

constexpr int64_t kDayMs = 86'400'000;

bool Digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<int64_t> ParseUtcMs(std::string_view s, TimeOfDay time) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  size_t pos = 10;
  int64_t frac_ms = 0;
  if (pos == s.size()) {
    if (time == TimeOfDay::kRequired) return std::nullopt;
  } else {
    if (s[pos] != 'T' || !Digits(s, pos + 1, 2, h) || s.size() < pos + 9 || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, mi) || s[pos + 6] != ':' || !Digits(s, pos + 7, 2, sec)) {
      return std::nullopt;
    }
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      size_t n = 0;
      while (pos + 1 + n < s.size() && s[pos + 1 + n] >= '0' && s[pos + 1 + n] <= '9') ++n;
      if (n == 0 || n > 9) return std::nullopt;
      for (size_t i = 0; i < 3; ++i) frac_ms = frac_ms * 10 + (i < n ? s[pos + 1 + i] - '0' : 0);
      for (size_t i = 3; i < n; ++i) {
        if (s[pos + 1 + i] != '0') {
          frac_ms += 1;
          break;
        }
      }
      pos += 1 + n;
    }
    const std::string_view zone = s.substr(pos);
    const bool zone_ok = zone == "Z" || zone == "+00:00" || (zone.empty() && time == TimeOfDay::kOptional);
    if (!zone_ok) return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const int64_t day_ms = static_cast<int64_t>(sys_days(ymd).time_since_epoch().count()) * kDayMs;
  return day_ms + ((h * 60 + mi) * 60 + sec) * int64_t{1000} + frac_ms;
}

std::string FormatUtcMs(int64_t ms) {
  std::string out;
  AppendUtcMs(out, ms);
  return out;
}

void AppendUtcMs(std::string& out, int64_t ms) {
  char text[kMaxUtcMsText];
  out.append(text, static_cast<size_t>(WriteUtcMs(text, ms) - text));
}

char* WriteUtcMs(char* out, int64_t ms) {
  // By hand, not with fmt: listings format one per key, and parsing a
  // format string per call cost more than the rest of the key's XML.
  using namespace std::chrono;
  const int64_t days = ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
  const int64_t in_day = ms - days * kDayMs;
  const int64_t secs = in_day / 1000;
  auto put = [out](size_t pos, int64_t v, size_t width) {
    for (size_t i = width; i-- > 0; v /= 10) out[pos + i] = static_cast<char>('0' + v % 10);
  };
  // The calendar date of the previous call on this thread: the keys of a
  // listing were mostly written on a few days.
  thread_local int64_t cached_days = INT64_MIN;
  thread_local char cached_date[10];
  if (days != cached_days) {
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {  // not for S3 dates
      return fmt::format_to_n(out, kMaxUtcMsText, "{:04}-00-00T00:00:00.000Z", year).out;
    }
    std::memcpy(out, "0000-00-00", 10);
    put(0, year, 4);
    put(5, static_cast<unsigned>(ymd.month()), 2);
    put(8, static_cast<unsigned>(ymd.day()), 2);
    std::memcpy(cached_date, out, sizeof cached_date);
    cached_days = days;
  } else {
    std::memcpy(out, cached_date, sizeof cached_date);
  }
  std::memcpy(out + 10, "T00:00:00.000Z", 14);
  put(11, secs / 3600, 2);
  put(14, secs / 60 % 60, 2);
  put(17, secs % 60, 2);
  put(20, in_day % 1000, 3);
  return out + 24;
}

}  // namespace confiance

// File: common/iso8601.h
// The one parser and formatter of ISO 8601 / RFC 3339 UTC timestamps, as S3
// and our own documents write them ("2026-11-30T12:34:56.789Z"): lifecycle
// dates, Object Lock retain-until dates, ListObjects' LastModified, the admin
// API's JSON and deletion receipts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confiance {

enum class TimeOfDay {
  kOptional,  // "YYYY-MM-DD" alone is midnight UTC; a time may omit its zone
  kRequired,  // "YYYY-MM-DDTHH:MM:SS[.f]" and a zone ("Z" or "+00:00")
};

// "YYYY-MM-DD[THH:MM:SS[.f]][Z|+00:00]" -> milliseconds since the epoch,
// UTC (negative before 1970). The fraction has 1 to 9 digits; digits past
// the millisecond round up, so that "not before this instant" holds (a
// retention never ends early). Any other zone, an impossible date or time
// (February 30, 24:00) or trailing text: nullopt.
std::optional<int64_t> ParseUtcMs(std::string_view text, TimeOfDay time = TimeOfDay::kRequired);

// ms since the epoch -> "YYYY-MM-DDTHH:MM:SS.mmmZ" (always milliseconds,
// always Z: what S3 and our documents print, parsed back exactly).
std::string FormatUtcMs(int64_t ms);
// The same text appended to `out` (a listing formats one per key into a
// reused buffer, with no allocation).
void AppendUtcMs(std::string& out, int64_t ms);
// The longest text WriteUtcMs writes: 24 bytes for years 0 to 9999, more for
// the far past or future (the year's own digits and sign).
inline constexpr size_t kMaxUtcMsText = 32;
// The same text written at `out`, which has room for kMaxUtcMsText bytes;
// returns the end of what it wrote (an XML writer formats into its buffer).
char* WriteUtcMs(char* out, int64_t ms);

}  // namespace confiance

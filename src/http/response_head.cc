// File: http/response_head.cc
#include "common/ascii.h"
#include "http/response_head.h"

#include <boost/beast/http/status.hpp>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace confiance::http {

using ::confiance::EqualsIgnoreCase;
namespace {

// RFC 9110 tchar, as a table: the check runs for every character of every
// response header name (isalnum() and a search per character showed in the
// 4 KiB GET profile).
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool IsTokenChar(unsigned char c) { return kTokenChars[c]; }


bool OwnedByLayer(std::string_view name) {
  switch (name.size()) {  // one comparison at most, not five per header
    case 4: return EqualsIgnoreCase(name, "Date");
    case 6: return EqualsIgnoreCase(name, "Server");
    case 10: return EqualsIgnoreCase(name, "Connection");
    case 14: return EqualsIgnoreCase(name, "Content-Length");
    case 17: return EqualsIgnoreCase(name, "Transfer-Encoding");
    default: return false;
  }
}

// The Date header changes once a second; format it once a second per thread.
std::string_view CachedDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last || text.empty()) {
    text = HttpDate(now);
    last = now;
  }
  return text;
}

}  // namespace

std::string HttpDate(std::time_t t) {
  // By hand rather than strftime or snprintf (a GET formats Last-Modified):
  // the same text in a tenth of the instructions, and never localised.
  static constexpr std::string_view kDays = "SunMonTueWedThuFriSat";
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  using namespace std::chrono;
  const int64_t secs = static_cast<int64_t>(t);
  const int64_t day = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  const int64_t in_day = secs - day * 86400;
  const sys_days sd{days{day}};
  const year_month_day ymd{sd};
  const unsigned wd = weekday{sd}.c_encoding();
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return "Thu, 01 Jan 1970 00:00:00 GMT";  // outside HTTP dates' 4 digits
  char buf[29];
  auto two = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  std::memcpy(buf, kDays.data() + 3 * wd, 3);
  buf[3] = ',';
  buf[4] = ' ';
  two(buf + 5, static_cast<unsigned>(ymd.day()));
  buf[7] = ' ';
  std::memcpy(buf + 8, kMonths.data() + 3 * (static_cast<unsigned>(ymd.month()) - 1), 3);
  buf[11] = ' ';
  two(buf + 12, static_cast<unsigned>(year / 100));
  two(buf + 14, static_cast<unsigned>(year % 100));
  buf[16] = ' ';
  two(buf + 17, static_cast<unsigned>(in_day / 3600));
  buf[19] = ':';
  two(buf + 20, static_cast<unsigned>(in_day / 60 % 60));
  buf[22] = ':';
  two(buf + 23, static_cast<unsigned>(in_day % 60));
  std::memcpy(buf + 25, " GMT", 4);
  return std::string(buf, sizeof buf);
}

Status FormatResponseHead(const ResponseHead& head, std::string& out) {
  if (head.status < 100 || head.status > 999) {
    return InvalidArgumentError("bad HTTP status " + std::to_string(head.status));
  }
  {
    for (const Header& h : head.headers) {
      if (h.name.empty()) return InvalidArgumentError("empty header name");
      for (char c : h.name) {
        if (!IsTokenChar(static_cast<unsigned char>(c))) {
          return InvalidArgumentError("bad header name: " + h.name);
        }
      }
      // A plain loop: find_first_of calls memchr on its set once per
      // character of the value (about a hundred calls per GET).
      for (char c : h.value) {
        if (c == '\r' || c == '\n' || c == '\0') return InvalidArgumentError("bad header value for " + h.name);
      }
    }
  }
  namespace bhttp = boost::beast::http;
  auto code = bhttp::int_to_status(static_cast<unsigned>(head.status));
  std::string_view reason = "Unknown";
  if (code != bhttp::status::unknown) {
    auto r = bhttp::obsolete_reason(code);
    reason = std::string_view(r.data(), r.size());
  }
  out.clear();
  out.append("HTTP/1.1 ").append(std::to_string(head.status)).append(" ");
  out.append(reason.data(), reason.size()).append("\r\nServer: Confiance\r\nDate: ");
  out.append(CachedDate()).append("\r\n");
  {
    for (const Header& h : head.headers) {
      if (OwnedByLayer(h.name)) continue;
      out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
  }
  if (head.content_length) {
    out.append("Content-Length: ").append(std::to_string(*head.content_length)).append("\r\n");
  } else if (head.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  if (head.close) out.append("Connection: close\r\n");
  out.append("\r\n");
  return OkStatus();
}

}  // namespace confiance::http

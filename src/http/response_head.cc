// File: http/response_head.cc
#include "common/ascii.h"
#include "http/response_head.h"

#include <boost/beast/http/status.hpp>
#include <array>
#include <cctype>
#include <cstdio>
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
  for (std::string_view owned :
       {"Content-Length", "Transfer-Encoding", "Connection", "Server", "Date"}) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
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
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
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
      if (h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return InvalidArgumentError("bad header value for " + h.name);
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

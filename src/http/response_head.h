// File: http/response_head.h
// Internal to http/: formats an HTTP/1.1 status line and header block.
// Pure functions, no I/O, testable without a server.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <span>

#include "common/status.h"
#include "http/http.h"

namespace confiance::http {

struct ResponseHead {
  int status = 200;
  std::span<const Header> headers;  // borrowed
  std::optional<uint64_t> content_length;        // emitted if set
  bool chunked = false;                          // Transfer-Encoding: chunked
  bool close = false;                            // Connection: close
};

// Replaces `out` with the head (ending in the empty line); `out` is a
// buffer reused across responses, hence not a return value. Adds Server and
// Date; drops caller headers that the layer owns (Content-Length,
// Transfer-Encoding, Connection, Server, Date).
// Errors: InvalidArgument for a status outside 100..999, a header name that
// is not an RFC 9110 token, or a value containing CR, LF or NUL (response
// splitting).
Status FormatResponseHead(const ResponseHead& head, std::string& out);

// RFC 9110 IMF-fixdate of `t`, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t);

}  // namespace confiance::http

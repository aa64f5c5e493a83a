// File: http/http.cc
// Out-of-line helpers of the handler contract (no Beast here).
#include "http/http.h"

#include <cctype>

#include "common/ascii.h"

namespace confiance::http {


std::optional<std::string_view> Request::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

asio::awaitable<Status> ResponseWriter::Send(int status, std::span<const Header> headers,
                                             std::string_view body) {
  // Start() only formats the head; Write() sends head and body in one
  // gathered write, so a small response costs one syscall.
  CO_RETURN_IF_ERROR(co_await Start(status, headers, body.size()));
  if (!body.empty()) {
    CO_RETURN_IF_ERROR(co_await Write(std::as_bytes(std::span(body.data(), body.size()))));
  }
  co_return co_await Finish();
}

}  // namespace confiance::http

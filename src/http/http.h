// File: http/http.h
// The contract between the HTTP layer and what serves requests. The HTTP
// layer (Boost.Beast) parses requests, enforces limits and timeouts, and
// streams bodies both ways; it knows nothing of S3.
//
// A Handler is a coroutine run on a network thread for each request. It
// reads the body through BodyReader and answers through ResponseWriter.
// Blocking work (fsync, synced metadata commits, KMS calls) must be moved
// off the network thread with common/blocking_pool.h.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::http {

namespace asio = boost::asio;

struct Header {
  std::string name;   // as received (case preserved)
  std::string value;  // leading/trailing whitespace removed
};

struct Request {
  std::string method;          // "GET", "PUT", ...
  std::string target;          // raw request target: path and query, not decoded
  std::vector<Header> headers;  // in arrival order
  std::string remote_address;  // peer IP address
  std::optional<uint64_t> content_length;
  bool chunked = false;        // Transfer-Encoding: chunked

  // First header named `name` (case-insensitive), if any.
  std::optional<std::string_view> FindHeader(std::string_view name) const;
};

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to out.size() bytes of the body (chunked framing removed).
  // Returns 0 at the end of the body. On the first call, sends
  // "100 Continue" if the client sent Expect: 100-continue.
  // Errors: DeadlineExceeded (client too slow), Cancelled (connection
  // closed), InvalidArgument (bad framing).
  virtual asio::awaitable<Result<size_t>> Read(std::span<std::byte> out) = 0;
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // Sends the status line and headers. With content_length, the body must be
  // exactly that many bytes (Content-Length is set by the writer); without,
  // the body is sent chunked. For a HEAD request no body bytes are sent but
  // Content-Length is still reported.
  virtual asio::awaitable<Status> Start(int status, std::vector<Header> headers,
                                        std::optional<uint64_t> content_length) = 0;
  virtual asio::awaitable<Status> Write(std::span<const std::byte> data) = 0;
  // Ends the response. A handler that returns without Finish() (or with a
  // short body) gets its connection closed.
  virtual asio::awaitable<Status> Finish() = 0;
  // True once Start() was called (then an error can no longer be reported
  // as a new status line).
  virtual bool started() const = 0;
  // Ask the layer to close the connection after this response.
  virtual void CloseAfterResponse() = 0;

  // Start + Write + Finish for a small, complete body.
  asio::awaitable<Status> Send(int status, std::vector<Header> headers, std::string_view body);
};

using Handler = std::function<asio::awaitable<void>(Request&, BodyReader&, ResponseWriter&)>;

}  // namespace confiance::http

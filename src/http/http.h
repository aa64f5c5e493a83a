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
  std::string remote_address;  // peer IP address, e.g. "127.0.0.1" or "::1"
  std::optional<uint64_t> content_length;  // as sent; unset when chunked or absent
  bool chunked = false;        // Transfer-Encoding: chunked
  bool secure = false;         // arrived over TLS on this server's own listener

  // First header named `name` (case-insensitive), if any.
  std::optional<std::string_view> FindHeader(std::string_view name) const;
};

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to out.size() bytes of the body (chunked framing removed)
  // straight from the connection: nothing is buffered beyond one socket
  // read. Returns 0 only at the end of the body (at once if there is none).
  // On the first call, sends "100 Continue" if the client sent
  // Expect: 100-continue; a handler that answers without reading never
  // invites the body (the connection is then closed after the response).
  // REQUIRES: !out.empty() (else InvalidArgument); one Read at a time.
  // Errors: DeadlineExceeded (no body byte for body_stall_timeout),
  // Cancelled (connection closed or server shut down), InvalidArgument
  // (bad chunked framing; if the handler then answers nothing, the layer
  // sends 400). After an error every later Read returns the same error and
  // the connection is closed after the response.
  virtual asio::awaitable<Result<size_t>> Read(std::span<std::byte> out) = 0;
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // Sets the status line and headers. With content_length, the body must be
  // exactly that many bytes (Content-Length is set by the writer); without,
  // the body is sent chunked (to an HTTP/1.0 client: delimited by closing
  // the connection). For a HEAD request no body bytes are sent but
  // Content-Length is still reported; Write() calls are counted, not sent.
  // 1xx and 204 responses carry no body and no Content-Length.
  // The layer adds Server and Date, and owns framing: caller headers named
  // Content-Length, Transfer-Encoding, Connection, Server or Date are
  // dropped ("Connection: close" from the caller acts as
  // CloseAfterResponse()). The head is sent with the first Write() or
  // Finish(), in one write with the first body bytes.
  // Errors: FailedPrecondition (already started), InvalidArgument (status
  // outside 100..999, header name not a token, CR/LF/NUL in a value).
  virtual asio::awaitable<Status> Start(int status, std::span<const Header> headers,
                                        std::optional<uint64_t> content_length) = 0;
  // Sends `data` as (part of) the body, without copying it; returns once
  // the socket has taken it all (the span may then be reused).
  // Errors: FailedPrecondition (before Start or after Finish),
  // InvalidArgument (more than content_length; the connection will close),
  // DeadlineExceeded (client read nothing for write_stall_timeout),
  // Cancelled (connection closed), Aborted (an earlier write failed).
  virtual asio::awaitable<Status> Write(std::span<const std::byte> data) = 0;
  // Ends the response (sends the last chunk when chunked). A handler that
  // returns without Finish() (or with a short body) gets its connection
  // closed; one that returns without Start() gets a 500 and a close.
  // Errors: FailedPrecondition (before Start, or body shorter than
  // content_length), and the I/O errors of Write().
  virtual asio::awaitable<Status> Finish() = 0;
  // True once Start() was called (then an error can no longer be reported
  // as a new status line).
  virtual bool started() const = 0;
  // Ask the layer to close the connection after this response.
  virtual void CloseAfterResponse() = 0;

  // Start + Write + Finish for a small, complete body.
  asio::awaitable<Status> Send(int status, std::span<const Header> headers, std::string_view body);
};

// Called once per request on the connection's strand; the references are
// valid until the returned awaitable completes. Requests on one connection
// are served one at a time; different connections run concurrently on the
// network threads, so the Handler itself must be thread-safe. A Handler
// should not throw (a throw is caught: 500 if nothing was sent, then close).
// Notes for coroutines with g++ 12:
//  - do not write braced lists within a co_await expression (e.g.
//    co_await w.Send(200, {{"A", "b"}}, "x")); g++ rejects it ("array used
//    as initializer"). Build the vector first.
//  - never give a coroutine a by-value parameter of a type with a
//    non-trivial destructor (std::string, std::vector): when the argument
//    is a temporary, g++ 12 destroys it twice (heap corruption). Take
//    references or spans; the caller's objects live across the co_await.
using Handler = std::function<asio::awaitable<void>(Request&, BodyReader&, ResponseWriter&)>;

}  // namespace confiance::http

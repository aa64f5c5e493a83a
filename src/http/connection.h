// File: http/connection.h
// Internal to http/: one accepted TCP connection serving HTTP/1.1 requests
// in a coroutine (keep-alive, limits, timeouts, body streaming). Server owns
// the registry of live connections; this header keeps Beast out of
// server.cc.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>

#include "common/gate.h"
#include "http/http.h"
#include "http/server.h"

namespace confiance::http {

// Thread-safe: both methods post to the connection's strand.
class Connection {
 public:
  virtual ~Connection() = default;
  // After the current request (if any) the connection closes; a connection
  // waiting for its next request closes now. Responses started from now on
  // carry "Connection: close".
  virtual void BeginShutdown() = 0;
  // Closes the socket now: pending reads and writes fail with Cancelled.
  virtual void ForceClose() = 0;
};

// Starts serving `socket` (whose executor must be a strand) in a detached
// coroutine and returns a handle to it: HTTP inside TLS with `tls`'s
// certificate when `tls` is set (the connection keeps it), plain otherwise. `options`, `handler` and `gate`
// must outlive the coroutine; each request holds `gate` while the handler
// runs (a closed gate gets 503 and a close). `on_exit` runs on the
// connection's strand when the coroutine ends.
std::shared_ptr<Connection> StartConnection(boost::asio::ip::tcp::socket socket,
                                            std::shared_ptr<boost::asio::ssl::context> tls,
                                            const ServerOptions& options,
                                            const Handler& handler, Gate& gate,
                                            std::function<void(Connection*)> on_exit);

}  // namespace confiance::http

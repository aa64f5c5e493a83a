// File: http/server.h
// Server: accepts HTTP/1.1 connections and runs a Handler per request.
// Keep-alive, Expect: 100-continue, chunked bodies, header size/count
// limits (431), timeouts for idle and slow clients, graceful shutdown.
//
// Threads: `threads` network threads (default: one per core) run every
// connection; Run() blocks the calling thread until Shutdown() completes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/http.h"

namespace confiance::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9000;       // 0 = pick a free port (see Server::port())
  int threads = 0;            // 0 = std::thread::hardware_concurrency()
  size_t max_header_bytes = 64 * 1024;  // whole header block; over -> 431
  size_t max_header_count = 200;        // over -> 431
  std::chrono::seconds idle_timeout{60};        // keep-alive connection with no request
  std::chrono::seconds header_timeout{30};      // to receive a whole header block
  std::chrono::seconds body_stall_timeout{60};  // no body progress for this long -> abort
  std::chrono::seconds write_stall_timeout{60}; // client not reading the response
  std::chrono::seconds shutdown_grace{30};      // in-flight requests get this long
};

class Server {
 public:
  // Binds and listens (errors: address in use, permission...). Does not
  // serve until Run().
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options, Handler handler);
  virtual ~Server() = default;

  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Serves until Shutdown() has drained; returns then.
  virtual void Run() = 0;
  // Thread-safe and signal-safe to call from another thread: stops
  // accepting, refuses new requests on open connections (Connection: close
  // after the current one), waits up to shutdown_grace for in-flight
  // requests, then closes everything and makes Run() return.
  virtual void Shutdown() = 0;
};

}  // namespace confiance::http

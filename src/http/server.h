// File: http/server.h
// Server: accepts HTTP/1.1 connections and runs a Handler per request.
// Keep-alive, Expect: 100-continue, chunked bodies, header size/count
// limits (431), timeouts for idle and slow clients, graceful shutdown;
// HTTPS instead of HTTP when given a certificate (http/tls.h).
//
// Threads: one io_context run by `threads` network threads (default: one
// per core; Run()'s caller is one of them). Each connection is a coroutine
// on its own strand, so a Handler's requests on one connection never run
// concurrently, while different connections do. Run() blocks the calling
// thread until Shutdown() completes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/server_load.h"
#include "common/status.h"
#include "http/http.h"
#include "http/tls.h"

namespace confiance::http {

// What the server has done since it started, for the operator's metrics
// (admin/metrics_endpoint.h). Relaxed counters: see common/metrics.h.
struct ServerStats {
  metrics::Counter connections_accepted;
  metrics::Counter accept_failures;  // e.g. out of file descriptors (EMFILE)
  metrics::Counter tls_handshakes_failed;  // includes plain HTTP sent to the TLS port
  // Connections closed because the client was too slow: a header, a body
  // or a response that made no progress within its timeout (not the idle
  // timeout of a keep-alive connection, which is routine).
  metrics::Counter slow_clients_closed;
  metrics::Counter body_bytes_received;  // request bodies, chunked framing removed
  metrics::Counter body_bytes_sent;      // response bodies (not for HEAD)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9000;       // 0 = pick a free port (see Server::port())
  int threads = 0;            // 0 = std::thread::hardware_concurrency()
  // Limits. The body has none here: Content-Length is the handler's call.
  size_t max_header_bytes = 64 * 1024;  // whole header block; over -> 431
  size_t max_header_count = 200;        // over -> 431
  std::chrono::seconds idle_timeout{60};        // keep-alive connection with no request
  std::chrono::seconds header_timeout{30};      // to receive a whole header block
  std::chrono::seconds body_stall_timeout{60};  // no body progress for this long -> abort
  std::chrono::seconds write_stall_timeout{60}; // client not reading the response
  std::chrono::seconds shutdown_grace{30};      // in-flight requests get this long
  // Set: every connection is TLS with this certificate and key (the
  // handshake must finish within header_timeout); empty: plain HTTP.
  TlsFiles tls;
  // Borrowed, outlives the server; null: not kept. The server counts its
  // open connections there.
  ServerLoad* load = nullptr;
  // Borrowed, outlives the server; null: not counted.
  ServerStats* stats = nullptr;
};

class Server {
 public:
  // Binds (SO_REUSEADDR) and listens; `host` is an IP address or a name
  // resolved once. Does not serve until Run(). Errors: Unavailable (address
  // in use), PermissionDenied (privileged port), InvalidArgument (bad
  // host, null handler, other socket errors, TLS files that do not load).
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options, Handler handler);
  virtual ~Server() = default;

  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Whether connections are TLS (options.tls was set).
  virtual bool tls() const = 0;
  // Reads options.tls's files again, e.g. after the operator renewed the
  // certificate: connections accepted from now on use the new one, open
  // ones keep theirs. Returns the new certificate's summary. On error
  // (FailedPrecondition without TLS; else as LoadTlsContext) the current
  // certificate stays. Thread-safe, not for a raw signal handler (it takes
  // a lock).
  virtual Result<CertificateSummary> ReloadTls() = 0;
  // Serves until Shutdown() has drained; returns then.
  virtual void Run() = 0;
  // Thread-safe, idempotent, non-blocking (it only posts work): call it
  // from any thread, e.g. an asio::signal_set handler or a thread blocked
  // in sigwait(), but NOT from a raw signal handler (it takes locks).
  // Stops accepting (new connections are refused), closes idle
  // connections at once, answers requests arriving on open connections
  // with 503 and a close, gives in-flight requests up to shutdown_grace to
  // finish (their responses carry "Connection: close"), then closes every
  // connection; Run() returns once they are gone (or ~2 s later if a
  // handler is stuck off the network threads). May precede Run().
  virtual void Shutdown() = 0;
};

}  // namespace confiance::http

// File: kms/kmip/tls_connection.h
// A blocking mutual-TLS client connection (OpenSSL 3) for the KMIP client:
// TLS 1.2+, the client certificate and key from files, and the server
// verified against one pinned CA file only (never the system store) and the
// endpoint's host name or IP address. Every call takes a deadline; the
// socket is non-blocking underneath and waits with poll(), so a silent KMS
// costs at most the timeout. Writes never raise SIGPIPE (MSG_NOSIGNAL).
//
// Thread-safety: TlsContext is immutable after Create and shared by many
// connections; a TlsConnection is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace confiance::kms::kmip {

using Clock = std::chrono::steady_clock;

struct TlsOptions {
  std::string host;  // a numeric IP or a DNS name; verified against the server certificate
  uint16_t port = 5696;
  std::string ca_file;    // PEM: the only CA trusted for the server
  std::string ca_pem;     // or, if set (ca_file then unused), that CA's PEM text (a tenant's KMS)
  std::string cert_file;  // PEM: the client certificate (chain)
  std::string key_file;   // PEM: its private key
};

class TlsContext {
 public:
  // InvalidArgument if a file is missing or unreadable or the key does not
  // match the certificate; Internal on other OpenSSL failures.
  static Result<std::unique_ptr<TlsContext>> Create(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  const TlsOptions& options() const { return options_; }
  SSL_CTX* ctx() const { return ctx_; }

 private:
  TlsContext(TlsOptions options, SSL_CTX* ctx) : options_(std::move(options)), ctx_(ctx) {}
  const TlsOptions options_;
  SSL_CTX* const ctx_;
};

class TlsConnection {
 public:
  // Resolves, connects and completes the handshake before `deadline`.
  // Unavailable on a refused/failed connection or handshake (including a
  // server certificate that does not verify), DeadlineExceeded on timeout.
  static Result<std::unique_ptr<TlsConnection>> Connect(const TlsContext& context, Clock::time_point deadline);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Unavailable on a transport error or EOF, DeadlineExceeded on timeout.
  // After any error the connection is unusable.
  Status WriteAll(std::string_view data, Clock::time_point deadline);
  Status ReadExact(char* out, size_t n, Clock::time_point deadline);
  // True if the peer closed the connection or sent unsolicited bytes while
  // it sat idle (then it must not be reused). Does not block.
  bool StaleWhileIdle();

 private:
  TlsConnection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Waits until `ssl_`'s last error (want read/write) can progress.
  Status Wait(int ssl_error, Clock::time_point deadline, std::string_view what);

  const int fd_;
  SSL* const ssl_;
};

}  // namespace confiance::kms::kmip

// File: kms/kmip/tls_connection.cc
#include "kms/kmip/tls_connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace confiance::kms::kmip {
namespace {

std::string OpenSslReason() {
  unsigned long e = ERR_get_error();
  std::string out;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out = buf;
  }
  ERR_clear_error();
  return out.empty() ? "no OpenSSL reason" : out;
}

// A socket BIO that sends with MSG_NOSIGNAL: OpenSSL's own socket BIO uses
// write(2), which raises SIGPIPE when the KMS has closed the connection,
// and the server process does not ignore SIGPIPE.
int FdOf(BIO* b) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b))); }

bool Retryable(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

int BioWrite(BIO* b, const char* data, size_t len, size_t* written) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(FdOf(b), data, len, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = static_cast<size_t>(n);
    return 1;
  }
  if (Retryable(errno)) BIO_set_retry_write(b);
  return 0;
}

int BioRead(BIO* b, char* out, size_t len, size_t* read) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::recv(FdOf(b), out, len, 0);
  if (n > 0) {
    *read = static_cast<size_t>(n);
    return 1;
  }
  if (n < 0 && Retryable(errno)) BIO_set_retry_read(b);
  return 0;  // n == 0: end of stream
}

long BioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int BioCreate(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

const BIO_METHOD* NoSigpipeSocketMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "confiance-kmip-socket");
    BIO_meth_set_write_ex(m, BioWrite);
    BIO_meth_set_read_ex(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

// Waits for `events` on `fd` until `deadline`.
Status PollFd(int fd, short events, Clock::time_point deadline, std::string_view what) {
  for (;;) {
    int ms = RemainingMs(deadline);
    if (ms == 0) return DeadlineExceededError(std::string("KMS ") + std::string(what) + " timed out");
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms);
    if (r > 0) return OkStatus();
    if (r < 0 && errno != EINTR) return UnavailableError(std::string("KMS ") + std::string(what) + ": poll failed");
  }
}

Result<int> ConnectTcp(const std::string& host, uint16_t port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port_str = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), port_str.c_str(), &hints, &res); rc != 0) {
    return UnavailableError("KMS host " + host + ": " + ::gai_strerror(rc));
  }
  std::string last = "no address";
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s < 0) continue;
    int r = ::connect(s, a->ai_addr, a->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      Status w = PollFd(s, POLLOUT, deadline, "connect");
      if (!w.ok()) {
        ::close(s);
        ::freeaddrinfo(res);
        return w;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      r = err == 0 ? 0 : -1;
      errno = err;
    }
    if (r == 0) {
      fd = s;
    } else {
      last = std::strerror(errno);
      ::close(s);
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) return UnavailableError("KMS " + host + ":" + port_str + " connect: " + last);
  // KMIP is small request/response exchanges: Nagle's algorithm with
  // delayed ACKs would add tens of milliseconds to each.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool IsIpAddress(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

bool Readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

// Adds every certificate of `pem` to ctx's (empty) trust store; false if
// there is none or one does not parse.
bool LoadCaPem(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  bool ok = true;
  while (true) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    ok = ok && X509_STORE_add_cert(store, cert) == 1;
    X509_free(cert);
    ++added;
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
  BIO_free(bio);
  return ok && added > 0;
}

}  // namespace

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& o) {
  for (const std::string* f : {&o.ca_file, &o.cert_file, &o.key_file}) {
    if (f == &o.ca_file && !o.ca_pem.empty()) continue;
    if (f->empty() || !Readable(*f)) return InvalidArgumentError("KMIP TLS file not readable: '" + *f + "'");
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return InternalError("SSL_CTX_new: " + OpenSslReason());
  auto fail = [ctx](std::string m) {
    SSL_CTX_free(ctx);
    return InvalidArgumentError(std::move(m) + ": " + OpenSslReason());
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Pinning: the KMS must chain to this CA and nothing else (no
  // SSL_CTX_set_default_verify_paths).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!o.ca_pem.empty()) {
    if (!LoadCaPem(ctx, o.ca_pem)) return fail("KMIP CA (PEM text): no usable certificate");
  } else if (SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) {
    return fail("KMIP CA " + o.ca_file);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
    return fail("KMIP client certificate " + o.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail("KMIP client key " + o.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return fail("KMIP client key does not match its certificate");
  return std::unique_ptr<TlsContext>(new TlsContext(o, ctx));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsConnection>> TlsConnection::Connect(const TlsContext& context,
                                                              Clock::time_point deadline) {
  const TlsOptions& o = context.options();
  ASSIGN_OR_RETURN(int fd, ConnectTcp(o.host, o.port, deadline));
  SSL* ssl = SSL_new(context.ctx());
  BIO* bio = ssl ? BIO_new(NoSigpipeSocketMethod()) : nullptr;
  if (ssl == nullptr || bio == nullptr) {
    if (ssl) SSL_free(ssl);
    ::close(fd);
    return InternalError("SSL_new: " + OpenSslReason());
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  SSL_set_bio(ssl, bio, bio);
  std::unique_ptr<TlsConnection> c(new TlsConnection(fd, ssl));
  if (IsIpAddress(o.host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), o.host.c_str()) != 1) {
      return InternalError("KMIP: cannot set the IP address to verify");
    }
  } else {
    SSL_set_tlsext_host_name(ssl, o.host.c_str());
    if (SSL_set1_host(ssl, o.host.c_str()) != 1) return InternalError("KMIP: cannot set the host name to verify");
  }
  for (;;) {
    int r = SSL_connect(ssl);
    if (r == 1) break;
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      RETURN_IF_ERROR(c->Wait(err, deadline, "TLS handshake"));
      continue;
    }
    long verify = SSL_get_verify_result(ssl);
    std::string why;
    if (verify != X509_V_OK) {
      why = std::string("server certificate: ") + X509_verify_cert_error_string(verify);
    } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
      // What a KMS that refuses the client certificate usually does.
      why = "the KMS closed the connection (does it trust the client certificate?)";
    } else {
      why = OpenSslReason();
    }
    return UnavailableError("KMS " + o.host + ":" + std::to_string(o.port) + " TLS handshake failed: " + why);
  }
  return c;
}

TlsConnection::~TlsConnection() {
  // Best effort close_notify; never blocks (the socket is non-blocking).
  SSL_shutdown(ssl_);
  SSL_free(ssl_);
  ::close(fd_);
  ERR_clear_error();
}

Status TlsConnection::Wait(int ssl_error, Clock::time_point deadline, std::string_view what) {
  return PollFd(fd_, ssl_error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, what);
}

Status TlsConnection::WriteAll(std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    size_t n = 0;
    int r = SSL_write_ex(ssl_, data.data(), data.size(), &n);
    if (r == 1) {
      data.remove_prefix(n);
      continue;
    }
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      RETURN_IF_ERROR(Wait(err, deadline, "write"));
      continue;
    }
    return UnavailableError("KMS connection write failed: " + OpenSslReason());
  }
  return OkStatus();
}

Status TlsConnection::ReadExact(char* out, size_t n, Clock::time_point deadline) {
  while (n > 0) {
    size_t got = 0;
    int r = SSL_read_ex(ssl_, out, n, &got);
    if (r == 1) {
      out += got;
      n -= got;
      continue;
    }
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      RETURN_IF_ERROR(Wait(err, deadline, "read"));
      continue;
    }
    if (err == SSL_ERROR_ZERO_RETURN) return UnavailableError("KMS closed the connection");
    return UnavailableError("KMS connection read failed: " + OpenSslReason());
  }
  return OkStatus();
}

bool TlsConnection::StaleWhileIdle() {
  // A readable idle socket is either a close (EOF, alert) or TLS 1.3
  // post-handshake messages (session tickets), which SSL_peek consumes.
  for (int i = 0; i < 4; ++i) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    if (r == 0) return false;
    if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL))) return true;
    char c;
    size_t n = 0;
    int ok = SSL_peek_ex(ssl_, &c, 1, &n);
    if (ok == 1) return true;  // unsolicited application data
    if (SSL_get_error(ssl_, ok) != SSL_ERROR_WANT_READ) return true;
  }
  ERR_clear_error();
  return false;
}

}  // namespace confiance::kms::kmip

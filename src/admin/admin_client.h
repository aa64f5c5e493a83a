// File: admin/admin_client.h
// AdminClient: the CLI's side of the admin API. A small synchronous HTTP/1.1
// client (Boost.Beast, one connection per call) that signs each request with
// SigV4 (s3/sigv4/sign.h): the Authorization header over Host, x-amz-date,
// x-amz-content-sha256 (the body's SHA-256, as AdminService requires) and
// Content-Type. HTTP or HTTPS (the server's certificate checked against a
// CA file or the system's trust store, and against the host name or IP).
//
// Thread-safety: an AdminClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "s3/sigv4/sign.h"

namespace confiance::admin {

struct Endpoint {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 80;
  bool tls = false;     // https://
  // With tls: PEM file of the CAs to trust; "": the system's trust store
  // (OpenSSL's default paths, Debian's ca-certificates).
  std::string ca_file;

  // The Host header value: "host:port" ("[v6]:port").
  std::string HostHeader() const;
};

// Parses "http://HOST[:PORT][/]" or "https://..." (HOST may be "[v6
// address]"; the port defaults to 80 or 443); a missing scheme means http.
// InvalidArgument for another scheme, a path, a bad port or an empty host.
Result<Endpoint> ParseEndpoint(std::string_view url);

// "/_confiance/admin/v1/" followed by `segments`, each URI-encoded as one
// path segment ('/' inside a name becomes %2F).
std::string AdminPath(std::initializer_list<std::string_view> segments);
std::string AdminPath(const std::vector<std::string>& segments);

struct SigningCredentials {
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
};

struct HttpHeader {
  std::string name;
  std::string value;
};

// `headers` plus host, x-amz-date and x-amz-content-sha256
// (`payload_hash`), then the authorization of SigV4 over every one of them,
// for `method` `path`?`query` at `now`. Pure. InvalidArgument for a path
// SigV4 cannot encode.
Result<std::vector<HttpHeader>> SignHeaders(std::string_view method, std::string_view host_header,
                                            std::string_view path, std::string_view query,
                                            std::vector<HttpHeader> headers, std::string_view payload_hash,
                                            const sigv4::ClientCredentials& credentials,
                                            std::chrono::system_clock::time_point now);

// The headers of a signed admin request at `now`: host, x-amz-date,
// x-amz-content-sha256, content-type (when `body` is not empty) and
// authorization. Pure. InvalidArgument for a path SigV4 cannot encode.
Result<std::vector<HttpHeader>> SignedHeaders(std::string_view method, std::string_view host_header,
                                              std::string_view path, std::string_view body,
                                              const SigningCredentials& credentials,
                                              std::chrono::system_clock::time_point now);

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;  // the Content-Type header, "" if none
  std::string etag;          // the ETag header, "" if none (an uploaded part's)
  std::vector<HttpHeader> headers;  // every header of the answer, names in lower case
  // The value of header `name` (lower case), "" if the answer has none.
  std::string_view Header(std::string_view name) const;
};

// Sends one request with exactly `headers` (plus Content-Length, and Host
// when they have none) to `endpoint` on a connection of its own, and
// returns the answer, whatever its status: the transport of
// AdminClient::Call. Unavailable when the exchange fails; InvalidArgument
// for an unknown method.
Result<HttpReply> SendHttpRequest(const Endpoint& endpoint, std::string_view method, std::string_view target,
                                  const std::vector<HttpHeader>& headers, std::string_view body,
                                  std::chrono::seconds timeout);

// Requests to one endpoint over a kept connection (HTTP/1.1 keep-alive):
// the server's webhook deliveries, one after the other, without a TCP (and
// TLS) handshake each. The connection is made on the first request, kept
// while the receiver keeps it, and made again after a failure or a
// `Connection: close`. A request that fails on a kept connection at once
// (the receiver closed it while it was idle) is sent again once, on a new
// connection: callers must accept a request arriving twice.
//
// Thread-safety: Send may be called from several threads (one at a time
// uses the connection).
class KeepAliveHttpClient {
 public:
  explicit KeepAliveHttpClient(Endpoint endpoint);
  ~KeepAliveHttpClient();
  KeepAliveHttpClient(const KeepAliveHttpClient&) = delete;
  KeepAliveHttpClient& operator=(const KeepAliveHttpClient&) = delete;

  // As SendHttpRequest, on the kept connection.
  Result<HttpReply> Send(std::string_view method, std::string_view target, const std::vector<HttpHeader>& headers,
                         std::string_view body, std::chrono::seconds timeout);

  // A body made piece by piece as it is sent: fills the front of `out`
  // and says how many bytes it wrote (0 only when it has no more).
  using BodySource = std::function<Result<size_t>(std::span<char> out)>;
  // As Send, with a body of exactly `length` bytes taken from `source` as
  // they are written (a large object is never held whole). Not sent twice:
  // the body is consumed, so a kept connection the receiver closed while
  // idle is noticed before the request starts, and a failure after that is
  // the caller's to retry. DataLoss if `source` ends early.
  Result<HttpReply> SendStreaming(std::string_view method, std::string_view target,
                                  const std::vector<HttpHeader>& headers, uint64_t length, const BodySource& source,
                                  std::chrono::seconds timeout);

  // Connections made so far (for tests and benchmarks).
  uint64_t connections() const;

 private:
  struct Connection;
  // Makes the connection unless one is open (a kept one the receiver
  // closed while idle is dropped first); *reused says if it was kept.
  // Called with mu_ held.
  Status Connect(std::chrono::seconds timeout, bool* reused);
  const Endpoint endpoint_;
  mutable std::mutex mu_;
  std::unique_ptr<Connection> connection_;  // GUARDED_BY(mu_)
  uint64_t connections_ = 0;                // GUARDED_BY(mu_)
};

class AdminClient {
 public:
  AdminClient(Endpoint endpoint, SigningCredentials credentials,
              std::chrono::seconds timeout = std::chrono::seconds(60))
      : endpoint_(std::move(endpoint)), credentials_(std::move(credentials)), timeout_(timeout) {}

  // Sends one signed request and returns the server's answer, whatever its
  // status. Unavailable when the server cannot be reached or the exchange
  // fails (resolve, connect, write, read, timeout); InvalidArgument for an
  // unknown method or an unsignable path.
  Result<HttpReply> Call(std::string_view method, std::string_view path, std::string_view body = {});

 private:
  Endpoint endpoint_;
  SigningCredentials credentials_;
  std::chrono::seconds timeout_;
};

}  // namespace confiance::admin

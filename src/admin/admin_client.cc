// File: admin/admin_client.cc
#include "admin/admin_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "admin/admin_router.h"
#include "common/ascii.h"
#include "crypto/hash.h"
#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/sign.h"

namespace confiance::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using boost::system::error_code;

// Largest reply accepted (a listing of many tenants stays far below).
constexpr uint64_t kMaxReplyBody = 64ull << 20;
// The most of a streamed request body held at once.
constexpr uint64_t kStreamPiece = 1ull << 20;

// Runs the io_context until the pending operation completes.
void RunOnce(asio::io_context& io) {
  io.restart();
  io.run();
}

// A client context that verifies the server against `ca_file` ("": the
// system's trust store); TLS 1.2 at least. Made once per trust store for
// the process: the server's witness and webhook calls come every second,
// and loading a trust store parses every certificate in it (Debian's
// bundle holds about 140). A changed CA file is read at the next start.
Result<std::shared_ptr<ssl::context>> ClientTlsContext(const std::string& ca_file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<ssl::context>> made;  // GUARDED_BY(mu)
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = made.find(ca_file); it != made.end()) return it->second;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
  }
  if (ec) return InvalidArgumentError("TLS trust store " + (ca_file.empty() ? "(system)" : ca_file) + ": " + ec.message());
  made.emplace(ca_file, context);
  return context;
}

// Connects `stream` (plain or TLS, fresh) to one of `addresses` and, for
// TLS, completes the handshake; each step within `timeout`. Unavailable
// when either fails.
template <class Stream>
Status Connect(asio::io_context& io, Stream& stream, const tcp::resolver::results_type& addresses,
               const std::string& where, std::chrono::seconds timeout) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  error_code ec;
  tcp_layer.expires_after(timeout);
  tcp_layer.async_connect(addresses, [&](const error_code& e, const tcp::endpoint&) { ec = e; });
  RunOnce(io);
  if (ec) return UnavailableError("cannot connect to " + where + ": " + ec.message());
  // A request goes out in several writes (a streamed body after its
  // header): without this, Nagle's algorithm holds the second until the
  // first is acknowledged, which a delayed ACK makes 40 ms.
  tcp_layer.socket().set_option(tcp::no_delay(true), ec);
  if constexpr (kTls) {
    tcp_layer.expires_after(timeout);
    stream.async_handshake(ssl::stream_base::client, [&](const error_code& e) { ec = e; });
    RunOnce(io);
    if (ec) return UnavailableError("TLS handshake with " + where + " failed: " + ec.message());
  }
  return OkStatus();
}

template <class Stream>
Result<HttpReply> ReadReply(asio::io_context& io, Stream& stream, beast::flat_buffer& buffer, const std::string& where,
                            std::chrono::seconds timeout, bool head, bool* keep_alive, bool* timed_out);

// Writes `request` on a connected `stream` and reads the reply, each step
// within `timeout`; *keep_alive says whether the connection may carry
// another request. Unavailable when the exchange fails; *timed_out then
// says whether for want of time (rather than a closed connection).
template <class Stream>
Result<HttpReply> RoundTrip(asio::io_context& io, Stream& stream, beast::flat_buffer& buffer,
                            bhttp::request<bhttp::string_body>& request, const std::string& where,
                            std::chrono::seconds timeout, bool* keep_alive, bool* timed_out) {
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  error_code ec;
  tcp_layer.expires_after(timeout);
  bhttp::async_write(stream, request, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  *timed_out = ec == beast::error::timeout;
  if (ec) return UnavailableError("sending the request to " + where + " failed: " + ec.message());
  return ReadReply(io, stream, buffer, where, timeout, request.method() == bhttp::verb::head, keep_alive, timed_out);
}

// Writes `request` (a buffer_body whose header is set) with `length` body
// bytes taken from `source`, then reads the reply, as RoundTrip.
template <class Stream>
Result<HttpReply> StreamingRoundTrip(asio::io_context& io, Stream& stream, beast::flat_buffer& buffer,
                                     bhttp::request<bhttp::buffer_body>& request, uint64_t length,
                                     const KeepAliveHttpClient::BodySource& source, const std::string& where,
                                     std::chrono::seconds timeout, bool* keep_alive, bool* timed_out) {
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  error_code ec;
  auto failed = [&](std::string_view step) {
    *timed_out = ec == beast::error::timeout;
    return UnavailableError("sending the request to " + where + " failed (" + std::string(step) + "): " + ec.message());
  };
  bhttp::request_serializer<bhttp::buffer_body> serializer(request);
  tcp_layer.expires_after(timeout);
  bhttp::async_write_header(stream, serializer, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  if (ec) return failed("header");
  std::vector<char> piece(static_cast<size_t>(std::min<uint64_t>(length, kStreamPiece)));
  for (uint64_t sent = 0; sent < length;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length - sent, piece.size()));
    ASSIGN_OR_RETURN(size_t n, source(std::span<char>(piece.data(), want)));
    if (n == 0 || n > want) return DataLossError("the request body ended after " + std::to_string(sent) + " bytes");
    request.body().data = piece.data();
    request.body().size = n;
    request.body().more = true;
    tcp_layer.expires_after(timeout);
    bhttp::async_write(stream, serializer, [&](const error_code& e, size_t) { ec = e; });
    RunOnce(io);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return failed("body");
    sent += n;
  }
  request.body().data = nullptr;
  request.body().size = 0;
  request.body().more = false;
  tcp_layer.expires_after(timeout);
  bhttp::async_write(stream, serializer, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  if (ec) return failed("end");
  return ReadReply(io, stream, buffer, where, timeout, /*head=*/false, keep_alive, timed_out);
}

// Reads the reply to a request just written (`head`: a HEAD's, whose
// Content-Length announces no body).
template <class Stream>
Result<HttpReply> ReadReply(asio::io_context& io, Stream& stream, beast::flat_buffer& buffer, const std::string& where,
                            std::chrono::seconds timeout, bool head, bool* keep_alive, bool* timed_out) {
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  error_code ec;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxReplyBody);
  parser.skip(head);
  tcp_layer.expires_after(timeout);
  bhttp::async_read(stream, buffer, parser, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  *timed_out = ec == beast::error::timeout;
  if (ec) return UnavailableError("no answer from " + where + ": " + ec.message());
  *keep_alive = parser.get().keep_alive();
  HttpReply reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body()), {}, {}};
  if (auto it = parser.get().find(bhttp::field::content_type); it != parser.get().end()) {
    reply.content_type = std::string(it->value());
  }
  if (auto it = parser.get().find(bhttp::field::etag); it != parser.get().end()) reply.etag = std::string(it->value());
  for (const auto& field : parser.get()) {
    const beast::string_view name = field.name_string();
    reply.headers.push_back({ToLower(std::string_view(name.data(), name.size())), std::string(field.value())});
  }
  return reply;
}

// SNI for a name (never for an address, RFC 6066), and the certificate
// must name the host (or the IP address) that was asked for.
Status PrepareTls(beast::ssl_stream<beast::tcp_stream>& stream, const Endpoint& endpoint) {
  error_code ec;
  asio::ip::make_address(endpoint.host, ec);
  if (ec && SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str()) != 1) {
    return InvalidArgumentError("bad TLS server name " + endpoint.host);
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(endpoint.host));
  return OkStatus();
}

Result<bhttp::request<bhttp::string_body>> MakeRequest(const Endpoint& endpoint, std::string_view method,
                                                       std::string_view target, const std::vector<HttpHeader>& headers,
                                                       std::string_view body) {
  bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) return InvalidArgumentError("unknown HTTP method " + std::string(method));
  bhttp::request<bhttp::string_body> request(verb, beast::string_view(target.data(), target.size()), 11);
  for (const HttpHeader& h : headers) request.set(h.name, h.value);
  if (request.find(bhttp::field::host) == request.end()) request.set(bhttp::field::host, endpoint.HostHeader());
  request.body() = std::string(body);
  request.prepare_payload();
  return request;
}

std::string Where(const Endpoint& endpoint) {
  return (endpoint.tls ? "https://" : "http://") + endpoint.HostHeader();
}

}  // namespace

std::string Endpoint::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view rest = url;
  Endpoint e;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    std::string_view name = rest.substr(0, scheme);
    if (name == "https") {
      e.tls = true;
      e.port = 443;
    } else if (name != "http") {
      return InvalidArgumentError("the endpoint must be an http:// or https:// URL");
    }
    rest.remove_prefix(scheme + 3);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return InvalidArgumentError("the endpoint must not have a path");
  std::string_view port;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("unclosed '[' in the endpoint");
    e.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return InvalidArgumentError("bad endpoint after ']'");
    if (!after.empty()) port = after.substr(1);
  } else {
    size_t colon = rest.rfind(':');
    e.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (e.host.empty()) return InvalidArgumentError("the endpoint has no host");
  if (!port.empty() || rest.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgumentError("bad port in the endpoint");
    }
    e.port = static_cast<uint16_t>(value);
  }
  return e;
}

std::string AdminPath(std::initializer_list<std::string_view> segments) {
  std::string path(kAdminPrefix);
  for (std::string_view s : segments) path += "/" + sigv4::UriEncode(s, /*keep_slash=*/false);
  return path;
}

std::string AdminPath(const std::vector<std::string>& segments) {
  std::string path(kAdminPrefix);
  for (std::string_view s : segments) path += "/" + sigv4::UriEncode(s, /*keep_slash=*/false);
  return path;
}

Result<std::vector<HttpHeader>> SignHeaders(std::string_view method, std::string_view host_header,
                                            std::string_view path, std::string_view query,
                                            std::vector<HttpHeader> headers, std::string_view payload_hash,
                                            const sigv4::ClientCredentials& credentials,
                                            std::chrono::system_clock::time_point now) {
  const std::string amz_date = sigv4::FormatAmzDate(now);
  headers.push_back({"host", std::string(host_header)});
  headers.push_back({"x-amz-date", amz_date});
  headers.push_back({"x-amz-content-sha256", std::string(payload_hash)});
  std::vector<sigv4::Header> view_headers;
  for (const HttpHeader& h : headers) view_headers.push_back({h.name, h.value});
  sigv4::RequestView view;
  view.method = method;
  view.raw_path = path;
  view.raw_query = query;
  view.headers = view_headers;
  ASSIGN_OR_RETURN(sigv4::SignedRequest signed_request, sigv4::SignRequest(view, payload_hash, credentials, amz_date));
  headers.push_back({"authorization", signed_request.authorization});
  return headers;
}

Result<std::vector<HttpHeader>> SignedHeaders(std::string_view method, std::string_view host_header,
                                              std::string_view path, std::string_view body,
                                              const SigningCredentials& credentials,
                                              std::chrono::system_clock::time_point now) {
  std::vector<HttpHeader> headers;
  if (!body.empty()) headers.push_back({"content-type", "application/json"});
  return SignHeaders(method, host_header, path, "", std::move(headers), crypto::Sha256Hex(body),
                     sigv4::ClientCredentials{credentials.access_key, credentials.secret_key, credentials.region}, now);
}

Result<HttpReply> AdminClient::Call(std::string_view method, std::string_view path, std::string_view body) {
  if (bhttp::string_to_verb(beast::string_view(method.data(), method.size())) == bhttp::verb::unknown) {
    return InvalidArgumentError("unknown HTTP method " + std::string(method));
  }
  ASSIGN_OR_RETURN(std::vector<HttpHeader> headers,
                   SignedHeaders(method, endpoint_.HostHeader(), path, body, credentials_, std::chrono::system_clock::now()));
  return SendHttpRequest(endpoint_, method, path, headers, body, timeout_);
}

struct KeepAliveHttpClient::Connection {
  asio::io_context io;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<ssl::context> tls_context;  // outlives `tls`
  beast::flat_buffer buffer;                  // bytes read past a reply stay for the next

  ~Connection() { Close(); }
  bool open() const { return plain.has_value() || tls.has_value(); }
  void Close() {
    error_code ec;
    if (plain) plain->socket().shutdown(tcp::socket::shutdown_both, ec);
    if (tls) beast::get_lowest_layer(*tls).socket().shutdown(tcp::socket::shutdown_both, ec);
    plain.reset();
    tls.reset();
    buffer.clear();
  }
};

std::string_view HttpReply::Header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

KeepAliveHttpClient::KeepAliveHttpClient(Endpoint endpoint)
    : endpoint_(std::move(endpoint)), connection_(std::make_unique<Connection>()) {}

KeepAliveHttpClient::~KeepAliveHttpClient() = default;

namespace {

// Whether a kept connection's receiver closed it (or sent anything
// unasked, which it does only to close it) while it was idle.
bool ClosedWhileIdle(tcp::socket& socket) {
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace

Status KeepAliveHttpClient::Connect(std::chrono::seconds timeout, bool* reused) {
  Connection& c = *connection_;
  if (c.open()) {
    tcp::socket& socket = c.plain ? c.plain->socket() : beast::get_lowest_layer(*c.tls).socket();
    if (ClosedWhileIdle(socket)) c.Close();
  }
  *reused = c.open();
  if (*reused) return OkStatus();
  const std::string where = Where(endpoint_);
  error_code ec;
  tcp::resolver resolver(c.io);
  tcp::resolver::results_type addresses = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
  if (ec) return UnavailableError("cannot resolve " + endpoint_.host + ": " + ec.message());
  Status connected;
  if (!endpoint_.tls) {
    c.plain.emplace(c.io);
    connected = admin::Connect(c.io, *c.plain, addresses, where, timeout);
  } else {
    ASSIGN_OR_RETURN(c.tls_context, ClientTlsContext(endpoint_.ca_file));
    c.tls.emplace(c.io, *c.tls_context);
    connected = PrepareTls(*c.tls, endpoint_);
    if (connected.ok()) connected = admin::Connect(c.io, *c.tls, addresses, where, timeout);
  }
  if (!connected.ok()) {
    c.Close();
    return connected;
  }
  ++connections_;
  return OkStatus();
}

Result<HttpReply> KeepAliveHttpClient::Send(std::string_view method, std::string_view target,
                                            const std::vector<HttpHeader>& headers, std::string_view body,
                                            std::chrono::seconds timeout) {
  ASSIGN_OR_RETURN(bhttp::request<bhttp::string_body> request, MakeRequest(endpoint_, method, target, headers, body));
  request.keep_alive(true);
  const std::string where = Where(endpoint_);
  std::lock_guard<std::mutex> lock(mu_);
  Connection& c = *connection_;
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    RETURN_IF_ERROR(Connect(timeout, &reused));
    bool keep_alive = false, timed_out = false;
    Result<HttpReply> reply =
        c.plain ? RoundTrip(c.io, *c.plain, c.buffer, request, where, timeout, &keep_alive, &timed_out)
                : RoundTrip(c.io, *c.tls, c.buffer, request, where, timeout, &keep_alive, &timed_out);
    if (!reply.ok() || !keep_alive) c.Close();
    // A kept connection the receiver closed while idle fails at once: the
    // request goes again, once, on a new one. (It may have been taken in
    // before the failure: the callers' deliveries are at least once.) A
    // receiver too slow to answer is not asked twice.
    if (!reply.ok() && reused && !timed_out && attempt == 0) continue;
    return reply;
  }
}

Result<HttpReply> KeepAliveHttpClient::SendStreaming(std::string_view method, std::string_view target,
                                                     const std::vector<HttpHeader>& headers, uint64_t length,
                                                     const BodySource& source, std::chrono::seconds timeout) {
  bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) return InvalidArgumentError("unknown HTTP method " + std::string(method));
  bhttp::request<bhttp::buffer_body> request(verb, beast::string_view(target.data(), target.size()), 11);
  for (const HttpHeader& h : headers) request.set(h.name, h.value);
  if (request.find(bhttp::field::host) == request.end()) request.set(bhttp::field::host, endpoint_.HostHeader());
  request.content_length(length);
  request.keep_alive(true);
  const std::string where = Where(endpoint_);
  std::lock_guard<std::mutex> lock(mu_);
  Connection& c = *connection_;
  bool reused = false;
  RETURN_IF_ERROR(Connect(timeout, &reused));
  bool keep_alive = false, timed_out = false;
  Result<HttpReply> reply = c.plain ? StreamingRoundTrip(c.io, *c.plain, c.buffer, request, length, source, where,
                                                         timeout, &keep_alive, &timed_out)
                                    : StreamingRoundTrip(c.io, *c.tls, c.buffer, request, length, source, where,
                                                         timeout, &keep_alive, &timed_out);
  if (!reply.ok() || !keep_alive) c.Close();
  return reply;
}

uint64_t KeepAliveHttpClient::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_;
}

Result<HttpReply> SendHttpRequest(const Endpoint& endpoint, std::string_view method, std::string_view target,
                                  const std::vector<HttpHeader>& headers, std::string_view body,
                                  std::chrono::seconds timeout) {
  // A client of its own, closed when the reply is in.
  KeepAliveHttpClient client(endpoint);
  return client.Send(method, target, headers, body, timeout);
}

}  // namespace confiance::admin

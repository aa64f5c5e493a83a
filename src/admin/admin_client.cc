// File: admin/admin_client.cc
#include "admin/admin_client.h"

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

#include "admin/admin_router.h"
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
using boost::system::error_code;

// Largest reply accepted (a listing of many tenants stays far below).
constexpr uint64_t kMaxReplyBody = 64ull << 20;

// Runs the io_context until the pending operation completes.
void RunOnce(asio::io_context& io) {
  io.restart();
  io.run();
}

}  // namespace

std::string Endpoint::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view rest = url;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    if (rest.substr(0, scheme) != "http") {
      return InvalidArgumentError("only http:// endpoints are supported (the server has no TLS listener yet)");
    }
    rest.remove_prefix(scheme + 3);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return InvalidArgumentError("the endpoint must not have a path");
  Endpoint e;
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

Result<std::vector<HttpHeader>> SignedHeaders(std::string_view method, std::string_view host_header,
                                              std::string_view path, std::string_view body,
                                              const SigningCredentials& credentials,
                                              std::chrono::system_clock::time_point now) {
  std::vector<HttpHeader> out = {{"host", std::string(host_header)},
                                 {"x-amz-date", sigv4::FormatAmzDate(now)},
                                 {"x-amz-content-sha256", crypto::Sha256Hex(body)}};
  if (!body.empty()) out.push_back({"content-type", "application/json"});
  std::vector<sigv4::Header> view_headers;
  for (const HttpHeader& h : out) view_headers.push_back({h.name, h.value});
  sigv4::RequestView view;
  view.method = method;
  view.raw_path = path;
  view.raw_query = "";
  view.headers = view_headers;
  sigv4::ClientCredentials signer{credentials.access_key, credentials.secret_key, credentials.region};
  ASSIGN_OR_RETURN(sigv4::SignedRequest signed_request,
                   sigv4::SignRequest(view, out[2].value, signer, out[1].value));
  out.push_back({"authorization", signed_request.authorization});
  return out;
}

Result<HttpReply> AdminClient::Call(std::string_view method, std::string_view path, std::string_view body) {
  if (bhttp::string_to_verb(beast::string_view(method.data(), method.size())) == bhttp::verb::unknown) {
    return InvalidArgumentError("unknown HTTP method " + std::string(method));
  }
  ASSIGN_OR_RETURN(std::vector<HttpHeader> headers,
                   SignedHeaders(method, endpoint_.HostHeader(), path, body, credentials_, std::chrono::system_clock::now()));
  return SendHttpRequest(endpoint_, method, path, headers, body, timeout_);
}

Result<HttpReply> SendHttpRequest(const Endpoint& endpoint, std::string_view method, std::string_view target,
                                  const std::vector<HttpHeader>& headers, std::string_view body,
                                  std::chrono::seconds timeout) {
  bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) return InvalidArgumentError("unknown HTTP method " + std::string(method));
  const std::string host_header = endpoint.HostHeader();
  bhttp::request<bhttp::string_body> request(verb, beast::string_view(target.data(), target.size()), 11);
  for (const HttpHeader& h : headers) request.set(h.name, h.value);
  if (request.find(bhttp::field::host) == request.end()) request.set(bhttp::field::host, host_header);
  request.body() = std::string(body);
  request.prepare_payload();

  const std::string where = "http://" + host_header;
  asio::io_context io;
  error_code ec;
  tcp::resolver resolver(io);
  tcp::resolver::results_type addresses = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec) return UnavailableError("cannot resolve " + endpoint.host + ": " + ec.message());
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  stream.async_connect(addresses, [&](const error_code& e, const tcp::endpoint&) { ec = e; });
  RunOnce(io);
  if (ec) return UnavailableError("cannot connect to " + where + ": " + ec.message());
  stream.expires_after(timeout);
  bhttp::async_write(stream, request, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  if (ec) return UnavailableError("sending the request to " + where + " failed: " + ec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxReplyBody);
  stream.expires_after(timeout);
  bhttp::async_read(stream, buffer, parser, [&](const error_code& e, size_t) { ec = e; });
  RunOnce(io);
  if (ec) return UnavailableError("no answer from " + where + ": " + ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  HttpReply reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body()), {}};
  if (auto it = parser.get().find(bhttp::field::content_type); it != parser.get().end()) {
    reply.content_type = std::string(it->value());
  }
  return reply;
}

}  // namespace confiance::admin

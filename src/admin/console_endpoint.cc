// File: admin/console_endpoint.cc
#include "admin/console_endpoint.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "admin/admin_router.h"
#include "admin/console_assets.h"

namespace confiance::admin {
namespace {

// Only this origin's files and requests; no inline script or style, no
// plugins, no framing, no form posts elsewhere.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

std::string_view ContentType(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".mjs") || ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

std::vector<http::Header> SecurityHeaders() {
  return {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Cross-Origin-Opener-Policy", "same-origin"}};
}

const EmbeddedAsset* FindAsset(std::string_view path) {
  for (const EmbeddedAsset& a : ConsoleAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

// Whether an If-None-Match value names `etag` (a list, or "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view item = if_none_match.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison (RFC 9110 13.1.2)
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

ConsoleEndpoint::ConsoleEndpoint(std::string_view region, uint64_t idle_timeout_s)
    : config_json_(nlohmann::json{{"region", region}, {"idle_timeout_s", idle_timeout_s}}.dump()) {}

bool ConsoleEndpoint::IsTarget(std::string_view target, std::string_view host, std::string_view vhost_domain) {
  if (!target.starts_with(kConsolePrefix)) return false;
  std::string_view rest = target.substr(kConsolePrefix.size());
  if (!(rest.empty() || rest.front() == '/' || rest.front() == '?')) return false;  // e.g. /_confiance/consoles
  return !IsVirtualHostBucket(host, vhost_domain);
}

asio::awaitable<void> ConsoleEndpoint::Handle(http::Request& request, http::BodyReader& body,
                                              http::ResponseWriter& response) {
  (void)body;  // no file takes a body; the HTTP layer drains or closes
  std::vector<http::Header> headers = SecurityHeaders();
  headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  if (request.method != "GET" && request.method != "HEAD") {
    headers.push_back({"Allow", "GET, HEAD"});
    (void)co_await response.Send(405, headers, "the console's files are only read: GET and HEAD\n");
    co_return;
  }
  std::string_view path = request.target;
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  path.remove_prefix(kConsolePrefix.size());
  if (path.empty()) {
    // Relative links in index.html need the trailing slash.
    headers.push_back({"Location", std::string(kConsolePrefix) + "/"});
    (void)co_await response.Send(301, headers, "the console is at /_confiance/console/\n");
    co_return;
  }
  path.remove_prefix(1);  // the '/'
  if (path == "config.json") {
    headers.back().value = "application/json";
    headers.push_back({"Cache-Control", "no-store"});
    (void)co_await response.Send(200, headers, config_json_);
    co_return;
  }
  // Names are compared whole against the embedded set: nothing in the path
  // is ever resolved on a file system.
  const EmbeddedAsset* asset = FindAsset(path.empty() ? "index.html" : path);
  if (asset == nullptr) {
    (void)co_await response.Send(404, headers, "no such file in the console\n");
    co_return;
  }
  headers.back().value = std::string(ContentType(asset->path));
  headers.push_back({"ETag", std::string(asset->etag)});
  headers.push_back({"Cache-Control", "no-cache"});
  if (std::optional<std::string_view> inm = request.FindHeader("if-none-match"); inm && Matches(*inm, asset->etag)) {
    (void)co_await response.Send(304, headers, "");
    co_return;
  }
  (void)co_await response.Send(200, headers, asset->body);
}

}  // namespace confiance::admin

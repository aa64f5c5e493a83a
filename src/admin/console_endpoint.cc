// File: admin/console_endpoint.cc
#include "admin/console_endpoint.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "admin/admin_router.h"
#include "admin/console_assets.h"
#include "admin/console_request.h"
#include "s3/conditional.h"

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
  const ConsoleTarget wanted = ResolveConsoleTarget(request.target, ConsoleAssets());
  switch (wanted.kind) {
    case ConsoleTarget::Kind::kRedirect:
      headers.push_back({"Location", std::string(kConsolePrefix) + "/"});
      (void)co_await response.Send(301, headers, "the console is at /_confiance/console/\n");
      co_return;
    case ConsoleTarget::Kind::kConfig:
      headers.back().value = "application/json";
      headers.push_back({"Cache-Control", "no-store"});
      (void)co_await response.Send(200, headers, config_json_);
      co_return;
    case ConsoleTarget::Kind::kNotFound:
      (void)co_await response.Send(404, headers, "no such file in the console\n");
      co_return;
    case ConsoleTarget::Kind::kAsset:
      break;
  }
  const EmbeddedAsset* asset = wanted.asset;
  headers.back().value = std::string(ContentType(asset->path));
  headers.push_back({"ETag", std::string(asset->etag)});
  headers.push_back({"Cache-Control", "no-cache"});
  if (std::optional<std::string_view> inm = request.FindHeader("if-none-match");
      inm && s3::EtagListMatches(*inm, asset->etag)) {
    (void)co_await response.Send(304, headers, "");
    co_return;
  }
  (void)co_await response.Send(200, headers, asset->body);
}

}  // namespace confiance::admin

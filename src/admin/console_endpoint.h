// File: admin/console_endpoint.h
// ConsoleEndpoint: the web console's static files, under
// /_confiance/console/ on the S3 listener (docs/console.md).
//
// The console is a page that runs in the tenant's (or operator's) browser
// and calls the S3 API and the admin API of the same origin, each request
// signed with SigV4 in the browser (admin/console/sigv4.mjs). The server
// only hands out the files: they hold no secret and need no login, so they
// are served to anyone, like a CLI one downloads. The credentials the user
// types stay in the page's memory and are sent nowhere but in signatures.
//
//   GET /_confiance/console          301 to /_confiance/console/
//   GET /_confiance/console/         index.html
//   GET /_confiance/console/<file>   one of ConsoleAssets(), or 404
//   GET /_confiance/console/config.json
//                                    {"region", "idle_timeout_s"}: the
//                                    region the page signs for (--region)
//                                    and when it signs out by itself
//                                    (--console-idle-timeout)
//
// Every answer forbids framing and inline script (a Content-Security-Policy
// that allows only this origin's files and requests), so that a key or
// object name shown in the page can never run as code, and is never cached
// without revalidation (ETag, 304), so an upgrade reaches every browser.
//
// Not an S3 operation and not recorded in a transparency log: the files
// are the same for everyone and touch no tenant's data. What the page then
// does is S3 and admin requests, logged like any other client's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "admin/console_request.h"
#include "http/http.h"

namespace confiance::admin {

namespace asio = boost::asio;

class ConsoleEndpoint {
 public:
  // `region`: the server's SigV4 region (--region); `idle_timeout_s`:
  // seconds without activity after which the page signs out (0: never).
  ConsoleEndpoint(std::string_view region, uint64_t idle_timeout_s);

  // Whether `target` (path and query) is the console or under it; not when
  // `host` names a virtual-host bucket of `vhost_domain` (then the path is
  // an object key, as for IsAdminTarget).
  static bool IsTarget(std::string_view target, std::string_view host = {}, std::string_view vhost_domain = {});

  // REQUIRES: IsTarget(request.target).
  asio::awaitable<void> Handle(http::Request& request, http::BodyReader& body, http::ResponseWriter& response);

 private:
  std::string config_json_;
};

}  // namespace confiance::admin

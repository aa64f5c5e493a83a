// File: admin/console_endpoint_test.cc
// The console's file server: which targets it takes, the embedded files
// with their types and validators, the security headers on every answer,
// and that nothing outside the embedded set is ever served.
#include "admin/console_endpoint.h"

#include <gtest/gtest.h>

#include <map>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "admin/console_assets.h"
#include "s3/recording_response_writer.h"

namespace confiance::admin {
namespace {

using s3::testing::EmptyBody;
using s3::testing::RecordingWriter;
using s3::testing::RunCoroutine;

struct ConsoleReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

ConsoleReply Get(ConsoleEndpoint& endpoint, std::string target, std::string method = "GET",
          std::vector<http::Header> extra = {}) {
  http::Request request;
  request.method = method;
  request.target = target;
  request.headers = std::move(extra);
  EmptyBody body;
  RecordingWriter writer;
  RunCoroutine([&]() -> asio::awaitable<void> { co_await endpoint.Handle(request, body, writer); });
  ConsoleReply r{writer.status_, writer.body_, {}};
  for (const http::Header& h : writer.headers_) r.headers[h.name] = h.value;
  return r;
}

void ExpectLockedDown(const ConsoleReply& r) {
  EXPECT_NE(r.headers.at("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(r.headers.at("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.headers.at("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers.at("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.headers.at("Referrer-Policy"), "no-referrer");
}

TEST(ConsoleEndpointTest, RecognisesItsPrefixOnly) {
  EXPECT_TRUE(ConsoleEndpoint::IsTarget("/_confiance/console"));
  EXPECT_TRUE(ConsoleEndpoint::IsTarget("/_confiance/console/"));
  EXPECT_TRUE(ConsoleEndpoint::IsTarget("/_confiance/console/app.mjs"));
  EXPECT_TRUE(ConsoleEndpoint::IsTarget("/_confiance/console?x"));
  EXPECT_FALSE(ConsoleEndpoint::IsTarget("/_confiance/consoles"));
  EXPECT_FALSE(ConsoleEndpoint::IsTarget("/_confiance/admin/v1/whoami"));
  EXPECT_FALSE(ConsoleEndpoint::IsTarget("/bucket/_confiance/console/"));
  // With virtual-host addressing the path is an object key of the bucket.
  EXPECT_FALSE(ConsoleEndpoint::IsTarget("/_confiance/console/", "b.s3.example.eu", "s3.example.eu"));
  EXPECT_TRUE(ConsoleEndpoint::IsTarget("/_confiance/console/", "s3.example.eu", "s3.example.eu"));
}

TEST(ConsoleEndpointTest, EmbedsEveryFileButTheTests) {
  std::map<std::string, std::string_view> files;
  for (const EmbeddedAsset& a : ConsoleAssets()) files[std::string(a.path)] = a.body;
  for (const char* name : {"index.html", "app.mjs", "api.mjs", "sigv4.mjs", "log.mjs", "console.css"}) {
    ASSERT_TRUE(files.contains(name)) << name;
    EXPECT_FALSE(files[name].empty()) << name;
  }
  for (const auto& [name, body] : files) EXPECT_FALSE(name.ends_with("_test.mjs")) << name;
  EXPECT_TRUE(files["index.html"].starts_with("<!doctype html>"));
  EXPECT_NE(files["index.html"].find("src=\"app.mjs\""), std::string_view::npos);
}

TEST(ConsoleEndpointTest, ServesFilesWithTypesAndValidators) {
  ConsoleEndpoint endpoint("eu-west-3", 1800);
  ConsoleReply index = Get(endpoint, "/_confiance/console/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_TRUE(index.body.starts_with("<!doctype html>"));
  EXPECT_EQ(index.headers["Cache-Control"], "no-cache");
  ExpectLockedDown(index);
  EXPECT_EQ(Get(endpoint, "/_confiance/console/index.html").body, index.body);
  EXPECT_EQ(Get(endpoint, "/_confiance/console/?utm=x").body, index.body);

  ConsoleReply app = Get(endpoint, "/_confiance/console/app.mjs");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.headers["Content-Type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(Get(endpoint, "/_confiance/console/console.css").headers["Content-Type"], "text/css; charset=utf-8");

  // The ETag is the content's: different files, different tags; a
  // matching If-None-Match (also weak, also in a list) gets a 304.
  const std::string etag = app.headers["ETag"];
  ASSERT_EQ(etag.size(), 34u) << etag;
  EXPECT_NE(etag, index.headers["ETag"]);
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, "\"x\",\t" + etag + " ", std::string("*")}) {
    ConsoleReply again = Get(endpoint, "/_confiance/console/app.mjs", "GET", {{"If-None-Match", inm}});
    EXPECT_EQ(again.status, 304) << inm;
    EXPECT_EQ(again.body, "") << inm;
  }
  for (const std::string& inm :
       {std::string("\"other\""), std::string(""), std::string(", ,"), std::string("**"), etag + "x"}) {
    EXPECT_EQ(Get(endpoint, "/_confiance/console/app.mjs", "GET", {{"If-None-Match", inm}}).status, 200) << inm;
  }

  ConsoleReply head = Get(endpoint, "/_confiance/console/app.mjs", "HEAD");
  EXPECT_EQ(head.status, 200);
}

TEST(ConsoleEndpointTest, ConfigNamesTheRegion) {
  ConsoleEndpoint endpoint("eu-west-3", 600);
  ConsoleReply config = Get(endpoint, "/_confiance/console/config.json");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(config.body, R"({"idle_timeout_s":600,"region":"eu-west-3"})");
  EXPECT_EQ(config.headers["Content-Type"], "application/json");
  EXPECT_EQ(config.headers["Cache-Control"], "no-store");
}

TEST(ConsoleEndpointTest, RedirectsTheBarePrefix) {
  ConsoleEndpoint endpoint("us-east-1", 1800);
  ConsoleReply r = Get(endpoint, "/_confiance/console");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.headers["Location"], "/_confiance/console/");
  ExpectLockedDown(r);
}

TEST(ConsoleEndpointTest, ServesNothingOutsideTheEmbeddedFiles) {
  ConsoleEndpoint endpoint("us-east-1", 1800);
  for (const char* target :
       {"/_confiance/console/nope.js", "/_confiance/console/../console/app.mjs",
        "/_confiance/console/%2e%2e/etc/passwd", "/_confiance/console//app.mjs", "/_confiance/console/app.mjs/",
        "/_confiance/console/sigv4_test.mjs", "/_confiance/console/APP.MJS", "/_confiance/console/app.mjs%00"}) {
    ConsoleReply r = Get(endpoint, target);
    EXPECT_EQ(r.status, 404) << target;
    ExpectLockedDown(r);
  }
}

TEST(ConsoleRequestTest, TargetsResolveByWholeName) {
  const EmbeddedAsset assets[] = {{"index.html", "i", "\"1\""}, {"app.mjs", "a", "\"2\""}};
  using K = ConsoleTarget::Kind;
  EXPECT_EQ(ResolveConsoleTarget("/_confiance/console", assets).kind, K::kRedirect);
  EXPECT_EQ(ResolveConsoleTarget("/_confiance/console?x=1", assets).kind, K::kRedirect);
  EXPECT_EQ(ResolveConsoleTarget("/_confiance/console/config.json?x", assets).kind, K::kConfig);
  EXPECT_EQ(ResolveConsoleTarget("/_confiance/console/", assets).asset, &assets[0]);
  EXPECT_EQ(ResolveConsoleTarget("/_confiance/console/app.mjs?v=2", assets).asset, &assets[1]);
  for (const char* t : {"/_confiance/console/./app.mjs", "/_confiance/console/x/../app.mjs",
                        "/_confiance/console/app%2Emjs", "/_confiance/console/index.html/"}) {
    EXPECT_EQ(ResolveConsoleTarget(t, assets).kind, K::kNotFound) << t;
  }
}

TEST(ConsoleEndpointTest, OnlyReads) {
  ConsoleEndpoint endpoint("us-east-1", 1800);
  for (const char* method : {"PUT", "POST", "DELETE", "OPTIONS"}) {
    ConsoleReply r = Get(endpoint, "/_confiance/console/app.mjs", method);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers["Allow"], "GET, HEAD");
  }
}

}  // namespace
}  // namespace confiance::admin

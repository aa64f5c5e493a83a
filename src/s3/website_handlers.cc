// File: s3/website_handlers.cc
// Static website hosting (docs/website.md, s3/website.h): Get, Put and
// DeleteBucketWebsite, and the requests of the website endpoint.
//
// A website request is a GET or HEAD of the object its path names (or a
// CORS preflight, answered from the bucket's CORS rules), made
// anonymously: it reads what the bucket's policy and ACLs let everyone
// read, through GetObject, so that ranges, conditional headers, encryption
// at rest and the transparency log work as for any read. Errors are HTML
// pages, or the bucket's error document sent with the error's status.
#include <strings.h>

#include <algorithm>

#include "common/logging.h"
#include "s3/s3_context.h"
#include "s3/sigv4/canonical.h"
#include "s3/website.h"

namespace confiance::s3 {
namespace {

// As the other bucket configurations: a small document (50 rules).
constexpr size_t kMaxWebsiteBody = 64 * 1024;

// A refusal of ParseWebsiteConfiguration as S3 words it.
S3Error WebsiteRefusal(const Status& status) {
  constexpr std::string_view kInvalid = "InvalidArgument: ";
  const std::string& message = status.message();
  if (message.starts_with(kInvalid)) {
    return MakeError(S3ErrorCode::kInvalidArgument, message.substr(kInvalid.size()));
  }
  return MakeError(S3ErrorCode::kMalformedXML);
}

bool IsReadConditionHeader(const http::Header& h) {
  return strcasecmp(h.name.c_str(), "range") == 0 || strncasecmp(h.name.c_str(), "if-", 3) == 0;
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketWebsite(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->website.empty()) co_return MakeError(S3ErrorCode::kNoSuchWebsiteConfiguration);
  Result<WebsiteConfiguration> config = DecodeWebsite(bucket->website);
  if (!config.ok()) co_return ErrorFromStatus(config.status());
  {
    std::string doc = xml::RenderWebsiteConfiguration(*config);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketWebsite(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxWebsiteBody, &error);
  if (!body.ok()) co_return error;
  Result<WebsiteConfiguration> config = xml::ParseWebsiteConfiguration(*body);
  if (!config.ok()) co_return WebsiteRefusal(config.status());
  BucketEdit edit = [encoded = EncodeWebsite(*config)](catalog::BucketRecord& b) { b.website = encoded; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketWebsite(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  // None to remove: S3 answers 204 all the same.
  BucketEdit edit = [](catalog::BucketRecord& b) { b.website.clear(); };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

bool S3Service::IsWebsiteHost(std::string_view host) const {
  return VirtualHostBucket(host, options_.website_domain).has_value();
}

asio::awaitable<void> S3Service::HandleWebsite(http::Request& request, http::BodyReader& body,
                                               http::ResponseWriter& response) {
  co_await Serve(request, body, response, nullptr, /*website=*/true);
}

asio::awaitable<S3Service::Reply> S3Service::ServeWebsite(Ctx& ctx) {
  const bool head = ctx.req.method == "HEAD";
  const bool preflight = ctx.req.method == "OPTIONS";
  if (!head && !preflight && ctx.req.method != "GET") co_return MakeError(S3ErrorCode::kMethodNotAllowed);
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  RouterOptions website;
  website.domain = options_.website_domain;
  Result<Route> route = RouteRequest("GET", ctx.req.target, ctx.req.FindHeader("host").value_or(""),
                                     /*has_copy_source=*/false, website, &error);
  if (!route.ok()) co_return error;
  ctx.route = std::move(route).value();
  // The bucket's CORS rules apply to its pages, as to its objects: a
  // preflight is answered from them, and a page gets their headers.
  if (preflight) {
    ctx.route.op = Operation::kPreflightCors;
    ctx.route_resolved = true;
    co_return co_await PreflightCors(ctx);
  }
  AddCorsHeaders(ctx);
  // The object its path names, whatever the query says.
  ctx.route.op = head ? Operation::kHeadObject : Operation::kGetObject;
  ctx.route.query.clear();
  ctx.route.raw_query.clear();
  ctx.route_resolved = true;
  ctx.resource = "/" + ctx.route.bucket + "/" + ctx.route.key;
  ctx.website.emplace();
  ctx.website->requested_key = ctx.route.key;
  if (std::optional<S3Error> slow = AdmitRate(ctx)) co_return *slow;
  Result<catalog::BucketRecord> bucket = NamedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->website.empty()) co_return MakeError(S3ErrorCode::kNoSuchWebsiteConfiguration);
  Result<WebsiteConfiguration> config = DecodeWebsite(bucket->website);
  if (!config.ok()) co_return ErrorFromStatus(config.status());
  const std::string requested = ctx.route.key;
  const std::string_view protocol = ctx.req.secure ? "https" : "http";
  if (config->redirect_all) {
    WebsiteRedirectTarget to = RedirectAll(*config->redirect_all, requested, protocol);
    co_await SendWebsiteRedirect(ctx, to.status, to.location);
    co_return std::nullopt;
  }
  if (const xml::WebsiteRoutingRule* rule = MatchRoutingRule(*config, requested, std::nullopt)) {
    WebsiteRedirectTarget to = RoutingRedirect(*rule, requested, ctx.req.FindHeader("host").value_or(""), protocol);
    co_await SendWebsiteRedirect(ctx, to.status, to.location);
    co_return std::nullopt;
  }
  ctx.route.key = WebsiteObjectKey(*config, requested);
  Reply read = co_await GetObject(ctx, head);
  if (!read) co_return std::nullopt;
  co_return co_await AnswerWebsiteError(ctx, *bucket, *config, *read);
}

asio::awaitable<S3Service::Reply> S3Service::AnswerWebsiteError(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                                const WebsiteConfiguration& config,
                                                                const S3Error& failed) {
  if (ctx.resp.started()) co_return failed;
  const int status = failed.HttpStatus();
  const std::string requested = ctx.website->requested_key;
  const std::string host(ctx.req.FindHeader("host").value_or(""));
  // A folder named without its slash ("docs" for "docs/index.html"):
  // redirected to the folder, as S3 does, if everyone may read its index.
  if ((status == 404 || status == 403) && !requested.empty() && requested.back() != '/') {
    const std::string index = requested + "/" + config.index_suffix;
    if (!AuthorizeAccess(ctx, "s3:GetObject", bucket, index)) {
      Result<catalog::ObjectRecord> rec = deps_.catalog.GetObjectVersion(bucket, index, "", /*with_inline_data=*/false);
      if (rec.ok() && !rec->delete_marker) {
        co_await SendWebsiteRedirect(ctx, 302, "/" + sigv4::UriEncode(requested, /*keep_slash=*/true) + "/");
        co_return std::nullopt;
      }
    }
  }
  const std::string_view protocol = ctx.req.secure ? "https" : "http";
  if (const xml::WebsiteRoutingRule* rule = MatchRoutingRule(config, requested, status)) {
    WebsiteRedirectTarget to = RoutingRedirect(*rule, requested, host, protocol);
    co_await SendWebsiteRedirect(ctx, to.status, to.location);
    co_return std::nullopt;
  }
  // The error document, whole, with the error's status (S3 sends it for
  // client errors only).
  if (!config.error_key.empty() && status >= 400 && status < 500) {
    const std::string key_read = ctx.route.key;
    std::erase_if(ctx.req.headers, IsReadConditionHeader);
    ctx.route.key = config.error_key;
    ctx.website->status_override = status;
    ctx.error_code = std::string(failed.CodeString());
    Reply document = co_await GetObject(ctx, ctx.req.method == "HEAD");
    if (!document || ctx.resp.started()) co_return document;
    // No error document to send: the error page, logged under the key the
    // error was for.
    ctx.route.key = key_read;
    ctx.website->status_override = 0;
  }
  co_return failed;
}

asio::awaitable<void> S3Service::SendWebsiteRedirect(Ctx& ctx, int status, const std::string& location) {
  std::vector<http::Header> headers =
      Headers(http::Header{"Location", location}, http::Header{"x-amz-request-id", ctx.request_id});
  (void)co_await ctx.resp.Send(status, headers, "");
}

asio::awaitable<void> S3Service::SendWebsiteError(Ctx& ctx, const S3Error& error) {
  if (ctx.resp.started()) {
    ctx.resp.CloseAfterResponse();  // the headers are gone: cut the body short
    co_return;
  }
  ctx.error_code = std::string(error.CodeString());
  if (error.HttpStatus() >= 500) {
    spdlog::warn("website request {} {} {}: {} {}", ctx.request_id, ctx.req.method, ctx.resource, error.CodeString(),
                 error.Message());
  }
  const std::string page = WebsiteErrorPage(error.HttpStatus(), error.CodeString(), error.Message(), ctx.request_id);
  // The code and message in headers too, as S3 and RGW send them with a
  // website's error page (a client cannot parse the page).
  std::string message(error.Message());
  std::replace_if(message.begin(), message.end(), [](char c) { return c < 0x20 || c > 0x7e; }, '?');
  std::vector<http::Header> headers = Headers(http::Header{"Content-Type", "text/html; charset=utf-8"},
                                              http::Header{"x-amz-request-id", ctx.request_id},
                                              http::Header{"x-amz-error-code", std::string(error.CodeString())},
                                              http::Header{"x-amz-error-message", std::move(message)});
  (void)co_await ctx.resp.Send(error.HttpStatus(), headers, page);
}

}  // namespace confiance::s3

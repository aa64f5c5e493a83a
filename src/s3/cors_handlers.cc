// File: s3/cors_handlers.cc
// Get/Put/DeleteBucketCors (the rules live in the bucket record), the
// preflight OPTIONS request, and the CORS headers of actual requests. The
// matching itself is s3/cors.h's.
//
// What S3 answers, where its documentation is silent, follows recordings
// made against S3 and the ceph s3-tests expectations:
//  - a preflight is answered without authentication (a presigned URL's
//    query is ignored);
//  - no Origin: 400 BadRequest; unknown bucket or no configuration: 403
//    AccessForbidden; an Origin without Access-Control-Request-Method on a
//    configured bucket: 400; no matching rule: 403 AccessForbidden, with
//    Method and ResourceType in the error document;
//  - an actual request is matched on Access-Control-Request-Method when it
//    carries one, else on its own method; its request headers are not
//    checked; without a match it gets no CORS header at all.
#include "catalog/catalog.h"
#include "s3/cors.h"
#include "s3/s3_context.h"
#include "s3/xml/cors_xml.h"

namespace confiance::s3 {
namespace {

// "The document is limited to 64 KB in size" (PutBucketCors).
constexpr size_t kMaxCorsBody = 64 * 1024;

// A refused preflight; an empty `message` keeps the table's ("This CORS
// request is not allowed...").
S3Error PreflightRefused(std::string message, std::string_view method, std::string_view resource_type) {
  S3Error e = MakeError(S3ErrorCode::kAccessForbidden, std::move(message));
  e.details.emplace_back("Method", std::string(method));
  e.details.emplace_back("ResourceType", std::string(resource_type));
  return e;
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketCors(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->cors_rules.empty()) {
    S3Error none = MakeError(S3ErrorCode::kNoSuchCORSConfiguration);
    none.details.emplace_back("BucketName", bucket->name);
    co_return none;
  }
  {
    std::string doc = xml::RenderCorsConfiguration(bucket->cors_rules);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketCors(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxCorsBody, &error);
  if (!body.ok()) co_return error;
  Result<std::vector<catalog::CorsRule>> rules = xml::ParseCorsConfiguration(*body);
  if (!rules.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  if (Status valid = ValidateCorsRules(*rules, &error); !valid.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.cors_rules = *rules;
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketCors(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.cors_rules.clear();
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::PreflightCors(Ctx& ctx) {
  std::optional<std::string_view> origin = ctx.req.FindHeader("origin");
  if (!origin) co_return MakeError(S3ErrorCode::kBadRequest, "Insufficient information. Origin request header needed.");
  std::optional<std::string_view> method = ctx.req.FindHeader("access-control-request-method");
  const std::string_view method_named = method.value_or("OPTIONS");
  Result<catalog::BucketRecord> bucket = deps_.catalog.GetBucket(ctx.route.bucket);
  if (!bucket.ok()) {
    if (bucket.status().code() != StatusCode::kNotFound) co_return ErrorFromStatus(bucket.status());
    co_return PreflightRefused("CORSResponse: Bucket not found", method_named, "BUCKET");
  }
  if (bucket->cors_rules.empty()) {
    co_return PreflightRefused("CORSResponse: CORS is not enabled for this bucket.", method_named, "BUCKET");
  }
  if (!method) {
    co_return MakeError(S3ErrorCode::kBadRequest,
                        "Insufficient information. Access-Control-Request-Method request header needed.");
  }
  std::vector<std::string> request_headers =
      ParseCorsRequestHeaders(ctx.req.FindHeader("access-control-request-headers").value_or(""));
  std::optional<CorsMatch> match = MatchCorsRule(bucket->cors_rules, *origin, *method, request_headers);
  if (!match) co_return PreflightRefused(std::string(), *method, ctx.route.key.empty() ? "BUCKET" : "OBJECT");
  {
    std::vector<http::Header> hdrs = CorsResponseHeaders(*match, *origin, request_headers);
    co_await SendEmpty(ctx, 200, hdrs);
  }
  co_return std::nullopt;
}

void S3Service::AddCorsHeaders(Ctx& ctx) {
  std::optional<std::string_view> origin = ctx.req.FindHeader("origin");
  if (!origin || ctx.route.bucket.empty() || ctx.extra_headers == nullptr) return;
  // An unknown bucket, or one without rules, adds nothing; the request
  // goes on to its own answer.
  Result<catalog::BucketRecord> bucket = deps_.catalog.GetBucket(ctx.route.bucket);
  if (!bucket.ok() || bucket->cors_rules.empty()) return;
  std::string_view method = ctx.req.FindHeader("access-control-request-method").value_or(ctx.req.method);
  std::optional<CorsMatch> match = MatchCorsRule(bucket->cors_rules, *origin, method, {});
  if (match) ctx.extra_headers->Add(CorsResponseHeaders(*match, *origin, {}));
}

}  // namespace confiance::s3

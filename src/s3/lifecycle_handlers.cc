// File: s3/lifecycle_handlers.cc
// Get/Put/DeleteBucketLifecycleConfiguration (the configuration lives in
// the bucket record; s3/lifecycle_config.h parses and checks it) and the
// x-amz-expiration header of object responses. The rules are applied by
// s3/lifecycle_worker.h.
//
// As S3: PUT requires Content-MD5 or an x-amz-checksum-* header
// (InvalidRequest without either), an empty body is MissingRequestBodyError,
// GET without a configuration is 404 NoSuchLifecycleConfiguration, and
// DELETE answers 204 whether or not there was one.
#include "catalog/catalog.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "s3/checksum_request.h"
#include "s3/lifecycle.h"
#include "s3/lifecycle_config.h"
#include "s3/s3_context.h"

namespace confiance::s3 {
namespace {

// 1000 rules of a few hundred bytes each.
constexpr size_t kMaxLifecycleBody = 2 << 20;

// A rule ID for a rule sent without one (S3 makes up one too).
std::string NewRuleId() {
  Result<std::string> hex = crypto::RandomHex(16);
  return hex.ok() ? *hex : catalog::NewOpTag();
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketLifecycle(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->lifecycle) {
    S3Error none = MakeError(S3ErrorCode::kNoSuchLifecycleConfiguration);
    none.details.emplace_back("BucketName", bucket->name);
    co_return none;
  }
  {
    std::string doc = RenderLifecycleConfiguration(*bucket->lifecycle);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketLifecycle(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::optional<ChecksumRequest>> checksum = ParseChecksumRequest(ctx.req, false, &error);
  if (!checksum.ok()) co_return error;
  const bool has_md5 = ctx.req.FindHeader("content-md5").has_value();
  if (!has_md5 && !(*checksum && !(*checksum)->expected.empty())) {
    co_return MakeError(S3ErrorCode::kInvalidRequest, "Missing required header for this request: Content-MD5");
  }
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxLifecycleBody, &error);
  if (!body.ok()) co_return error;
  if (*checksum && !(*checksum)->expected.empty()) {
    std::string computed = crypto::ComputeChecksum((*checksum)->algorithm, *body);
    if (std::optional<S3Error> bad = VerifyChecksum(**checksum, computed, std::nullopt)) co_return *bad;
  }
  if (body->empty()) co_return MakeError(S3ErrorCode::kMissingRequestBodyError);
  Result<catalog::LifecycleConfiguration> config = ParseLifecycleConfiguration(*body, NewRuleId, &error);
  if (!config.ok()) co_return error;
  if (std::optional<S3Error> bad = CheckTransitionClasses(*config)) co_return *bad;
  BucketEdit edit = [&](catalog::BucketRecord& b) { b.lifecycle = *config; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketLifecycle(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) { b.lifecycle.reset(); };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

std::optional<S3Error> S3Service::CheckTransitionClasses(const catalog::LifecycleConfiguration& config) {
  auto check = [&](const std::string& storage_class) -> std::optional<S3Error> {
    S3Error error{S3ErrorCode::kInternalError, {}, {}};
    if (storage_class == sovereignty::kStandardStorageClass || !WriteStorageClass(storage_class, &error).ok()) {
      return MakeError(
          S3ErrorCode::kInvalidArgument,
          "The storage class " + storage_class + " is not one this server transitions to (docs/storage-classes.md).");
    }
    return std::nullopt;
  };
  for (const catalog::LifecycleRule& rule : config.rules) {
    for (const catalog::LifecycleTransition& t : rule.transitions) {
      if (std::optional<S3Error> bad = check(t.storage_class)) return bad;
    }
    for (const catalog::NoncurrentTransition& t : rule.noncurrent_transitions) {
      if (std::optional<S3Error> bad = check(t.storage_class)) return bad;
    }
  }
  return std::nullopt;
}

void S3Service::AddExpirationHeader(Ctx& ctx, const catalog::BucketRecord& bucket, std::string_view key,
                                    const catalog::ObjectRecord& record) {
  if (!bucket.lifecycle || ctx.extra_headers == nullptr) return;
  // Calendar days, whatever --lifecycle-day-seconds says: the header tells
  // the client what the rule means (as RGW does with its debug interval).
  LifecycleSubject subject{key, &record.tags, record.size};
  std::optional<DueRule> due =
      EarliestExpiration(*bucket.lifecycle, subject, static_cast<int64_t>(record.modified_ms), kLifecycleDayMs);
  if (due) ctx.extra_headers->Add({{"x-amz-expiration", ExpirationHeaderValue(*due)}});
}

}  // namespace confiance::s3

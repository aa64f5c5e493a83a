// File: s3/logging_handlers.cc
// Get/PutBucketLogging: server access logging to a bucket
// (s3/bucket_logging.h; main/access_log_delivery.h delivers the logs).
//
// As on AWS, the target bucket must exist, belong to the same tenant, be in
// the same region, have no default Object Lock retention, and let the
// logging service principal write under the prefix (its bucket policy
// grants logging.s3.amazonaws.com s3:PutObject); otherwise the answer is
// InvalidTargetBucketForLogging. TargetGrants are refused: a log object
// belongs to the target bucket's owner, and its policy says who reads it.
#include "catalog/catalog.h"
#include "s3/bucket_logging.h"
#include "s3/s3_context.h"
#include "s3/xml/logging_xml.h"

namespace confiance::s3 {
namespace {

// As the other bucket configurations: a small document.
constexpr size_t kMaxLoggingBody = 64 * 1024;

S3Error InvalidTarget(std::string message) {
  return MakeError(S3ErrorCode::kInvalidTargetBucketForLogging, std::move(message));
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketLogging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  std::optional<xml::LoggingEnabled> enabled;
  if (!bucket->logging.empty()) {
    Result<BucketLogging> logging = DecodeBucketLogging(bucket->logging);
    if (!logging.ok()) co_return ErrorFromStatus(logging.status());
    if (logging->on()) enabled = logging->target;
  }
  {
    std::string doc = xml::RenderBucketLoggingStatus(enabled);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketLogging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxLoggingBody, &error);
  if (!body.ok()) co_return error;
  Result<std::optional<xml::LoggingEnabled>> parsed = xml::ParseBucketLoggingStatus(*body);
  if (!parsed.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  // The records come from the owner's transparency log.
  if (deps_.audit_log == nullptr) {
    if (!*parsed) {
      BucketEdit off = [](catalog::BucketRecord& b) { b.logging.clear(); };
      co_return co_await UpdateBucketSetting(ctx, *bucket, off, 200);
    }
    co_return MakeError(S3ErrorCode::kNotImplemented,
                        "Server access logging is derived from the transparency log, which is off on this server.");
  }
  Result<audit::TransparencyLog*> log = deps_.audit_log->TenantLog(bucket->owner);
  if (!log.ok()) co_return ErrorFromStatus(log.status());
  const uint64_t log_size = (*log)->size();
  if (!*parsed) {
    // Off from here: what came before is still delivered, then the
    // delivery removes the configuration.
    BucketEdit off = [log_size](catalog::BucketRecord& b) {
      if (b.logging.empty()) return;
      Result<BucketLogging> before = DecodeBucketLogging(b.logging);
      if (!before.ok()) {
        b.logging.clear();
      } else if (before->on()) {
        before->until_index = log_size;
        b.logging = EncodeBucketLogging(*before);
      }
    };
    co_return co_await UpdateBucketSetting(ctx, *bucket, off, 200);
  }
  const xml::LoggingEnabled& target = **parsed;
  if (target.has_target_grants) {
    co_return MakeError(S3ErrorCode::kInvalidArgument,
                        "TargetGrants are not supported: log objects belong to the target bucket's owner; grant "
                        "access to them with the target bucket's policy");
  }
  Result<catalog::BucketRecord> to = deps_.catalog.GetBucket(target.target_bucket);
  if (!to.ok()) {
    if (to.status().code() == StatusCode::kNotFound)
      co_return InvalidTarget("The target bucket for logging does not exist");
    co_return ErrorFromStatus(to.status());
  }
  if (to->owner != bucket->owner) {
    co_return InvalidTarget("The owner for the bucket to be logged and the target bucket must be the same.");
  }
  if (to->location != bucket->location) {
    co_return InvalidTarget("The target bucket for logging must be in the same region as the bucket being logged.");
  }
  if (to->default_retention) {
    co_return InvalidTarget("The target bucket for logging must not have a default retention period configured.");
  }
  // Delivery writes as the logging service: the target's policy must let
  // it (what the first delivery would otherwise find out, and drop).
  const std::string region = bucket->location.empty() ? options_.region : bucket->location;
  const std::string sample = AccessLogObjectKey(target, bucket->owner, region, bucket->name, 0, "");
  const ServicePrincipal delivery = LogDeliveryFor(*bucket);
  RequesterInfo service;
  service.service = &delivery;
  AccessCheck put;
  put.action = "s3:PutObject";
  put.bucket = to->name;
  put.key = sample;
  put.bucket_record = &*to;
  if (authorizer_.Check(ctx.req, service, put)) {
    co_return InvalidTarget(
        "The target bucket's policy must allow the service principal logging.s3.amazonaws.com s3:PutObject under "
        "the target prefix, for this source bucket.");
  }
  // A configuration reports what follows it in the owner's log; changing
  // the target of one that is on keeps its start, so nothing between is
  // lost. (One turned off whose last records are not delivered yet is
  // replaced: those are lost, as records are on AWS when the logging
  // configuration changes.)
  const BucketLogging logging{target, log_size, std::nullopt};
  BucketEdit on = [logging](catalog::BucketRecord& b) {
    BucketLogging next = logging;  // (an edit may run again, on a newer record)
    if (!b.logging.empty()) {
      if (Result<BucketLogging> before = DecodeBucketLogging(b.logging); before.ok() && before->on()) {
        next.since_index = before->since_index;
      }
    }
    b.logging = EncodeBucketLogging(next);
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, on, 200);
}

}  // namespace confiance::s3

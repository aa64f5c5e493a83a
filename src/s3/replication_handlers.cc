// File: s3/replication_handlers.cc
// Get/Put/DeleteBucketReplication: the bucket's configuration, kept in its
// record (s3/replication_config.h says what it may name; the dispatcher in
// main/ copies the objects).
//
// As S3: GET without a configuration is 404
// ReplicationConfigurationNotFoundError, DELETE answers 204 whether or not
// there was one, and a bucket must keep versioning Enabled while it has one
// (versioning_handlers.cc refuses to suspend it).
#include "catalog/catalog.h"
#include "s3/replication_config.h"
#include "s3/s3_context.h"
#include "s3/xml/replication_xml.h"

namespace confiance::s3 {
namespace {

// 1,000 rules of a few hundred bytes each.
constexpr size_t kMaxReplicationBody = 1024 * 1024;

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketReplication(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->replication.empty()) co_return MakeError(S3ErrorCode::kReplicationConfigurationNotFoundError);
  Result<ReplicationConfiguration> config = DecodeReplicationConfiguration(bucket->replication);
  if (!config.ok()) co_return ErrorFromStatus(config.status());
  {
    std::string doc = xml::RenderReplicationConfiguration(*config);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketReplication(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxReplicationBody, &error);
  if (!body.ok()) co_return error;
  Result<ReplicationConfiguration> config = xml::ParseReplicationConfiguration(*body);
  if (!config.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  std::optional<sovereignty::ResidencyRule> residency;
  if (deps_.residency != nullptr) {
    Result<std::optional<sovereignty::ResidencyRule>> rule = deps_.residency->EffectiveRule(*bucket);
    if (!rule.ok()) co_return ErrorFromStatus(rule.status());
    residency = std::move(rule).value();
  }
  if (!ValidateReplicationConfiguration(*config, *bucket, options_.replication_destinations, residency, &error).ok()) {
    co_return error;
  }
  const std::string encoded = EncodeReplicationConfiguration(*config);
  BucketEdit edit = [&](catalog::BucketRecord& b) { b.replication = encoded; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketReplication(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  BucketEdit edit = [](catalog::BucketRecord& b) { b.replication.clear(); };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

}  // namespace confiance::s3

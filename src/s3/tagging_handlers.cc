// File: s3/tagging_handlers.cc
// Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging. An object's
// tags live in its record, so changing them re-commits the record with a
// compare-and-set (Catalog::UpdateObject): a concurrent PUT of the key is
// never lost, the change is redone on the newer object. A bucket's tags
// live in its record (Catalog::UpdateBucket).
#include "catalog/catalog.h"
#include "common/logging.h"
#include "s3/s3_context.h"
#include "s3/tagging.h"
#include "s3/xml/tagging_xml.h"

namespace confiance::s3 {
namespace {

// A tagging document is small: 50 tags of 128 + 256 characters, 4 bytes
// each at worst, with their markup.
constexpr size_t kMaxTaggingBody = 128 * 1024;

}  // namespace

asio::awaitable<Result<catalog::TagMap>> S3Service::ReadTagSet(Ctx& ctx, TagScope scope, S3Error* error) {
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxTaggingBody, error);
  if (!body.ok()) co_return body.status();
  Result<TagList> listed = xml::ParseTagging(*body);
  if (!listed.ok()) {
    *error = MakeError(S3ErrorCode::kMalformedXML);
    co_return listed.status();
  }
  Result<catalog::TagMap> tags = ValidateTags(*listed, scope, error);
  co_return tags;
}

asio::awaitable<S3Service::Reply> S3Service::GetObjectTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::ObjectRecord> rec = RequestedVersion(ctx, *bucket, &error);
  if (!rec.ok()) co_return error;
  {
    std::vector<http::Header> version;
    AddVersionHeader(version, *bucket, *rec);
    ctx.extra_headers->Add(std::move(version));
    std::string doc = xml::RenderTagging(rec->tags);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutObjectTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (std::optional<S3Error> denied = AuthorizeReplicaChange(ctx, *bucket, "s3:ReplicateTags")) co_return *denied;
  Result<catalog::TagMap> tags = co_await ReadTagSet(ctx, TagScope::kObject, &error);
  if (!tags.ok()) co_return error;
  ObjectEdit edit = [&](catalog::ObjectRecord& r) {
    r.tags = *tags;
    return OkStatus();
  };
  co_return co_await UpdateObjectSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteObjectTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (std::optional<S3Error> denied = AuthorizeReplicaChange(ctx, *bucket, "s3:ReplicateTags")) co_return *denied;
  ObjectEdit edit = [](catalog::ObjectRecord& r) {
    r.tags.clear();
    return OkStatus();
  };
  co_return co_await UpdateObjectSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::GetBucketTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->tags.empty()) {
    S3Error none = MakeError(S3ErrorCode::kNoSuchTagSet);
    none.details.emplace_back("BucketName", bucket->name);
    co_return none;
  }
  {
    std::string doc = xml::RenderTagging(bucket->tags);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::TagMap> tags = co_await ReadTagSet(ctx, TagScope::kBucket, &error);
  if (!tags.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.tags = *tags;
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketTagging(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.tags.clear();
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

}  // namespace confiance::s3

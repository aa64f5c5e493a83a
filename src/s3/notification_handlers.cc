// File: s3/notification_handlers.cc
// Get/PutBucketNotificationConfiguration: the bucket's rules, kept in its
// record (s3/notification_config.h says what they may name; the
// dispatcher in main/ sends the events).
#include "catalog/catalog.h"
#include "s3/notification_config.h"
#include "s3/s3_context.h"
#include "s3/xml/notification_xml.h"

namespace confiance::s3 {
namespace {

// As the other bucket configurations: a small document.
constexpr size_t kMaxNotificationBody = 64 * 1024;

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketNotification(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::vector<NotificationRule>> rules = DecodeNotificationRules(bucket->notification);
  if (!rules.ok()) co_return ErrorFromStatus(rules.status());
  {
    // None configured: an empty document, as S3 answers.
    std::string doc = xml::RenderNotificationConfiguration(*rules);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketNotification(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxNotificationBody, &error);
  if (!body.ok()) co_return error;
  Result<std::vector<NotificationRule>> rules = xml::ParseNotificationConfiguration(*body);
  if (!rules.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  if (!ValidateNotificationRules(*rules, bucket->owner, options_.notification_targets, &error).ok()) co_return error;
  const std::string encoded = EncodeNotificationRules(*rules);
  BucketEdit edit = [&](catalog::BucketRecord& b) { b.notification = encoded; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

}  // namespace confiance::s3

// File: s3/unset_settings_handlers.cc
// Bucket settings Confiance does not offer (static website hosting, Requester Pays, transfer acceleration;
// replication and server access logging are offered since, s3/replication_config.h and s3/bucket_logging.h),
// answered as S3 answers for a bucket that never had them: tools that read every setting of a bucket (Terraform's
// aws_s3_bucket, inventory and audit scripts) then work unchanged, and nothing claims a feature that is not there.
// Setting one is NotImplemented (router.cc).
#include "s3/s3_context.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {

asio::awaitable<S3Service::Reply> S3Service::UnsetBucketSetting(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  xml::XmlWriter w;
  switch (ctx.route.op) {
    case Operation::kGetBucketWebsite:
      co_return MakeError(S3ErrorCode::kNoSuchWebsiteConfiguration);
    case Operation::kDeleteBucketWebsite:
      // Nothing to remove: S3 answers 204 all the same.
      co_await SendEmpty(ctx, 204, {});
      co_return std::nullopt;
    case Operation::kGetBucketRequestPayment:
      w.OpenRoot("RequestPaymentConfiguration").PlainElement("Payer", "BucketOwner");
      break;
    case Operation::kGetBucketAccelerate:
      // No Status element: acceleration was never enabled.
      w.OpenRoot("AccelerateConfiguration");
      break;
    default: co_return MakeError(S3ErrorCode::kNotImplemented);
  }
  std::string doc = w.Finish();
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

}  // namespace confiance::s3

// File: s3/unset_settings_handlers.cc
// Bucket settings Confiance does not offer (Requester Pays, transfer acceleration; replication, server access
// logging and static website hosting are offered since, s3/replication_config.h, s3/bucket_logging.h and
// s3/website.h),
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

// File: s3/sse_kms.cc
// Which SSE-KMS a new object gets (docs/encryption.md "SSE-KMS"): the
// request's aws:kms headers, else the bucket's aws:kms default encryption
// unless the request asked for AES256 or SSE-C. Confiance's KMS keys are
// tenant keys: the only key an object of a bucket can name is its owner's
// (bare tenant id or arn:confiance:kms:::key/<tenant>). Any other id is
// "not found", whether or not that tenant exists, so that the answer says
// nothing about other tenants.
#include "s3/s3_context.h"

namespace confiance::s3 {

Result<catalog::SseKms> S3Service::ResolveSseKms(const Ctx& ctx, const catalog::BucketRecord& bucket,
                                                 S3Error* error) {
  catalog::SseKms out;
  std::optional<bool> bucket_key;
  if (ctx.sse.kms) {
    out.key_id = ctx.sse.kms->key_id;
    out.context = ctx.sse.kms->context;
    bucket_key = ctx.sse.kms->bucket_key_enabled;
  } else if (!ctx.sse.customer && !ctx.sse.sse_s3 && bucket.encryption &&
             bucket.encryption->sse_algorithm == "aws:kms") {
    out.key_id = bucket.encryption->kms_key_id;
  } else {
    return out;  // SSE-S3 or SSE-C
  }
  // S3: without the header, the bucket default's BucketKeyEnabled applies.
  if (!bucket_key && bucket.encryption && bucket.encryption->sse_algorithm == "aws:kms") {
    bucket_key = bucket.encryption->bucket_key_enabled;
  }
  out.bucket_key_enabled = bucket_key.value_or(false);
  if (out.key_id.empty()) {
    // No key named: the owner's tenant key, as S3 uses the account's default.
    out.key_id = TenantKeyArn(bucket.owner);
    return out;
  }
  std::optional<std::string> tenant = TenantOfKmsKeyId(out.key_id);
  if (!tenant || *tenant != bucket.owner) {
    *error = MakeError(S3ErrorCode::kKmsNotFound, "Invalid keyId '" + out.key_id + "'");
    return NotFoundError("kms key");
  }
  return out;
}

}  // namespace confiance::s3

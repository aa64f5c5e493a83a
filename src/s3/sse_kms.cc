// File: s3/sse_kms.cc
// Which SSE-KMS a new object gets (docs/encryption.md "SSE-KMS"): the
// request's aws:kms headers, else the bucket's aws:kms default encryption
// unless the request asked for AES256 or SSE-C. Confiance's KMS keys are the
// tenant key and the tenant's named keys (catalog/kms_key_ref.h): an object
// of a bucket can name only its owner's. Any other id is "not found",
// whether or not that tenant or key exists, so that the answer says nothing
// about other tenants.
#include "catalog/kms_key_ref.h"
#include "s3/s3_context.h"

namespace confiance::s3 {

asio::awaitable<Result<catalog::SseKms>> S3Service::ResolveSseKms(const Ctx& ctx, const catalog::BucketRecord& bucket,
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
    co_return out;  // SSE-S3 or SSE-C
  }
  // S3: without the header, the bucket default's BucketKeyEnabled applies.
  if (!bucket_key && bucket.encryption && bucket.encryption->sse_algorithm == "aws:kms") {
    bucket_key = bucket.encryption->bucket_key_enabled;
  }
  out.bucket_key_enabled = bucket_key.value_or(false);
  if (out.key_id.empty()) {
    // No key named: the owner's tenant key, as S3 uses the account's default.
    out.key_id = catalog::KmsKeyArn({bucket.owner, {}});
    co_return out;
  }
  std::optional<catalog::KmsKeyRef> ref = catalog::ParseKmsKeyId(out.key_id, bucket.owner);
  if (!ref || ref->tenant != bucket.owner) {
    *error = MakeError(S3ErrorCode::kKmsNotFound, "Invalid keyId '" + out.key_id + "'");
    co_return NotFoundError("kms key");
  }
  if (!ref->named()) co_return out;
  // A named key must exist, and allow this request, before anything is
  // written under it (a multipart upload uses it only at its parts). The
  // write names its current version (docs/keys.md "Rotating a named key"):
  // all of it, parts included, derives its KEK from that one.
  catalog::TenantKeys& tenant_keys = deps_.bucket_keys.tenant_keys();
  const std::string id = ref->RecordId();
  std::chrono::milliseconds unused;
  std::optional<Status> usable = tenant_keys.CheckCached(id, ctx.justification, &unused, &out.key_version);
  if (!usable) {
    usable = co_await deps_.pool.Run([&] { return tenant_keys.Check(id, ctx.justification, &out.key_version); });
  }
  if (usable->code() == StatusCode::kNotFound) {
    *error = MakeError(S3ErrorCode::kKmsNotFound, "Invalid keyId '" + out.key_id + "'");
    co_return NotFoundError("kms key");
  }
  if (!usable->ok()) {
    *error = ErrorFromStatus(*usable);
    co_return *usable;
  }
  co_return out;
}

}  // namespace confiance::s3

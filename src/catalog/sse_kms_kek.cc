// File: catalog/sse_kms_kek.cc
#include "catalog/sse_kms_kek.h"

#include "crypto/sse_kms.h"

namespace confiance::catalog {
namespace {

Result<std::shared_ptr<const crypto::SecretBytes>> Shared(Result<crypto::SecretBytes> kek) {
  if (!kek.ok()) return kek.status();
  return std::make_shared<const crypto::SecretBytes>(std::move(kek).value());
}

}  // namespace

std::optional<KmsKeyRef> NamedKmsKeyOf(const BucketRecord& bucket, const SseKms& kms) {
  std::optional<KmsKeyRef> ref = ParseKmsKeyId(kms.key_id, bucket.owner);
  if (!ref || !ref->named()) return std::nullopt;
  return ref;
}

Result<std::shared_ptr<const crypto::SecretBytes>> SseKmsKek(TenantKeys& tenant_keys, const BucketRecord& bucket,
                                                             const crypto::SecretBytes& bucket_key, const SseKms& kms,
                                                             const kms::KeyUse& use) {
  std::optional<KmsKeyRef> named = NamedKmsKeyOf(bucket, kms);
  if (!named) return Shared(crypto::DeriveKmsKek(bucket_key, kms.key_id, kms.context));
  // Objects of a bucket are under its owner's keys only (s3/sse_kms.cc).
  if (named->tenant != bucket.owner) return NotFoundError("no KMS key " + kms.key_id + " for this bucket");
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> key,
                   tenant_keys.GetVersion(named->RecordId(), use, kms.key_version));
  return Shared(crypto::DeriveNamedKmsKek(bucket_key, *key, kms.key_id, kms.context));
}

std::optional<Result<std::shared_ptr<const crypto::SecretBytes>>> SseKmsKekIfCached(
    TenantKeys& tenant_keys, const BucketRecord& bucket, const crypto::SecretBytes& bucket_key, const SseKms& kms,
    const kms::KeyUse& use) {
  std::optional<KmsKeyRef> named = NamedKmsKeyOf(bucket, kms);
  if (!named) return Shared(crypto::DeriveKmsKek(bucket_key, kms.key_id, kms.context));
  if (named->tenant != bucket.owner) return std::nullopt;  // the blocking path answers
  std::shared_ptr<const crypto::SecretBytes> key = tenant_keys.GetCachedKey(named->RecordId(), use, kms.key_version);
  if (!key) return std::nullopt;
  return Shared(crypto::DeriveNamedKmsKek(bucket_key, *key, kms.key_id, kms.context));
}

}  // namespace confiance::catalog

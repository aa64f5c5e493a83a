// File: catalog/bucket_keys.cc
#include "catalog/bucket_keys.h"

#include <algorithm>

#include "crypto/envelope.h"
#include "crypto/object_format.h"
#include "crypto/random.h"

namespace confiance::catalog {

std::optional<uint32_t> TenantKeyVersionOf(std::string_view key_id) {
  if (key_id == kTenantKeyRef) return 1;
  if (!key_id.starts_with(kTenantKeyRef) || key_id.size() < kTenantKeyRef.size() + 2 ||
      key_id[kTenantKeyRef.size()] != '@') {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : key_id.substr(kTenantKeyRef.size() + 1)) {
    if (c < '0' || c > '9' || v > 100000000) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < 2) return std::nullopt;  // version 1 is spelled "tenant-key"
  return static_cast<uint32_t>(v);
}

std::string TenantKeyRef(uint32_t version) {
  if (version <= 1) return std::string(kTenantKeyRef);
  return std::string(kTenantKeyRef) + "@" + std::to_string(version);
}

std::string BucketKeys::Context(const BucketRecord& bucket) {
  // v1 (provider-wrapped) bound the bucket id; v2 (tenant-key-wrapped) also
  // binds the owner, so that a record moved to another tenant's bucket
  // does not open.
  // Every tenant key version uses the same context (the version is in key_id).
  if (TenantKeyVersionOf(bucket.key_id)) return "confiance/bucket-key/v2/" + bucket.id + "/" + bucket.owner;
  return "confiance/bucket-key/v1/" + bucket.id;
}

Status BucketKeys::CreateFor(BucketRecord& bucket) {
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> tenant_key,
                   tenant_keys_.Get(bucket.owner, kms::Justification::kTenantRequest));
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(bucket.owner));
  // A rotation between Get and Info would leave this key under the older
  // version, which the rotation job then rewraps like any other.
  bucket.key_id = TenantKeyRef(info.version);
  if (info.version > 1) {
    ASSIGN_OR_RETURN(tenant_key, tenant_keys_.GetVersion(bucket.owner, kms::Justification::kTenantRequest,
                                                         info.version));
  }
  ASSIGN_OR_RETURN(bucket.wrapped_key, crypto::WrapKey(*tenant_key, key, Context(bucket)));
  std::lock_guard lock(mu_);
  cache_[bucket.id] = Cached{std::make_shared<const crypto::SecretBytes>(std::move(key)),
                             std::chrono::steady_clock::now()};
  return OkStatus();
}

namespace {

Status BucketShredded(const BucketRecord& bucket) {
  return PermissionDeniedError(std::string(kKeyAccessDenied) + "the key of bucket " + bucket.name +
                               " was destroyed (bucket shredded); its data can no longer be decrypted.");
}

}  // namespace

void BucketKeys::MarkShredded(const std::string& bucket_id) {
  std::lock_guard lock(mu_);
  cache_.erase(bucket_id);
  shredded_.insert(bucket_id);
}

Status BucketKeys::CheckNotShredded(const BucketRecord& bucket) {
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  {
    std::lock_guard lock(mu_);
    if (shredded_.contains(bucket.id)) return BucketShredded(bucket);
  }
  return tenant_keys_.CheckNotDestroyed(bucket.owner);
}

Result<crypto::SecretBytes> BucketKeys::Unwrap(const BucketRecord& bucket, kms::Justification why) {
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  std::optional<uint32_t> version = TenantKeyVersionOf(bucket.key_id);
  if (!version) {
    Result<crypto::SecretBytes> key =
        provider_.Unwrap(bucket.key_id, bucket.wrapped_key, Context(bucket), kms::KeyUse{why, {}});
    if (!key.ok() && (key.status().code() == StatusCode::kPermissionDenied ||
                      key.status().code() == StatusCode::kNotFound)) {
      // A KMS that refuses (revoked or destroyed key) is the answer, as for
      // tenant keys: the requester is told, not handed an internal error.
      return PermissionDeniedError(std::string(kKeyAccessDenied) + "the key provider refused to unwrap the key of bucket " +
                                   bucket.name + " (" + key.status().message() + ").");
    }
    return key;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> tenant_key,
                   tenant_keys_.GetVersion(bucket.owner, why, *version));
  return crypto::UnwrapKey(*tenant_key, bucket.wrapped_key, Context(bucket));
}

Result<bool> BucketKeys::Rewrap(BucketRecord& bucket, kms::Justification why) {
  std::optional<uint32_t> version = TenantKeyVersionOf(bucket.key_id);
  if (!version) return false;
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(bucket.owner));
  if (*version == info.version) return false;
  ASSIGN_OR_RETURN(crypto::SecretBytes key, Unwrap(bucket, why));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> current,
                   tenant_keys_.GetVersion(bucket.owner, why, info.version));
  bucket.key_id = TenantKeyRef(info.version);
  ASSIGN_OR_RETURN(bucket.wrapped_key, crypto::WrapKey(*current, key, Context(bucket)));
  return true;
}

Result<std::shared_ptr<const crypto::SecretBytes>> BucketKeys::Get(const BucketRecord& bucket,
                                                                  kms::Justification why) {
  RETURN_IF_ERROR(tenant_keys_.Check(bucket.owner, why));
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  // A tenant on its own KMS gets no bucket-key cache (tenant_keys.h).
  const std::chrono::milliseconds lifetime = std::min(lifetime_, tenant_keys_.BucketKeyLifetime(bucket.owner));
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (shredded_.contains(bucket.id)) return BucketShredded(bucket);
    auto it = cache_.find(bucket.id);
    if (it != cache_.end() && now - it->second.loaded < lifetime) return it->second.key;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes key, Unwrap(bucket, why));
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key));
  std::lock_guard lock(mu_);
  // Bounded: bucket counts are modest; expired entries go at the next clear.
  if (cache_.size() > 100000) cache_.clear();
  cache_[bucket.id] = Cached{shared, now};
  return shared;
}

void BucketKeys::Forget(const std::string& bucket_id) {
  std::lock_guard lock(mu_);
  cache_.erase(bucket_id);
}

std::shared_ptr<const crypto::SecretBytes> BucketKeys::GetIfCached(const BucketRecord& bucket,
                                                                   kms::Justification why) {
  // A shredded bucket is never served from memory: Get gives the refusal.
  if (bucket.key_id == kShreddedKeyRef) return nullptr;
  std::chrono::milliseconds tenant_bound = std::chrono::milliseconds::max();
  std::optional<Status> allowed = tenant_keys_.CheckCached(bucket.owner, why, &tenant_bound);
  if (!allowed || !allowed->ok()) return nullptr;
  const std::chrono::milliseconds lifetime = std::min(lifetime_, tenant_bound);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (shredded_.contains(bucket.id)) return nullptr;
    auto it = cache_.find(bucket.id);
    if (it != cache_.end() && now - it->second.loaded < lifetime) return it->second.key;
  }
  // Not cached (or never, as with a KMS: bucket keys are then not cached
  // at all), but the tenant key may be: reopening the bucket key under it
  // is one local AES-GCM open.
  std::optional<uint32_t> version = TenantKeyVersionOf(bucket.key_id);
  if (!version) return nullptr;
  std::shared_ptr<const crypto::SecretBytes> tenant_key = tenant_keys_.GetCachedKey(bucket.owner, why, *version);
  if (!tenant_key) return nullptr;
  Result<crypto::SecretBytes> key = crypto::UnwrapKey(*tenant_key, bucket.wrapped_key, Context(bucket));
  if (!key.ok()) return nullptr;  // Get reports it
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key).value());
  if (lifetime.count() > 0) {
    std::lock_guard lock(mu_);
    cache_[bucket.id] = Cached{shared, now};
  }
  return shared;
}

}  // namespace confiance::catalog

// File: catalog/bucket_keys.cc
#include "catalog/bucket_keys.h"

#include "crypto/object_format.h"
#include "crypto/random.h"

namespace confiance::catalog {

std::string BucketKeys::Context(const BucketRecord& bucket) {
  return "confiance/bucket-key/v1/" + bucket.id;
}

Status BucketKeys::CreateFor(BucketRecord& bucket) {
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  bucket.key_id = provider_.DefaultKeyId();
  ASSIGN_OR_RETURN(bucket.wrapped_key, provider_.Wrap(bucket.key_id, key, Context(bucket)));
  std::lock_guard lock(mu_);
  cache_[bucket.id] = std::make_shared<const crypto::SecretBytes>(std::move(key));
  return OkStatus();
}

Result<std::shared_ptr<const crypto::SecretBytes>> BucketKeys::Get(const BucketRecord& bucket) {
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(bucket.id);
    if (it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes key,
                   provider_.Unwrap(bucket.key_id, bucket.wrapped_key, Context(bucket)));
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key));
  std::lock_guard lock(mu_);
  // Bounded: bucket counts are modest; a later issue adds expiry so that a
  // revoked tenant key stops working within a configured lifetime.
  if (cache_.size() > 100000) cache_.clear();
  cache_.emplace(bucket.id, shared);
  return shared;
}

void BucketKeys::Forget(const std::string& bucket_id) {
  std::lock_guard lock(mu_);
  cache_.erase(bucket_id);
}

}  // namespace confiance::catalog

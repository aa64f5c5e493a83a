// File: catalog/bucket_keys.h
// BucketKeys: creates bucket keys (random, wrapped under the KeyProvider's
// root key) and unwraps them on use, keeping unwrapped keys in a small
// in-memory cache so that the key provider is not on every request's path.
//
// Thread-safety: safe for concurrent use. Get may call the KeyProvider
// (which may block) on a cache miss.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "catalog/records.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"

namespace confiance::catalog {

class BucketKeys {
 public:
  explicit BucketKeys(kms::KeyProvider& provider) : provider_(provider) {}

  // Fills bucket.key_id and bucket.wrapped_key with a new random key.
  // REQUIRES: bucket.id is set (it is bound into the wrap).
  Status CreateFor(BucketRecord& bucket);
  // The unwrapped key of `bucket`. The pointer stays valid while held, even
  // if the cache drops the entry.
  Result<std::shared_ptr<const crypto::SecretBytes>> Get(const BucketRecord& bucket);
  // Forgets a bucket's key (bucket deleted).
  void Forget(const std::string& bucket_id);

 private:
  static std::string Context(const BucketRecord& bucket);

  kms::KeyProvider& provider_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const crypto::SecretBytes>> cache_;  // GUARDED_BY(mu_)
};

}  // namespace confiance::catalog

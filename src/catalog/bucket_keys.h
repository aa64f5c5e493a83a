// File: catalog/bucket_keys.h
// BucketKeys: creates bucket keys (random, wrapped under the owning
// tenant's key: catalog/tenant_keys.h) and unwraps them on use, keeping
// unwrapped keys in a small in-memory cache so that neither the tenant key
// nor the key provider is on every request's path.
//
// Every Get names a key-access justification, checked against the owning
// tenant's key policy on every call, cached key or not: a destroyed tenant
// key or a withdrawn reason takes effect at once. Cached bucket keys live
// at most the tenant keys' cache lifetime, so that a tenant key revoked in
// an external KMS stops working within it.
//
// Buckets created before tenant keys existed have their key wrapped
// directly under the provider's key (key_id names it); they are read as
// before, under the same policy checks.
//
// Thread-safety: safe for concurrent use. Calls may read the store and call
// the KeyProvider (which may block): not on network threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/records.h"
#include "catalog/tenant_keys.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/justification.h"
#include "kms/key_provider.h"

namespace confiance::catalog {

// BucketRecord::key_id of a bucket key wrapped under its owner's tenant key:
// "tenant-key" for version 1 of the tenant key, "tenant-key@<n>" for
// version n (after rotations, docs/keys.md "Rotation").
inline constexpr std::string_view kTenantKeyRef = "tenant-key";
// The tenant key version `key_id` names; nullopt if it is not a tenant-key
// reference (a bucket key wrapped by the provider directly).
std::optional<uint32_t> TenantKeyVersionOf(std::string_view key_id);
std::string TenantKeyRef(uint32_t version);
// The tenant key versions that wrap the versions of `bucket`'s key (current
// and previous); empty if none is under a tenant key.
std::vector<uint32_t> TenantKeyVersionsOf(const BucketRecord& bucket);
// BucketRecord::key_id of a shredded bucket (docs/keys.md "Bucket shred"):
// its wrapped key is gone (wrapped_key empty); every use is refused.
inline constexpr std::string_view kShreddedKeyRef = "shredded";

// The context version `version` of bucket `bucket_id`'s key is wrapped
// with: under its owner's tenant key (any version of it)
// "confiance/bucket-key/v2/<bucket id>/<owner>", by the provider directly
// (buckets from before tenant keys) "confiance/bucket-key/v1/<bucket id>";
// then "/<version>" from version 2 on. The one place that spells it (the
// shred check looks for copies wrapped with it).
std::string BucketKeyContext(std::string_view bucket_id, std::string_view owner, bool under_tenant_key,
                             uint32_t version);

class BucketKeys {
 public:
  BucketKeys(kms::KeyProvider& provider, TenantKeys& tenant_keys,
             std::chrono::milliseconds cache_lifetime = std::chrono::minutes(5))
      : provider_(provider), tenant_keys_(tenant_keys), lifetime_(cache_lifetime) {}

  // Fills bucket.key_id and bucket.wrapped_key with a new random key wrapped
  // under the owner's tenant key (creating a bucket is the tenant's request).
  // REQUIRES: bucket.id and bucket.owner are set (both are bound into the wrap).
  Status CreateFor(BucketRecord& bucket);
  // The unwrapped key of `bucket` for a use justified by `why`: its current
  // version (bucket.key_version), or version `version` (current or one of
  // bucket.previous_keys; Unavailable, naming the retirement, for any
  // other: a retry reads the object record again).
  // The pointer stays valid while held, even if the cache drops the entry.
  Result<std::shared_ptr<const crypto::SecretBytes>> Get(const BucketRecord& bucket, kms::Justification why);
  // `use` may name the lockbox approval behind OPERATOR_APPROVED: a KMS
  // told the justification is told it too (TenantKeys::GetVersion).
  Result<std::shared_ptr<const crypto::SecretBytes>> Get(const BucketRecord& bucket, const kms::KeyUse& use,
                                                         uint32_t version);
  // Get's warm path alone, from memory (no store read, no KMS call: safe on
  // a network thread): the key if its tenant's entry is cached and allows
  // `why`, and the key is cached or its tenant key is (one local open);
  // else null (then call Get off the network thread; it also reports any
  // refusal).
  std::shared_ptr<const crypto::SecretBytes> GetIfCached(const BucketRecord& bucket, kms::Justification why);
  std::shared_ptr<const crypto::SecretBytes> GetIfCached(const BucketRecord& bucket, const kms::KeyUse& use,
                                                         uint32_t version);
  // Forgets a bucket's key (bucket deleted).
  void Forget(const std::string& bucket_id);
  // The tenant keys bucket keys are wrapped under (and whose named keys
  // SSE-KMS objects may name: catalog/sse_kms_kek.h).
  TenantKeys& tenant_keys() { return tenant_keys_; }
  // Tenant-key rotation (rewrap only): rewraps every version of `bucket`'s
  // key (current and previous) under the current version of its owner's
  // tenant key, setting their key_id and wrapped_key; the bucket keys
  // themselves (and so every object) are unchanged. False if there is
  // nothing to do (already current, or not under a tenant key).
  Result<bool> Rewrap(BucketRecord& bucket, kms::Justification why);
  // Bucket-key rotation (docs/keys.md): a new random bucket key becomes
  // version key_version + 1, wrapped under the owner's current tenant key;
  // the current one moves to previous_keys. For a Catalog::UpdateBucket
  // mutation (it edits only `bucket`). FailedPrecondition for a shredded
  // bucket.
  Status AddVersion(BucketRecord& bucket, kms::Justification why);
  // Forgets the cached key of version `version` of bucket `bucket_id`
  // (retired).
  void ForgetVersion(const std::string& bucket_id, uint32_t version);
  // Root key rotation (docs/keys.md "Rotating the root key"): every
  // version of `bucket`'s key (current and not yet retired) wrapped by the
  // provider directly (buckets from before tenant keys) under another
  // provider key than DefaultKeyId() is rewrapped under DefaultKeyId(); the
  // bucket keys themselves do not change. False if there is nothing to do
  // (under tenant keys, shredded, or already under the current provider key).
  Result<bool> RewrapUnderDefaultProviderKey(BucketRecord& bucket);
  // Bucket shred: forgets the cached key of bucket `bucket_id` and refuses
  // every later Get of it, also through a record read before the shred
  // (in this process; the stored record says kShreddedKeyRef for others).
  void MarkShredded(const std::string& bucket_id);
  // PermissionDenied (kKeyAccessDenied, naming the shred) if the bucket's
  // key or its owner's tenant key was destroyed; reads only (cached), and
  // checks no justification: for requests that decrypt nothing.
  Status CheckNotShredded(const BucketRecord& bucket);

 private:
  struct Cached {
    std::shared_ptr<const crypto::SecretBytes> key;
    std::chrono::steady_clock::time_point loaded;
  };
  // The wrapping of one version of a bucket key.
  struct Wrapped {
    uint32_t version = 1;
    std::string key_id;
    std::string wrapped_key;
  };
  static Result<Wrapped> Find(const BucketRecord& bucket, uint32_t version);
  static std::string Context(const BucketRecord& bucket, const Wrapped& w);
  Result<crypto::SecretBytes> Unwrap(const BucketRecord& bucket, const Wrapped& w, const kms::KeyUse& use);
  Result<std::string> Wrap(const BucketRecord& bucket, Wrapped& w, const crypto::SecretBytes& key,
                           kms::Justification why);

  kms::KeyProvider& provider_;
  TenantKeys& tenant_keys_;
  const std::chrono::milliseconds lifetime_;
  std::mutex mu_;
  // GUARDED_BY(mu_), by bucket id then bucket-key version.
  std::unordered_map<std::string, std::map<uint32_t, Cached>> cache_;
  std::unordered_set<std::string> shredded_;        // GUARDED_BY(mu_), bucket ids
};

}  // namespace confiance::catalog

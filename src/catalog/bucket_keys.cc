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

std::vector<uint32_t> TenantKeyVersionsOf(const BucketRecord& bucket) {
  std::vector<uint32_t> out;
  if (std::optional<uint32_t> v = TenantKeyVersionOf(bucket.key_id)) out.push_back(*v);
  for (const BucketRecord::PreviousKey& k : bucket.previous_keys) {
    if (std::optional<uint32_t> v = TenantKeyVersionOf(k.key_id)) out.push_back(*v);
  }
  return out;
}

Result<BucketKeys::Wrapped> BucketKeys::Find(const BucketRecord& bucket, uint32_t version) {
  if (version == bucket.key_version) return Wrapped{version, bucket.key_id, bucket.wrapped_key};
  for (const BucketRecord::PreviousKey& k : bucket.previous_keys) {
    if (k.version == version) return Wrapped{version, k.key_id, k.wrapped_key};
  }
  // An object record read before the rotation job rewrapped it, with a
  // bucket record read after the version was retired: a retry reads the
  // rewrapped object record (Unavailable: S3 answers 503, retryable).
  return UnavailableError("version " + std::to_string(version) + " of the key of bucket " + bucket.name +
                       " was retired (bucket-key rotation); retry");
}

std::string BucketKeys::Context(const BucketRecord& bucket, const Wrapped& w) {
  // v1 (provider-wrapped) bound the bucket id; v2 (tenant-key-wrapped) also
  // binds the owner, so that a record moved to another tenant's bucket
  // does not open. Every tenant key version uses the same context (the
  // version is in key_id); bucket-key versions after the first bind their
  // number, so that no version's wrapping passes for another's.
  return BucketKeyContext(bucket.id, bucket.owner, TenantKeyVersionOf(w.key_id).has_value(), w.version);
}

std::string BucketKeyContext(std::string_view bucket_id, std::string_view owner, bool under_tenant_key,
                             uint32_t version) {
  std::string ctx = under_tenant_key ? "confiance/bucket-key/v2/" + std::string(bucket_id) + "/" + std::string(owner)
                                     : "confiance/bucket-key/v1/" + std::string(bucket_id);
  if (version > 1) ctx += "/" + std::to_string(version);
  return ctx;
}

Status BucketKeys::CreateFor(BucketRecord& bucket) {
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> tenant_key,
                   tenant_keys_.Get(bucket.owner, kms::Justification::kTenantRequest));
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(bucket.owner));
  // A rotation between Get and Info would leave this key under the older
  // version, which the rotation job then rewraps like any other.
  bucket.key_id = TenantKeyRef(info.version);
  bucket.key_version = 1;
  bucket.previous_keys.clear();
  if (info.version > 1) {
    ASSIGN_OR_RETURN(tenant_key, tenant_keys_.GetVersion(bucket.owner, kms::Justification::kTenantRequest,
                                                         info.version));
  }
  ASSIGN_OR_RETURN(bucket.wrapped_key,
                   crypto::WrapKey(*tenant_key, key, Context(bucket, Wrapped{1, bucket.key_id, {}})));
  std::lock_guard lock(mu_);
  cache_[bucket.id][1] = Cached{std::make_shared<const crypto::SecretBytes>(std::move(key)),
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
  // The tenant's shred first: it also marks its buckets whose keys the
  // provider wrapped directly (Reclaimer::DropProviderWrappedKeys), and
  // they answer as the tenant's other buckets do.
  RETURN_IF_ERROR(tenant_keys_.CheckNotDestroyed(bucket.owner));
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  std::lock_guard lock(mu_);
  if (shredded_.contains(bucket.id)) return BucketShredded(bucket);
  return OkStatus();
}

Result<crypto::SecretBytes> BucketKeys::Unwrap(const BucketRecord& bucket, const Wrapped& w,
                                               const kms::KeyUse& use) {
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  std::optional<uint32_t> version = TenantKeyVersionOf(w.key_id);
  if (!version) {
    Result<crypto::SecretBytes> key =
        provider_.Unwrap(w.key_id, w.wrapped_key, Context(bucket, w), use);
    if (!key.ok() && (key.status().code() == StatusCode::kPermissionDenied ||
                      key.status().code() == StatusCode::kNotFound)) {
      // A KMS that refuses (revoked or destroyed key) is the answer, as for
      // tenant keys: the requester is told, not handed an internal error.
      return PermissionDeniedError(std::string(kKeyAccessDenied) + "the key provider refused to unwrap the key of bucket " +
                                   bucket.name + " (" + key.status().message() + ").");
    }
    if (key.status().code() == StatusCode::kDeadlineExceeded) {  // down or too slow: retry later (503)
      return UnavailableError("the key provider could not unwrap the key of bucket " + bucket.name + " (" +
                              key.status().message() + ")");
    }
    return key;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> tenant_key,
                   tenant_keys_.GetVersion(bucket.owner, use, *version));
  return crypto::UnwrapKey(*tenant_key, w.wrapped_key, Context(bucket, w));
}

Result<std::string> BucketKeys::Wrap(const BucketRecord& bucket, Wrapped& w, const crypto::SecretBytes& key,
                                     kms::Justification why) {
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(bucket.owner));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> current,
                   tenant_keys_.GetVersion(bucket.owner, why, info.version));
  w.key_id = TenantKeyRef(info.version);
  ASSIGN_OR_RETURN(w.wrapped_key, crypto::WrapKey(*current, key, Context(bucket, w)));
  return w.wrapped_key;
}

Result<bool> BucketKeys::Rewrap(BucketRecord& bucket, kms::Justification why) {
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(bucket.owner));
  bool changed = false;
  // Every version of the bucket key still in the record: a bucket-key
  // rotation left unfinished keeps its previous version readable.
  auto rewrap_one = [&](uint32_t bucket_key_version, std::string& key_id, std::string& wrapped) -> Status {
    std::optional<uint32_t> version = TenantKeyVersionOf(key_id);
    if (!version || *version == info.version) return OkStatus();
    Wrapped w{bucket_key_version, key_id, wrapped};
    ASSIGN_OR_RETURN(crypto::SecretBytes key, Unwrap(bucket, w, why));
    RETURN_IF_ERROR(Wrap(bucket, w, key, why).status());
    key_id = w.key_id;
    wrapped = w.wrapped_key;
    changed = true;
    return OkStatus();
  };
  RETURN_IF_ERROR(rewrap_one(bucket.key_version, bucket.key_id, bucket.wrapped_key));
  for (BucketRecord::PreviousKey& k : bucket.previous_keys) {
    RETURN_IF_ERROR(rewrap_one(k.version, k.key_id, k.wrapped_key));
  }
  return changed;
}

Status BucketKeys::AddVersion(BucketRecord& bucket, kms::Justification why) {
  RETURN_IF_ERROR(CheckNotShredded(bucket));
  RETURN_IF_ERROR(tenant_keys_.Check(bucket.owner, why));
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  Wrapped next{bucket.key_version + 1, {}, {}};
  RETURN_IF_ERROR(Wrap(bucket, next, key, why).status());
  bucket.previous_keys.push_back({bucket.key_version, bucket.key_id, bucket.wrapped_key});
  bucket.key_version = next.version;
  bucket.key_id = next.key_id;
  bucket.wrapped_key = next.wrapped_key;
  // Not cached: this record may lose its compare-and-set; the first Get
  // of the stored record unwraps it.
  return OkStatus();
}

Result<bool> BucketKeys::RewrapUnderDefaultProviderKey(BucketRecord& bucket) {
  if (bucket.key_id == kShreddedKeyRef) return false;
  const std::string target = provider_.DefaultKeyId();
  const kms::KeyUse use{kms::Justification::kSystemMaintenance, {}};
  // Every version wrapped by the provider directly: the current one and any
  // a bucket-key rotation has not retired yet (docs/keys.md). The context
  // does not name the provider key: it stays the same.
  auto rewrap = [&](uint32_t version, std::string& key_id, std::string& wrapped_key) -> Result<bool> {
    if (TenantKeyVersionOf(key_id) || key_id == target) return false;
    const Wrapped w{version, key_id, wrapped_key};
    ASSIGN_OR_RETURN(crypto::SecretBytes key, provider_.Unwrap(w.key_id, w.wrapped_key, Context(bucket, w), use));
    ASSIGN_OR_RETURN(std::string rewrapped, provider_.Wrap(target, key, Context(bucket, w), use));
    key_id = target;
    wrapped_key = std::move(rewrapped);
    return true;
  };
  ASSIGN_OR_RETURN(bool changed, rewrap(bucket.key_version, bucket.key_id, bucket.wrapped_key));
  for (BucketRecord::PreviousKey& p : bucket.previous_keys) {
    ASSIGN_OR_RETURN(bool previous_changed, rewrap(p.version, p.key_id, p.wrapped_key));
    changed = changed || previous_changed;
  }
  return changed;
}

Result<std::shared_ptr<const crypto::SecretBytes>> BucketKeys::Get(const BucketRecord& bucket,
                                                                  kms::Justification why) {
  return Get(bucket, why, bucket.key_version);
}

Result<std::shared_ptr<const crypto::SecretBytes>> BucketKeys::Get(const BucketRecord& bucket,
                                                                  const kms::KeyUse& use, uint32_t version) {
  RETURN_IF_ERROR(tenant_keys_.Check(bucket.owner, use.why));
  if (bucket.key_id == kShreddedKeyRef) return BucketShredded(bucket);
  // A tenant on its own KMS gets no bucket-key cache (tenant_keys.h).
  const std::chrono::milliseconds lifetime = std::min(lifetime_, tenant_keys_.BucketKeyLifetime(bucket.owner));
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (shredded_.contains(bucket.id)) return BucketShredded(bucket);
    if (auto it = cache_.find(bucket.id); it != cache_.end()) {
      auto v = it->second.find(version);
      if (v != it->second.end() && now - v->second.loaded < lifetime) return v->second.key;
    }
  }
  ASSIGN_OR_RETURN(Wrapped w, Find(bucket, version));
  ASSIGN_OR_RETURN(crypto::SecretBytes key, Unwrap(bucket, w, use));
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key));
  std::lock_guard lock(mu_);
  // Bounded: bucket counts are modest; expired entries go at the next clear.
  if (cache_.size() > 100000) cache_.clear();
  cache_[bucket.id][version] = Cached{shared, now};
  return shared;
}

void BucketKeys::Forget(const std::string& bucket_id) {
  std::lock_guard lock(mu_);
  cache_.erase(bucket_id);
}

void BucketKeys::ForgetVersion(const std::string& bucket_id, uint32_t version) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(bucket_id); it != cache_.end()) it->second.erase(version);
}

std::shared_ptr<const crypto::SecretBytes> BucketKeys::GetIfCached(const BucketRecord& bucket,
                                                                   kms::Justification why) {
  return GetIfCached(bucket, why, bucket.key_version);
}

std::shared_ptr<const crypto::SecretBytes> BucketKeys::GetIfCached(const BucketRecord& bucket,
                                                                   const kms::KeyUse& use, uint32_t version) {
  const kms::Justification why = use.why;
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
    if (auto it = cache_.find(bucket.id); it != cache_.end()) {
      auto v = it->second.find(version);
      if (v != it->second.end() && now - v->second.loaded < lifetime) return v->second.key;
    }
  }
  // Not cached (or never, as with a KMS: bucket keys are then not cached
  // at all), but the tenant key may be: reopening the bucket key under it
  // is one local AES-GCM open.
  Result<Wrapped> w = Find(bucket, version);
  if (!w.ok()) return nullptr;  // Get reports it
  std::optional<uint32_t> tenant_version = TenantKeyVersionOf(w->key_id);
  if (!tenant_version) return nullptr;
  std::shared_ptr<const crypto::SecretBytes> tenant_key =
      tenant_keys_.GetCachedKey(bucket.owner, use, *tenant_version);
  if (!tenant_key) return nullptr;
  Result<crypto::SecretBytes> key = crypto::UnwrapKey(*tenant_key, w->wrapped_key, Context(bucket, *w));
  if (!key.ok()) return nullptr;  // Get reports it
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key).value());
  if (lifetime.count() > 0) {
    std::lock_guard lock(mu_);
    cache_[bucket.id][version] = Cached{shared, now};
  }
  return shared;
}

}  // namespace confiance::catalog

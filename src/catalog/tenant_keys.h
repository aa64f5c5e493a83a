// File: catalog/tenant_keys.h
// TenantKeys: the middle of the key hierarchy (ARCHITECTURE.md "Encryption
// and keys"): object data key <- bucket key <- tenant key <- provider key.
// Each tenant has one random 256-bit key, wrapped by the KeyProvider (the
// embedded root key, or a KMS key), created on first use. Every use names a
// key-access justification, checked against the tenant's key policy (the
// reasons it allows); destroying the key (crypto-shredding) makes all the
// tenant's data unreadable.
//
// A tenant may also create named KMS keys (docs/keys.md "Named KMS keys"),
// which SSE-KMS objects name instead of the tenant key: the same records,
// under the id "<tenant>/<name>" (catalog/kms_key_ref.h), with the same key
// policy, destruction and root-key rewrap. Unlike a tenant key, a named key
// is never made on first use (CreateNamed makes it), and its rotation
// (RotateNamed) keeps every version for good: an object names the version
// its KEK derives from (SseKms::key_version), and nothing is rewrapped.
//
// Storage: partition "tkeys", key = tenant id (or "<tenant>/<name>"), value
// = TenantKeyRecord (CBOR, docs/meta_keys.md). Unwrapped keys and records are cached for
// `cache_lifetime`: after that the record is read and the key unwrapped
// again, so that a key revoked in an external KMS stops working within it.
// Changes made through this object apply to its cache at once.
//
// Errors meant for the tenant (a refused justification, a destroyed key,
// a provider that refuses) are PermissionDenied whose message starts with
// kKeyAccessDenied and can be shown to the requester.
//
// Thread-safety: safe for concurrent use. Calls may read or write the store
// and call the KeyProvider: not on network threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/kms_key_ref.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/external_keys.h"
#include "kms/justification.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"

namespace confiance::catalog {

inline constexpr std::string_view kTenantKeyPartition = "tkeys";
inline constexpr std::string_view kKeyAccessDenied = "Key access denied: ";

// The context version `version` of `tenant`'s key is wrapped with by the
// provider (docs/keys.md): "confiance/tenant-key/v1/<tenant>", then
// "/<version>" from version 2 on. The one place that spells it (the shred
// check looks for copies wrapped with it).
std::string TenantKeyContext(std::string_view tenant, uint32_t version);

struct TenantKeyInfo {
  std::string provider_key_id;  // the KeyProvider key the tenant key is wrapped under
  bool destroyed = false;
  uint64_t created_ms = 0;
  uint64_t destroyed_ms = 0;
  kms::JustificationSet allowed = kms::JustificationSet::All();
  // Rotation (docs/keys.md "Rotation"): the current version (1 for a key
  // never rotated; bucket keys wrapped under version n > 1 carry
  // key_id "tenant-key@n"), the older versions still kept because some
  // bucket key may be wrapped under them (retired once none is), and when
  // the key was last rotated (0 = never).
  uint32_t version = 1;
  std::vector<uint32_t> previous_versions;
  uint64_t rotated_ms = 0;
  // Hold your own key (docs/keys.md): set when the current version is
  // wrapped by a key in the tenant's own KMS (provider_key_id is then that
  // key's id there); unset when it is wrapped by the server's provider.
  std::optional<kms::ExternalKey> external;
  // A named key's description, as its creator gave it (empty otherwise).
  std::string description;
  // A named key's rotation schedule: rotated (RotateDueNamedKeys) once this
  // many days have passed since its last rotation, or its creation; 0 = on
  // request only.
  uint32_t rotation_period_days = 0;
};

// The longest rotation period a named key may have (AWS KMS's bound).
inline constexpr uint32_t kMaxRotationPeriodDays = 2560;

class TenantKeys {
 public:
  TenantKeys(meta::MetaStore& store, kms::KeyProvider& provider,
             std::chrono::milliseconds cache_lifetime = std::chrono::minutes(5));
  TenantKeys(const TenantKeys&) = delete;
  TenantKeys& operator=(const TenantKeys&) = delete;

  // The unwrapped key of `tenant` for a use justified by `why`, creating the
  // key (allowing every reason) if the tenant has none yet. The pointer
  // stays valid while held. For a named key's id, NotFound if there is no
  // such key (never created here).
  Result<std::shared_ptr<const crypto::SecretBytes>> Get(std::string_view tenant, kms::Justification why);
  // The key of version `version` (the current one or a previous one not yet
  // retired); PermissionDenied (kKeyAccessDenied) if that version is gone.
  // A KMS told the justification is told `use` (with the lockbox approval
  // id for OPERATOR_APPROVED) and asked again for each new reason or
  // approval before the cached key serves it.
  Result<std::shared_ptr<const crypto::SecretBytes>> GetVersion(std::string_view tenant, const kms::KeyUse& use,
                                                                uint32_t version);
  // OK if `why` may use `tenant`'s key now (not destroyed, and the policy
  // allows `why`; a tenant without a key yet allows every reason): for
  // callers holding a key derived from it (BucketKeys' cache). Only reads
  // (cached): it never creates the key nor unwraps it. For a named key's id,
  // NotFound if there is no such key. `current_version`, if given, gets the
  // key's current version when there is a key.
  Status Check(std::string_view tenant, kms::Justification why, uint32_t* current_version = nullptr);
  // As Check, but only refuses a destroyed key (whatever the policy): for
  // requests that decrypt nothing but must not outlive a shred (listings).
  Status CheckNotDestroyed(std::string_view tenant);

  // NotFound if the tenant never had a key.
  Result<TenantKeyInfo> Info(std::string_view tenant);
  // Named keys. CreateNamed makes a new random key for `ref` (ref.named()),
  // wrapped by the server's provider, allowing every justification;
  // AlreadyExists if the name is taken (even by a destroyed key: a name is
  // never reused, so that an object never opens under another key of the
  // same name). ListNamed gives the names of `tenant`'s named keys, in order.
  Result<TenantKeyInfo> CreateNamed(const KmsKeyRef& ref, std::string description);
  Result<std::vector<std::string>> ListNamed(std::string_view tenant);
  // Sets the reasons the tenant allows (creating its key if needed).
  // FailedPrecondition if the key is destroyed.
  Result<TenantKeyInfo> SetAllowed(std::string_view tenant, kms::JustificationSet allowed);
  // Crypto-shredding: removes the wrapped key from the record for good and
  // marks it destroyed; every later use fails. Then purges the partition
  // (MetaStore::Purge) so that the old record's bytes leave the store's
  // files; Unavailable if that fails (destroy again to retry). Idempotent.
  // A tenant without a key gets a destroyed record (it can never get one).
  Result<TenantKeyInfo> Destroy(std::string_view tenant);
  // Rotation: a new random key becomes the current version; the old one is
  // kept (previous_versions) until Retire. FailedPrecondition if the key is
  // destroyed or an earlier rotation still has a previous version (finish
  // it first), NotFound if the tenant has no key.
  Result<TenantKeyInfo> Rotate(std::string_view tenant);
  // Rotation of a named key (docs/keys.md "Rotating a named key"): a new
  // random key becomes its current version, which new objects and uploads
  // name; every older version stays, for good, for the objects that name
  // it (until the key is destroyed, with all its versions). NotFound if
  // there is no such key, FailedPrecondition if it is destroyed.
  Result<TenantKeyInfo> RotateNamed(const KmsKeyRef& ref);
  // Sets a named key's rotation schedule (TenantKeyInfo::rotation_period_days,
  // 0 to 2560; the caller checks the range). NotFound, FailedPrecondition as
  // RotateNamed.
  Result<TenantKeyInfo> SetRotationPeriod(const KmsKeyRef& ref, uint32_t days);
  // Rotates every named key whose schedule is due at `now_ms`, a day lasting
  // `day_ms` (a debug setting shortens it in tests), and returns each
  // rotated key with its new state. A key rotated by someone else meanwhile
  // (another process, the tenant) is left for its next due time. The first
  // error stops the pass (the next one retries).
  struct ScheduledRotation {
    KmsKeyRef key;
    TenantKeyInfo info;
  };
  Result<std::vector<ScheduledRotation>> RotateDueNamedKeys(uint64_t now_ms, uint64_t day_ms);
  // Removes previous version `version` for good (no bucket key may still be
  // wrapped under it: the caller's job) and purges the partition as Destroy
  // does, so that the old wrapped key leaves the store's files. Idempotent.
  Result<TenantKeyInfo> Retire(std::string_view tenant, uint32_t version);

  // Root key rotation (docs/keys.md "Rotating the root key"): rewraps, in
  // one compare-and-set of the record, every version of `tenant`'s key that
  // the server's provider wraps under another provider key than its
  // DefaultKeyId() (a root key version being retired) under DefaultKeyId().
  // Versions wrapped by the tenant's own KMS are left alone; the tenant key
  // itself (and so every bucket key) does not change. Returns how many
  // versions were rewrapped (0: none was behind). NotFound without a record.
  Result<int> RewrapUnderDefaultProviderKey(std::string_view tenant);
  // Every tenant with a key record (destroyed ones included), in order.
  Result<std::vector<std::string>> ListTenantsWithKeys();

  // Hold your own key. Tenants whose key is wrapped in their own KMS are
  // served through `external` (which must outlive this object), with their
  // caches kept within external->CacheLifetime(). Call before first use.
  void SetExternalKeys(kms::ExternalKeys* external);
  // Rotation to another wrapper: as Rotate, but the new version is wrapped
  // by the tenant's KMS key `target` (already Resolve'd), or by the
  // server's provider when `target` is unset (switching back). The older
  // version keeps its wrapper until retired. FailedPrecondition as Rotate.
  Result<TenantKeyInfo> RotateTo(std::string_view tenant, const std::optional<kms::ExternalKey>& target);
  // The longest a bucket key of `tenant` may be cached (the external cache
  // lifetime for a tenant on its own KMS, else unlimited). Only reads.
  std::chrono::milliseconds BucketKeyLifetime(std::string_view tenant);
  // Check and BucketKeyLifetime from memory alone, never touching the store
  // or a KMS (for network threads): nullopt when the tenant's entry is not
  // cached (or expired); the caller then takes the blocking path.
  std::optional<Status> CheckCached(std::string_view tenant, kms::Justification why,
                                    std::chrono::milliseconds* bucket_key_lifetime,
                                    uint32_t* current_version = nullptr);
  // GetVersion from memory alone: the unwrapped key of `version` (0: the
  // current one) if it is cached, not expired and `why` is allowed; else
  // null (the caller then takes the blocking path).
  std::shared_ptr<const crypto::SecretBytes> GetCachedKey(std::string_view tenant, const kms::KeyUse& use,
                                                          uint32_t version);

 private:
  struct Record {
    TenantKeyInfo info;
    std::string wrapped;  // the current version; empty once destroyed
    std::map<uint32_t, std::string> previous;  // version -> wrapped, not yet retired
    // Previous versions wrapped otherwise than the current one (after a
    // RotateTo): version -> (provider key id, external key or none).
    std::map<uint32_t, std::pair<std::string, std::optional<kms::ExternalKey>>> previous_wrappers;
  };
  struct Cached {
    Record record;
    std::shared_ptr<const crypto::SecretBytes> key;  // null until first unwrapped
    std::map<uint32_t, std::shared_ptr<const crypto::SecretBytes>> previous_keys;  // unwrapped on demand
    // Versions held in a tenant's KMS that is told the justification: the
    // reasons that KMS agreed to; a cached key serves only those (docs/kmip.md).
    std::map<uint32_t, kms::JustificationSet> granted;
    // Likewise the lockbox approvals that KMS was told of with
    // OPERATOR_APPROVED: each new approval is asked for once.
    std::map<uint32_t, std::set<std::string, std::less<>>> approvals;
    std::chrono::steady_clock::time_point loaded;
  };

  // Whether version `version` (0: current) is in a tenant's KMS told the
  // justification (kms::ExternalKey::send_justification).
  static bool TellsReason(const Record& r, uint32_t version);
  // Whether `c`'s key version `version` (resolved, not 0) may serve `use`
  // from memory: always, unless its KMS is told the reasons and has not yet
  // been asked for this reason (and, for OPERATOR_APPROVED, this approval).
  static bool GrantedFromCache(const Cached& c, uint32_t version, const kms::KeyUse& use);
  // The cached entry of `tenant`, (re)loaded when missing or older than
  // the lifetime; if the tenant has no key, one is created when `create`,
  // else null is returned (nothing is written).
  Result<std::shared_ptr<Cached>> Load(const std::string& tenant, bool create);
  // The stored record and its bytes; a new key is created and stored if
  // there is none.
  Result<std::pair<Record, std::string>> ReadOrCreate(const std::string& tenant);
  // Applies `edit` to the stored record by compare-and-set (retried on a
  // concurrent change) and refreshes the cache.
  Result<TenantKeyInfo> Update(std::string_view tenant, const std::function<Status(Record&)>& edit);
  static Status CheckCanAddVersion(const Record& r, const std::string& tenant);
  // Calls `f` on every record of the partition, in key order, a page read
  // at a time; stops at its first error.
  Status ForEachKeyRecord(const std::function<Status(meta::Record&)>& f);
  // Update of named key `ref` (NotFound if it was never created) that
  // refuses a destroyed one (FailedPrecondition) before `edit`.
  Result<TenantKeyInfo> UpdateLiveNamed(const KmsKeyRef& ref, const std::function<Status(Record&)>& edit);
  // A new random key becomes `r`'s current version (for an Update edit);
  // the current one joins r.previous.
  Status AddVersion(Record& r, const std::string& tenant);
  static Status Allowed(const std::string& tenant, const Record& r, kms::Justification why);
  // The provider wrapping under `external` (the server's when unset).
  Result<kms::KeyProvider*> ProviderFor(const std::optional<kms::ExternalKey>& external);
  std::chrono::milliseconds LifetimeOf(const Record& r) const;

  meta::MetaStore& store_;
  kms::KeyProvider& provider_;
  const std::chrono::milliseconds lifetime_;
  kms::ExternalKeys* external_ = nullptr;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Cached>> cache_;  // GUARDED_BY(mu_)
};

// The record encoding (exposed for tests and tools). `previous` holds the
// wrapped keys of info.previous_versions (the decoder fills both).
// `previous_wrappers` as Record's (empty: every version under info's wrapper).
using PreviousWrappers = std::map<uint32_t, std::pair<std::string, std::optional<kms::ExternalKey>>>;
std::string EncodeTenantKey(const TenantKeyInfo& info, std::string_view wrapped,
                            const std::map<uint32_t, std::string>& previous = {},
                            const PreviousWrappers& previous_wrappers = {});
Result<std::pair<TenantKeyInfo, std::string>> DecodeTenantKey(std::string_view bytes,
                                                             std::map<uint32_t, std::string>* previous = nullptr,
                                                             PreviousWrappers* previous_wrappers = nullptr);

}  // namespace confiance::catalog

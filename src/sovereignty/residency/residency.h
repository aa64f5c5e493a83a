// File: sovereignty/residency/residency.h
// Residency: the tenant and bucket rules (stored in the metadata store),
// where each new blob of a bucket goes, the per-bucket residency report and
// the migration of data a rule change left in a now-forbidden pool.
// docs/SOVEREIGNTY.md "Data residency"; rules.h for the rule semantics.
//
// Rules live in the partition "residency" (docs/meta_keys.md):
//   t/<tenant id>  the tenant's ceiling    b/<bucket id>  the bucket's rule
// each a JSON object {"v":1,"j":[codes],"ca":bool}; absent = no rule.
//
// Where data is: a blob's pool is in its id (blob/pools/pool_router.h);
// inline data (small objects kept in the metadata record) is with the
// metadata store, i.e. in the default pool. Writes placed in another pool
// are therefore never inlined (ForWrite says so).
//
// Thread-safety: safe for concurrent use. Every method may block on the
// metadata store or on blob I/O: call them off the network threads.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "blob/pools/pool_router.h"
#include "catalog/catalog.h"
#include "meta/meta_store.h"
#include "meta/noticed_cache.h"
#include "sovereignty/residency/pools.h"
#include "sovereignty/residency/rules.h"

namespace confiance::sovereignty {

// Rules to and from their JSON form in the admin API:
// {"jurisdictions": ["FR", "EU"], "ciphertext_abroad": false}. InvalidArgument
// with the reason.
Result<ResidencyRule> RuleFromJson(const nlohmann::json& j);
nlohmann::json RuleToJson(const std::optional<ResidencyRule>& rule);

struct ObjectPlacement {
  std::string key;
  std::string version_id;  // S3 form; "null" for a null version
  bool latest = false;
  uint64_t size = 0;
  std::vector<std::string> pools;          // sorted, distinct
  std::vector<std::string> jurisdictions;  // of those pools, sorted, distinct
  bool misplaced = false;                  // some of its data is in a pool the rule forbids
};

struct PoolTotals {
  uint64_t objects = 0;  // object versions with data in the pool
  uint64_t blobs = 0;    // blob files (inline segments are not files)
  uint64_t inline_segments = 0;
  uint64_t bytes = 0;    // plaintext bytes of the segments there
};

struct BucketReport {
  std::string tenant;
  std::string bucket;
  std::optional<ResidencyRule> rule;  // effective
  std::vector<ObjectPlacement> objects;
  std::map<std::string, PoolTotals> by_pool;
  uint64_t misplaced = 0;
};

struct MigrateStats {
  uint64_t objects_examined = 0;
  uint64_t objects_moved = 0;
  uint64_t blobs_moved = 0;
  uint64_t bytes_moved = 0;   // blob bytes copied
  uint64_t skipped_changed = 0;  // rewritten meanwhile: their new data was placed by the new rule
  uint64_t failed = 0;
};

class Residency {
 public:
  // `pools` in config order, with the default pool among them; `router`
  // has exactly these pools. All borrowed but `pools`.
  Residency(std::vector<PoolSpec> pools, blob::PoolRouter& router, meta::MetaStore& store,
            catalog::Catalog& catalog);

  const std::vector<PoolSpec>& pools() const { return pools_; }
  const PoolSpec* FindPool(std::string_view name) const;

  Result<std::optional<ResidencyRule>> TenantRule(std::string_view tenant);
  Result<std::optional<ResidencyRule>> BucketRule(const catalog::BucketRecord& bucket);
  // The rule that applies to the bucket (Effective of both).
  Result<std::optional<ResidencyRule>> EffectiveRule(const catalog::BucketRecord& bucket);
  // nullopt removes the rule.
  Status SetTenantRule(std::string_view tenant, const std::optional<ResidencyRule>& rule);
  // InvalidArgument if it widens the tenant's ceiling; FailedPrecondition if
  // no pool satisfies it (with the bucket's location). Nothing is stored then.
  Status SetBucketRule(const catalog::BucketRecord& bucket, const std::optional<ResidencyRule>& rule);

  // Before CreateBucket: FailedPrecondition naming the rule if no pool
  // satisfies the tenant's ceiling for `location`.
  Status CheckNewBucket(std::string_view tenant, std::string_view location);

  struct Placement {
    const PoolSpec* pool = nullptr;
    blob::BlobStore* store = nullptr;  // writes new blobs into `pool`
    bool inline_allowed = true;        // false unless `pool` is the default pool
  };
  // Where new data of `bucket` of `storage_class` goes now. FailedPrecondition
  // naming the rule if nowhere (the rules changed after the bucket was
  // created); NotFound if no pool holds that class.
  Result<Placement> ForWrite(const catalog::BucketRecord& bucket,
                             std::string_view storage_class = kStandardStorageClass);

  // Every object version of the bucket with its pools (paginated walk).
  Result<BucketReport> Report(const catalog::BucketRecord& bucket);
  // The report as the admin API returns it, with "summary" (what the
  // transparency log entry records) and "summary_sha256" (SHA-256 of the
  // canonical JSON of the whole report without that field).
  static nlohmann::json ReportJson(const BucketReport& report);

  // Moves the data of every misplaced object version of the bucket to the
  // pool ForWrite picks for its storage class: per segment, copy the blob (or the inline bytes)
  // into a new blob there and commit it durably; then commit the record
  // with a compare-and-set that requires the old blob references; only then
  // delete the old blobs. A crash leaves at worst an unreferenced copy or
  // old blob, which the orphan sweeper removes. A record rewritten meanwhile
  // is skipped (its new copies are deleted).
  Result<MigrateStats> Migrate(const catalog::BucketRecord& bucket);

  // Moves the data of one version of `key` (S3 version id; "" = the object
  // of an unversioned bucket) into the pool ForWrite picks for
  // `storage_class`, and records that class: a lifecycle transition
  // (docs/storage-classes.md). The same steps as Migrate's, with the record
  // also required to carry `expected_op_tag` (the version the caller
  // judged). False if it changed or went meanwhile, is a delete marker, or
  // has that class already; ForWrite's errors when no pool of the class is
  // allowed. `before_move`, if set, runs once the move can start and before
  // any byte is copied (the lifecycle's log entry); its error cancels it.
  Result<bool> MoveToStorageClass(const catalog::BucketRecord& bucket, const std::string& key,
                                  const std::string& version_id, std::string_view expected_op_tag,
                                  std::string_view storage_class, const std::function<Status()>& before_move = {});

 private:
  struct MoveCounts {
    uint64_t blobs = 0;
    uint64_t bytes = 0;
  };
  // Copies segments `which` of `rec` (version `vid` of `key`) into
  // `target`, commits the record naming the copies (and `storage_class`, if
  // given: "" = STANDARD) if those segments still hold what was copied and,
  // with `expected_op_tag`, the record is that one; then deletes the old
  // blobs. nullopt if the version changed or went (the copies deleted); an
  // error if a copy or the commit failed (the copies deleted).
  Result<std::optional<MoveCounts>> MoveSegments(const catalog::BucketRecord& bucket, const std::string& key,
                                                 const std::string& vid, const catalog::ObjectRecord& rec,
                                                 const std::vector<size_t>& which, const Placement& target,
                                                 const std::optional<std::string>& storage_class,
                                                 std::string_view expected_op_tag);

  // A rule by its store key, read through a cache: rules are read on every
  // write and change only through this object, in this process or in
  // another sharing the store, whose notice drops the copy (kResidencyNotices).
  Result<std::optional<ResidencyRule>> ReadRule(const std::string& key);
  Status WriteRule(const std::string& key, const std::optional<ResidencyRule>& rule);

  std::vector<PoolSpec> pools_;
  blob::PoolRouter& router_;
  meta::MetaStore& store_;
  catalog::Catalog& catalog_;
  // By store key; an absent rule is cached too (nullopt).
  meta::NoticedCache<std::optional<ResidencyRule>> cache_;
};

// The MetaStore notice topic of residency rules; the subject is the rule's
// store key.
inline constexpr std::string_view kResidencyNotices = "residency";

}  // namespace confiance::sovereignty

// File: catalog/object_lock_catalog.cc
// The catalog's Object Lock query for admin operations: is any version of
// a tenant still locked? (Enforcement itself sits in the commits:
// versions.cc.)
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "catalog/version_id.h"

namespace confiance::catalog {

Result<std::optional<std::string>> Catalog::FindLockedVersion(std::string_view owner, uint64_t now_ms,
                                                              std::string_view bucket_name, const VersionFilter& only) {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ListBuckets());
  for (const BucketRecord& bucket : buckets) {
    // Only a bucket with Object Lock enabled can hold a locked version
    // (S3 refuses lock settings elsewhere: InvalidRequest).
    if (bucket.owner != owner || !bucket.object_lock_enabled) continue;
    if (!bucket_name.empty() && bucket.name != bucket_name) continue;
    meta::ScanOptions opt;
    opt.limit = 1000;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<meta::Record> recs, MergedScan(bucket, opt));
      for (const meta::Record& r : recs) {
        ASSIGN_OR_RETURN(ObjectRecord o, DecodeObject(r.value, false));
        const VersionLock lock = LockOf(o);
        if (!IsLocked(lock, now_ms) || (only && !only(bucket, o))) continue;
        std::string key = r.key;
        if (std::optional<ParsedVersionKey> v = ParseVersionKey(r.key)) key = v->key;
        std::string why = lock.legal_hold ? "a legal hold" : "";
        if (RetentionActive(lock, now_ms)) {
          if (!why.empty()) why += " and ";
          why += fmt::format("{} retention until {} ms since the epoch", LockModeName(lock.mode),
                             lock.retain_until_ms);
        }
        return std::optional<std::string>(
            fmt::format("{}/{} version {}: {}", bucket.name, key, ExternalVersionId(o), why));
      }
      if (recs.size() < opt.limit) break;
      opt.start = recs.back().key;
      opt.start_exclusive = true;
    }
  }
  return std::optional<std::string>();
}

}  // namespace confiance::catalog

// File: catalog/versioned_write.h
// Internal to catalog/: the part of a commit in a versioned bucket that
// moves a key's versions (versions.cc), shared by puts and deletes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::catalog {

struct VersionedWrite {
  // Added to a batch that already expects the key's current entry.
  std::vector<meta::Condition> conditions;
  std::vector<meta::Mutation> mutations;  // the new current entry, moved versions, usage
  std::optional<ObjectRecord> removed;    // a version removed for good (its blobs go)
};

// Writing `record` (stamped, or stamped here) as the current entry of `key`
// over `old`: the replaced current entry becomes a noncurrent version,
// except that a null `record` (suspended bucket) replaces the key's null
// version, current or not, for good; and a retried completion of the
// upload the current entry came from replaces it in place (one upload is
// one version). May read the noncurrent null version's entry.
Result<VersionedWrite> PlanVersionedWrite(meta::MetaStore& store, const BucketRecord& bucket, const std::string& partition,
                                          std::string_view key, const ObjectRecord& record,
                                          const std::optional<std::string>& old);

}  // namespace confiance::catalog

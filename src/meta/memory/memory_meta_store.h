// File: meta/memory/memory_meta_store.h
// MemoryMetaStore: the MetaStore fake for unit tests of upper layers. Same
// semantics as RocksMetaStore (the contract suite runs over both), nothing
// persisted. It can be told to fail the next Apply, to test callers' error
// paths.
//
// Thread-safety: safe for concurrent use (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::meta {

class MemoryMetaStore final : public MetaStore {
 public:
  MemoryMetaStore() = default;
  MemoryMetaStore(const MemoryMetaStore&) = delete;
  MemoryMetaStore& operator=(const MemoryMetaStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view partition,
                                         std::string_view key) override;
  Status Apply(std::string_view partition, const Batch& batch) override;
  Result<std::vector<Record>> Scan(std::string_view partition,
                                   const ScanOptions& options) override;
  Result<std::vector<std::string>> ListPartitions(std::string_view prefix,
                                                  std::string_view start_after,
                                                  size_t limit) override;
  Status DropPartition(std::string_view partition) override;

  // The next Apply (only that one) returns `error` without applying
  // anything. REQUIRES: !error.ok().
  void FailNextApply(Status error);

 private:
  // std::less<> compares std::string as memcmp does and allows lookups by
  // string_view.
  using Partition = std::map<std::string, std::string, std::less<>>;

  std::mutex mu_;
  std::map<std::string, Partition, std::less<>> partitions_;  // GUARDED_BY(mu_)
  std::optional<Status> fail_next_apply_;                     // GUARDED_BY(mu_)
};

}  // namespace confiance::meta

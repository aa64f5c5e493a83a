// File: meta/memory/memory_meta_store.cc
#include "meta/memory/memory_meta_store.h"

#include <cassert>
#include <map>
#include <vector>
#include <utility>

#include "meta/batch_checks.h"
#include "meta/counters.h"

namespace confiance::meta {

Result<std::optional<std::string>> MemoryMetaStore::Get(std::string_view partition,
                                                        std::string_view key) {
  RETURN_IF_ERROR(CheckPartition(partition));
  std::lock_guard lock(mu_);
  auto p = partitions_.find(partition);
  if (p == partitions_.end()) return std::optional<std::string>();
  auto r = p->second.find(key);
  if (r == p->second.end()) return std::optional<std::string>();
  return std::optional<std::string>(r->second);
}

Status MemoryMetaStore::Apply(std::string_view partition, const Batch& batch) {
  RETURN_IF_ERROR(CheckBatch(partition, batch));
  std::lock_guard lock(mu_);
  if (fail_next_apply_.has_value()) {
    Status error = std::move(*fail_next_apply_);
    fail_next_apply_.reset();
    return error;
  }
  auto p = partitions_.find(partition);
  for (const Condition& c : batch.conditions) {
    std::optional<std::string> current;
    if (p != partitions_.end()) {
      auto r = p->second.find(c.key);
      if (r != p->second.end()) current = r->second;
    }
    if (current != c.expected) {
      return FailedPreconditionError("meta: condition on key failed in batch '" + batch.op_tag +
                                     "'");
    }
  }
  if (batch.mutations.empty()) return OkStatus();
  // Resolve counters first (through a small overlay of this batch's own
  // writes): a malformed counter fails the batch before anything applies.
  std::map<std::string, std::optional<std::string>, std::less<>> overlay;
  std::vector<std::optional<std::string>> values;
  values.reserve(batch.mutations.size());
  for (const Mutation& m : batch.mutations) {
    std::optional<std::string> value = m.value;
    if (!m.add.empty()) {
      std::optional<std::string> current;
      if (auto o = overlay.find(m.key); o != overlay.end()) {
        current = o->second;
      } else if (p != partitions_.end()) {
        if (auto r = p->second.find(m.key); r != p->second.end()) current = r->second;
      }
      ASSIGN_OR_RETURN(value, AddCounters(current, m.add));
    }
    overlay[m.key] = value;
    values.push_back(std::move(value));
  }
  if (p == partitions_.end()) p = partitions_.emplace(std::string(partition), Partition()).first;
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    if (values[i].has_value()) {
      p->second.insert_or_assign(batch.mutations[i].key, std::move(*values[i]));
    } else {
      p->second.erase(batch.mutations[i].key);
    }
  }
  // A partition exists only while it holds records, as in RocksMetaStore.
  if (p->second.empty()) partitions_.erase(p);
  return OkStatus();
}

Result<std::vector<Record>> MemoryMetaStore::Scan(std::string_view partition,
                                                  const ScanOptions& options) {
  RETURN_IF_ERROR(CheckPartition(partition));
  std::vector<Record> out;
  std::lock_guard lock(mu_);
  auto p = partitions_.find(partition);
  if (p == partitions_.end()) return out;
  for (auto r = p->second.lower_bound(options.start);
       r != p->second.end() && out.size() < options.limit; ++r) {
    if (!options.end.empty() && r->first >= options.end) break;
    if (options.start_exclusive && r->first == options.start) continue;
    out.push_back({r->first, r->second});
  }
  return out;
}

Result<std::vector<std::string>> MemoryMetaStore::ListPartitions(std::string_view prefix,
                                                                 std::string_view start_after,
                                                                 size_t limit) {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  // Names with `prefix` are contiguous from lower_bound(prefix).
  auto p = !start_after.empty() && start_after >= prefix ? partitions_.upper_bound(start_after)
                                                         : partitions_.lower_bound(prefix);
  for (; p != partitions_.end() && out.size() < limit; ++p) {
    if (!std::string_view(p->first).starts_with(prefix)) break;
    out.push_back(p->first);
  }
  return out;
}

Status MemoryMetaStore::DropPartition(std::string_view partition) {
  RETURN_IF_ERROR(CheckPartition(partition));
  std::lock_guard lock(mu_);
  auto p = partitions_.find(partition);
  if (p != partitions_.end()) partitions_.erase(p);
  return OkStatus();
}

void MemoryMetaStore::FailNextApply(Status error) {
  assert(!error.ok());
  std::lock_guard lock(mu_);
  fail_next_apply_ = std::move(error);
}

}  // namespace confiance::meta

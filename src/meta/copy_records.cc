// File: meta/copy_records.cc
#include "meta/copy_records.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace confiance::meta {
namespace {

constexpr size_t kCopyPage = 1000;                   // records per Scan, partitions per listing
constexpr size_t kCopyBatchRecords = 1000;           // records per copied batch
constexpr size_t kCopyBatchBytes = size_t{4} << 20;  // bytes per copied batch

// Calls `visit` with every partition name of `store`, in order.
Status ForEachPartition(MetaStore& store, const std::function<Status(const std::string&)>& visit) {
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, store.ListPartitions("", after, kCopyPage));
    for (const std::string& name : names) RETURN_IF_ERROR(visit(name));
    if (names.size() < kCopyPage) return OkStatus();
    after = names.back();
  }
}

// The page of `partition` after `after` (from its start if `first`).
Result<std::vector<Record>> Page(MetaStore& store, const std::string& partition, const std::string& after, bool first) {
  ScanOptions options;
  options.start = after;
  options.start_exclusive = !first;
  options.limit = kCopyPage;
  return store.Scan(partition, options);
}

Result<std::vector<std::string>> AllPartitions(MetaStore& store) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(ForEachPartition(store, [&](const std::string& name) {
    names.push_back(name);
    return OkStatus();
  }));
  return names;
}

}  // namespace

Result<CopyStats> CopyAllRecords(MetaStore& from, MetaStore& to, const std::function<void(const CopyStats&)>& progress,
                                 const std::function<bool()>& stop) {
  CopyStats stats;
  Batch batch;
  size_t batch_bytes = 0;
  auto flush = [&](const std::string& partition) -> Status {
    if (batch.mutations.empty()) return OkStatus();
    batch.op_tag = "copy " + std::to_string(stats.records);
    Status s = to.Apply(partition, batch);
    if (!s.ok()) return Status(s.code(), "copying partition " + partition + ": " + s.message());
    batch = Batch();
    batch_bytes = 0;
    return OkStatus();
  };
  RETURN_IF_ERROR(ForEachPartition(from, [&](const std::string& partition) -> Status {
    std::string after;
    for (bool first = true;; first = false) {
      if (stop && stop()) return Status(StatusCode::kCancelled, "the copy was stopped");
      ASSIGN_OR_RETURN(std::vector<Record> records, Page(from, partition, after, first));
      for (Record& r : records) {
        const size_t bytes = r.key.size() + r.value.size();
        if (batch.mutations.size() >= kCopyBatchRecords || batch_bytes + bytes > kCopyBatchBytes) {
          RETURN_IF_ERROR(flush(partition));
        }
        after = r.key;
        batch.Put(std::move(r.key), std::move(r.value));
        batch_bytes += bytes;
        stats.bytes += bytes;
        ++stats.records;
      }
      if (records.size() < kCopyPage) break;
    }
    RETURN_IF_ERROR(flush(partition));
    ++stats.partitions;
    if (progress) progress(stats);
    return OkStatus();
  }));
  return stats;
}

Status ExpectSameRecords(MetaStore& a, MetaStore& b) {
  ASSIGN_OR_RETURN(std::vector<std::string> names_a, AllPartitions(a));
  ASSIGN_OR_RETURN(std::vector<std::string> names_b, AllPartitions(b));
  if (names_a != names_b) {
    size_t i = 0;
    while (i < names_a.size() && i < names_b.size() && names_a[i] == names_b[i]) ++i;
    // The smaller of the two names at the first difference is the one the
    // other copy lacks.
    const std::string& missing = i >= names_a.size()   ? names_b[i]
                                 : i >= names_b.size() ? names_a[i]
                                                       : std::min(names_a[i], names_b[i]);
    return DataLossError("the copies differ: " + std::to_string(names_a.size()) + " partitions against " +
                         std::to_string(names_b.size()) + ", partition '" + missing + "' is in only one");
  }
  for (const std::string& partition : names_a) {
    std::string after;
    for (bool first = true;; first = false) {
      ASSIGN_OR_RETURN(std::vector<Record> page_a, Page(a, partition, after, first));
      ASSIGN_OR_RETURN(std::vector<Record> page_b, Page(b, partition, after, first));
      for (size_t i = 0; i < page_a.size() || i < page_b.size(); ++i) {
        if (i >= page_a.size() || i >= page_b.size() || page_a[i].key != page_b[i].key) {
          return DataLossError("the copies of partition '" + partition + "' hold different keys");
        }
        if (page_a[i].value != page_b[i].value) {
          return DataLossError("the copies of a record of partition '" + partition + "' differ");
        }
      }
      if (page_a.size() < kCopyPage) break;
      after = page_a.back().key;
    }
  }
  return OkStatus();
}

Result<uint64_t> DropAllPartitions(MetaStore& store) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, AllPartitions(store));
  for (const std::string& name : names) RETURN_IF_ERROR(store.DropPartition(name));
  return names.size();
}

}  // namespace confiance::meta

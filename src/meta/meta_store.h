// File: meta/meta_store.h
// MetaStore: ordered key/value records grouped in partitions, with atomic,
// conditional batches inside one partition. Knows nothing of S3.
//
// The contract is shaped for RADOS (see ../shared/RADOS.md): a partition is
// what one RADOS object (an omap) can hold and update atomically, so
//  - an atomic batch (Apply) never spans two partitions;
//  - every mutation is a compare-and-set: each Condition names a key and the
//    value it must hold (std::nullopt = absent); the batch applies wholly if
//    every condition holds and not at all otherwise;
//  - a commit carries an operation tag (a unique id the caller chooses) so a
//    caller whose commit ended Unknown can read back and find whether it
//    landed; the embedded store never ends Unknown, but callers must be
//    written as if it could.
// Records are sorted by key bytes (memcmp order) inside a partition. There is
// no cross-partition order or scan: callers that need one (bucket listings)
// merge partitions themselves.
//
// Durability: when Apply returns OK the batch is durable (synced WAL).
// Concurrent Apply calls share syncs (group commit).
//
// Thread-safety: all methods are safe for concurrent use. Apply may block
// (it syncs): never call it on a network thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace confiance::meta {

struct Condition {
  std::string key;
  std::optional<std::string> expected;  // nullopt: the key must be absent
};

struct Mutation {
  std::string key;
  std::optional<std::string> value;  // nullopt: delete the key
};

struct Batch {
  std::string op_tag;  // unique per logical operation; for diagnosis and retries
  std::vector<Condition> conditions;
  std::vector<Mutation> mutations;

  Batch& Expect(std::string key, std::optional<std::string> expected) {
    conditions.push_back({std::move(key), std::move(expected)});
    return *this;
  }
  Batch& Put(std::string key, std::string value) {
    mutations.push_back({std::move(key), std::move(value)});
    return *this;
  }
  Batch& Delete(std::string key) {
    mutations.push_back({std::move(key), std::nullopt});
    return *this;
  }
};

struct Record {
  std::string key;
  std::string value;
};

struct ScanOptions {
  std::string start;            // first key considered (inclusive)
  bool start_exclusive = false; // skip `start` itself if present
  std::string end;              // stop before this key; empty = end of partition
  size_t limit = 1000;          // at most this many records
};

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // Returns the value of `key` in `partition`, std::nullopt if absent, or an
  // error (Unavailable, DataLoss...) if the store could not answer.
  virtual Result<std::optional<std::string>> Get(std::string_view partition,
                                                 std::string_view key) = 0;

  // Applies `batch` atomically within `partition` if every condition holds.
  // Returns OK when applied and durable; FailedPrecondition if a condition
  // did not hold (nothing applied); another error if the store failed (then
  // nothing was acknowledged; after a sync failure the store turns read-only
  // and every later Apply fails with Unavailable).
  virtual Status Apply(std::string_view partition, const Batch& batch) = 0;

  // Records of `partition` in key order within [start, end), at most
  // options.limit. A consistent snapshot of the partition.
  virtual Result<std::vector<Record>> Scan(std::string_view partition,
                                           const ScanOptions& options) = 0;

  // Names of partitions whose name starts with `prefix`, sorted, after
  // `start_after`, at most `limit`. Used by sweepers and admin tools, not on
  // request paths.
  virtual Result<std::vector<std::string>> ListPartitions(std::string_view prefix,
                                                          std::string_view start_after,
                                                          size_t limit) = 0;

  // Removes a whole partition (churning records are dropped this way, never
  // as tombstones among live keys).
  virtual Status DropPartition(std::string_view partition) = 0;
};

}  // namespace confiance::meta

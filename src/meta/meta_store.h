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
// Names and values: a partition name is a non-empty byte string; a key is any
// byte string (empty included); a value is a NON-EMPTY byte string, because
// RADOS omap_cmp compares a missing key as the empty value, so a RADOS store
// could not tell "absent" from "empty". Every method returns InvalidArgument
// for an empty partition name; Apply returns it for a Put of an empty value
// or a Condition expecting one. A partition exists while it holds at least
// one record (ListPartitions); there is no "create partition".
//
// Durability: when Apply returns OK the batch is durable (synced WAL),
// unless the batch asked for Durability::kWithNextSync. Concurrent Apply
// calls share syncs (group commit). A store's writes become durable in the
// order they were applied: a synced batch makes every batch applied before
// it durable too.
//
// Thread-safety: all methods are safe for concurrent use. Apply may block
// (it syncs): never call it on a network thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  std::optional<std::string> value;  // nullopt: delete the key (unless `add` is set)
  // Non-empty: a counter mutation (Batch::Add); `value` is ignored.
  std::vector<int64_t> add;
};

// When a batch becomes durable (see MetaStore::Apply).
enum class Durability {
  // Durable (synced) when Apply reports OK.
  kSynced,
  // Applied, and visible to reads, when Apply reports OK, but durable only
  // once a later kSynced batch of the same store has completed: a crash
  // before that may lose it (whole, never in part). For a caller that
  // completes such a batch before it acknowledges anything that depends on
  // this one or acts on it outside the store, so that the two share one
  // sync (an object commit and its request's transparency-log entry). A
  // store whose every write is durable on completion treats it as kSynced.
  kWithNextSync,
};

struct Batch {
  std::string op_tag;  // unique per logical operation; for diagnosis and retries
  Durability durability = Durability::kSynced;
  std::vector<Condition> conditions;
  std::vector<Mutation> mutations;

  Batch& Expect(std::string key, std::optional<std::string> expected) {
    conditions.push_back({std::move(key), std::move(expected)});
    return *this;
  }
  Batch& Put(std::string key, std::string value) {
    mutations.push_back({std::move(key), std::move(value), {}});
    return *this;
  }
  Batch& Delete(std::string key) {
    mutations.push_back({std::move(key), std::nullopt, {}});
    return *this;
  }
  // Adds `deltas` element-wise to the counters held by `key` (absent = all
  // zero; encoding in meta/counters.h), atomically with the rest of the
  // batch and without a condition: concurrent batches adding to the same key
  // never conflict (RADOS: an object-class method, as cls_rgw keeps bucket
  // index stats). A key maintained by Add must only be changed by Add or
  // Delete; if it holds a malformed counter the batch fails with DataLoss.
  // REQUIRES: `deltas` non-empty.
  Batch& Add(std::string key, std::vector<int64_t> deltas) {
    mutations.push_back({std::move(key), std::nullopt, std::move(deltas)});
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
  // Conditions are all checked against the state before the batch;
  // mutations then apply in order (a later mutation of a key wins). A batch
  // without mutations only checks its conditions.
  // Returns OK when applied and durable; FailedPrecondition if a condition
  // did not hold (nothing applied); InvalidArgument for a bad name or value
  // (see above; nothing applied); another error if the store failed (then
  // nothing was acknowledged, though the batch may or may not have landed:
  // resolve by reading, with op_tag). After a write or sync failure the
  // store turns read-only and every later Apply and DropPartition fails with
  // Unavailable until the process reopens it.
  virtual Status Apply(std::string_view partition, const Batch& batch) = 0;

  // OK while writes may be accepted; otherwise the error every Apply now
  // gets (Unavailable once a write or sync failure turned the store
  // read-only). For readiness checks: cheap, never blocks, writes nothing.
  virtual Status Writable() const { return OkStatus(); }

  // Apply without blocking the caller: `done` is called exactly once with
  // Apply's result, on a thread of the store's choosing (possibly the
  // caller's, before ApplyAsync returns). `done` must be quick and must not
  // block (in particular it must not call Apply): hand the result to an
  // executor, or at most issue further ApplyAsync calls. Stores that commit in groups
  // complete a whole group with one sync. The default runs Apply inline.
  virtual void ApplyAsync(std::string_view partition, Batch batch,
                          std::function<void(Status)> done) {
    done(Apply(partition, batch));
  }

  // ApplyAsync that may commit on the calling thread, blocking it for the
  // write and its sync, instead of handing the batch to another thread and
  // being woken for the result: for a caller that has nothing else to do
  // meanwhile (the transparency log, when every open connection waits on
  // the group it commits). Same contract as ApplyAsync; `done` may run, on
  // this thread, before this returns. The default is ApplyAsync.
  virtual void ApplyHere(std::string_view partition, Batch batch, std::function<void(Status)> done) {
    ApplyAsync(partition, std::move(batch), std::move(done));
  }

  // Records of `partition` in key order within [start, end) (without `start`
  // itself if options.start_exclusive), at most options.limit (0: none).
  // A consistent snapshot of the partition. An absent partition scans empty.
  // To page, pass the last key returned as `start` with start_exclusive.
  virtual Result<std::vector<Record>> Scan(std::string_view partition,
                                           const ScanOptions& options) = 0;

  // Scan without copies: calls `visit(key, value)` for each record Scan
  // would return, in order, until it returns false. The views are valid
  // only during the call, and `visit` must not call back into the store.
  // For hot listings (ListObjectsV2 reads 1,000 records, values carrying
  // inline object data). The default runs Scan and visits its copies.
  using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status ScanEach(std::string_view partition, const ScanOptions& options, const ScanVisitor& visit) {
    ASSIGN_OR_RETURN(std::vector<Record> records, Scan(partition, options));
    for (const Record& r : records) {
      if (!visit(r.key, r.value)) break;
    }
    return OkStatus();
  }

  // Names of partitions whose name starts with `prefix`, sorted, after
  // `start_after`, at most `limit`. Used by sweepers and admin tools, not on
  // request paths.
  virtual Result<std::vector<std::string>> ListPartitions(std::string_view prefix,
                                                          std::string_view start_after,
                                                          size_t limit) = 0;

  // Removes a whole partition (churning records are dropped this way, never
  // as tombstones among live keys). OK if the partition is absent. Durable
  // when it returns OK, like Apply; serialised against concurrent Applies.
  virtual Status DropPartition(std::string_view partition) = 0;

  // Makes the overwritten and deleted values of `partition` physically gone
  // from the store's own files, so that, say, a destroyed key's old wrapped
  // bytes do not linger on disk (crypto-shredding, docs/keys.md). Slow (a
  // flush and a compaction): for rare events only. Stores that keep no
  // old copies do nothing. What the file system or device keeps of freed
  // blocks is beyond any store.
  virtual Status Purge(std::string_view partition) { return OkStatus(); }

  // Writes a copy of the whole store (every partition, as of one point in
  // its commit order: a batch is in it whole or not at all) into `dir`,
  // which must not exist (AlreadyExists) and whose parent must. The copy
  // opens with the same implementation and is durable when this returns
  // OK. For online backups (docs/backup.md); concurrent writes go on.
  // Unimplemented for stores that cannot (the fake; RADOS has its own
  // snapshots).
  virtual Status Checkpoint(const std::string& dir) {
    (void)dir;
    return UnimplementedError("this metadata store cannot write a checkpoint");
  }

  // A read-only view of the whole store as of one point of its commit
  // order, kept while writes go on: for online backups of a store that
  // cannot write a checkpoint of its own files (Checkpoint is
  // Unimplemented), which copy the view instead (meta/copy_records.h).
  // Every write to the view fails with FailedPrecondition. Destroy it before
  // the store. Unimplemented for stores without one (RocksDB checkpoints;
  // the in-memory fake).
  virtual Result<std::unique_ptr<MetaStore>> Snapshot() {
    return UnimplementedError("this metadata store cannot take a snapshot");
  }

  // Reads back everything the store keeps in its table files and checks it
  // against the checksums written with it, while writes go on: the scrub's
  // metadata pass (catalog/scrub.h), which finds bitrot in records that no
  // request reads. DataLoss naming the damaged file on a mismatch.
  // Unimplemented for stores with nothing of their own to check (the
  // in-memory fake; RADOS deep-scrubs its objects itself).
  virtual Status VerifyChecksums() { return UnimplementedError("this metadata store keeps no checksums to verify"); }

  // Change notices between the processes that share this store (several
  // gateways on one RADOS namespace; docs/rados.md, "Several gateways").
  // A writer that changed a record other processes may cache (a bucket
  // record, an access key) calls Announce(topic, subject) after the change:
  // it returns once every other process watching the store either
  // acknowledged the notice or can no longer use what it cached before it
  // (its NoticesCurrent is false until it drops everything; Unavailable if
  // neither could be confirmed; the change itself stands). So a revocation
  // acknowledged to its requester is in force in every process. Watch
  // calls `changed` on a store thread with the
  // subject of each notice of `topic` from another process, and with ""
  // when notices may have been missed (drop everything cached under the
  // topic), until the returned handle is destroyed (which waits for a
  // call under way). `changed` must be quick and must not call the store.
  // A store that one process alone uses has no one to tell: both do
  // nothing (Watch returns null).
  using NoticeHandler = std::function<void(std::string_view subject)>;
  class NoticeWatch {
   public:
    virtual ~NoticeWatch() = default;
  };
  virtual Status Announce(std::string_view topic, std::string_view subject) { return OkStatus(); }
  virtual std::unique_ptr<NoticeWatch> Watch(std::string_view topic, NoticeHandler changed) { return nullptr; }
  // Whether this process may use what it cached from the topics it
  // watches: false while a notice from another process may have been
  // missed (on RADOS: the watch broke, or went unconfirmed longer than the
  // fence the notifiers wait out; meta/notice_trust.h). A cache owner asks
  // before each use of a cached value and reads the store instead while
  // it is false; before it turns true again, every watcher of this store
  // was called with "" (drop everything), so that nothing filled while it
  // was false outlives it. Cheap (a clock read) when true; may ask the
  // store otherwise. Not to be called from a NoticeHandler.
  virtual bool NoticesCurrent() { return true; }

  // Leases on background work between the processes that share this store
  // (several gateways on one RADOS namespace): a job that one of them
  // should do at a time (the lifecycle's passes, the sweeper, a log's
  // dispatcher) runs in the process that holds the lease named after it
  // (meta/worker_lease.h). HoldLease takes the lease `name` for this
  // process, or renews it, for `period` from now: true if this process
  // holds it, false if another does (it is free once that one releases it
  // or has not renewed it for its period). A lease makes duplicated work
  // rare, not impossible (a process stalled past its period still acts as
  // the holder until its next HoldLease): what the job writes must still
  // be compare-and-set (../shared/RADOS.md: safety from the CAS on the
  // object changed, never from the lease alone). ReleaseLease gives it up
  // at once, for a clean stop or a job's end, and forgets that this
  // process asked for it; a lease another process holds stays that one's.
  // A store that one process alone uses has no
  // one to share with: HoldLease is always true.
  // REQUIRES: `name` is non-empty, of [a-z0-9.-] only.
  virtual Result<bool> HoldLease(std::string_view name, std::chrono::seconds period) { return true; }
  virtual void ReleaseLease(std::string_view name) {}

  // Whether other processes may be writing this store while this one
  // runs (gateways sharing a RADOS namespace). Recovery at start relies on
  // it: with a store of its own, every interrupted operation it finds (a
  // multipart completion's mark, a DeleteBucket's) is a crashed process's
  // and is settled at once; with a shared one, a young mark may be another
  // live process's work under way, left to the sweeper's clock.
  virtual bool SharedWithOtherProcesses() const { return false; }
};

}  // namespace confiance::meta

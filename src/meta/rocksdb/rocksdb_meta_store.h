// File: meta/rocksdb/rocksdb_meta_store.h
// RocksMetaStore: the embedded MetaStore, one RocksDB database in a
// directory, every partition a range of its key space (docs/meta_keys.md).
//
// Apply locks the stripes of the keys it names (never a whole partition), so
// commits on different keys run in parallel and RocksDB's write group shares
// one WAL fsync across them (group commit). Any write or sync error turns the
// store read-only until it is reopened: after a failed fsync the durable
// content of the WAL is unknown, so nothing may be retried and acknowledged.
//
// Thread-safety: safe for concurrent use (see MetaStore).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "meta/meta_store.h"

namespace rocksdb {
class DB;
class Env;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace confiance::meta {

class RocksMetaStore final : public MetaStore {
 public:
  struct Options {
    std::string path;  // the database directory; created (durably) if missing
    // nullptr: RocksDB's own POSIX file system. Otherwise every file
    // operation goes through `env` (borrowed; must outlive the store).
    Env* env = nullptr;
    size_t block_cache_bytes = size_t{64} << 20;
    // Bytes per SST data block. An object record carries up to a few KiB of
    // inline data, so with RocksDB's 4 KiB default nearly every record was
    // its own block, and a listing paid a block-cache lookup and a new block
    // iterator per key: 1,050-1,100 ListObjectsV2 of 1,000 keys per second
    // from SST files against 2,100-2,240 with 64 KiB blocks, 4 KiB GETs
    // unchanged (docs/PERFORMANCE.md, session 13). A GET that misses the
    // block cache reads and checksums the whole block.
    size_t block_size = size_t{64} << 10;
    // Bytes of RocksDB's row cache: records read from SST files by Get,
    // kept whole, so that a hot object's next GET skips the table lookup
    // (filter, index, data block seek). 7-8 % less server CPU per 4 KiB GET
    // once the objects sit in SST files (docs/PERFORMANCE.md, session 20).
    // Entries are keyed by table file, and a newer write is found in the
    // memtable or a newer file first. 0: no row cache.
    //
    // Two limits of RocksDB 7.8's row cache bound where it may be used (both
    // reproduced; docs/PERFORMANCE.md, session 21). A hit replays the cached
    // record with sequence number kMaxSequenceNumber and without the table
    // file's own range tombstones, so:
    //  - a Get that carries a sequence-checking read callback rejects every
    //    hit and reads NotFound. DB::OpenForReadOnly's Get registers one
    //    (fixed upstream by RocksDB PR 11816), so a read-only open
    //    (`read_only` below) never gets a row cache;
    //  - a record that shares its table file with the range tombstone that
    //    deleted it is served again. Flushes and compactions drop covered
    //    records unless an explicit snapshot (DB::GetSnapshot) separates
    //    them, so this store must not take RocksDB snapshots while it has a
    //    row cache: DropPartition's deletions would come back.
    size_t row_cache_bytes = size_t{32} << 20;
    // Partitions (by name prefix) whose keys are written in increasing
    // order within their first two bytes: their memtable inserts start from
    // a hint (meta/rocksdb/insert_hints.h). A tuning only: any partition
    // works either way.
    std::vector<std::string> append_partition_prefixes;
    // Opens an existing store without writing to it (RocksDB's read-only
    // mode: the WAL is replayed in memory only, no flush, no compaction, no
    // file deleted), for offline checks that must see the files as they
    // were (the shred check, docs/keys.md). Every write then fails with
    // FailedPrecondition; a missing or unmarked store is NotFound/DataLoss.
    bool read_only = false;
    // Runs first on the committer thread, the thread that writes the
    // memtable (every Apply goes through it, and every ApplyAsync that no
    // ApplyHere took along). May be empty.
    std::function<void()> on_committer_start;
    // Binds the calling thread to the memory arena the memtable should grow
    // in and returns what undoes that (or an empty function). Called on the
    // committer thread as it starts (after on_committer_start; it stays
    // bound), and around each group an ApplyHere writes on its caller's
    // thread. The server passes main/malloc_tuning.h's binder: without it
    // an inline group's memtable blocks came from the request thread's
    // arena, which returns freed pages to the kernel, and the next ones were
    // faulted in again (docs/PERFORMANCE.md, session 20). May be empty.
    std::function<std::function<void()>()> bind_memtable_arena;
  };

  // Opens or creates the store at options.path. Returns InvalidArgument for
  // an empty path, DataLoss if the database is corrupt or was written with
  // an unknown key format, Unavailable if it is locked by another process,
  // or the I/O error met.
  static Result<std::unique_ptr<RocksMetaStore>> Open(const Options& options);

  ~RocksMetaStore() override;
  RocksMetaStore(const RocksMetaStore&) = delete;
  RocksMetaStore& operator=(const RocksMetaStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view partition,
                                         std::string_view key) override;
  // Apply and ApplyAsync go through one committer thread: it takes every
  // batch queued since its last group, checks their conditions in queue
  // order (a batch sees the writes of the batches before it), writes all the
  // ones that hold as one RocksDB batch with one WAL sync, then completes
  // them. Conditions are checked by one group at a time (the committer's,
  // or an ApplyHere's), so no key locks are needed.
  Status Apply(std::string_view partition, const Batch& batch) override;
  void ApplyAsync(std::string_view partition, Batch batch,
                  std::function<void(Status)> done) override;
  // Commits the batches queued so far and then `batch` as one group on the
  // calling thread, completions included (the committer waits meanwhile):
  // no hand-off to the committer and back.
  void ApplyHere(std::string_view partition, Batch batch, std::function<void(Status)> done) override;
  Result<std::vector<Record>> Scan(std::string_view partition,
                                   const ScanOptions& options) override;
  Status ScanEach(std::string_view partition, const ScanOptions& options, const ScanVisitor& visit) override;
  Result<std::vector<std::string>> ListPartitions(std::string_view prefix,
                                                  std::string_view start_after,
                                                  size_t limit) override;
  Status DropPartition(std::string_view partition) override;
  // Flushes the memtable (so that the WAL files holding old values become
  // obsolete and are deleted) and compacts the partition's key range down
  // to the last level (so that table files holding old values are replaced).
  Status Purge(std::string_view partition) override;
  // RocksDB's checkpoint: the memtable flushed, the table files hard-linked
  // into `dir` (copied when it is on another file system), the live WAL
  // copied, the directory synced. Refused once the store is read-only.
  Status Checkpoint(const std::string& dir) override;
  // Copies every record of this store, as stored (physical keys, the
  // format marker included), into `dest`, a new store (the conversion of
  // a store written in the clear into an encrypted one,
  // main/metadata_encryption.h), then flushes `dest` and waits: its
  // records are in synced table files when this returns. Reads one
  // consistent view of this store. Returns the number of records.
  Result<uint64_t> CopyInto(RocksMetaStore& dest);
  // Every block of every table file (the WAL's records are checked when it
  // is replayed at open; the memtable is memory).
  Status VerifyChecksums() override;

  // True once a write error (or a purge's flush or compaction error) has
  // turned the store read-only.
  bool read_only() const { return read_only_.load(std::memory_order_acquire); }
  Status Writable() const override { return read_only() ? ReadOnlyError() : OkStatus(); }

  // Test hook: blocks until every flush and compaction RocksDB has scheduled
  // (e.g. the compaction its recovery triggers) has finished or failed.
  // Tests that count file operations (the power-loss harness) call it so
  // that no background job races with the calls they count.
  Status TEST_WaitForBackgroundWork();
  // Bytes held in the row cache now (0 without one).
  size_t TEST_RowCacheUsage() const;

 private:
  struct PendingCommit {
    std::string partition;
    Batch batch;
    std::function<void(Status)> done;
  };

  RocksMetaStore();
  Status CheckKeyFormat();
  Result<std::optional<std::string>> GetPhysical(const std::string& physical_key);
  // What ApplyAsync and ApplyHere refuse before queueing or committing: an
  // invalid batch (CheckBatch), or any batch once the store is read-only.
  Status Admit(std::string_view partition, const Batch& batch) const;
  // Queues an admitted batch for the committer.
  void Enqueue(PendingCommit commit);
  void CommitterLoop();
  // Checks, writes (one sync, none if every batch that writes asked for
  // Durability::kWithNextSync) and completes one group of queued batches.
  void CommitGroup(std::vector<PendingCommit>& group);
  // Writes `batch` to the WAL, synced (with every earlier unsynced write)
  // if `sync`; on failure turns the store read-only.
  Status Write(rocksdb::WriteBatch& batch, bool sync, std::string_view op_tag);
  Status WriteSynced(rocksdb::WriteBatch& batch, std::string_view op_tag) { return Write(batch, true, op_tag); }
  Status ReadOnlyError() const;
  // Turns the store read-only after RocksDB failed `what` (fsyncgate: see
  // Write) and returns the failure, saying so.
  Status FailReadOnly(const rocksdb::Status& s, const std::string& what);

  // Destroyed in reverse order: the DB before the Env it runs on.
  std::unique_ptr<rocksdb::Env> rocks_env_;  // null when Options.env is null
  std::unique_ptr<rocksdb::DB> db_;
  // The committer holds it shared while it checks and writes a group,
  // DropPartition exclusive: a drop must not slip between a condition check
  // and its write.
  std::shared_mutex drop_mu_;
  std::atomic<bool> read_only_{false};
  bool opened_read_only_ = false;  // Options::read_only (read_only_ is then set too)

  // Held by whoever runs CommitGroup (the committer, or an ApplyHere
  // caller): one group at a time, in queue order.
  std::mutex commit_mu_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingCommit> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;             // GUARDED_BY(queue_mu_)
  // Options::bind_memtable_arena; set before the committer starts, then read only.
  std::function<std::function<void()>()> bind_memtable_arena_;
  std::thread committer_;             // started by Open, joined by the destructor
};

}  // namespace confiance::meta

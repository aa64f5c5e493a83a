// File: meta/rocksdb/rocksdb_meta_store.cc
// RocksMetaStore: MetaStore on one RocksDB database; translates every
// rocksdb::Status into a confiance Status here.
#include "meta/rocksdb/rocksdb_meta_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <functional>
#include <future>
#include <unordered_map>
#include <utility>

#include "common/await_callback.h"
#include "common/thread_policy.h"
#include "meta/batch_checks.h"
#include "meta/counters.h"
#include "meta/rocksdb/env_file_system.h"
#include "meta/rocksdb/insert_hints.h"
#include "meta/rocksdb/key_format.h"
#include "meta/rocksdb/rocks_info_log.h"

namespace confiance::meta {
namespace {

// True on a thread running CommitGroup (the committer, always; an
// ApplyHere caller, during its group): its callbacks' ApplyHere must not
// take commit_mu_ again.
thread_local bool t_committing = false;

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFoundError(std::move(msg));
  if (s.IsCorruption()) return DataLossError(std::move(msg));
  if (s.IsNoSpace()) return ResourceExhaustedError(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidArgumentError(std::move(msg));
  if (s.IsNotSupported()) return UnimplementedError(std::move(msg));
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIOError()) {
    return UnavailableError(std::move(msg));
  }
  return InternalError(std::move(msg));
}

rocksdb::Options MakeRocksOptions(const RocksMetaStore::Options& options, rocksdb::Env* env) {
  rocksdb::Options rocks;
  if (env != nullptr) rocks.env = env;
  rocks.create_if_missing = true;
  // No LOG file beside the store: it would bypass our Env (and so the
  // encryption at rest). Warnings go to the server's log.
  rocks.info_log = NewRocksInfoLogToSpdlog();
  // Writers waiting for the group-commit leader block instead of spinning
  // with sched_yield: on 2 cores the spinning took the leader's CPU
  // (measured: 6 % of a loaded PUT profile).
  rocks.enable_write_thread_adaptive_yield = false;
  // The group leader applies every batch of its group to the memtable
  // itself: with parallel memtable writes each follower is woken once more
  // to insert its own entry, and on 2 cores those wake-ups cost more than
  // the inserts (measured: 6.6 % of a loaded PUT profile).
  rocks.allow_concurrent_memtable_write = false;
  rocks.paranoid_checks = true;
  rocks.manual_wal_flush = false;
  // Every acknowledged write was fsynced, so the only WAL damage a power loss
  // can leave is a torn tail: records of writes that were never
  // acknowledged. kPointInTimeRecovery replays up to the first bad record
  // and opens, which loses nothing acknowledged. kAbsoluteConsistency would
  // refuse to open after every such ordinary crash (it is meant for clean
  // shutdowns only), turning a power cut into an outage.
  rocks.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // EnvFileSystem refuses ReuseWritableFile; and RocksDB 7.8 turns
  // recycling off under kPointInTimeRecovery anyway (SanitizeOptions).
  rocks.recycle_log_file_num = 0;
  // Recovery flushes what it replays and starts a new WAL: an old WAL, which
  // may end in the zeros EnvFileSystem fills ahead (Env::NewLogFile), is
  // never reopened for appending. This is RocksDB's default, pinned here.
  rocks.avoid_flush_during_recovery = false;
  // Needs allow_concurrent_memtable_write off (above): RocksDB ignores
  // hints on the concurrent insert path.
  rocks.memtable_insert_with_hint_prefix_extractor = NewInsertHintPrefixes(options.append_partition_prefixes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Never in a read-only open: see Options::row_cache_bytes.
  if (options.row_cache_bytes > 0 && !options.read_only) {
    rocks.row_cache = rocksdb::NewLRUCache(options.row_cache_bytes);
  }
  table.block_size = options.block_size;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocks.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return rocks;
}

}  // namespace

RocksMetaStore::RocksMetaStore() = default;

RocksMetaStore::~RocksMetaStore() {
  if (committer_.joinable()) {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_one();
    committer_.join();  // completes everything still queued first
  }
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<RocksMetaStore>> RocksMetaStore::Open(const Options& options) {
  if (options.path.empty()) return InvalidArgumentError("meta: empty database path");
  // RocksDB creates the directory but never syncs its parent: do it
  // ourselves so that a new store survives a power loss.
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  if (options.read_only) {
    if (!env.FileExists(options.path)) return NotFoundError("meta: no store at " + options.path);
  } else {
    RETURN_IF_ERROR(CreateDirsDurably(env, options.path));
  }

  std::unique_ptr<RocksMetaStore> store(new RocksMetaStore());
  if (options.env != nullptr) store->rocks_env_ = NewRocksEnvOver(options.env);
  rocksdb::DB* db = nullptr;
  const rocksdb::Options rocks_options = MakeRocksOptions(options, store->rocks_env_.get());
  rocksdb::Status s = options.read_only ? rocksdb::DB::OpenForReadOnly(rocks_options, options.path, &db)
                                        : rocksdb::DB::Open(rocks_options, options.path, &db);
  if (!s.ok()) return FromRocks(s, "meta: opening " + options.path);
  store->db_.reset(db);
  if (options.read_only) {
    store->opened_read_only_ = true;
    store->read_only_.store(true, std::memory_order_release);
  }
  RETURN_IF_ERROR(store->CheckKeyFormat());
  if (options.read_only) return store;  // no committer: every write is refused before it is queued
  RocksMetaStore* raw = store.get();
  store->bind_memtable_arena_ = options.bind_memtable_arena;
  store->committer_ = std::thread([raw, start = options.on_committer_start] {
    if (start) start();
    if (raw->bind_memtable_arena_) raw->bind_memtable_arena_();  // for good: not undone
    raw->CommitterLoop();
  });
  return store;
}

Status RocksMetaStore::CheckKeyFormat() {
  const std::string marker(kFormatMarkerKey);
  const std::string expected = std::to_string(kKeyFormatVersion);
  ASSIGN_OR_RETURN(std::optional<std::string> found, GetPhysical(marker));
  if (found.has_value()) {
    if (*found == expected) return OkStatus();
    return DataLossError("meta: unknown key format version " + *found);
  }
  if (opened_read_only_) return DataLossError("meta: no key format marker: not a Confiance store");
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(marker, expected);
  if (!s.ok()) return FromRocks(s, "meta: format marker");
  return WriteSynced(batch, "format-marker");
}

Result<std::optional<std::string>> RocksMetaStore::GetPhysical(const std::string& physical_key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), physical_key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "meta: get");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> RocksMetaStore::Get(std::string_view partition,
                                                       std::string_view key) {
  RETURN_IF_ERROR(CheckPartition(partition));
  return GetPhysical(EncodeKey(partition, key));
}


Status RocksMetaStore::ReadOnlyError() const {
  if (opened_read_only_) return FailedPreconditionError("meta: store opened read-only");
  return UnavailableError("meta: store is read-only after a write error; restart required");
}

Status RocksMetaStore::Write(rocksdb::WriteBatch& batch, bool sync, std::string_view op_tag) {
  rocksdb::WriteOptions options;
  // A synced write syncs every WAL file with unsynced writes, not only the
  // current one (DBImpl::WriteToWAL): what kWithNextSync relies on.
  options.sync = sync;
  rocksdb::Status s = db_->Write(options, &batch);
  if (s.ok()) return OkStatus();
  // fsyncgate: after a failed write or fsync the WAL's durable content is
  // unknown and the kernel may have dropped the dirty pages, so a retry could
  // "succeed" without the data. Refuse every later write instead; RocksDB
  // also stops writing by itself (background error).
  return FailReadOnly(s, "meta: write of batch '" + std::string(op_tag) + "' failed");
}

Status RocksMetaStore::FailReadOnly(const rocksdb::Status& s, const std::string& what) {
  read_only_.store(true, std::memory_order_release);
  return FromRocks(s, what + "; store is now read-only");
}

Status RocksMetaStore::Apply(std::string_view partition, const Batch& batch) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  ApplyAsync(partition, batch, [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

void RocksMetaStore::ApplyAsync(std::string_view partition, Batch batch,
                                std::function<void(Status)> done) {
  if (Status refused = Admit(partition, batch); !refused.ok()) {
    done(std::move(refused));
    return;
  }
  Enqueue({std::string(partition), std::move(batch), std::move(done)});
}

Status RocksMetaStore::Admit(std::string_view partition, const Batch& batch) const {
  RETURN_IF_ERROR(CheckBatch(partition, batch));
  if (read_only()) return ReadOnlyError();
  return OkStatus();
}

void RocksMetaStore::Enqueue(PendingCommit commit) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(commit));
  }
  queue_cv_.notify_one();
}

void RocksMetaStore::ApplyHere(std::string_view partition, Batch batch, std::function<void(Status)> done) {
  if (Status refused = Admit(partition, batch); !refused.ok()) {
    done(std::move(refused));
    return;
  }
  // A callback of a group being committed on this thread (the committer's,
  // or an ApplyHere's: commit_mu_ may be this thread's), or a group the
  // committer is writing now (waiting for it, then syncing again, would
  // block this thread for two syncs): the committer takes the batch.
  if (t_committing || !commit_mu_.try_lock()) {
    Enqueue({std::string(partition), std::move(batch), std::move(done)});
    return;
  }
  std::lock_guard commit(commit_mu_, std::adopt_lock);
  t_committing = true;
  struct Reset {
    ~Reset() { t_committing = false; }
  } reset;
  // The batches queued before this one go first, in this group: the
  // committer would have taken them before it anyway.
  std::vector<PendingCommit> group;
  {
    std::lock_guard lock(queue_mu_);
    group.swap(queue_);
  }
  group.push_back({std::string(partition), std::move(batch), std::move(done)});
  std::function<void()> unbind;
  if (bind_memtable_arena_) unbind = bind_memtable_arena_();
  CommitGroup(group);
  if (unbind) unbind();
}

void RocksMetaStore::CommitterLoop() {
  // An ApplyAsync from a request thread wakes this thread; on a busy core
  // the wake-up used to switch to it at once, for a group of one batch,
  // and back. Without that preemption the request thread goes on, queues
  // the batches of the requests it has ready, and this thread takes them as
  // one group when the request thread waits (or its time slice ends); an
  // idle core still runs it at once. Measured: 7-15 % less CPU per 4 KiB
  // PUT at 64 connections on one core (docs/PERFORMANCE.md, session 15).
  SetThisThreadPolicy(ThreadPolicy::kBatch);
  t_committing = true;
  std::vector<PendingCommit> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to complete
    }
    std::lock_guard commit(commit_mu_);
    {
      std::lock_guard lock(queue_mu_);
      group.swap(queue_);  // empty if an ApplyHere took them meanwhile
    }
    if (!group.empty()) CommitGroup(group);
    group.clear();
  }
}

void RocksMetaStore::CommitGroup(std::vector<PendingCommit>& group) {
  std::vector<Status> results(group.size());
  std::vector<bool> writes(group.size(), false);
  bool sync = false;  // a batch that writes wants its own durability
  {
    std::shared_lock drop_lock(drop_mu_);
    rocksdb::WriteBatch write;
    // Values written by earlier batches of this group, by physical key: a
    // later batch's conditions are checked against them, not the DB.
    std::unordered_map<std::string, std::optional<std::string>> overlay;
    // The value of `physical` as this group sees it so far.
    auto current_value = [&](const std::string& physical) -> Result<std::optional<std::string>> {
      if (auto it = overlay.find(physical); it != overlay.end()) return it->second;
      return GetPhysical(physical);
    };
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string& partition = group[i].partition;
      const Batch& batch = group[i].batch;
      if (read_only()) {
        results[i] = ReadOnlyError();
        continue;
      }
      Status verdict;
      for (const Condition& c : batch.conditions) {
        Result<std::optional<std::string>> current = current_value(EncodeKey(partition, c.key));
        if (!current.ok()) {
          verdict = current.status();
          break;
        }
        if (*current != c.expected) {
          verdict = FailedPreconditionError("meta: condition on key failed in batch '" + batch.op_tag + "'");
          break;
        }
      }
      if (!verdict.ok()) {
        results[i] = std::move(verdict);
        continue;
      }
      // A batch's mutations enter the group batch (and the overlay) whole or
      // not at all: a counter that fails to decode must not leave earlier
      // mutations of its batch visible to later batches.
      write.SetSavePoint();
      // What this batch wrote, for its own counters and for the conditions
      // of later batches; the last batch of a group without counters (a
      // lone request's commit, a log group) needs neither.
      const bool remember = i + 1 < group.size() ||
                            std::any_of(batch.mutations.begin(), batch.mutations.end(),
                                        [](const Mutation& m) { return !m.add.empty(); });
      std::unordered_map<std::string, std::optional<std::string>> written;
      for (const Mutation& m : batch.mutations) {
        std::string physical = EncodeKey(partition, m.key);
        const std::optional<std::string>* value = &m.value;  // no copy unless remembered
        std::optional<std::string> sum_value;
        if (!m.add.empty()) {
          // A counter: read (through this batch's and the group's writes) and add.
          Result<std::optional<std::string>> current = NotFoundError("unread");
          if (auto it = written.find(physical); it != written.end()) {
            current = it->second;
          } else {
            current = current_value(physical);
          }
          if (!current.ok()) {
            verdict = current.status();
            break;
          }
          Result<std::string> sum = AddCounters(*current, m.add);
          if (!sum.ok()) {
            verdict = sum.status();
            break;
          }
          sum_value = std::move(sum).value();
          value = &sum_value;
        }
        rocksdb::Status s = value->has_value() ? write.Put(physical, **value) : write.Delete(physical);
        if (!s.ok()) {
          verdict = FromRocks(s, "meta: building batch '" + batch.op_tag + "'");
          break;
        }
        if (remember) written[std::move(physical)] = *value;
      }
      if (!verdict.ok()) {
        write.RollbackToSavePoint().PermitUncheckedError();
        results[i] = std::move(verdict);
        continue;
      }
      for (auto& [k, v] : written) overlay[k] = std::move(v);
      write.PopSavePoint().PermitUncheckedError();
      writes[i] = !batch.mutations.empty();
      sync |= writes[i] && batch.durability == Durability::kSynced;
    }
    if (write.Count() > 0) {
      // One write for the whole group, synced unless every batch in it waits
      // for a later sync. RocksDB inserts into the memtable only after the
      // WAL write (and sync) succeeded, so a visible value is a synced one,
      // or one of a kWithNextSync batch whose caller completes a synced
      // batch before acting on it.
      Status written = Write(write, sync, "group of " + std::to_string(group.size()));
      if (!written.ok()) {
        for (size_t i = 0; i < group.size(); ++i) {
          if (writes[i]) results[i] = written;
        }
      }
    }
  }
  // One wake-up per waiting executor for the whole group, not one per batch.
  ResumeBatch resume_once;
  for (size_t i = 0; i < group.size(); ++i) group[i].done(std::move(results[i]));
}

Result<std::vector<Record>> RocksMetaStore::Scan(std::string_view partition,
                                                 const ScanOptions& options) {
  std::vector<Record> out;
  RETURN_IF_ERROR(ScanEach(partition, options, [&](std::string_view key, std::string_view value) {
    out.push_back({std::string(key), std::string(value)});
    return true;
  }));
  return out;
}

Status RocksMetaStore::ScanEach(std::string_view partition, const ScanOptions& options,
                                const ScanVisitor& visit) {
  RETURN_IF_ERROR(CheckPartition(partition));
  if (options.limit == 0) return OkStatus();
  const std::string lower = EncodeKey(partition, options.start);
  const std::string upper =
      options.end.empty() ? PartitionEnd(partition) : EncodeKey(partition, options.end);
  const size_t key_offset = PartitionBegin(partition).size();
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  // An iterator reads from the implicit snapshot taken at its creation: the
  // whole scan sees one consistent state of the partition.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  size_t visited = 0;
  for (it->Seek(lower); it->Valid() && visited < options.limit; it->Next()) {
    std::string_view physical(it->key().data(), it->key().size());
    std::string_view key = physical.substr(key_offset);
    if (options.start_exclusive && key == options.start) continue;
    ++visited;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) return OkStatus();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "meta: scan");
  return OkStatus();
}

Result<std::vector<std::string>> RocksMetaStore::ListPartitions(std::string_view prefix,
                                                                std::string_view start_after,
                                                                size_t limit) {
  std::vector<std::string> out;
  if (limit == 0) return out;
  const std::string escaped_prefix = EscapePartitionName(prefix);
  std::string target = escaped_prefix;
  if (!start_after.empty()) target = std::max(target, PartitionEnd(start_after));
  // Visit one key per partition: after each, jump past the partition's range.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(target); it->Valid() && out.size() < limit;) {
    std::string_view physical(it->key().data(), it->key().size());
    if (!physical.starts_with(escaped_prefix)) break;
    std::optional<DecodedKey> decoded = DecodeKey(physical);
    if (!decoded.has_value()) return DataLossError("meta: malformed physical key");
    std::string next = PartitionEnd(decoded->partition);
    // The empty name is the store's reserved records, not a user partition.
    if (!decoded->partition.empty()) out.push_back(std::move(decoded->partition));
    it->Seek(next);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "meta: list partitions");
  return out;
}

size_t RocksMetaStore::TEST_RowCacheUsage() const {
  const std::shared_ptr<rocksdb::Cache>& cache = db_->GetDBOptions().row_cache;
  return cache ? cache->GetUsage() : 0;
}

Status RocksMetaStore::TEST_WaitForBackgroundWork() {
  // Pausing waits for the scheduled jobs to drain; continuing schedules
  // whatever they left to do, which is nothing once a compaction has run.
  rocksdb::Status s = db_->PauseBackgroundWork();
  if (!s.ok()) return FromRocks(s, "meta: pausing background work");
  s = db_->ContinueBackgroundWork();
  if (!s.ok()) return FromRocks(s, "meta: resuming background work");
  return OkStatus();
}

Status RocksMetaStore::Purge(std::string_view partition) {
  RETURN_IF_ERROR(CheckPartition(partition));
  if (read_only()) return ReadOnlyError();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  // A flush or compaction that fails on I/O (a table file, the MANIFEST)
  // leaves RocksDB with a background error that stops its writes: the
  // store turns read-only at once, as after a failed write, so the next
  // request is refused with that reason rather than failing obscurely.
  auto failed = [&](const rocksdb::Status& st, const std::string& what) -> Status {
    if (!st.IsIOError() && !st.IsCorruption()) return FromRocks(st, what);
    return FailReadOnly(st, what);
  };
  rocksdb::Status s = db_->Flush(flush);
  if (!s.ok()) return failed(s, "meta: purge: flush");
  const std::string begin = PartitionBegin(partition);
  const std::string end = PartitionEnd(partition);
  rocksdb::Slice b(begin), e(end);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db_->CompactRange(compact, &b, &e);
  if (!s.ok()) return failed(s, "meta: purge: compaction");
  return OkStatus();
}

Status RocksMetaStore::Checkpoint(const std::string& dir) {
  if (read_only()) return ReadOnlyError();
  if (dir.empty()) return InvalidArgumentError("meta: checkpoint: empty directory");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "meta: checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush first, so that the copy holds table
  // files and an almost empty WAL rather than a copy of a long one.
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  if (s.IsInvalidArgument() && s.ToString().find("exists") != std::string::npos) {
    return AlreadyExistsError("meta: checkpoint: " + dir + " already exists");
  }
  if (!s.ok()) return FromRocks(s, "meta: checkpoint into " + dir);
  return OkStatus();
}

Result<uint64_t> RocksMetaStore::CopyInto(RocksMetaStore& dest) {
  RETURN_IF_ERROR(dest.Writable());
  constexpr size_t kBatchBytes = size_t{4} << 20;
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  rocksdb::WriteBatch batch;
  uint64_t records = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Status s = batch.Put(it->key(), it->value());
    if (!s.ok()) return FromRocks(s, "meta: copy");
    ++records;
    if (batch.GetDataSize() >= kBatchBytes) {
      RETURN_IF_ERROR(dest.Write(batch, /*sync=*/false, "copy"));
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "meta: copy: reading");
  RETURN_IF_ERROR(dest.WriteSynced(batch, "copy"));
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = dest.db_->Flush(flush);
  if (!s.ok()) return FromRocks(s, "meta: copy: flush");
  return records;
}

Status RocksMetaStore::VerifyChecksums() {
  rocksdb::ReadOptions options;
  options.fill_cache = false;  // a pass over everything: keep the hot blocks cached
  rocksdb::Status s = db_->VerifyChecksum(options);
  if (!s.ok()) return FromRocks(s, "meta: verify checksums");
  return OkStatus();
}

Status RocksMetaStore::DropPartition(std::string_view partition) {
  RETURN_IF_ERROR(CheckPartition(partition));
  if (read_only()) return ReadOnlyError();
  rocksdb::WriteBatch write;
  rocksdb::Status s = write.DeleteRange(PartitionBegin(partition), PartitionEnd(partition));
  if (!s.ok()) return FromRocks(s, "meta: drop partition");
  std::unique_lock drop_lock(drop_mu_);
  return WriteSynced(write, "drop-partition");
}

}  // namespace confiance::meta

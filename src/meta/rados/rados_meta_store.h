// File: meta/rados/rados_meta_store.h
// RadosMetaStore: the MetaStore on a Ceph RADOS pool (librados), so that an
// operator's Ceph cluster holds the metadata as well as the data
// (docs/rados.md, "Metadata on RADOS"). The layout of ../shared/RADOS.md,
// on plain librados (no object class to install on the OSDs):
//
//   m.<partition>          one object per partition: its records are the
//                          object's omap. The name is the partition's bytes
//                          with '%', and any byte outside printable ASCII,
//                          as %XX.
//   confiance.meta.owner   an exclusive lock (blob/rados/rados_lease.h)
//                          naming the one store instance allowed to use the
//                          namespace; with a sealer, its omap holds a check
//                          value sealed under the namespace's key, so that
//                          a server with another key is refused at Open
//
// Omap keys are "k" + the record key with byte 0x00 as 0x01 0x01 and 0x01
// as 0x01 0x02: librados' C calls take a listing's start as a C string, and
// this escape keeps memcmp order. Values are stored as given, or sealed by
// Options::sealer (the metadata key: values are then ciphertext on the
// OSDs; keys and partition names are not, see docs/rados.md).
//
// Apply is one atomic compound op on the partition's object: omap_cmp for
// each condition (a missing key compares as the empty value, which no
// record holds), then omap_set and omap_rm_keys of the batch's final state.
// Counter adds (Batch::Add) compare the counters' values too. The lease
// makes this process the namespace's only writer, so batches with adds to
// one partition take turns (CounterStripe), each knowing the counters'
// values from the one before: no read, and no retry unless a batch without
// adds deleted a counter meanwhile. A comparison that fails for that reason
// makes the batch forget, read and try again: adds never conflict for the
// caller. Batches with adds that queued meanwhile on the same partition
// commit as one op, up to 64 (group commit: concurrent PUTs into one bucket
// share commits), unless a batch's conditions read a key an earlier one
// writes; if a condition of the group fails, each batch is tried alone.
// Every write is on every replica's disk when it is acknowledged, so
// kWithNextSync is kSynced.
//
// ApplyAsync hands the batch to one of the store's own threads
// (Options::apply_threads), which run Apply and then `done`: a network
// thread never waits on the cluster for a commit.
//
// A Scan of more than one OSD page (1,024 records) asserts the object's
// version from its first page on, and starts again if a write came in
// between: the scan is one snapshot.
//
// An error of the cluster (Unavailable for a timeout, and so on) fails the
// call; it does not turn the store read-only, as a local store's failed
// sync must (there is no page cache between us and the OSDs to lie about
// what landed). A timed-out Apply may still land later (RADOS.md, trap a):
// callers resolve by reading, as the contract says.
//
// Snapshot (an online backup's view of one point) is a self-managed RADOS
// snapshot of the namespace, read through a connection of its own.
//
// Announce and Watch (change notices for other processes' caches) use
// watch/notify on one object of the namespace (meta/rados/rados_notices.h);
// the lease thread makes a broken watch again. HoldLease (background work
// done by one process at a time) is a cls_lock on an object of the
// namespace per lease, `confiance.meta.worker.<name>`
// (meta/rados/rados_worker_leases.h).
//
// One store instance per namespace (the lease), as RadosBlobStore. Checkpoint,
// VerifyChecksums and Purge are not this store's: there are no files to
// checkpoint (backups copy a Snapshot), Ceph deep-scrubs its pools itself,
// and the OSDs' own compaction drops overwritten omap values.
//
// Thread-safety: safe for concurrent use. Every call blocks on the network.
#pragma once

#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "blob/rados/rados_io.h"
#include "blob/rados/rados_lease.h"
#include "blob/rados/rados_options.h"
#include "meta/meta_store.h"
#include "meta/rados/rados_notices.h"
#include "meta/rados/rados_worker_leases.h"
#include "meta/value_sealer.h"

namespace confiance::meta {

class RadosMetaStore final : public MetaStore {
 public:
  struct Options {
    blob::RadosConnection connection;
    uint32_t lease_seconds = 15;
    // Seals every value before it leaves the process; null: values as given.
    // Must outlive the store.
    const ValueSealer* sealer = nullptr;
    // Threads that run ApplyAsync's batches (each waits on one commit at a
    // time): at most this many commits of ApplyAsync in flight.
    size_t apply_threads = 16;
  };

  // Connects and takes the lease. InvalidArgument for bad options;
  // FailedPrecondition if another instance holds the lease.
  static Result<std::unique_ptr<RadosMetaStore>> Open(const Options& options);
  ~RadosMetaStore() override;  // stops the lease thread and releases the lease

  Result<std::optional<std::string>> Get(std::string_view partition, std::string_view key) override;
  Status Apply(std::string_view partition, const Batch& batch) override;
  void ApplyAsync(std::string_view partition, Batch batch, std::function<void(Status)> done) override;
  Status Writable() const override;
  Result<std::vector<Record>> Scan(std::string_view partition, const ScanOptions& options) override;
  Result<std::vector<std::string>> ListPartitions(std::string_view prefix, std::string_view start_after,
                                                  size_t limit) override;
  Status DropPartition(std::string_view partition) override;
  Status Checkpoint(const std::string& dir) override;
  // A self-managed snapshot: its id is taken from the monitors first, then
  // writes are held (every write under way ends first) while the namespace
  // is listed and the snapshot put in the write context of every later
  // write, so that the view is one point of the commit order: every write
  // acknowledged before is in it, none begun after. From then on the OSDs
  // keep, on each partition's first write, a clone of its data and omap.
  // The view reads at the snapshot through a connection of its own;
  // destroying it removes the snapshot (the OSDs trim the clones).
  // FailedPrecondition if the pool cannot take one: it has pool snapshots
  // (`ceph osd pool mksnap`), which exclude self-managed ones.
  Result<std::unique_ptr<MetaStore>> Snapshot() override;
  // Change notices by watch/notify on the namespace (meta/rados/rados_notices.h).
  Status Announce(std::string_view topic, std::string_view subject) override;
  std::unique_ptr<NoticeWatch> Watch(std::string_view topic, NoticeHandler changed) override;
  bool NoticesCurrent() override;
  // This instance's notices by outcome (RadosNotices::Stats); zeros in a
  // snapshot's view.
  RadosNotices::Stats NoticeStats() const { return notices_ != nullptr ? notices_->stats() : RadosNotices::Stats{}; }
  // Worker leases as cls_locks (meta/rados/rados_worker_leases.h); the
  // namespace's lease's error while this instance may have lost that.
  Result<bool> HoldLease(std::string_view name, std::chrono::seconds period) override;
  void ReleaseLease(std::string_view name) override;
  // Not yet: the namespace's lease is exclusive, so no other instance
  // writes while this one holds it (docs/rados.md, "Several gateways").
  bool SharedWithOtherProcesses() const override { return false; }

  // For the operator's metrics and logs.
  const blob::RadosStats& stats() const { return io_->stats(); }
  const blob::RadosConnection& connection() const { return options_.connection; }
  bool HoldsLease() const { return lease_ != nullptr && lease_->Check().ok(); }
  // The worker leases asked for, and whether this server holds each
  // (RadosWorkerLeases::Asked).
  std::vector<std::pair<std::string, bool>> WorkerLeases() const {
    return worker_leases_ != nullptr ? worker_leases_->Asked() : std::vector<std::pair<std::string, bool>>{};
  }

  // The object that holds `partition`, and back (nullopt: not a partition's).
  static std::string ObjectName(std::string_view partition);
  static std::optional<std::string> PartitionOf(std::string_view object_name);
  // A record key as an omap key, and back (nullopt: not a record's).
  static std::string OmapKey(std::string_view key);
  static std::optional<std::string> RecordKey(std::string_view omap_key);

 private:
  explicit RadosMetaStore(const Options& options) : options_(options) {}

  // Batches with counter adds to the partitions of one stripe take turns
  // (one commit under way per stripe); `known` is what the counters of
  // those partitions held after the last such commit (or a read), by object
  // name + '\0' + omap key (nullopt: absent).
  struct QueuedBatch {
    const std::string* oid;
    std::string_view partition;
    const Batch* batch;
    bool done = false;  // guarded by the stripe's mu
    Status result;      // set by the committer before `done`
  };
  struct CounterStripe {
    std::mutex mu;
    std::condition_variable cv;      // a commit ended
    std::deque<QueuedBatch*> queue;  // guarded by mu
    bool committing = false;         // guarded by mu
    // Used only by the committing thread.
    std::unordered_map<std::string, std::optional<std::string>> known;
  };

  // ApplyOnce until it is not Aborted (kMaxAddAttempts at most).
  Status ApplyWithRetries(const std::string& oid, std::string_view partition, const Batch& batch,
                          CounterStripe* stripe);
  // Removes from the stripe's queue its head and the batches that may join
  // it in one commit. REQUIRES: mu held, queue not empty.
  std::vector<QueuedBatch*> TakeGroup(CounterStripe& stripe);
  // Commits the group and sets each batch's result (not `done`).
  void CommitGroup(const std::vector<QueuedBatch*>& group, CounterStripe& stripe);

  // One attempt at Apply: FailedPrecondition for a condition that did not
  // hold; Aborted if only a counter's value was not the one expected.
  // `stripe`: the partition's, held, for a batch with adds (else null).
  Status ApplyOnce(const std::string& oid, std::string_view partition, const Batch& batch, CounterStripe* stripe);
  // One attempt at Scan; Aborted if the object changed between two pages.
  Status ScanOnce(const std::string& oid, std::string_view partition, const ScanOptions& options,
                  std::vector<Record>* out);
  Result<bool> HasRecords(const std::string& oid);
  // The names of the partition objects in the namespace (those with no
  // record left included), sorted.
  Result<std::vector<std::string>> ListPartitionObjects(std::string_view prefix, std::string_view start_after);
  // FailedPrecondition for a snapshot's view (it is read-only), else the
  // lease's state.
  Status CheckWritable() const;

  // Writes to partitions (commits and removals) pass the gate; Snapshot
  // holds it shut while it lists the namespace and puts its snapshot in the
  // write context, once every write that passed has ended.
  class WriteGate;
  class HeldWrites;
  void EnterWrite();
  void ExitWrite();
  // Tells the store's connection which snapshots its writes must preserve.
  // REQUIRES: writes held.
  Status SetSnapWriteContext();
  // The view's destructor: the snapshot is no longer preserved.
  void ReleaseSnapshot(uint64_t snap);
  std::string Seal(std::string_view partition, std::string_view key, std::string_view value) const;
  Result<std::string> Unseal(std::string_view partition, std::string_view key, std::string_view stored) const;
  // With a sealer: FailedPrecondition if the namespace holds values sealed
  // under another key (a check value kept beside the lease); a new
  // namespace gets one.
  Status CheckSealer();
  void LeaseLoop();
  void ApplyLoop();

  struct PendingApply {
    std::string partition;
    Batch batch;
    std::function<void(Status)> done;
  };

  const Options options_;
  std::unique_ptr<blob::RadosIo> io_;
  std::unique_ptr<blob::RadosLease> lease_;
  std::unique_ptr<RadosNotices> notices_;  // null in a snapshot's view
  std::unique_ptr<RadosWorkerLeases> worker_leases_;  // null in a snapshot's view
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread lease_thread_;
  std::mutex apply_mu_;
  std::condition_variable apply_cv_;
  std::deque<PendingApply> pending_;  // guarded by apply_mu_
  bool apply_stopping_ = false;       // guarded by apply_mu_
  std::vector<std::thread> apply_threads_;
  std::array<CounterStripe, 64> counter_stripes_;

  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  int writes_in_flight_ = 0;     // guarded by gate_mu_
  bool writes_held_ = false;     // guarded by gate_mu_
  std::vector<uint64_t> snaps_;  // live snapshots, newest first; changed with writes held
  uint64_t snap_seq_ = 0;        // the newest snapshot ever taken; changed with writes held

  // A snapshot's view (Snapshot): the store it was taken of, the snapshot,
  // and the partition objects there were.
  RadosMetaStore* snapshot_of_ = nullptr;
  uint64_t snap_id_ = 0;
  std::vector<std::string> snapshot_objects_;
};

}  // namespace confiance::meta

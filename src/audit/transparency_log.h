// File: audit/transparency_log.h
// TransparencyLog: one durable, append-only Merkle log (one per tenant plus
// the operator's), stored in one MetaStore partition; and AppendCallback,
// the way a request awaits its entry's durability.
//
// Storage (docs/audit-log.md): every entry, the hash of every complete
// subtree of 256 leaves or more (smaller ones are recomputed from their
// entries when read: a tile or proof never hashes more than 255 entries
// per node) and the tree size with its right edge are written by one
// atomic, synced MetaStore batch per group of appends, conditional on the
// previous size record. A crash therefore leaves the log at the size of the
// last acknowledged group, with every hash that size needs: never a torn
// tree. Open recomputes the right edge from the entries at the tail,
// checks it against the stored edge and the stored checkpoint against the
// tree, and refuses (DataLoss) a log that disagrees.
//
// Group commit: at most one batch per log is in flight. Appends that arrive
// meanwhile queue and go out together as the next batch (one condition, one
// sync); a store that groups batches (RocksMetaStore) also shares that sync
// across logs.
//
// Linger (with a LingerTimer): when a group completes, the log estimates how
// many appends are outstanding (the group's plus those queued behind it:
// in a loaded server the requests just answered come back) and holds the
// next group until that many have queued, or until `max_linger` has passed
// (the timer then sends what is there). The group is sent by the Append
// that fills it, on the caller's thread, so a lingering log costs no extra
// thread hand-off. Without that wait a server whose request thread is the
// bottleneck sends a sync for every two or three requests it manages to
// process during the previous sync (docs/PERFORMANCE.md, issue 7). A log
// whose last group was a single append with nothing queued (one client at a
// time) never lingers.
//
// Committing on the caller's thread (with a ServerLoad): a group formed by
// an Append (the one that fills a linger, or the first after an idle
// spell) is committed on the appending thread (MetaStore::ApplyHere) when
// it holds at least one append per open connection. Every client then
// waits on this group, so that thread has nothing else to do during the
// sync, and the two thread hand-offs (to the committer and back) cost more
// than they overlap: measured 33-35 against 38-48 µs of CPU per 4 KiB GET
// at 16 connections (docs/PERFORMANCE.md, session 18). With more
// connections than the group holds, another request may be ready to
// process, and the committer takes the group as before (an earlier rule
// that blocked there too lost up to a third of the rate at 64 connections).
//
// Errors: a failed batch fails every append in it and turns the log failed:
// every later append fails with Unavailable until the log is reopened (the
// batch may or may not have landed; the store resolves it on reopen).
//
// Several writers (gateways sharing one store, docs/rados.md): a batch
// whose size condition fails because the stored tree grew meanwhile is not
// a failure. The log reads the stored tail (the size record holds the
// right edge), puts the same appends after it, and sends the batch again
// (for at most kMaxConflictWait); their indices are where they landed. The
// in-memory tree only moves forward. Checkpoints are published by
// compare-and-set and never replace a larger one; reads that reach beyond
// this log's tree first read the stored tail; Open retries its checks when
// the tree grew while it read. This is not fair: a writer whose next batch
// is always ready first can win every round, and the other's appends then
// wait until it pauses (or fail after kMaxConflictWait). It suits a log that one writer appends to at a time (a
// sequencer's handover, occasional operator actions); a tenant's log
// written hard from several gateways needs a sequencer (docs/rados.md,
// "Several gateways").
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/linger_timer.h"
#include "audit/log_stats.h"
#include "audit/tlog/merkle.h"
#include "audit/tlog/note.h"
#include "common/server_load.h"
#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::audit {

// Called once per append with the entry's index once it is durable, or the
// error. Runs on the store's committer thread (or inline): it must be quick
// and must not block; hand the result to an executor (AwaitCallback does).
using AppendCallback = std::function<void(Result<uint64_t>)>;

// How a log forms its groups (see Linger above).
struct GroupOptions {
  LingerTimer* timer = nullptr;  // borrowed, outlives the log; null: never linger
  std::chrono::microseconds max_linger{1000};
  // Borrowed, outlives the log; null: never commit on the caller's thread.
  const ServerLoad* load = nullptr;
  // Borrowed, outlives the log; null: not counted.
  LogStats* stats = nullptr;
};

class TransparencyLog {
 public:
  // Opens (or creates, empty) the log named `origin` in `store`. `store`
  // and `signer` are borrowed and must outlive the log. DataLoss if the
  // stored log is inconsistent (see above); the store's error otherwise.
  static Result<std::unique_ptr<TransparencyLog>> Open(meta::MetaStore& store, std::string origin,
                                                       const tlog::NoteSigner& signer,
                                                       GroupOptions group_options = {});
  ~TransparencyLog();
  TransparencyLog(const TransparencyLog&) = delete;
  TransparencyLog& operator=(const TransparencyLog&) = delete;

  // The MetaStore partition of the log named `origin`.
  static std::string PartitionName(std::string_view origin);

  const std::string& origin() const { return origin_; }

  // Appends `entry` (at most tlog::kMaxEntrySize bytes, else `done` gets
  // InvalidArgument). `done` runs exactly once, after the group holding the
  // entry is durable, with the entry's index; entries are indexed in the
  // order Append was called.
  void Append(std::string entry, AppendCallback done);

  // The number of durable entries.
  uint64_t size() const;
  // The root hash of the durable tree.
  tlog::Hash root() const;

  // Signs a checkpoint of the durable tree, stores it (synced) as the
  // latest, and returns the signed note. Called by a timer (at least every
  // second while there is traffic) and on demand.
  Result<std::string> PublishCheckpoint();
  // Replaces the stored checkpoint `note` by `cosigned` (the same note with
  // witness cosignatures added), so that readers get both; FailedPrecondition
  // if a newer checkpoint was stored meanwhile (nothing changes then).
  Status StoreCosignedCheckpoint(const std::string& note, const std::string& cosigned);
  // The latest stored checkpoint note; NotFound if none was published.
  Result<std::string> LatestCheckpoint();

  // Reads of the durable log, for the tiles API and proofs. OutOfRange if
  // they reach beyond size().
  Result<std::string> Entry(uint64_t index);
  Result<tlog::Hash> NodeHash(int level, uint64_t index);
  // The bytes of a tlog-tiles hash tile / entry bundle (width 1..256).
  Result<std::string> HashTile(int tile_level, uint64_t index, uint64_t width);
  Result<std::string> EntryBundle(uint64_t index, uint64_t width);
  Result<std::vector<tlog::Hash>> InclusionProof(uint64_t index, uint64_t tree_size);
  Result<std::vector<tlog::Hash>> ConsistencyProof(uint64_t size1, uint64_t size2);

 private:
  struct Pending {
    std::string entry;
    AppendCallback done;
  };
  struct Group {
    std::vector<Pending> appends;
    uint64_t first_index = 0;
    tlog::CompactRange range_after;
    std::string size_record_after;  // the "s" record the batch stores
    std::chrono::steady_clock::time_point submitted;  // for LogStats::commit_latency
    std::chrono::steady_clock::time_point taken;      // when its appends left the queue
  };
  // The stored tree: its range and the "s" record it was read from.
  struct Tail {
    tlog::CompactRange range;
    std::optional<std::string> record;
  };

  TransparencyLog(meta::MetaStore& store, std::string origin, const tlog::NoteSigner& signer,
                  GroupOptions group_options);
  Status Recover();
  Status RecoverOnce();
  Result<Tail> ReadTail();
  // Moves the in-memory tree to the stored one if that is larger (another
  // writer appended).
  Status CatchUp();
  // Whether a read's bounds check `within` holds for this log's tree,
  // asked again after CatchUp when it did not: the store's error otherwise.
  Result<bool> WithinTree(const std::function<bool()>& within);
  // REQUIRES mu_ held. Forward only.
  void AdvanceLocked(const tlog::CompactRange& range, const std::optional<std::string>& record);
  // Complete-subtree hashes: read (levels of 256 leaves and up) or
  // recomputed from the entries under them (below), as Nodes() chooses.
  tlog::NodeSource Nodes();
  Result<tlog::Hash> StoredNode(int level, uint64_t index);
  Result<tlog::Hash> ComputedNode(int level, uint64_t index);
  // Entries [begin, end) of the durable log and their leaf hashes;
  // DataLoss if one is missing.
  Result<std::vector<std::string>> ReadEntries(uint64_t begin, uint64_t end);
  Result<std::vector<tlog::Hash>> LeafHashes(uint64_t begin, uint64_t end);
  // REQUIRES mu_ held, !in_flight_, !queue_.empty(). Takes the queued
  // appends and builds their batch against range_.
  std::shared_ptr<Group> TakeGroupLocked(meta::Batch& batch);
  // REQUIRES mu_ held. The batch of `group`'s appends after range_.
  void FillBatchLocked(Group& group, meta::Batch& batch);
  // After a failed batch: if another writer grew the stored tree, sends
  // the group again after it and returns true.
  bool RetryAfterAnotherWriter(const std::shared_ptr<Group>& group, const Status& status);
  // Hands `group` to the store's committer (`here`: commits it on this
  // thread, ApplyHere).
  void Submit(std::shared_ptr<Group> group, meta::Batch batch, bool here = false);
  void Completed(const std::shared_ptr<Group>& group, const Status& status);
  // The timer's end of linger number `generation`: sends what has queued.
  void LingerExpired(uint64_t generation);

  meta::MetaStore& store_;
  const std::string origin_;
  const std::string partition_;
  const tlog::NoteSigner& signer_;
  const GroupOptions group_options_;
  static constexpr size_t kMaxGroup = 4096;
  // How long a group keeps going again behind other writers' appends
  // before its appends fail (Unavailable, as any failed group's).
  static constexpr std::chrono::seconds kMaxConflictWait{10};
  static constexpr int kMaxOpenAttempts = 8;  // Open's checks, a checkpoint's compare-and-set

  std::mutex publish_mu_;  // orders checkpoint writes
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;  // signalled when in_flight_ turns false
  std::deque<Pending> queue_;      // GUARDED_BY(mu_)
  // True while a batch is in flight or the log lingers: only the holder of
  // that state (the completion, the filling Append, the timer) sends a group.
  bool in_flight_ = false;         // GUARDED_BY(mu_)
  bool lingering_ = false;         // GUARDED_BY(mu_)
  bool closing_ = false;           // GUARDED_BY(mu_): the destructor runs; never linger
  size_t linger_target_ = 0;       // GUARDED_BY(mu_): queue size that ends the linger
  uint64_t linger_generation_ = 0; // GUARDED_BY(mu_)
  Status failed_;                  // GUARDED_BY(mu_)
  tlog::CompactRange range_;       // GUARDED_BY(mu_): the durable tree
  // GUARDED_BY(mu_): the stored "s" record of range_, byte for byte (the
  // next batch is conditional on it); absent while nothing was stored.
  std::optional<std::string> size_record_;
};

}  // namespace confiance::audit

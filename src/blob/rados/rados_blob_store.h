// File: blob/rados/rados_blob_store.h
// RadosBlobStore: the BlobStore on a Ceph RADOS pool (librados), so that an
// operator's Ceph cluster holds the data (docs/rados.md). The metadata stays
// in the data directory's RocksDB; this is the blob half of the scale-out
// path of ../shared/RADOS.md, on plain librados (no object class to install
// on the OSDs).
//
// Objects, in the configured pool and namespace:
//   <id>.<n>              stripe n of blob <id>: bytes [n*S, (n+1)*S), S =
//                         the stripe size (RADOS objects are best kept small;
//                         one op is limited to 90 MiB)
//   confiance.index.<hh>  omap: id -> "1 <size> <S> <mtime>" for every
//                         committed blob whose id starts with <hh> (256
//                         shards, so that listing by id is ordered), and
//                         "0 <time>", a tombstone, for a blob a recovery
//                         took for abandoned, until the gc removes it
//   confiance.intents.<b> omap: id -> time, the blobs being written by the
//                         store instance (boot) <b>
//   confiance.boots       omap: the boots that may have left intents
//   confiance.gc          omap: the minute buckets that hold deletions
//   confiance.gc.<m>      omap: id -> entry, blobs deleted in minute <m>
//   confiance.owner       an exclusive lock (cls_lock lease) naming the one
//                         store instance allowed to use the namespace (or
//                         shared ones, each instance's, see below)
//   confiance.boot.<b>    shared namespaces: boot <b>'s lock while it runs,
//                         then a recovery's for good
//
// Write: the intent is recorded, stripes are written (up to kMaxInFlight
// writes of kWriteUnit bytes in flight; an acknowledged RADOS write is on
// every replica's disk), then Commit sets the index entry: one atomic omap
// op, so the blob is visible whole or not at all. Then the intent is
// dropped, in a batch with others' and without waiting (its removal may be
// lost in a crash: harmless, see below).
//
// Crash recovery (Open): for each earlier boot's intents, a blob with an
// index entry is kept; any other gets a tombstone as its index entry (set
// only if the entry is absent, in one op), then its stripes are removed and
// the tombstone is queued for the gc. Commit sets the entry only if absent
// too, so a writer that outlived its boot's recovery (stalled past its
// lease) fails to commit instead of making visible a blob without its
// stripes; the tombstone's gc, a gc delay later, removes any stripe it
// wrote since. Then the boot's intents object goes whole (deleted omap keys
// would slow later listings of their object: RADOS.md trap c).
//
// Delete: the blob's index entry moves to the current minute's gc bucket
// (registered first, so that no bucket is ever lost), then it is removed
// from the index: Open answers NotFound at once, but the stripes stay for
// gc_delay_seconds (as Ceph RGW's rgw_gc_obj_min_wait), so that a reader
// opened before keeps reading (BlobReader's contract). A read that outlasts
// the delay fails with DataLoss; it never returns wrong bytes. The gc pass
// (the store's gc thread, or CollectGarbage) removes a ripe bucket's stripes,
// then the bucket object whole.
//
// One store instance per namespace: Open takes the lease (blob/rados/
// rados_lease.h) and the store's lease thread renews it; a second server on
// the same namespace is refused (it would sweep the first one's blobs as
// orphans). A store that fails to renew its lease refuses writes and
// deletions (RadosLease::Check).
//
// Unless every instance on the namespace is opened `shared` (several
// gateways over one metadata store): then each holds a shared lock on
// confiance.owner (refusing, and refused by, an unshared instance) and an
// exclusive one on its own confiance.boot.<b>, listed in confiance.boots
// only once locked. Recovery (at Open, then at every gc pass) takes only
// the boots whose lock it can take, for good (RadosLease::TakeForGood): a
// dead boot's. A boot that was only stalled then finds its lock taken and
// refuses writes until restarted, and its late commits meet the
// tombstones. Every instance runs the gc passes (each step is idempotent).
//
// Space: CheckSpace refuses new data (ResourceExhausted) once the cluster
// is `full_ratio` used (by default 0.90, below Ceph's own full ratio, 0.95,
// at which the OSDs stop accepting writes), so deletions still work.
//
// Thread-safety: safe for concurrent use; a writer by one thread at a time.
// Every call blocks on the network: call them off the network threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "blob/blob_store.h"
#include "blob/rados/rados_io.h"
#include "blob/rados/rados_lease.h"
#include "blob/rados/rados_options.h"

namespace confiance::blob {

class RadosBlobStore final : public BlobStore {
 public:
  static constexpr uint64_t kWriteUnit = 1 << 20;
  static constexpr size_t kMaxInFlight = 4;

  // Connects, takes the lease, recovers earlier boots' intents and starts
  // the store's threads (lease renewal and space statistics; gc). InvalidArgument
  // for bad options; FailedPrecondition if another instance holds the lease.
  static Result<std::unique_ptr<RadosBlobStore>> Open(const RadosOptions& options);
  ~RadosBlobStore() override;  // stops the threads and releases the lease

  Result<std::unique_ptr<BlobWriter>> NewBlob() override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& id) override;
  Status Delete(const std::string& id) override;
  Result<std::vector<BlobInfo>> List(const std::string& start_after, size_t limit) override;
  Status CheckSpace(uint64_t bytes) override;

  // One gc pass at `now_seconds`: removes the stripes of every blob deleted
  // in a minute that ended gc_delay_seconds or more before. Returns the
  // number of blobs collected. The store's gc thread calls it too.
  Result<size_t> CollectGarbage(uint64_t now_seconds);
  // This instance's boot id (its lease cookie and intents object).
  const std::string& boot() const { return boot_; }
  // Recovers the writes boot `boot` left unfinished, as Open does for
  // every earlier boot: `kept` counts those it committed, `removed` those
  // it did not (tombstoned, their stripes removed). Public for tests: a
  // writer that outlives its boot's recovery.
  Status RecoverBoot(const std::string& boot, size_t& kept, size_t& removed);
  const RadosOptions& options() const { return options_; }

  // For the operator's metrics (blob/rados/rados_stats.h).
  const RadosStats& stats() const { return io_->stats(); }
  // Whether this instance holds the lease for sure (writes are allowed).
  bool HoldsLease() const { return CheckLeases().ok(); }
  // Whether another instance took the lease (or, shared, a recovery took
  // this boot's): writes are refused until a restart.
  bool LeaseTakenByAnother() const;
  // The cluster's used and total bytes as last refreshed (every few
  // seconds, by the lease thread); {0, 0} before the first answer.
  std::pair<uint64_t, uint64_t> ClusterBytes() const { return {used_bytes_, total_bytes_}; }

 private:
  class Writer;
  explicit RadosBlobStore(const RadosOptions& options) : options_(options) {}

  // Recovers every earlier boot's writes (shared: every dead boot's).
  Status RecoverIntents();
  // OK while writes are allowed: the namespace's lease, and shared, this
  // boot's lock.
  Status CheckLeases() const;
  Status RefreshSpace();
  // The store's threads: one renews the lease (and refreshes the space
  // figures, flushes dropped intents), one collects garbage, so that a long
  // gc pass never delays a renewal. Each returns once the store stops.
  void LeaseLoop();
  void GcLoop();
  // Sleeps `how_long` or until the store stops; false once it stops.
  bool SleepUnlessStopping(std::chrono::seconds how_long);
  Status RemoveStripes(const std::string& id, uint64_t stripes);
  // Committed blobs' intents are removed in batches (one OSD op per
  // kIntentBatch commits, or per tick of the lease thread), not waited for.
  static constexpr size_t kIntentBatch = 64;
  void DropIntent(const std::string& id);
  void FlushDroppedIntents();
  Status RemoveUnknownStripes(const std::string& id);
  // Puts `entry` (an index entry, or a tombstone) for `id` in the current
  // minute's gc bucket, registering the bucket first.
  Status AddToGc(const std::string& id, const std::string& entry);

  const RadosOptions options_;
  std::unique_ptr<RadosIo> io_;
  std::string boot_;
  std::string intents_oid_;
  std::unique_ptr<RadosLease> lease_;       // on confiance.owner: exclusive, or shared
  std::unique_ptr<RadosLease> boot_lease_;  // shared only: on confiance.boot.<boot>
  std::atomic<uint64_t> used_bytes_{0};
  std::atomic<uint64_t> total_bytes_{0};
  std::mutex registry_mu_;  // guards last_gc_bucket_
  std::string last_gc_bucket_;
  std::mutex gc_pass_mu_;  // one gc pass at a time
  std::mutex intents_mu_;
  std::vector<std::string> dropped_intents_;  // guarded by intents_mu_
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread lease_thread_;
  std::thread gc_thread_;
};

}  // namespace confiance::blob

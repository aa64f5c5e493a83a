// File: catalog/reclaim.h
// Reclaimer: after a crypto-shred, removes what can no longer be read
// (docs/keys.md "Reclamation"): the object records (current entries,
// noncurrent versions, delete markers), the in-progress uploads with their
// part lists, and the blobs they reference, freed through ReleaseSegments.
//   - Tenant shred (TenantKeys::Destroy, then EnqueueTenant): every bucket
//     the tenant owns is emptied; the bucket records stay (their names stay
//     taken, and every request on them keeps answering that the tenant's key
//     was destroyed). A bucket key wrapped by the provider itself (a bucket
//     from before tenant keys) does not die with the tenant key: it is
//     destroyed at once, as a bucket shred's is (DropProviderWrappedKeys).
//     Each bucket gets the fences of every version of its key before it is
//     emptied (Catalog::FenceRetiredKeyVersions), so that a write whose
//     body was still arriving at the destruction cannot land after it.
//   - Bucket shred (ShredBucket): the bucket key is destroyed at once (the
//     record's wrapped key removed, the "buckets" partition purged), then
//     the bucket is emptied and its record deleted: the name is free again.
//
// Jobs are persistent: partition "reclaim", key "t/<tenant>" or
// "b/<bucket id>", written before the key is destroyed and deleted when the
// job ends, so that a restart resumes them (Start runs every queued job).
// Each step is idempotent: a batch of records is deleted, then its blobs
// are released; a crash in between leaves orphans for the orphan sweeper.
// A queued job whose key was not destroyed after all (a crash between the
// queue write and the destruction) is dropped without touching anything.
//
// Thread-safety: safe for concurrent use; one worker thread (Start), which
// the destructor stops and joins.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "blob/blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::catalog {

inline constexpr std::string_view kReclaimPartition = "reclaim";

struct ReclaimProgress {
  std::string scope;   // "tenant" or "bucket"
  std::string tenant;  // the owner
  std::string bucket;  // bucket scope: the bucket's name
  std::string bucket_id;
  std::string state = "pending";  // pending (queued), running, done, failed (retried later)
  uint64_t buckets_total = 0;
  uint64_t buckets_done = 0;
  uint64_t objects_removed = 0;  // object records: current, noncurrent, delete markers
  uint64_t uploads_removed = 0;
  uint64_t blobs_freed = 0;
  uint64_t queued_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // when failed
};

class Reclaimer {
 public:
  Reclaimer(meta::MetaStore& store, Catalog& catalog, TenantKeys& tenant_keys, BucketKeys& bucket_keys,
            blob::BlobStore& blobs)
      : store_(store), catalog_(catalog), tenant_keys_(tenant_keys), bucket_keys_(bucket_keys), blobs_(blobs) {}
  ~Reclaimer();
  Reclaimer(const Reclaimer&) = delete;
  Reclaimer& operator=(const Reclaimer&) = delete;

  // Bucket shred: queues the bucket's reclamation, then replaces its key by
  // kShreddedKeyRef (wrapped key removed, one compare-and-set), makes
  // BucketKeys refuse it at once, and purges the "buckets" partition so
  // that the old wrapped key leaves the metadata files. Returns the record
  // as it was before (its key_id: the key destroyed). NotFound if `name` is
  // not a bucket of `owner`; PermissionDenied (kObjectLocked) if Object
  // Lock protects one of its versions; Unavailable if the purge failed
  // (shred again to retry). Idempotent: shredding a shredded bucket queues
  // it again and returns it.
  Result<BucketRecord> ShredBucket(std::string_view name, std::string_view owner);
  // Queues the reclamation of every bucket of `tenant`, whose key must be
  // destroyed (TenantKeys::Destroy) by then, and destroys at once the keys
  // of its buckets that the provider wraps directly (the job does it again
  // first thing, for a crash in between).
  Status EnqueueTenant(const std::string& tenant);

  // Starts the worker: it runs every queued job (those of an earlier run
  // first), then each new one, and retries failed ones every minute. Of
  // several gateways sharing the metadata, the one holding the worker
  // lease "reclaim" runs them (meta/worker_lease.h): a job queued on
  // another gateway runs within a minute, and its progress is known there
  // only (Progress). A job longer than the lease's 3 minutes may be run by
  // two at once: its steps are idempotent (records deleted, then their
  // blobs), so that costs only time.
  void Start();
  // The jobs of `tenant` known to this process (queued at start-up or
  // since), tenant scope first.
  std::vector<ReclaimProgress> Progress(const std::string& tenant);
  // Runs every queued job once in the calling thread (the worker's pass;
  // tests). Returns the first error (the other jobs still run).
  Status RunQueued(const std::stop_token& stop);

 private:
  Status Enqueue(const std::string& key, const ReclaimProgress& p);
  // Tenant shred: every bucket of `tenant` with a key version wrapped by
  // the provider rather than by the (destroyed) tenant key gets
  // kShreddedKeyRef (all versions removed, one compare-and-set each), and
  // the "buckets" partition is purged of the old copies. Idempotent.
  // `all`: every bucket record (Catalog::ListBuckets), read by the caller.
  Status DropProviderWrappedKeys(const std::string& tenant, const std::vector<BucketRecord>& all);
  Status RunJob(const std::string& key, const ReclaimProgress& job, const std::stop_token& stop);
  // Removes every object record and upload of bucket `bucket_id` and
  // releases their blobs, counting into the job `key`.
  Status EmptyBucket(const std::string& key, const std::string& bucket_id, const std::stop_token& stop);
  void Update(const std::string& key, const std::function<void(ReclaimProgress&)>& f);
  void Wake();

  meta::MetaStore& store_;
  Catalog& catalog_;
  TenantKeys& tenant_keys_;
  BucketKeys& bucket_keys_;
  blob::BlobStore& blobs_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool wake_ = false;                              // GUARDED_BY(mu_)
  std::map<std::string, ReclaimProgress> jobs_;    // GUARDED_BY(mu_), by queue key
  std::mutex run_mu_;                              // one pass at a time
  std::jthread worker_;
};

}  // namespace confiance::catalog

// File: catalog/bucket_key_rotation.h
// BucketKeyRotation: rotates one bucket's key without rewriting any object
// data (rewrap only, docs/keys.md "Bucket-key rotation"). Start gives the
// bucket a new key version n+1 (BucketKeys::AddVersion: new writes wrap
// their data keys under it) and runs a background job that rewraps every
// data key of the bucket still under version n: object versions (current
// and noncurrent; delete markers hold none) and the parts of in-progress
// multipart uploads. Each data key is unwrapped under n and wrapped under
// n+1 (the same data key: blobs and inline ciphertext are untouched), in
// batches, each one compare-and-set on the records it rewrites; the
// unwraps are justified SYSTEM_MAINTENANCE. Once a whole pass finds no data
// key under n any more (it passes again after rewrapping, to catch records
// written under n meanwhile), the job fences n (from then on no commit
// stores a data key under it: catalog/retired_key_fence.cc), makes a
// verifying pass that rewraps what committed before the fences, and
// retires version n: removes it from the bucket record and purges the
// metadata files of its old copies.
//
// SSE-C data keys are wrapped under a KEK derived from the bucket key and
// the customer's key, which the server does not keep: the job cannot
// rewrap them. While any SSE-C object or part is under version n, the job
// fails with FailedPrecondition naming how many (the tenant copies each
// onto itself with its key, which writes it under n+1, then rotates again).
//
// An interrupted job (restart, a refused justification, an SSE-C object)
// leaves version n in the record; Start again resumes it instead of
// adding a version, and the server resumes every such job at start-up
// (ResumeUnfinished). Progress is kept in memory.
//
// Thread-safety: safe for concurrent use; one job thread per running
// rotation, stopped and joined by the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/rotation_jobs.h"
#include "catalog/rotation_lease.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"

namespace confiance::catalog {

struct BucketRotationProgress {
  std::string state = "idle";  // idle (never run here), running, done, failed
  uint32_t from_version = 0;   // the version being retired (the oldest one left)
  uint32_t to_version = 0;     // the current version
  uint64_t objects_total = 0;  // object versions holding data (the bucket's usage count at the pass's start)
  uint64_t objects_done = 0;   // of the records examined in the current pass, those under to_version
  uint64_t parts_done = 0;     // in-progress upload parts examined in the current pass, under to_version
  uint64_t rewrapped = 0;      // data keys rewrapped by this job (all passes)
  uint64_t sse_c_pending = 0;  // SSE-C records left under an older version (last pass)
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // when failed
};

class BucketKeyRotation {
 public:
  BucketKeyRotation(meta::MetaStore& store, Catalog& catalog, BucketKeys& bucket_keys)
      : store_(store), catalog_(catalog), bucket_keys_(bucket_keys) {}
  BucketKeyRotation(const BucketKeyRotation&) = delete;
  BucketKeyRotation& operator=(const BucketKeyRotation&) = delete;

  // Rotates the key of bucket `bucket` of tenant `tenant` (or resumes an
  // unfinished rotation) and starts the rewrap job. NotFound if the tenant
  // has no such bucket; FailedPrecondition if a job for it is running or
  // the bucket (or its tenant's key) was shredded, with the S3 refusal's
  // message; PermissionDenied if the tenant's key policy refuses
  // SYSTEM_MAINTENANCE.
  Result<BucketRotationProgress> Start(const std::string& tenant, const std::string& bucket);
  // Start for every bucket whose record still holds a key version an
  // earlier rotation did not retire, and whose rotation no process runs
  // (as KeyRotation::ResumeUnfinished: at start-up and at every sweep).
  // Returns "tenant/bucket" of each job resumed; a bucket that cannot be
  // (its tenant's policy refuses SYSTEM_MAINTENANCE) is skipped and
  // logged, and so, quietly, is one whose rotation this or another process
  // runs.
  Result<std::vector<std::string>> ResumeUnfinished();
  // The job's progress (state "idle" if none ran in this process; the
  // versions are then read from the bucket record).
  BucketRotationProgress Progress(const std::string& tenant, const std::string& bucket);
  // Runs the job in the calling thread (Start's job; tests).
  // Until done, stopped, or `lease` (when given) is another process's.
  Status RunJob(const std::string& tenant, const std::string& bucket, const std::stop_token& stop,
                meta::WorkerLease* lease = nullptr);

  // Tests: called after each committed batch of rewraps (between batches a
  // test writes concurrently, or stops the job).
  std::function<void()> after_batch_for_test;
  // Tests: called after the first pass that found nothing to rewrap, just
  // before the fences (catalog/retired_key_fence.cc) go up.
  std::function<void()> before_fences_for_test;
  // Tests: called after the verifying pass, just before the retirement.
  std::function<void()> before_retire_for_test;
  // Tests: called after each pass has read the bucket record, before it
  // opens the bucket-key versions that record names.
  std::function<void()> after_record_read_for_test;
  // Records rewritten per compare-and-set (tests use small batches).
  size_t batch_size = 256;
  // How long a job trusts its lease between asking the store (tests: 0,
  // at every step).
  std::chrono::milliseconds lease_recheck = kRotationLeaseRecheck;

 private:
  // The unwrapped bucket key of each version, current and previous.
  using KeysByVersion = std::map<uint32_t, std::shared_ptr<const crypto::SecretBytes>>;
  struct Pass {
    uint64_t rewrapped = 0;
    uint64_t sse_c_pending = 0;
  };
  // Start, save that a rotation another process runs is nullopt, not an
  // error (ResumeUnfinished tells it apart from a failure).
  Result<std::optional<BucketRotationProgress>> StartHere(const std::string& tenant, const std::string& bucket);
  // Every bucket-key version `bucket` names (current and previous), opened.
  Status OpenKeys(const BucketRecord& bucket, KeysByVersion& keys);
  Status RewrapObjects(const std::string& key, const BucketRecord& bucket, const std::string& partition,
                       const KeysByVersion& keys, Pass& pass, const RotationStop& until);
  Status RewrapUploads(const std::string& key, const BucketRecord& bucket, const KeysByVersion& keys, Pass& pass,
                       const RotationStop& until);
  Status Retire(const BucketRecord& bucket);

  meta::MetaStore& store_;
  Catalog& catalog_;
  BucketKeys& bucket_keys_;
  // Last: destroyed first, stopping the jobs while what they use stands.
  RotationJobs<BucketRotationProgress> jobs_;  // by tenant/bucket
};

}  // namespace confiance::catalog

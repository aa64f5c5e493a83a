// File: catalog/key_rotation.h
// KeyRotation: rotates a tenant key without rewriting any object (rewrap
// only, docs/keys.md "Rotation"). Start makes a new version of the tenant
// key (TenantKeys::Rotate) and runs a background job that rewraps every
// bucket key of the tenant under it (BucketKeys::Rewrap, one compare-and-set
// of each bucket record, justified SYSTEM_MAINTENANCE); once no bucket key
// is wrapped under the previous version any more, that version is retired
// (TenantKeys::Retire: gone from the record and purged from the files).
// Object data keys are wrapped under bucket keys, which do not change: no
// object record or blob is touched.
//
// A job interrupted (restart, a refused justification, a KMS error) leaves
// the previous version in place; Start again resumes it instead of rotating
// again, and the server resumes every such job at start-up
// (ResumeUnfinished). Progress is kept in memory and reported by Progress.
//
// Thread-safety: safe for concurrent use. One job thread per running
// rotation; the destructor stops and joins them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/rotation_jobs.h"
#include "catalog/tenant_keys.h"
#include "common/status.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"

namespace confiance::catalog {

struct RotationProgress {
  std::string state = "idle";  // idle (never run here), running, done, failed
  uint32_t from_version = 0;   // the version being retired
  uint32_t to_version = 0;     // the current version
  uint64_t buckets_total = 0;  // the tenant's buckets under a tenant key
  uint64_t buckets_done = 0;   // of them, wrapped under to_version
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // when failed
};

class KeyRotation {
 public:
  // `store`: the catalog's, for the lease each job holds
  // (catalog/rotation_lease.h).
  KeyRotation(meta::MetaStore& store, Catalog& catalog, TenantKeys& tenant_keys, BucketKeys& bucket_keys)
      : store_(store), catalog_(catalog), tenant_keys_(tenant_keys), bucket_keys_(bucket_keys) {}
  KeyRotation(const KeyRotation&) = delete;
  KeyRotation& operator=(const KeyRotation&) = delete;

  // Rotates `tenant`'s key (or resumes an unfinished rotation) and starts
  // the rewrap job. FailedPrecondition if a job for it is running (here, or
  // in another process sharing the store: kRotationRunsElsewhere) or its
  // key is destroyed; NotFound if it has no key.
  Result<RotationProgress> Start(const std::string& tenant);
  // Hold your own key: a rotation whose new version is wrapped by the
  // tenant's KMS key `target` (or by the server's provider when unset), then
  // the same job. FailedPrecondition as Start, or if a rotation is unfinished.
  Result<RotationProgress> StartSwitch(const std::string& tenant, const std::optional<kms::ExternalKey>& target);
  // Start for every tenant whose key still holds a version an earlier
  // rotation did not retire, and whose rotation no process runs: at
  // start-up, one a restart interrupted; at every sweep (main/confiance.cc),
  // one whose job failed, or whose gateway died, sharing the store.
  // Returns the tenants resumed; a tenant that cannot be (a destroyed key,
  // an unreadable record) is skipped and logged, and so, quietly, is one
  // whose rotation this or another process runs.
  Result<std::vector<std::string>> ResumeUnfinished();
  // The job's progress (state "idle" if none ran in this process; the
  // versions are then read from the key record).
  RotationProgress Progress(const std::string& tenant);
  // Runs the job for `tenant` in the calling thread (Start's job; tests),
  // until done, stopped, or `lease` (when given) is another process's.
  Status RunJob(const std::string& tenant, const std::stop_token& stop, meta::WorkerLease* lease = nullptr);

 private:
  // Start, save that a rotation another process runs is nullopt, not an
  // error (ResumeUnfinished tells it apart from a failure).
  Result<std::optional<RotationProgress>> StartHere(const std::string& tenant);

  meta::MetaStore& store_;
  Catalog& catalog_;
  TenantKeys& tenant_keys_;
  BucketKeys& bucket_keys_;
  // Last: destroyed first, stopping the jobs while what they use stands.
  RotationJobs<RotationProgress> jobs_;  // by tenant
};

}  // namespace confiance::catalog

// File: catalog/rotation_lease.h
// The lease a key-rotation job (catalog/key_rotation.h, bucket_key_rotation.h)
// holds while it runs (meta/worker_lease.h): among gateways sharing the
// metadata, one process runs a given rotation at a time. A Start on another
// gateway is refused while it runs, and a start-up resumes only the
// rotations no live process runs. With a store of its own, the lease is
// always granted and nothing changes.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"

namespace confiance::catalog {

// The lease's period. A job asks the store again at most every
// kRotationLeaseRecheck (between, it trusts the last answer), far more
// often than the period.
inline constexpr std::chrono::seconds kRotationLeasePeriod{60};
inline constexpr std::chrono::milliseconds kRotationLeaseRecheck{5000};
// The end of the FailedPrecondition message a Start gets while another
// process runs that rotation.
inline constexpr std::string_view kRotationRunsElsewhere = "is running on another server";

// The lease for the rotation of `kind` ("tenant", "bucket") of `subject`
// (a tenant id, a bucket name), held; nullptr if another process holds it.
// The name of that lease: "rotation.<kind>.<h>", h the first 32 hex digits
// of the SHA-256 of `subject` (lease names take [a-z0-9.-] only, tenant
// ids and bucket names more).
std::string RotationLeaseName(std::string_view kind, std::string_view subject);
// `recheck`: kRotationLeaseRecheck but in tests.
std::unique_ptr<meta::WorkerLease> TakeRotationLease(meta::MetaStore& store, std::string_view kind,
                                                     std::string_view subject,
                                                     std::chrono::milliseconds recheck = kRotationLeaseRecheck);
// What ends a rotation job before it is done: its stop token, or its
// lease (when it has one) found another process's (that process took the
// job over after this one stalled past the period).
struct RotationStop {
  std::stop_token stop;
  meta::WorkerLease* lease = nullptr;
  // OK while the job may go on; Aborted, saying which, once it may not.
  Status Check() const;
};

}  // namespace confiance::catalog

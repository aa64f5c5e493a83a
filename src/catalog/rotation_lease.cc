// File: catalog/rotation_lease.cc
#include "catalog/rotation_lease.h"

#include "crypto/hash.h"

namespace confiance::catalog {

std::unique_ptr<meta::WorkerLease> TakeRotationLease(meta::MetaStore& store, std::string_view kind,
                                                     std::string_view subject) {
  // Lease names take [a-z0-9.-] only, tenant ids and bucket names more.
  std::string name = "rotation." + std::string(kind) + "." + crypto::Sha256Hex(subject).substr(0, 32);
  auto lease = std::make_unique<meta::WorkerLease>(store, std::move(name), kRotationLeasePeriod, kRotationLeaseRecheck);
  if (!lease->Hold()) return nullptr;
  return lease;
}

Status RotationStop::Check() const {
  if (stop.stop_requested()) return AbortedError("stopped");
  if (lease != nullptr && !lease->Hold()) return AbortedError("another server took the rotation over");
  return OkStatus();
}

}  // namespace confiance::catalog

// File: catalog/rotation_lease.cc
#include "catalog/rotation_lease.h"

#include "crypto/hash.h"

namespace confiance::catalog {

std::string RotationLeaseName(std::string_view kind, std::string_view subject) {
  return "rotation." + std::string(kind) + "." + crypto::Sha256Hex(subject).substr(0, 32);
}

std::unique_ptr<meta::WorkerLease> TakeRotationLease(meta::MetaStore& store, std::string_view kind,
                                                     std::string_view subject, std::chrono::milliseconds recheck) {
  auto lease =
      std::make_unique<meta::WorkerLease>(store, RotationLeaseName(kind, subject), kRotationLeasePeriod, recheck);
  if (!lease->Hold()) return nullptr;
  return lease;
}

Status RotationStop::Check() const {
  if (stop.stop_requested()) return AbortedError("stopped");
  if (lease != nullptr && !lease->Hold()) return AbortedError("another server took the rotation over");
  return OkStatus();
}

}  // namespace confiance::catalog

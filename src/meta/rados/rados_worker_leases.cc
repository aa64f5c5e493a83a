// File: meta/rados/rados_worker_leases.cc
#include "meta/rados/rados_worker_leases.h"

#include <sys/time.h>

#include <cerrno>
#include <utility>

namespace confiance::meta {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

}  // namespace

RadosWorkerLeases::RadosWorkerLeases(blob::RadosIo& io, std::string instance_id)
    : io_(io), instance_id_(std::move(instance_id)) {}

RadosWorkerLeases::~RadosWorkerLeases() {
  std::lock_guard lock(mu_);
  for (const std::string& oid : held_) rados_unlock(io_.ioctx(), oid.c_str(), kLockName, instance_id_.c_str());
}

Result<bool> RadosWorkerLeases::Hold(std::string_view name, std::chrono::seconds period) {
  if (!ValidName(name)) return InvalidArgumentError("a worker lease's name must be 1-64 of [a-z0-9.-]");
  if (period.count() < 1) return InvalidArgumentError("a worker lease lasts at least 1 s");
  const std::string oid = kObjectPrefix + std::string(name);
  timeval tv{static_cast<time_t>(period.count()), 0};
  const int rc = rados_lock_exclusive(io_.ioctx(), oid.c_str(), kLockName, instance_id_.c_str(),
                                      "Confiance background work", &tv, LIBRADOS_LOCK_FLAG_MAY_RENEW);
  std::lock_guard lock(mu_);
  asked_[std::string(name)] = rc >= 0;
  if (rc == -EBUSY || rc == -EEXIST) {  // another instance's, and not expired
    held_.erase(oid);
    return false;
  }
  if (rc < 0) {
    held_.erase(oid);
    RETURN_IF_ERROR(io_.Check(rc, "rados_lock_exclusive", oid));
  }
  held_.insert(oid);
  return true;
}

std::vector<std::pair<std::string, bool>> RadosWorkerLeases::Asked() const {
  std::lock_guard lock(mu_);
  return {asked_.begin(), asked_.end()};
}

void RadosWorkerLeases::Release(std::string_view name) {
  const std::string oid = kObjectPrefix + std::string(name);
  std::lock_guard lock(mu_);
  // No longer this server's concern: not listed (a key rotation's lease,
  // one per rotated bucket, would otherwise stay in the metrics for good).
  asked_.erase(std::string(name));
  if (held_.erase(oid) == 0) return;
  // (-ENOENT if it had lapsed and another instance took it: nothing to do.)
  rados_unlock(io_.ioctx(), oid.c_str(), kLockName, instance_id_.c_str());
}

}  // namespace confiance::meta

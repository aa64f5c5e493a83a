// File: meta/rados/rados_worker_leases.h
// RadosWorkerLeases: MetaStore::HoldLease and ReleaseLease on a RADOS
// namespace. Lease `name` is an exclusive cls_lock on the object
// `confiance.meta.worker.<name>` (created empty by the first lock), taken
// or renewed by rados_lock_exclusive with this store instance's id as the
// cookie and the period as the lock's duration: the OSD grants it to one
// cookie at a time and frees it once its holder has not renewed it for
// that long (../shared/RADOS.md: cls_lock leases expire).
//
// The lease only says who should do the work (meta/worker_lease.h): the
// OSD cannot make a write to another object depend on it, so the work's
// writes stay compare-and-set.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blob/rados/rados_io.h"
#include "common/status.h"

namespace confiance::meta {

class RadosWorkerLeases {
 public:
  // `io` must outlive this object; `instance_id` names this store instance
  // (unique per boot).
  RadosWorkerLeases(blob::RadosIo& io, std::string instance_id);
  ~RadosWorkerLeases();  // releases every lease still held
  RadosWorkerLeases(const RadosWorkerLeases&) = delete;
  RadosWorkerLeases& operator=(const RadosWorkerLeases&) = delete;

  // True if this instance holds `name` for `period` from now; false if
  // another does. InvalidArgument for a bad name or a period under 1 s;
  // the cluster's error otherwise.
  Result<bool> Hold(std::string_view name, std::chrono::seconds period);
  void Release(std::string_view name);
  // Every lease asked for and not released since, by name, and whether this instance held
  // it at the last answer (false: another did, or the cluster failed to
  // say), in name order: for the operator's metrics.
  std::vector<std::pair<std::string, bool>> Asked() const;

  static constexpr char kObjectPrefix[] = "confiance.meta.worker.";
  static constexpr char kLockName[] = "confiance.worker";

 private:
  blob::RadosIo& io_;
  const std::string instance_id_;
  mutable std::mutex mu_;
  std::set<std::string> held_;         // GUARDED_BY(mu_): the objects of the leases this instance holds
  std::map<std::string, bool> asked_;  // GUARDED_BY(mu_): see Asked
};

}  // namespace confiance::meta

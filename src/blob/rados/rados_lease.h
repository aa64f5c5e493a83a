// File: blob/rados/rados_lease.h
// RadosLease: an exclusive cls_lock lease on one RADOS object, naming the
// one store instance allowed to use a namespace (RadosBlobStore's blobs,
// RadosMetaStore's records). The owner renews it from a thread of its own,
// about every third of the lease period.
//
// The lease is a guard against misconfiguration, by time: a RADOS op
// cannot assert a lock held on another object. So a holder that fails to
// renew refuses writes (Check) while its last renewal is older than the
// lease (it may have expired), and for good once another instance took it.
//
// Thread-safety: Check and lost are safe from any thread; Take, Renew and
// Release from one thread at a time.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "blob/rados/rados_io.h"

namespace confiance::blob {

class RadosLease {
 public:
  // kShared: a shared lock, held with every other instance that shares the
  // namespace, and refusing (and refused by) an exclusive one.
  enum class Kind { kExclusive, kShared };
  // `cookie`: this instance's id (unique per boot); `what` names the
  // namespace in messages ("RADOS pool P namespace 'N'").
  RadosLease(RadosIo& io, std::string oid, std::string cookie, std::string description, uint32_t seconds,
             std::string what, Kind kind = Kind::kExclusive);

  // Takes the exclusive lock on `oid` for good (no expiry) under the
  // cookie "recovered", once: OK if taken now (nobody held it, or its
  // holder let it expire) or by an earlier call (one that stopped half-way
  // is done again), FailedPrecondition if a live instance holds it. For the
  // recovery of a dead instance's work: from here that instance's lease on
  // `oid` can never be renewed (lost() then).
  static Status TakeForGood(RadosIo& io, const std::string& oid);

  // Takes the lease, waiting up to one lease period (plus 2 s) for a
  // crashed holder's to expire. FailedPrecondition if another instance
  // still holds it then.
  Status Take();
  // Renews it; an error if that failed, which it logs: an error the first
  // time another instance is found holding it (lost() is then true for
  // good), a warning for any other failure.
  Status Renew();
  // How often the owner's thread calls Renew: a third of the lease.
  std::chrono::seconds renew_interval() const { return std::chrono::seconds(std::max<uint32_t>(1, seconds_ / 3)); }
  // OK while this instance holds the lease for sure; otherwise Unavailable
  // (503: the request was fine, this server cannot write there now; a load
  // balancer sends it elsewhere), saying why.
  Status Check() const;
  bool lost() const { return lost_; }
  // Unlocks, unless another instance took it. For the owner's destructor.
  void Release();

  uint32_t seconds() const { return seconds_; }

 private:
  // One rados_lock_exclusive (taking or renewing); on success, moves
  // valid_until_ms_. Returns librados' code.
  int LockOnce();

  RadosIo& io_;
  const std::string oid_;
  const std::string cookie_;
  const std::string description_;
  const uint32_t seconds_;
  const std::string what_;
  const Kind kind_;
  std::atomic<bool> lost_{false};
  // Until when (steady clock, ms) the last renewal holds the lease for sure.
  std::atomic<int64_t> valid_until_ms_{0};
};

}  // namespace confiance::blob

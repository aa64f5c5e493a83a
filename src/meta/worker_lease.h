// File: meta/worker_lease.h
// WorkerLease: one kind of background work ("lifecycle", "sweeper"...)
// done by one process at a time among those sharing a MetaStore (several
// gateways on one RADOS namespace), through MetaStore::HoldLease. The
// worker calls Hold() before each pass (and between long steps) and does
// the work only while it returns true. A store that one process alone uses
// always grants it, and nothing is logged.
//
// `period` should exceed the time between two Holds (a pass and the pause
// after it): otherwise the lease lapses in between and another process may
// take the work over. That is safe (the work's writes are compare-and-set)
// but wasteful.
//
// Thread-safety: safe for concurrent use; taken_now() answers for the last
// Hold of any thread (meant for a worker that Holds from one).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "meta/meta_store.h"

namespace confiance::meta {

class WorkerLease {
 public:
  // `store` must outlive this object. REQUIRES: `name` as HoldLease asks.
  // `recheck_after`: a Hold within that time of the last one that asked the
  // store answers as it did (for a worker that polls often; well under
  // `period`, which is then renewed that much later).
  WorkerLease(MetaStore& store, std::string name, std::chrono::seconds period,
              std::chrono::milliseconds recheck_after = std::chrono::milliseconds(0));
  ~WorkerLease();  // releases the lease if held (ReleaseLease once it was asked for)
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;

  // True if this process holds the lease now (taken or renewed). An error
  // of the store counts as not held. Logs each change: taken, held by
  // another process, the store's error.
  bool Hold();
  // Whether the last Hold took the lease that the Hold before did not
  // have (the first Hold included), or renewed it more than a period after
  // that one (it may have lapsed, and another process held it meanwhile):
  // what the worker read before may have been changed since; read it again.
  bool taken_now() const { return taken_now_.load(std::memory_order_relaxed); }
  bool held() const { return held_.load(std::memory_order_relaxed); }
  const std::string& name() const { return name_; }

  // A period for a worker that Holds every `between_holds`: three times
  // that, and at least 30 s, so that a slow pass or a late tick keeps it.
  static std::chrono::seconds PeriodFor(std::chrono::seconds between_holds) {
    return std::max(std::chrono::seconds(30), 3 * between_holds);
  }

 private:
  enum class State { kUnknown, kHeld, kOther, kError };
  MetaStore& store_;
  const std::string name_;
  const std::chrono::seconds period_;
  const std::chrono::milliseconds recheck_after_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point asked_{};  // GUARDED_BY(mu_): when the store was last asked
  std::chrono::steady_clock::time_point held_at_{};  // GUARDED_BY(mu_): the last Hold that held it
  State state_ = State::kUnknown;                  // GUARDED_BY(mu_)
  std::atomic<bool> taken_now_{false};
  std::atomic<bool> held_{false};
};

}  // namespace confiance::meta

// File: meta/worker_lease.cc
#include "meta/worker_lease.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace confiance::meta {

WorkerLease::WorkerLease(MetaStore& store, std::string name, std::chrono::seconds period,
                         std::chrono::milliseconds recheck_after)
    : store_(store), name_(std::move(name)), period_(period), recheck_after_(recheck_after) {}

WorkerLease::~WorkerLease() {
  // Also when another process held it at the last Hold: the store then
  // forgets this process asked (RADOS lists each lease asked for in the
  // metrics), and releases nothing another process holds.
  std::lock_guard lock(mu_);
  if (state_ != State::kUnknown) store_.ReleaseLease(name_);
}

bool WorkerLease::Hold() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (state_ != State::kUnknown && now - asked_ < recheck_after_) {
    taken_now_ = false;
    return held();
  }
  asked_ = now;
  Result<bool> held = store_.HoldLease(name_, period_);
  const State state = !held.ok() ? State::kError : *held ? State::kHeld : State::kOther;
  taken_now_ = state == State::kHeld && (state_ != State::kHeld || now - held_at_ >= period_);
  if (state == State::kHeld) held_at_ = now;
  if (state != state_) {
    // The first grant of a store one process uses is the common case, not
    // news; a change of hands is.
    if (state == State::kHeld && state_ != State::kUnknown) {
      spdlog::info("background work '{}': this server does it now", name_);
    } else if (state == State::kOther) {
      spdlog::info("background work '{}': another server does it", name_);
    } else if (state == State::kError) {
      spdlog::warn("background work '{}': its lease cannot be taken: {}", name_, held.status().ToString());
    }
  }
  state_ = state;
  held_.store(state == State::kHeld, std::memory_order_relaxed);
  return state == State::kHeld;
}

}  // namespace confiance::meta

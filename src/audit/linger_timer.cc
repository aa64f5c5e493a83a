// File: audit/linger_timer.cc
#include "audit/linger_timer.h"

#include "common/thread_policy.h"

namespace confiance::audit {

LingerTimer::LingerTimer() : thread_([this] { Loop(); }) {}

LingerTimer::~LingerTimer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LingerTimer::Schedule(const void* owner, Clock::time_point when, std::function<void()> callback) {
  bool earliest;
  {
    std::lock_guard lock(mu_);
    earliest = due_.empty() || when < due_.begin()->first;
    due_.emplace(when, std::make_pair(owner, std::move(callback)));
  }
  // Only a new earliest deadline needs the thread awake: otherwise it is
  // already waiting for an earlier one and will see this one after it.
  if (earliest) cv_.notify_one();
}

void LingerTimer::Cancel(const void* owner) {
  std::unique_lock lock(mu_);
  for (auto it = due_.begin(); it != due_.end();) {
    it = it->second.first == owner ? due_.erase(it) : std::next(it);
  }
  idle_cv_.wait(lock, [&] { return running_ != owner; });
}

void LingerTimer::Loop() {
  // Under load almost every callback finds its linger already ended and
  // does nothing, yet its wake-up cost a context switch on the request
  // thread's core: 0.27-0.30 against 0.21-0.23 switches per 4 KiB GET at
  // 16 connections with SCHED_IDLE (docs/PERFORMANCE.md, session 19).
  SetThisThreadPolicy(ThreadPolicy::kIdle);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (first->first > Clock::now()) {
      // A copy: wait_until reads its deadline again after waking, and
      // meanwhile (the lock released) Cancel may have erased the entry
      // that held it (ASan saw that use after free).
      const Clock::time_point deadline = first->first;
      cv_.wait_until(lock, deadline);
      continue;
    }
    const void* owner = first->second.first;
    std::function<void()> callback = std::move(first->second.second);
    due_.erase(first);
    running_ = owner;
    lock.unlock();
    callback();
    lock.lock();
    running_ = nullptr;
    idle_cv_.notify_all();
  }
}

}  // namespace confiance::audit

// File: audit/linger_timer.h
// LingerTimer: one thread that runs short callbacks at deadlines. The
// transparency logs use it as the fallback of their group-commit linger
// (transparency_log.h): a log that waits for more appends before its next
// group asks the timer to send the group anyway once the wait is over.
//
// Callbacks run one at a time on the timer's thread, without its lock (they
// may Schedule again); they must be quick and must not block.
//
// The thread runs under SCHED_IDLE: a callback runs at its deadline when a
// core is free then, and otherwise as soon as one is (a linger is a
// fallback: on a saturated server the appends that end it keep coming).
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace confiance::audit {

class LingerTimer {
 public:
  using Clock = std::chrono::steady_clock;

  LingerTimer();
  // Stops the thread; callbacks still scheduled never run.
  ~LingerTimer();
  LingerTimer(const LingerTimer&) = delete;
  LingerTimer& operator=(const LingerTimer&) = delete;

  // Runs `callback` on the timer's thread at `when` (or soon after).
  // `owner` names who scheduled it, for Cancel.
  void Schedule(const void* owner, Clock::time_point when, std::function<void()> callback);
  // Drops every callback of `owner` and waits for one of its callbacks that
  // is running: once Cancel returns, none runs or will run (unless `owner`
  // schedules again). Must not be called from a callback of `owner`.
  void Cancel(const void* owner);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;       // a new earliest deadline, or stopping
  std::condition_variable idle_cv_;  // a callback finished
  std::multimap<Clock::time_point, std::pair<const void*, std::function<void()>>> due_;  // GUARDED_BY(mu_)
  const void* running_ = nullptr;   // GUARDED_BY(mu_): owner of the running callback
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confiance::audit

// File: common/periodic_thread.h
// PeriodicThread: a background thread that calls `work` once every
// `interval` (the first call one interval after it starts), until it is
// stopped. The loop that the background workers (the orphan sweeper, the
// lifecycle, inventory reports, the KMIP key cache's sweep) each wrote
// around a condition variable.
//
// Stop (and the destructor) wakes the thread at once, and returns once the
// call under way, if any, has returned: `work` must not call Stop. A call
// that takes longer than `interval` is followed by the next one an
// interval after it returned (calls never overlap or queue up).
//
// Thread-safety: Stop may be called from any thread but `work`'s, and more
// than once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace confiance {

class PeriodicThread {
 public:
  PeriodicThread(std::chrono::milliseconds interval, std::function<void()> work)
      : interval_(interval), work_(std::move(work)), thread_([this] { Loop(); }) {}
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      work_();
      lock.lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const std::function<void()> work_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // last: starts once the members above exist
};

}  // namespace confiance

// File: common/blocking_pool.h
// BlockingPool: threads for work that may block (fsync, synced metadata
// commits, KMS calls), so that network threads never do. A coroutine on a
// network thread writes
//     auto r = co_await pool.Run([&] { return store.Apply(...); });
// and resumes on its own executor when the work is done.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

namespace confiance {

class BlockingPool {
 public:
  explicit BlockingPool(size_t threads) : pool_(threads), parallel_(CoresAvailable() > 1) {}
  ~BlockingPool() { Stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn() on a pool thread; the awaiting coroutine resumes on its own
  // executor with fn's result. fn must not throw.
  template <typename Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&>> Run(Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    // Boost 1.74's co_spawn needs a default-constructible result (Result<T>
    // is not) and would run fn inside a lambda coroutine whose closure may
    // die first; a plain completion handler has neither problem.
    std::optional<R> out;
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
        [this, &fn, &out](auto handler) {
          // Keep the caller's io_context alive while fn() runs on the pool.
          auto ex = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                        boost::asio::execution::outstanding_work.tracked);
          boost::asio::post(pool_, [&fn, &out, ex, h = std::move(handler)]() mutable {
            out.emplace(fn());
            boost::asio::dispatch(ex, std::move(h));
          });
        },
        boost::asio::use_awaitable);
    co_return std::move(*out);
  }

  // A function started on the pool now and joined later, from a thread
  // that may block (a pool thread, never a network thread). Join() runs it
  // on the joining thread if no pool thread has started it yet: joining
  // never waits for a free pool thread, so pool threads that join cannot
  // deadlock the pool, and a busy pool delays nothing.
  template <typename R>
  class Job {
   public:
    explicit Job(std::function<R()> fn) : fn_(std::move(fn)) {}
    // Call at most once. Returns fn's result once it has run.
    R Join() {
      if (!taken_.exchange(true)) {
        Run();
      } else {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return done_; });
      }
      return std::move(*result_);
    }

   private:
    friend class BlockingPool;
    void RunIfNotTaken() {
      if (taken_.exchange(true)) return;  // the joiner runs (or ran) it
      Run();
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_one();
    }
    // The function is destroyed once it has run, before the joiner can
    // return: what it captured (possibly what owns this Job) is released
    // on the thread that ran it.
    void Run() {
      std::function<R()> fn = std::move(fn_);
      result_.emplace(fn());
    }
    std::function<R()> fn_;
    std::optional<R> result_;
    std::atomic<bool> taken_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
  };

  // Starts fn() on the pool. fn must not throw. If the Job is dropped
  // unjoined, fn still runs (or, when the pool stops first, is destroyed
  // unrun).
  template <typename Fn>
  std::shared_ptr<Job<std::invoke_result_t<Fn&>>> Start(Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    auto job = std::make_shared<Job<R>>(std::function<R()>(std::move(fn)));
    boost::asio::post(pool_, [job] { job->RunIfNotTaken(); });
    return job;
  }

  // Runs side() and here() at the same time, side() on a pool thread (or
  // here, after here(), if none picked it up) and here() on the calling
  // thread; returns here()'s result once both are done. Only where
  // blocking is allowed, as for Job::Join.
  template <typename Side, typename Here>
  std::invoke_result_t<Here&> RunBeside(Side& side, Here here) {
    auto job = Start([&side] {
      side();
      return true;
    });
    auto result = here();
    job->Join();
    return result;
  }

  // Whether this process may run on more than one core (its CPU affinity),
  // i.e. whether RunBeside can actually run its two functions at once.
  bool parallel() const { return parallel_; }

  void Stop() {
    pool_.stop();
    pool_.join();
  }
  boost::asio::thread_pool& pool() { return pool_; }

  // The cores this process may run on (its CPU affinity).
  static size_t CoresAvailable() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    return static_cast<size_t>(CPU_COUNT(&set));
  }

 private:
  boost::asio::thread_pool pool_;
  const bool parallel_;
};

}  // namespace confiance

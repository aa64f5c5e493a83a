// File: common/blocking_pool.h
// BlockingPool: threads for work that may block (fsync, synced metadata
// commits, KMS calls), so that network threads never do. A coroutine on a
// network thread writes
//     auto r = co_await pool.Run([&] { return store.Apply(...); });
// and resumes on its own executor when the work is done.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace confiance {

class BlockingPool {
 public:
  explicit BlockingPool(size_t threads) : pool_(threads) {}
  ~BlockingPool() { Stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn() on a pool thread; the awaiting coroutine resumes on its own
  // executor with fn's result. fn must not throw.
  template <typename Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&>> Run(Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [f = std::move(fn)]() mutable -> boost::asio::awaitable<R> { co_return f(); },
        boost::asio::use_awaitable);
  }

  void Stop() {
    pool_.stop();
    pool_.join();
  }
  boost::asio::thread_pool& pool() { return pool_; }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace confiance

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
#include <optional>
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

  void Stop() {
    pool_.stop();
    pool_.join();
  }
  boost::asio::thread_pool& pool() { return pool_; }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace confiance

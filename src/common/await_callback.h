// File: common/await_callback.h
// AwaitCallback: lets a coroutine await an API that reports through a
// callback (MetaStore::ApplyAsync and what is built on it), resuming the
// coroutine on its own executor. The callback may run on any thread, or
// inline before the API returns.
//
//   Result<X> r = co_await AwaitCallback<Result<X>>([&](auto done) {
//     store.SomethingAsync(args, std::move(done));
//   });
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace confiance {

// `start` is called once with a std::function<void(R)> to hand to the API.
// REQUIRES: the callback is called exactly once.
template <typename R, typename Start>
boost::asio::awaitable<R> AwaitCallback(Start start) {
  std::optional<R> out;
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
      [&start, &out](auto handler) {
        auto ex = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                      boost::asio::execution::outstanding_work.tracked);
        // std::function needs a copyable callable; the awaitable's handler
        // is move-only, so it travels in a shared_ptr.
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start(std::function<void(R)>([&out, ex, h](R result) {
          out.emplace(std::move(result));
          // Always post, never dispatch: the callback may run inline,
          // inside this very initiation.
          boost::asio::post(ex, [h]() mutable { (*h)(); });
        }));
      },
      boost::asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace confiance

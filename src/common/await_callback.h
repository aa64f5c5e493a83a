// File: common/await_callback.h
// AwaitCallback: lets a coroutine await an API that reports through a
// callback (MetaStore::ApplyAsync and what is built on it), resuming the
// coroutine on its own executor. The callback may run on any thread, or
// inline before the API returns.
//
//   Result<X> r = co_await AwaitCallback<Result<X>>([&](auto done) {
//     store.SomethingAsync(args, std::move(done));
//   });
//
// ResumeBatch: a thread that completes many awaited operations at once (a
// group commit) holds one while it calls their callbacks; each executor is
// then woken once for the whole batch instead of once per operation. On a
// loaded server that is the difference between one thread switch per group
// and one per request (docs/PERFORMANCE.md, issue 7).
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace confiance {

// While at least one ResumeBatch lives on a thread, the resumptions that
// AwaitCallback's callbacks request on that thread are held; when the
// outermost one ends they are posted, one function per executor, which
// resumes them in the order they were requested. Nesting is allowed.
// A held resumption is posted even if the thread unwinds through the batch.
// REQUIRES: nothing on the thread waits, inside the batch, for a coroutine
// whose resumption the batch holds (it would wait forever).
class ResumeBatch {
 public:
  ResumeBatch();
  ~ResumeBatch();
  ResumeBatch(const ResumeBatch&) = delete;
  ResumeBatch& operator=(const ResumeBatch&) = delete;

  // Posts `resume` to `ex`, or holds it if a batch is open on this thread.
  static void Post(const boost::asio::any_io_executor& ex, std::function<void()> resume);

 private:
  struct Held {
    boost::asio::any_io_executor ex;
    std::function<void()> resume;
  };
  static void Flush(std::vector<Held>& held);
  static thread_local int depth_;
  static thread_local std::vector<Held>* held_;
  std::vector<Held> mine_;  // the outermost batch's held resumptions
};

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
          ResumeBatch::Post(ex, [h]() mutable { (*h)(); });
        }));
      },
      boost::asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace confiance

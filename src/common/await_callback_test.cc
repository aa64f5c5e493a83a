// File: common/await_callback_test.cc
// AwaitCallback: a coroutine awaits a callback API whose callback runs on
// another thread or inline, and resumes on its own thread either way.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "common/await_callback.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace confiance {
namespace {

namespace asio = boost::asio;

TEST(AwaitCallbackTest, ResumesOnCallerWhetherCalledInlineOrFromAnotherThread) {
  asio::io_context ioc;
  std::thread other;
  bool done = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        const auto caller = std::this_thread::get_id();
        using R = Result<std::string>;
        R inline_result = co_await AwaitCallback<R>([](std::function<void(R)> cb) {
          cb(R(std::string("inline")));
        });
        EXPECT_EQ(std::this_thread::get_id(), caller);
        R threaded = co_await AwaitCallback<R>([&](std::function<void(R)> cb) {
          other = std::thread([cb = std::move(cb)] { cb(R(NotFoundError("from another thread"))); });
        });
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_TRUE(inline_result.ok());
        EXPECT_EQ(inline_result.value(), "inline");
        EXPECT_EQ(threaded.status().code(), StatusCode::kNotFound);
        done = true;
      },
      asio::detached);
  ioc.run();  // must not return before the callback has resumed the coroutine
  other.join();
  EXPECT_TRUE(done);
}


// A thread completing many awaited operations inside one ResumeBatch wakes
// each waiting executor once: the resumptions arrive as one posted handler,
// in the order they were completed, and none runs before the batch ends.
TEST(ResumeBatchTest, CompletionsInOneBatchResumeInOrderAfterItEnds) {
  asio::io_context ioc;
  using R = Result<int>;
  constexpr int kWaiters = 8;
  std::vector<std::function<void(R)>> callbacks;
  std::vector<int> resumed;
  for (int i = 0; i < kWaiters; ++i) {
    asio::co_spawn(
        ioc,
        [&, i]() -> asio::awaitable<void> {
          R r = co_await AwaitCallback<R>([&](std::function<void(R)> cb) { callbacks.push_back(std::move(cb)); });
          EXPECT_TRUE(r.ok());
          if (r.ok()) {
            EXPECT_EQ(r.value(), i);
          }
          resumed.push_back(i);
        },
        asio::detached);
  }
  // Every coroutine is now suspended in AwaitCallback.
  ioc.poll();
  ASSERT_EQ(callbacks.size(), static_cast<size_t>(kWaiters));
  {
    ResumeBatch outer;
    {
      ResumeBatch inner;  // nested: only the outermost one posts
      for (int i = 0; i < kWaiters / 2; ++i) callbacks[i](R(i));
    }
    for (int i = kWaiters / 2; i < kWaiters; ++i) callbacks[i](R(i));
    ioc.restart();
    EXPECT_EQ(ioc.poll(), 0u);  // held: nothing was posted yet
    EXPECT_TRUE(resumed.empty());
  }
  ioc.restart();
  // One handler resumes all eight (run_one runs exactly one handler).
  EXPECT_EQ(ioc.run_one(), 1u);
  std::vector<int> expected;
  for (int i = 0; i < kWaiters; ++i) expected.push_back(i);
  EXPECT_EQ(resumed, expected);
}

// Outside a batch each completion is posted on its own, as before.
TEST(ResumeBatchTest, WithoutABatchEachCompletionIsPostedAlone) {
  asio::io_context ioc;
  using R = Result<int>;
  std::vector<std::function<void(R)>> callbacks;
  int resumed = 0;
  for (int i = 0; i < 2; ++i) {
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          (void)co_await AwaitCallback<R>([&](std::function<void(R)> cb) { callbacks.push_back(std::move(cb)); });
          ++resumed;
        },
        asio::detached);
  }
  ioc.poll();
  ASSERT_EQ(callbacks.size(), 2u);
  callbacks[0](R(0));
  callbacks[1](R(1));
  ioc.restart();
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(resumed, 2);
}

}  // namespace
}  // namespace confiance

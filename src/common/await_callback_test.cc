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

}  // namespace
}  // namespace confiance

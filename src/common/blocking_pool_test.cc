// File: common/blocking_pool_test.cc
// BlockingPool as the HTTP layer uses it: a coroutine on a network thread
// awaits blocking work returning Result<T> (not default-constructible) and
// Status, and resumes on its own executor.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "common/blocking_pool.h"

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

TEST(BlockingPoolTest, RunsOffThreadAndResumesOnCaller) {
  BlockingPool pool(2);
  asio::io_context ioc;
  bool done = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        const auto network_thread = std::this_thread::get_id();
        Result<std::string> ok = co_await pool.Run([&] {
          EXPECT_NE(std::this_thread::get_id(), network_thread);
          return Result<std::string>(std::string("value"));
        });
        EXPECT_EQ(std::this_thread::get_id(), network_thread);
        Result<std::string> err =
            co_await pool.Run([] { return Result<std::string>(NotFoundError("nope")); });
        Status st = co_await pool.Run([] { return OkStatus(); });
        EXPECT_TRUE(ok.ok());
        EXPECT_EQ(ok.value(), "value");
        EXPECT_EQ(err.status().code(), StatusCode::kNotFound);
        EXPECT_TRUE(st.ok());
        done = true;
      },
      asio::detached);
  ioc.run();  // must not return before the pool work is done
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace confiance

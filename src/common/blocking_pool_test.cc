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
#include <atomic>
#include <memory>
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

TEST(BlockingPoolTest, JoinRunsAJobNoPoolThreadHasStarted) {
  BlockingPool pool(1);
  // Keep the only pool thread busy until the job has been joined.
  std::atomic<bool> release{false};
  auto blocker = pool.Start([&] {
    while (!release.load()) std::this_thread::yield();
    return 0;
  });
  const auto me = std::this_thread::get_id();
  auto job = pool.Start([&] { return std::this_thread::get_id() == me; });
  EXPECT_TRUE(job->Join());  // ran here: the pool was busy
  release = true;
  EXPECT_EQ(blocker->Join(), 0);
}

TEST(BlockingPoolTest, RunBesideRunsBothAndReturnsHeresResult) {
  BlockingPool pool(2);
  for (int i = 0; i < 2000; ++i) {
    int side_saw = -1;
    auto side = [&] { side_saw = i; };
    int r = pool.RunBeside(side, [&] { return i * 2; });
    ASSERT_EQ(side_saw, i);  // side() is done when RunBeside returns
    ASSERT_EQ(r, i * 2);
  }
}

TEST(BlockingPoolTest, AJobDroppedUnjoinedStillRunsAndReleasesWhatItHolds) {
  BlockingPool pool(1);
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;
  std::atomic<int> ran{0};
  pool.Start([held = std::move(held), &ran] { return ran += *held; });  // dropped
  pool.pool().join();  // waits for the posted work, unlike Stop()
  EXPECT_EQ(ran.load(), 7);
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace confiance

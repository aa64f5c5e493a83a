// File: common/periodic_thread_test.cc
#include "common/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>

namespace confiance {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicThreadTest, CallsTheWorkEveryIntervalUntilStopped) {
  std::atomic<int> calls{0};
  PeriodicThread thread(5ms, [&] { ++calls; });
  for (int i = 0; i < 1000 && calls.load() < 3; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_GE(calls.load(), 3);
  thread.Stop();
  const int after_stop = calls.load();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(calls.load(), after_stop);
  thread.Stop();  // again: nothing
}

// A long interval does not delay the stop, and no call is made before the
// first interval has passed.
TEST(PeriodicThreadTest, StopsAtOnceAndNeverCallsBeforeTheFirstInterval) {
  std::atomic<int> calls{0};
  const auto start = std::chrono::steady_clock::now();
  {
    PeriodicThread thread(std::chrono::hours(1), [&] { ++calls; });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(calls.load(), 0);
}

// Stop waits for the call under way: every call that began has returned.
TEST(PeriodicThreadTest, StopWaitsForTheCallUnderWay) {
  std::atomic<int> entered{0}, returned{0};
  PeriodicThread thread(1ms, [&] {
    ++entered;
    std::this_thread::sleep_for(50ms);
    ++returned;
  });
  for (int i = 0; i < 1000 && entered.load() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_GT(entered.load(), 0);
  thread.Stop();
  EXPECT_EQ(returned.load(), entered.load());
}

}  // namespace
}  // namespace confiance

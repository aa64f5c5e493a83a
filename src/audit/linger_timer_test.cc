// File: audit/linger_timer_test.cc
// LingerTimer: callbacks at their deadlines, and Cancel while the timer's
// thread is waiting for the very deadline it removes (a use after free
// that ASan found: the thread's wait_until held a reference into the entry
// Cancel erased); the thread's scheduling policy.
#include "audit/linger_timer.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace confiance::audit {
namespace {

using namespace std::chrono_literals;

// Waits (bounded) until `flag` is set.
bool WaitFor(const std::atomic<bool>& flag) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!flag.load() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  return flag.load();
}

TEST(LingerTimerTest, RunsCallbacksInDeadlineOrder) {
  LingerTimer timer;
  std::atomic<int> order{0};
  std::atomic<int> first_seen{-1};
  std::atomic<int> second_seen{-1};
  std::atomic<bool> done{false};
  const auto now = LingerTimer::Clock::now();
  int a = 0;
  int b = 0;
  timer.Schedule(&b, now + 40ms, [&] {
    second_seen = order++;
    done = true;
  });
  timer.Schedule(&a, now + 10ms, [&] { first_seen = order++; });
  ASSERT_TRUE(WaitFor(done));
  EXPECT_EQ(first_seen.load(), 0);
  EXPECT_EQ(second_seen.load(), 1);
}

TEST(LingerTimerTest, CancelWhileTheThreadWaitsForThatDeadline) {
  LingerTimer timer;
  int owner_a = 0;
  int owner_b = 0;
  std::atomic<bool> a_ran{false};
  std::atomic<bool> b_ran{false};
  // The thread waits for A's deadline, far away...
  timer.Schedule(&owner_a, LingerTimer::Clock::now() + 30s, [&] { a_ran = true; });
  std::this_thread::sleep_for(20ms);
  // ...which Cancel erases; an earlier deadline then wakes the thread, which
  // must not look at the erased one again.
  timer.Cancel(&owner_a);
  timer.Schedule(&owner_b, LingerTimer::Clock::now() + 1ms, [&] { b_ran = true; });
  ASSERT_TRUE(WaitFor(b_ran));
  EXPECT_FALSE(a_ran.load());
}

// The timer is a fallback: its thread must never preempt a request thread.
TEST(LingerTimerTest, CallbacksRunUnderTheIdlePolicy) {
  LingerTimer timer;
  int owner = 0;
  std::atomic<int> policy{-1};
  std::atomic<bool> ran{false};
  timer.Schedule(&owner, LingerTimer::Clock::now(), [&] {
    policy = sched_getscheduler(0);
    ran = true;
  });
  ASSERT_TRUE(WaitFor(ran));
  EXPECT_EQ(policy.load(), SCHED_IDLE);
}

}  // namespace
}  // namespace confiance::audit

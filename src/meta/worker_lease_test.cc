// File: meta/worker_lease_test.cc
// WorkerLease over two "processes" sharing one store (BusStore), and over a
// store one process alone uses.
#include "meta/worker_lease.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"

namespace confiance::meta {
namespace {

using std::chrono::seconds;

// Two "processes" sharing one store.
class TwoProcessesTest : public ::testing::Test {
 protected:
  MemoryMetaStore shared_;
  testing::NoticeBus bus_;
  testing::BusStore a_store_{shared_, bus_}, b_store_{shared_, bus_};
};

TEST_F(TwoProcessesTest, OneProcessAtATimeAndTheTakerIsToldToReadAgain) {
  auto a = std::make_unique<WorkerLease>(a_store_, "lifecycle", seconds(180));
  auto b = std::make_unique<WorkerLease>(b_store_, "lifecycle", seconds(180));
  EXPECT_TRUE(b->Hold());
  EXPECT_TRUE(b->taken_now());
  EXPECT_TRUE(b->held());
  EXPECT_FALSE(a->Hold());
  EXPECT_FALSE(a->taken_now());
  EXPECT_FALSE(a->held());
  EXPECT_TRUE(b->Hold());  // renewed: nothing to read again
  EXPECT_FALSE(b->taken_now());
  // The holder stops renewing (a crash, a stall): the other takes over.
  bus_.Lapse("lifecycle");
  EXPECT_TRUE(a->Hold());
  EXPECT_TRUE(a->taken_now());
  EXPECT_FALSE(b->Hold());
  EXPECT_FALSE(b->taken_now());
  EXPECT_FALSE(b->held());
  // Destroyed, a holder releases it: the other takes it at once.
  a.reset();
  EXPECT_TRUE(b->Hold());
  EXPECT_TRUE(b->taken_now());
}

// A Hold more than a period after the last one may have found the lease
// lapsed, taken by another process and given back meanwhile: it counts as
// taken, so that the worker reads its state again.
TEST(WorkerLeaseTest, AHoldAfterMoreThanAPeriodCountsAsTaken) {
  MemoryMetaStore alone;
  WorkerLease a(alone, "sweeper", seconds(1));
  EXPECT_TRUE(a.Hold());
  EXPECT_TRUE(a.taken_now());
  EXPECT_TRUE(a.Hold());
  EXPECT_FALSE(a.taken_now());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(a.Hold());
  EXPECT_TRUE(a.taken_now());
}

TEST_F(TwoProcessesTest, LeasesOfOtherWorkIndependent) {
  WorkerLease a_sweeper(a_store_, "sweeper", seconds(60)), b_sweeper(b_store_, "sweeper", seconds(60));
  WorkerLease a_scrub(a_store_, "scrub", seconds(60)), b_scrub(b_store_, "scrub", seconds(60));
  EXPECT_TRUE(a_sweeper.Hold());
  EXPECT_TRUE(b_scrub.Hold());
  EXPECT_FALSE(b_sweeper.Hold());
  EXPECT_FALSE(a_scrub.Hold());
}

TEST(WorkerLeaseTest, AStoreOneProcessUsesAlwaysGrantsIt) {
  MemoryMetaStore alone;
  WorkerLease a(alone, "lifecycle", seconds(60)), b(alone, "lifecycle", seconds(60));
  EXPECT_TRUE(a.Hold());
  EXPECT_TRUE(a.taken_now());
  EXPECT_TRUE(b.Hold());
  EXPECT_TRUE(a.Hold());
  EXPECT_FALSE(a.taken_now());
}

TEST_F(TwoProcessesTest, WithinRecheckAfterItAnswersWithoutAskingTheStore) {
  WorkerLease a(a_store_, "notifications", seconds(30), std::chrono::hours(1));
  WorkerLease b(b_store_, "notifications", seconds(30));
  EXPECT_TRUE(a.Hold());
  bus_.Lapse("notifications");
  EXPECT_TRUE(b.Hold());
  EXPECT_TRUE(a.Hold());  // as it last asked: the store is asked again an hour later
  EXPECT_FALSE(a.taken_now());
}

}  // namespace
}  // namespace confiance::meta

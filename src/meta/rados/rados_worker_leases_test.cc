// File: meta/rados/rados_worker_leases_test.cc
// Worker leases between store instances on one namespace, against the real
// Ceph cluster of tests/ceph/run_with_ceph.py: two RadosWorkerLeases on two
// connections (two gateways' worth).
#include "meta/rados/rados_worker_leases.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "blob/rados/rados_test_connection.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

using std::chrono::seconds;

// Whether `leases` holds `name` now; a failure of the test if it could not tell.
bool Holds(RadosWorkerLeases& leases, std::string_view name, seconds period) {
  Result<bool> held = leases.Hold(name, period);
  EXPECT_TRUE(held.ok()) << held.status().ToString();
  return held.ok() && *held;
}

// Two connections to a namespace of the test's own: two gateways' worth.
class RadosWorkerLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(blob::RadosConnection c,
                         blob::TestConnection("leases-test-" + dir_.path().substr(dir_.path().rfind('/') + 1)));
    ASSERT_OK_AND_ASSIGN(io_a_, blob::RadosIo::Connect(c));
    ASSERT_OK_AND_ASSIGN(io_b_, blob::RadosIo::Connect(c));
  }

  testutil::TempDir dir_;
  std::unique_ptr<blob::RadosIo> io_a_, io_b_;
};

TEST_F(RadosWorkerLeasesTest, OneInstanceAtATimeUntilReleased) {
  RadosWorkerLeases a(*io_a_, "gateway-a");
  RadosWorkerLeases b(*io_b_, "gateway-b");
  EXPECT_TRUE(Holds(a, "lifecycle", seconds(30)));
  EXPECT_FALSE(Holds(b, "lifecycle", seconds(30)));
  // Another lease is another lock.
  EXPECT_TRUE(Holds(b, "sweeper", seconds(30)));
  EXPECT_FALSE(Holds(a, "sweeper", seconds(30)));
  // The holder renews its own.
  EXPECT_TRUE(Holds(a, "lifecycle", seconds(30)));
  EXPECT_FALSE(Holds(b, "lifecycle", seconds(30)));
  // Released: the other takes it at once, and then the first may not.
  a.Release("lifecycle");
  EXPECT_TRUE(Holds(b, "lifecycle", seconds(30)));
  EXPECT_FALSE(Holds(a, "lifecycle", seconds(30)));
  // Releasing what one does not hold leaves the holder's.
  a.Release("lifecycle");
  EXPECT_FALSE(Holds(a, "lifecycle", seconds(30)));
  // What each says of the leases it asked for (the metrics).
  using Asked = std::vector<std::pair<std::string, bool>>;
  EXPECT_EQ(a.Asked(), (Asked{{"lifecycle", false}, {"sweeper", false}}));
  EXPECT_EQ(b.Asked(), (Asked{{"lifecycle", true}, {"sweeper", true}}));
  b.Release("sweeper");
  EXPECT_EQ(b.Asked(), (Asked{{"lifecycle", true}}));  // a lease given up is not listed
  // The object holding the lock is named after the lease.
  ASSERT_OK_AND_ASSIGN(auto found, io_a_->OmapGet("confiance.meta.worker.lifecycle", {"x"}));
  EXPECT_TRUE(found.empty());
}

TEST_F(RadosWorkerLeasesTest, ALeaseNotRenewedLapsesAfterItsPeriod) {
  RadosWorkerLeases a(*io_a_, "gateway-a");
  RadosWorkerLeases b(*io_b_, "gateway-b");
  ASSERT_TRUE(Holds(a, "scrub", seconds(2)));
  EXPECT_FALSE(Holds(b, "scrub", seconds(2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // a stopped renewing (a crash, a stall)
  EXPECT_TRUE(Holds(b, "scrub", seconds(30)));
  EXPECT_FALSE(Holds(a, "scrub", seconds(2)));
}

TEST_F(RadosWorkerLeasesTest, ADestroyedInstanceReleasesWhatItHeld) {
  RadosWorkerLeases b(*io_b_, "gateway-b");
  {
    RadosWorkerLeases a(*io_a_, "gateway-a");
    ASSERT_TRUE(Holds(a, "notifications", seconds(60)));
    ASSERT_TRUE(Holds(a, "replication", seconds(60)));
    EXPECT_FALSE(Holds(b, "notifications", seconds(60)));
  }
  EXPECT_TRUE(Holds(b, "notifications", seconds(60)));
  EXPECT_TRUE(Holds(b, "replication", seconds(60)));
}

TEST_F(RadosWorkerLeasesTest, RefusesBadNamesAndPeriods) {
  RadosWorkerLeases a(*io_a_, "gateway-a");
  EXPECT_STATUS_CODE(a.Hold("", seconds(10)), kInvalidArgument);
  EXPECT_STATUS_CODE(a.Hold("Lifecycle", seconds(10)), kInvalidArgument);
  EXPECT_STATUS_CODE(a.Hold("a/b", seconds(10)), kInvalidArgument);
  EXPECT_STATUS_CODE(a.Hold("lifecycle", seconds(0)), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::meta

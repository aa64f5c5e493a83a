// File: meta/rados/rados_notices_test.cc
// Change notices between store instances on one namespace, against the
// real Ceph cluster of tests/ceph/run_with_ceph.py: two RadosNotices on two
// connections (two gateways' worth), and a RadosMetaStore's own.
#include "meta/rados/rados_notices.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "blob/rados/rados_test_connection.h"
#include "meta/rados/rados_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

Result<blob::RadosConnection> NoticesConnection(const testutil::TempDir& dir) {
  return blob::TestConnection("notices-test-" + dir.path().substr(dir.path().rfind('/') + 1));
}

// What a watcher was told, in order.
class Heard {
 public:
  MetaStore::NoticeHandler Handler() {
    return [this](std::string_view subject) {
      std::lock_guard lock(mu_);
      subjects_.emplace_back(subject);
      cv_.notify_all();
    };
  }
  std::vector<std::string> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return subjects_.size() >= n; });
    return subjects_;
  }
  std::vector<std::string> Now() {
    std::lock_guard lock(mu_);
    return subjects_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> subjects_;
};

TEST(RadosNoticesTest, AnotherInstanceHearsTheTopicsItWatchesAndTheSenderDoesNot) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(blob::RadosConnection c, NoticesConnection(dir));
  ASSERT_OK_AND_ASSIGN(auto io_a, blob::RadosIo::Connect(c));
  ASSERT_OK_AND_ASSIGN(auto io_b, blob::RadosIo::Connect(c));
  ASSERT_OK_AND_ASSIGN(auto a, RadosNotices::Open(*io_a, "gateway-a"));
  ASSERT_OK_AND_ASSIGN(auto b, RadosNotices::Open(*io_b, "gateway-b"));
  Heard a_buckets, b_buckets, b_keys;
  auto wa = a->Watch("bucket", a_buckets.Handler());
  auto wb = b->Watch("bucket", b_buckets.Handler());
  auto wk = b->Watch("access-key", b_keys.Handler());
  // Announce returns once every watcher acknowledged: b has been told.
  ASSERT_OK(a->Announce("bucket", "photos"));
  EXPECT_EQ(b_buckets.Now(), std::vector<std::string>{"photos"});
  ASSERT_OK(a->Announce("access-key", "CFKEY1"));
  EXPECT_EQ(b_keys.Now(), std::vector<std::string>{"CFKEY1"});
  EXPECT_EQ(b_buckets.Now(), std::vector<std::string>{"photos"});
  EXPECT_TRUE(a_buckets.Now().empty());  // its own notices are not its news
  ASSERT_OK(b->Announce("bucket", "logs"));
  EXPECT_EQ(a_buckets.WaitFor(1), std::vector<std::string>{"logs"});
  // A watch released hears nothing more; the others still do.
  wb.reset();
  ASSERT_OK(a->Announce("bucket", "again"));
  EXPECT_EQ(b_buckets.Now(), std::vector<std::string>{"photos"});
  ASSERT_OK(a->Announce("access-key", "CFKEY2"));
  EXPECT_EQ(b_keys.Now(), (std::vector<std::string>{"CFKEY1", "CFKEY2"}));
  // An instance gone: announcing still succeeds (no one left to wait for).
  wk.reset();
  b.reset();
  io_b.reset();
  ASSERT_OK(a->Announce("bucket", "alone"));
  ASSERT_OK(a->Check());
}

TEST(RadosNoticesTest, TheStoreAnnouncesToOtherWatchersOfItsNamespace) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(blob::RadosConnection c, NoticesConnection(dir));
  RadosMetaStore::Options o;
  o.connection = c;
  o.lease_seconds = 3;
  ASSERT_OK_AND_ASSIGN(auto store, RadosMetaStore::Open(o));
  ASSERT_OK_AND_ASSIGN(auto io, blob::RadosIo::Connect(c));
  ASSERT_OK_AND_ASSIGN(auto other, RadosNotices::Open(*io, "other-gateway"));
  Heard other_heard, store_heard;
  auto wo = other->Watch("tenant", other_heard.Handler());
  auto ws = store->Watch("tenant", store_heard.Handler());
  ASSERT_NE(ws, nullptr);
  ASSERT_OK(store->Announce("tenant", "acme"));
  EXPECT_EQ(other_heard.Now(), std::vector<std::string>{"acme"});
  ASSERT_OK(other->Announce("tenant", "globex"));
  EXPECT_EQ(store_heard.WaitFor(1), std::vector<std::string>{"globex"});
}

// The fence (meta/notice_trust.h): a watcher that never acknowledges (a
// gateway paused, or cut off while the OSD still holds its watch) makes a
// notice time out; Announce then waits until such a watcher can no longer
// be using its caches, and reports the change as in force.
TEST(RadosNoticesTest, ANoticeAWatcherLeavesUnansweredWaitsOutTheFence) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(blob::RadosConnection c, NoticesConnection(dir));
  ASSERT_OK_AND_ASSIGN(auto io_a, blob::RadosIo::Connect(c));
  ASSERT_OK_AND_ASSIGN(auto io_b, blob::RadosIo::Connect(c));
  ASSERT_OK_AND_ASSIGN(auto io_silent, blob::RadosIo::Connect(c));
  // (Whole seconds: the OSD counts a notice's timeout in seconds.)
  const RadosNotices::Timing timing{.notify_timeout_ms = 1000, .fence_ms = 2000, .fence_margin_ms = 200};
  ASSERT_OK_AND_ASSIGN(auto a, RadosNotices::Open(*io_a, "gateway-a", timing));
  ASSERT_OK_AND_ASSIGN(auto b, RadosNotices::Open(*io_b, "gateway-b", timing));
  EXPECT_TRUE(a->Current());
  EXPECT_TRUE(b->Current());

  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  ASSERT_OK(a->Announce("bucket", "answered"));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));

  uint64_t silent = 0;
  ASSERT_EQ(rados_watch3(
                io_silent->ioctx(), RadosNotices::kOid, &silent,
                [](void*, uint64_t, uint64_t, uint64_t, void*, size_t) {}, [](void*, uint64_t, int) {}, 30, nullptr),
            0);
  Heard b_heard;
  auto wb = b->Watch("bucket", b_heard.Handler());
  start = Clock::now();
  ASSERT_OK(a->Announce("bucket", "unanswered"));
  // Returned once the notice timed out (1 s after the OSD sent it), plus
  // the fence past that, less what the timeout already waited, plus the margin.
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(2200 - 20));
  EXPECT_EQ(b_heard.Now(), std::vector<std::string>{"unanswered"});  // (the others did hear it)
  EXPECT_EQ(rados_unwatch2(io_silent->ioctx(), silent), 0);
}

// The watcher's side, with librados' own confirmations (every 5 s): under
// a fence of 100 ms the watch is trusted only just after each one, and
// every return of trust first drops the caches ("" to every handler).
TEST(RadosNoticesTest, AWatchUnconfirmedPastTheFenceIsNotTrustedAndItsReturnDropsTheCaches) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(blob::RadosConnection c, NoticesConnection(dir));
  ASSERT_OK_AND_ASSIGN(auto io, blob::RadosIo::Connect(c));
  const RadosNotices::Timing timing{.notify_timeout_ms = 1000, .fence_ms = 100, .fence_margin_ms = 0};
  ASSERT_OK_AND_ASSIGN(auto n, RadosNotices::Open(*io, "gateway", timing));
  Heard heard;
  auto w = n->Watch("bucket", heard.Handler());
  using Clock = std::chrono::steady_clock;
  const Clock::time_point end = Clock::now() + std::chrono::seconds(12);
  int distrusted = 0, trusted_again = 0;
  bool was_trusted = true;
  while (Clock::now() < end && trusted_again < 2) {
    const size_t drops_before = heard.Now().size();
    const bool trusted = n->Current();
    if (!trusted) ++distrusted;
    if (trusted && !was_trusted) {
      ++trusted_again;
      EXPECT_EQ(heard.Now().size(), drops_before + 1);  // dropped before trusted
    }
    was_trusted = trusted;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(distrusted, 0);
  EXPECT_EQ(trusted_again, 2);
  for (const std::string& subject : heard.Now()) EXPECT_EQ(subject, "");
}

TEST(RadosNoticesTest, TheWatchersThatDidNotAnswerAreReadFromTheReply) {
  // librados' reply: map<pair<gid, cookie>, bufferlist> of the acks, then
  // set<pair<gid, cookie>> of the timeouts, little-endian.
  std::string reply;
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) reply.push_back(static_cast<char>(v >> (8 * i)));
  };
  auto u64 = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) reply.push_back(static_cast<char>(v >> (8 * i)));
  };
  u32(1);
  u64(4100);
  u64(1);
  u32(2);
  reply += "ok";
  u32(2);
  u64(4123);
  u64(7);
  u64(0x1'0000'0001);
  u64(9);
  EXPECT_EQ(RadosNotices::SilentWatchers(reply), (std::vector<uint64_t>{4123, 0x1'0000'0001}));
  EXPECT_TRUE(RadosNotices::SilentWatchers(reply.substr(0, reply.size() - 1)).empty());
  EXPECT_TRUE(RadosNotices::SilentWatchers("").empty());
}

}  // namespace
}  // namespace confiance::meta

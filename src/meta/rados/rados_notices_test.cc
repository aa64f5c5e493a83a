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

}  // namespace
}  // namespace confiance::meta

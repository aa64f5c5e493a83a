// File: meta/rocksdb/apply_here_test.cc
// RocksMetaStore::ApplyHere commits on the calling thread, after the
// batches queued before it and in the same group, and falls back to the
// committer where committing here would deadlock.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

TEST(RocksApplyHereTest, CommitsOnTheCallingThreadBeforeReturning) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/meta")));
  bool completed = false;
  std::thread::id completed_on;
  Batch batch;
  batch.Put("k", "v");
  store->ApplyHere("p", std::move(batch), [&](Status st) {
    EXPECT_OK(st);
    completed = true;
    completed_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(completed);
  EXPECT_EQ(completed_on, std::this_thread::get_id());
  ASSERT_OK_AND_ASSIGN(auto value, store->Get("p", "k"));
  EXPECT_EQ(value, "v");
  // Conditions hold as for Apply: a stale one fails, nothing applied.
  Status refused;
  store->ApplyHere("p", Batch().Expect("k", "stale").Put("k", "w"), [&](Status st) { refused = st; });
  EXPECT_STATUS_CODE(refused, kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(value, store->Get("p", "k"));
  EXPECT_EQ(value, "v");
}

TEST(RocksApplyHereTest, TakesTheBatchesQueuedBeforeItInOrder) {
  testutil::TempDir dir;
  RocksMetaStore::Options options = TestStoreOptions(dir.path() + "/meta");
  // The committer waits in its start hook: what ApplyAsync queues stays
  // queued until ApplyHere takes it.
  std::promise<void> let_committer_run;
  std::shared_future<void> go = let_committer_run.get_future().share();
  options.on_committer_start = [go] { go.wait(); };
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(options));
  std::vector<std::string> order;
  std::thread::id queued_completed_on;
  store->ApplyAsync("p", Batch().Put("k", "1"), [&](Status st) {
    EXPECT_OK(st);
    order.push_back("queued");
    queued_completed_on = std::this_thread::get_id();
  });
  // Holds only if the queued batch was applied first, in this group.
  store->ApplyHere("p", Batch().Expect("k", "1").Put("k", "2"), [&](Status st) {
    EXPECT_OK(st);
    order.push_back("here");
  });
  EXPECT_EQ(order, (std::vector<std::string>{"queued", "here"}));
  EXPECT_EQ(queued_completed_on, std::this_thread::get_id());
  let_committer_run.set_value();
  ASSERT_OK_AND_ASSIGN(auto value, store->Get("p", "k"));
  EXPECT_EQ(value, "2");
}

TEST(RocksApplyHereTest, ACallbackThatAppliesHereAgainGoesToTheCommitter) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/meta")));
  std::promise<std::thread::id> second;
  store->ApplyHere("p", Batch().Put("a", "1"), [&](Status st) {
    EXPECT_OK(st);
    // Inside this thread's group: taking the commit lock again would
    // deadlock, so the committer takes this one.
    store->ApplyHere("p", Batch().Put("b", "2"), [&](Status st2) {
      EXPECT_OK(st2);
      second.set_value(std::this_thread::get_id());
    });
  });
  std::future<std::thread::id> done = second.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_NE(done.get(), std::this_thread::get_id());
  ASSERT_OK_AND_ASSIGN(auto value, store->Get("p", "b"));
  EXPECT_EQ(value, "2");
}

}  // namespace
}  // namespace confiance::meta

// File: meta/rocksdb/committer_start_test.cc
// RocksMetaStore::Options::on_committer_start runs once, before anything
// else, on the thread that writes every batch (but those an ApplyHere
// writes on its caller's thread). So does Options::bind_memtable_arena, and
// it also runs around every group an ApplyHere writes on its caller's
// thread: the server binds the thread that writes the memtable to a memory
// arena of its own (main/malloc_tuning.h), which only works if the binding
// holds on whichever thread writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

// The id of the thread that completed a batch (ApplyAsync's callback runs
// on the committer thread once the batch is written).
std::thread::id ThreadThatWrites(RocksMetaStore& store, const std::string& key) {
  std::promise<std::thread::id> written;
  Batch batch;
  batch.Put(key, "v");
  store.ApplyAsync("p", std::move(batch), [&written](Status st) {
    EXPECT_OK(st);
    written.set_value(std::this_thread::get_id());
  });
  return written.get_future().get();
}

TEST(RocksCommitterStartTest, RunsOnceFirstOnTheThreadThatWrites) {
  testutil::TempDir dir;
  std::atomic<int> calls{0};
  std::thread::id hook_thread;
  std::atomic<bool> hook_done{false};
  RocksMetaStore::Options options = TestStoreOptions(dir.path() + "/meta");
  options.on_committer_start = [&] {
    hook_thread = std::this_thread::get_id();
    calls.fetch_add(1);
    hook_done.store(true, std::memory_order_release);
  };
  Result<std::unique_ptr<RocksMetaStore>> store = RocksMetaStore::Open(options);
  ASSERT_OK(store.status());

  const std::thread::id first = ThreadThatWrites(**store, "a");
  ASSERT_TRUE(hook_done.load(std::memory_order_acquire));
  EXPECT_EQ(first, hook_thread);
  EXPECT_NE(first, std::this_thread::get_id());
  ASSERT_OK((*store)->Apply("p", Batch().Put("b", "v")));
  EXPECT_EQ(ThreadThatWrites(**store, "c"), hook_thread);
  EXPECT_EQ(calls.load(), 1);
}

// Whether this thread is bound now, per the hook below.
thread_local bool t_bound = false;

TEST(RocksCommitterStartTest, MemtableArenaBoundForGoodOnTheCommitterAndAroundAnInlineGroup) {
  testutil::TempDir dir;
  std::mutex mu;
  std::vector<std::thread::id> binds, undos;  // GUARDED_BY(mu)
  RocksMetaStore::Options options = TestStoreOptions(dir.path() + "/meta");
  options.bind_memtable_arena = [&]() -> std::function<void()> {
    std::lock_guard lock(mu);
    binds.push_back(std::this_thread::get_id());
    t_bound = true;
    return [&] {
      std::lock_guard lock(mu);
      undos.push_back(std::this_thread::get_id());
      t_bound = false;
    };
  };
  Result<std::unique_ptr<RocksMetaStore>> store = RocksMetaStore::Open(options);
  ASSERT_OK(store.status());

  // First, while the committer is idle (a committer holding a group makes
  // ApplyHere hand the batch to it): an ApplyHere commits on the caller's
  // thread, bound while it writes, unbound after.
  std::promise<std::pair<std::thread::id, bool>> inline_done;
  (*store)->ApplyHere("p", Batch().Put("c", "v"), [&](Status st) {
    EXPECT_OK(st);
    inline_done.set_value({std::this_thread::get_id(), t_bound});
  });
  const auto [inline_thread, bound_inline] = inline_done.get_future().get();
  EXPECT_EQ(inline_thread, std::this_thread::get_id());
  EXPECT_TRUE(bound_inline);
  EXPECT_FALSE(t_bound);

  // The committer is bound for good.
  std::promise<bool> bound_when_written;
  (*store)->ApplyAsync("p", Batch().Put("q", "v"), [&](Status st) {
    EXPECT_OK(st);
    bound_when_written.set_value(t_bound);
  });
  EXPECT_TRUE(bound_when_written.get_future().get());
  const std::thread::id committer = ThreadThatWrites(**store, "b");
  EXPECT_NE(committer, std::this_thread::get_id());

  std::lock_guard lock(mu);
  ASSERT_EQ(binds.size(), 2u);  // in either order: the committer binds as it starts
  EXPECT_EQ(std::count(binds.begin(), binds.end(), committer), 1);
  EXPECT_EQ(std::count(binds.begin(), binds.end(), std::this_thread::get_id()), 1);
  ASSERT_EQ(undos.size(), 1u);
  EXPECT_EQ(undos[0], std::this_thread::get_id());
}

}  // namespace
}  // namespace confiance::meta

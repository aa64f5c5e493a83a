// File: meta/rocksdb/checkpoint_test.cc
// RocksMetaStore::Checkpoint: a copy of a live store as of one point in its
// commit order, which opens as a store of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/env.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

TEST(RocksCheckpointTest, TheCopyHoldsWhatWasCommittedBeforeAndNothingAfter) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/meta")));
  ASSERT_OK(store->Apply("p", Batch().Put("a", "1").Put("gone", "x")));
  ASSERT_OK(store->Apply("q", Batch().Put("z", "26")));
  ASSERT_OK(store->Apply("p", Batch().Delete("gone")));
  ASSERT_OK(store->DropPartition("q"));
  ASSERT_OK(store->Apply("r", Batch().Put("kept", "yes")));

  ASSERT_OK(store->Checkpoint(dir.path() + "/copy"));
  ASSERT_OK(store->Apply("p", Batch().Put("a", "2").Put("b", "later")));

  ASSERT_OK_AND_ASSIGN(auto copy, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/copy")));
  ASSERT_OK_AND_ASSIGN(auto a, copy->Get("p", "a"));
  EXPECT_EQ(a, "1");
  ASSERT_OK_AND_ASSIGN(auto b, copy->Get("p", "b"));
  EXPECT_FALSE(b.has_value());
  ASSERT_OK_AND_ASSIGN(auto gone, copy->Get("p", "gone"));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(auto z, copy->Get("q", "z"));
  EXPECT_FALSE(z.has_value()) << "a dropped partition stays dropped in the copy";
  ASSERT_OK_AND_ASSIGN(auto kept, copy->Get("r", "kept"));
  EXPECT_EQ(kept, "yes");
  // The copy is a store of its own: writes to it leave the original alone.
  ASSERT_OK(copy->Apply("p", Batch().Put("a", "copy")));
  ASSERT_OK_AND_ASSIGN(a, store->Get("p", "a"));
  EXPECT_EQ(a, "2");
}

TEST(RocksCheckpointTest, AnExistingDirectoryIsRefused) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/meta")));
  ASSERT_OK(Env::Default()->CreateDir(dir.path() + "/taken"));
  EXPECT_STATUS_CODE(store->Checkpoint(dir.path() + "/taken"), kAlreadyExists);
  EXPECT_STATUS_CODE(store->Checkpoint(""), kInvalidArgument);
}

// Batches committed while the checkpoint is taken: the copy holds a prefix
// of them in commit order, each batch whole.
TEST(RocksCheckpointTest, ConcurrentCommitsAreInTheCopyWholeAndAsAPrefix) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/meta")));
  constexpr int kBatches = 4000;
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int i = 0; i < kBatches; ++i) {
      char key[16];
      std::snprintf(key, sizeof key, "%08d", i);
      // Two partitions in one batch would be two Applies: keep the pair in one.
      ASSERT_OK(store->Apply("w", Batch().Put(std::string("a") + key, "x").Put(std::string("b") + key, "y")));
      committed.store(i + 1);
    }
  });
  while (committed.load() < kBatches / 4) std::this_thread::yield();
  const int before = committed.load();
  ASSERT_OK(store->Checkpoint(dir.path() + "/copy"));
  const int after = committed.load();
  writer.join();
  ASSERT_LT(after, kBatches) << "the checkpoint did not overlap the writes; make kBatches larger";

  ASSERT_OK_AND_ASSIGN(auto copy, RocksMetaStore::Open(TestStoreOptions(dir.path() + "/copy")));
  ScanOptions all;
  all.limit = 3 * kBatches;
  ASSERT_OK_AND_ASSIGN(auto records, copy->Scan("w", all));
  ASSERT_EQ(records.size() % 2, 0u) << "a batch was split";
  const int n = static_cast<int>(records.size() / 2);
  EXPECT_GE(n, before);
  EXPECT_LE(n, after + 1);  // the batch in flight when `after` was read may be in
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "%08d", i);
    EXPECT_EQ(records[i].key, std::string("a") + key);
    EXPECT_EQ(records[n + i].key, std::string("b") + key);
  }
}

TEST(RocksCheckpointTest, TheFakeSaysItCannot) {
  MemoryMetaStore fake;
  EXPECT_STATUS_CODE(fake.Checkpoint("/nonexistent/copy"), kUnimplemented);
}

}  // namespace
}  // namespace confiance::meta

// File: meta/meta_store_instances_test.cc
// MetaStoreContractTest over RocksMetaStore and the fake, and the tests of
// RocksMetaStore alone: durability over FaultInjectionEnv (power loss,
// injected write and sync failures), Purge, read-only opening.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/meta_store.h"
#include "meta/meta_store_contract_test.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/fault_injection_env.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

using contract::Impl;
using contract::MetaStoreContractTest;
using contract::PutBatch;
using std::string_literals::operator""s;

Result<std::unique_ptr<MetaStore>> OpenRocks(const std::string& path, Env* env) {
  RocksMetaStore::Options options;
  options.path = path;
  options.env = env;
  options.block_cache_bytes = 1 << 20;
  ASSIGN_OR_RETURN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
  return std::unique_ptr<MetaStore>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(
    Stores, MetaStoreContractTest,
    ::testing::Values(Impl{"Rocks", [](const testutil::TempDir& dir) { return OpenRocks(dir.Sub("db"), nullptr); }},
                      // Through the Env route, which keeps its own in-process lock table
                      // (fcntl locks never conflict inside one process: a process must
                      // not open one directory through both routes).
                      Impl{"RocksOverEnv",
                           [](const testutil::TempDir& dir) { return OpenRocks(dir.Sub("db-env"), Env::Default()); }},
                      Impl{"Memory",
                           [](const testutil::TempDir&) -> Result<std::unique_ptr<MetaStore>> {
                             return std::unique_ptr<MetaStore>(std::make_unique<MemoryMetaStore>());
                           },
                           /*persists=*/false, /*exclusive=*/false}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

TEST(MemoryMetaStoreTest, FailNextApplyFailsOnlyOnce) {
  MemoryMetaStore store;
  store.FailNextApply(UnavailableError("injected"));
  EXPECT_STATUS_CODE(store.Apply("p", PutBatch("k", "v")), kUnavailable);
  Result<std::optional<std::string>> absent = store.Get("p", "k");
  ASSERT_OK(absent);
  EXPECT_EQ(*absent, std::nullopt);
  EXPECT_OK(store.Apply("p", PutBatch("k", "v")));
}

// RocksDB over FaultInjectionEnv: what a power loss or a failed fsync does.
class RocksMetaStoreFaultTest : public ::testing::Test {
 protected:
  RocksMetaStoreFaultTest() : fault_env_(*Env::Default()) {}

  void OpenStore() {
    RocksMetaStore::Options options;
    options.path = dir_.Sub("db");
    options.env = &fault_env_;
    options.block_cache_bytes = 1 << 20;
    ASSERT_OK_AND_ASSIGN(store_, RocksMetaStore::Open(options));
  }

  // The machine loses power: nothing more reaches the disk, the process
  // dies, unsynced data is dropped; then the store is opened again.
  void CrashAndReopen() {
    fault_env_.SetFilesystemActive(false);
    store_.reset();
    ASSERT_OK(fault_env_.SimulatePowerLoss());
    fault_env_.SetFilesystemActive(true);
    OpenStore();
  }

  void ExpectContent(const std::map<std::string, std::map<std::string, std::string>>& model) {
    for (const auto& [partition, records] : model) {
      Result<std::vector<Record>> scanned = store_->Scan(partition, ScanOptions{.limit = 100000});
      ASSERT_OK(scanned);
      std::map<std::string, std::string> found;
      for (const Record& r : *scanned) found[r.key] = r.value;
      EXPECT_EQ(found, records) << "partition " << partition;
    }
  }

  testutil::TempDir dir_;
  testutil::FaultInjectionEnv fault_env_;
  std::unique_ptr<RocksMetaStore> store_;
};

TEST_F(RocksMetaStoreFaultTest, AcknowledgedAppliesSurvivePowerLoss) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  std::map<std::string, std::map<std::string, std::string>> model;
  // Several crash cycles: the later ones recover from SST files and a
  // MANIFEST that RocksDB wrote (through the Env) while recovering.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 30; ++i) {
      std::string partition = "part" + std::to_string(i % 4);
      std::string key = "k" + std::to_string(round) + "-" + std::to_string(i);
      std::string value(100 + i, static_cast<char>('a' + round));
      Batch b = PutBatch(key, value);
      if (i % 7 == 3 && i >= 4) {  // delete an earlier key of the same partition
        std::string victim = "k" + std::to_string(round) + "-" + std::to_string(i - 4);
        b.Delete(victim);
        model[partition].erase(victim);
      }
      ASSERT_OK(store_->Apply(partition, b));
      model[partition][key] = value;
    }
    ASSERT_OK(store_->DropPartition("part3"));
    model["part3"].clear();
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
    ASSERT_NO_FATAL_FAILURE(ExpectContent(model));
  }
}

TEST_F(RocksMetaStoreFaultTest, ConcurrentAcknowledgedAppliesSurvivePowerLoss) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Batch b = PutBatch("t" + std::to_string(t) + "-" + std::to_string(i), "v");
        if (!store_->Apply("shared", b).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  Result<std::vector<Record>> all = store_->Scan("shared", ScanOptions{.limit = 100000});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), size_t{kThreads * kPerThread});
}

// Durability::kWithNextSync: visible at once, not synced by itself, and
// durable once a later synced batch (of any partition) completes.
TEST_F(RocksMetaStoreFaultTest, DeferredBatchBecomesDurableWithTheNextSyncedOne) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  Batch deferred = PutBatch("object", "record");
  deferred.Put("object-2", "record-2");
  deferred.durability = Durability::kWithNextSync;
  ASSERT_OK(store_->Apply("objects", deferred));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store_->Get("objects", "object"));
  EXPECT_EQ(v, "record");

  // Alone it was not synced: a power loss takes it, whole.
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  ASSERT_OK_AND_ASSIGN(v, store_->Get("objects", "object"));
  EXPECT_EQ(v, std::nullopt);
  ASSERT_OK_AND_ASSIGN(v, store_->Get("objects", "object-2"));
  EXPECT_EQ(v, std::nullopt);

  // Followed by a synced batch of another partition (as by a request's
  // log entry), it survives; one applied after the last sync is lost again.
  ASSERT_OK(store_->Apply("objects", deferred));
  ASSERT_OK(store_->Apply("log", PutBatch("entry", "e")));
  Batch later = PutBatch("object-3", "record-3");
  later.durability = Durability::kWithNextSync;
  ASSERT_OK(store_->Apply("objects", later));
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  ASSERT_NO_FATAL_FAILURE(
      ExpectContent({{"objects", {{"object", "record"}, {"object-2", "record-2"}}}, {"log", {{"entry", "e"}}}}));
}

TEST_F(RocksMetaStoreFaultTest, SyncFailureTurnsStoreReadOnly) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_OK(store_->Apply("p", PutBatch("before", "v")));
  fault_env_.FailAfter(1, EIO, testutil::kFaultSync);
  Status failed = store_->Apply("p", PutBatch("during", "v"));
  EXPECT_FALSE(failed.ok());
  EXPECT_GE(fault_env_.injected_failures(), 1);
  EXPECT_TRUE(store_->read_only());
  EXPECT_STATUS_CODE(store_->Writable(), kUnavailable);

  // No retry-then-acknowledge: every later write is refused, reads still work.
  Status after = store_->Apply("p", PutBatch("after", "v"));
  EXPECT_STATUS_CODE(after, kUnavailable);
  EXPECT_NE(after.message().find("read-only"), std::string::npos) << after.message();
  EXPECT_STATUS_CODE(store_->DropPartition("p"), kUnavailable);
  Result<std::optional<std::string>> before = store_->Get("p", "before");
  ASSERT_OK(before);
  EXPECT_EQ(*before, "v");

  // A restart clears the state; what was acknowledged is there, what was
  // refused is not ("during" may or may not have landed).
  fault_env_.ClearFailure();
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  EXPECT_FALSE(store_->read_only());
  EXPECT_OK(store_->Writable());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store_->Get("p", "before"));
  EXPECT_EQ(v, "v");
  ASSERT_OK_AND_ASSIGN(v, store_->Get("p", "after"));
  EXPECT_EQ(v, std::nullopt);
  EXPECT_OK(store_->Apply("p", PutBatch("after", "v")));
}

TEST_F(RocksMetaStoreFaultTest, WriteFailureTurnsStoreReadOnly) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  fault_env_.FailAfter(1, ENOSPC, testutil::kFaultAppend);
  EXPECT_FALSE(store_->Apply("p", PutBatch("k", "v")).ok());
  EXPECT_TRUE(store_->read_only());
  EXPECT_STATUS_CODE(store_->Apply("p", PutBatch("k2", "v")), kUnavailable);
}

// A purge's flush writes a table file; RocksDB stops its writes after such
// an error, and the store says so at once rather than at the next write.
TEST_F(RocksMetaStoreFaultTest, PurgeFailureTurnsStoreReadOnly) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  for (int i = 0; i < 20; ++i) ASSERT_OK(store_->Apply("p", PutBatch("k" + std::to_string(i), "v")));
  fault_env_.FailAfter(1, ENOSPC, testutil::kFaultAppend);
  Status purged = store_->Purge("p");
  EXPECT_FALSE(purged.ok());
  EXPECT_GE(fault_env_.injected_failures(), 1);
  EXPECT_NE(purged.message().find("read-only"), std::string::npos) << purged.message();
  EXPECT_TRUE(store_->read_only());
  EXPECT_STATUS_CODE(store_->Apply("p", PutBatch("after", "v")), kUnavailable);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store_->Get("p", "k3"));
  EXPECT_EQ(v, "v");
}

}  // namespace
}  // namespace confiance::meta

namespace confiance::meta {
namespace {

// True if any file under `dir` contains `needle`.
bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Purge is what makes crypto-shredding real in the embedded store: an
// overwritten value is still in the WAL (and table files) until then.
TEST(RocksMetaStorePurgeTest, OverwrittenValuesLeaveTheFiles) {
  testutil::TempDir dir;
  RocksMetaStore::Options options;
  options.path = dir.Sub("db");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
  const std::string secret = "wrapped-key-bytes-0123456789-abcdefghij";
  Batch put;
  put.op_tag = "put";
  put.Put("t", secret);
  put.Put("other", "kept-value-0123456789");
  ASSERT_OK(store->Apply("tkeys", put));
  Batch overwrite;
  overwrite.op_tag = "overwrite";
  overwrite.Put("t", "destroyed");
  ASSERT_OK(store->Apply("tkeys", overwrite));
  ASSERT_TRUE(AnyFileContains(options.path, secret)) << "the old value should still be on disk before a purge";
  ASSERT_OK(store->Purge("tkeys"));
  EXPECT_FALSE(AnyFileContains(options.path, secret));
  EXPECT_TRUE(AnyFileContains(options.path, "kept-value-0123456789"));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> now, store->Get("tkeys", "t"));
  EXPECT_EQ(now, "destroyed");
  // And it stays so across a reopen (the purge left a consistent store).
  store.reset();
  ASSERT_OK_AND_ASSIGN(store, RocksMetaStore::Open(options));
  ASSERT_OK_AND_ASSIGN(now, store->Get("tkeys", "other"));
  EXPECT_EQ(now, "kept-value-0123456789");
  EXPECT_FALSE(AnyFileContains(options.path, secret));
}

// The shred check opens a data directory read-only so that it sees the
// files as they were: opening for writing would replay the WAL into a new
// table file and delete the WAL, taking an overwritten value with it.
TEST(RocksMetaStoreReadOnlyTest, ReadsWithoutChangingTheFilesAndRefusesWrites) {
  testutil::TempDir dir;
  RocksMetaStore::Options options;
  options.path = dir.Sub("db");
  const std::string secret = "wrapped-key-bytes-0123456789-abcdefghij";
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    Batch put;
    put.op_tag = "put";
    put.Put("t", secret);
    ASSERT_OK(store->Apply("tkeys", put));
    Batch overwrite;
    overwrite.op_tag = "overwrite";
    overwrite.Put("t", "destroyed");
    ASSERT_OK(store->Apply("tkeys", overwrite));
  }
  auto data_files = [&] {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(options.path)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("LOG", 0) != 0) names.insert(n);  // RocksDB's text log rotates on every open
    }
    return names;
  };
  const std::set<std::string> before = data_files();
  ASSERT_TRUE(AnyFileContains(options.path, secret));
  RocksMetaStore::Options ro = options;
  ro.read_only = true;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(ro));
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> now, store->Get("tkeys", "t"));
    EXPECT_EQ(now, "destroyed");
    Batch put;
    put.op_tag = "refused";
    put.Put("x", "y");
    EXPECT_STATUS_CODE(store->Apply("tkeys", put), kFailedPrecondition);
    EXPECT_STATUS_CODE(store->Purge("tkeys"), kFailedPrecondition);
  }
  EXPECT_EQ(data_files(), before);
  EXPECT_TRUE(AnyFileContains(options.path, secret));
  RocksMetaStore::Options missing = ro;
  missing.path = dir.Sub("none");
  EXPECT_STATUS_CODE(RocksMetaStore::Open(missing), kNotFound);
  EXPECT_FALSE(std::filesystem::exists(missing.path));
}

}  // namespace
}  // namespace confiance::meta

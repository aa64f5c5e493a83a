// File: meta/rocksdb/table_options_test.cc
// The block-based table options RocksMetaStore passes to RocksDB reach it:
// RocksDB writes the options it runs with into the store's OPTIONS file,
// which is read back here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

// The text of the newest OPTIONS-N file in `dir`.
std::string NewestOptionsFile(const std::string& dir) {
  std::string newest;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("OPTIONS-", 0) != 0) continue;
    if (newest.empty() || std::stoull(name.substr(8)) > std::stoull(newest.substr(8))) newest = name;
  }
  std::ifstream in(dir + "/" + newest);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string OpenAndReadOptions(const std::string& path, std::optional<size_t> block_size) {
  RocksMetaStore::Options options = TestStoreOptions(path);
  if (block_size) options.block_size = *block_size;
  Result<std::unique_ptr<RocksMetaStore>> store = RocksMetaStore::Open(options);
  EXPECT_OK(store.status());
  store->reset();
  return NewestOptionsFile(path);
}

TEST(RocksTableOptionsTest, DataBlocksAre64KiBUnlessAskedOtherwise) {
  testutil::TempDir dir;
  const std::string by_default = OpenAndReadOptions(dir.path() + "/default", std::nullopt);
  EXPECT_NE(by_default.find("\n  block_size=65536\n"), std::string::npos) << by_default;
  const std::string small = OpenAndReadOptions(dir.path() + "/small", 4096);
  EXPECT_NE(small.find("\n  block_size=4096\n"), std::string::npos) << small;
}

// A store at `path` with a 1 MiB block cache and a 1 MiB row cache.
RocksMetaStore::Options RowCacheOptions(const std::string& path) {
  RocksMetaStore::Options options = TestStoreOptions(path);
  options.row_cache_bytes = 1 << 20;
  return options;
}

// Records read from table files are kept in the row cache, and a newer
// write to the same key is read over it.
TEST(RocksTableOptionsTest, RowCacheHoldsRecordsReadFromTableFiles) {
  testutil::TempDir dir;
  for (size_t row_cache : {size_t{1} << 20, size_t{0}}) {
    RocksMetaStore::Options options = RowCacheOptions(dir.path() + "/db" + std::to_string(row_cache));
    options.row_cache_bytes = row_cache;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
      ASSERT_OK(store->Apply("p", Batch().Put("k", std::string(1000, 'a'))));
    }
    // Reopening replays the WAL and flushes it: "k" is now in a table file.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    const size_t before = store->TEST_RowCacheUsage();  // the key-format marker, read at open
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", "k"));
    EXPECT_EQ(v, std::string(1000, 'a'));
    if (row_cache > 0) {
      EXPECT_GT(store->TEST_RowCacheUsage(), before + 1000);
    } else {
      EXPECT_EQ(store->TEST_RowCacheUsage(), 0u);
    }
    ASSERT_OK_AND_ASSIGN(v, store->Get("p", "k"));  // from the cache
    EXPECT_EQ(v, std::string(1000, 'a'));
    ASSERT_OK(store->Apply("p", Batch().Put("k", "b")));
    ASSERT_OK_AND_ASSIGN(v, store->Get("p", "k"));
    EXPECT_EQ(v, std::string("b"));
  }
}

// RocksDB 7.8's read-only Get rejects every row-cache hit once the WAL
// it replayed held records (its read callback refuses the hit's
// kMaxSequenceNumber), so a second read of a record in a table file came
// back NotFound: a read-only open must not get the row cache it was
// configured with.
TEST(RocksTableOptionsTest, ReadOnlyOpenReadsEveryRecordAgain) {
  testutil::TempDir dir;
  RocksMetaStore::Options options = RowCacheOptions(dir.path() + "/db");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    for (int i = 0; i < 20; ++i) ASSERT_OK(store->Apply("p", Batch().Put("k" + std::to_string(i), "v")));
  }
  {  // recovery flushed those into a table file; these stay in the WAL
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    for (int i = 0; i < 5; ++i) ASSERT_OK(store->Apply("p", Batch().Put("w" + std::to_string(i), "v")));
  }
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
  for (int pass = 0; pass < 3; ++pass) {
    for (const char* prefix : {"k", "w"}) {
      for (int i = 0; i < (prefix[0] == 'k' ? 20 : 5); ++i) {
        const std::string key = prefix + std::to_string(i);
        ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", key));
        EXPECT_EQ(v, std::string("v")) << "pass " << pass << ", " << key;
      }
    }
  }
  EXPECT_EQ(store->TEST_RowCacheUsage(), 0u);
}

// A dropped partition (a range tombstone) stays dropped for records the
// row cache holds: with the tombstone in the memtable, in a newer table
// file than the records, and flushed together with records written after
// it.
TEST(RocksTableOptionsTest, RowCacheNeverServesADroppedPartition) {
  testutil::TempDir dir;
  const RocksMetaStore::Options options = RowCacheOptions(dir.path() + "/db");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    ASSERT_OK(store->Apply("p", Batch().Put("old", "1")));
  }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    const size_t before = store->TEST_RowCacheUsage();
    for (int i = 0; i < 2; ++i) {
      ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", "old"));
      EXPECT_EQ(v, std::string("1"));
    }
    EXPECT_GT(store->TEST_RowCacheUsage(), before);  // "old" is cached
    ASSERT_OK(store->DropPartition("p"));
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", "old"));
    EXPECT_EQ(v, std::nullopt);
    ASSERT_OK(store->Apply("p", Batch().Put("new", "2")));
  }
  for (int reopen = 0; reopen < 2; ++reopen) {  // the tombstone in a table file, then compacted or not
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(options));
    for (int pass = 0; pass < 3; ++pass) {
      ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", "old"));
      EXPECT_EQ(v, std::nullopt) << "reopen " << reopen << ", pass " << pass;
      ASSERT_OK_AND_ASSIGN(v, store->Get("p", "new"));
      EXPECT_EQ(v, std::string("2")) << "reopen " << reopen << ", pass " << pass;
    }
  }
}

}  // namespace
}  // namespace confiance::meta

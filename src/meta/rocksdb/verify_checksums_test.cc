// File: meta/rocksdb/verify_checksums_test.cc
// RocksMetaStore::VerifyChecksums: a clean store passes; one flipped byte in
// a table file, in a record no read touches, is found and the file named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

// The one table file under `dir` (Purge flushed the memtable into it).
std::string OnlyTableFile(const std::string& dir) {
  std::string found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") {
      EXPECT_TRUE(found.empty()) << "more than one table file";
      found = entry.path().string();
    }
  }
  return found;
}

TEST(RocksVerifyChecksumsTest, FindsAFlippedByteInATableFile) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/meta";
  ASSERT_OK_AND_ASSIGN(auto store, RocksMetaStore::Open(TestStoreOptions(path)));
  for (int i = 0; i < 2000; ++i) {
    ASSERT_OK(
        store->Apply("p", Batch().Put("key-" + std::to_string(i), std::string(100, static_cast<char>('a' + i % 26)))));
  }
  ASSERT_OK(store->Purge("p"));  // flush and compact: the records are in one table file
  EXPECT_OK(store->VerifyChecksums());

  const std::string table = OnlyTableFile(path);
  ASSERT_FALSE(table.empty());
  {
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(1000);  // inside the first data block, well before the index and footer
    char c = 0;
    f.get(c);
    f.seekp(1000);
    f.put(static_cast<char>(c ^ 0x01));
  }
  Status st = store->VerifyChecksums();
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_NE(st.message().find(std::filesystem::path(table).filename().string()), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace confiance::meta

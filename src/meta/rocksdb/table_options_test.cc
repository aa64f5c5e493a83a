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
  RocksMetaStore::Options options;
  options.path = path;
  options.env = Env::Default();
  options.block_cache_bytes = 1 << 20;
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

}  // namespace
}  // namespace confiance::meta

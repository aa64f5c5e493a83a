// File: crypto/encrypted_meta_store_test.cc
// The metadata store (RocksDB) over an EncryptedEnv, as DataDir opens it
// (docs/encryption.md, "Metadata at rest"): nothing it writes is readable
// from its files, it reopens under its key and under no other, a process
// death leaves a write-ahead log it replays whole, and its checkpoints
// (online backups) are encrypted too.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "crypto/encrypted_env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/wal_death_test.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::crypto {
namespace {

constexpr char kMarker[] = "confidential-object-name-7f3a";

std::unique_ptr<EncryptedEnv> EnvWithKey(int seed) {
  Result<std::unique_ptr<EncryptedEnv>> env = EncryptedEnv::Create(*Env::Default(), testutil::SequenceSecret(seed, 32));
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  return std::move(env).value();
}

// Whether any file under `dir` holds `needle` as it is.
bool AnyFileHolds(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    Result<std::string> raw = ReadSmallFile(*Env::Default(), entry.path().string());
    EXPECT_TRUE(raw.ok()) << raw.status().ToString();
    if (raw.ok() && raw->find(needle) != std::string::npos) return true;
  }
  return false;
}

meta::Batch Put(const std::string& key, const std::string& value) {
  meta::Batch b;
  b.op_tag = "put";
  b.Put(key, value);
  return b;
}

TEST(EncryptedMetaStoreTest, NothingReadableOnDiskAndOnlyItsKeyOpensIt) {
  testutil::TempDir dir;
  const std::string path = dir.Sub("meta");
  std::unique_ptr<EncryptedEnv> env = EnvWithKey(1);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                         meta::RocksMetaStore::Open(meta::wal_death::OptionsOver(path, env.get())));
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK(store->Apply("objects", Put(kMarker + std::to_string(i), std::string("meta ") + kMarker)));
    }
    ASSERT_OK(store->Checkpoint(dir.Sub("backup")));
  }
  // Reopened: recovery flushes the WAL into a table file.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                         meta::RocksMetaStore::Open(meta::wal_death::OptionsOver(path, env.get())));
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("objects", kMarker + std::string("199")));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, std::string("meta ") + kMarker);
  }
  bool has_table = false;
  for (const auto& entry : std::filesystem::directory_iterator(path)) has_table |= entry.path().extension() == ".sst";
  EXPECT_TRUE(has_table);
  EXPECT_FALSE(AnyFileHolds(dir.path(), kMarker));
  // Every file of the store and of its checkpoint is one of ours (no info
  // LOG written past the Env), but the empty LOCK.
  for (const std::string& d : {path, dir.Sub("backup")}) {
    for (const auto& entry : std::filesystem::directory_iterator(d)) {
      if (entry.path().filename() == "LOCK") continue;
      ASSERT_OK_AND_ASSIGN(std::string raw, ReadSmallFile(*Env::Default(), entry.path().string()));
      EXPECT_TRUE(EncryptedEnv::LooksEncrypted(raw)) << entry.path();
    }
  }

  std::unique_ptr<EncryptedEnv> other = EnvWithKey(2);
  EXPECT_FALSE(meta::RocksMetaStore::Open(meta::wal_death::OptionsOver(path, other.get())).ok());
  EXPECT_FALSE(meta::RocksMetaStore::Open(meta::wal_death::OptionsOver(path, Env::Default())).ok());

  // The checkpoint opens under the same key.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> copy,
                       meta::RocksMetaStore::Open(meta::wal_death::OptionsOver(dir.Sub("backup"), env.get())));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, copy->Get("objects", kMarker + std::string("0")));
  EXPECT_TRUE(v.has_value());
}

TEST(EncryptedMetaStoreTest, StoreRecoversEverySyncedBatchAfterDeaths) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "fork, then new threads in the child: not supported under ThreadSanitizer";
#endif
  testutil::TempDir dir;
  std::unique_ptr<EncryptedEnv> env = EnvWithKey(3);
  meta::wal_death::ExpectEverySyncedBatchSurvivesDeaths(dir.Sub("db"), env.get());
}

}  // namespace
}  // namespace confiance::crypto

// File: meta/rocksdb/wal_death_test.h
// For *_test.cc files only: a store whose process dies (as kill -9) after
// synced batches, twice, must replay every one of them at the next open.
// Over the POSIX Env (meta_wal_zero_fill_test) and over an encrypting Env
// (crypto_encrypted_meta_store_test) the dead process's write-ahead log ends
// in the fill Env::NewLogFile wrote ahead of its records.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/test_store_options.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::meta::wal_death {

inline constexpr int kBatches = 500;

inline Batch PutBatch(const std::string& key, const std::string& value) {
  Batch b;
  b.op_tag = "put-" + key;
  b.Put(key, value);
  return b;
}

// Sizes of the WAL files in `dir`.
inline std::vector<uint64_t> WalSizes(const std::string& dir) {
  std::vector<uint64_t> sizes;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") sizes.push_back(entry.file_size());
  }
  return sizes;
}

inline RocksMetaStore::Options OptionsOver(const std::string& path, Env* env) {
  RocksMetaStore::Options options = TestStoreOptions(path);
  options.env = env;
  return options;
}

// In a child process: opens the store over `env`, applies kBatches synced
// batches starting at `first`, and dies without closing anything (as
// kill -9).
inline void WriteAndDieInChild(const std::string& path, Env* env, int first) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<std::unique_ptr<RocksMetaStore>> store = RocksMetaStore::Open(OptionsOver(path, env));
    if (!store.ok()) _exit(2);
    for (int i = first; i < first + kBatches; ++i) {
      const std::string key = "k" + std::to_string(i);
      if (!(*store)->Apply("p", PutBatch(key, std::string(300, static_cast<char>('a' + i % 26)))).ok()) _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

// Two deaths and recoveries of the store at `path` over `env`.
inline void ExpectEverySyncedBatchSurvivesDeaths(const std::string& path, Env* env) {
  WriteAndDieInChild(path, env, 0);
  // The dead process's WAL ends in its fill: its size is a whole MiB, more
  // than the ~160 KB of records written.
  std::vector<uint64_t> sizes = WalSizes(path);
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0] % (1024 * 1024), 0u) << sizes[0];
  EXPECT_GT(sizes[0], 0u);

  // Twice: recovery from the first WAL, then from the WAL the reopened
  // store wrote (also left with zeros by a second death).
  for (int round = 0; round < 2; ++round) {
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<RocksMetaStore> store, RocksMetaStore::Open(OptionsOver(path, env)));
      for (int i = 0; i < kBatches * (round + 1); ++i) {
        const std::string key = "k" + std::to_string(i);
        ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("p", key));
        ASSERT_TRUE(v.has_value()) << key << " lost after round " << round;
        EXPECT_EQ(*v, std::string(300, static_cast<char>('a' + i % 26))) << key;
      }
      ASSERT_OK_AND_ASSIGN(std::optional<std::string> beyond,
                           store->Get("p", "k" + std::to_string(kBatches * (round + 1))));
      EXPECT_FALSE(beyond.has_value());
    }
    if (round == 0) WriteAndDieInChild(path, env, kBatches);
  }
}

}  // namespace confiance::meta::wal_death

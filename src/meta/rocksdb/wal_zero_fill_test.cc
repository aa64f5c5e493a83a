// File: meta/rocksdb/wal_zero_fill_test.cc
// RocksMetaStore over the POSIX Env, whose write-ahead logs are extended
// with zeros ahead of their records (Env::NewLogFile): a process that dies
// without closing the store leaves a WAL ending in zeros, and the next open
// must replay every synced batch before them and lose nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/env.h"
#include "meta/rocksdb/env_file_system.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "meta/rocksdb/wal_death_test.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

TEST(WalZeroFillTest, StoreRecoversEverySyncedBatchFromAZeroFilledWal) {
#if defined(__SANITIZE_THREAD__)
  // The child opens RocksDB, which starts threads, after a fork of a
  // process that has threads (TSan's own): ThreadSanitizer does not support
  // that and kills the child. The normal and ASan builds run this test.
  GTEST_SKIP() << "fork, then new threads in the child: not supported under ThreadSanitizer";
#endif
  testutil::TempDir dir;
  wal_death::ExpectEverySyncedBatchSurvivesDeaths(dir.Sub("db"), Env::Default());
}

// RocksDB must never append to a WAL that may end in zeros.
TEST(WalZeroFillTest, ReopeningAWalForAppendingIsRefused) {
  testutil::TempDir dir;
  EnvFileSystem fs(Env::Default());
  std::unique_ptr<rocksdb::FSWritableFile> file;
  const rocksdb::IOStatus wal = fs.ReopenWritableFile(dir.Sub("000012.log"), rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(wal.IsNotSupported()) << wal.ToString();
  const rocksdb::IOStatus other = fs.ReopenWritableFile(dir.Sub("MANIFEST-000012"), rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(other.ok()) << other.ToString();
}

}  // namespace
}  // namespace confiance::meta

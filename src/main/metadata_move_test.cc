// File: main/metadata_move_test.cc
// Moving a data directory's metadata to a RADOS pool and back
// (main/metadata_move.h), with a memory store standing in for the pool
// (the real pool: tests/e2e/test_rados_metadata.py): every record arrives,
// the source is gone afterwards, each move stopped after each of its durable
// steps (as a crash would stop it) leaves a directory the server refuses
// until the move is run again and finished, and the refusals.
#include "main/metadata_move.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "kms/embedded/embedded_key_provider.h"
#include "main/local_meta_store.h"
#include "main/metadata_encryption.h"
#include "meta/copy_records.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

constexpr char kConnection[] = "rados_pool = \"meta\"\nrados_namespace = \"dir-1\"\n";
constexpr char kOtherConnection[] = "rados_pool = \"ssd-meta\"\nrados_namespace = \"dir-1\"\n";

// What the opener hands out: a view of the test's "pool", so that it
// outlives each move.
class PoolView final : public meta::ForwardingMetaStore {
 public:
  explicit PoolView(meta::MetaStore& pool) : ForwardingMetaStore(pool) {}
};

class MetadataMoveTest : public ::testing::Test {
 protected:
  MetadataMoveTest() {
    auto keys = kms::EmbeddedKeyProvider::Open(env_, dir_.Sub("keys"));
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(keys).value();
    // What every test moves: partitions of a few records, one of more than
    // a scan's page, and a counter.
    for (int p = 0; p < 5; ++p) {
      meta::Batch b;
      b.op_tag = "fill";
      const int records = p == 0 ? 2500 : 3;
      for (int i = 0; i < records; ++i) b.Put("key " + std::to_string(i), "value " + std::to_string(p * 10000 + i));
      EXPECT_OK(expected_.Apply("partition " + std::to_string(p), b));
    }
    meta::Batch add;
    add.op_tag = "add";
    add.Add("usage", {3, 4096});
    EXPECT_OK(expected_.Apply("stats", add));
  }

  RadosMetaOpener Opener() {
    return [this](const std::string& connection, SealUnder seal) -> Result<std::unique_ptr<meta::MetaStore>> {
      ++opens_;
      seals_.emplace_back(connection, seal);
      if (connection == kConnection) return std::unique_ptr<meta::MetaStore>(std::make_unique<PoolView>(pool_));
      if (connection == kOtherConnection) {
        return std::unique_ptr<meta::MetaStore>(std::make_unique<PoolView>(other_pool_));
      }
      ADD_FAILURE() << "no such pool: " << connection;
      return NotFoundError("no such pool");
    };
  }

  // DIR/meta as the server makes it (encrypted), holding `expected_`.
  void WriteLocalStore() {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<crypto::EncryptedEnv> env,
                         OpenMetadataEnv(env_, dir_.path(), *keys_, /*create=*/true));
    ASSERT_NE(env, nullptr);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                         meta::RocksMetaStore::Open(OfflineMetaStoreOptions(dir_.Sub("meta"), *env, false)));
    ASSERT_OK(meta::CopyAllRecords(expected_, *store).status());
  }

  // The directory once on "RADOS": its files, the pool's records, the
  // other pool empty.
  void ExpectOnRados(bool other = false) {
    EXPECT_EQ(Names(), (std::vector<std::string>{"keys", "meta.key", "metadata.toml"}));
    ASSERT_OK_AND_ASSIGN(std::string location, ReadSmallFile(env_, dir_.Sub("metadata.toml")));
    EXPECT_EQ(location, other ? kOtherConnection : kConnection);
    EXPECT_OK(meta::ExpectSameRecords(expected_, other ? other_pool_ : pool_));
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> left, (other ? pool_ : other_pool_).ListPartitions("", "", 10));
    EXPECT_TRUE(left.empty());
    EXPECT_OK(RefuseUnfinishedMetadataMove(env_, dir_.path()));
  }

  // The directory once local again: its files, its store, an empty pool.
  void ExpectLocal() {
    EXPECT_EQ(Names(), (std::vector<std::string>{"keys", "meta", "meta.key"}));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<crypto::EncryptedEnv> env,
                         OpenMetadataEnv(env_, dir_.path(), *keys_, /*create=*/false));
    ASSERT_NE(env, nullptr);
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                           meta::RocksMetaStore::Open(OfflineMetaStoreOptions(dir_.Sub("meta"), *env, true)));
      EXPECT_OK(meta::ExpectSameRecords(expected_, *store));
    }
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> left, pool_.ListPartitions("", "", 10));
    EXPECT_TRUE(left.empty());
    EXPECT_OK(RefuseUnfinishedMetadataMove(env_, dir_.path()));
  }

  std::vector<std::string> Names() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  // The directory with a new local store, and an empty pool.
  void StartAgain() {
    ASSERT_OK(RemoveLocalMetaStore(env_, dir_.Sub("meta")));
    if (env_.FileExists(dir_.Sub("metadata.toml"))) ASSERT_OK(env_.RemoveFile(dir_.Sub("metadata.toml")));
    ASSERT_OK(meta::DropAllPartitions(pool_).status());
    ASSERT_OK(meta::DropAllPartitions(other_pool_).status());
    WriteLocalStore();
  }

  // The directory is refused (as DataDir refuses it) until the move that
  // `finish` names is run again.
  void ExpectRefusedUntilFinishedWith(const std::string& finish) {
    Status refused = RefuseUnfinishedMetadataMove(env_, dir_.path());
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(refused.message().find(finish + "` again"), std::string::npos) << refused.ToString();
  }

  // A stop after `step`, as a crash.
  static std::function<Status(int)> StopAfter(int stop) {
    return [stop](int step) {
      return step == stop ? AbortedError("stopped after step " + std::to_string(step)) : OkStatus();
    };
  }

  Env& env_ = *Env::Default();
  testutil::TempDir dir_;
  std::unique_ptr<kms::EmbeddedKeyProvider> keys_;
  meta::MemoryMetaStore expected_;
  meta::MemoryMetaStore pool_;        // stands in for the RADOS namespace
  meta::MemoryMetaStore other_pool_;  // and for one in another pool
  int opens_ = 0;
  std::vector<std::pair<std::string, SealUnder>> seals_;  // what each open sealed under
};

TEST_F(MetadataMoveTest, MovesEveryRecordToRadosAndBack) {
  WriteLocalStore();
  ASSERT_OK_AND_ASSIGN(MetadataMove to_rados, MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()));
  EXPECT_EQ(to_rados.partitions, 6u);
  EXPECT_EQ(to_rados.records, 2500u + 4 * 3u + 1u);
  EXPECT_FALSE(to_rados.resumed);
  ExpectOnRados();
  // The copy's counter adds on.
  meta::Batch add;
  add.op_tag = "add";
  add.Add("usage", {1, 1});
  ASSERT_OK(pool_.Apply("stats", add));
  ASSERT_OK(expected_.Apply("stats", add));

  ASSERT_OK_AND_ASSIGN(MetadataMove to_local, MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()));
  EXPECT_EQ(to_local.records, to_rados.records);
  EXPECT_EQ(to_local.dropped_partitions, 6u);
  ExpectLocal();
}

TEST_F(MetadataMoveTest, AMoveToRadosStoppedAfterAnyStepIsRefusedThenFinished) {
  for (int stop = 1; stop <= 5; ++stop) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop));
    ASSERT_NO_FATAL_FAILURE(StartAgain());
    Result<MetadataMove> stopped =
        MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener(), false, StopAfter(stop));
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted) << stopped.status().ToString();
    if (stop < 5) {
      ExpectRefusedUntilFinishedWith("--to-rados FILE");
      // The other way is refused too until this one is done.
      EXPECT_EQ(MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()).status().code(),
                StatusCode::kFailedPrecondition);
      ASSERT_OK_AND_ASSIGN(MetadataMove finished,
                           MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()));
      EXPECT_TRUE(finished.resumed);
    }
    ExpectOnRados();
  }
}

TEST_F(MetadataMoveTest, AMoveToLocalStoppedAfterAnyStepIsRefusedThenFinished) {
  for (int stop = 1; stop <= 6; ++stop) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop));
    ASSERT_NO_FATAL_FAILURE(StartAgain());
    ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
    Result<MetadataMove> stopped = MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener(), StopAfter(stop));
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted) << stopped.status().ToString();
    if (stop < 6) {
      ExpectRefusedUntilFinishedWith("--to-local");
      EXPECT_EQ(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status().code(),
                StatusCode::kFailedPrecondition);
      ASSERT_OK_AND_ASSIGN(MetadataMove finished, MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()));
      EXPECT_TRUE(finished.resumed);
    }
    ExpectLocal();
  }
}

TEST_F(MetadataMoveTest, MovesFromOnePoolToAnother) {
  WriteLocalStore();
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  ASSERT_OK_AND_ASSIGN(MetadataMove moved, MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener()));
  EXPECT_EQ(moved.records, 2500u + 4 * 3u + 1u);
  EXPECT_EQ(moved.dropped_partitions, 6u);
  ExpectOnRados(/*other=*/true);
  // And back to the first, then local.
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  ExpectOnRados();
  ASSERT_OK(MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()).status());
  ExpectLocal();
}

TEST_F(MetadataMoveTest, AMoveBetweenPoolsStoppedAfterAnyStepIsRefusedThenFinished) {
  for (int stop = 1; stop <= 6; ++stop) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop));
    ASSERT_NO_FATAL_FAILURE(StartAgain());
    ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
    Result<MetadataMove> stopped =
        MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener(), false, StopAfter(stop));
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted) << stopped.status().ToString();
    if (stop < 6) {
      ExpectRefusedUntilFinishedWith("--to-rados FILE");
      EXPECT_EQ(MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()).status().code(),
                StatusCode::kFailedPrecondition);
      // Finished with the file it was moving to, not another.
      EXPECT_EQ(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status().code(),
                StatusCode::kFailedPrecondition);
      ASSERT_OK_AND_ASSIGN(MetadataMove finished,
                           MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener()));
      EXPECT_TRUE(finished.resumed);
    }
    ExpectOnRados(/*other=*/true);
  }
}

TEST_F(MetadataMoveTest, MovesBetweenPoolsUnderANewKey) {
  WriteLocalStore();
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  ASSERT_OK_AND_ASSIGN(const std::string old_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
  seals_.clear();
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener(), /*new_key=*/true).status());
  ExpectOnRados(/*other=*/true);
  ASSERT_OK_AND_ASSIGN(const std::string new_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(seals_, (std::vector<std::pair<std::string, SealUnder>>{{kConnection, SealUnder::kMetadataKey},
                                                                    {kOtherConnection, SealUnder::kNewMetadataKey}}));
  // A local store gets its new key another way.
  ASSERT_OK(MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener()).status());
  ExpectLocal();
  Result<MetadataMove> r = MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener(), /*new_key=*/true);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("encrypt-metadata --new-key"), std::string::npos) << r.status().ToString();
}

TEST_F(MetadataMoveTest, AMoveUnderANewKeyStoppedAfterAnyStepEndsUnderTheNewKey) {
  for (int stop = 1; stop <= 6; ++stop) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop));
    ASSERT_NO_FATAL_FAILURE(StartAgain());
    ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
    ASSERT_OK_AND_ASSIGN(const std::string old_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
    Result<MetadataMove> stopped =
        MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener(), /*new_key=*/true, StopAfter(stop));
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted) << stopped.status().ToString();
    if (stop < 6) {
      EXPECT_EQ(RefuseUnfinishedMetadataMove(env_, dir_.path()).code(), StatusCode::kFailedPrecondition);
      // Finished without saying --new-key again: the directory says it.
      ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener()).status());
    }
    ExpectOnRados(/*other=*/true);
    ASSERT_OK_AND_ASSIGN(const std::string new_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
    EXPECT_NE(new_key, old_key);
  }
}

// The switch is two renames (metadata.toml, then meta.key): a stop between
// them is finished too.
TEST_F(MetadataMoveTest, AMoveUnderANewKeyStoppedBetweenTheSwitchsRenamesIsFinished) {
  WriteLocalStore();
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  ASSERT_OK_AND_ASSIGN(const std::string old_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
  ASSERT_EQ(
      MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener(), true, StopAfter(3)).status().code(),
      StatusCode::kAborted);
  ASSERT_OK(env_.RenameFile(dir_.Sub("metadata.to-rados"), dir_.Sub("metadata.toml")));
  EXPECT_EQ(RefuseUnfinishedMetadataMove(env_, dir_.path()).code(), StatusCode::kFailedPrecondition);
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener()).status());
  ExpectOnRados(/*other=*/true);
  ASSERT_OK_AND_ASSIGN(const std::string new_key, ReadSmallFile(env_, dir_.Sub("meta.key")));
  EXPECT_NE(new_key, old_key);
}

TEST_F(MetadataMoveTest, AFailedCopyIsStartedAgainOnAnEmptiedNamespace) {
  WriteLocalStore();
  pool_.FailNextApply(UnavailableError("cluster away"));
  Result<MetadataMove> failed = MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  // Half a copy, from a run stopped later.
  ASSERT_EQ(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener(), false,
                                [this](int step) {
                                  if (step != 2) return OkStatus();
                                  meta::Batch stray;
                                  stray.op_tag = "stray";
                                  stray.Put("k", "not in the source");
                                  EXPECT_OK(pool_.Apply("stray", stray));
                                  return AbortedError("stopped");
                                })
                .status()
                .code(),
            StatusCode::kAborted);
  // Now the move finishes, but the copy was made before the stray record,
  // so it is copied again.
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> before, pool_.ListPartitions("stray", "", 1));
  EXPECT_EQ(before.size(), 1u);
  ASSERT_EQ(env_.FileExists(dir_.Sub("meta.moved-to-rados")), false);  // step 3 not reached
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  ExpectOnRados();
}

TEST_F(MetadataMoveTest, Refusals) {
  WriteLocalStore();
  // A namespace that holds metadata already (another directory's).
  meta::Batch other;
  other.op_tag = "other";
  other.Put("k", "v");
  ASSERT_OK(pool_.Apply("another directory's", other));
  Result<MetadataMove> r = MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("already holds metadata"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(Names(), (std::vector<std::string>{"keys", "meta", "meta.key"}));  // nothing changed
  ASSERT_OK(pool_.DropPartition("another directory's"));
  // Local already.
  r = MoveMetadataToLocal(env_, dir_.path(), *keys_, Opener());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("is local already"), std::string::npos) << r.status().ToString();
  // An interrupted move finished with another connection.
  ASSERT_EQ(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener(), false, StopAfter(1)).status().code(),
            StatusCode::kAborted);
  r = MoveMetadataToRados(env_, dir_.path(), *keys_, "rados_pool = \"elsewhere\"\n", Opener());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("not this one"), std::string::npos) << r.status().ToString();
  ASSERT_OK(MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener()).status());
  // On that pool already.
  r = MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("is on that RADOS pool already"), std::string::npos) << r.status().ToString();
  // Another pool that holds metadata.
  meta::Batch occupied;
  occupied.op_tag = "occupied";
  occupied.Put("k", "v");
  ASSERT_OK(other_pool_.Apply("another directory's", occupied));
  for (bool new_key : {false, true}) {
    r = MoveMetadataToRados(env_, dir_.path(), *keys_, kOtherConnection, Opener(), new_key);
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(r.status().message().find("already holds metadata"), std::string::npos) << r.status().ToString();
    EXPECT_EQ(Names(), (std::vector<std::string>{"keys", "meta.key", "metadata.toml"}));  // no new key left
  }
}

TEST_F(MetadataMoveTest, MetadataInTheClearIsRefused) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                         meta::RocksMetaStore::Open(OfflineMetaStoreOptions(dir_.Sub("meta"), env_, false)));
    ASSERT_OK(meta::CopyAllRecords(expected_, *store).status());
  }
  Result<MetadataMove> r = MoveMetadataToRados(env_, dir_.path(), *keys_, kConnection, Opener());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("encrypt-metadata"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(opens_, 0);  // the pool was not even opened (it would make a metadata key)
  EXPECT_EQ(Names(), (std::vector<std::string>{"keys", "meta"}));
}

}  // namespace
}  // namespace confiance

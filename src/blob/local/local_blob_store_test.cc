// File: blob/local/local_blob_store_test.cc
// LocalBlobStore beyond the shared contract: its on-disk layout, temp-file
// cleanup, and crash safety driven through FaultInjectionEnv (power loss,
// and an injected error at every step of Commit).
#include "blob/local/local_blob_store.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <ostream>
#include <string>

#include "common/env.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/fault_injection_env.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::blob {
namespace {

using testutil::FaultInjectionEnv;

using testutil::AsBytes;

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  LocalBlobStoreTest() : env_(*Env::Default()), root_(dir_.Sub("blobs")) {}

  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto s = LocalBlobStore::Open(env_, root_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  Result<std::string> ReadAll(const std::string& id) {
    ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> r, store_->Open(id));
    std::string out(r->size(), '\0');
    ASSIGN_OR_RETURN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(out))));
    out.resize(n);
    return out;
  }

  std::string Put(const std::string& data) {
    auto w = store_->NewBlob();
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return "";
    EXPECT_OK((*w)->Append(AsBytes(data)));
    EXPECT_OK((*w)->Commit());
    return (*w)->id();
  }

  size_t TempFiles() {
    auto names = Env::Default()->GetChildren(store_->TempDir());
    EXPECT_TRUE(names.ok());
    return names.ok() ? names->size() : 0;
  }

  // No blob visible, no temp file left behind.
  void ExpectEmpty() {
    ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store_->List("", 1000));
    EXPECT_TRUE(all.empty()) << all.size() << " blobs, first " << all[0].id;
    EXPECT_EQ(TempFiles(), 0u);
  }

  testutil::TempDir dir_;
  FaultInjectionEnv env_;
  std::string root_;
  std::unique_ptr<LocalBlobStore> store_;
};

TEST_F(LocalBlobStoreTest, LayoutIsFanoutDirectories) {
  const std::string id = Put("hello");
  EXPECT_TRUE(Env::Default()->FileExists(root_ + "/" + id.substr(0, 2) + "/" + id));
  EXPECT_EQ(store_->BlobPath(id), root_ + "/" + id.substr(0, 2) + "/" + id);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalBlobStoreTest, UncommittedBlobLivesInTmp) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store_->NewBlob());
  EXPECT_TRUE(Env::Default()->FileExists(store_->TempPath(w->id())));
  w->Abort();
  EXPECT_FALSE(Env::Default()->FileExists(store_->TempPath(w->id())));
}

TEST_F(LocalBlobStoreTest, OpenRemovesStaleTempFiles) {
  const std::string id = Put("committed");
  ASSERT_OK(WriteFileDurably(*Env::Default(), store_->TempDir() + "/stale.tmp", "junk"));
  ASSERT_OK(WriteFileDurably(*Env::Default(), store_->TempDir() + "/other", "junk"));
  Reopen();
  EXPECT_EQ(TempFiles(), 0u);
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(id));
  EXPECT_EQ(got, "committed");
}

TEST_F(LocalBlobStoreTest, ListSkipsForeignEntries) {
  const std::string id = Put("x");
  ASSERT_OK(WriteFileDurably(*Env::Default(), store_->FanoutDir(id) + "/not-a-blob", "junk"));
  ASSERT_OK(Env::Default()->CreateDir(root_ + "/zz"));
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store_->List("", 10));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, id);
}

TEST_F(LocalBlobStoreTest, PowerLossKeepsCommittedBlobsOnly) {
  std::map<std::string, std::string> committed;
  for (int i = 0; i < 12; ++i) {
    std::string data(static_cast<size_t>(i) * 30000 + 1, static_cast<char>('a' + i));
    committed[Put(data)] = data;
  }
  const std::string deleted = Put("deleted");
  ASSERT_OK(store_->Delete(deleted));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> in_flight, store_->NewBlob());
  ASSERT_OK(in_flight->Append(AsBytes(std::string(200000, 'z'))));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> aborted, store_->NewBlob());
  ASSERT_OK(aborted->Append(AsBytes("abandoned")));
  aborted->Abort();

  ASSERT_OK(env_.SimulatePowerLoss());
  const std::string in_flight_id = in_flight->id();
  in_flight.reset();  // the process is gone: its handles no longer matter
  Reopen();

  for (const auto& [id, data] : committed) {
    ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(id));
    EXPECT_EQ(got, data) << id;
  }
  EXPECT_STATUS_CODE(store_->Open(deleted), kNotFound);
  EXPECT_STATUS_CODE(store_->Open(in_flight_id), kNotFound);
  EXPECT_STATUS_CODE(store_->Open(aborted->id()), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store_->List("", 1000));
  EXPECT_EQ(all.size(), committed.size());
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalBlobStoreTest, PowerLossBeforeCommitLosesTheBlob) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store_->NewBlob());
  ASSERT_OK(w->Append(AsBytes("not yet")));
  ASSERT_OK(env_.SimulatePowerLoss());
  const std::string id = w->id();
  w.reset();
  Reopen();
  EXPECT_STATUS_CODE(store_->Open(id), kNotFound);
  ExpectEmpty();
}

// One failure on the `nth` call among `ops` during Commit.
struct InjectedCase {
  const char* name;
  uint32_t ops;
  int nth;
  int err;
  StatusCode code;
};
void PrintTo(const InjectedCase& c, std::ostream* os) { *os << c.name; }

class LocalBlobStoreFaultTest : public LocalBlobStoreTest,
                                public ::testing::WithParamInterface<InjectedCase> {};

TEST_P(LocalBlobStoreFaultTest, FailedCommitLeavesNoBlob) {
  const InjectedCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store_->NewBlob());
  ASSERT_OK(w->Append(AsBytes(std::string(100000, 'q'))));
  env_.FailAfter(c.nth, c.err, c.ops);
  Status s = w->Commit();
  EXPECT_EQ(s.code(), c.code) << s.ToString();
  EXPECT_EQ(env_.injected_failures(), 1);
  const std::string id = w->id();
  w.reset();
  EXPECT_STATUS_CODE(store_->Open(id), kNotFound);
  ExpectEmpty();

  ASSERT_OK(env_.SimulatePowerLoss());
  Reopen();
  EXPECT_STATUS_CODE(store_->Open(id), kNotFound);
  ExpectEmpty();

  // The store still works once the fault is gone.
  const std::string ok_id = Put("after");
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(ok_id));
  EXPECT_EQ(got, "after");
}

INSTANTIATE_TEST_SUITE_P(
    Steps, LocalBlobStoreFaultTest,
    ::testing::Values(
        InjectedCase{"SyncEio", testutil::kFaultSync, 1, EIO, StatusCode::kDataLoss},
        InjectedCase{"SyncEnospc", testutil::kFaultSync, 1, ENOSPC,
                     StatusCode::kResourceExhausted},
        InjectedCase{"FanoutMkdir", testutil::kFaultCreateDir, 1, EIO, StatusCode::kDataLoss},
        InjectedCase{"RootSyncDir", testutil::kFaultSyncDir, 1, EIO, StatusCode::kDataLoss},
        InjectedCase{"Rename", testutil::kFaultRename, 1, EIO, StatusCode::kDataLoss},
        InjectedCase{"FanoutSyncDir", testutil::kFaultSyncDir, 2, EIO, StatusCode::kDataLoss},
        InjectedCase{"FanoutSyncDirEnospc", testutil::kFaultSyncDir, 2, ENOSPC,
                     StatusCode::kResourceExhausted}),
    [](const ::testing::TestParamInfo<InjectedCase>& info) { return info.param.name; });

// Fails each mutating call of Commit in turn, until Commit has no call left
// to fail: every failure must leave no blob, even after a power loss.
TEST_F(LocalBlobStoreTest, EveryCommitStepFailingLeavesNoBlob) {
  int n = 1;
  for (; n < 50; ++n) {
    ASSERT_OK(env_.SimulatePowerLoss());
    // A fresh store each time, so that the fan-out directory is made anew.
    ASSERT_OK(Env::Default()->RenameFile(root_, dir_.Sub("old" + std::to_string(n))));
    Reopen();
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store_->NewBlob());
    ASSERT_OK(w->Append(AsBytes("payload")));
    const int before = env_.injected_failures();
    env_.FailAfter(n, ENOSPC);
    Status s = w->Commit();
    const std::string id = w->id();
    w.reset();
    if (env_.injected_failures() == before) {  // no n-th call: Commit is done
      ASSERT_OK(s);
      ASSERT_OK(env_.SimulatePowerLoss());
      Reopen();
      ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(id));
      EXPECT_EQ(got, "payload");
      break;
    }
    EXPECT_FALSE(s.ok()) << "step " << n;
    ExpectEmpty();
    ASSERT_OK(env_.SimulatePowerLoss());
    Reopen();
    ExpectEmpty();
  }
  EXPECT_GE(n, 5);  // sync, mkdir, sync root, rename, sync fan-out dir
  EXPECT_LT(n, 50);
}

TEST_F(LocalBlobStoreTest, InactiveFilesystemFailsCleanly) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store_->NewBlob());
  ASSERT_OK(w->Append(AsBytes("x")));
  env_.SetFilesystemActive(false);
  EXPECT_FALSE(w->Commit().ok());
  EXPECT_FALSE(store_->NewBlob().ok());
  EXPECT_STATUS_CODE(store_->Open(w->id()), kNotFound);
  env_.SetFilesystemActive(true);
  // The temp file could not be removed while inactive; Open cleans it up.
  EXPECT_EQ(TempFiles(), 1u);
  w.reset();
  Reopen();
  ExpectEmpty();
}

TEST_F(LocalBlobStoreTest, DeleteIsDurable) {
  const std::string id = Put("gone");
  ASSERT_OK(store_->Delete(id));
  ASSERT_OK(env_.SimulatePowerLoss());
  Reopen();
  EXPECT_STATUS_CODE(store_->Open(id), kNotFound);
}

TEST_F(LocalBlobStoreTest, DeleteReportsSyncDirFailure) {
  const std::string id = Put("kept?");
  env_.FailAfter(1, EIO, testutil::kFaultSyncDir);
  EXPECT_STATUS_CODE(store_->Delete(id), kDataLoss);
  // Not durable: a power loss brings the blob back; a retry makes it stick.
  ASSERT_OK(env_.SimulatePowerLoss());
  Reopen();
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(id));
  EXPECT_EQ(got, "kept?");
  ASSERT_OK(store_->Delete(id));
  ASSERT_OK(env_.SimulatePowerLoss());
  Reopen();
  EXPECT_STATUS_CODE(store_->Open(id), kNotFound);
}

// Reports a chosen amount of free space over the real file system.
class SpaceEnv : public EnvWrapper {
 public:
  SpaceEnv() : EnvWrapper(*Env::Default()) {}
  Result<DiskSpace> GetDiskSpace(const std::string& path) override {
    (void)path;
    return DiskSpace{uint64_t{1} << 30, available};
  }
  uint64_t available = 0;
};

TEST(LocalBlobStoreSpaceTest, ReserveRefusesNewDataAndFreesTheTempFile) {
  testutil::TempDir dir;
  SpaceEnv env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LocalBlobStore> store,
                       LocalBlobStore::Open(env, dir.Sub("blobs")));
  constexpr uint64_t kMiB = 1 << 20;
  env.available = 10 * kMiB;
  EXPECT_OK(store->CheckSpace(9 * kMiB));  // no reserve: never refused
  store->set_space_reserve(4 * kMiB);
  EXPECT_OK(store->CheckSpace(6 * kMiB));
  EXPECT_STATUS_CODE(store->CheckSpace(6 * kMiB + 1), kResourceExhausted);
  env.available = 5 * kMiB - 1;  // under 1 MiB above the reserve: full for all
  EXPECT_STATUS_CODE(store->CheckSpace(1), kResourceExhausted);
  env.available = 3 * kMiB;      // inside the reserve
  EXPECT_STATUS_CODE(store->CheckSpace(0), kResourceExhausted);

  // A writer checks as it appends: refused once the disk has filled.
  env.available = 6 * kMiB;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store->NewBlob());
  const std::string chunk(64 * 1024, 'x');
  ASSERT_OK(w->Append(AsBytes(chunk)));
  env.available = 4 * kMiB + 100;
  Status st;
  for (int i = 0; i < 40 && st.ok(); ++i) st = w->Append(AsBytes(chunk));
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_LE(w->size(), kMiB + chunk.size());  // checked at least every MiB
  w->Abort();
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> tmp, Env::Default()->GetChildren(store->TempDir()));
  EXPECT_TRUE(tmp.empty());

  // Space back: writes resume.
  env.available = 8 * kMiB;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w2, store->NewBlob());
  ASSERT_OK(w2->Append(AsBytes(chunk)));
  ASSERT_OK(w2->Commit());
}

// SpaceEnv with a clock the test sets, counting the space queries.
class ClockedSpaceEnv : public SpaceEnv {
 public:
  Result<DiskSpace> GetDiskSpace(const std::string& path) override {
    ++queries;
    return SpaceEnv::GetDiskSpace(path);
  }
  uint64_t NowMicros() override { return now_us; }
  uint64_t now_us = 1'000'000;
  int queries = 0;
};

TEST(LocalBlobStoreSpaceTest, RoomyDiskIsAskedOncePerWindowNearTheReserveAlways) {
  testutil::TempDir dir;
  ClockedSpaceEnv env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LocalBlobStore> store, LocalBlobStore::Open(env, dir.Sub("blobs")));
  constexpr uint64_t kMiB = 1 << 20;
  constexpr uint64_t kReserve = 4 * kMiB;
  store->set_space_reserve(kReserve);
  const uint64_t roomy = kReserve + LocalBlobStore::kSpaceCheckBytes + LocalBlobStore::kRoomyBytes;

  // Plenty of room: one query answers the small checks of the window ...
  env.available = roomy;
  env.queries = 0;
  EXPECT_OK(store->CheckSpace(4096));
  env.available = 3 * kMiB;  // the disk fills behind the store's back
  EXPECT_OK(store->CheckSpace(4096));
  EXPECT_OK(store->CheckSpace(LocalBlobStore::kSpaceCheckBytes));
  EXPECT_EQ(env.queries, 1);
  // ... but not a large one, which asks, is refused, and ends the window.
  EXPECT_STATUS_CODE(store->CheckSpace(LocalBlobStore::kRoomyBytes / 2 + 1), kResourceExhausted);
  EXPECT_STATUS_CODE(store->CheckSpace(4096), kResourceExhausted);
  EXPECT_EQ(env.queries, 3);

  // The window ends with time.
  env.available = roomy;
  EXPECT_OK(store->CheckSpace(4096));
  env.available = 3 * kMiB;
  env.now_us += LocalBlobStore::kRoomyMicros;
  EXPECT_STATUS_CODE(store->CheckSpace(4096), kResourceExhausted);

  // Just under the margin: every check asks.
  env.available = roomy - 1;
  EXPECT_OK(store->CheckSpace(4096));
  env.available = 3 * kMiB;
  EXPECT_STATUS_CODE(store->CheckSpace(4096), kResourceExhausted);

  // A new reserve ends the window too.
  env.available = roomy;
  EXPECT_OK(store->CheckSpace(4096));
  store->set_space_reserve(roomy);
  EXPECT_STATUS_CODE(store->CheckSpace(4096), kResourceExhausted);
}

}  // namespace
}  // namespace confiance::blob

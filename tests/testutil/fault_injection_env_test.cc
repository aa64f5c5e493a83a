// File: tests/testutil/fault_injection_env_test.cc
// FaultInjectionEnv: what SimulatePowerLoss() drops and keeps, and error
// injection (FailAfter, SetFilesystemActive).
#include "tests/testutil/fault_injection_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::testutil {
namespace {

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  FaultInjectionEnvTest() : env_(*Env::Default()) {}

  // Writes `data` to `path`, syncing the first `synced` bytes only.
  void Write(const std::string& path, const std::string& data, size_t synced) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewWritableFile(path));
    ASSERT_OK(f->Append(std::string_view(data).substr(0, synced)));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Append(std::string_view(data).substr(synced)));
    ASSERT_OK(f->Close());
  }
  std::string Read(const std::string& path) {
    auto r = ReadSmallFile(*Env::Default(), path);
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  bool Exists(const std::string& path) { return Env::Default()->FileExists(path); }
  Status SyncRoot() { return env_.SyncDir(dir_.path()); }

  TempDir dir_;
  FaultInjectionEnv env_;
};

TEST_F(FaultInjectionEnvTest, PassesThroughWhenNothingIsInjected) {
  const std::string p = dir_.Sub("f");
  Write(p, "hello", 5);
  EXPECT_EQ(Read(p), "hello");
  EXPECT_TRUE(env_.FileExists(p));
  ASSERT_OK_AND_ASSIGN(uint64_t size, env_.GetFileSize(p));
  EXPECT_EQ(size, 5u);
  EXPECT_EQ(env_.injected_failures(), 0);
}

TEST_F(FaultInjectionEnvTest, UnsyncedTailIsDropped) {
  const std::string p = dir_.Sub("f");
  Write(p, "durable+volatile", 7);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(p), "durable");
}

TEST_F(FaultInjectionEnvTest, NeverSyncedFileIsEmptied) {
  const std::string p = dir_.Sub("f");
  Write(p, "abc", 0);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(p), "");
}

TEST_F(FaultInjectionEnvTest, CreationWithoutDirSyncIsLost) {
  const std::string p = dir_.Sub("f");
  Write(p, "synced data", 11);
  EXPECT_EQ(env_.TEST_PendingDirOps(), 1u);
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_FALSE(Exists(p));
  EXPECT_EQ(env_.TEST_PendingDirOps(), 0u);
}

TEST_F(FaultInjectionEnvTest, AppendableFileKeepsDurablePrefix) {
  const std::string p = dir_.Sub("f");
  Write(p, "base", 4);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.SimulatePowerLoss());
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewAppendableFile(p));
    ASSERT_OK(f->Append(std::string_view("+sync")));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Append(std::string_view("+lost")));
  }
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(p), "base+sync");
}

TEST_F(FaultInjectionEnvTest, PreexistingFilesAreDurable) {
  const std::string p = dir_.Sub("f");
  ASSERT_OK(WriteFileDurably(*Env::Default(), p, "outside"));  // not through env_
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(p), "outside");
}

TEST_F(FaultInjectionEnvTest, UnsyncedRenameIsRevertedAndTargetRestored) {
  const std::string from = dir_.Sub("tmp");
  const std::string to = dir_.Sub("CURRENT");
  Write(to, "old", 3);
  Write(from, "new", 3);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.RenameFile(from, to));
  EXPECT_EQ(Read(to), "new");
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(to), "old");
  EXPECT_EQ(Read(from), "new");
}

TEST_F(FaultInjectionEnvTest, SyncedRenameSticks) {
  const std::string from = dir_.Sub("tmp");
  const std::string to = dir_.Sub("CURRENT");
  Write(to, "old", 3);
  Write(from, "new", 3);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.RenameFile(from, to));
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(to), "new");
  EXPECT_FALSE(Exists(from));
}

TEST_F(FaultInjectionEnvTest, RenameFollowsTheFileAndItsSyncedSize) {
  // Sync state follows the inode: synced 3 of 6 bytes, renamed, power loss.
  ASSERT_OK(env_.CreateDir(dir_.Sub("a")));
  ASSERT_OK(env_.CreateDir(dir_.Sub("b")));
  ASSERT_OK(SyncRoot());
  Write(dir_.Sub("a/f"), "abcdef", 3);
  ASSERT_OK(env_.RenameFile(dir_.Sub("a/f"), dir_.Sub("b/f")));
  // Cross-directory rename: durable once the new name's directory is synced.
  ASSERT_OK(env_.SyncDir(dir_.Sub("b")));
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(dir_.Sub("b/f")), "abc");
  EXPECT_FALSE(Exists(dir_.Sub("a/f")));
}

TEST_F(FaultInjectionEnvTest, UnsyncedRemoveIsRevertedWithDurableContent) {
  const std::string p = dir_.Sub("f");
  Write(p, "keep+tail", 4);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.RemoveFile(p));
  EXPECT_FALSE(Exists(p));
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_EQ(Read(p), "keep");
  ASSERT_OK(env_.RemoveFile(p));
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_FALSE(Exists(p));
}

TEST_F(FaultInjectionEnvTest, UnsyncedDirectoryVanishesWithItsContent) {
  const std::string d = dir_.Sub("d");
  ASSERT_OK(env_.CreateDir(d));
  Write(d + "/f", "x", 1);
  ASSERT_OK(env_.SyncDir(d));  // the file's entry is synced, the dir's is not
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_FALSE(Exists(d));
}

TEST_F(FaultInjectionEnvTest, RemovedDirectoryComesBack) {
  const std::string d = dir_.Sub("d");
  ASSERT_OK(env_.CreateDir(d));
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.RemoveDir(d));
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_TRUE(Exists(d));
}

TEST_F(FaultInjectionEnvTest, UnsyncedLinkIsLost) {
  Write(dir_.Sub("a"), "x", 1);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(env_.LinkFile(dir_.Sub("a"), dir_.Sub("b")));
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_TRUE(Exists(dir_.Sub("a")));
  EXPECT_FALSE(Exists(dir_.Sub("b")));
}

TEST_F(FaultInjectionEnvTest, FailAfterFailsTheNthMutatingCallOnce) {
  const std::string p = dir_.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewWritableFile(p));
  env_.FailAfter(2, ENOSPC);
  EXPECT_OK(f->Append(std::string_view("1")));
  EXPECT_STATUS_CODE(f->Append(std::string_view("2")), kResourceExhausted);
  EXPECT_OK(f->Append(std::string_view("3")));  // one-shot
  ASSERT_OK(f->Close());
  EXPECT_EQ(Read(p), "13");  // the failed call had no effect
  EXPECT_EQ(env_.injected_failures(), 1);
  std::optional<FaultInjectionEnv::InjectedFault> last = env_.last_injected_fault();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->op, kFaultAppend);
  EXPECT_EQ(last->path, p);
  EXPECT_EQ(last->err, ENOSPC);
}

TEST_F(FaultInjectionEnvTest, FailAfterCountsOnlySelectedOps) {
  const std::string p = dir_.Sub("f");
  env_.FailAfter(1, EIO, kFaultSync | kFaultRename);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewWritableFile(p));
  ASSERT_OK(f->Append(std::string_view("x")));
  ASSERT_OK(f->Flush());
  Status s = f->Sync();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("fault injection"), std::string::npos);
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());

  env_.FailAfter(1, EIO, kFaultRename);
  EXPECT_STATUS_CODE(env_.RenameFile(p, dir_.Sub("g")), kDataLoss);
  EXPECT_TRUE(Exists(p));
  EXPECT_FALSE(Exists(dir_.Sub("g")));

  env_.FailAfter(1, EIO, kFaultSyncDir);
  env_.ClearFailure();
  ASSERT_OK(SyncRoot());
  EXPECT_EQ(env_.injected_failures(), 2);
}

TEST_F(FaultInjectionEnvTest, EveryMutatingCallCanFail) {
  const std::string p = dir_.Sub("f");
  Write(p, "x", 1);
  ASSERT_OK(SyncRoot());
  auto fail_next = [&](uint32_t op) { env_.FailAfter(1, EIO, op); };
  fail_next(kFaultNewFile);
  EXPECT_FALSE(env_.NewWritableFile(dir_.Sub("n")).ok());
  EXPECT_FALSE(Exists(dir_.Sub("n")));
  fail_next(kFaultNewFile);
  EXPECT_FALSE(env_.NewAppendableFile(dir_.Sub("n")).ok());
  fail_next(kFaultRemove);
  EXPECT_FALSE(env_.RemoveFile(p).ok());
  fail_next(kFaultCreateDir);
  EXPECT_FALSE(env_.CreateDir(dir_.Sub("d")).ok());
  fail_next(kFaultLink);
  EXPECT_FALSE(env_.LinkFile(p, dir_.Sub("l")).ok());
  fail_next(kFaultTruncate);
  EXPECT_FALSE(env_.TruncateFile(p, 0).ok());
  fail_next(kFaultSyncDir);
  EXPECT_FALSE(SyncRoot().ok());
  EXPECT_EQ(env_.injected_failures(), 7);
  EXPECT_EQ(Read(p), "x");
}

TEST_F(FaultInjectionEnvTest, InactiveFilesystemFailsWritesNotReads) {
  const std::string p = dir_.Sub("f");
  Write(p, "data", 4);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewAppendableFile(p));
  env_.SetFilesystemActive(false);
  EXPECT_STATUS_CODE(f->Append(std::string_view("x")), kDataLoss);
  EXPECT_STATUS_CODE(f->Sync(), kDataLoss);
  EXPECT_STATUS_CODE(env_.NewWritableFile(dir_.Sub("g")), kDataLoss);
  EXPECT_STATUS_CODE(env_.RenameFile(p, dir_.Sub("g")), kDataLoss);
  EXPECT_STATUS_CODE(SyncRoot(), kDataLoss);
  // Reads still work.
  EXPECT_TRUE(env_.FileExists(p));
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env_, p));
  EXPECT_EQ(got, "data");
  env_.SetFilesystemActive(true);
  ASSERT_OK(f->Append(std::string_view("!")));
  ASSERT_OK(f->Close());
  EXPECT_EQ(Read(p), "data!");
}

TEST_F(FaultInjectionEnvTest, CrashAfterKillsTheFilesystemFromTheNthCallOn) {
  const std::string p = dir_.Sub("f");
  const uint64_t before = env_.mutating_calls();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env_.NewWritableFile(p));
  env_.CrashAfter(3);
  ASSERT_OK(f->Append(std::string_view("a")));  // 1
  ASSERT_OK(f->Sync());                          // 2
  EXPECT_TRUE(env_.filesystem_active());
  EXPECT_STATUS_CODE(f->Append(std::string_view("b")), kDataLoss);  // 3: the crash point
  EXPECT_FALSE(env_.filesystem_active());
  // Every later mutating call fails too, whatever its kind; reads do not.
  EXPECT_STATUS_CODE(f->Sync(), kDataLoss);
  EXPECT_STATUS_CODE(SyncRoot(), kDataLoss);
  EXPECT_STATUS_CODE(env_.CreateDir(dir_.Sub("d")), kDataLoss);
  EXPECT_TRUE(env_.FileExists(p));
  EXPECT_EQ(env_.mutating_calls() - before, 7u);
  EXPECT_EQ(env_.injected_failures(), 4);
  ASSERT_OK(f->Close());
  ASSERT_OK(env_.SimulatePowerLoss());
  env_.SetFilesystemActive(true);
  EXPECT_FALSE(Exists(p));  // its creation was never made durable
  // A fired crash point does not fire again.
  ASSERT_OK(SyncRoot());
}

TEST_F(FaultInjectionEnvTest, CrashAfterCanCountOneThreadOnly) {
  env_.CrashAfter(2, std::this_thread::get_id());
  std::thread other([&] {
    for (int i = 0; i < 5; ++i) EXPECT_OK(env_.SyncDir(dir_.path()));  // not counted
  });
  other.join();
  ASSERT_OK(SyncRoot());                          // 1
  EXPECT_STATUS_CODE(SyncRoot(), kDataLoss);      // 2: the crash point
  std::thread after([&] { EXPECT_STATUS_CODE(env_.SyncDir(dir_.path()), kDataLoss); });
  after.join();  // once fired, every thread's calls fail
}

TEST_F(FaultInjectionEnvTest, CrashAfterZeroDisarms) {
  env_.CrashAfter(1);
  env_.CrashAfter(0);
  ASSERT_OK(SyncRoot());
  ASSERT_OK(SyncRoot());
  EXPECT_TRUE(env_.filesystem_active());
  EXPECT_EQ(env_.injected_failures(), 0);
}

}  // namespace
}  // namespace confiance::testutil

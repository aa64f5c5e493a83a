// File: common/env_test.cc
// The POSIX Env (Env::Default()) and the helpers of env.cc. The failure paths
// of WriteFileDurably are driven through FaultInjectionEnv.
#include "common/env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

#include "tests/testutil/bytes.h"
#include "tests/testutil/fault_injection_env.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

using testutil::AsBytes;

std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 7 + i / 1000) & 0xff);
  return s;
}

class PosixEnvTest : public ::testing::Test {
 protected:
  Env& env() { return *Env::Default(); }
  testutil::TempDir dir_;
};

TEST_F(PosixEnvTest, DefaultIsASingleton) { EXPECT_EQ(Env::Default(), Env::Default()); }

TEST_F(PosixEnvTest, WriteThenReadBackAcrossTheBuffer) {
  const std::string path = dir_.Sub("f");
  const std::string data = Pattern(300 * 1024 + 13);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewWritableFile(path));
  // Small, exact-fit and larger-than-buffer appends.
  size_t pos = 0;
  for (size_t chunk : {size_t{1}, size_t{100}, size_t{65536}, size_t{200000}, size_t{7}}) {
    ASSERT_OK(f->Append(AsBytes(data.substr(pos, chunk))));
    pos += chunk;
  }
  ASSERT_OK(f->Append(AsBytes(data.substr(pos))));
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());
  ASSERT_OK(f->Close());  // idempotent
  EXPECT_STATUS_CODE(f->Append(AsBytes("x")), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(uint64_t size, env().GetFileSize(path));
  EXPECT_EQ(size, data.size());
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_EQ(got, data);
}

TEST_F(PosixEnvTest, FlushMakesBytesVisible) {
  const std::string path = dir_.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewWritableFile(path));
  ASSERT_OK(f->Append(std::string_view("abc")));
  ASSERT_OK(f->Flush());
  ASSERT_OK_AND_ASSIGN(uint64_t size, env().GetFileSize(path));
  EXPECT_EQ(size, 3u);
}

TEST_F(PosixEnvTest, NewWritableFileTruncatesAppendableAppends) {
  const std::string path = dir_.Sub("f");
  ASSERT_OK(WriteFileDurably(env(), path, "hello"));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewAppendableFile(path));
    ASSERT_OK(f->Append(std::string_view(" world")));
  }  // destruction flushes and closes
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_EQ(got, "hello world");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewWritableFile(path));
    ASSERT_OK(f->Close());
  }
  ASSERT_OK_AND_ASSIGN(uint64_t size, env().GetFileSize(path));
  EXPECT_EQ(size, 0u);
}

// NewLogFile: the file is extended with zeros a MiB ahead of the appends
// (so a sync after an append persists no new size), reads back as the
// appends followed by zeros, and Close truncates the zeros away.
TEST_F(PosixEnvTest, LogFileIsZeroFilledAheadAndTruncatedAtClose) {
  constexpr uint64_t kMiB = 1024 * 1024;
  const std::string path = dir_.Sub("000007.log");
  const std::string first = Pattern(100);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewLogFile(path, {}));
  ASSERT_OK(f->Append(AsBytes(first)));
  ASSERT_OK(f->Sync());
  ASSERT_OK_AND_ASSIGN(uint64_t size, env().GetFileSize(path));
  EXPECT_EQ(size, kMiB);
  ASSERT_OK_AND_ASSIGN(std::string content, ReadSmallFile(env(), path));
  EXPECT_EQ(content.substr(0, first.size()), first);
  EXPECT_EQ(content.find_first_not_of('\0', first.size()), std::string::npos);
  // A large append past the end (it bypasses the buffer) extends again.
  const std::string second = Pattern(2 * kMiB + 5);
  ASSERT_OK(f->Append(AsBytes(second)));
  ASSERT_OK(f->Sync());
  ASSERT_OK_AND_ASSIGN(size, env().GetFileSize(path));
  EXPECT_EQ(size, 3 * kMiB);
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(size, env().GetFileSize(path));
  EXPECT_EQ(size, first.size() + second.size());
  ASSERT_OK_AND_ASSIGN(content, ReadSmallFile(env(), path));
  EXPECT_EQ(content, first + second);
}

// With a fill, the bytes ahead of the appends are the fill's for their
// offsets (an encrypting Env's keystream), and Close still truncates them.
TEST_F(PosixEnvTest, LogFileIsFilledAheadWithTheGivenBytes) {
  const std::string path = dir_.Sub("000009.log");
  const std::string first = Pattern(100);
  auto fill = [](uint64_t offset, std::span<std::byte> out) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>((offset + i) % 251 + 1);
  };
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewLogFile(path, fill));
  ASSERT_OK(f->Append(AsBytes(first)));
  ASSERT_OK(f->Sync());
  ASSERT_OK_AND_ASSIGN(std::string content, ReadSmallFile(env(), path));
  ASSERT_EQ(content.size(), 1024u * 1024u);
  EXPECT_EQ(content.substr(0, first.size()), first);
  for (size_t i = first.size(); i < content.size(); i += 4099) {
    ASSERT_EQ(static_cast<unsigned char>(content[i]), i % 251 + 1) << "at offset " << i;
  }
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(content, ReadSmallFile(env(), path));
  EXPECT_EQ(content, first);
}

// An Env that does not fill ahead (the fault-injecting test Env) makes its
// log files with its own NewWritableFile, so it still sees every file.
TEST_F(PosixEnvTest, LogFileOfAnotherEnvIsItsWritableFile) {
  testutil::FaultInjectionEnv fault(env());
  const std::string path = dir_.Sub("000001.log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, fault.NewLogFile(path, {}));
  ASSERT_OK(f->Append(std::string_view("abc")));
  ASSERT_OK(f->Sync());
  ASSERT_OK_AND_ASSIGN(uint64_t size, env().GetFileSize(path));
  EXPECT_EQ(size, 3u);
}

TEST_F(PosixEnvTest, RandomAccessReads) {
  const std::string path = dir_.Sub("f");
  const std::string data = Pattern(100000);
  ASSERT_OK(WriteFileDurably(env(), path, data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> f, env().NewRandomAccessFile(path));
  std::string buf(1000, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, f->Read(5000, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 1000u);
  EXPECT_EQ(buf, data.substr(5000, 1000));
  ASSERT_OK_AND_ASSIGN(n, f->Read(99500, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 500u);
  ASSERT_OK_AND_ASSIGN(n, f->Read(200000, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 0u);
  // Concurrent readers.
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string b(777, '\0');
      for (int i = 0; i < 100; ++i) {
        uint64_t off = static_cast<uint64_t>((t * 100 + i) * 97);
        auto r = f->Read(off, std::as_writable_bytes(std::span(b)));
        if (!r.ok() || *r != b.size() || b != data.substr(off, b.size())) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(PosixEnvTest, SequentialReadAndSkip) {
  const std::string path = dir_.Sub("f");
  ASSERT_OK(WriteFileDurably(env(), path, "0123456789"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SequentialFile> f, env().NewSequentialFile(path));
  std::string buf(3, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, f->Read(std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(buf.substr(0, n), "012");
  ASSERT_OK(f->Skip(4));
  ASSERT_OK_AND_ASSIGN(n, f->Read(std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(buf.substr(0, n), "789");
  ASSERT_OK_AND_ASSIGN(n, f->Read(std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 0u);
}

TEST_F(PosixEnvTest, MissingFilesAreNotFound) {
  const std::string path = dir_.Sub("missing");
  EXPECT_FALSE(env().FileExists(path));
  EXPECT_STATUS_CODE(env().NewRandomAccessFile(path), kNotFound);
  EXPECT_STATUS_CODE(env().NewSequentialFile(path), kNotFound);
  EXPECT_STATUS_CODE(env().RemoveFile(path), kNotFound);
  EXPECT_STATUS_CODE(env().GetFileSize(path), kNotFound);
  EXPECT_STATUS_CODE(env().GetFileModificationTime(path), kNotFound);
  EXPECT_STATUS_CODE(env().GetChildren(path), kNotFound);
  EXPECT_STATUS_CODE(env().RenameFile(path, dir_.Sub("x")), kNotFound);
  EXPECT_STATUS_CODE(ReadSmallFile(env(), path), kNotFound);
  EXPECT_STATUS_CODE(env().NewWritableFile(dir_.Sub("no/such/dir/f")), kNotFound);
}

TEST_F(PosixEnvTest, DirectoriesAndChildren) {
  const std::string d = dir_.Sub("d");
  ASSERT_OK(env().CreateDir(d));
  ASSERT_OK(env().CreateDir(d));  // OK if it exists
  ASSERT_OK(WriteFileDurably(env(), d + "/a", "1"));
  ASSERT_OK(WriteFileDurably(env(), d + "/b", "2"));
  ASSERT_OK(env().CreateDir(d + "/sub"));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, env().GetChildren(d));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "sub"}));
  ASSERT_OK(env().SyncDir(d));
  EXPECT_FALSE(env().RemoveDir(d).ok());  // not empty
  ASSERT_OK(env().RemoveFile(d + "/a"));
  ASSERT_OK(env().RemoveFile(d + "/b"));
  ASSERT_OK(env().RemoveDir(d + "/sub"));
  ASSERT_OK(env().RemoveDir(d));
  EXPECT_FALSE(env().FileExists(d));
  // CreateDir on an existing regular file is an error.
  ASSERT_OK(WriteFileDurably(env(), dir_.Sub("file"), "x"));
  EXPECT_STATUS_CODE(env().CreateDir(dir_.Sub("file")), kAlreadyExists);
  EXPECT_STATUS_CODE(env().SyncDir(dir_.Sub("nodir")), kNotFound);
}

TEST_F(PosixEnvTest, RenameReplacesAndLinkShares) {
  ASSERT_OK(WriteFileDurably(env(), dir_.Sub("a"), "new"));
  ASSERT_OK(WriteFileDurably(env(), dir_.Sub("b"), "old"));
  ASSERT_OK(env().RenameFile(dir_.Sub("a"), dir_.Sub("b")));
  EXPECT_FALSE(env().FileExists(dir_.Sub("a")));
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), dir_.Sub("b")));
  EXPECT_EQ(got, "new");
  ASSERT_OK(env().LinkFile(dir_.Sub("b"), dir_.Sub("c")));
  ASSERT_OK_AND_ASSIGN(got, ReadSmallFile(env(), dir_.Sub("c")));
  EXPECT_EQ(got, "new");
  EXPECT_STATUS_CODE(env().LinkFile(dir_.Sub("b"), dir_.Sub("c")), kAlreadyExists);
}

TEST_F(PosixEnvTest, TruncateAndSizes) {
  const std::string path = dir_.Sub("f");
  ASSERT_OK(WriteFileDurably(env(), path, "0123456789"));
  ASSERT_OK(env().TruncateFile(path, 4));
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_EQ(got, "0123");
}

TEST_F(PosixEnvTest, ModificationTimeAndClockAgree) {
  const std::string path = dir_.Sub("f");
  ASSERT_OK(WriteFileDurably(env(), path, "x"));
  ASSERT_OK_AND_ASSIGN(uint64_t mtime, env().GetFileModificationTime(path));
  const uint64_t now_s = env().NowMicros() / 1000000;
  EXPECT_LE(mtime, now_s + 1);
  EXPECT_GE(mtime + 60, now_s);
  EXPECT_GT(now_s, 1600000000u);  // CLOCK_REALTIME, not a monotonic clock
}

TEST_F(PosixEnvTest, LockIsExclusiveUntilReleased) {
  const std::string path = dir_.Sub("LOCK");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileLock> lock, env().LockFile(path));
  auto again = env().LockFile(path);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("in use"), std::string::npos);
  lock.reset();
  ASSERT_OK_AND_ASSIGN(lock, env().LockFile(path));
  EXPECT_STATUS_CODE(env().LockFile(dir_.Sub("no/dir/LOCK")), kNotFound);
}

TEST(DirNameTest, Cases) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("/"), "/");
  EXPECT_EQ(DirName("a"), ".");
  EXPECT_EQ(DirName(""), ".");
  EXPECT_EQ(DirName("a/b/"), "a");
  EXPECT_EQ(DirName("a//b"), "a");
}

TEST_F(PosixEnvTest, WriteFileDurablyReplacesAndLeavesNoTemp) {
  const std::string path = dir_.Sub("CURRENT");
  ASSERT_OK(WriteFileDurably(env(), path, "one"));
  ASSERT_OK(WriteFileDurably(env(), path, "two"));
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_EQ(got, "two");
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, env().GetChildren(dir_.path()));
  EXPECT_EQ(names, std::vector<std::string>{"CURRENT"});
}

TEST_F(PosixEnvTest, CreateDirsDurablyMakesParents) {
  const std::string deep = dir_.Sub("a/b/c");
  ASSERT_OK(CreateDirsDurably(env(), deep));
  EXPECT_TRUE(env().FileExists(deep));
  ASSERT_OK(CreateDirsDurably(env(), deep));  // idempotent
  ASSERT_OK(WriteFileDurably(env(), deep + "/f", "x"));
}

// ---- Failure and crash paths, through FaultInjectionEnv ----

class EnvHelpersFaultTest : public ::testing::Test {
 protected:
  EnvHelpersFaultTest() : env_(*Env::Default()) {}
  std::vector<std::string> Children() {
    auto names = Env::Default()->GetChildren(dir_.path());
    EXPECT_TRUE(names.ok());
    std::vector<std::string> out = names.ok() ? *names : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    return out;
  }
  testutil::TempDir dir_;
  testutil::FaultInjectionEnv env_;
};

TEST_F(EnvHelpersFaultTest, WriteFileDurablyRemovesTempOnEveryFailure) {
  const std::string path = dir_.Sub("CURRENT");
  ASSERT_OK(WriteFileDurably(env_, path, "old"));
  // Steps: create, append, sync, rename, sync dir. Failing any step before
  // the rename must leave the old content and no temp file.
  for (int n = 1; n <= 4; ++n) {
    env_.FailAfter(n, n % 2 ? EIO : ENOSPC);
    Status s = WriteFileDurably(env_, path, "new");
    EXPECT_FALSE(s.ok()) << n;
    EXPECT_EQ(Children(), std::vector<std::string>{"CURRENT"}) << n;
    ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env_, path));
    EXPECT_EQ(got, "old") << n;
  }
  EXPECT_EQ(env_.injected_failures(), 4);
  // A failed directory sync is reported; the rename itself happened.
  env_.FailAfter(1, EIO, testutil::kFaultSyncDir);
  EXPECT_STATUS_CODE(WriteFileDurably(env_, path, "new"), kDataLoss);
  EXPECT_EQ(Children(), std::vector<std::string>{"CURRENT"});
}

TEST_F(EnvHelpersFaultTest, WriteFileDurablySurvivesPowerLoss) {
  const std::string path = dir_.Sub("CURRENT");
  ASSERT_OK(WriteFileDurably(env_, path, "v1"));
  ASSERT_OK(WriteFileDurably(env_, path, "v2"));
  ASSERT_OK(env_.SimulatePowerLoss());
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env_, path));
  EXPECT_EQ(got, "v2");
  EXPECT_EQ(Children(), std::vector<std::string>{"CURRENT"});
}

TEST_F(EnvHelpersFaultTest, CreateDirsDurablySurvivesPowerLoss) {
  ASSERT_OK(CreateDirsDurably(env_, dir_.Sub("x/y/z")));
  ASSERT_OK(env_.CreateDir(dir_.Sub("x/y/z/unsynced")));
  ASSERT_OK(env_.SimulatePowerLoss());
  EXPECT_TRUE(env_.FileExists(dir_.Sub("x/y/z")));
  EXPECT_FALSE(env_.FileExists(dir_.Sub("x/y/z/unsynced")));
}

}  // namespace
}  // namespace confiance

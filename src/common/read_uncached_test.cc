// File: common/read_uncached_test.cc
// RandomAccessFile::ReadUncached on the real file system: it returns the
// file's bytes, leaves a file that was not cached out of the page cache
// (mincore(2) tells which pages are resident), and leaves a cached one
// cached. On a file system whose pages cannot be dropped (tmpfs) the cache
// checks are skipped; the bytes are checked everywhere.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/env.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

constexpr size_t kSize = 4 << 20;

// Pages of `path` resident in the page cache.
size_t ResidentPages(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  void* map = ::mmap(nullptr, kSize, PROT_READ, MAP_SHARED, fd, 0);
  EXPECT_NE(map, MAP_FAILED);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((kSize + page - 1) / page);
  EXPECT_EQ(::mincore(map, kSize, in_core.data()), 0);
  ::munmap(map, kSize);
  ::close(fd);
  size_t resident = 0;
  for (unsigned char c : in_core) resident += c & 1;
  return resident;
}

void DropFromCache(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::fdatasync(fd);  // dirty pages cannot be dropped
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

class ReadUncachedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/f";
    data_ = testutil::SeededBytes(kSize, 7);
    ASSERT_OK_AND_ASSIGN(auto w, Env::Default()->NewWritableFile(path_));
    ASSERT_OK(w->Append(testutil::AsBytes(data_)));
    ASSERT_OK(w->Sync());
    ASSERT_OK(w->Close());
  }
  // Reads the whole file in windows of 1 MiB, as the scrub does.
  std::string ReadAll(bool uncached) {
    auto file = Env::Default()->NewRandomAccessFile(path_);
    EXPECT_TRUE(file.ok());
    std::string out(kSize, '\0');
    for (size_t off = 0; off < kSize; off += 1 << 20) {
      std::span<std::byte> window = std::as_writable_bytes(std::span(out.data() + off, 1 << 20));
      Result<size_t> n = uncached ? (*file)->ReadUncached(off, window) : (*file)->Read(off, window);
      EXPECT_TRUE(n.ok());
      EXPECT_EQ(n.ok() ? *n : 0, size_t{1} << 20);
    }
    return out;
  }

  testutil::TempDir dir_;
  std::string path_;
  std::string data_;
};

TEST_F(ReadUncachedTest, AFileThatWasNotCachedStaysOut) {
  DropFromCache(path_);
  if (ResidentPages(path_) != 0) GTEST_SKIP() << "this file system keeps its pages cached (tmpfs?)";
  EXPECT_EQ(ReadAll(/*uncached=*/true), data_);
  EXPECT_EQ(ResidentPages(path_), 0u);
  EXPECT_EQ(ReadAll(/*uncached=*/false), data_);
  EXPECT_GT(ResidentPages(path_), 0u) << "a plain read caches: the check above can fail";
}

TEST_F(ReadUncachedTest, ACachedFileStaysCached) {
  DropFromCache(path_);
  if (ResidentPages(path_) != 0) GTEST_SKIP() << "this file system keeps its pages cached (tmpfs?)";
  EXPECT_EQ(ReadAll(/*uncached=*/false), data_);
  const size_t cached = ResidentPages(path_);
  ASSERT_EQ(cached, kSize / static_cast<size_t>(::sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(ReadAll(/*uncached=*/true), data_);
  EXPECT_EQ(ResidentPages(path_), cached);
}

TEST_F(ReadUncachedTest, ShortAtTheEndOfTheFile) {
  auto file = Env::Default()->NewRandomAccessFile(path_);
  ASSERT_TRUE(file.ok());
  std::string out(1000, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, (*file)->ReadUncached(kSize - 10, std::as_writable_bytes(std::span(out))));
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(out.substr(0, 10), data_.substr(kSize - 10));
  ASSERT_OK_AND_ASSIGN(n, (*file)->ReadUncached(kSize + 5, std::as_writable_bytes(std::span(out))));
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace confiance

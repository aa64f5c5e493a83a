// File: common/direct_writable_file_test.cc
// The POSIX Env's bulk files (Env::NewBulkFile): what is read back is what
// was appended, whatever the sizes around the buffered prefix, the direct
// blocks and the space allocated ahead; and the bytes past the prefix do not
// stay in the page cache (what the direct writes are for).
#include "common/direct_writable_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

using testutil::AsBytes;
using testutil::SeededBytes;

class BulkFileTest : public ::testing::Test {
 protected:
  Env& env() { return *Env::Default(); }

  // Appends `data` in chunks of pseudo-random sizes (1 byte to 300 KiB).
  void AppendInChunks(WritableFile& f, const std::string& data, uint32_t seed) {
    std::mt19937 rng(seed);
    for (size_t pos = 0; pos < data.size();) {
      const size_t n = std::min<size_t>(data.size() - pos, 1 + rng() % (300 * 1024));
      ASSERT_OK(f.Append(AsBytes(data.substr(pos, n))));
      pos += n;
    }
  }

  testutil::TempDir dir_;
};

TEST_F(BulkFileTest, ReadsBackWhatWasAppendedAroundEveryBoundary) {
  const std::vector<size_t> sizes = {
      0, 1, 64 * 1024, kBufferedPrefix - 1, kBufferedPrefix, kBufferedPrefix + 1,
      kBufferedPrefix + kDirectBlock, kBufferedPrefix + 3 * kDirectBlock + 4095,
      // Past the first stretch allocated ahead (8 MiB beyond the writes).
      kBufferedPrefix + 10 * kDirectBlock + 12345};
  for (size_t size : sizes) {
    SCOPED_TRACE(size);
    const std::string path = dir_.Sub("blob" + std::to_string(size));
    const std::string data = SeededBytes(size, static_cast<uint32_t>(size));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewBulkFile(path));
    AppendInChunks(*f, data, 7);
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Close());
    ASSERT_OK_AND_ASSIGN(uint64_t on_disk, env().GetFileSize(path));
    EXPECT_EQ(on_disk, size);  // nothing of the space allocated ahead remains
    ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
    EXPECT_TRUE(got == data);
  }
}

TEST_F(BulkFileTest, AppendsAfterASyncContinueTheFile) {
  // The first Sync leaves the file at an unaligned size; what follows is
  // written through the page cache, and Close alone must keep it all.
  const std::string path = dir_.Sub("blob");
  const std::string first = SeededBytes(kBufferedPrefix + 2 * kDirectBlock + 777, 1);
  const std::string second = SeededBytes(3 * kDirectBlock + 5, 2);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewBulkFile(path));
  AppendInChunks(*f, first, 3);
  ASSERT_OK(f->Sync());
  AppendInChunks(*f, second, 4);
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_TRUE(got == first + second);
  EXPECT_STATUS_CODE(f->Append(AsBytes("x")), kFailedPrecondition);
}

TEST_F(BulkFileTest, AClosedUnsyncedFileHoldsItsBytesAndNoMore) {
  const std::string path = dir_.Sub("blob");
  const std::string data = SeededBytes(kBufferedPrefix + 9 * kDirectBlock + 1, 5);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewBulkFile(path));
    AppendInChunks(*f, data, 6);
  }  // destroyed without Sync or Close
  ASSERT_OK_AND_ASSIGN(std::string got, ReadSmallFile(env(), path));
  EXPECT_TRUE(got == data);
}

// Pages of `path` in the page cache, per range [from, to) of pages.
size_t ResidentPages(const std::string& path, size_t size, size_t from_page, size_t to_page) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SIZE_MAX;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return SIZE_MAX;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const int rc = ::mincore(map, size, resident.data());
  ::munmap(map, size);
  if (rc != 0) return SIZE_MAX;
  size_t n = 0;
  for (size_t i = from_page; i < to_page && i < resident.size(); ++i) n += resident[i] & 1;
  return n;
}

TEST_F(BulkFileTest, TheBytesPastThePrefixBypassThePageCache) {
  // Whether this file system takes O_DIRECT at all (tmpfs before Linux 6.6
  // does not; the bulk file then writes through the page cache, correctly
  // but without the point of this test).
  const std::string probe = dir_.Sub("probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) GTEST_SKIP() << "no O_DIRECT on the file system of " << dir_.path();
  ::close(fd);

  const std::string path = dir_.Sub("blob");
  const size_t size = kBufferedPrefix + 8 * kDirectBlock + 100;
  const std::string data = SeededBytes(size, 9);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env().NewBulkFile(path));
  AppendInChunks(*f, data, 10);
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t prefix_pages = kBufferedPrefix / page;
  const size_t direct_pages = 8 * kDirectBlock / page;
  // The prefix was written through the cache and is still there (nothing
  // here evicts it); of the direct blocks, none is.
  EXPECT_EQ(ResidentPages(path, size, 0, prefix_pages), prefix_pages);
  EXPECT_EQ(ResidentPages(path, size, prefix_pages, prefix_pages + direct_pages), 0u);
}

}  // namespace
}  // namespace confiance

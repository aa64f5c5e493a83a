// File: blob/local/blob_export_test.cc
// ExportBlob: a committed blob linked (or, across file systems, copied)
// into another tree with the store's layout, readable there after the store
// deleted it.
#include "blob/local/blob_export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::blob {
namespace {

using testutil::AsBytes;

// Link fails as across file systems (EXDEV); directory syncs are counted.
class CrossDeviceEnv final : public EnvWrapper {
 public:
  explicit CrossDeviceEnv(Env& base, bool refuse_links) : EnvWrapper(base), refuse_links_(refuse_links) {}
  Status LinkFile(const std::string& from, const std::string& to) override {
    if (refuse_links_) return UnimplementedError("link " + from + " -> " + to + ": Invalid cross-device link");
    return EnvWrapper::LinkFile(from, to);
  }
  Status SyncDir(const std::string& dir) override {
    synced.insert(dir);
    return EnvWrapper::SyncDir(dir);
  }
  std::set<std::string> synced;

 private:
  bool refuse_links_;
};

std::string ReadAll(BlobStore& store, const std::string& id) {
  auto reader = store.Open(id);
  EXPECT_OK(reader.status());
  if (!reader.ok()) return "";
  std::string out((*reader)->size(), '\0');
  auto n = (*reader)->ReadAt(0, std::as_writable_bytes(std::span(out.data(), out.size())));
  EXPECT_OK(n.status());
  return out;
}

ino_t Inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

class BlobExportTest : public ::testing::TestWithParam<bool> {};

TEST_P(BlobExportTest, TheExportedBlobOpensUnderItsIdAndOutlivesTheStoresDeletion) {
  const bool across_devices = GetParam();
  testutil::TempDir dir;
  CrossDeviceEnv env(*Env::Default(), across_devices);
  ASSERT_OK_AND_ASSIGN(auto store, LocalBlobStore::Open(env, dir.Sub("blobs")));
  // More than one copy buffer's worth, so that the copy loops.
  std::string data(3 * (1 << 20) + 17, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
  ASSERT_OK_AND_ASSIGN(auto writer, store->NewBlob());
  ASSERT_OK(writer->Append(AsBytes(data)));
  ASSERT_OK(writer->Commit());
  const std::string id = writer->id();

  ASSERT_OK(env.CreateDir(dir.Sub("backup")));
  ASSERT_OK_AND_ASSIGN(ExportKind kind, ExportBlob(env, *store, id, dir.Sub("backup/blobs")));
  EXPECT_EQ(kind, across_devices ? ExportKind::kCopied : ExportKind::kLinked);
  const std::string exported = dir.Sub("backup/blobs") + "/" + id.substr(0, 2) + "/" + id;
  if (across_devices) {
    EXPECT_NE(Inode(exported), Inode(store->BlobPath(id)));
  } else {
    EXPECT_EQ(Inode(exported), Inode(store->BlobPath(id)));
  }
  EXPECT_STATUS_CODE(ExportBlob(env, *store, id, dir.Sub("backup/blobs")).status(), kAlreadyExists);

  env.synced.clear();
  ASSERT_OK(SyncExportedTree(env, dir.Sub("backup/blobs")));
  EXPECT_EQ(env.synced,
            (std::set<std::string>{dir.Sub("backup/blobs"), dir.Sub("backup/blobs") + "/" + id.substr(0, 2)}));

  ASSERT_OK(store->Delete(id));
  ASSERT_OK_AND_ASSIGN(auto copy, LocalBlobStore::Open(env, dir.Sub("backup/blobs")));
  EXPECT_EQ(ReadAll(*copy, id), data);
  EXPECT_STATUS_CODE(ExportBlob(env, *store, id, dir.Sub("other")).status(), kNotFound);
}

// The outcome; an error fails the test.
ReuseOutcome Outcome(const Result<ReuseOutcome>& r) {
  EXPECT_OK(r.status());
  return r.ok() ? *r : static_cast<ReuseOutcome>(-1);
}

// An incremental backup: what the earlier backup holds is linked from it
// (the same inode, even after the live store deleted its copy), what it
// does not hold, holds damaged, or holds across file systems is not.
TEST(ReuseExportedBlobTest, LinksOnlyAFileOfTheBlobsIdAndSizeFromTheBase) {
  testutil::TempDir dir;
  CrossDeviceEnv env(*Env::Default(), /*refuse_links=*/false);
  ASSERT_OK_AND_ASSIGN(auto store, LocalBlobStore::Open(env, dir.Sub("blobs")));
  auto commit = [&](const std::string& data) {
    auto writer = store->NewBlob();
    EXPECT_OK(writer.status());
    EXPECT_OK((*writer)->Append(AsBytes(data)));
    EXPECT_OK((*writer)->Commit());
    return (*writer)->id();
  };
  const std::string kept = commit(std::string(5000, 'k'));
  const std::string truncated = commit(std::string(7000, 't'));
  ASSERT_OK(env.CreateDir(dir.Sub("b1")));
  ASSERT_OK(ExportBlob(env, *store, kept, dir.Sub("b1/blobs")).status());
  // A copy, not a link: damaging it must leave the live file whole.
  CrossDeviceEnv cross(*Env::Default(), /*refuse_links=*/true);
  ASSERT_OK(ExportBlob(cross, *store, truncated, dir.Sub("b1/blobs")).status());
  const std::string fresh = commit(std::string(6000, 'f'));  // written after the first backup
  // The first backup's copy of `truncated` is damaged (cut short).
  const std::string damaged = dir.Sub("b1/blobs") + "/" + truncated.substr(0, 2) + "/" + truncated;
  ASSERT_EQ(::truncate(damaged.c_str(), 100), 0);

  ASSERT_OK(env.CreateDir(dir.Sub("b2")));
  auto size_of = [&](const std::string& id) {
    auto size = env.GetFileSize(store->BlobPath(id));
    EXPECT_OK(size.status());
    return size.ok() ? *size : 0;
  };
  const std::string base = dir.Sub("b1/blobs"), dest = dir.Sub("b2/blobs");
  EXPECT_EQ(Outcome(ReuseExportedBlob(env, base, kept, size_of(kept), dest)), ReuseOutcome::kLinked);
  EXPECT_EQ(Outcome(ReuseExportedBlob(env, base, fresh, size_of(fresh), dest)), ReuseOutcome::kNotLinked);
  EXPECT_EQ(Outcome(ReuseExportedBlob(env, base, truncated, size_of(truncated), dest)), ReuseOutcome::kSizeDiffers);
  const std::string reused = dest + "/" + kept.substr(0, 2) + "/" + kept;
  EXPECT_EQ(Inode(reused), Inode(base + "/" + kept.substr(0, 2) + "/" + kept));
  EXPECT_FALSE(env.FileExists(dest + "/" + fresh.substr(0, 2) + "/" + fresh));
  EXPECT_FALSE(env.FileExists(dest + "/" + truncated.substr(0, 2) + "/" + truncated));
  EXPECT_STATUS_CODE(ReuseExportedBlob(env, base, "../../etc/passwd", 1, dest).status(), kInvalidArgument);

  // The live store's deletion leaves both backups' (shared) file readable.
  ASSERT_OK(store->Delete(kept));
  ASSERT_OK_AND_ASSIGN(auto second, LocalBlobStore::Open(env, dest));
  EXPECT_EQ(ReadAll(*second, kept), std::string(5000, 'k'));

  // Across file systems nothing is linked, and nothing is left behind.
  ASSERT_OK(cross.CreateDir(dir.Sub("b3")));
  const std::string other_kept = commit(std::string(10, 'o'));
  ASSERT_OK(ExportBlob(env, *store, other_kept, base).status());
  EXPECT_EQ(Outcome(ReuseExportedBlob(cross, base, other_kept, size_of(other_kept), dir.Sub("b3/blobs"))),
            ReuseOutcome::kNotLinked);
  EXPECT_FALSE(cross.FileExists(dir.Sub("b3/blobs") + "/" + other_kept.substr(0, 2) + "/" + other_kept));
}

INSTANTIATE_TEST_SUITE_P(LinkOrCopy, BlobExportTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "AcrossFileSystems" : "SameFileSystem"; });

}  // namespace
}  // namespace confiance::blob

// File: blob/local/blob_export_test.cc
// ExportBlob: a committed blob linked (or, across file systems, copied)
// into another tree with the store's layout, readable there after the store
// deleted it.
#include "blob/local/blob_export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <string>

#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::blob {
namespace {

std::span<const std::byte> Bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

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
  ASSERT_OK(writer->Append(Bytes(data)));
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

INSTANTIATE_TEST_SUITE_P(LinkOrCopy, BlobExportTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "AcrossFileSystems" : "SameFileSystem"; });

}  // namespace
}  // namespace confiance::blob

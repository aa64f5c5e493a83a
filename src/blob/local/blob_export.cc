// File: blob/local/blob_export.cc
#include "blob/local/blob_export.h"

#include <cstddef>
#include <memory>
#include <vector>

#include "blob/blob_id.h"

namespace confiance::blob {
namespace {

// The copy of a blob that cannot be linked (another file system): read in
// 1 MiB pieces, written, synced. A failed copy removes its file.
Status CopyBlobFile(Env& env, const std::string& from, const std::string& to) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, env.NewRandomAccessFile(from));
  if (env.FileExists(to)) return AlreadyExistsError(to + " exists");
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, env.NewBulkFile(to));
  Status s = [&]() -> Status {
    std::vector<std::byte> buffer(size_t{1} << 20);
    for (uint64_t offset = 0;;) {
      ASSIGN_OR_RETURN(size_t n, in->Read(offset, buffer));
      if (n == 0) break;
      RETURN_IF_ERROR(out->Append(std::span<const std::byte>(buffer.data(), n)));
      offset += n;
    }
    RETURN_IF_ERROR(out->Sync());
    return out->Close();
  }();
  if (!s.ok()) env.RemoveFile(to).IgnoreError();
  return s;
}

std::string FanoutDir(const std::string& root, const std::string& id) { return root + "/" + id.substr(0, 2); }

// The path of blob `id` under `dest_root`, its directories created.
Result<std::string> PrepareDestination(Env& env, const std::string& dest_root, const std::string& id) {
  const std::string dir = FanoutDir(dest_root, id);
  RETURN_IF_ERROR(env.CreateDir(dest_root));
  RETURN_IF_ERROR(env.CreateDir(dir));
  return dir + "/" + id;
}

}  // namespace

Result<ExportKind> ExportBlob(Env& env, const LocalBlobStore& store, const std::string& id,
                              const std::string& dest_root) {
  const std::string from = store.BlobPath(id);
  ASSIGN_OR_RETURN(const std::string to, PrepareDestination(env, dest_root, id));
  Status linked = env.LinkFile(from, to);
  if (linked.ok()) return ExportKind::kLinked;
  if (linked.code() == StatusCode::kNotFound && !env.FileExists(from)) return NotFoundError("blob " + id);
  if (linked.code() != StatusCode::kUnimplemented) return linked;  // EXDEV maps to Unimplemented
  Status copied = CopyBlobFile(env, from, to);
  if (copied.code() == StatusCode::kNotFound && !env.FileExists(from)) return NotFoundError("blob " + id);
  RETURN_IF_ERROR(copied);
  return ExportKind::kCopied;
}

Result<ReuseOutcome> ReuseExportedBlob(Env& env, const std::string& base_root, const std::string& id, uint64_t size,
                                       const std::string& dest_root) {
  if (!IsValidBlobId(id)) return InvalidArgumentError("not a blob id: " + id);
  const std::string from = FanoutDir(base_root, id) + "/" + id;
  Result<uint64_t> base_size = env.GetFileSize(from);
  if (!base_size.ok() && base_size.status().code() == StatusCode::kNotFound) return ReuseOutcome::kNotLinked;
  RETURN_IF_ERROR(base_size.status());
  if (*base_size != size) return ReuseOutcome::kSizeDiffers;
  ASSIGN_OR_RETURN(const std::string to, PrepareDestination(env, dest_root, id));
  Status linked = env.LinkFile(from, to);
  if (linked.ok()) return ReuseOutcome::kLinked;
  // Unimplemented is EXDEV: the base is on another file system.
  if (linked.code() == StatusCode::kUnimplemented) return ReuseOutcome::kNotLinked;
  if (linked.code() == StatusCode::kNotFound && !env.FileExists(from)) return ReuseOutcome::kNotLinked;
  return linked;
}

Status SyncExportedTree(Env& env, const std::string& dest_root) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env.GetChildren(dest_root));
  for (const std::string& name : names) {
    if (name.size() == 2) RETURN_IF_ERROR(env.SyncDir(dest_root + "/" + name));
  }
  return env.SyncDir(dest_root);
}

}  // namespace confiance::blob

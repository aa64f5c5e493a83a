// File: blob/local/blob_export.h
// ExportBlob: a committed blob of a LocalBlobStore placed, at the same
// relative path, under another directory, so that a LocalBlobStore opened
// there finds it under the same id. For online backups (docs/backup.md):
// a committed blob file never changes, so a hard link to it is a copy of
// it as of now, and stays one after the store deletes its own name. An
// incremental backup links what an earlier backup already holds
// (ReuseExportedBlob) and exports only the rest.
#pragma once

#include <string>

#include "blob/local/local_blob_store.h"
#include "common/env.h"
#include "common/status.h"

namespace confiance::blob {

enum class ExportKind { kLinked, kCopied };

// Hard-links `store`'s committed blob `id` into `dest_root` (created if
// missing, with the fan-out directory; its parent must exist), or copies and syncs it when
// `dest_root` is on another file system. Directories are not synced:
// call SyncExportedTree after the last blob. NotFound if the blob is gone
// (deleted meanwhile); AlreadyExists if the destination file exists.
Result<ExportKind> ExportBlob(Env& env, const LocalBlobStore& store, const std::string& id,
                              const std::string& dest_root);

// The outcome of ReuseExportedBlob.
enum class ReuseOutcome {
  kLinked,       // the base's file is now also at the destination
  kNotLinked,    // the base has no such file, or lies on another file system
  kSizeDiffers,  // the base has the file, with another size: damaged; not used
};

// Hard-links blob `id` from `base_root`, a tree an earlier export filled
// (an earlier backup's pool directory), to the same relative path under
// `dest_root`, when the base's file has the blob's `size` (the live file's
// size). For incremental backups: a committed blob file never changes and
// ids are never reused (128 random bits, blob/blob_id.h), so a file of
// that id and size in the base is that blob. On kNotLinked and
// kSizeDiffers nothing is placed: export from the store instead.
Result<ReuseOutcome> ReuseExportedBlob(Env& env, const std::string& base_root, const std::string& id, uint64_t size,
                                       const std::string& dest_root);

// Syncs the fan-out directories ExportBlob created under `dest_root`, then
// `dest_root` itself: the exported names are durable on OK.
Status SyncExportedTree(Env& env, const std::string& dest_root);

}  // namespace confiance::blob

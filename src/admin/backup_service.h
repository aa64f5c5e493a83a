// File: admin/backup_service.h
// BackupService: an online backup of the whole service (docs/backup.md),
// as the admin API sees it. The admin API only starts a backup and reports
// its progress; the job itself knows the data directory's layout and lives
// in main/ (main/backup_job.h), the one place that knows every layer.
//
// Operators only (admin/authorization.cc): a backup holds every tenant's
// (encrypted) data, so no tenant may write one where it chooses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace confiance::admin {

struct BackupRequest {
  // Absolute path on the server's host where the backup directory is
  // created. Must not exist; its parent must.
  std::string path;
  // Also copy the embedded keystore's root key file into the backup. Off by
  // default: without it the backup is ciphertext only, safe to store where
  // the operator would not keep the key (docs/backup.md).
  bool include_root_key = false;
  // Optional: the absolute path of an earlier, complete backup on the same
  // file system as `path`. Blob files it already holds are hard-linked from
  // it instead of copied from the server (an incremental backup); the new
  // backup is still complete by itself (docs/backup.md, "Incremental").
  std::string base;
};

struct BackupProgress {
  std::string state = "idle";  // idle (none ran in this process), running, done, failed
  std::string path;
  std::string phase;  // running: "keys", "metadata", "blobs" or "finishing"
  bool include_root_key = false;
  uint64_t blobs_done = 0;       // blob files placed in the backup so far
  uint64_t blobs_linked = 0;     // of them, hard links (same file system)
  uint64_t blobs_copied = 0;     // of them, copies (another file system)
  uint64_t blob_bytes = 0;       // their total size
  std::string base;              // the earlier backup it builds on, if any
  uint64_t blobs_from_base = 0;  // of blobs_done, hard links to the base's files
  uint64_t base_mismatches = 0;  // base files of another size than the blob's (damaged; not used)
  // Pools whose blobs a backup leaves to their own system (RADOS pools:
  // docs/rados.md), and how many of their blobs it saw.
  std::vector<std::string> pools_not_copied;
  uint64_t blobs_not_copied = 0;
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // when failed
};

class BackupService {
 public:
  virtual ~BackupService() = default;
  // Checks the request and starts the job. InvalidArgument for a bad path
  // (relative, inside the data directory or a pool, missing parent) or
  // base (not a complete backup, on another file system than the path),
  // AlreadyExists if it exists, FailedPrecondition while a backup runs.
  virtual Result<BackupProgress> Start(const BackupRequest& request) = 0;
  virtual BackupProgress Progress() = 0;
};

}  // namespace confiance::admin

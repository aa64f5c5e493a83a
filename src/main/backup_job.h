// File: main/backup_job.h
// BackupJob: the online backup of a running server's data directory
// (admin::BackupService; docs/backup.md). The result is itself a data
// directory, so restoring is starting a server on it:
//   PATH/meta/         a RocksDB checkpoint of the metadata
//                      (MetaStore::Checkpoint: one point of its commit order),
//                      or for metadata on RADOS, which has no files, a new
//                      local store holding a copy of a snapshot of it
//                      (MetaStore::Snapshot: one point too), encrypted under
//                      the metadata key
//   PATH/blobs/        the default pool's blob files
//   PATH/pools/<name>/ every other pool's (to be put back where the pools
//                      file points)
//   PATH/keys/root.key only with include_root_key (mode 0600)
//   PATH/KMS           the KMIP marker, when the root key is in a KMS
//   PATH/BACKUP.json   what the backup holds and which root key it needs
//
// The order is what makes the copy consistent while writes go on:
//  1. blob deletions are held (PoolRouter::HoldDeletes), so every blob that
//     metadata read from now on names stays on disk;
//  2. the metadata checkpoint is taken. Every blob it names was committed
//     before it (data durable before metadata commits) and is not deleted
//     (1);
//  3. every blob file present now is hard-linked (or copied) into the
//     backup: those the checkpoint names, and perhaps a few newer ones,
//     which are orphans there, removed by the restored server's sweeper;
//  4. the hold is released; a hold broken by too many deletions fails the
//     backup (a blob may be missing), as does a root key rotation between
//     1 and 3 (the key file and the metadata would not match).
// An incremental backup (request.base, an earlier backup on the same file
// system) hard-links in step 3 each blob file the base already holds, and
// exports only the others: it costs the space and time of what changed,
// and is complete by itself all the same.
// Everything is written under PATH.partial and renamed to PATH last, after
// every file and directory is synced: a PATH that exists is complete. A
// failed or interrupted job removes PATH.partial; one that died with the
// process leaves it, and the next Start refuses until it is removed.
//
// Thread-safety: safe for concurrent use; one job at a time, on its own
// thread; the destructor stops it (the backup then fails) and joins.
#pragma once

#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "admin/backup_service.h"
#include "admin/metrics_endpoint.h"
#include "blob/local/local_blob_store.h"
#include "blob/pools/pool_router.h"
#include "common/env.h"
#include "kms/key_provider.h"
#include "kms/root_key_versions.h"
#include "meta/meta_store.h"

namespace confiance {

class BackupJob final : public admin::BackupService {
 public:
  struct Deps {
    Env* env = nullptr;
    std::string data_dir;  // the live data directory (a backup may not be inside it)
    meta::MetaStore* meta = nullptr;
    blob::PoolRouter* router = nullptr;
    // Every pool by name with its store (the default pool's included).
    std::vector<std::pair<std::string, blob::LocalBlobStore*>> pools;
    kms::KeyProvider* keys = nullptr;
    kms::RootKeyVersions* root_key_versions = nullptr;  // null: the root key is in a KMS
    admin::BackgroundStats* stats = nullptr;            // counts the backups; may be null
  };
  // `deps` must outlive this object.
  explicit BackupJob(Deps deps);
  ~BackupJob() override;
  BackupJob(const BackupJob&) = delete;
  BackupJob& operator=(const BackupJob&) = delete;

  Result<admin::BackupProgress> Start(const admin::BackupRequest& request) override;
  admin::BackupProgress Progress() override;
  // Waits for the running job to end (tests).
  void Join();

 private:
  // The earlier backup an incremental one links from: its path and, by pool
  // name, the directory under it that holds that pool's blobs.
  struct Base {
    std::string path;
    std::map<std::string, std::string> pool_dirs;
  };
  Result<Base> CheckBase(const std::string& requested, const std::string& path) const;
  Status Run(const std::stop_token& stop, const admin::BackupRequest& request, const Base& base);
  Status CopyKeys(const admin::BackupRequest& request, const std::string& into);
  // Step 2: the metadata into `into`/meta. Returns how: "checkpoint" or
  // "snapshot" (a copy that a stop request ends).
  Result<std::string> CopyMetadata(const std::stop_token& stop, const std::string& into);
  Status ExportBlobs(const std::stop_token& stop, const std::string& into, const Base& base);
  std::string RootKeyState() const;

  const Deps d_;
  // The router's pools with no local store among d_.pools (RADOS pools,
  // docs/rados.md): their blobs are counted, not copied.
  std::vector<std::string> pools_not_copied_;
  std::mutex mu_;
  admin::BackupProgress progress_;  // GUARDED_BY(mu_)
  std::jthread job_;                // GUARDED_BY(mu_)
};

}  // namespace confiance

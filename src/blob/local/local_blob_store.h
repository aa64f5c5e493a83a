// File: blob/local/local_blob_store.h
// LocalBlobStore: the BlobStore on a local directory, through an Env.
//
// Layout under `root`:
//   root/tmp/<id>.tmp    a blob being written (never visible; removed by Open)
//   root/<id[0:2]>/<id>  a committed blob (256 fan-out directories, created
//                        durably on first use)
// Commit = Sync the temp file, make sure the fan-out directory is durable,
// rename the file into it, SyncDir the fan-out directory (env.h contract).
// If any step fails the temp file (or the renamed file) is removed, so a
// failed Commit leaves no visible blob. A crash at any point leaves either a
// committed blob or at most a file under tmp/ that the next Open() removes.
//
// Thread-safety: safe for concurrent use; a writer by one thread at a time.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "blob/blob_store.h"
#include "common/env.h"

namespace confiance::blob {

class LocalBlobStore final : public BlobStore {
 public:
  // Creates `root_dir` (and tmp/) durably if missing and removes every stale
  // file under tmp/. `env` is borrowed and must outlive the store.
  // REQUIRES: no other store uses `root_dir` (the caller holds the data
  // directory's LOCK): Open would delete its blobs in progress.
  static Result<std::unique_ptr<LocalBlobStore>> Open(Env& env, const std::string& root_dir);

  LocalBlobStore(const LocalBlobStore&) = delete;
  LocalBlobStore& operator=(const LocalBlobStore&) = delete;

  Result<std::unique_ptr<BlobWriter>> NewBlob() override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& id) override;
  Status Delete(const std::string& id) override;
  Result<std::vector<BlobInfo>> List(const std::string& start_after, size_t limit) override;
  // Refuses (ResourceExhausted) when the file system's available space
  // minus max(`bytes`, kSpaceCheckBytes) would fall below the reserve (so
  // the disk counts as full with less than 1 MiB left above it, for small
  // writes too); a writer checks again
  // after every kSpaceCheckBytes appended, so concurrent writers overshoot
  // by at most that much each. A check that found at least kRoomyBytes above
  // the reserve and the request answers checks of up to kRoomyBytes / 2 for
  // the next kRoomyMicros without asking the file system again (a statvfs
  // per 4 KiB PUT was 2 % of its CPU): nothing written at this disk's speed
  // in that time comes near the margin, and near the reserve every check
  // asks.
  Status CheckSpace(uint64_t bytes) override;
  static constexpr uint64_t kRoomyBytes = uint64_t{1} << 30;
  static constexpr uint64_t kRoomyMicros = 100'000;

  // The space kept free (bytes) for metadata (RocksDB's WAL, flushes and
  // compactions) and for deletions, which need a little space to free a
  // lot. 0 disables the checks (the default). Thread-safe.
  void set_space_reserve(uint64_t bytes) {
    space_reserve_.store(bytes);
    roomy_until_us_.store(0);
  }
  uint64_t space_reserve() const { return space_reserve_.load(); }
  static constexpr uint64_t kSpaceCheckBytes = 1 << 20;

  // Paths, for tests and tools.
  const std::string& root() const { return root_; }
  std::string TempDir() const { return root_ + "/tmp"; }
  std::string TempPath(const std::string& id) const { return TempDir() + "/" + id + ".tmp"; }
  std::string FanoutDir(const std::string& id) const { return root_ + "/" + id.substr(0, 2); }
  std::string BlobPath(const std::string& id) const { return FanoutDir(id) + "/" + id; }

 private:
  class Writer;
  class Reader;

  LocalBlobStore(Env& env, std::string root) : env_(env), root_(std::move(root)) {}
  Status RemoveStaleTempFiles();
  // Makes the fan-out directory of `id` exist durably. The first call per
  // directory in this process always syncs root: a directory left by a
  // crashed process may exist without being durable.
  Status EnsureFanoutDir(const std::string& id);
  // Moves the synced temp file of `id` into place and syncs the directory.
  Status Publish(const std::string& id);
  // Blobs of one fan-out directory with id > start_after, in order, at most
  // `limit`.
  Result<std::vector<BlobInfo>> ListFanoutDir(const std::string& prefix,
                                              const std::string& start_after, size_t limit);

  Env& env_;
  const std::string root_;
  std::mutex fanout_mu_;
  std::array<bool, 256> fanout_durable_{};  // GUARDED_BY(fanout_mu_)
  std::atomic<uint64_t> space_reserve_{0};
  // Until when (env_.NowMicros()) the last roomy check answers for small
  // ones; 0: ask the file system.
  std::atomic<uint64_t> roomy_until_us_{0};
};

}  // namespace confiance::blob

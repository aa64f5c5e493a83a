// File: tests/crash/incarnation_env.h
// IncarnationEnv: the file system as seen by one incarnation of the store
// stack (one DataDir::Open until its crash). Kill() ends the incarnation:
// it closes every file the incarnation still has open for writing (so that
// no buffered byte can reach the disk later: FaultInjectionEnv needs files
// closed before SimulatePowerLoss), and every later mutating call made
// through it -- or through a file it opened -- fails with EIO without
// reaching the wrapped Env, forever.
//
// The harness gives each incarnation its own IncarnationEnv, so that a
// stack abandoned at a crash can wind down on another thread while the
// next incarnation already runs on the same files: RocksDB sleeps a second
// after a failed background compaction and its Close waits for that, and a
// killed incarnation can never write into its successor's files.
//
// LockFile returns a lock that excludes nothing: incarnations overlap while
// the old one winds down, and the harness (one live incarnation per store
// directory) provides the exclusion the LOCK files exist for.
//
// Thread-safety: safe for concurrent use; Kill may race with any call (a
// call that began before Kill may still complete).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/env.h"

namespace confiance::crashtest {

class IncarnationEnv final : public EnvWrapper {
 public:
  // `base` is borrowed and must outlive this Env and every file it opens.
  explicit IncarnationEnv(Env& base) : EnvWrapper(base) {}

  // Ends the incarnation (see above). Idempotent.
  void Kill();
  bool alive() const { return alive_.load(); }
  // EIO once killed, else OK.
  Status CheckAlive() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  class File;

  Result<std::unique_ptr<WritableFile>> Track(Result<std::unique_ptr<WritableFile>> file);
  void Forget(File* file);

  std::atomic<bool> alive_{true};
  std::mutex files_mu_;
  std::set<File*> open_files_;  // GUARDED_BY(files_mu_)
};

}  // namespace confiance::crashtest

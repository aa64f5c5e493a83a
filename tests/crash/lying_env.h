// File: tests/crash/lying_env.h
// LyingEnv: an Env decorator that silently skips one kind of sync, so that
// the power-loss harness can prove it catches a missing fsync without
// editing the store's code (a "mutant"). The skipped call returns OK
// without reaching the wrapped Env, exactly as if the line calling it had
// been deleted; FaultInjectionEnv below it then drops what was not synced.
//
// Thread-safety: as the wrapped Env.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"

namespace confiance::crashtest {

enum class Mutant {
  kNone,
  kNoBlobDirSync,   // SyncDir of the blob fan-out directories after a rename
  kNoBlobFileSync,  // Sync of blob files before their rename
  kNoWalSync,       // Sync of RocksDB's write-ahead log (*.log under meta/)
};

// "none", "blob-dir-sync", "blob-file-sync", "wal-sync".
const char* MutantName(Mutant m);
// Parses MutantName's output; false if unknown.
bool ParseMutant(const std::string& name, Mutant* out);
std::vector<Mutant> AllMutants();

class LyingEnv final : public Env {
 public:
  // `base` is borrowed and must outlive this Env.
  LyingEnv(Env& base, Mutant mutant) : base_(base), mutant_(mutant) {}

  // Number of syncs skipped so far.
  uint64_t skipped() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_.NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return base_.NewSequentialFile(path);
  }
  bool FileExists(const std::string& path) override { return base_.FileExists(path); }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override { return base_.GetChildren(dir); }
  Status RemoveFile(const std::string& path) override { return base_.RemoveFile(path); }
  Status CreateDir(const std::string& dir) override { return base_.CreateDir(dir); }
  Status RemoveDir(const std::string& dir) override { return base_.RemoveDir(dir); }
  Result<uint64_t> GetFileSize(const std::string& path) override { return base_.GetFileSize(path); }
  Result<uint64_t> GetFileModificationTime(const std::string& path) override {
    return base_.GetFileModificationTime(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override { return base_.RenameFile(from, to); }
  Status LinkFile(const std::string& from, const std::string& to) override { return base_.LinkFile(from, to); }
  Status TruncateFile(const std::string& path, uint64_t size) override { return base_.TruncateFile(path, size); }
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override { return base_.LockFile(path); }
  uint64_t NowMicros() override { return base_.NowMicros(); }

  // True if the mutant skips Sync of files at `path` (used by its files).
  bool SkipsFileSync(const std::string& path) const;
  void CountSkip();

 private:
  Result<std::unique_ptr<WritableFile>> Wrap(const std::string& path,
                                             Result<std::unique_ptr<WritableFile>> file);

  Env& base_;
  const Mutant mutant_;
  std::atomic<uint64_t> skipped_{0};
};

}  // namespace confiance::crashtest

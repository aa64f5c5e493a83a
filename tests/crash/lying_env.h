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

class LyingEnv final : public EnvWrapper {
 public:
  // `base` is borrowed and must outlive this Env.
  LyingEnv(Env& base, Mutant mutant) : EnvWrapper(base), mutant_(mutant) {}

  // Number of syncs skipped so far.
  uint64_t skipped() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  // True if the mutant skips Sync of files at `path` (used by its files).
  bool SkipsFileSync(const std::string& path) const;
  void CountSkip();

 private:
  Result<std::unique_ptr<WritableFile>> Wrap(const std::string& path,
                                             Result<std::unique_ptr<WritableFile>> file);

  const Mutant mutant_;
  std::atomic<uint64_t> skipped_{0};
};

}  // namespace confiance::crashtest

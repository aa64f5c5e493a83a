// File: tests/testutil/fault_injection_env.h
// FaultInjectionEnv: an Env decorator for tests that simulates power loss and
// injects I/O errors at the file seam (modelled on LevelDB's
// db/fault_injection_test.cc and RocksDB's FaultInjectionTestFS).
//
// What SimulatePowerLoss() models (the env.h durability contract, enforced
// pessimistically: whatever was not made durable is lost):
//  - file data: every file written through this Env is truncated to the size
//    it had at its last successful WritableFile::Sync() (0 if never synced).
//    A file opened with NewWritableFile on an existing path counts as
//    truncated to 0 until synced. Files never opened for writing through this
//    Env (pre-existing, or created by another Env) are taken as durable.
//  - directory entries: a creation (NewWritableFile/NewAppendableFile of a
//    new path, CreateDir, LinkFile) or removal (RemoveFile, RemoveDir)
//    becomes durable only when SyncDir() is called on the directory holding
//    the entry. A rename becomes durable, as a whole, when the directory of
//    the *new* name is synced: journaling file systems (ext4, xfs) commit a
//    rename as one transaction, and LevelDB/RocksDB rely on the same. The
//    source directory's sync is not required. Pending operations are undone
//    newest first:
//      creation  -> the new entry is removed (a directory with its subtree);
//      rename    -> the file goes back to its old name; if it replaced a
//                   target, the target's durable content is restored;
//      RemoveFile-> the file is recreated with its durable content;
//      RemoveDir -> the (empty) directory is recreated.
//    Contents needed to undo a replace/remove are copied in memory when the
//    operation happens, up to kMaxUndoBytes per file; a larger victim cannot
//    be restored and stays lost (the test then sees *more* loss, never less).
//  - After the call, every surviving file is durable as it stands and the
//    pending journal is empty.
// What it does not model: reordering or tearing *inside* the unsynced tail
// (it is always dropped whole, never half-kept), data surviving without a
// sync (real disks often keep it: this Env never does), metadata such as
// mtimes and permissions, TruncateFile durability (applied immediately and
// considered durable), the LOCK file, and crashes in the middle of a single
// Env call. Files must be closed (or abandoned) before SimulatePowerLoss():
// writing through a handle opened before it gives unspecified content.
//
// Error injection (each failure happens before the call reaches the base
// Env, so a failed call has no effect):
//  - FailAfter(n, err, ops): the n-th subsequent mutating call among `ops`
//    fails once with ErrnoError(err) (EIO -> DataLoss, ENOSPC ->
//    ResourceExhausted); n == 1 is the very next one.
//  - SetFilesystemActive(false): every mutating call fails with EIO until
//    re-activated (LevelDB's "filesystem inactive", but failing loudly).
//  - CrashAfter(n): a crash point (RocksDB db_stress, LevelDB fault tests):
//    the n-th subsequent mutating call (of any kind) finds the filesystem
//    inactive, as does every later call, until SetFilesystemActive(true).
//    The machine "lost power" at that call: nothing issued from then on
//    reaches the disk. Follow with SimulatePowerLoss().
// Mutating calls are: NewWritableFile, NewAppendableFile, Append, Flush,
// Sync, RemoveFile, CreateDir, RemoveDir, RenameFile, LinkFile, TruncateFile
// and SyncDir. Close, reads, listings, LockFile and clocks are never failed.
//
// Thread-safety: as every Env, safe for concurrent use (one mutex).
#pragma once

#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"

namespace confiance::testutil {

// The mutating operations, as bits, to aim injected failures.
enum FaultOp : uint32_t {
  kFaultNewFile = 1u << 0,  // NewWritableFile, NewAppendableFile
  kFaultAppend = 1u << 1,
  kFaultFlush = 1u << 2,
  kFaultSync = 1u << 3,
  kFaultRemove = 1u << 4,  // RemoveFile, RemoveDir
  kFaultCreateDir = 1u << 5,
  kFaultRename = 1u << 6,
  kFaultLink = 1u << 7,
  kFaultTruncate = 1u << 8,
  kFaultSyncDir = 1u << 9,
  kFaultAllOps = (1u << 10) - 1,
};

class FaultInjectionEnv final : public Env {
 public:
  // Bytes of a replaced or removed file kept in memory to undo the operation.
  static constexpr uint64_t kMaxUndoBytes = 64ull << 20;

  // `base` is borrowed and must outlive this Env.
  explicit FaultInjectionEnv(Env& base);
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  // Drops everything that was not made durable (see the file comment) and
  // returns the first error met while doing so on the base Env.
  Status SimulatePowerLoss();

  // Arms a one-shot failure of the n-th (n >= 1) next mutating call whose
  // kind is in `ops` (a FaultOp mask). Replaces any armed failure.
  void FailAfter(int n, int err = EIO, uint32_t ops = kFaultAllOps);
  // Disarms FailAfter.
  void ClearFailure();
  // While inactive, every mutating call fails with EIO.
  void SetFilesystemActive(bool active);
  bool filesystem_active() const;
  // Arms a crash point: the n-th (n >= 1) next mutating call, whatever its
  // kind, turns the filesystem inactive and fails, and so does every call
  // after it, from any thread. n == 0 disarms. With `counted_thread`, only
  // that thread's calls count towards n (so that a background thread
  // racing with it does not move the crash point). Replaces any armed crash
  // point; independent of FailAfter. A crash point that fired stays fired
  // (inactive) until SetFilesystemActive(true).
  void CrashAfter(uint64_t n, std::optional<std::thread::id> counted_thread = std::nullopt);
  // Mutating calls seen so far (failed ones included), to size crash points.
  uint64_t mutating_calls() const;
  // Number of failures injected so far (all mechanisms).
  int injected_failures() const;
  // The call that failed last because of an injection, if any.
  struct InjectedFault {
    FaultOp op;
    std::string path;  // the file or directory (a rename's target)
    int err;
  };
  std::optional<InjectedFault> last_injected_fault() const;
  // Number of directory operations not yet made durable by SyncDir.
  size_t TEST_PendingDirOps() const;

  // Env.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<uint64_t> GetFileModificationTime(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  uint64_t NowMicros() override;

  // Durable size of one file written through this Env; shared between the
  // path table and the open WritableFile so that it follows renames.
  struct FileState {
    uint64_t synced_size = 0;
  };

  // Used by the WritableFile wrapper.
  Status MaybeFail(FaultOp op, const std::string& path);
  void RecordSync(FileState& state, uint64_t size);

 private:
  // One directory operation not yet made durable.
  struct PendingOp {
    enum Kind { kCreateFile, kCreateDir, kRename, kRemoveFile, kRemoveDir };
    Kind kind;
    std::string path;      // created/removed entry, or rename target
    std::string from;      // rename source
    std::string sync_dir;  // the op is durable once this directory is synced
    bool replaced = false;             // the rename replaced an existing target
    std::optional<std::string> saved;  // durable content of a replaced/removed file
  };

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool append);
  // Durable content of `path` (REQUIRES mu_ held), or nullopt if too big or
  // unreadable.
  std::optional<std::string> DurableContentLocked(const std::string& path);
  Status UndoLocked(const PendingOp& op);
  Status RemoveTreeLocked(const std::string& path);

  Env& base_;
  // Every member below is GUARDED_BY(mu_). Base Env calls that change the
  // journal are made under mu_ too, so the journal order is the real order.
  mutable std::mutex mu_;
  // Files written through this Env, by current name (hard links share one).
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::vector<PendingOp> pending_;  // oldest first
  bool active_ = true;
  int fail_countdown_ = 0;  // 0: disarmed
  int fail_errno_ = 0;
  uint32_t fail_ops_ = 0;
  int injected_ = 0;
  uint64_t crash_countdown_ = 0;  // 0: disarmed
  std::optional<std::thread::id> crash_thread_;  // only its calls count
  std::optional<InjectedFault> last_fault_;
  uint64_t mutating_calls_ = 0;
};

}  // namespace confiance::testutil

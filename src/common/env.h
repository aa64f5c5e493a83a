// File: common/env.h
// Env: the one seam for file I/O and clocks (as LevelDB's Env). The blob
// store, the keystore and (through meta/rocksdb/env_file_system.h) RocksDB do
// every file operation through an Env, so that tests can inject errors and
// simulate power loss: FaultInjectionEnv (tests/testutil) drops whatever was
// not synced.
//
// Durability contract (POSIX semantics, which the fault Env enforces):
//  - bytes appended to a WritableFile survive a crash only after Sync();
//  - a file creation, rename or removal survives a crash only after
//    SyncDir() on the directory that holds the entry.
//
// Thread-safety: an Env is safe for concurrent use. A file object is used by
// one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends `data` at the end of the file (buffering is allowed).
  virtual Status Append(std::span<const std::byte> data) = 0;
  Status Append(std::string_view data) {
    return Append(std::as_bytes(std::span(data.data(), data.size())));
  }
  // Pushes buffered bytes to the OS (no durability promise).
  virtual Status Flush() = 0;
  // Makes every appended byte durable (fdatasync). After an error the file's
  // durable content is unknown: callers must not retry and acknowledge.
  virtual Status Sync() = 0;
  // Flushes and closes. Idempotent.
  virtual Status Close() = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to out.size() bytes at `offset`; returns the count read (less
  // only at end of file). Safe for concurrent use.
  virtual Result<size_t> Read(uint64_t offset, std::span<std::byte> out) const = 0;
  // Read that leaves the page cache as it found it, as far as the system
  // allows: bytes that were cached stay cached, bytes that come from the
  // device are not kept, and nothing is read ahead. For a pass over
  // everything (the scrub) that must not evict what clients keep hot.
  // Meant for a file opened for that pass alone (it turns read-ahead off
  // on it). The default reads as Read does.
  virtual Result<size_t> ReadUncached(uint64_t offset, std::span<std::byte> out) const { return Read(offset, out); }
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to out.size() bytes; 0 means end of file.
  virtual Result<size_t> Read(std::span<std::byte> out) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// An advisory lock on a file (the data directory's LOCK); released on
// destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Space on the file system holding a path (statvfs(3)): bytes in all and
// bytes an unprivileged writer may still use.
struct DiskSpace {
  uint64_t total = 0;
  uint64_t available = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  // Creates or truncates `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it if absent.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  // What a log file holds where no record was written yet: `fill(offset,
  // out)` sets `out` to the bytes that read back as zeros at file offset
  // `offset` (an encrypting Env's keystream, crypto/encrypted_env.h). Empty:
  // zeros.
  using LogFill = std::function<void(uint64_t offset, std::span<std::byte> out)>;
  // Creates or truncates `path` for a write-ahead log: a file only appended
  // to and synced after most appends, whose reader skips zero bytes where no
  // record was written (RocksDB's WAL reader does). The Env may extend the
  // file with `fill`'s bytes ahead of the appends, so that a sync after an
  // append does not also have to persist a new file size: one disk write
  // per sync instead of two (docs/DURABILITY.md, "WAL files"). The fill
  // beyond the last append remains if the process dies; Close truncates it
  // away, so the file must never be reopened for appending while it has it.
  // Default: this Env's own NewWritableFile (no fill), which decorators
  // (EnvWrapper) keep, so that a wrapper that tracks its files sees these
  // too.
  virtual Result<std::unique_ptr<WritableFile>> NewLogFile(const std::string& path, const LogFill& fill) {
    (void)fill;
    return NewWritableFile(path);
  }
  // Creates or truncates `path` for a bulk file: written once, front to
  // back, in large appends, and not expected to be read back at once (a
  // blob). The Env may write it past the page cache (the POSIX Env uses
  // O_DIRECT beyond its first MiB: common/direct_writable_file.h); the
  // contract is NewWritableFile's. Default, as for NewLogFile: this Env's
  // own NewWritableFile.
  virtual Result<std::unique_ptr<WritableFile>> NewBulkFile(const std::string& path) { return NewWritableFile(path); }
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates `dir`; OK if it already exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Seconds since the epoch of the last modification.
  virtual Result<uint64_t> GetFileModificationTime(const std::string& path) = 0;
  // Atomically replaces `to` by `from` (rename(2)).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status LinkFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // fsync(2) on a directory: makes creations, renames and removals of its
  // entries durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  // The space of the file system holding `path`. Unimplemented unless the
  // Env has a real file system under it (callers then skip space checks).
  virtual Result<DiskSpace> GetDiskSpace(const std::string& path) {
    return UnimplementedError("GetDiskSpace: " + path);
  }

  virtual uint64_t NowMicros() = 0;
};

// An Env that forwards every call to `base` (LevelDB's EnvWrapper): a
// decorator derives from it and overrides only the calls it changes. Except
// NewLogFile and NewBulkFile, which stay Env's defaults (the wrapper's
// NewWritableFile): a decorator never lets a file bypass it.
// `base` is borrowed and must outlive the wrapper and every file it opens.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& base) : base_(base) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return base_.NewWritableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return base_.NewAppendableFile(path);
  }
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
  Status SyncDir(const std::string& dir) override { return base_.SyncDir(dir); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override { return base_.LockFile(path); }
  Result<DiskSpace> GetDiskSpace(const std::string& path) override { return base_.GetDiskSpace(path); }
  uint64_t NowMicros() override { return base_.NowMicros(); }

 protected:
  Env& base() { return base_; }

 private:
  Env& base_;
};

// The durability recipe, written once (STYLE.md #10): write `path.tmp.<rand>`,
// Sync, rename onto `path`, SyncDir the parent. On any failure the temporary
// file is removed and the old content of `path` (if any) is untouched.
Status WriteFileDurably(Env& env, const std::string& path, std::string_view data);
// Reads a whole (small) file.
Result<std::string> ReadSmallFile(Env& env, const std::string& path);
// Creates `dir` and every missing parent, syncing each parent whose entries
// changed, so that the new directories survive a power loss.
Status CreateDirsDurably(Env& env, const std::string& dir);
// The directory part of `path` ("." if none).
std::string DirName(const std::string& path);

}  // namespace confiance

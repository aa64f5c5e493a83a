// File: meta/rocksdb/env_file_system.cc
// Adapters from RocksDB's FileSystem/FS*File interfaces to confiance::Env,
// translating confiance::Status into rocksdb::IOStatus at this one seam.
#include "meta/rocksdb/env_file_system.h"

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

namespace confiance::meta {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

IOStatus ToIOStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return IOStatus::OK();
    case StatusCode::kNotFound:
      return IOStatus::PathNotFound(s.message());
    case StatusCode::kResourceExhausted:
      return IOStatus::NoSpace(s.message());
    case StatusCode::kUnimplemented:  // e.g. LinkFile across file systems: RocksDB then copies
      return IOStatus::NotSupported(s.message());
    default:
      return IOStatus::IOError(s.ToString());
  }
}

// RocksDB names its write-ahead logs <number>.log; its info log is "LOG".
bool IsWalFile(const std::string& fname) {
  const size_t slash = fname.rfind('/');
  const std::string_view base = std::string_view(fname).substr(slash == std::string::npos ? 0 : slash + 1);
  constexpr std::string_view kSuffix = ".log";
  if (base.size() <= kSuffix.size() || base.substr(base.size() - kSuffix.size()) != kSuffix) return false;
  const std::string_view number = base.substr(0, base.size() - kSuffix.size());
  return std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class EnvWritableFile final : public rocksdb::FSWritableFile {
 public:
  EnvWritableFile(std::unique_ptr<WritableFile> file, uint64_t initial_size,
                  const rocksdb::FileOptions& options)
      : rocksdb::FSWritableFile(options), file_(std::move(file)), size_(initial_size) {}
  ~EnvWritableFile() override {
    // RocksDB closes its files; this only covers abandoned ones (e.g. after
    // an error), whose content no one will acknowledge.
    if (!closed_) file_->Close().IgnoreError();
  }

  IOStatus Append(const rocksdb::Slice& data, const IOOptions&, IODebugContext*) override {
    IOStatus s = ToIOStatus(
        file_->Append(std::as_bytes(std::span(data.data(), data.size()))));
    if (s.ok()) size_ += data.size();
    return s;
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override {
    closed_ = true;
    return ToIOStatus(file_->Close());
  }
  IOStatus Flush(const IOOptions&, IODebugContext*) override {
    return ToIOStatus(file_->Flush());
  }
  IOStatus Sync(const IOOptions&, IODebugContext*) override { return ToIOStatus(file_->Sync()); }
  // Env::Sync is fdatasync, which also persists the file size: what RocksDB
  // needs from Fsync on a file it only appends to.
  IOStatus Fsync(const IOOptions&, IODebugContext*) override { return ToIOStatus(file_->Sync()); }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override { return size_; }

 private:
  std::unique_ptr<WritableFile> file_;
  uint64_t size_;
  bool closed_ = false;
};

class EnvSequentialFile final : public rocksdb::FSSequentialFile {
 public:
  explicit EnvSequentialFile(std::unique_ptr<SequentialFile> file) : file_(std::move(file)) {}

  IOStatus Read(size_t n, const IOOptions&, rocksdb::Slice* result, char* scratch,
                IODebugContext*) override {
    Result<size_t> read = file_->Read(std::as_writable_bytes(std::span(scratch, n)));
    if (!read.ok()) {
      *result = rocksdb::Slice();
      return ToIOStatus(read.status());
    }
    *result = rocksdb::Slice(scratch, *read);
    return IOStatus::OK();
  }
  IOStatus Skip(uint64_t n) override { return ToIOStatus(file_->Skip(n)); }

 private:
  std::unique_ptr<SequentialFile> file_;
};

class EnvRandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  explicit EnvRandomAccessFile(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions&, rocksdb::Slice* result,
                char* scratch, IODebugContext*) const override {
    Result<size_t> read = file_->Read(offset, std::as_writable_bytes(std::span(scratch, n)));
    if (!read.ok()) {
      *result = rocksdb::Slice();
      return ToIOStatus(read.status());
    }
    *result = rocksdb::Slice(scratch, *read);
    return IOStatus::OK();
  }

 private:
  std::unique_ptr<RandomAccessFile> file_;
};

class EnvDirectory final : public rocksdb::FSDirectory {
 public:
  EnvDirectory(Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    return ToIOStatus(env_->SyncDir(path_));
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }

 private:
  Env* env_;
  std::string path_;
};

class EnvFileLock final : public rocksdb::FileLock {
 public:
  explicit EnvFileLock(std::unique_ptr<confiance::FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<confiance::FileLock> lock_;
};

}  // namespace

EnvFileSystem::EnvFileSystem(Env* env)
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()), env_(env) {}

IOStatus EnvFileSystem::NewSequentialFile(const std::string& fname, const rocksdb::FileOptions&,
                                          std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                          IODebugContext*) {
  Result<std::unique_ptr<SequentialFile>> file = env_->NewSequentialFile(fname);
  if (!file.ok()) return ToIOStatus(file.status());
  *result = std::make_unique<EnvSequentialFile>(std::move(file).value());
  return IOStatus::OK();
}

IOStatus EnvFileSystem::NewRandomAccessFile(const std::string& fname,
                                            const rocksdb::FileOptions&,
                                            std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                            IODebugContext*) {
  Result<std::unique_ptr<RandomAccessFile>> file = env_->NewRandomAccessFile(fname);
  if (!file.ok()) return ToIOStatus(file.status());
  *result = std::make_unique<EnvRandomAccessFile>(std::move(file).value());
  return IOStatus::OK();
}

IOStatus EnvFileSystem::NewWritableFile(const std::string& fname,
                                        const rocksdb::FileOptions& file_opts,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result,
                                        IODebugContext*) {
  // Write-ahead logs may be extended with zeros ahead of their records
  // (Env::NewLogFile): RocksDB's WAL reader skips zeroed blocks, and with
  // avoid_flush_during_recovery off (RocksMetaStore) it never reopens an old
  // WAL for appending.
  Result<std::unique_ptr<WritableFile>> file =
      IsWalFile(fname) ? env_->NewLogFile(fname, {}) : env_->NewWritableFile(fname);
  if (!file.ok()) return ToIOStatus(file.status());
  *result = std::make_unique<EnvWritableFile>(std::move(file).value(), 0, file_opts);
  return IOStatus::OK();
}

IOStatus EnvFileSystem::ReopenWritableFile(const std::string& fname,
                                           const rocksdb::FileOptions& file_opts,
                                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                                           IODebugContext*) {
  // A WAL left by a crash may end in zeros (NewWritableFile above): records
  // appended after them would sit where RocksDB's reader does not expect
  // them. RocksMetaStore's options never reopen a WAL; refuse loudly if a
  // future RocksDB does.
  if (IsWalFile(fname)) {
    return IOStatus::NotSupported("EnvFileSystem: reopening a write-ahead log for appending: " + fname);
  }
  uint64_t initial_size = 0;
  if (env_->FileExists(fname)) {
    Result<uint64_t> size = env_->GetFileSize(fname);
    if (!size.ok()) return ToIOStatus(size.status());
    initial_size = *size;
  }
  Result<std::unique_ptr<WritableFile>> file = env_->NewAppendableFile(fname);
  if (!file.ok()) return ToIOStatus(file.status());
  *result = std::make_unique<EnvWritableFile>(std::move(file).value(), initial_size, file_opts);
  return IOStatus::OK();
}

IOStatus EnvFileSystem::ReuseWritableFile(const std::string&, const std::string&,
                                          const rocksdb::FileOptions&,
                                          std::unique_ptr<rocksdb::FSWritableFile>*,
                                          IODebugContext*) {
  return IOStatus::NotSupported("EnvFileSystem: ReuseWritableFile (recycle_log_file_num)");
}

IOStatus EnvFileSystem::NewRandomRWFile(const std::string&, const rocksdb::FileOptions&,
                                        std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                        IODebugContext*) {
  return IOStatus::NotSupported("EnvFileSystem: NewRandomRWFile");
}

IOStatus EnvFileSystem::NewMemoryMappedFileBuffer(
    const std::string&, std::unique_ptr<rocksdb::MemoryMappedFileBuffer>*) {
  return IOStatus::NotSupported("EnvFileSystem: NewMemoryMappedFileBuffer");
}

IOStatus EnvFileSystem::NewDirectory(const std::string& name, const IOOptions&,
                                     std::unique_ptr<rocksdb::FSDirectory>* result,
                                     IODebugContext*) {
  if (!env_->FileExists(name)) return IOStatus::PathNotFound("no such directory: " + name);
  *result = std::make_unique<EnvDirectory>(env_, name);
  return IOStatus::OK();
}

IOStatus EnvFileSystem::FileExists(const std::string& fname, const IOOptions&, IODebugContext*) {
  return env_->FileExists(fname) ? IOStatus::OK() : IOStatus::NotFound(fname);
}

IOStatus EnvFileSystem::GetChildren(const std::string& dir, const IOOptions&,
                                    std::vector<std::string>* result, IODebugContext*) {
  Result<std::vector<std::string>> children = env_->GetChildren(dir);
  if (!children.ok()) return ToIOStatus(children.status());
  *result = std::move(children).value();
  return IOStatus::OK();
}

IOStatus EnvFileSystem::GetChildrenFileAttributes(const std::string& dir,
                                                  const IOOptions& options,
                                                  std::vector<rocksdb::FileAttributes>* result,
                                                  IODebugContext* dbg) {
  // FileSystem's generic version, built on our GetChildren and GetFileSize
  // (FileSystemWrapper would forward to the POSIX file system).
  return rocksdb::FileSystem::GetChildrenFileAttributes(dir, options, result, dbg);
}

IOStatus EnvFileSystem::DeleteFile(const std::string& fname, const IOOptions&, IODebugContext*) {
  return ToIOStatus(env_->RemoveFile(fname));
}

IOStatus EnvFileSystem::Truncate(const std::string& fname, size_t size, const IOOptions&,
                                 IODebugContext*) {
  return ToIOStatus(env_->TruncateFile(fname, size));
}

IOStatus EnvFileSystem::CreateDir(const std::string& dirname, const IOOptions&,
                                  IODebugContext*) {
  if (env_->FileExists(dirname)) return IOStatus::IOError("directory exists: " + dirname);
  return ToIOStatus(env_->CreateDir(dirname));
}

IOStatus EnvFileSystem::CreateDirIfMissing(const std::string& dirname, const IOOptions&,
                                           IODebugContext*) {
  return ToIOStatus(env_->CreateDir(dirname));
}

IOStatus EnvFileSystem::DeleteDir(const std::string& dirname, const IOOptions&,
                                  IODebugContext*) {
  return ToIOStatus(env_->RemoveDir(dirname));
}

IOStatus EnvFileSystem::GetFileSize(const std::string& fname, const IOOptions&,
                                    uint64_t* file_size, IODebugContext*) {
  Result<uint64_t> size = env_->GetFileSize(fname);
  if (!size.ok()) return ToIOStatus(size.status());
  *file_size = *size;
  return IOStatus::OK();
}

IOStatus EnvFileSystem::GetFileModificationTime(const std::string& fname, const IOOptions&,
                                                uint64_t* file_mtime, IODebugContext*) {
  Result<uint64_t> mtime = env_->GetFileModificationTime(fname);
  if (!mtime.ok()) return ToIOStatus(mtime.status());
  *file_mtime = *mtime;
  return IOStatus::OK();
}

IOStatus EnvFileSystem::RenameFile(const std::string& src, const std::string& target,
                                   const IOOptions&, IODebugContext*) {
  return ToIOStatus(env_->RenameFile(src, target));
}

IOStatus EnvFileSystem::LinkFile(const std::string& src, const std::string& target,
                                 const IOOptions&, IODebugContext*) {
  return ToIOStatus(env_->LinkFile(src, target));
}

IOStatus EnvFileSystem::LockFile(const std::string& fname, const IOOptions&,
                                 rocksdb::FileLock** lock, IODebugContext*) {
  *lock = nullptr;
  Result<std::unique_ptr<confiance::FileLock>> held = env_->LockFile(fname);
  if (!held.ok()) return ToIOStatus(held.status());
  *lock = new EnvFileLock(std::move(held).value());
  return IOStatus::OK();
}

IOStatus EnvFileSystem::UnlockFile(rocksdb::FileLock* lock, const IOOptions&, IODebugContext*) {
  delete lock;  // RocksDB hands back what LockFile allocated; ~EnvFileLock unlocks.
  return IOStatus::OK();
}

std::unique_ptr<rocksdb::Env> NewRocksEnvOver(Env* env) {
  return rocksdb::NewCompositeEnv(std::make_shared<EnvFileSystem>(env));
}

}  // namespace confiance::meta

// File: meta/rocksdb/env_file_system.h
// EnvFileSystem: a rocksdb::FileSystem that performs RocksDB's file
// operations through a confiance::Env, so that tests can run RocksDB over
// FaultInjectionEnv (tests/testutil) and simulate power loss or I/O errors.
//
// Routed through the Env: NewSequentialFile, NewRandomAccessFile,
// NewWritableFile (Env::NewLogFile for write-ahead logs, <number>.log),
// ReopenWritableFile (append mode; refused for write-ahead logs), NewDirectory (whose Fsync
// is Env::SyncDir), FileExists, GetChildren, GetChildrenFileAttributes,
// DeleteFile, Truncate, CreateDir, CreateDirIfMissing, DeleteDir,
// GetFileSize, GetFileModificationTime, RenameFile, LinkFile, LockFile,
// UnlockFile.
//
// Refused (NotSupported), because RocksMetaStore never enables the options
// that use them and falling through would write behind the Env's back:
// ReuseWritableFile (recycle_log_file_num), NewRandomRWFile,
// NewMemoryMappedFileBuffer.
//
// Falling through to the wrapped (default POSIX) FileSystem: NewLogger (the
// info LOG is diagnostics, not data; and RocksDB's generic EnvLogger over a
// FSWritableFile trips an assertion in Debian's librocksdb, which is built
// with assertions on, once its file has seen an I/O error), and the
// read-only or path-only calls: IsDirectory, GetAbsolutePath, GetTestDirectory, GetFreeSpace,
// NumFileLinks, AreFilesSame, Poll, AbortIO, the Optimize*/Sanitize option
// helpers and Register/UnregisterDbPaths.
//
// Errors: NotFound becomes IOStatus::PathNotFound (FileExists: NotFound),
// ResourceExhausted becomes IOStatus::NoSpace, anything else IOError, each
// keeping the Env's message.
//
// Thread-safety: as the Env it wraps (safe for concurrent use). Files follow
// RocksDB's rules (a writable or sequential file is used by one thread at a
// time; random-access reads may be concurrent, as Env promises).
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>
#include <string>

#include "common/env.h"

namespace confiance::meta {

class EnvFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  // `env` is borrowed and must outlive this object and every file it opens.
  explicit EnvFileSystem(Env* env);

  static const char* kClassName() { return "ConfianceEnvFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewSequentialFile(const std::string& fname,
                                      const rocksdb::FileOptions& file_opts,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname,
                                        const rocksdb::FileOptions& file_opts,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& fname,
                                    const rocksdb::FileOptions& file_opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& file_opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& file_opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& fname,
                                    const rocksdb::FileOptions& file_opts,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewMemoryMappedFileBuffer(
      const std::string& fname, std::unique_ptr<rocksdb::MemoryMappedFileBuffer>* result) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& io_opts,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus FileExists(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& options,
                                std::vector<std::string>* result,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildrenFileAttributes(const std::string& dir,
                                              const rocksdb::IOOptions& options,
                                              std::vector<rocksdb::FileAttributes>* result,
                                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileSize(const std::string& fname, const rocksdb::IOOptions& options,
                                uint64_t* file_size, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileModificationTime(const std::string& fname,
                                            const rocksdb::IOOptions& options,
                                            uint64_t* file_mtime,
                                            rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LockFile(const std::string& fname, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

 private:
  Env* env_;
};

// A rocksdb::Env whose file system is EnvFileSystem(env) and whose threads
// and clock are RocksDB's defaults. `env` must outlive the result.
std::unique_ptr<rocksdb::Env> NewRocksEnvOver(Env* env);

}  // namespace confiance::meta

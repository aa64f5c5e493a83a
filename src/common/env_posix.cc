// File: common/env_posix.cc
// The POSIX Env returned by Env::Default(): buffered writable files (with
// early writeback of large ones; bulk files in direct_writable_file.cc),
// pread random access, fcntl locks, and the clock. Every descriptor is
// O_CLOEXEC so that no child process inherits our data files or locks.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/direct_writable_file.h"
#include "common/env.h"

namespace confiance {
namespace {

constexpr size_t kWritableBufferSize = 64 * 1024;
// A file that has grown by this much since the last hint has its new pages
// handed to writeback at once (sync_file_range), so that the disk writes a
// large blob while the request is still hashing and encrypting the rest,
// and the Sync() that durability needs only waits for the last stretch.
constexpr uint64_t kWritebackChunk = 2 * 1024 * 1024;
// NewLogFile: how far ahead of the appends a log file is extended with
// zeros (one size-changing sync per this many bytes of log), and the
// largest single write of zeros.
constexpr uint64_t kLogZeroFill = 1024 * 1024;
constexpr size_t kZeroFillWrite = 256 * 1024;

std::string What(std::string_view op, const std::string& path) {
  std::string out(op);
  out += " ";
  out += path;
  return out;
}

// Writes all of `data` to `fd`, retrying on EINTR and short writes.
Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, What("write", path));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return OkStatus();
}

class PosixWritableFile final : public WritableFile {
 public:
  // `offset` is the file's size when opened (appends continue from it).
  // With `zero_fill_ahead` (Env::NewLogFile, on an empty file), writes that
  // reach the file's end first extend it with `fill`'s bytes (zeros if
  // empty) to the next multiple of that many bytes.
  PosixWritableFile(int fd, std::string path, uint64_t offset, uint64_t zero_fill_ahead = 0, Env::LogFill fill = {})
      : fd_(fd),
        path_(std::move(path)),
        offset_(offset),
        writeback_from_(offset),
        zero_fill_ahead_(zero_fill_ahead),
        fill_(std::move(fill)),
        physical_end_(offset) {
    buffer_.reserve(kWritableBufferSize);
  }
  ~PosixWritableFile() override { Close().IgnoreError(); }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::span<const std::byte> data) override {
    if (fd_ < 0) return FailedPreconditionError(What("append to closed file", path_));
    const char* p = reinterpret_cast<const char*>(data.data());
    size_t n = data.size();
    size_t room = kWritableBufferSize - buffer_.size();
    size_t copy = std::min(n, room);
    buffer_.append(p, copy);
    p += copy;
    n -= copy;
    if (n == 0) return OkStatus();
    RETURN_IF_ERROR(FlushBuffer());
    // Large remainders bypass the buffer; small ones start a new one.
    if (n >= kWritableBufferSize) return WriteOut(p, n);
    buffer_.append(p, n);
    return OkStatus();
  }

  Status Flush() override {
    if (fd_ < 0) return FailedPreconditionError(What("flush closed file", path_));
    return FlushBuffer();
  }

  Status Sync() override {
    if (fd_ < 0) return FailedPreconditionError(What("sync closed file", path_));
    RETURN_IF_ERROR(FlushBuffer());
    if (::fdatasync(fd_) != 0) return ErrnoError(errno, What("fdatasync", path_));
    return OkStatus();
  }

  Status Close() override {
    if (fd_ < 0) return OkStatus();
    Status s = FlushBuffer();
    // The fill beyond the last append goes; not synced: a crash before the
    // next sync of the file may leave it, which its reader tolerates.
    if (s.ok() && physical_end_ > offset_ && ::ftruncate(fd_, static_cast<off_t>(offset_)) != 0) {
      s = ErrnoError(errno, What("truncate the filled tail of", path_));
    }
    if (::close(fd_) != 0 && s.ok()) s = ErrnoError(errno, What("close", path_));
    fd_ = -1;
    return s;
  }

 private:
  // Extends the file with zeros so that the next `n` bytes are written
  // inside it (a no-op without zero_fill_ahead_). The first sync after an
  // extension persists the new size; the syncs after it persist only data.
  Status ZeroFillFor(size_t n) {
    if (zero_fill_ahead_ == 0 || offset_ + n <= physical_end_) return OkStatus();
    static const std::vector<char> kZeros(kZeroFillWrite, 0);
    std::vector<char> filled;
    const uint64_t target = (offset_ + n + zero_fill_ahead_ - 1) / zero_fill_ahead_ * zero_fill_ahead_;
    while (physical_end_ < target) {
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(target - physical_end_, kZeros.size()));
      const char* bytes = kZeros.data();
      if (fill_) {
        filled.resize(chunk);
        fill_(physical_end_, std::as_writable_bytes(std::span(filled)));
        bytes = filled.data();
      }
      const ssize_t w = ::pwrite(fd_, bytes, chunk, static_cast<off_t>(physical_end_));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return ErrnoError(w < 0 ? errno : EIO, What("zero-fill", path_));
      physical_end_ += static_cast<uint64_t>(w);
    }
    return OkStatus();
  }

  // Writes `n` bytes at the end of the file: zeros ahead first if this is a
  // log file, then the bytes, then the writeback hint.
  Status WriteOut(const char* data, size_t n) {
    RETURN_IF_ERROR(ZeroFillFor(n));
    RETURN_IF_ERROR(WriteAll(fd_, data, n, path_));
    Wrote(n);
    return OkStatus();
  }

  Status FlushBuffer() {
    if (buffer_.empty()) return OkStatus();
    Status s = WriteOut(buffer_.data(), buffer_.size());
    // On error the buffered bytes are dropped: the file's content is then
    // unknown anyway and callers must not retry (env.h).
    buffer_.clear();
    return s;
  }

  // Only a hint: durability still comes from Sync()'s fdatasync, which also
  // reports any error of the writeback started here (the kernel keeps it
  // for the next fsync of the file), so the result is not checked.
  void Wrote(size_t n) {
    offset_ += n;
    if (offset_ - writeback_from_ < kWritebackChunk) return;
    ::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                      static_cast<off_t>(offset_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
    writeback_from_ = offset_;
  }

  int fd_;
  std::string path_;
  std::string buffer_;
  uint64_t offset_;          // bytes in the file, buffer excluded
  uint64_t writeback_from_;  // where the next writeback hint starts
  const uint64_t zero_fill_ahead_;  // 0: never extend with zeros
  const Env::LogFill fill_;         // what reads as zeros; empty: zeros
  uint64_t physical_end_;           // the file's size: offset_ plus any zeros beyond
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                          static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(errno, What("pread", path_));
      }
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

  // The cached part first (preadv2 RWF_NOWAIT takes only what the page cache
  // holds), then the rest from the device, dropped from the cache behind the
  // read (POSIX_FADV_DONTNEED); POSIX_FADV_RANDOM keeps the kernel from
  // caching what follows ahead of it.
  Result<size_t> ReadUncached(uint64_t offset, std::span<std::byte> out) const override {
    // Before the probe: a probe that misses starts the device read itself,
    // with the read-ahead window unless the file is marked random.
    if (!random_advised_.exchange(true, std::memory_order_relaxed)) {
      (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM);
    }
    size_t done = 0;
    while (done < out.size()) {
      struct iovec iov = {out.data() + done, out.size() - done};
      ssize_t n = ::preadv2(fd_, &iov, 1, static_cast<off_t>(offset + done), RWF_NOWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EOPNOTSUPP)) break;  // not cached (or no RWF_NOWAIT)
      if (n < 0) return ErrnoError(errno, What("preadv2", path_));
      if (n == 0) return done;  // end of file
      done += static_cast<size_t>(n);
    }
    if (done == out.size()) return done;
    ASSIGN_OR_RETURN(size_t rest, Read(offset + done, out.subspan(done)));
    // Advice only: a failure leaves the pages cached, never the read wrong.
    if (rest > 0) {
      (void)::posix_fadvise(fd_, static_cast<off_t>(offset + done), static_cast<off_t>(rest), POSIX_FADV_DONTNEED);
    }
    return done + rest;
  }

 private:
  int fd_;
  std::string path_;
  mutable std::atomic<bool> random_advised_{false};
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  PosixSequentialFile(const PosixSequentialFile&) = delete;
  PosixSequentialFile& operator=(const PosixSequentialFile&) = delete;

  Result<size_t> Read(std::span<std::byte> out) override {
    while (true) {
      ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoError(errno, What("read", path_));
    }
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) {
      return ErrnoError(errno, What("lseek", path_));
    }
    return OkStatus();
  }

 private:
  int fd_;
  std::string path_;
};

// fcntl locks are per process: a second F_SETLK from the same process on the
// same file succeeds. This table makes a second LockFile() in-process fail
// too (as LevelDB's PosixLockTable).
class LockTable {
 public:
  bool Insert(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return paths_.insert(path).second;
  }
  void Remove(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    paths_.erase(path);
  }

 private:
  std::mutex mu_;
  std::set<std::string> paths_;
};

LockTable& Locks() {
  static LockTable* table = new LockTable;
  return *table;
}

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFileLock() override {
    ::close(fd_);  // releases the fcntl lock
    Locks().Remove(path_);
  }
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  int fd_;
  std::string path_;
};

Status InUse(const std::string& path) {
  return FailedPreconditionError("data directory in use (lock held on " + path + ")");
}

Result<int> OpenFd(const std::string& path, int flags, std::string_view op) {
  while (true) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd >= 0) return fd;
    if (errno != EINTR) return ErrnoError(errno, What(op, path));
  }
}

// Creates or truncates `path` for writing: every new writable file.
Result<int> OpenTruncated(const std::string& path) {
  return OpenFd(path, O_WRONLY | O_CREAT | O_TRUNC, "open for write");
}

Result<struct stat> Stat(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(errno, What("stat", path));
  return st;
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    ASSIGN_OR_RETURN(int fd, OpenTruncated(path));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path, 0));
  }

  Result<std::unique_ptr<WritableFile>> NewLogFile(const std::string& path, const LogFill& fill) override {
    ASSIGN_OR_RETURN(int fd, OpenTruncated(path));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path, 0, kLogZeroFill, fill));
  }

  Result<std::unique_ptr<WritableFile>> NewBulkFile(const std::string& path) override {
    ASSIGN_OR_RETURN(int fd, OpenTruncated(path));
    return NewDirectWritableFile(fd, path);
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    ASSIGN_OR_RETURN(int fd, OpenFd(path, O_WRONLY | O_CREAT | O_APPEND, "open for append"));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = ErrnoError(errno, What("fstat", path));
      ::close(fd);
      return s;
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY, "open for read"));
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(fd, path));
  }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY, "open for read"));
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(fd, path));
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoError(errno, What("opendir", dir));
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoError(err, What("readdir", dir));
    return names;
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoError(errno, What("unlink", path));
    return OkStatus();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return OkStatus();
    int err = errno;
    if (err == EEXIST) {
      struct stat st;
      if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return OkStatus();
    }
    return ErrnoError(err, What("mkdir", dir));
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return ErrnoError(errno, What("rmdir", dir));
    return OkStatus();
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    ASSIGN_OR_RETURN(struct stat st, Stat(path));
    return static_cast<uint64_t>(st.st_size);
  }

  Result<uint64_t> GetFileModificationTime(const std::string& path) override {
    ASSIGN_OR_RETURN(struct stat st, Stat(path));
    return static_cast<uint64_t>(st.st_mtime);
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoError(errno, What("rename", from + " -> " + to));
    }
    return OkStatus();
  }

  Status LinkFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      return ErrnoError(errno, What("link", from + " -> " + to));
    }
    return OkStatus();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoError(errno, What("truncate", path));
    }
    return OkStatus();
  }

  Status SyncDir(const std::string& dir) override {
    ASSIGN_OR_RETURN(int fd, OpenFd(dir, O_RDONLY | O_DIRECTORY, "open dir"));
    Status s;
    if (::fsync(fd) != 0) s = ErrnoError(errno, What("fsync dir", dir));
    ::close(fd);
    return s;
  }

  Result<DiskSpace> GetDiskSpace(const std::string& path) override {
    struct statvfs st;
    if (::statvfs(path.c_str(), &st) != 0) return ErrnoError(errno, What("statvfs", path));
    DiskSpace space;
    space.total = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
    space.available = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    return space;
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    if (!Locks().Insert(path)) return InUse(path);
    Result<int> fd = OpenFd(path, O_RDWR | O_CREAT, "open lock file");
    if (!fd.ok()) {
      Locks().Remove(path);
      return fd.status();
    }
    struct flock fl;
    std::memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(*fd, F_SETLK, &fl) != 0) {
      int err = errno;
      ::close(*fd);
      Locks().Remove(path);
      if (err == EACCES || err == EAGAIN) return InUse(path);
      return ErrnoError(err, What("lock", path));
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(*fd, path));
  }

  uint64_t NowMicros() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u +
           static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  }
};

}  // namespace

Env* Env::Default() {
  static Env* env = new PosixEnv;
  return env;
}

}  // namespace confiance

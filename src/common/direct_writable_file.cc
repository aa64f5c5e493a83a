// File: common/direct_writable_file.cc
#include "common/direct_writable_file.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

namespace confiance {
namespace {

// O_DIRECT wants the file offset, the length and the memory aligned to the
// device's logical block; 4 KiB covers every device we run on.
constexpr uint64_t kAlign = 4096;
// The buffer while the file is within its buffered prefix (as
// PosixWritableFile's): small blobs do not pay for a 1 MiB buffer.
constexpr size_t kPrefixBuffer = 64 * 1024;
// How far past the writes the file's size is extended (fallocate) for the
// write-behind.
constexpr uint64_t kAllocateAhead = 8 * 1024 * 1024;
static_assert(kBufferedPrefix % kPrefixBuffer == 0, "the prefix ends on a whole buffer");
static_assert(kDirectBlock % kAlign == 0 && kPrefixBuffer % kAlign == 0);

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::byte, FreeDeleter>;

AlignedBuffer NewAlignedBuffer(size_t size) {
  return AlignedBuffer(static_cast<std::byte*>(std::aligned_alloc(kAlign, size)));
}

// AIO contexts, reused: io_destroy waits for an RCU grace period (tens of
// ms measured here), longer than a 64 MiB PUT's whole write. A context
// returns here only with nothing in flight, so the next file's events are
// its own. Contexts are never destroyed; there are at most as many as
// bulk files were ever written at once.
class AioContexts {
 public:
  // 0 if there is none to reuse and the kernel gives no new one.
  static aio_context_t Acquire() {
    Free& f = Get();
    {
      std::lock_guard lock(f.mu);
      if (!f.contexts.empty()) {
        const aio_context_t ctx = f.contexts.back();
        f.contexts.pop_back();
        return ctx;
      }
    }
    aio_context_t ctx = 0;
    if (::syscall(SYS_io_setup, 1, &ctx) != 0) return 0;
    return ctx;
  }
  static void Release(aio_context_t ctx) {
    Free& f = Get();
    std::lock_guard lock(f.mu);
    f.contexts.push_back(ctx);
  }

 private:
  struct Free {
    std::mutex mu;
    std::vector<aio_context_t> contexts;  // GUARDED_BY(mu)
  };
  static Free& Get() {
    static Free* free = new Free;  // never deleted: files may close during exit
    return *free;
  }
};

// One direct write in flight at a time through the kernel's AIO
// (io_submit): the caller fills the next block while the device writes
// this one, instead of waiting for each block in pwrite. Raw system calls:
// glibc wraps only the POSIX AIO, which runs on threads.
class WriteBehind {
 public:
  WriteBehind() = default;
  ~WriteBehind() {
    if (ctx_ == 0) return;
    Wait("").IgnoreError();
    // A context whose write could not be reaped is not reused.
    if (!in_flight_) AioContexts::Release(ctx_);
  }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Takes an AIO context once; false if the kernel gives none (then the
  // caller writes synchronously).
  bool Ready() {
    if (ctx_ == 0 && !refused_) {
      ctx_ = AioContexts::Acquire();
      refused_ = ctx_ == 0;
    }
    return ctx_ != 0;
  }

  // Starts writing `n` bytes of `p` at `offset`. REQUIRES: Ready(), nothing
  // in flight, `p` unchanged until Wait. False if the kernel did not take
  // the write (nothing is in flight then).
  bool Submit(int fd, const std::byte* p, size_t n, uint64_t offset) {
    std::memset(&cb_, 0, sizeof(cb_));
    cb_.aio_fildes = static_cast<uint32_t>(fd);
    cb_.aio_lio_opcode = IOCB_CMD_PWRITE;
    cb_.aio_buf = reinterpret_cast<uint64_t>(p);
    cb_.aio_nbytes = n;
    cb_.aio_offset = static_cast<int64_t>(offset);
    iocb* list[1] = {&cb_};
    if (::syscall(SYS_io_submit, ctx_, 1, list) != 1) return false;
    expected_ = n;
    in_flight_ = true;
    return true;
  }

  // Waits for the write in flight, if any: its error, or EIO if short.
  Status Wait(const std::string& path) {
    if (!in_flight_) return OkStatus();
    io_event event;
    long got;
    do {
      got = ::syscall(SYS_io_getevents, ctx_, 1, 1, &event, nullptr);
    } while (got < 0 && errno == EINTR);
    if (got != 1) return ErrnoError(got < 0 ? errno : EIO, "wait for the direct write of " + path);
    in_flight_ = false;
    if (event.res < 0) return ErrnoError(static_cast<int>(-event.res), "direct write " + path);
    if (static_cast<uint64_t>(event.res) != expected_) return ErrnoError(EIO, "short direct write " + path);
    return OkStatus();
  }

 private:
  aio_context_t ctx_ = 0;
  bool refused_ = false;
  iocb cb_;
  size_t expected_ = 0;
  bool in_flight_ = false;
};

class DirectWritableFile final : public WritableFile {
 public:
  DirectWritableFile(int fd, std::string path)
      : fd_(fd), path_(std::move(path)), buffer_(NewAlignedBuffer(kPrefixBuffer)), capacity_(kPrefixBuffer) {}
  ~DirectWritableFile() override { Close().IgnoreError(); }
  DirectWritableFile(const DirectWritableFile&) = delete;
  DirectWritableFile& operator=(const DirectWritableFile&) = delete;

  Status Append(std::span<const std::byte> data) override {
    if (fd_ < 0) return FailedPreconditionError("append to closed file " + path_);
    if (!buffer_) return ResourceExhaustedError("no memory for the write buffer of " + path_);
    while (!data.empty()) {
      const size_t n = std::min(data.size(), capacity_ - used_);
      std::memcpy(buffer_.get() + used_, data.data(), n);
      used_ += n;
      data = data.subspan(n);
      if (used_ == capacity_) RETURN_IF_ERROR(WriteBuffer());
    }
    return OkStatus();
  }

  Status Flush() override {
    if (fd_ < 0) return FailedPreconditionError("flush closed file " + path_);
    return WriteAll();
  }

  Status Sync() override {
    if (fd_ < 0) return FailedPreconditionError("sync closed file " + path_);
    RETURN_IF_ERROR(WriteAll());
    RETURN_IF_ERROR(TrimAllocated());
    if (::fdatasync(fd_) != 0) return ErrnoError(errno, "fdatasync " + path_);
    return OkStatus();
  }

  Status Close() override {
    if (fd_ < 0) return OkStatus();
    Status s = WriteAll();
    if (s.ok()) s = TrimAllocated();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoError(errno, "close " + path_);
    fd_ = -1;
    return s;
  }

 private:
  // Writes the buffer out and waits for it: nothing is in flight after.
  Status WriteAll() {
    RETURN_IF_ERROR(WriteBuffer());
    return behind_.Wait(path_);
  }

  // Writes the buffer's bytes at offset_ and empties it: directly when the
  // stretch is past the prefix and aligned (a whole block then stays in
  // flight in behind_), through the page cache otherwise (the prefix, the
  // tail, and everything once direct writes were refused). On error the
  // buffered bytes are dropped: the file's content is then unknown anyway
  // and callers must not retry (env.h).
  Status WriteBuffer() {
    RETURN_IF_ERROR(behind_.Wait(path_));
    if (used_ == kDirectBlock && TryWriteBehind()) return OkStatus();
    const std::byte* p = buffer_.get();
    size_t left = used_;
    used_ = 0;
    while (left > 0) {
      // A refused O_DIRECT leaves direct_ false: the write is buffered.
      if (MayWriteDirect(left)) {
        TurnDirectOn();
      } else {
        RETURN_IF_ERROR(TurnDirectOff());
      }
      const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset_));
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL && direct_) {  // the file system takes no direct writes after all
          direct_allowed_ = false;
          continue;
        }
        return ErrnoError(errno, "write " + path_);
      }
      p += n;
      left -= static_cast<size_t>(n);
      offset_ += static_cast<uint64_t>(n);
    }
    // Past the prefix, whole direct blocks at a time.
    if (capacity_ < kDirectBlock && offset_ >= kBufferedPrefix && direct_allowed_) {
      AlignedBuffer bigger = NewAlignedBuffer(kDirectBlock);
      if (bigger) {
        buffer_ = std::move(bigger);
        capacity_ = kDirectBlock;
      }
    }
    return OkStatus();
  }

  // A direct write that extends the file is synchronous on ext4 even
  // through AIO, so the file's size goes ahead of the writes. False if the
  // space could not be allocated (the caller then writes synchronously).
  bool AllocateAhead() {
    if (offset_ + used_ <= allocated_) return true;
    const uint64_t target = offset_ + used_ + kAllocateAhead;
    // Even a failed fallocate may have extended the file (ext4 allocates in
    // steps): from here on the file is cut back to its bytes before a sync.
    must_trim_ = true;
    if (::fallocate(fd_, 0, static_cast<off_t>(allocated_), static_cast<off_t>(target - allocated_)) != 0) {
      return false;
    }
    allocated_ = target;
    return true;
  }

  // Cuts the file back to the bytes written, if fallocate went beyond them.
  Status TrimAllocated() {
    if (!must_trim_) return OkStatus();
    if (::ftruncate(fd_, static_cast<off_t>(offset_)) != 0) return ErrnoError(errno, "truncate " + path_);
    must_trim_ = false;
    allocated_ = offset_;
    return OkStatus();
  }

  // Hands the full buffer to the write-behind and continues in the spare
  // one. False if it cannot (then nothing was written).
  bool TryWriteBehind() {
    if (!MayWriteDirect(used_)) return false;
    if (!spare_) spare_ = NewAlignedBuffer(kDirectBlock);
    if (!spare_ || !behind_.Ready() || !TurnDirectOn()) return false;
    if (!AllocateAhead()) return false;
    if (!behind_.Submit(fd_, buffer_.get(), used_, offset_)) return false;
    offset_ += used_;
    used_ = 0;
    std::swap(buffer_, spare_);  // spare_ is the buffer in flight until the next Wait
    return true;
  }

  // Whether the next `n` bytes may go out directly: past the prefix, at an
  // aligned offset and length, and the file system has not refused.
  bool MayWriteDirect(size_t n) const {
    return direct_allowed_ && offset_ >= kBufferedPrefix && offset_ % kAlign == 0 && n % kAlign == 0;
  }

  // Sets O_DIRECT on the descriptor; false if the file system refuses it,
  // which turns direct writes off for this file.
  bool TurnDirectOn() {
    if (direct_) return true;
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_DIRECT) != 0) {
      direct_allowed_ = false;
      return false;
    }
    if (!started_direct_) {
      // The buffered prefix goes to the disk while the direct blocks
      // follow, so that Sync's fdatasync has little left to wait for.
      // A hint only: the fdatasync reports any error of this writeback.
      ::sync_file_range(fd_, 0, static_cast<off_t>(offset_), SYNC_FILE_RANGE_WRITE);
      started_direct_ = true;
    }
    direct_ = true;
    return true;
  }

  // Clears O_DIRECT, for a write that is not aligned.
  Status TurnDirectOff() {
    if (!direct_) return OkStatus();
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
      return ErrnoError(errno, "clear O_DIRECT on " + path_);
    }
    direct_ = false;
    return OkStatus();
  }

  int fd_;
  std::string path_;
  AlignedBuffer buffer_;  // null only if the allocation failed (then used_ stays 0)
  AlignedBuffer spare_;   // the other direct block, once there is one
  WriteBehind behind_;    // declared after the buffers: destroyed (waited for) first
  size_t capacity_;
  size_t used_ = 0;
  uint64_t offset_ = 0;          // bytes written to the file, buffer excluded
  bool direct_ = false;          // O_DIRECT is set on fd_
  bool direct_allowed_ = true;   // false once the file system refused it
  bool started_direct_ = false;  // the prefix was handed to writeback
  uint64_t allocated_ = 0;       // the file's size as fallocate left it
  bool must_trim_ = false;       // the file may be longer than offset_
};

}  // namespace

std::unique_ptr<WritableFile> NewDirectWritableFile(int fd, std::string path) {
  return std::make_unique<DirectWritableFile>(fd, std::move(path));
}

}  // namespace confiance

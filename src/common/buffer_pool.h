// File: common/buffer_pool.h
// BufferPool: fixed-size byte buffers reused across requests. First touch
// of fresh pages is slow on our machines (../shared/LIMITS.md: 0.4 GB/s), so
// request paths borrow a warm buffer instead of allocating one.
//
// Thread-safety: safe for concurrent use. A Lease returns its buffer on
// destruction.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace confiance {

class BufferPool {
 public:
  BufferPool(size_t buffer_size, size_t max_cached)
      : buffer_size_(buffer_size), max_cached_(max_cached) {}

  class Lease {
   public:
    Lease(BufferPool* pool, std::unique_ptr<std::byte[]> buf) : pool_(pool), buf_(std::move(buf)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (buf_) pool_->Return(std::move(buf_));
    }
    std::span<std::byte> span() const { return {buf_.get(), pool_->buffer_size_}; }

   private:
    BufferPool* pool_;
    std::unique_ptr<std::byte[]> buf_;
  };

  Lease Get() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto b = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(b));
      }
    }
    return Lease(this, std::unique_ptr<std::byte[]>(new std::byte[buffer_size_]));
  }

  size_t buffer_size() const { return buffer_size_; }

 private:
  void Return(std::unique_ptr<std::byte[]> buf) {
    std::lock_guard lock(mu_);
    if (free_.size() < max_cached_) free_.push_back(std::move(buf));
  }

  const size_t buffer_size_;
  const size_t max_cached_;
  std::mutex mu_;
  std::vector<std::unique_ptr<std::byte[]>> free_;  // GUARDED_BY(mu_)
};

}  // namespace confiance

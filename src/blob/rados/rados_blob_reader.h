// File: blob/rados/rados_blob_reader.h
// RadosBlobReader: a committed RADOS blob's bytes (rados_blob_store.h has
// the layout: stripe n of blob <id> is the object <id>.<n>).
//
// Reads at the offset where the previous read ended are served from a
// window of up to kWindow bytes (never across a stripe), and the next window
// is read ahead asynchronously meanwhile: a GET reads the blob in the
// decryptor's 64 KiB packages, which would otherwise each wait for an OSD
// round trip. Other reads fetch exactly what they ask (a range GET reads no
// more than its range). Memory: at most two windows per reader.
//
// Errors: a stripe that is gone (the blob was deleted and collected after
// the gc delay) or shorter than the index says is DataLoss.
//
// Thread-safety: ReadAt is safe for concurrent use (one mutex).
#pragma once

#include <rados/librados.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "blob/rados/rados_io.h"

namespace confiance::blob {

inline std::string StripeOid(const std::string& id, uint64_t n) { return id + "." + std::to_string(n); }

class RadosBlobReader final : public BlobReader {
 public:
  static constexpr size_t kWindow = 1 << 20;

  // `io` must outlive the reader.
  RadosBlobReader(RadosIo& io, std::string id, uint64_t size, uint64_t stripe_size)
      : io_(io), id_(std::move(id)), size_(size), stripe_size_(stripe_size) {}
  ~RadosBlobReader() override;  // waits for a read ahead in flight

  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const override;

 private:
  struct Window {
    uint64_t start = 0;
    std::vector<std::byte> bytes;  // valid bytes only
    bool Covers(uint64_t at) const { return at >= start && at < start + bytes.size(); }
  };

  // Bytes [at, at + len) of one stripe into `out`; DataLoss as above.
  Status ReadStripe(uint64_t at, std::span<std::byte> out) const;
  // What a read of `want` bytes of `stripe` that returned `rc` (a length or
  // librados' error) means, as above.
  Status StripeReadOutcome(uint64_t stripe, int rc, size_t want) const;
  // The window starting at `at`: up to kWindow bytes, within its stripe.
  size_t WindowLength(uint64_t at) const;
  // Sends the read ahead of the window after `window_`, if none is in flight.
  void StartReadAhead() const;
  // Waits for the read ahead; on success it becomes `window_`.
  Status TakeReadAhead() const;

  RadosIo& io_;
  const std::string id_;
  const uint64_t size_;
  const uint64_t stripe_size_;
  mutable std::mutex mu_;
  mutable Window window_;
  mutable uint64_t next_sequential_ = 0;  // where the last read ended
  mutable rados_completion_t ahead_ = nullptr;
  mutable Window ahead_window_;
};

}  // namespace confiance::blob

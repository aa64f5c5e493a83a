// File: blob/blob_store.h
// BlobStore: write-once byte blobs named by opaque ids. Local files now;
// RADOS objects or a foreign S3 bucket later. Knows nothing of S3 or crypto:
// it stores whatever bytes it is given (ciphertext, in Confiance).
//
// Write protocol: NewBlob() hands out a BlobWriter for a fresh id; bytes are
// appended; Commit() makes the blob durable *and* visible under its id
// (local: fdatasync the temp file, rename it into place, fsync the
// directory). A blob that was never committed does not exist: Abort() or
// the writer's destruction removes its temporary data. Only after Commit()
// returns OK may metadata point at the blob.
//
// Thread-safety: the store is safe for concurrent use; a BlobWriter is used
// by one thread at a time. Commit and Read may block: call them off the
// network threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace confiance::blob {

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;  // aborts if not committed
  virtual const std::string& id() const = 0;
  virtual Status Append(std::span<const std::byte> data) = 0;
  // Durable and visible on OK. On error the blob does not exist.
  virtual Status Commit() = 0;
  virtual void Abort() = 0;
  virtual uint64_t size() const = 0;
};

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Reads up to out.size() bytes at `offset`; fewer only at the end.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const = 0;
  virtual uint64_t size() const = 0;
};

struct BlobInfo {
  std::string id;
  uint64_t size = 0;
  uint64_t mtime_seconds = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // A writer for a new, unique id (random, 128 bits, hex).
  virtual Result<std::unique_ptr<BlobWriter>> NewBlob() = 0;
  // NotFound if `id` was never committed or was deleted.
  virtual Result<std::unique_ptr<BlobReader>> Open(const std::string& id) = 0;
  // Removes a committed blob durably. OK if it did not exist.
  virtual Status Delete(const std::string& id) = 0;
  // Committed blobs, in id order, after `start_after`, at most `limit`
  // (for the orphan sweeper).
  virtual Result<std::vector<BlobInfo>> List(const std::string& start_after,
                                             size_t limit) = 0;
};

}  // namespace confiance::blob

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
  // The id the blob will have once committed.
  virtual const std::string& id() const = 0;
  // Appends bytes (`data` is copied or written before return). An error
  // leaves the writer unusable: the caller should Abort(). FailedPrecondition
  // after Commit() or Abort().
  virtual Status Append(std::span<const std::byte> data) = 0;
  // Durable and visible on OK. On error the blob does not exist and the
  // writer is aborted. FailedPrecondition if called twice or after Abort().
  virtual Status Commit() = 0;
  // Discards the uncommitted data. Idempotent; no-op after Commit().
  virtual void Abort() = 0;
  // Bytes appended so far.
  virtual uint64_t size() const = 0;
};

// A view of one committed blob. It keeps reading the blob's bytes even if
// the blob is deleted meanwhile (an open file, locally). Safe for concurrent
// use.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Reads up to out.size() bytes at `offset`; fewer only at the end.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const = 0;
  // ReadAt that leaves the store's caches as it found them
  // (RandomAccessFile::ReadUncached): the scrub's reads. Default: ReadAt.
  virtual Result<size_t> ReadAtUncached(uint64_t offset, std::span<std::byte> out) const { return ReadAt(offset, out); }
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

  // A writer for a new, unique id (random, 128 bits, hex; a PoolRouter
  // prefixes its pool name: blob/pools/pool_router.h).
  virtual Result<std::unique_ptr<BlobWriter>> NewBlob() = 0;
  // NotFound if `id` was never committed or was deleted; InvalidArgument if
  // `id` is not of the form NewBlob() hands out.
  virtual Result<std::unique_ptr<BlobReader>> Open(const std::string& id) = 0;
  // Removes a committed blob durably. OK if it did not exist;
  // InvalidArgument if `id` is malformed.
  virtual Status Delete(const std::string& id) = 0;
  // Committed blobs, in id order, with id > `start_after` ("" for the
  // start), at most `limit` (for the orphan sweeper). Blobs committed or
  // deleted during a listing may or may not appear.
  virtual Result<std::vector<BlobInfo>> List(const std::string& start_after,
                                             size_t limit) = 0;
  // Admission check before a write of about `bytes` (data or metadata):
  // ResourceExhausted if it would eat into the space the store keeps in
  // reserve for deletions and metadata, so that a full disk refuses new
  // data cleanly while DELETE and abort still work. OK when the store has
  // no notion of space. Writers check it again as they append.
  virtual Status CheckSpace(uint64_t bytes) {
    (void)bytes;
    return OkStatus();
  }
};

}  // namespace confiance::blob

// File: catalog/object_data.h
// The encrypted data of an object: SegmentWriter turns a plaintext stream
// into one sealed Segment (inline in the record when small, else a blob);
// ObjectReader reads any plaintext range of an object across its segments,
// decrypting only the packages the range touches.
//
// Each segment gets a fresh random data key (never reused), wrapped under
// the bucket key with the bucket id as context (docs/blob_format.md).
//
// Thread model: one instance per request, used by one thread at a time.
// Write/Finish/Read may block on file I/O: run them off network threads
// unless the segment is inline.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "catalog/records.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace confiance {
class BlockingPool;
}

namespace confiance::catalog {

// The associated data every data key of bucket `bucket_id` is wrapped with
// under the bucket key (docs/blob_format.md). Changing it orphans every
// stored key.
std::string DataKeyContext(std::string_view bucket_id);

class SegmentWriter {
 public:
  // `inline_limit`: sealed bytes kept in memory before spilling to a blob.
  // `key_version`: the version of the bucket key `bucket_key` is (or the
  // KEK is derived from), recorded in the segment (Segment::key_version).
  static Result<std::unique_ptr<SegmentWriter>> Create(blob::BlobStore& blobs,
                                                       const crypto::SecretBytes& bucket_key,
                                                       std::string_view bucket_id,
                                                       size_t inline_limit,
                                                       uint32_t key_version = 1);
  ~SegmentWriter();  // aborts an uncommitted blob

  // Encrypts and stores `plain` (and feeds the MD5 for the ETag). With
  // `beside`, when the process may use more than one core, a large `plain`
  // has its MD5 computed on one of that pool's threads while this one
  // encrypts and writes: MD5 is the slowest step of a PUT, and this way a
  // second core takes it (call it from a thread that may block, as for any
  // spilled Write). Otherwise each slice is hashed and encrypted in one
  // pass while it is in cache.
  Status Write(std::span<const std::byte> plain, BlockingPool* beside = nullptr);
  // True once the data went to a blob (then Write and Finish block on I/O).
  bool spilled() const { return blob_ != nullptr; }
  uint64_t plain_size() const;
  // Seals the last package and, for a blob, commits it durably (fdatasync,
  // rename, directory fsync). The Segment's etag is the plaintext's MD5.
  Result<Segment> Finish();
  // Hex MD5 of the plaintext; valid after Finish.
  const std::string& md5_hex() const { return md5_hex_; }

 private:
  SegmentWriter(blob::BlobStore& blobs, size_t inline_limit);
  Status Sink(std::span<const std::byte> sealed);

  blob::BlobStore& blobs_;
  size_t inline_limit_;
  crypto::SecretBytes data_key_;
  std::string wrapped_key_;
  uint32_t key_version_ = 1;
  std::unique_ptr<crypto::ObjectEncryptor> encryptor_;
  std::string inline_;
  std::unique_ptr<blob::BlobWriter> blob_;
  crypto::Md5 md5_;
  std::string md5_hex_;
};

// The KEK (bucket key, or the key derived from it for SSE-KMS/SSE-C) of
// each bucket-key version an object's segments use (Segment::key_version).
using SegmentKeks = std::map<uint32_t, std::shared_ptr<const crypto::SecretBytes>>;

class ObjectReader {
 public:
  // REQUIRES: `record` outlives the reader. `bucket_key` unwraps every
  // segment whatever its key_version; `keks` each segment by its version
  // (a missing version is a FailedPrecondition at the read).
  ObjectReader(blob::BlobStore& blobs, const ObjectRecord& record,
               std::shared_ptr<const crypto::SecretBytes> bucket_key, std::string bucket_id);
  ObjectReader(blob::BlobStore& blobs, const ObjectRecord& record, SegmentKeks keks, std::string bucket_id);
  ~ObjectReader();

  // Opens every blob of the object now, so that the read no longer depends
  // on the blobs' names (a blob deleted later stays readable through its
  // open handle). NotFound when a blob is already gone: the object was
  // replaced or deleted since its record was read; read the record again.
  Status OpenBlobs();

  // Fills `out` with plaintext [offset, offset + out.size()) of the object.
  // DataLoss if any touched package fails to authenticate (tampering or
  // bitrot): no unauthenticated byte is ever returned. Reads of a package
  // boundary-aligned window open each package once.
  Status Read(uint64_t offset, std::span<std::byte> out);

 private:
  struct OpenSegment;
  Result<OpenSegment*> Segment(size_t index);

  blob::BlobStore& blobs_;
  const ObjectRecord& record_;
  std::shared_ptr<const crypto::SecretBytes> bucket_key_;  // null when keks_ is used
  SegmentKeks keks_;
  std::string bucket_id_;
  std::vector<uint64_t> starts_;  // plaintext offset of each segment
  std::vector<std::unique_ptr<blob::BlobReader>> blobs_open_;  // by segment; null if inline or not yet open
  size_t open_index_ = SIZE_MAX;
  std::unique_ptr<OpenSegment> open_;
};

// Deletes the blobs of `segments` (best effort: a failure leaves an orphan
// for the sweeper, and is returned for logging).
Status ReleaseSegments(blob::BlobStore& blobs, const std::vector<Segment>& segments);

}  // namespace confiance::catalog

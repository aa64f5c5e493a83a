// File: blob/memory/memory_blob_store.h
// MemoryBlobStore: the BlobStore fake for unit tests of the layers above.
// Blobs live in a map; "durable" means committed. Passes the same contract
// suite as LocalBlobStore.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "blob/blob_store.h"

namespace confiance::blob {

class MemoryBlobStore final : public BlobStore {
 public:
  MemoryBlobStore() = default;
  MemoryBlobStore(const MemoryBlobStore&) = delete;
  MemoryBlobStore& operator=(const MemoryBlobStore&) = delete;

  Result<std::unique_ptr<BlobWriter>> NewBlob() override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& id) override;
  Status Delete(const std::string& id) override;
  Result<std::vector<BlobInfo>> List(const std::string& start_after, size_t limit) override;

  // A committed blob's content is shared with the readers open on it, so
  // that a reader outlives Delete() as a POSIX file does.
  struct Blob {
    std::string data;
    uint64_t mtime_seconds = 0;
  };
  // Makes `blob` visible under `id`; called by this store's writers on
  // Commit(). AlreadyExists if `id` is taken (never, with random ids).
  Status InsertCommitted(const std::string& id, std::shared_ptr<const Blob> blob);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Blob>> blobs_;  // GUARDED_BY(mu_)
};

}  // namespace confiance::blob

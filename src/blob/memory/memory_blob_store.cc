// File: blob/memory/memory_blob_store.cc
#include "blob/memory/memory_blob_store.h"

#include <cstring>

#include "blob/blob_id.h"
#include "common/wall_clock.h"

namespace confiance::blob {
namespace {

class MemoryBlobWriter final : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryBlobStore& store, std::string id) : store_(store), id_(std::move(id)) {}

  const std::string& id() const override { return id_; }
  uint64_t size() const override { return data_.size(); }

  Status Append(std::span<const std::byte> data) override {
    if (state_ != State::kOpen) return FailedPreconditionError("blob writer is closed: " + id_);
    data_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return OkStatus();
  }

  Status Commit() override {
    if (state_ != State::kOpen) return FailedPreconditionError("blob writer is closed: " + id_);
    auto blob = std::make_shared<MemoryBlobStore::Blob>();
    blob->data = std::move(data_);
    blob->mtime_seconds = UnixSecondsNow();
    state_ = State::kCommitted;
    Status s = store_.InsertCommitted(id_, std::move(blob));
    if (!s.ok()) state_ = State::kAborted;
    return s;
  }

  void Abort() override {
    if (state_ != State::kOpen) return;
    data_.clear();
    state_ = State::kAborted;
  }

 private:
  enum class State { kOpen, kCommitted, kAborted };
  MemoryBlobStore& store_;
  const std::string id_;
  std::string data_;
  State state_ = State::kOpen;
};

class MemoryBlobReader final : public BlobReader {
 public:
  explicit MemoryBlobReader(std::shared_ptr<const MemoryBlobStore::Blob> blob)
      : blob_(std::move(blob)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    const std::string& d = blob_->data;
    if (offset >= d.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), d.size() - offset);
    std::memcpy(out.data(), d.data() + offset, n);
    return n;
  }
  uint64_t size() const override { return blob_->data.size(); }

 private:
  std::shared_ptr<const MemoryBlobStore::Blob> blob_;
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> MemoryBlobStore::NewBlob() {
  ASSIGN_OR_RETURN(std::string id, NewBlobId());
  return std::unique_ptr<BlobWriter>(new MemoryBlobWriter(*this, std::move(id)));
}

Status MemoryBlobStore::InsertCommitted(const std::string& id, std::shared_ptr<const Blob> blob) {
  std::lock_guard<std::mutex> l(mu_);
  if (!blobs_.emplace(id, std::move(blob)).second) {
    return AlreadyExistsError("blob id collision: " + id);
  }
  return OkStatus();
}

Result<std::unique_ptr<BlobReader>> MemoryBlobStore::Open(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(id);
  if (it == blobs_.end()) return NotFoundError("blob " + id);
  return std::unique_ptr<BlobReader>(new MemoryBlobReader(it->second));
}

Status MemoryBlobStore::Delete(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  std::lock_guard<std::mutex> l(mu_);
  blobs_.erase(id);
  return OkStatus();
}

Result<std::vector<BlobInfo>> MemoryBlobStore::List(const std::string& start_after,
                                                    size_t limit) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<BlobInfo> out;
  for (auto it = blobs_.upper_bound(start_after); it != blobs_.end() && out.size() < limit;
       ++it) {
    out.push_back(BlobInfo{it->first, it->second->data.size(), it->second->mtime_seconds});
  }
  return out;
}

}  // namespace confiance::blob

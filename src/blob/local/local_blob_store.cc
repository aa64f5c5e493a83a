// File: blob/local/local_blob_store.cc
// LocalBlobStore: the temp-file / rename / directory-sync commit protocol
// and the fan-out directory walk. The layout is in the header.
#include "blob/local/local_blob_store.h"

#include <algorithm>

#include "blob/blob_id.h"

namespace confiance::blob {
namespace {

bool IsFanoutName(const std::string& name) {
  return name.size() == 2 && IsValidBlobId(name + std::string(kBlobIdLength - 2, '0'));
}

int HexDigit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// REQUIRES: IsValidBlobId(id).
int FanoutIndex(const std::string& id) { return HexDigit(id[0]) * 16 + HexDigit(id[1]); }

}  // namespace

// ---- Writer ----

class LocalBlobStore::Writer final : public BlobWriter {
 public:
  Writer(LocalBlobStore& store, std::string id, std::unique_ptr<WritableFile> file)
      : store_(store), id_(std::move(id)), file_(std::move(file)) {}
  ~Writer() override { Abort(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  const std::string& id() const override { return id_; }
  uint64_t size() const override { return size_; }

  Status Append(std::span<const std::byte> data) override {
    if (state_ != State::kOpen) return FailedPreconditionError("blob writer is closed: " + id_);
    if (size_ == 0 || unchecked_ + data.size() > kSpaceCheckBytes) {
      RETURN_IF_ERROR(store_.CheckSpace(unchecked_ + data.size()));
      unchecked_ = 0;
    }
    RETURN_IF_ERROR(file_->Append(data));
    size_ += data.size();
    unchecked_ += data.size();
    return OkStatus();
  }

  Status Commit() override {
    if (state_ != State::kOpen) return FailedPreconditionError("blob writer is closed: " + id_);
    Status s = file_->Sync();
    if (s.ok()) s = file_->Close();
    if (s.ok()) s = store_.Publish(id_);
    if (!s.ok()) {
      Abort();
      return s;
    }
    state_ = State::kCommitted;
    return OkStatus();
  }

  void Abort() override {
    if (state_ != State::kOpen) return;
    state_ = State::kAborted;
    file_->Close().IgnoreError();
    // Best effort: a leftover is only a temp file, removed by the next Open.
    // No SyncDir: if the removal is lost in a crash, Open removes it again.
    store_.env_.RemoveFile(store_.TempPath(id_)).IgnoreError();
  }

 private:
  enum class State { kOpen, kCommitted, kAborted };
  LocalBlobStore& store_;
  const std::string id_;
  std::unique_ptr<WritableFile> file_;
  uint64_t size_ = 0;
  uint64_t unchecked_ = 0;  // appended since the last CheckSpace
  State state_ = State::kOpen;
};

// ---- Reader ----

class LocalBlobStore::Reader final : public BlobReader {
 public:
  Reader(std::unique_ptr<RandomAccessFile> file, uint64_t size)
      : file_(std::move(file)), size_(size) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return size_t{0};
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    return file_->Read(offset, out.first(n));
  }
  Result<size_t> ReadAtUncached(uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return size_t{0};
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    return file_->ReadUncached(offset, out.first(n));
  }
  uint64_t size() const override { return size_; }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  const uint64_t size_;  // blobs are write-once
};

// ---- Store ----

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::Open(Env& env,
                                                             const std::string& root_dir) {
  std::string root = root_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::unique_ptr<LocalBlobStore> store(new LocalBlobStore(env, root));
  RETURN_IF_ERROR(CreateDirsDurably(env, root));
  RETURN_IF_ERROR(CreateDirsDurably(env, store->TempDir()));
  RETURN_IF_ERROR(store->RemoveStaleTempFiles());
  return store;
}

Status LocalBlobStore::RemoveStaleTempFiles() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_.GetChildren(TempDir()));
  for (const std::string& name : names) {
    Status s = env_.RemoveFile(TempDir() + "/" + name);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  if (names.empty()) return OkStatus();
  return env_.SyncDir(TempDir());
}

Status LocalBlobStore::EnsureFanoutDir(const std::string& id) {
  const int index = FanoutIndex(id);
  // Held across the directory sync so that no commit renames into a
  // directory whose creation another thread has not yet made durable. At
  // most 256 such syncs per process.
  std::lock_guard<std::mutex> l(fanout_mu_);
  if (fanout_durable_[index]) return OkStatus();
  RETURN_IF_ERROR(env_.CreateDir(FanoutDir(id)));
  RETURN_IF_ERROR(env_.SyncDir(root_));
  fanout_durable_[index] = true;
  return OkStatus();
}

Status LocalBlobStore::Publish(const std::string& id) {
  RETURN_IF_ERROR(EnsureFanoutDir(id));
  RETURN_IF_ERROR(env_.RenameFile(TempPath(id), BlobPath(id)));
  Status s = env_.SyncDir(FanoutDir(id));
  if (!s.ok()) {
    // Visible but maybe not durable: un-publish, so that no metadata can
    // point at a blob a crash might take away. The caller's Abort() then
    // finds no temp file.
    env_.RemoveFile(BlobPath(id)).IgnoreError();
  }
  return s;
}

Status LocalBlobStore::CheckSpace(uint64_t bytes) {
  const uint64_t reserve = space_reserve_.load();
  if (reserve == 0) return OkStatus();
  // Less than kSpaceCheckBytes above the reserve counts as full whatever
  // the size: every write then fails alike, small ones included, rather
  // than small ones nibbling at the margin the checks allow themselves.
  const uint64_t needed = std::max<uint64_t>(bytes, kSpaceCheckBytes);
  const uint64_t now = env_.NowMicros();
  if (needed <= kRoomyBytes / 2 && now < roomy_until_us_.load(std::memory_order_relaxed)) return OkStatus();
  Result<DiskSpace> space = env_.GetDiskSpace(root_);
  if (!space.ok()) {
    if (space.status().code() == StatusCode::kUnimplemented) return OkStatus();
    return space.status();
  }
  if (space->available < reserve || space->available - reserve < needed) {
    roomy_until_us_.store(0, std::memory_order_relaxed);
    return ResourceExhaustedError("disk full: " + std::to_string(space->available) +
                                  " bytes available, " + std::to_string(reserve) +
                                  " kept in reserve, " + std::to_string(needed) + " needed");
  }
  if (space->available - reserve - needed >= kRoomyBytes) {
    roomy_until_us_.store(now + kRoomyMicros, std::memory_order_relaxed);
  }
  return OkStatus();
}

Result<std::unique_ptr<BlobWriter>> LocalBlobStore::NewBlob() {
  ASSIGN_OR_RETURN(std::string id, NewBlobId());
  const std::string tmp = TempPath(id);
  Result<std::unique_ptr<WritableFile>> file = env_.NewBulkFile(tmp);
  if (!file.ok()) {
    env_.RemoveFile(tmp).IgnoreError();  // a failed open may have created it
    return file.status();
  }
  return std::unique_ptr<BlobWriter>(new Writer(*this, std::move(id), std::move(file).value()));
}

Result<std::unique_ptr<BlobReader>> LocalBlobStore::Open(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  const std::string path = BlobPath(id);
  Result<std::unique_ptr<RandomAccessFile>> file = env_.NewRandomAccessFile(path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) return NotFoundError("blob " + id);
    return file.status();
  }
  Result<uint64_t> size = env_.GetFileSize(path);
  if (!size.ok()) {
    // Deleted between open and stat: as if Open had come after the Delete.
    if (size.status().code() == StatusCode::kNotFound) return NotFoundError("blob " + id);
    return size.status();
  }
  return std::unique_ptr<BlobReader>(new Reader(std::move(file).value(), *size));
}

Status LocalBlobStore::Delete(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  Status s = env_.RemoveFile(BlobPath(id));
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  // Sync even when the file was already gone: a retried Delete must also
  // make the earlier, possibly unsynced, removal durable.
  s = env_.SyncDir(FanoutDir(id));
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  return OkStatus();
}

Result<std::vector<BlobInfo>> LocalBlobStore::ListFanoutDir(const std::string& prefix,
                                                            const std::string& start_after,
                                                            size_t limit) {
  std::vector<BlobInfo> out;
  const std::string dir = root_ + "/" + prefix;
  Result<std::vector<std::string>> names = env_.GetChildren(dir);
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return out;
    return names.status();
  }
  std::vector<std::string> ids;
  for (std::string& name : *names) {
    if (IsValidBlobId(name) && name.compare(0, 2, prefix) == 0 && name > start_after) {
      ids.push_back(std::move(name));
    }
  }
  std::sort(ids.begin(), ids.end());
  for (std::string& id : ids) {
    if (out.size() >= limit) break;
    const std::string path = dir + "/" + id;
    Result<uint64_t> size = env_.GetFileSize(path);
    Result<uint64_t> mtime = env_.GetFileModificationTime(path);
    if (!size.ok() || !mtime.ok()) {
      Status s = size.ok() ? mtime.status() : size.status();
      if (s.code() == StatusCode::kNotFound) continue;  // deleted meanwhile
      return s;
    }
    out.push_back(BlobInfo{std::move(id), *size, *mtime});
  }
  return out;
}

Result<std::vector<BlobInfo>> LocalBlobStore::List(const std::string& start_after,
                                                   size_t limit) {
  std::vector<BlobInfo> out;
  if (limit == 0) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_.GetChildren(root_));
  std::vector<std::string> prefixes;
  for (std::string& name : names) {
    if (IsFanoutName(name)) prefixes.push_back(std::move(name));
  }
  std::sort(prefixes.begin(), prefixes.end());
  // Every id under a prefix smaller than start_after's first two characters
  // is smaller than start_after.
  const std::string first = start_after.substr(0, 2);
  for (const std::string& prefix : prefixes) {
    if (prefix < first) continue;
    ASSIGN_OR_RETURN(std::vector<BlobInfo> part,
                     ListFanoutDir(prefix, start_after, limit - out.size()));
    for (BlobInfo& info : part) out.push_back(std::move(info));
    if (out.size() >= limit) break;
  }
  return out;
}

}  // namespace confiance::blob

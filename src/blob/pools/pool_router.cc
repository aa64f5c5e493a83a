// File: blob/pools/pool_router.cc
#include "blob/pools/pool_router.h"

#include <algorithm>

namespace confiance::blob {

bool IsValidPoolName(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// Hands out "<pool>:<inner id>" for a writer of a non-default pool.
class PoolRouter::PrefixedWriter final : public BlobWriter {
 public:
  PrefixedWriter(std::unique_ptr<BlobWriter> inner, const std::string& pool)
      : inner_(std::move(inner)), id_(pool + kPoolSeparator + inner_->id()) {}
  const std::string& id() const override { return id_; }
  Status Append(std::span<const std::byte> data) override { return inner_->Append(data); }
  Status Commit() override { return inner_->Commit(); }
  void Abort() override { inner_->Abort(); }
  uint64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<BlobWriter> inner_;
  std::string id_;
};

class PoolRouter::View final : public BlobStore {
 public:
  View(PoolRouter& router, std::string pool) : router_(router), pool_(std::move(pool)) {}
  Result<std::unique_ptr<BlobWriter>> NewBlob() override { return router_.NewBlobIn(pool_); }
  Result<std::unique_ptr<BlobReader>> Open(const std::string& id) override { return router_.Open(id); }
  Status Delete(const std::string& id) override { return router_.Delete(id); }
  Result<std::vector<BlobInfo>> List(const std::string& start_after, size_t limit) override {
    return router_.List(start_after, limit);
  }
  Status CheckSpace(uint64_t bytes) override { return router_.pools_.at(pool_)->CheckSpace(bytes); }

 private:
  PoolRouter& router_;
  std::string pool_;
};

PoolRouter::~PoolRouter() = default;

BlobStore& PoolRouter::Pool(std::string_view name) { return *views_.find(name)->second; }

Result<std::unique_ptr<PoolRouter>> PoolRouter::Create(
    std::string default_pool, const std::vector<std::pair<std::string, BlobStore*>>& pools) {
  std::unique_ptr<PoolRouter> r(new PoolRouter());
  r->default_pool_ = std::move(default_pool);
  for (const auto& [name, store] : pools) {
    if (!IsValidPoolName(name)) return InvalidArgumentError("bad pool name '" + name + "' (1..32 of a-z 0-9 -)");
    if (store == nullptr) return InvalidArgumentError("pool '" + name + "' has no store");
    if (!r->pools_.emplace(name, store).second) return InvalidArgumentError("duplicate pool '" + name + "'");
  }
  if (!r->pools_.count(r->default_pool_)) {
    return InvalidArgumentError("the default pool '" + r->default_pool_ + "' is not configured");
  }
  for (const auto& [name, store] : r->pools_) r->views_.emplace(name, std::make_unique<View>(*r, name));
  PoolRouter* raw = r.get();
  r->deferred_ = std::make_unique<DeferredDeletes>([raw](const std::string& id) { return raw->DeleteNow(id); },
                                                   kMaxHeldDeletes);
  return r;
}

std::string PoolRouter::PoolOf(std::string_view id) const {
  size_t sep = id.find(kPoolSeparator);
  if (sep == std::string_view::npos) return default_pool_;
  return std::string(id.substr(0, sep));
}

std::vector<std::string> PoolRouter::pool_names() const {
  std::vector<std::string> out;
  for (const auto& [name, store] : pools_) out.push_back(name);
  return out;
}

Result<PoolRouter::Located> PoolRouter::Locate(const std::string& id) const {
  size_t sep = id.find(kPoolSeparator);
  if (sep == std::string::npos) return Located{pools_.at(default_pool_), id};
  std::string_view pool = std::string_view(id).substr(0, sep);
  // The default pool's blobs never carry a prefix: one id per blob.
  if (!IsValidPoolName(pool) || pool == default_pool_) return InvalidArgumentError("malformed blob id");
  auto it = pools_.find(pool);
  if (it == pools_.end()) return NotFoundError("blob " + id + ": pool '" + std::string(pool) + "' is not configured");
  return Located{it->second, id.substr(sep + 1)};
}

Result<std::unique_ptr<BlobWriter>> PoolRouter::NewBlobIn(const std::string& pool) {
  BlobStore* store = pools_.at(pool);
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> w, store->NewBlob());
  if (pool == default_pool_) return w;
  return std::unique_ptr<BlobWriter>(new PrefixedWriter(std::move(w), pool));
}

Result<std::unique_ptr<BlobWriter>> PoolRouter::NewBlob() { return NewBlobIn(default_pool_); }

Result<std::unique_ptr<BlobReader>> PoolRouter::Open(const std::string& id) {
  ASSIGN_OR_RETURN(Located at, Locate(id));
  Result<std::unique_ptr<BlobReader>> r = at.store->Open(at.inner);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) return NotFoundError("blob " + id);
  return r;
}

Result<PoolRouter::Placement> PoolRouter::PlacementOf(const std::string& id) const {
  ASSIGN_OR_RETURN(Located at, Locate(id));
  return Placement{PoolOf(id), std::move(at.inner)};
}

Status PoolRouter::Delete(const std::string& id) {
  Result<Located> at = Locate(id);
  if (!at.ok() && at.status().code() == StatusCode::kNotFound) return FailedPreconditionError(at.status().message());
  if (!at.ok()) return at.status();
  if (deferred_->Defer(id)) return OkStatus();
  return at->store->Delete(at->inner);
}

Status PoolRouter::DeleteNow(const std::string& id) {
  ASSIGN_OR_RETURN(Located at, Locate(id));
  return at.store->Delete(at.inner);
}

Result<std::vector<BlobInfo>> PoolRouter::List(const std::string& start_after, size_t limit) {
  std::vector<BlobInfo> merged;
  if (limit == 0) return merged;
  for (const auto& [name, store] : pools_) {
    // The pool's ids greater than start_after, as inner ids.
    std::string inner_after;
    if (name != default_pool_) {
      const std::string prefix = name + kPoolSeparator;
      if (start_after.compare(0, prefix.size(), prefix) == 0) {
        inner_after = start_after.substr(prefix.size());
      } else if (start_after > prefix) {
        continue;  // every id of this pool sorts before start_after
      }
      ASSIGN_OR_RETURN(std::vector<BlobInfo> page, store->List(inner_after, limit));
      for (BlobInfo& b : page) {
        b.id = prefix + b.id;
        merged.push_back(std::move(b));
      }
    } else {
      ASSIGN_OR_RETURN(std::vector<BlobInfo> page, store->List(start_after, limit));
      for (BlobInfo& b : page) merged.push_back(std::move(b));
    }
  }
  std::sort(merged.begin(), merged.end(), [](const BlobInfo& a, const BlobInfo& b) { return a.id < b.id; });
  if (merged.size() > limit) merged.resize(limit);
  return merged;
}

Status PoolRouter::CheckSpace(uint64_t bytes) { return pools_.at(default_pool_)->CheckSpace(bytes); }

Result<std::string> PoolRouter::CopyTo(const std::string& id, std::string_view to) {
  auto dest = pools_.find(to);
  if (dest == pools_.end()) return InvalidArgumentError("no pool '" + std::string(to) + "'");
  ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> in, Open(id));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> out, NewBlobIn(dest->first));
  RETURN_IF_ERROR(dest->second->CheckSpace(in->size()));
  std::vector<std::byte> buf(1 << 20);
  uint64_t offset = 0;
  while (offset < in->size()) {
    ASSIGN_OR_RETURN(size_t n, in->ReadAt(offset, std::span(buf)));
    if (n == 0) return DataLossError("blob " + id + " is shorter than its size");
    RETURN_IF_ERROR(out->Append(std::span(buf.data(), n)));
    offset += n;
  }
  RETURN_IF_ERROR(out->Commit());
  return out->id();
}

}  // namespace confiance::blob

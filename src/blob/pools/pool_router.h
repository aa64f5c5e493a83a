// File: blob/pools/pool_router.h
// PoolRouter: one BlobStore over several named pools (each a BlobStore,
// e.g. a LocalBlobStore on its own directory), so that a blob can be placed
// in a chosen pool (data residency: sovereignty/ decides which) and then
// found again from its id alone.
//
// Ids: a blob of the *default* pool keeps the bare id its store hands out
// (32 hex digits), so blob references written before pools existed still
// name the default pool. A blob of any other pool has the id
// "<pool>:<inner id>". Pool names are 1..32 of [a-z0-9-] (IsValidPoolName):
// never ':' and never a path character. The id is what the catalog stores
// as the blob reference (docs/meta_keys.md), so the record remembers the
// pool. Renaming a pool orphans its references: pool names are for ever.
//
// Open/Delete route by the id's pool; an id naming a pool that is not
// configured is NotFound on Open (the data is not reachable here) and
// FailedPrecondition on Delete (nothing is deleted, so a later run with the
// pool configured still finds it). List merges every pool's listing in id
// order, so the orphan sweeper and scrub see every pool.
//
// NewBlob() writes to the default pool; Pool(name) is a BlobStore whose
// NewBlob writes to that pool (and whose Open/Delete/List are the router's).
//
// Deletions can be held (HoldDeletes, blob/deferred_deletes.h) for an
// online backup; every deletion goes through the router, whichever pool or
// view it names, so a hold covers them all.
//
// Thread-safety: safe for concurrent use (pools are fixed at construction).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_store.h"
#include "blob/deferred_deletes.h"

namespace confiance::blob {

inline constexpr char kPoolSeparator = ':';

bool IsValidPoolName(std::string_view name);

class PoolRouter final : public BlobStore {
 public:
  // `pools` are borrowed and must outlive the router; the pool named
  // `default_pool` must be among them. InvalidArgument for a bad or
  // duplicate name or a missing default.
  static Result<std::unique_ptr<PoolRouter>> Create(std::string default_pool,
                                                    const std::vector<std::pair<std::string, BlobStore*>>& pools);
  ~PoolRouter() override;

  // The pool `id` lives in ("" if the id names no pool syntactically,
  // i.e. it is malformed); does not check that the pool is configured.
  std::string PoolOf(std::string_view id) const;
  const std::string& default_pool() const { return default_pool_; }
  std::vector<std::string> pool_names() const;
  bool HasPool(std::string_view name) const { return views_.count(std::string(name)) != 0; }
  // A store writing new blobs to `name`. REQUIRES: HasPool(name).
  BlobStore& Pool(std::string_view name);

  // Where `id` lives: its pool and the id within that pool's store. As
  // Open: InvalidArgument if malformed, NotFound if the pool is not
  // configured.
  struct Placement {
    std::string pool;
    std::string inner;
  };
  Result<Placement> PlacementOf(const std::string& id) const;

  // Keeps every deletion aside until the returned hold (and any other open
  // one) is closed; at most kMaxHeldDeletes ids, then the hold is broken
  // (DeferredDeletes). For backups: see the file comment.
  static constexpr size_t kMaxHeldDeletes = 250'000;
  std::unique_ptr<DeferredDeletes::Hold> HoldDeletes() { return deferred_->Open(); }
  size_t held_deletes() const { return deferred_->held(); }

  // Copies blob `id` to pool `to` and commits it (durable on OK); returns
  // the new id. The source is left as it is. For migrations.
  Result<std::string> CopyTo(const std::string& id, std::string_view to);

  Result<std::unique_ptr<BlobWriter>> NewBlob() override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& id) override;
  Status Delete(const std::string& id) override;
  Result<std::vector<BlobInfo>> List(const std::string& start_after, size_t limit) override;
  Status CheckSpace(uint64_t bytes) override;

 private:
  class View;
  class PrefixedWriter;
  PoolRouter() = default;

  Result<std::unique_ptr<BlobWriter>> NewBlobIn(const std::string& pool);
  // The pool's store and the inner id, or an error as documented above.
  struct Located {
    BlobStore* store = nullptr;
    std::string inner;
  };
  Result<Located> Locate(const std::string& id) const;
  // Delete without consulting the holds.
  Status DeleteNow(const std::string& id);

  std::string default_pool_;
  std::map<std::string, BlobStore*, std::less<>> pools_;
  std::map<std::string, std::unique_ptr<View>, std::less<>> views_;
  std::unique_ptr<DeferredDeletes> deferred_;
};

}  // namespace confiance::blob

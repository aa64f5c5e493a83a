// File: meta/noticed_cache.h
// NoticedCache<V>: a process's cache of records that other processes
// sharing the store may change (several gateways on one RADOS namespace;
// docs/rados.md, "Several gateways"), kept right by the store's change
// notices (MetaStore::Announce / Watch):
//   - a notice of the cache's topic drops its subject ("": everything);
//   - a cached value is not used while the store says a notice may have
//     been missed (MetaStore::NoticesCurrent);
//   - a value read from the store is cached only if nothing was dropped
//     since the read began (Ticket, then Put): a notice that arrives while
//     the read is under way cannot be overtaken by the stale value.
// A writer that changed a record calls Changed (drops it here, tells the
// others). With a store that one process uses, notices never come and the
// cache is a plain one.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "meta/change_notices.h"
#include "meta/meta_store.h"

namespace confiance::meta {

template <typename V>
class NoticedCache {
 public:
  // Watches `topic` on `store` (which must outlive this cache). Past
  // `max_entries` a Put empties the cache first.
  NoticedCache(MetaStore& store, std::string_view topic, size_t max_entries = 100000)
      : store_(store), topic_(topic), max_entries_(max_entries) {
    watch_ = store_.Watch(topic_, [this](std::string_view subject) { Drop(subject); });
  }
  NoticedCache(const NoticedCache&) = delete;
  NoticedCache& operator=(const NoticedCache&) = delete;

  // The value cached for `key`, if there is one that may be used now.
  std::optional<V> Find(const std::string& key) {
    if (!store_.NoticesCurrent()) return std::nullopt;
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  // Taken before reading the value to Put.
  uint64_t Ticket() {
    std::lock_guard lock(mu_);
    return generation_;
  }
  // The value of `key`: the cached one, or `load()`'s (a Result<V>),
  // cached if nothing was dropped while it ran (Find, Ticket and Put in
  // their order). An error is returned, not cached.
  template <typename Load>
  Result<V> FindOrLoad(const std::string& key, Load&& load) {
    if (std::optional<V> cached = Find(key)) return *std::move(cached);
    const uint64_t ticket = Ticket();
    Result<V> loaded = load();
    if (loaded.ok()) Put(ticket, key, *loaded);
    return loaded;
  }
  // Caches `value` for `key` unless something was dropped since `ticket`.
  void Put(uint64_t ticket, const std::string& key, V value) {
    std::lock_guard lock(mu_);
    if (ticket != generation_) return;
    if (map_.size() >= max_entries_) map_.clear();
    map_.insert_or_assign(key, std::move(value));
  }
  // Drops `key` ("": everything) from this process's cache.
  void Drop(std::string_view key) {
    std::lock_guard lock(mu_);
    ++generation_;
    if (key.empty()) {
      map_.clear();
    } else {
      map_.erase(std::string(key));
    }
  }
  // The record of `key` changed here: dropped, and the other processes told.
  void Changed(std::string_view key) {
    Drop(key);
    AnnounceChange(store_, topic_, key);
  }

 private:
  MetaStore& store_;
  const std::string topic_;
  const size_t max_entries_;
  std::mutex mu_;
  uint64_t generation_ = 0;                 // GUARDED_BY(mu_): one more at every drop
  std::unordered_map<std::string, V> map_;  // GUARDED_BY(mu_)
  // Last: released first, so that no notice reaches a half-destroyed cache.
  std::unique_ptr<MetaStore::NoticeWatch> watch_;
};

}  // namespace confiance::meta

// File: kms/kmip/unwrap_cache.h
// UnwrapCache: unwrapped keys kept for a short, fixed lifetime so that the
// KMS is not on every request's path, yet a key revoked or destroyed in the
// KMS stops working within that lifetime. Entries are keyed by a digest of
// (key id, wrapped blob, context), never by anything secret, and their key
// bytes are wiped (SecretBytes) when they expire: every call first drops
// the expired entries, and Sweep() does so from a timer too, so an idle
// cache holds no key past its lifetime by more than the sweep period.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include "crypto/secret_bytes.h"

namespace confiance::kms::kmip {

class UnwrapCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Digest = std::array<uint8_t, 32>;

  // lifetime 0 disables the cache (Lookup always misses, Insert drops).
  UnwrapCache(std::chrono::milliseconds lifetime, size_t max_entries)
      : lifetime_(lifetime), max_entries_(max_entries) {}

  static Digest KeyOf(std::string_view key_id, std::string_view wrapped, std::string_view context);

  // A copy of the cached key, or nullopt if absent or expired.
  std::optional<crypto::SecretBytes> Lookup(const Digest& d, Clock::time_point now = Clock::now());
  // Caches `key` until now + lifetime (replacing an entry for `d`); evicts
  // the oldest entries beyond max_entries.
  void Insert(const Digest& d, const crypto::SecretBytes& key, Clock::time_point now = Clock::now());
  // Drops (and wipes) every entry whose lifetime has passed.
  void Sweep(Clock::time_point now = Clock::now());
  // Drops every entry.
  void Clear();
  size_t size() const;
  std::chrono::milliseconds lifetime() const { return lifetime_; }

 private:
  struct Entry {
    crypto::SecretBytes key;
    Clock::time_point expires;
    uint64_t seq;
  };
  void SweepLocked(Clock::time_point now);  // REQUIRES(mu_)

  const std::chrono::milliseconds lifetime_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::map<Digest, Entry> entries_;                       // GUARDED_BY(mu_)
  std::deque<std::pair<Digest, uint64_t>> order_;         // GUARDED_BY(mu_): insertion order = expiry order
  uint64_t next_seq_ = 0;                                 // GUARDED_BY(mu_)
};

}  // namespace confiance::kms::kmip

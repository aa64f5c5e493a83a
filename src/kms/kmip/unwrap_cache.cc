// File: kms/kmip/unwrap_cache.cc
#include "kms/kmip/unwrap_cache.h"

#include <string>

#include "crypto/hash.h"

namespace confiance::kms::kmip {

UnwrapCache::Digest UnwrapCache::KeyOf(std::string_view key_id, std::string_view wrapped, std::string_view context) {
  // Length-prefixed so that no two triples share an input.
  std::string in;
  in.reserve(24 + key_id.size() + wrapped.size() + context.size());
  for (std::string_view part : {key_id, wrapped, context}) {
    const uint64_t n = part.size();
    for (int i = 7; i >= 0; --i) in.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    in.append(part);
  }
  return crypto::Sha256Digest(in);
}

void UnwrapCache::SweepLocked(Clock::time_point now) {
  // One lifetime for all entries, so insertion order is expiry order; an
  // order_ record whose entry was replaced (newer seq) is skipped.
  while (!order_.empty()) {
    auto it = entries_.find(order_.front().first);
    if (it != entries_.end() && it->second.seq == order_.front().second) {
      if (it->second.expires > now && entries_.size() <= max_entries_) break;
      entries_.erase(it);  // ~SecretBytes wipes the key
    }
    order_.pop_front();
  }
}

std::optional<crypto::SecretBytes> UnwrapCache::Lookup(const Digest& d, Clock::time_point now) {
  std::lock_guard lock(mu_);
  SweepLocked(now);
  auto it = entries_.find(d);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.key.Clone();
}

void UnwrapCache::Insert(const Digest& d, const crypto::SecretBytes& key, Clock::time_point now) {
  if (lifetime_.count() <= 0 || max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  const uint64_t seq = next_seq_++;
  entries_[d] = Entry{key.Clone(), now + lifetime_, seq};
  order_.emplace_back(d, seq);
  SweepLocked(now);
}

void UnwrapCache::Sweep(Clock::time_point now) {
  std::lock_guard lock(mu_);
  SweepLocked(now);
}

void UnwrapCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  order_.clear();
}

size_t UnwrapCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace confiance::kms::kmip

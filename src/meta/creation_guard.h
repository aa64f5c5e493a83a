// File: meta/creation_guard.h
// A creation guard: a record that every creation of one kind of thing for
// one owner changes (a tenant's buckets, a user's access keys), compared at
// the commit. A limit on how many the owner has is counted before the
// commit; if another creation landed meanwhile, in this process or in
// another sharing the store, the commit fails on the guard and the count is
// taken again, so the limit holds exactly. Deletions need not touch it:
// they can only make a count too high.
//
// Usage, in a retry loop: read the guard's record (`seen`, nullopt when
// absent), count, then add GuardCreation(batch, key, seen) to the batch
// that creates, in the guard's partition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "meta/meta_store.h"

namespace confiance::meta {

// Expects the guard at `seen` and sets it to its next value: a decimal
// counter of creations, so that it never takes a value twice.
inline void GuardCreation(Batch& batch, const std::string& key, const std::optional<std::string>& seen) {
  uint64_t n = 0;
  if (seen) {
    for (char c : *seen) n = (c >= '0' && c <= '9') ? n * 10 + static_cast<uint64_t>(c - '0') : n;
  }
  batch.Expect(key, seen).Put(key, std::to_string(n + 1));
}

}  // namespace confiance::meta

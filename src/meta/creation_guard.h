// File: meta/creation_guard.h
// Creations under a limit on how many one owner has (a tenant's buckets, a
// user's access keys), exact against concurrent creators in this process
// and in others sharing the store. Each creation also increments the
// owner's creation guard, a record in the same partition compared at the
// commit: the count is taken before the commit, and if another creation
// landed meanwhile the commit fails on the guard and the count is taken
// again. Deletions need not touch the guard: they can only make a count too
// high.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::meta {

struct GuardedCreation {
  std::string partition;
  std::string guard_key;    // the owner's guard: a decimal counter of its creations
  std::string created_key;  // the record `batch` creates; it must be absent
  Batch batch;              // the creation (its Puts); conditions are added here
  // With `limit`: how many the owner has now, asked before every attempt,
  // and what they are (for the refusal's message: "buckets of acme").
  std::optional<uint64_t> limit;
  std::function<Result<uint64_t>()> count;
  std::string what;
};

// Applies `creation` with its guard, again while only the guard moved.
// FailedPrecondition when the count has reached the limit, AlreadyExists
// when `created_key` is taken, Aborted after `max_attempts` lost races;
// otherwise the store's answer.
Status ApplyGuardedCreation(MetaStore& store, const GuardedCreation& creation, int max_attempts = 64);

}  // namespace confiance::meta

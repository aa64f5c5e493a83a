// File: meta/creation_guard.cc
#include "meta/creation_guard.h"

namespace confiance::meta {
namespace {

uint64_t GuardCount(const std::optional<std::string>& guard) {
  uint64_t n = 0;
  if (guard) {
    for (char c : *guard) n = (c >= '0' && c <= '9') ? n * 10 + static_cast<uint64_t>(c - '0') : n;
  }
  return n;
}

}  // namespace

Status ApplyGuardedCreation(MetaStore& store, const GuardedCreation& creation, int max_attempts) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> guard, store.Get(creation.partition, creation.guard_key));
    if (creation.limit) {
      ASSIGN_OR_RETURN(uint64_t held, creation.count());
      if (held >= *creation.limit) {
        return FailedPreconditionError(creation.what + ": " + std::to_string(held) + ", the most allowed");
      }
    }
    Batch b = creation.batch;
    b.Expect(creation.created_key, std::nullopt);
    // The next value never repeats: an Expect on one seen earlier fails
    // once anything changed the guard.
    b.Expect(creation.guard_key, guard).Put(creation.guard_key, std::to_string(GuardCount(guard) + 1));
    Status s = store.Apply(creation.partition, b);
    if (s.code() != StatusCode::kFailedPrecondition) return s;
    // The record was created meanwhile, or only the guard moved (count again).
    ASSIGN_OR_RETURN(std::optional<std::string> taken, store.Get(creation.partition, creation.created_key));
    if (taken) return AlreadyExistsError(creation.created_key + " exists");
  }
  return AbortedError(creation.what + ": too many concurrent creations");
}

}  // namespace confiance::meta

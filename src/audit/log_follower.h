// File: audit/log_follower.h
// LogFollower: the engine of `confiance log tail`. Follows one log over
// its read API (audit/log_api.h) and hands out each new entry once, only
// after proving it, trusting nothing but a pinned verifier key:
//   - every new checkpoint carries a valid signature by the pinned key and
//     names the same origin as the first one seen;
//   - it is consistent with the last verified checkpoint (never smaller; a
//     consistency proof built from the served hash tiles, so a rewritten
//     log or a split view fails);
//   - every new entry is included at its index under the new checkpoint
//     and is a canonical event (audit/log_verifier.h does these checks);
//   - with pinned witness keys, the checkpoint also carries valid
//     cosignatures by a quorum of those witnesses (audit/witness_quorum.h;
//     one short of the quorum is waited for, not followed; an invalid
//     cosignature by a pinned witness fails).
// Once a check fails the follower stays failed: a log caught lying is not
// followed further.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "audit/witness_quorum.h"
#include "common/status.h"

namespace confiance::audit {

// Fetches a resource of the log API, relative to /_confiance/log/v1/
// ("checkpoint", "tile/entries/000.p/7"). NotFound when the server has no
// such resource (HTTP 404); any other error ends the round.
using LogFetch = std::function<Result<std::string>(const std::string& resource)>;

class LogFollower {
 public:
  // Hands out entries from index `from` on. `witness_keys`
  // (cosignature/v1 verifier keys) empty: no cosignature required; else
  // `witness_quorum` of them (0: all) must have cosigned each checkpoint.
  LogFollower(std::string verifier_key, LogFetch fetch, uint64_t from,
              const std::vector<std::string>& witness_keys = {}, size_t witness_quorum = 0);

  // One round: fetches the latest checkpoint and returns the entries it
  // adds past those already returned (index, bytes), in order; none if the
  // log has no checkpoint yet or did not grow. PermissionDenied with the
  // reason if a check fails (and on every later call); InvalidArgument for
  // an unusable pinned key or a malformed answer; the fetch's errors.
  Result<std::vector<std::pair<uint64_t, std::string>>> Poll();

  // The last verified checkpoint note ("" before the first).
  const std::string& checkpoint() const { return checkpoint_; }
  // The index of the next entry to hand out.
  uint64_t next() const { return next_; }

 private:
  const std::string verifier_key_;
  // The pinned witnesses, parsed once; an error is every Poll's answer.
  const Result<WitnessQuorum> witnesses_;
  const LogFetch fetch_;
  uint64_t next_;
  std::string checkpoint_;
  Status failed_;
};

}  // namespace confiance::audit

// File: audit/witness_quorum.h
// WitnessQuorum: what a reader demands of a checkpoint's witnesses: valid
// C2SP cosignatures (audit/tlog/cosignature.h) from at least `quorum` of
// the witnesses it pins. Shared by `confiance log verify` (a checkpoint
// short of the quorum fails) and `confiance log tail` (it waits for the
// quorum, as the server asks its witnesses right after signing).
//
// Thread-safety: immutable once created; safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tlog/cosignature.h"
#include "common/status.h"

namespace confiance::audit {

struct WitnessCosignature {
  std::string witness;  // key name
  uint64_t timestamp = 0;
};

// The pinned witnesses' cosignatures found on one note.
struct CosignatureCount {
  std::vector<WitnessCosignature> valid;  // in the order the keys were pinned
  std::vector<std::string> missing;       // names of pinned witnesses with no cosignature
};

class WitnessQuorum {
 public:
  // `keys`: cosignature/v1 verifier keys; `quorum` 0 means all of them.
  // InvalidArgument for a malformed key, a witness pinned twice (a quorum
  // needs distinct witnesses), a quorum above the number of keys, or a
  // quorum without keys.
  static Result<WitnessQuorum> Create(const std::vector<std::string>& keys, size_t quorum);

  bool empty() const { return witnesses_.empty(); }
  size_t quorum() const { return quorum_; }

  // The pinned witnesses' cosignatures on signed note `note`.
  // InvalidArgument for a malformed note; Unauthenticated naming the
  // witness if a line of a pinned witness does not verify (forged, or moved
  // from another checkpoint).
  Result<CosignatureCount> Count(std::string_view note) const;

 private:
  WitnessQuorum(std::vector<tlog::CosignatureVerifier> witnesses, size_t quorum)
      : witnesses_(std::move(witnesses)), quorum_(quorum) {}
  std::vector<tlog::CosignatureVerifier> witnesses_;
  size_t quorum_;
};

}  // namespace confiance::audit

// File: audit/witness_quorum.cc
#include "audit/witness_quorum.h"

#include <utility>

namespace confiance::audit {

Result<WitnessQuorum> WitnessQuorum::Create(const std::vector<std::string>& keys, size_t quorum) {
  if (keys.empty() && quorum > 0) return InvalidArgumentError("a witness quorum needs pinned witness keys");
  if (quorum > keys.size()) {
    return InvalidArgumentError("witness quorum " + std::to_string(quorum) + " exceeds the " +
                                std::to_string(keys.size()) + " pinned witness keys");
  }
  std::vector<tlog::CosignatureVerifier> witnesses;
  for (const std::string& key : keys) {
    Result<tlog::CosignatureVerifier> verifier = tlog::CosignatureVerifier::FromKey(key);
    if (!verifier.ok()) return InvalidArgumentError("pinned witness key: " + verifier.status().message());
    for (const tlog::CosignatureVerifier& seen : witnesses) {
      if (seen.name() == verifier->name()) {
        return InvalidArgumentError("witness " + seen.name() + " is pinned twice: a quorum needs distinct witnesses");
      }
    }
    witnesses.push_back(std::move(verifier).value());
  }
  return WitnessQuorum(std::move(witnesses), quorum == 0 ? keys.size() : quorum);
}

Result<CosignatureCount> WitnessQuorum::Count(std::string_view note) const {
  CosignatureCount count;
  for (const tlog::CosignatureVerifier& witness : witnesses_) {
    Result<uint64_t> time = witness.Verify(note);
    if (time.ok()) {
      count.valid.push_back({witness.name(), *time});
    } else if (time.status().code() == StatusCode::kNotFound) {
      count.missing.push_back(witness.name());
    } else if (time.status().code() == StatusCode::kInvalidArgument) {
      return time.status();
    } else {
      return UnauthenticatedError("an invalid cosignature from witness " + witness.name() + " (" +
                                  time.status().message() + ")");
    }
  }
  return count;
}

}  // namespace confiance::audit

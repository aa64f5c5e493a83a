// File: kms/wrap_matching.h
// WrapMatching: lets an offline check ask whether byte strings are keys
// this provider wrapped, many millions of times, without the provider's key
// material leaving it: the shred check (docs/keys.md "Checking a shred")
// tries every byte offset of a data directory against every key that
// remains. A provider that holds its keys locally (the embedded keystore)
// offers this besides KeyProvider; one whose keys live in a KMS does not
// (one KMS round trip per byte offset is not an option).
//
// Thread-safety: safe for concurrent use; each matcher is for one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/envelope.h"

namespace confiance::kms {

class WrapMatching {
 public:
  virtual ~WrapMatching() = default;

  // Every key id that unwraps now (the embedded keystore: every root key
  // version the key file holds, current first).
  virtual std::vector<std::string> MatchableKeyIds() const = 0;
  // A matcher whose Match(b) is the index i such that Unwrap(key_id, b,
  // contexts[i]) would succeed with a `key_size`-byte key, or nullopt.
  // NotFound for a key id not held; else as crypto::EnvelopeMatcher::Create.
  virtual Result<std::unique_ptr<crypto::EnvelopeMatcher>> NewWrapMatcher(std::string_view key_id,
                                                                          const std::vector<std::string>& contexts,
                                                                          size_t key_size) const = 0;
};

}  // namespace confiance::kms

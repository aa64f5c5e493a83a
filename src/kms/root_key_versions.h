// File: kms/root_key_versions.h
// RootKeyVersions: the versions of a provider's own root key, for a root
// key rotation (rewrap only, docs/keys.md "Rotating the root key"). A
// provider that keeps its root key itself (the embedded keystore) offers
// this besides KeyProvider; one whose keys live in a KMS does not (the KMS
// rotates its own keys, docs/kmip.md).
//
// A rotation: AddKeyVersion makes a new version the DefaultKeyId(); the
// older ones still unwrap (and only unwrap) until RetireKeyVersion, which
// the caller calls once nothing stored is wrapped under them any more.
//
// Thread-safety: safe for concurrent use, also with the KeyProvider calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::kms {

class RootKeyVersions {
 public:
  virtual ~RootKeyVersions() = default;

  // Every version held, the current one (DefaultKeyId()) first.
  virtual std::vector<std::string> KeyVersionIds() const = 0;
  // Makes a new random version the current one, durably, and returns its
  // id. FailedPrecondition while an older version is still held (finish
  // the earlier rotation first).
  virtual Result<std::string> AddKeyVersion() = 0;
  // Removes version `key_id` for good, durably: what is still wrapped under
  // it can never be unwrapped again. FailedPrecondition for the current
  // version; OK if it is not held (idempotent).
  virtual Status RetireKeyVersion(std::string_view key_id) = 0;
};

}  // namespace confiance::kms

// File: kms/key_provider.h
// KeyProvider: holds root (and later tenant) keys and wraps/unwraps other
// keys under them. Key material held by a provider never leaves it: callers
// only ever see wrapped blobs and the keys they unwrap.
//
// Thread-safety: safe for concurrent use. Calls may block (an external KMS):
// call them off the network threads.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::kms {

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;

  // Id of the key new wraps use by default (the root key).
  virtual std::string DefaultKeyId() const = 0;
  // Seals `plaintext_key` under key `key_id` with `context` bound as
  // associated data. Returns an opaque, self-describing blob.
  virtual Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                   std::string_view context) = 0;
  // Reverses Wrap. PermissionDenied/DataLoss if the blob or context do not
  // authenticate; NotFound if the key is unknown (e.g. destroyed).
  virtual Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                             std::string_view context) = 0;
};

}  // namespace confiance::kms

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
#include "kms/justification.h"

namespace confiance::kms {

// Why a key is used (kms/justification.h): passed to the provider so that
// an external KMS can be told and decide too (docs/kmip.md "Key-access
// justifications"). `approval_id` is the lockbox approval behind an
// OPERATOR_APPROVED use ("" if none is at hand).
struct KeyUse {
  KeyUse() = default;
  // Implicit on purpose: a bare reason is a use without an approval.
  KeyUse(Justification reason, std::string_view approval = {}) : why(reason), approval_id(approval) {}
  Justification why = Justification::kTenantRequest;
  std::string_view approval_id;
};

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

  // As above, naming why the key is used. Providers that cannot tell
  // anyone (the embedded keystore) ignore `use`: the catalog has already
  // checked it against the tenant's key policy.
  virtual Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                   std::string_view context, const KeyUse& use) {
    (void)use;
    return Wrap(key_id, plaintext_key, context);
  }
  virtual Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                             std::string_view context, const KeyUse& use) {
    (void)use;
    return Unwrap(key_id, wrapped, context);
  }
};

}  // namespace confiance::kms

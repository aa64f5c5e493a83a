// File: kms/external_keys.h
// Hold your own key (docs/keys.md "Hold your own key"): a tenant may have
// its tenant key wrapped by a key in its own KMS instead of the server's
// KeyProvider. ExternalKey names that key (where the KMS is, the CA its
// certificate must chain to, the key's id there); ExternalKeys hands out a
// KeyProvider for it (KMIP: kms/kmip/kmip_external_keys.h), so that the
// catalog does not depend on how the KMS is spoken to.
//
// Thread-safety: implementations are safe for concurrent use; their calls
// may block on the tenant's KMS: not on network threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kms/key_provider.h"

namespace confiance::kms {

struct ExternalKey {
  std::string endpoint;  // "host:port" of the tenant's KMS
  std::string ca_pem;    // PEM: the only CA trusted for that KMS's certificate
  std::string key_id;    // the key's Unique Identifier in that KMS
  // Tell that KMS why each wrap and unwrap is done (a KMIP Message
  // Extension, docs/kmip.md): the tenant sets it when its KMS reads it.
  bool send_justification = false;
  bool operator==(const ExternalKey&) const = default;
};

class ExternalKeys {
 public:
  virtual ~ExternalKeys() = default;
  // Checks that `key` may be used (its endpoint is one the operator allows,
  // the KMS answers, the key exists and is an Active AES-256 key) and
  // returns it with key_id filled in: `key.key_id` if set, else the single
  // key named `key_name` there. InvalidArgument / PermissionDenied /
  // NotFound / FailedPrecondition with a message meant for the tenant.
  virtual Result<ExternalKey> Resolve(const ExternalKey& key, std::string_view key_name) = 0;
  // The provider that wraps and unwraps under `key` (key ids are
  // key.key_id). The pointer stays valid as long as this object.
  // PermissionDenied if the endpoint is not allowed (any more).
  virtual Result<KeyProvider*> For(const ExternalKey& key) = 0;
  // How long keys unwrapped through an external KMS may be kept in memory
  // in all (the revocation bound); callers keep their caches within it.
  virtual std::chrono::milliseconds CacheLifetime() const = 0;
};

}  // namespace confiance::kms

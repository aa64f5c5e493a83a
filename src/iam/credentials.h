// File: iam/credentials.h
// Tenants and access keys: the principals SigV4 authenticates. Secrets are
// stored sealed under the KeyProvider's root key (SigV4 needs the secret
// itself, so it cannot be a one-way hash) and shown once, at creation.
// Records live in the "iam" partition: "tenant/<id>" and "ak/<access key>".
//
// Thread-safety: safe for concurrent use. Lookups are cached in memory
// (unwrapped secrets in SecretBytes); creating keys blocks on a commit.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"

namespace confiance::iam {

struct Tenant {
  std::string id;            // short id, e.g. "root"
  std::string display_name;
  std::string canonical_id;  // 64 hex: the S3 Owner ID
  bool active = true;
};

struct Principal {
  std::string access_key_id;
  std::string tenant_id;
  std::string user;  // "root" for the tenant's root principal
};

struct Credential {
  Principal principal;
  std::shared_ptr<const crypto::SecretBytes> secret;
};

struct NewAccessKey {
  std::string access_key_id;
  std::string secret;  // shown once; never stored in clear
};

class CredentialStore {
 public:
  CredentialStore(meta::MetaStore& store, kms::KeyProvider& keys) : store_(store), keys_(keys) {}

  // Creates the tenant if absent (idempotent).
  Status EnsureTenant(const Tenant& tenant);
  Result<Tenant> GetTenant(const std::string& id);

  // Creates an access key for (tenant, user). With `given`, uses that id and
  // secret (the CONFIANCE_ROOT_* convention); AlreadyExists if the id is
  // taken by another principal, OK if it is the same principal with the same
  // secret; InvalidArgument for ids/secrets outside AWS's shapes.
  Result<NewAccessKey> CreateAccessKey(const std::string& tenant_id, const std::string& user,
                                       const std::optional<NewAccessKey>& given = std::nullopt);
  // NotFound for an unknown or disabled key.
  Result<Credential> Lookup(const std::string& access_key_id);
  Result<std::vector<Principal>> ListAccessKeys();
  Status SetAccessKeyActive(const std::string& access_key_id, bool active);

 private:
  meta::MetaStore& store_;
  kms::KeyProvider& keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Credential> cache_;  // GUARDED_BY(mu_)
};

}  // namespace confiance::iam

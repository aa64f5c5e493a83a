// File: iam/credentials.h
// Access keys: the credentials SigV4 authenticates, each naming its
// principal (a tenant's user, or an operator). Secrets are stored sealed
// under the KeyProvider's root key (SigV4 needs the secret itself, so it
// cannot be a one-way hash) and shown once, at creation. Records live in the
// "iam" partition under "ak/<access key>", each principal's creation guard
// under "akg/<t|o>/<tenant id>/<user>". Tenants and users: directory.h.
//
// Thread-safety: safe for concurrent use. Lookups are cached in memory
// (unwrapped secrets in SecretBytes); creating keys blocks on a commit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"
#include "meta/noticed_cache.h"

namespace confiance::iam {

enum class PrincipalKind {
  kTenant,    // a tenant's root or one of its users
  kOperator,  // administers the service; no tenant
};

// What a temporary credential carries beyond its principal
// (iam/session_tokens.h): set only for requests signed with one.
struct SessionClaims {
  std::string action;  // the STS call that issued it: "GetSessionToken", "GetFederationToken", "AssumeRole"
  std::string name;    // RoleSessionName / Name; "" for GetSessionToken
  std::string parent_access_key_id;  // the long-term key that asked for it
  // The session policy (JSON, validated at issue). When `limited`, a
  // request must also be allowed by it (an empty policy then allows
  // nothing: GetFederationToken without a policy, as in AWS).
  std::string policy;
  bool limited = false;
  uint64_t issued_ms = 0;
  uint64_t expires_ms = 0;
};

struct Principal {
  std::string access_key_id;
  PrincipalKind kind = PrincipalKind::kTenant;
  std::string tenant_id;  // empty for operators
  std::string user;       // "root" for the tenant's root principal; the operator's name
  bool active = true;     // in listings; Lookup returns active keys only
  // Null for a long-term access key.
  std::shared_ptr<const SessionClaims> session;
};

struct Credential {
  Principal principal;
  std::shared_ptr<const crypto::SecretBytes> secret;
};

struct NewAccessKey {
  std::string access_key_id;
  std::string secret;  // shown once; never stored in clear
};

// A fresh access key id (`prefix` and 18 characters of base32) and secret
// (40 alphanumerics), from OpenSSL's CSPRNG: what CreateAccessKey makes
// when it is not given one ("CF"), what `confiance admin
// generate-credentials` writes for a service's first start, and a
// temporary credential's pair ("CT", iam/session_tokens.h).
Result<NewAccessKey> GenerateAccessKey(std::string_view prefix = "CF");

class CredentialStore {
 public:
  // Watches the store's access-key notices (MetaStore::Watch): a key
  // disabled or deleted by another process sharing the store is dropped
  // from this one's cache.
  CredentialStore(meta::MetaStore& store, kms::KeyProvider& keys);

  // Creates an access key for (tenant, user), or for operator `user` when
  // `kind` is kOperator (tenant_id then empty). With `given`, uses that id and
  // secret (the CONFIANCE_ROOT_* convention); AlreadyExists if the id is
  // taken by another principal, OK if it is the same principal with the same
  // secret; InvalidArgument for ids/secrets outside AWS's shapes. With
  // `max_keys`, FailedPrecondition if the principal already has that many
  // keys. The count holds against concurrent creators in this process and
  // in others sharing the store: every creation also changes the
  // principal's creation guard ("akg/...", meta/creation_guard.h), so a
  // count taken before another creation landed is taken again.
  Result<NewAccessKey> CreateAccessKey(const std::string& tenant_id, const std::string& user,
                                       const std::optional<NewAccessKey>& given = std::nullopt,
                                       PrincipalKind kind = PrincipalKind::kTenant,
                                       std::optional<size_t> max_keys = std::nullopt);
  // NotFound for an unknown or disabled key.
  Result<Credential> Lookup(const std::string& access_key_id);
  // Every key (active or not), in access-key order.
  Result<std::vector<Principal>> ListAccessKeys();
  // The keys of one principal (active or not), in access-key order.
  Result<std::vector<Principal>> KeysOf(PrincipalKind kind, std::string_view tenant_id, std::string_view user);
  // NotFound for an unknown key.
  Result<Principal> GetAccessKey(const std::string& access_key_id);
  Status SetAccessKeyActive(const std::string& access_key_id, bool active);
  // Idempotent.
  Status DeleteAccessKey(const std::string& access_key_id);
  // Root key rotation (docs/keys.md "Rotating the root key"): reseals the
  // key's secret under the provider's DefaultKeyId() if another provider
  // key sealed it (compare-and-set of its record). False if there is
  // nothing to do (already current, or the key is gone).
  Result<bool> RewrapUnderDefaultKey(const std::string& access_key_id);

 private:
  // Drops the cached key and tells the other processes sharing the store
  // (kAccessKeyNotices).
  void KeyChanged(const std::string& access_key_id);

  meta::MetaStore& store_;
  kms::KeyProvider& keys_;
  meta::NoticedCache<Credential> cache_;  // by access key id
};

// The MetaStore notice topic of access keys; the subject is the key id.
inline constexpr std::string_view kAccessKeyNotices = "access-key";

}  // namespace confiance::iam

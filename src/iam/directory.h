// File: iam/directory.h
// The account model: tenants (S3 accounts), their users, the users'
// identity policies, and operator principals. Access keys and their secrets
// live in CredentialStore (credentials.h); this class creates them with the
// principals they belong to.
//
// Records, all in the "iam" partition (docs/meta_keys.md):
//   "tenant/<id>"           TenantRecord (CBOR)
//   "cid/<canonical id>"    tenant id (the S3 Owner ID -> tenant index)
//   "user/<tenant>/<name>"  user record with its identity policies (CBOR)
//   "op/<name>"             operator record (CBOR)
// A tenant's root user is "root": it exists with the tenant and cannot be
// deleted. Operator principals have no tenant; they administer the service
// and, by default, can reach no tenant's data (docs/tenancy.md).
//
// Thread-safety: safe for concurrent use. Tenants and users are cached in
// memory (the request path asks for the requester's tenant, and a user's
// identity policies, on every request); every mutation goes through this
// object, which keeps the caches exact for this process. Mutations block on
// a synced commit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tenant_id.h"
#include "iam/credentials.h"
#include "meta/meta_store.h"
#include "meta/noticed_cache.h"

namespace confiance::iam {

inline constexpr std::string_view kRootUser = "root";

// 0 means unlimited.
struct Quotas {
  uint64_t max_bytes = 0;
  uint64_t max_objects = 0;
  uint64_t max_buckets = 0;
};

// Request rate limits of a tenant's principals, per second and per server
// (docs/tenancy.md, "Rate limits"); 0 means unlimited. Reads are GET and
// HEAD requests, writes every other method.
struct RateLimits {
  uint64_t read_ops = 0;
  uint64_t write_ops = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;

  bool any() const { return read_ops != 0 || write_ops != 0 || read_bytes != 0 || write_bytes != 0; }
  // These limits, each one left 0 taking the server's default instead
  // (`confiance server --default-read-ops` and friends).
  RateLimits OrDefaults(const RateLimits& d) const {
    return {read_ops != 0 ? read_ops : d.read_ops, write_ops != 0 ? write_ops : d.write_ops,
            read_bytes != 0 ? read_bytes : d.read_bytes, write_bytes != 0 ? write_bytes : d.write_bytes};
  }
  friend bool operator==(const RateLimits&, const RateLimits&) = default;
};

struct TenantRecord {
  std::string id;            // [a-z0-9][a-z0-9-]{1,62}
  std::string display_name;
  std::string canonical_id;  // 64 lowercase hex: the S3 Owner ID
  bool active = true;        // false: suspended (every request denied)
  Quotas quotas;
  RateLimits rate_limits;
  // Tenant-wide Block Public Access (bit mask as in catalog::BucketRecord);
  // -1 = none. OR-ed with each bucket's own settings.
  int32_t public_access_block = -1;
  uint64_t created_ms = 0;
};

struct UserRecord {
  std::string tenant_id;
  std::string name;  // IAM user name: [A-Za-z0-9+=,.@_-]{1,64}; "root" for the tenant root
  uint64_t created_ms = 0;
  // Identity policies by name (JSON documents as given; validated by the
  // caller before they are stored).
  std::map<std::string, std::string> policies;
};

struct OperatorRecord {
  std::string name;
  uint64_t created_ms = 0;
};

// "arn:aws:iam::<tenant>:root" or "arn:aws:iam::<tenant>:user/<name>".
std::string UserArn(std::string_view tenant_id, std::string_view user);

// The tenant id rule (common/tenant_id.h).
using ::confiance::ValidTenantId;
// A valid id no new tenant may take: "alias" (SSE-KMS key ids of the form
// alias/NAME name the bucket owner's key NAME).
inline constexpr std::string_view kReservedTenantId = "alias";
bool ValidUserName(std::string_view name);

class Directory {
 public:
  // Watches the store's tenant and user notices (MetaStore::Watch): a
  // change another process sharing the store makes drops this one's copy.
  Directory(meta::MetaStore& store, CredentialStore& credentials);

  // Tenants. CreateTenant writes the tenant, its canonical-id index entry
  // and its root user in one batch (AlreadyExists if the id is taken), then
  // creates the root's access key (`given` as in
  // CredentialStore::CreateAccessKey). A fresh canonical id is drawn when
  // `tenant.canonical_id` is empty.
  Result<NewAccessKey> CreateTenant(TenantRecord tenant, const std::optional<NewAccessKey>& given = std::nullopt);
  Result<TenantRecord> GetTenant(std::string_view id);  // NotFound
  Result<TenantRecord> GetTenantByCanonicalId(std::string_view canonical_id);  // NotFound
  Result<std::vector<TenantRecord>> ListTenants();
  // Replaces display name, status, quotas and rate limits (id and canonical id are fixed).
  Status UpdateTenant(const TenantRecord& tenant);
  // Removes the tenant, its users, their keys. The caller checks that it
  // owns no bucket (FailedPrecondition is the caller's answer).
  Status DeleteTenant(std::string_view id);

  // Users of a tenant. CreateUser: NotFound without the tenant,
  // AlreadyExists for a taken name.
  Status CreateUser(std::string_view tenant_id, std::string_view name);
  Result<UserRecord> GetUser(std::string_view tenant_id, std::string_view name);
  Result<std::vector<UserRecord>> ListUsers(std::string_view tenant_id);
  // Deletes the user and its access keys; InvalidArgument for the root.
  Status DeleteUser(std::string_view tenant_id, std::string_view name);
  // Identity policies (documents validated by the caller).
  Status PutUserPolicy(std::string_view tenant_id, std::string_view user, std::string_view policy_name,
                       std::string_view document);
  Status DeleteUserPolicy(std::string_view tenant_id, std::string_view user, std::string_view policy_name);

  // Access keys of a user (the user must exist); with `max_keys`, within
  // that many (CredentialStore::CreateAccessKey).
  Result<NewAccessKey> CreateUserKey(std::string_view tenant_id, std::string_view user,
                                     const std::optional<NewAccessKey>& given = std::nullopt,
                                     std::optional<size_t> max_keys = std::nullopt);

  // Operators. CreateOperator is idempotent for the same name; it creates
  // (or, with `given`, ensures) an access key of kind operator.
  Result<NewAccessKey> CreateOperator(std::string_view name, const std::optional<NewAccessKey>& given = std::nullopt);
  Result<std::vector<OperatorRecord>> ListOperators();

  CredentialStore& credentials() { return credentials_; }

 private:
  Status ApplyIam(const meta::Batch& batch);
  Result<UserRecord> LoadUser(std::string_view tenant_id, std::string_view name, std::optional<std::string>* raw);
  Status StoreUser(const UserRecord& user, const std::optional<std::string>& expected);
  // The cached users (every one: user changes are rare) or tenant `id` are
  // stale: dropped here, and the other processes sharing the store told.
  void UsersChanged();
  void TenantChanged(const std::string& id);

  meta::MetaStore& store_;
  CredentialStore& credentials_;
  meta::NoticedCache<TenantRecord> tenant_cache_;  // by tenant id
  // Users by "user/<tenant>/<name>": the authorizer reads a user's identity
  // policies on each of its requests.
  meta::NoticedCache<UserRecord> user_cache_;
};

// The MetaStore notice topics of tenants (subject: the tenant id) and users
// (subject "": every user).
inline constexpr std::string_view kTenantNotices = "tenant";
inline constexpr std::string_view kUserNotices = "user";

}  // namespace confiance::iam

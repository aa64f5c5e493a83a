// File: admin/admin_router.h
// The admin API's routes: from method and raw path to an AdminOp with the
// names it concerns. Pure: no I/O. Paths (under kAdminPrefix):
//
//   POST|GET         /tenants
//   GET|PATCH|DELETE /tenants/{tenant}
//   POST|GET         /tenants/{tenant}/users
//   GET|DELETE       /tenants/{tenant}/users/{user}
//   POST|GET         /tenants/{tenant}/users/{user}/keys
//   PATCH|DELETE     /tenants/{tenant}/users/{user}/keys/{access key}
//   GET              /tenants/{tenant}/users/{user}/policies
//   PUT|GET|DELETE   /tenants/{tenant}/users/{user}/policies/{policy}
//   GET              /tenants/{tenant}/key              (the tenant key's state and policy)
//   PUT              /tenants/{tenant}/key/policy       (the justifications it allows)
//   POST             /tenants/{tenant}/key/destroy      (crypto-shredding)
//   POST|GET         /operators
//   POST|GET         /access-requests                   (operator access approvals: the lockbox)
//   GET              /access-requests/{id}
//   POST             /access-requests/{id}/approve|deny|revoke|cancel|cosign
//   GET|PUT          /tenants/{tenant}/access-settings  (the tenant's maximum approval)
//   GET|PUT|DELETE   /tenants/{tenant}/residency        (the tenant's residency ceiling)
//   POST             /tenants/{tenant}/residency/migrate
//   GET              /tenants/{tenant}/buckets/{bucket}/residency          (the residency report)
//   GET|PUT|DELETE   /tenants/{tenant}/buckets/{bucket}/residency/rule     (the bucket's rule)
//   POST             /tenants/{tenant}/buckets/{bucket}/residency/migrate
//   POST             /tenants/{tenant}/key/rotate       (new version, rewrap job)
//   GET              /tenants/{tenant}/key/rotation     (the rewrap job's progress)
//   POST             /tenants/{tenant}/buckets/{bucket}/shred  (bucket shred: its key destroyed)
//   POST             /tenants/{tenant}/buckets/{bucket}/key/rotate    (bucket-key rotation: new version, rewrap job)
//   GET              /tenants/{tenant}/buckets/{bucket}/key/rotation  (its progress)
//   GET              /tenants/{tenant}/reclamation      (the reclamation jobs after shreds)
//   GET              /operators
//   GET              /whoami
//   POST             /root-key/rotate                   (operators: the embedded root key, rewrap job)
//   GET              /root-key/rotation                 (that job's progress)
//
// Each name is one percent-encoded path segment (decoded here; "%2F" is a
// '/' inside the name, not a separator). One trailing '/' is tolerated.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::admin {

// Every admin request's path starts with this (ARCHITECTURE.md: the
// reserved "/_confiance/" prefix; no bucket name can start with '_').
inline constexpr std::string_view kAdminPrefix = "/_confiance/admin/v1";

enum class AdminOp {
  kCreateTenant,
  kListTenants,
  kGetTenant,
  kUpdateTenant,
  kDeleteTenant,
  kCreateUser,
  kListUsers,
  kGetUser,
  kDeleteUser,
  kCreateKey,
  kListKeys,
  kUpdateKey,
  kDeleteKey,
  kPutPolicy,
  kGetPolicy,
  kListPolicies,
  kDeletePolicy,
  kListOperators,
  kWhoAmI,
  kGetUsage,          // GET /tenants/{id}/usage: from the exact counters
  kRecountUsage,      // GET /tenants/{id}/usage/recount: by listing every object
  kGetTenantKey,      // GET /tenants/{id}/key
  kPutKeyPolicy,      // PUT /tenants/{id}/key/policy
  kDestroyTenantKey,  // POST /tenants/{id}/key/destroy
  kCreateOperator,    // POST /operators
  // The lockbox (admin/access_request_handlers.cc).
  kCreateAccessRequest,   // POST /access-requests
  kListAccessRequests,    // GET /access-requests
  kGetAccessRequest,      // GET /access-requests/{id}
  kApproveAccessRequest,  // POST /access-requests/{id}/approve
  kDenyAccessRequest,     // POST /access-requests/{id}/deny
  kRevokeAccessRequest,   // POST /access-requests/{id}/revoke
  kCancelAccessRequest,   // POST /access-requests/{id}/cancel
  kCoSignAccessRequest,   // POST /access-requests/{id}/cosign
  kGetAccessSettings,     // GET /tenants/{id}/access-settings
  kPutAccessSettings,     // PUT /tenants/{id}/access-settings
  // Data residency (admin/residency_handlers.cc).
  kGetTenantResidency,      // GET /tenants/{id}/residency
  kPutTenantResidency,      // PUT /tenants/{id}/residency (operators: the ceiling)
  kDeleteTenantResidency,   // DELETE /tenants/{id}/residency
  kMigrateTenantResidency,  // POST /tenants/{id}/residency/migrate
  kResidencyReport,         // GET /tenants/{id}/buckets/{b}/residency
  kGetBucketResidency,      // GET /tenants/{id}/buckets/{b}/residency/rule
  kPutBucketResidency,      // PUT (the tenant's root: narrows the ceiling)
  kDeleteBucketResidency,   // DELETE
  kMigrateBucketResidency,  // POST /tenants/{id}/buckets/{b}/residency/migrate
  kRotateTenantKey,         // POST /tenants/{id}/key/rotate
  kGetKeyRotation,          // GET /tenants/{id}/key/rotation
  kShredBucket,             // POST /tenants/{id}/buckets/{b}/shred
  kGetReclamation,          // GET /tenants/{id}/reclamation
  kPutExternalKey,          // PUT /tenants/{id}/key/external (hold your own key)
  kDeleteExternalKey,       // DELETE /tenants/{id}/key/external (back to the server's provider)
  kRotateBucketKey,         // POST /tenants/{id}/buckets/{b}/key/rotate
  kGetBucketKeyRotation,    // GET /tenants/{id}/buckets/{b}/key/rotation
  kGetBucketQuota,          // GET /tenants/{id}/buckets/{b}/quota (admin/bucket_quota_handlers.cc)
  kSetBucketQuota,          // PATCH /tenants/{id}/buckets/{b}/quota
  // POST /tenants/{id}/buckets/{b}/replication/{destination}/resync
  kResyncBucketReplication,
  kRotateRootKey,           // POST /root-key/rotate (admin/root_key_rotation.h)
  kGetRootKeyRotation,      // GET /root-key/rotation
  kStartBackup,             // POST /backup (admin/backup_service.h)
  kGetBackup,               // GET /backup
  kStartScrub,              // POST /scrub (admin/scrub_service.h)
  kGetScrub,                // GET /scrub
  kStopScrub,               // DELETE /scrub
  // A tenant's named KMS keys (admin/kms_key_handlers.cc).
  kListKmsKeys,      // GET /tenants/{id}/kms-keys
  kCreateKmsKey,     // POST /tenants/{id}/kms-keys/{name}
  kGetKmsKey,        // GET /tenants/{id}/kms-keys/{name}
  kPutKmsKeyPolicy,  // PUT /tenants/{id}/kms-keys/{name}/policy
  kRotateKmsKey,     // POST /tenants/{id}/kms-keys/{name}/rotate
  kPutKmsKeyRotation,  // PUT /tenants/{id}/kms-keys/{name}/rotation (the schedule)
  kDestroyKmsKey,    // POST /tenants/{id}/kms-keys/{name}/destroy
  // Keep last: kAdminOpCount counts the ops above.
};
inline constexpr size_t kAdminOpCount = static_cast<size_t>(AdminOp::kDestroyKmsKey) + 1;

// The op's name as in the docs ("CreateTenant"), for logs and metrics.
std::string_view AdminOpName(AdminOp op);

// True for the reads of a tenant's keys (its tenant key, its named KMS
// keys): an operator needs the tenant's approval for them (the lockbox).
bool IsTenantKeyRead(AdminOp op);

// True for the ops under /access-requests (their tenant is the request's,
// known only once it is read).
bool IsAccessRequestOp(AdminOp op);

struct AdminRoute {
  AdminOp op = AdminOp::kWhoAmI;
  std::string tenant;      // decoded; set for every /tenants/{tenant}... op
  std::string user;        // decoded; set for .../users/{user}... ops
  std::string access_key;  // decoded; set for .../keys/{access key}
  std::string policy;      // decoded; set for .../policies/{policy}
  std::string access_request;  // decoded; set for /access-requests/{id}...
  std::string bucket;      // decoded; set for .../buckets/{bucket}/... ops
  std::string kms_key;     // decoded; set for .../kms-keys/{name}... ops
  std::string destination;  // decoded; set for .../replication/{destination}/...

  // The op's name as in the docs ("CreateTenant"), for logs.
  std::string_view OpName() const;
};

// True for the requests the admin API serves: targets under
// "/_confiance/admin/" (any version) and "/_confiance/admin" itself, with
// or without a query, sent to the service host. When `vhost_domain` is set
// and `host` (the Host header) is "<bucket>.<vhost_domain>", the path is an
// object key of that bucket and belongs to S3, whatever it looks like.
// Everything else belongs to S3 (and /_confiance/health to S3Service's
// health answer).
bool IsAdminTarget(std::string_view target, std::string_view host = {}, std::string_view vhost_domain = {});

// Whether `host` (a Host header, port allowed) is "<bucket>.<vhost_domain>"
// as s3/router.cc reads virtual-host requests: then any path is an object
// key of that bucket. False when `vhost_domain` is empty.
bool IsVirtualHostBucket(std::string_view host, std::string_view vhost_domain);

// Routes a request. `raw_path` is the target without its query, as sent.
// Errors: NotFound for a path that is no admin resource (including other
// API versions), Unimplemented for a method the resource does not serve
// (405), InvalidArgument for a bad percent-escape or an empty name.
Result<AdminRoute> RouteAdminRequest(std::string_view method, std::string_view raw_path);

}  // namespace confiance::admin

// File: admin/admin_api.h
// AdminApi: the admin operations themselves, over iam/ and catalog/,
// without HTTP. AdminService (admin_service.h) authenticates a request,
// reads its body and calls Execute(); unit tests call Execute() directly.
// Execute() authorizes first (authorization.h), then checks that a tenant
// caller's tenant is active, then runs the operation. Documents and codes:
// docs/admin-api.md.
//
// Thread-safety: safe for concurrent use. Execute() blocks on synced
// metadata commits: call it off the network threads (BlockingPool).
#pragma once

#include <string_view>
#include <vector>

#include "admin/admin_error.h"
#include "admin/admin_json.h"
#include "admin/admin_router.h"
#include "admin/backup_service.h"
#include "admin/root_key_rotation.h"
#include "admin/scrub_service.h"
#include "audit/tlog/note.h"
#include "catalog/bucket_key_rotation.h"
#include "catalog/catalog.h"
#include "catalog/key_rotation.h"
#include "catalog/reclaim.h"
#include "catalog/tenant_keys.h"
#include "iam/credentials.h"
#include "iam/directory.h"
#include "s3/rate_limiter.h"
#include "sovereignty/lockbox.h"
#include "sovereignty/residency/residency.h"

namespace confiance::admin {

// AWS IAM's limit, which rotation relies on: create the second key, move
// clients to it, delete the first.
inline constexpr size_t kMaxKeysPerUser = 2;

class AdminApi {
 public:
  // `lockbox` (operator access approvals) may be null: the access-request
  // resources then answer NoSuchResource and operators read tenant keys
  // without an approval, as before the lockbox existed.
  AdminApi(iam::Directory& directory, catalog::Catalog& catalog, catalog::TenantKeys& tenant_keys,
           sovereignty::Lockbox* lockbox = nullptr)
      : directory_(directory), catalog_(catalog), tenant_keys_(tenant_keys), lockbox_(lockbox) {}
  AdminApi(const AdminApi&) = delete;
  // Enables POST .../key/rotate (the job runner outlives this object).
  void SetKeyRotation(catalog::KeyRotation* rotation) { key_rotation_ = rotation; }
  // Enables POST .../buckets/{b}/key/rotate (the job runner outlives this object).
  void SetBucketKeyRotation(catalog::BucketKeyRotation* rotation) { bucket_key_rotation_ = rotation; }
  // Enables POST /root-key/rotate (borrowed; outlives this object). Unset:
  // the root key routes answer 501 NotImplemented.
  void SetRootKeyRotation(RootKeyRotation* rotation) { root_rotation_ = rotation; }
  // Enables POST /backup (borrowed; outlives this object). Unset: the
  // backup routes answer 501 NotImplemented.
  void SetBackupService(BackupService* backups) { backups_ = backups; }
  // Enables POST /scrub (borrowed; outlives this object). Unset: the scrub
  // routes answer 501 NotImplemented.
  void SetScrubService(ScrubService* scrubs) { scrubs_ = scrubs; }
  // Enables bucket shred and the reclamation after shreds (borrowed).
  void SetReclaimer(catalog::Reclaimer* reclaimer) { reclaimer_ = reclaimer; }
  // Enables PUT .../key/external (tenants' own KMSs; outlives this object).
  void SetExternalKeys(kms::ExternalKeys* external) { external_keys_ = external; }
  // The S3 endpoint's rate limiter (borrowed): a tenant's usage then says
  // how many of its requests the limits refused since the start.
  void SetRateLimiter(const s3::RateLimiter* limiter) { rate_limiter_ = limiter; }
  // The server's default rate limits (confiance server --default-read-ops
  // ...) and replication destinations, shown with each tenant's own.
  void SetTenantServerSettings(TenantServerSettings settings) { tenant_settings_ = std::move(settings); }
  AdminApi& operator=(const AdminApi&) = delete;

  // Runs `route` for the authenticated `caller` with the request `body`
  // (JSON, or the policy document for PutUserPolicy). Never fails: errors
  // are error replies (admin_error.h).
  ApiReply Execute(const iam::Principal& caller, const AdminRoute& route, std::string_view body);

  // The key that signs deletion receipts (admin/deletion_receipt.h): the
  // transparency log's. Borrowed; set before serving. Unset: destroying a
  // key returns no receipt.
  void SetReceiptSigner(const audit::tlog::NoteSigner* signer) { receipt_signer_ = signer; }

  // Data residency; null (the default): its routes answer 501 NotImplemented.
  // Borrowed; set before serving.
  void set_residency(sovereignty::Residency* residency) { residency_ = residency; }

 private:
  ApiReply Dispatch(const iam::Principal& caller, const AdminRoute& route, std::string_view body);

  // tenant_handlers.cc
  ApiReply CreateTenant(std::string_view body);
  ApiReply ListTenants();
  ApiReply GetTenant(const AdminRoute& route);
  ApiReply UpdateTenant(const AdminRoute& route, std::string_view body);
  ApiReply DeleteTenant(const AdminRoute& route);
  ApiReply ListOperators();
  // The tenant's usage; with `recount`, also counted by listing every
  // object, and whether the two agree.
  ApiReply GetUsage(const AdminRoute& route, bool recount);

  // user_handlers.cc (users and their identity policies)
  ApiReply CreateUser(const AdminRoute& route, std::string_view body);
  ApiReply ListUsers(const AdminRoute& route);
  ApiReply GetUser(const AdminRoute& route);
  ApiReply DeleteUser(const AdminRoute& route);
  ApiReply PutPolicy(const AdminRoute& route, std::string_view body);
  ApiReply GetPolicy(const AdminRoute& route);
  ApiReply ListPolicies(const AdminRoute& route);
  ApiReply DeletePolicy(const AdminRoute& route);
  // The user named by the route; an error reply (NoSuchTenant, NoSuchUser)
  // when it or its tenant does not exist.
  Result<iam::UserRecord> FindUser(const AdminRoute& route, ApiReply* error);

  // key_handlers.cc
  ApiReply CreateKey(const AdminRoute& route, std::string_view body);
  ApiReply ListKeys(const AdminRoute& route);
  // `caller`: an operator may disable a key, not enable it (authorization.h).
  ApiReply UpdateKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  ApiReply DeleteKey(const AdminRoute& route);
  // Creates a key for an existing user, within kMaxKeysPerUser; sets
  // *error (LimitExceeded, AccessKeyAlreadyExists, InvalidRequest) if not.
  Result<iam::NewAccessKey> NewKeyFor(const iam::UserRecord& user, const std::optional<iam::NewAccessKey>& given,
                                      ApiReply* error);
  // The access keys of (tenant, user), in access-key order.
  Result<std::vector<iam::Principal>> KeysOf(std::string_view tenant, std::string_view user);
  // The key the route names, if it belongs to the route's user.
  Result<iam::Principal> FindKey(const AdminRoute& route, ApiReply* error);

  // tenant_key_handlers.cc
  ApiReply GetTenantKey(const AdminRoute& route);
  ApiReply PutKeyPolicy(const AdminRoute& route, std::string_view body);
  ApiReply DestroyTenantKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  ApiReply RotateTenantKey(const AdminRoute& route);
  // kms_key_handlers.cc
  ApiReply ListKmsKeys(const AdminRoute& route);
  ApiReply CreateKmsKey(const AdminRoute& route, std::string_view body);
  ApiReply GetKmsKey(const AdminRoute& route);
  ApiReply PutKmsKeyPolicy(const AdminRoute& route, std::string_view body);
  ApiReply RotateKmsKey(const AdminRoute& route);
  ApiReply PutKmsKeyRotation(const AdminRoute& route, std::string_view body);
  ApiReply DestroyKmsKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  ApiReply GetKeyRotation(const AdminRoute& route);
  ApiReply RotateBucketKey(const AdminRoute& route);
  ApiReply GetBucketKeyRotation(const AdminRoute& route);
  // Hold your own key (external_key_handlers.cc).
  ApiReply PutExternalKey(const AdminRoute& route, std::string_view body);
  ApiReply SwitchExternalKey(const AdminRoute& route, const std::optional<kms::ExternalKey>& target);

  // root_key_handlers.cc: the embedded root key's rotation (operators).
  ApiReply RotateRootKey();
  ApiReply GetRootKeyRotation();

  // backup_handlers.cc: online backups (operators).
  ApiReply StartBackup(std::string_view body);
  ApiReply GetBackup();

  // scrub_handlers.cc: online scrubs (operators).
  ApiReply StartScrub(const iam::Principal& caller, std::string_view body);
  ApiReply GetScrub();
  ApiReply StopScrub();

  // shred_handlers.cc: bucket shred and the reclamation jobs.
  ApiReply ShredBucket(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  // bucket_quota_handlers.cc: GET (the quota and the bucket's usage) and
  // PATCH (the fields given replace those limits).
  ApiReply BucketQuota(const AdminRoute& route, std::string_view body);
  // admin/replication_handlers.cc
  ApiReply ResyncBucketReplication(const AdminRoute& route);
  ApiReply GetReclamation(const AdminRoute& route);

  // access_request_handlers.cc (the lockbox)
  ApiReply CreateOperator(std::string_view body);
  ApiReply CreateAccessRequest(const iam::Principal& caller, std::string_view body);
  ApiReply ListAccessRequests(const iam::Principal& caller);
  ApiReply GetAccessRequest(const iam::Principal& caller, const AdminRoute& route);
  // approve, deny, revoke, cancel, co-sign
  ApiReply DecideAccessRequest(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  ApiReply AccessSettings(const AdminRoute& route, std::string_view body);
  // The request the route names if `caller` may see it (its tenant's root,
  // its requesting operator, any operator for a break-glass one); sets
  // *error (NoSuchAccessRequest) otherwise.
  Result<sovereignty::AccessRequest> VisibleRequest(const iam::Principal& caller, const AdminRoute& route,
                                                    ApiReply* error);
  // For an operator reading a tenant's key: an approval with "keys". On
  // success sets *approval_id (left empty for other callers, or without a
  // lockbox) and returns nullopt; else the AccessDenied reply.
  std::optional<ApiReply> CheckOperatorKeyAccess(const iam::Principal& caller, const AdminRoute& route,
                                                 std::string* approval_id);

  // residency_handlers.cc: every residency route.
  // Operators get reports without the per-object list (object names are
  // the tenant's data; docs/SOVEREIGNTY.md).
  ApiReply Residency(const iam::Principal& caller, const AdminRoute& route, std::string_view body);
  // The route's bucket if the route's tenant owns it, else an error reply.
  Result<catalog::BucketRecord> OwnedBucket(const AdminRoute& route, ApiReply* error);

  sovereignty::Residency* residency_ = nullptr;
  iam::Directory& directory_;
  catalog::Catalog& catalog_;
  catalog::TenantKeys& tenant_keys_;
  const audit::tlog::NoteSigner* receipt_signer_ = nullptr;
  sovereignty::Lockbox* const lockbox_;
  catalog::KeyRotation* key_rotation_ = nullptr;  // null: rotation unavailable (tests)
  catalog::BucketKeyRotation* bucket_key_rotation_ = nullptr;  // null: unavailable (tests)
  catalog::Reclaimer* reclaimer_ = nullptr;        // null: no bucket shred, no reclamation (tests)
  RootKeyRotation* root_rotation_ = nullptr;       // null: no root key rotation
  BackupService* backups_ = nullptr;               // null: no online backups
  ScrubService* scrubs_ = nullptr;                 // null: no online scrubs
  kms::ExternalKeys* external_keys_ = nullptr;     // null: no tenant may name its own KMS
  const s3::RateLimiter* rate_limiter_ = nullptr;  // null: usage says nothing of refusals
  TenantServerSettings tenant_settings_;
};

}  // namespace confiance::admin

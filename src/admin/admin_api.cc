// File: admin/admin_api.cc
// Execute(): authorization, the caller's tenant status, then dispatch.
#include "admin/admin_api.h"

#include "admin/admin_json.h"
#include "admin/authorization.h"
#include "common/logging.h"

namespace confiance::admin {
namespace {

bool IsMutation(AdminOp op) {
  using O = AdminOp;
  switch (op) {
    case O::kListTenants:
    case O::kGetTenant:
    case O::kListUsers:
    case O::kGetUser:
    case O::kListKeys:
    case O::kGetPolicy:
    case O::kListPolicies:
    case O::kListOperators:
    case O::kWhoAmI:
    case O::kGetTenantKey:
    case O::kListKmsKeys:
    case O::kGetKmsKey:
    case O::kListAccessRequests:
    case O::kGetAccessRequest:
    case O::kGetAccessSettings:
    case O::kGetTenantResidency:
    case O::kResidencyReport:
    case O::kGetBucketResidency:
    case O::kGetReclamation:
    case O::kGetRootKeyRotation:
    case O::kGetBackup:
    case O::kGetScrub:
    case O::kGetBucketQuota:
      return false;
    default:
      return true;
  }
}

std::string Who(const iam::Principal& p) {
  if (p.kind == iam::PrincipalKind::kOperator) return "operator " + p.user;
  return p.tenant_id + "/" + p.user;
}

std::string Target(const AdminRoute& r) {
  std::string out;
  if (!r.tenant.empty()) out += " tenant=" + r.tenant;
  if (!r.user.empty()) out += " user=" + r.user;
  if (!r.access_key.empty()) out += " key=" + r.access_key;
  if (!r.policy.empty()) out += " policy=" + r.policy;
  if (!r.access_request.empty()) out += " access-request=" + r.access_request;
  if (!r.bucket.empty()) out += " bucket=" + r.bucket;
  if (!r.kms_key.empty()) out += " kms-key=" + r.kms_key;
  return out;
}

}  // namespace

ApiReply AdminApi::Execute(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  if (Status allowed = AuthorizeAdmin(caller, route); !allowed.ok()) {
    return ErrorReply(AdminErrorCode::kAccessDenied, allowed.message());
  }
  if (caller.kind == iam::PrincipalKind::kTenant) {
    // A suspended tenant is refused everywhere, as on S3.
    Result<iam::TenantRecord> own = directory_.GetTenant(caller.tenant_id);
    if (!own.ok()) return StatusReply(own.status(), AdminErrorCode::kAccessDenied);
    if (!own->active) return ErrorReply(AdminErrorCode::kAllAccessDisabled);
  }
  std::string approval_id;
  // An operator reads a tenant's keys (their state and policies) only with
  // the tenant's approval (the lockbox's "keys" operation).
  if (IsTenantKeyRead(route.op)) {
    if (std::optional<ApiReply> denied = CheckOperatorKeyAccess(caller, route, &approval_id)) return *denied;
  }
  ApiReply reply = Dispatch(caller, route, body);
  if (!approval_id.empty() && reply.ok()) {
    // The approval that let an operator read the key: in the reply, and
    // from there in the transparency-log entry (admin_audit.h).
    nlohmann::json doc = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) {
      doc["approval_id"] = approval_id;
      reply = JsonReply(reply.status, doc);
    }
  }
  if (reply.ok() && IsMutation(route.op)) {
    // Who changed what; never secrets (the audit log will take this over).
    spdlog::info("admin: {}{} by {} -> {}", route.OpName(), Target(route), Who(caller), reply.status);
  }
  return reply;
}

ApiReply AdminApi::Dispatch(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  using O = AdminOp;
  switch (route.op) {
    case O::kCreateTenant: return CreateTenant(body);
    case O::kListTenants: return ListTenants();
    case O::kGetTenant: return GetTenant(route);
    case O::kUpdateTenant: return UpdateTenant(route, body);
    case O::kDeleteTenant: return DeleteTenant(route);
    case O::kCreateUser: return CreateUser(route, body);
    case O::kListUsers: return ListUsers(route);
    case O::kGetUser: return GetUser(route);
    case O::kDeleteUser: return DeleteUser(route);
    case O::kCreateKey: return CreateKey(route, body);
    case O::kListKeys: return ListKeys(route);
    case O::kUpdateKey: return UpdateKey(caller, route, body);
    case O::kDeleteKey: return DeleteKey(route);
    case O::kPutPolicy: return PutPolicy(route, body);
    case O::kGetPolicy: return GetPolicy(route);
    case O::kListPolicies: return ListPolicies(route);
    case O::kDeletePolicy: return DeletePolicy(route);
    case O::kListOperators: return ListOperators();
    case O::kWhoAmI: return JsonReply(200, WhoAmIJson(caller));
    case O::kGetUsage: return GetUsage(route, false);
    case O::kRecountUsage: return GetUsage(route, true);
    case O::kGetTenantKey: return GetTenantKey(route);
    case O::kPutKeyPolicy: return PutKeyPolicy(route, body);
    case O::kDestroyTenantKey: return DestroyTenantKey(caller, route, body);
    case O::kCreateOperator: return CreateOperator(body);
    case O::kCreateAccessRequest: return CreateAccessRequest(caller, body);
    case O::kListAccessRequests: return ListAccessRequests(caller);
    case O::kGetAccessRequest: return GetAccessRequest(caller, route);
    case O::kApproveAccessRequest:
    case O::kDenyAccessRequest:
    case O::kRevokeAccessRequest:
    case O::kCancelAccessRequest:
    case O::kCoSignAccessRequest: return DecideAccessRequest(caller, route, body);
    case O::kGetAccessSettings:
    case O::kPutAccessSettings: return AccessSettings(route, body);
    case O::kGetTenantResidency:
    case O::kPutTenantResidency:
    case O::kDeleteTenantResidency:
    case O::kMigrateTenantResidency:
    case O::kResidencyReport:
    case O::kGetBucketResidency:
    case O::kPutBucketResidency:
    case O::kDeleteBucketResidency:
    case O::kMigrateBucketResidency:
      return Residency(caller, route, body);
    case O::kRotateTenantKey: return RotateTenantKey(route);
    case O::kGetKeyRotation: return GetKeyRotation(route);
    case O::kShredBucket: return ShredBucket(caller, route, body);
    case O::kGetBucketQuota:
    case O::kSetBucketQuota: return BucketQuota(route, body);
    case O::kResyncBucketReplication: return ResyncBucketReplication(route);
    case O::kRotateBucketKey: return RotateBucketKey(route);
    case O::kGetBucketKeyRotation: return GetBucketKeyRotation(route);
    case O::kGetReclamation: return GetReclamation(route);
    case O::kPutExternalKey: return PutExternalKey(route, body);
    case O::kDeleteExternalKey: return SwitchExternalKey(route, std::nullopt);
    case O::kRotateRootKey: return RotateRootKey();
    case O::kGetRootKeyRotation: return GetRootKeyRotation();
    case O::kStartBackup: return StartBackup(body);
    case O::kGetBackup: return GetBackup();
    case O::kStartScrub: return StartScrub(caller, body);
    case O::kGetScrub: return GetScrub();
    case O::kStopScrub: return StopScrub();
    case O::kListKmsKeys: return ListKmsKeys(route);
    case O::kCreateKmsKey: return CreateKmsKey(route, body);
    case O::kGetKmsKey: return GetKmsKey(route);
    case O::kPutKmsKeyPolicy: return PutKmsKeyPolicy(route, body);
    case O::kRotateKmsKey: return RotateKmsKey(route);
    case O::kPutKmsKeyRotation: return PutKmsKeyRotation(route, body);
    case O::kDestroyKmsKey: return DestroyKmsKey(caller, route, body);
  }
  return ErrorReply(AdminErrorCode::kNoSuchResource);
}

}  // namespace confiance::admin

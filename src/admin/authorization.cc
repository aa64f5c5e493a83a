// File: admin/authorization.cc
#include "admin/authorization.h"

#include "iam/directory.h"

namespace confiance::admin {
namespace {

// Operations a tenant root may perform on its own tenant.
bool TenantRootMayPerform(AdminOp op) {
  using O = AdminOp;
  switch (op) {
    case O::kGetTenant:
    case O::kGetUsage:
    case O::kCreateUser:
    case O::kListUsers:
    case O::kGetUser:
    case O::kDeleteUser:
    case O::kCreateKey:
    case O::kListKeys:
    case O::kUpdateKey:
    case O::kDeleteKey:
    case O::kPutPolicy:
    case O::kGetPolicy:
    case O::kListPolicies:
    case O::kDeletePolicy:
    case O::kGetTenantKey:
    case O::kPutKeyPolicy:
    case O::kDestroyTenantKey:
    case O::kGetAccessSettings:
    case O::kPutAccessSettings:
    // The tenant's side of the lockbox (the handlers check that the
    // request concerns the caller's tenant).
    case O::kListAccessRequests:
    case O::kGetAccessRequest:
    case O::kApproveAccessRequest:
    case O::kDenyAccessRequest:
    case O::kRevokeAccessRequest:
    case O::kGetTenantResidency:
    case O::kMigrateTenantResidency:
    case O::kResidencyReport:
    case O::kGetBucketResidency:
    case O::kPutBucketResidency:
    case O::kDeleteBucketResidency:
    case O::kMigrateBucketResidency:
    case O::kRotateTenantKey:
    case O::kGetKeyRotation:
    case O::kRotateBucketKey:  // rotating gives no access to data: operators too
    case O::kGetBucketKeyRotation:
    case O::kShredBucket:
    case O::kGetReclamation:
    // A bucket's quota: a budget inside the tenant's (operators too).
    case O::kGetBucketQuota:
    case O::kSetBucketQuota:
    // Copying a bucket's versions again to a destination its owner replicates
    // to: no access to data for the caller (operators too).
    case O::kResyncBucketReplication:
    case O::kPutExternalKey:
    case O::kDeleteExternalKey:
    case O::kListKmsKeys:
    case O::kCreateKmsKey:
    case O::kGetKmsKey:
    case O::kPutKmsKeyPolicy:
    case O::kRotateKmsKey:
    case O::kPutKmsKeyRotation:
    case O::kDestroyKmsKey:
      return true;
    case O::kCreateOperator:
    case O::kCreateAccessRequest:
    case O::kCancelAccessRequest:
    case O::kCoSignAccessRequest:
    case O::kPutTenantResidency:     // the ceiling is the operator's
    case O::kDeleteTenantResidency:
    case O::kCreateTenant:
    case O::kListTenants:
    case O::kUpdateTenant:
    case O::kDeleteTenant:
    case O::kListOperators:
    case O::kWhoAmI:
    case O::kRecountUsage:  // a full scan: an operator's tool
    // The server's root key is the operator's (it gives no access to data).
    case O::kRotateRootKey:
    case O::kGetRootKeyRotation:
    // A backup holds every tenant's data (encrypted): the operator's tool.
    case O::kStartBackup:
    case O::kGetBackup:
    // A scrub reads every tenant's data (under the justification each
    // tenant's key policy allows or refuses): a service-wide job.
    case O::kStartScrub:
    case O::kGetScrub:
    case O::kStopScrub:
      return false;
  }
  return false;
}

// Operations that would let an operator reach tenant data: a permission
// (the users it creates start with none) or a key whose secret it learns.
// Deleting a policy is refused too: it can lift an explicit Deny. The
// tenant key's policy and its destruction are the tenant's decisions: an
// operator widening the allowed justifications would defeat them.
bool GrantsAccessToTenantData(AdminOp op) {
  using O = AdminOp;
  switch (op) {
    case O::kPutPolicy:
    case O::kDeletePolicy:
    case O::kCreateKey:
    case O::kPutKeyPolicy:
    case O::kDestroyTenantKey:
    case O::kShredBucket:
    // Which KMS holds the tenant's key is the tenant's choice: an operator
    // moving it back to the server's provider would undo that choice.
    case O::kPutExternalKey:
    case O::kDeleteExternalKey:
    // A named KMS key's life (made, its policy, rotated, destroyed) is the
    // tenant's, as its tenant key's.
    case O::kCreateKmsKey:
    case O::kPutKmsKeyPolicy:
    case O::kRotateKmsKey:
    case O::kPutKmsKeyRotation:
    case O::kDestroyKmsKey:
    // The lockbox: approving, denying, and the tenant's maximum approval
    // are the tenant's decisions (an operator cancels or revokes only its
    // own request, and co-signs break-glass ones).
    case O::kApproveAccessRequest:
    case O::kDenyAccessRequest:
    case O::kPutAccessSettings:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status AuthorizeAdmin(const iam::Principal& caller, const AdminRoute& route) {
  if (caller.kind == iam::PrincipalKind::kOperator &&
      (route.op == AdminOp::kPutBucketResidency || route.op == AdminOp::kDeleteBucketResidency)) {
    return PermissionDeniedError("operators cannot " + std::string(route.OpName()) +
                                 ": a bucket's residency rule is the tenant's (its root's); operators set the ceiling");
  }
  if (caller.kind == iam::PrincipalKind::kOperator) {
    if (GrantsAccessToTenantData(route.op)) {
      return PermissionDeniedError("operators cannot " + std::string(route.OpName()) +
                                   ": that is the tenant's act (its root's), see docs/tenancy.md");
    }
    return OkStatus();
  }
  if (caller.user != iam::kRootUser) {
    return PermissionDeniedError("tenant users cannot use the admin API; ask the tenant's root or an operator");
  }
  if (route.op == AdminOp::kWhoAmI) return OkStatus();
  if (!TenantRootMayPerform(route.op)) {
    return PermissionDeniedError("only operators may " + std::string(route.OpName()));
  }
  // An access request's tenant is known once it is read: the handler
  // answers NoSuchAccessRequest for another tenant's.
  if (IsAccessRequestOp(route.op)) return OkStatus();
  // Same answer whether or not the other tenant exists: a root learns
  // nothing about other tenants.
  if (route.tenant != caller.tenant_id) {
    return PermissionDeniedError("a tenant's root manages only its own tenant");
  }
  return OkStatus();
}

Status AuthorizeKeyStatusChange(const iam::Principal& caller, bool active) {
  if (caller.kind == iam::PrincipalKind::kOperator && active) {
    return PermissionDeniedError(
        "operators may disable an access key but not enable one: that is the tenant's act (its root's)");
  }
  return OkStatus();
}

}  // namespace confiance::admin

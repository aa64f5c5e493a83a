// File: admin/admin_router.cc
#include "admin/admin_router.h"

#include <vector>

#include "common/ascii.h"
#include "s3/sigv4/canonical.h"

namespace confiance::admin {
namespace {

// Splits "a/b/c" into decoded segments; empty segments are an error (they
// would make "/tenants//users" mean something).
Result<std::vector<std::string>> Segments(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) return InvalidArgumentError("empty path segment");
    Result<std::string> decoded = sigv4::PercentDecode(seg, false);
    if (!decoded.ok()) return InvalidArgumentError("bad percent-escape in the path");
    if (decoded->empty()) return InvalidArgumentError("empty name in the path");
    out.push_back(std::move(decoded).value());
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

Status MethodNotAllowed() { return UnimplementedError("method not allowed on this resource"); }

// Picks the op for `method` among the resource's (method, op) pairs.
Result<AdminOp> Pick(std::string_view method, std::initializer_list<std::pair<std::string_view, AdminOp>> ops) {
  for (const auto& [m, op] : ops) {
    if (m == method) return op;
  }
  return MethodNotAllowed();
}

Result<AdminOp> UserScopedOp(std::string_view method, const std::vector<std::string>& s) {
  using O = AdminOp;
  // s = tenants/{t}/users/{u}[/keys[/{ak}] | /policies[/{p}]]
  if (s.size() == 4) return Pick(method, {{"GET", O::kGetUser}, {"DELETE", O::kDeleteUser}});
  if (s[4] == "keys") {
    if (s.size() == 5) return Pick(method, {{"POST", O::kCreateKey}, {"GET", O::kListKeys}});
    if (s.size() == 6) return Pick(method, {{"PATCH", O::kUpdateKey}, {"DELETE", O::kDeleteKey}});
  } else if (s[4] == "policies") {
    if (s.size() == 5) return Pick(method, {{"GET", O::kListPolicies}});
    if (s.size() == 6) {
      return Pick(method, {{"PUT", O::kPutPolicy}, {"GET", O::kGetPolicy}, {"DELETE", O::kDeletePolicy}});
    }
  }
  return NotFoundError("no such admin resource");
}

Result<AdminOp> AccessRequestOp(std::string_view method, const std::vector<std::string>& s) {
  using O = AdminOp;
  // s = access-requests[/{id}[/approve|deny|revoke|cancel|cosign]]
  if (s.size() == 1) return Pick(method, {{"POST", O::kCreateAccessRequest}, {"GET", O::kListAccessRequests}});
  if (s.size() == 2) return Pick(method, {{"GET", O::kGetAccessRequest}});
  if (s.size() == 3) {
    static constexpr std::pair<std::string_view, AdminOp> kActions[] = {
        {"approve", O::kApproveAccessRequest}, {"deny", O::kDenyAccessRequest},
        {"revoke", O::kRevokeAccessRequest},   {"cancel", O::kCancelAccessRequest},
        {"cosign", O::kCoSignAccessRequest}};
    for (const auto& [name, op] : kActions) {
      if (s[2] == name) return Pick(method, {{"POST", op}});
    }
  }
  return NotFoundError("no such admin resource");
}

Result<AdminOp> OpOf(std::string_view method, const std::vector<std::string>& s) {
  using O = AdminOp;
  if (s.size() == 1 && s[0] == "operators") {
    return Pick(method, {{"POST", O::kCreateOperator}, {"GET", O::kListOperators}});
  }
  if (!s.empty() && s[0] == "access-requests") return AccessRequestOp(method, s);
  if (s.size() == 1 && s[0] == "whoami") return Pick(method, {{"GET", O::kWhoAmI}});
  if (s.size() == 2 && s[0] == "root-key" && s[1] == "rotate") return Pick(method, {{"POST", O::kRotateRootKey}});
  if (s.size() == 2 && s[0] == "root-key" && s[1] == "rotation") return Pick(method, {{"GET", O::kGetRootKeyRotation}});
  if (s.size() == 1 && s[0] == "backup") return Pick(method, {{"POST", O::kStartBackup}, {"GET", O::kGetBackup}});
  if (s.size() == 1 && s[0] == "scrub") {
    return Pick(method, {{"POST", O::kStartScrub}, {"GET", O::kGetScrub}, {"DELETE", O::kStopScrub}});
  }
  if (s.empty() || s[0] != "tenants") return NotFoundError("no such admin resource");
  if (s.size() == 1) return Pick(method, {{"POST", O::kCreateTenant}, {"GET", O::kListTenants}});
  if (s.size() == 2) {
    return Pick(method, {{"GET", O::kGetTenant}, {"PATCH", O::kUpdateTenant}, {"DELETE", O::kDeleteTenant}});
  }
  if (s[2] == "usage" && s.size() == 3) return Pick(method, {{"GET", O::kGetUsage}});
  if (s[2] == "usage" && s.size() == 4 && s[3] == "recount") return Pick(method, {{"GET", O::kRecountUsage}});
  if (s[2] == "access-settings" && s.size() == 3) {
    return Pick(method, {{"GET", O::kGetAccessSettings}, {"PUT", O::kPutAccessSettings}});
  }
  if (s[2] == "key" && s.size() == 3) return Pick(method, {{"GET", O::kGetTenantKey}});
  if (s[2] == "key" && s.size() == 4 && s[3] == "policy") return Pick(method, {{"PUT", O::kPutKeyPolicy}});
  if (s[2] == "key" && s.size() == 4 && s[3] == "destroy") return Pick(method, {{"POST", O::kDestroyTenantKey}});
  if (s[2] == "residency" && s.size() == 3) {
    return Pick(method, {{"GET", O::kGetTenantResidency}, {"PUT", O::kPutTenantResidency},
                         {"DELETE", O::kDeleteTenantResidency}});
  }
  if (s[2] == "residency" && s.size() == 4 && s[3] == "migrate") return Pick(method, {{"POST", O::kMigrateTenantResidency}});
  if (s[2] == "buckets" && s.size() >= 5 && s[4] == "residency") {
    if (s.size() == 5) return Pick(method, {{"GET", O::kResidencyReport}});
    if (s.size() == 6 && s[5] == "rule") {
      return Pick(method, {{"GET", O::kGetBucketResidency}, {"PUT", O::kPutBucketResidency},
                           {"DELETE", O::kDeleteBucketResidency}});
    }
    if (s.size() == 6 && s[5] == "migrate") return Pick(method, {{"POST", O::kMigrateBucketResidency}});
  }
  if (s[2] == "key" && s.size() == 4 && s[3] == "rotate") return Pick(method, {{"POST", O::kRotateTenantKey}});
  if (s[2] == "key" && s.size() == 4 && s[3] == "rotation") return Pick(method, {{"GET", O::kGetKeyRotation}});
  if (s[2] == "buckets" && s.size() == 5 && s[4] == "shred") return Pick(method, {{"POST", O::kShredBucket}});
  if (s[2] == "buckets" && s.size() == 5 && s[4] == "quota") {
    return Pick(method, {{"GET", O::kGetBucketQuota}, {"PATCH", O::kSetBucketQuota}});
  }
  if (s[2] == "buckets" && s.size() == 7 && s[4] == "replication" && s[6] == "resync") {
    return Pick(method, {{"POST", O::kResyncBucketReplication}});
  }
  if (s[2] == "buckets" && s.size() == 6 && s[4] == "key" && s[5] == "rotate") {
    return Pick(method, {{"POST", O::kRotateBucketKey}});
  }
  if (s[2] == "buckets" && s.size() == 6 && s[4] == "key" && s[5] == "rotation") {
    return Pick(method, {{"GET", O::kGetBucketKeyRotation}});
  }
  if (s[2] == "reclamation" && s.size() == 3) return Pick(method, {{"GET", O::kGetReclamation}});
  if (s[2] == "kms-keys") {
    if (s.size() == 3) return Pick(method, {{"GET", O::kListKmsKeys}});
    if (s.size() == 4) return Pick(method, {{"POST", O::kCreateKmsKey}, {"GET", O::kGetKmsKey}});
    if (s.size() == 5 && s[4] == "policy") return Pick(method, {{"PUT", O::kPutKmsKeyPolicy}});
    if (s.size() == 5 && s[4] == "rotate") return Pick(method, {{"POST", O::kRotateKmsKey}});
    if (s.size() == 5 && s[4] == "rotation") return Pick(method, {{"PUT", O::kPutKmsKeyRotation}});
    if (s.size() == 5 && s[4] == "destroy") return Pick(method, {{"POST", O::kDestroyKmsKey}});
    return NotFoundError("no such admin resource");
  }
  if (s[2] == "key" && s.size() == 4 && s[3] == "external") {
    return Pick(method, {{"PUT", O::kPutExternalKey}, {"DELETE", O::kDeleteExternalKey}});
  }
  if (s[2] != "users" || s.size() > 6) return NotFoundError("no such admin resource");
  if (s.size() == 3) return Pick(method, {{"POST", O::kCreateUser}, {"GET", O::kListUsers}});
  return UserScopedOp(method, s);
}

}  // namespace

std::string_view AdminRoute::OpName() const { return AdminOpName(op); }

std::string_view AdminOpName(AdminOp op) {
  using O = AdminOp;
  switch (op) {
    case O::kCreateTenant: return "CreateTenant";
    case O::kListTenants: return "ListTenants";
    case O::kGetTenant: return "GetTenant";
    case O::kUpdateTenant: return "UpdateTenant";
    case O::kDeleteTenant: return "DeleteTenant";
    case O::kCreateUser: return "CreateUser";
    case O::kListUsers: return "ListUsers";
    case O::kGetUser: return "GetUser";
    case O::kDeleteUser: return "DeleteUser";
    case O::kCreateKey: return "CreateAccessKey";
    case O::kListKeys: return "ListAccessKeys";
    case O::kUpdateKey: return "UpdateAccessKey";
    case O::kDeleteKey: return "DeleteAccessKey";
    case O::kPutPolicy: return "PutUserPolicy";
    case O::kGetPolicy: return "GetUserPolicy";
    case O::kListPolicies: return "ListUserPolicies";
    case O::kDeletePolicy: return "DeleteUserPolicy";
    case O::kListOperators: return "ListOperators";
    case O::kWhoAmI: return "WhoAmI";
    case O::kGetUsage: return "GetUsage";
    case O::kRecountUsage: return "RecountUsage";
    case O::kGetTenantKey: return "GetTenantKey";
    case O::kPutKeyPolicy: return "PutTenantKeyPolicy";
    case O::kDestroyTenantKey: return "DestroyTenantKey";
    case O::kCreateOperator: return "CreateOperator";
    case O::kCreateAccessRequest: return "CreateAccessRequest";
    case O::kListAccessRequests: return "ListAccessRequests";
    case O::kGetAccessRequest: return "GetAccessRequest";
    case O::kApproveAccessRequest: return "ApproveAccessRequest";
    case O::kDenyAccessRequest: return "DenyAccessRequest";
    case O::kRevokeAccessRequest: return "RevokeAccessRequest";
    case O::kCancelAccessRequest: return "CancelAccessRequest";
    case O::kCoSignAccessRequest: return "CoSignAccessRequest";
    case O::kGetAccessSettings: return "GetAccessSettings";
    case O::kPutAccessSettings: return "PutAccessSettings";
    case O::kGetTenantResidency: return "GetTenantResidency";
    case O::kPutTenantResidency: return "PutTenantResidency";
    case O::kDeleteTenantResidency: return "DeleteTenantResidency";
    case O::kMigrateTenantResidency: return "MigrateTenantResidency";
    case O::kResidencyReport: return "GetResidencyReport";
    case O::kGetBucketResidency: return "GetBucketResidency";
    case O::kPutBucketResidency: return "PutBucketResidency";
    case O::kDeleteBucketResidency: return "DeleteBucketResidency";
    case O::kMigrateBucketResidency: return "MigrateBucketResidency";
    case O::kRotateTenantKey: return "RotateTenantKey";
    case O::kGetKeyRotation: return "GetTenantKeyRotation";
    case O::kShredBucket: return "ShredBucket";
    case O::kGetBucketQuota: return "GetBucketQuota";
    case O::kSetBucketQuota: return "SetBucketQuota";
    case O::kResyncBucketReplication: return "ResyncBucketReplication";
    case O::kGetReclamation: return "GetReclamation";
    case O::kPutExternalKey: return "PutTenantExternalKey";
    case O::kDeleteExternalKey: return "DeleteTenantExternalKey";
    case O::kRotateBucketKey: return "RotateBucketKey";
    case O::kGetBucketKeyRotation: return "GetBucketKeyRotation";
    case O::kRotateRootKey: return "RotateRootKey";
    case O::kGetRootKeyRotation: return "GetRootKeyRotation";
    case O::kStartBackup: return "StartBackup";
    case O::kGetBackup: return "GetBackup";
    case O::kStartScrub: return "StartScrub";
    case O::kGetScrub: return "GetScrub";
    case O::kStopScrub: return "StopScrub";
    case O::kListKmsKeys: return "ListKmsKeys";
    case O::kCreateKmsKey: return "CreateKmsKey";
    case O::kGetKmsKey: return "GetKmsKey";
    case O::kPutKmsKeyPolicy: return "PutKmsKeyPolicy";
    case O::kRotateKmsKey: return "RotateKmsKey";
    case O::kPutKmsKeyRotation: return "PutKmsKeyRotation";
    case O::kDestroyKmsKey: return "DestroyKmsKey";
  }
  return "Unknown";
}

bool IsTenantKeyRead(AdminOp op) {
  return op == AdminOp::kGetTenantKey || op == AdminOp::kListKmsKeys || op == AdminOp::kGetKmsKey;
}

bool IsAccessRequestOp(AdminOp op) {
  using O = AdminOp;
  switch (op) {
    case O::kCreateAccessRequest:
    case O::kListAccessRequests:
    case O::kGetAccessRequest:
    case O::kApproveAccessRequest:
    case O::kDenyAccessRequest:
    case O::kRevokeAccessRequest:
    case O::kCancelAccessRequest:
    case O::kCoSignAccessRequest:
      return true;
    default:
      return false;
  }
}

bool IsVirtualHostBucket(std::string_view host, std::string_view domain) {
  if (domain.empty()) return false;
  if (host.starts_with('[')) return false;  // an IPv6 literal names no bucket
  host = host.substr(0, host.rfind(':'));
  return host.size() > domain.size() + 1 && host[host.size() - domain.size() - 1] == '.' &&
         EqualsIgnoreCase(host.substr(host.size() - domain.size()), domain);
}

bool IsAdminTarget(std::string_view target, std::string_view host, std::string_view vhost_domain) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path != "/_confiance/admin" && !path.starts_with("/_confiance/admin/")) return false;
  return !IsVirtualHostBucket(host, vhost_domain);
}

Result<AdminRoute> RouteAdminRequest(std::string_view method, std::string_view raw_path) {
  if (raw_path != kAdminPrefix && !raw_path.starts_with(std::string(kAdminPrefix) + "/")) {
    return NotFoundError("no such admin resource (the admin API is under " + std::string(kAdminPrefix) + "/)");
  }
  std::string_view rest = raw_path.substr(std::min(raw_path.size(), kAdminPrefix.size() + 1));
  if (rest.ends_with('/')) rest.remove_suffix(1);
  ASSIGN_OR_RETURN(std::vector<std::string> s, Segments(rest));
  ASSIGN_OR_RETURN(AdminOp op, OpOf(method, s));
  AdminRoute route;
  route.op = op;
  if (s.size() >= 2 && s[0] == "access-requests") {
    route.access_request = s[1];
    return route;
  }
  if (s.size() >= 2 && s[0] == "tenants") route.tenant = s[1];
  if (s.size() >= 4 && s[2] == "buckets") {
    route.bucket = s[3];
    if (s.size() >= 6 && s[4] == "replication") route.destination = s[5];
    return route;
  }
  if (s.size() >= 4 && s[2] == "kms-keys") route.kms_key = s[3];
  if (s.size() >= 4 && s[2] == "users") route.user = s[3];
  if (s.size() == 6 && s[4] == "keys") route.access_key = s[5];
  if (s.size() == 6 && s[4] == "policies") route.policy = s[5];
  return route;
}

}  // namespace confiance::admin

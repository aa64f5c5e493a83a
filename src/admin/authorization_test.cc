// File: admin/authorization_test.cc
// The rule of docs/tenancy.md, op by op, for the three kinds of caller.
#include "admin/authorization.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

const AdminOp kAllOps[] = {
    AdminOp::kCreateTenant, AdminOp::kListTenants,  AdminOp::kGetTenant,     AdminOp::kUpdateTenant,
    AdminOp::kDeleteTenant, AdminOp::kCreateUser,   AdminOp::kListUsers,     AdminOp::kGetUser,
    AdminOp::kDeleteUser,   AdminOp::kCreateKey,    AdminOp::kListKeys,      AdminOp::kUpdateKey,
    AdminOp::kDeleteKey,    AdminOp::kPutPolicy,    AdminOp::kGetPolicy,     AdminOp::kListPolicies,
    AdminOp::kDeletePolicy, AdminOp::kListOperators, AdminOp::kWhoAmI,       AdminOp::kGetUsage,
    AdminOp::kRecountUsage,
};

iam::Principal Operator() {
  iam::Principal p;
  p.kind = iam::PrincipalKind::kOperator;
  p.user = "operator";
  return p;
}

iam::Principal TenantPrincipal(std::string tenant, std::string user) {
  iam::Principal p;
  p.kind = iam::PrincipalKind::kTenant;
  p.tenant_id = std::move(tenant);
  p.user = std::move(user);
  return p;
}

AdminRoute RouteFor(AdminOp op, std::string tenant) {
  AdminRoute r;
  r.op = op;
  if (op != AdminOp::kCreateTenant && op != AdminOp::kListTenants && op != AdminOp::kListOperators &&
      op != AdminOp::kWhoAmI) {
    r.tenant = std::move(tenant);
  }
  return r;
}

// Operators administer; what would let a principal reach tenant data (a
// permission, a new key, lifting a Deny) is the tenant's act.
bool OperatorIsRefused(AdminOp op) {
  return op == AdminOp::kPutPolicy || op == AdminOp::kDeletePolicy || op == AdminOp::kCreateKey;
}

TEST(AuthorizationTest, OperatorsAdministerButCannotGrantAccess) {
  for (AdminOp op : kAllOps) {
    Status s = AuthorizeAdmin(Operator(), RouteFor(op, "acme"));
    if (OperatorIsRefused(op)) {
      EXPECT_STATUS_CODE(s, kPermissionDenied) << RouteFor(op, "acme").OpName();
      EXPECT_NE(s.message().find("tenant's act"), std::string::npos) << s.message();
    } else {
      EXPECT_TRUE(s.ok()) << RouteFor(op, "acme").OpName() << ": " << s.ToString();
    }
  }
}

TEST(AuthorizationTest, TheLockboxSplitsTheRoles) {
  iam::Principal root = TenantPrincipal("acme", "root");
  auto route = [](AdminOp op) {
    AdminRoute r;
    r.op = op;
    r.access_request = "ar-1";
    return r;
  };
  // Operators ask, see, cancel, revoke and co-sign; never approve or deny.
  for (AdminOp op : {AdminOp::kCreateAccessRequest, AdminOp::kListAccessRequests, AdminOp::kGetAccessRequest,
                     AdminOp::kCancelAccessRequest, AdminOp::kRevokeAccessRequest, AdminOp::kCoSignAccessRequest,
                     AdminOp::kCreateOperator}) {
    EXPECT_TRUE(AuthorizeAdmin(Operator(), route(op)).ok()) << route(op).OpName();
  }
  for (AdminOp op : {AdminOp::kApproveAccessRequest, AdminOp::kDenyAccessRequest}) {
    EXPECT_STATUS_CODE(AuthorizeAdmin(Operator(), route(op)), kPermissionDenied) << route(op).OpName();
  }
  EXPECT_STATUS_CODE(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kPutAccessSettings, "acme")), kPermissionDenied);
  EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kGetAccessSettings, "acme")));
  // A tenant's root decides (the handler checks the request's tenant); it
  // cannot ask, cancel, co-sign or create operators.
  for (AdminOp op : {AdminOp::kListAccessRequests, AdminOp::kGetAccessRequest, AdminOp::kApproveAccessRequest,
                     AdminOp::kDenyAccessRequest, AdminOp::kRevokeAccessRequest}) {
    EXPECT_TRUE(AuthorizeAdmin(root, route(op)).ok()) << route(op).OpName();
  }
  for (AdminOp op : {AdminOp::kCreateAccessRequest, AdminOp::kCancelAccessRequest, AdminOp::kCoSignAccessRequest,
                     AdminOp::kCreateOperator}) {
    EXPECT_STATUS_CODE(AuthorizeAdmin(root, route(op)), kPermissionDenied) << route(op).OpName();
  }
  EXPECT_OK(AuthorizeAdmin(root, RouteFor(AdminOp::kPutAccessSettings, "acme")));
  EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(AdminOp::kPutAccessSettings, "globex")), kPermissionDenied);
  // Tenant users: nothing.
  EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("acme", "bob"), route(AdminOp::kApproveAccessRequest)),
                     kPermissionDenied);
}

TEST(AuthorizationTest, OnlyTenantRootsReenableKeys) {
  EXPECT_OK(AuthorizeKeyStatusChange(Operator(), /*active=*/false));
  EXPECT_STATUS_CODE(AuthorizeKeyStatusChange(Operator(), /*active=*/true), kPermissionDenied);
  EXPECT_OK(AuthorizeKeyStatusChange(TenantPrincipal("acme", "root"), /*active=*/true));
  EXPECT_OK(AuthorizeKeyStatusChange(TenantPrincipal("acme", "root"), /*active=*/false));
}

TEST(AuthorizationTest, TenantUsersMayDoNothing) {
  iam::Principal bob = TenantPrincipal("acme", "bob");
  for (AdminOp op : kAllOps) {
    EXPECT_STATUS_CODE(AuthorizeAdmin(bob, RouteFor(op, "acme")), kPermissionDenied)
        << RouteFor(op, "acme").OpName();
  }
}

TEST(AuthorizationTest, TenantRootManagesOnlyItsOwnTenantsIdentities) {
  iam::Principal root = TenantPrincipal("acme", "root");
  const AdminOp allowed[] = {AdminOp::kGetTenant,  AdminOp::kCreateUser,   AdminOp::kListUsers,
                             AdminOp::kGetUser,    AdminOp::kDeleteUser,   AdminOp::kCreateKey,
                             AdminOp::kListKeys,   AdminOp::kUpdateKey,    AdminOp::kDeleteKey,
                             AdminOp::kPutPolicy,  AdminOp::kGetPolicy,    AdminOp::kListPolicies,
                             AdminOp::kDeletePolicy};
  for (AdminOp op : allowed) {
    EXPECT_OK(AuthorizeAdmin(root, RouteFor(op, "acme")));
    // The same op on another tenant is refused, whether it exists or not.
    EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(op, "globex")), kPermissionDenied)
        << RouteFor(op, "globex").OpName();
  }
  const AdminOp operator_only[] = {AdminOp::kCreateTenant, AdminOp::kListTenants, AdminOp::kUpdateTenant,
                                   AdminOp::kDeleteTenant, AdminOp::kListOperators};
  for (AdminOp op : operator_only) {
    EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(op, "acme")), kPermissionDenied)
        << RouteFor(op, "acme").OpName();
  }
  EXPECT_OK(AuthorizeAdmin(root, RouteFor(AdminOp::kWhoAmI, "")));
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

// The ceiling is the operator's; a bucket's rule the tenant root's.
TEST(AuthorizationTest, ResidencyCeilingAndBucketRules) {
  iam::Principal root = TenantPrincipal("acme", "root");
  EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kPutTenantResidency, "acme")));
  EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kResidencyReport, "acme")));
  EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kMigrateBucketResidency, "acme")));
  EXPECT_STATUS_CODE(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kPutBucketResidency, "acme")), kPermissionDenied);
  EXPECT_STATUS_CODE(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kDeleteBucketResidency, "acme")), kPermissionDenied);
  EXPECT_OK(AuthorizeAdmin(root, RouteFor(AdminOp::kPutBucketResidency, "acme")));
  EXPECT_OK(AuthorizeAdmin(root, RouteFor(AdminOp::kGetTenantResidency, "acme")));
  EXPECT_OK(AuthorizeAdmin(root, RouteFor(AdminOp::kResidencyReport, "acme")));
  EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(AdminOp::kPutTenantResidency, "acme")), kPermissionDenied);
  EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(AdminOp::kDeleteTenantResidency, "acme")), kPermissionDenied);
  EXPECT_STATUS_CODE(AuthorizeAdmin(root, RouteFor(AdminOp::kResidencyReport, "globex")), kPermissionDenied);
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

// Shredding a bucket is the tenant root's decision, within its tenant;
// anyone administering may read the reclamation jobs.
TEST(AuthorizationTest, BucketShredIsTheTenantRootsAlone) {
  EXPECT_STATUS_CODE(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kShredBucket, "acme")), kPermissionDenied);
  EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(AdminOp::kGetReclamation, "acme")));
  EXPECT_OK(AuthorizeAdmin(TenantPrincipal("acme", "root"), RouteFor(AdminOp::kShredBucket, "acme")));
  EXPECT_OK(AuthorizeAdmin(TenantPrincipal("acme", "root"), RouteFor(AdminOp::kGetReclamation, "acme")));
  EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("globex", "root"), RouteFor(AdminOp::kShredBucket, "acme")),
                     kPermissionDenied);
  EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("acme", "alice"), RouteFor(AdminOp::kShredBucket, "acme")),
                     kPermissionDenied);
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

// Rotating a bucket key gives no access to data: the tenant's root or an
// operator, as for a tenant key; no other tenant, no plain user.
TEST(AuthorizationTest, BucketKeyRotationIsTheTenantRootsOrAnOperators) {
  // (A replication resync, too: it copies data the tenant replicates already.)
  for (AdminOp op : {AdminOp::kRotateBucketKey, AdminOp::kGetBucketKeyRotation, AdminOp::kResyncBucketReplication}) {
    EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(op, "acme")));
    EXPECT_OK(AuthorizeAdmin(TenantPrincipal("acme", "root"), RouteFor(op, "acme")));
    EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("globex", "root"), RouteFor(op, "acme")), kPermissionDenied);
    EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("acme", "alice"), RouteFor(op, "acme")), kPermissionDenied);
  }
}

// A bucket's quota is a budget inside the tenant's: its root or an
// operator, as above.
TEST(AuthorizationTest, BucketQuotaIsTheTenantRootsOrAnOperators) {
  for (AdminOp op : {AdminOp::kGetBucketQuota, AdminOp::kSetBucketQuota}) {
    EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(op, "acme")));
    EXPECT_OK(AuthorizeAdmin(TenantPrincipal("acme", "root"), RouteFor(op, "acme")));
    EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("globex", "root"), RouteFor(op, "acme")), kPermissionDenied);
    EXPECT_STATUS_CODE(AuthorizeAdmin(TenantPrincipal("acme", "alice"), RouteFor(op, "acme")), kPermissionDenied);
  }
}

}  // namespace
}  // namespace confiance::admin

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
    AdminOp::kDeletePolicy, AdminOp::kListOperators, AdminOp::kWhoAmI,
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

TEST(AuthorizationTest, OperatorsMayDoEverything) {
  for (AdminOp op : kAllOps) EXPECT_OK(AuthorizeAdmin(Operator(), RouteFor(op, "acme")));
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

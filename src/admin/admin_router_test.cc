// File: admin/admin_router_test.cc
#include "admin/admin_router.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

std::string P(std::string_view rest) { return std::string(kAdminPrefix) + std::string(rest); }

TEST(AdminRouterTest, RoutesEveryResource) {
  struct Case {
    std::string method, path;
    AdminOp op;
  };
  const Case cases[] = {
      {"POST", "/tenants", AdminOp::kCreateTenant},
      {"GET", "/tenants", AdminOp::kListTenants},
      {"GET", "/tenants/acme", AdminOp::kGetTenant},
      {"PATCH", "/tenants/acme", AdminOp::kUpdateTenant},
      {"DELETE", "/tenants/acme", AdminOp::kDeleteTenant},
      {"POST", "/tenants/acme/users", AdminOp::kCreateUser},
      {"GET", "/tenants/acme/users", AdminOp::kListUsers},
      {"GET", "/tenants/acme/users/bob", AdminOp::kGetUser},
      {"DELETE", "/tenants/acme/users/bob", AdminOp::kDeleteUser},
      {"POST", "/tenants/acme/users/bob/keys", AdminOp::kCreateKey},
      {"GET", "/tenants/acme/users/bob/keys", AdminOp::kListKeys},
      {"PATCH", "/tenants/acme/users/bob/keys/AK1", AdminOp::kUpdateKey},
      {"DELETE", "/tenants/acme/users/bob/keys/AK1", AdminOp::kDeleteKey},
      {"GET", "/tenants/acme/users/bob/policies", AdminOp::kListPolicies},
      {"PUT", "/tenants/acme/users/bob/policies/p1", AdminOp::kPutPolicy},
      {"GET", "/tenants/acme/users/bob/policies/p1", AdminOp::kGetPolicy},
      {"DELETE", "/tenants/acme/users/bob/policies/p1", AdminOp::kDeletePolicy},
      {"GET", "/operators", AdminOp::kListOperators},
      {"GET", "/whoami", AdminOp::kWhoAmI},
      {"POST", "/operators", AdminOp::kCreateOperator},
      {"POST", "/access-requests", AdminOp::kCreateAccessRequest},
      {"GET", "/access-requests", AdminOp::kListAccessRequests},
      {"GET", "/access-requests/ar-1", AdminOp::kGetAccessRequest},
      {"POST", "/access-requests/ar-1/approve", AdminOp::kApproveAccessRequest},
      {"POST", "/access-requests/ar-1/deny", AdminOp::kDenyAccessRequest},
      {"POST", "/access-requests/ar-1/revoke", AdminOp::kRevokeAccessRequest},
      {"POST", "/access-requests/ar-1/cancel", AdminOp::kCancelAccessRequest},
      {"POST", "/access-requests/ar-1/cosign", AdminOp::kCoSignAccessRequest},
      {"GET", "/tenants/acme/access-settings", AdminOp::kGetAccessSettings},
      {"PUT", "/tenants/acme/access-settings", AdminOp::kPutAccessSettings},
      {"GET", "/tenants/acme/kms-keys", AdminOp::kListKmsKeys},
      {"POST", "/tenants/acme/kms-keys/payroll", AdminOp::kCreateKmsKey},
      {"GET", "/tenants/acme/kms-keys/payroll", AdminOp::kGetKmsKey},
      {"PUT", "/tenants/acme/kms-keys/payroll/policy", AdminOp::kPutKmsKeyPolicy},
      {"POST", "/tenants/acme/kms-keys/payroll/rotate", AdminOp::kRotateKmsKey},
      {"PUT", "/tenants/acme/kms-keys/payroll/rotation", AdminOp::kPutKmsKeyRotation},
      {"POST", "/tenants/acme/kms-keys/payroll/destroy", AdminOp::kDestroyKmsKey},
  };
  for (const Case& c : cases) {
    Result<AdminRoute> r = RouteAdminRequest(c.method, P(c.path));
    ASSERT_TRUE(r.ok()) << c.method << " " << c.path << ": " << r.status().ToString();
    EXPECT_EQ(r->op, c.op) << c.method << " " << c.path;
  }
}

TEST(AdminRouterTest, ExtractsDecodedNames) {
  ASSERT_OK_AND_ASSIGN(AdminRoute r, RouteAdminRequest("PATCH", P("/tenants/acme/users/a%2Bb%40c/keys/AK%5F1")));
  EXPECT_EQ(r.tenant, "acme");
  EXPECT_EQ(r.user, "a+b@c");
  EXPECT_EQ(r.access_key, "AK_1");
  EXPECT_TRUE(r.policy.empty());
  ASSERT_OK_AND_ASSIGN(AdminRoute p, RouteAdminRequest("PUT", P("/tenants/t1/users/u/policies/read%2Fonly")));
  EXPECT_EQ(p.policy, "read/only");  // %2F is inside the name, not a separator
  EXPECT_TRUE(p.access_key.empty());
  ASSERT_OK_AND_ASSIGN(AdminRoute k, RouteAdminRequest("POST", P("/tenants/acme/kms-keys/pay%5Froll/destroy")));
  EXPECT_EQ(k.tenant, "acme");
  EXPECT_EQ(k.kms_key, "pay_roll");
  EXPECT_FALSE(RouteAdminRequest("GET", P("/tenants/acme/kms-keys/payroll/other")).ok());
}

TEST(AdminRouterTest, AccessRequestRoutes) {
  ASSERT_OK_AND_ASSIGN(AdminRoute r, RouteAdminRequest("POST", P("/access-requests/ar-00ff/approve")));
  EXPECT_EQ(r.access_request, "ar-00ff");
  EXPECT_TRUE(r.tenant.empty());
  EXPECT_TRUE(IsAccessRequestOp(r.op));
  EXPECT_FALSE(IsAccessRequestOp(AdminOp::kGetAccessSettings));
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/access-requests/ar-1/approve")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("DELETE", P("/access-requests/ar-1")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("POST", P("/access-requests/ar-1/grant")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("POST", P("/access-requests/ar-1/approve/x")), kNotFound);
}

TEST(AdminRouterTest, ToleratesOneTrailingSlash) {
  ASSERT_OK_AND_ASSIGN(AdminRoute r, RouteAdminRequest("GET", P("/tenants/")));
  EXPECT_EQ(r.op, AdminOp::kListTenants);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants//")), kInvalidArgument);
}

TEST(AdminRouterTest, WrongMethodIsMethodNotAllowed) {
  EXPECT_STATUS_CODE(RouteAdminRequest("DELETE", P("/tenants")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("PUT", P("/tenants/acme")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("POST", P("/tenants/acme/users/bob/policies")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("POST", P("/whoami")), kUnimplemented);
}

TEST(AdminRouterTest, UnknownPathsAreNotFound) {
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", "/_confiance/admin/v2/tenants"), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", "/_confiance/admin/v1x/tenants"), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/buckets")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/groups")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/users/bob/keys/AK/x")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/users/bob/tags")), kNotFound);
}

TEST(AdminRouterTest, BadEscapesAreInvalid) {
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/a%zz")), kInvalidArgument);
}

TEST(AdminRouterTest, AdminTargets) {
  EXPECT_TRUE(IsAdminTarget("/_confiance/admin/v1/tenants"));
  EXPECT_TRUE(IsAdminTarget("/_confiance/admin/v1/tenants?x=1"));
  EXPECT_TRUE(IsAdminTarget("/_confiance/admin"));
  EXPECT_TRUE(IsAdminTarget("/_confiance/admin?list"));
  EXPECT_FALSE(IsAdminTarget("/_confiance/health"));
  EXPECT_FALSE(IsAdminTarget("/_confiance/administrator"));
  EXPECT_FALSE(IsAdminTarget("/bucket/_confiance/admin/v1"));
  EXPECT_FALSE(IsAdminTarget("/"));
}

TEST(AdminRouterTest, VirtualHostRequestsAreObjectKeys) {
  const std::string_view target = "/_confiance/admin/v1/tenants";
  EXPECT_TRUE(IsAdminTarget(target, "s3.example.com", "s3.example.com"));
  EXPECT_TRUE(IsAdminTarget(target, "s3.example.com:9000", "s3.example.com"));
  EXPECT_TRUE(IsAdminTarget(target, "127.0.0.1:9000", "s3.example.com"));
  EXPECT_TRUE(IsAdminTarget(target, "[::1]:9000", "s3.example.com"));
  EXPECT_TRUE(IsAdminTarget(target, "photos.s3.example.com", ""));  // virtual hosts off
  // The key "_confiance/admin/v1/tenants" of bucket "photos".
  EXPECT_FALSE(IsAdminTarget(target, "photos.s3.example.com", "s3.example.com"));
  EXPECT_FALSE(IsAdminTarget(target, "Photos.S3.Example.COM:9000", "s3.example.com"));
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

TEST(AdminRouterTest, ResidencyRoutes) {
  struct Case {
    const char* method;
    const char* path;
    AdminOp op;
  };
  const Case cases[] = {
      {"GET", "/tenants/acme/residency", AdminOp::kGetTenantResidency},
      {"PUT", "/tenants/acme/residency", AdminOp::kPutTenantResidency},
      {"DELETE", "/tenants/acme/residency", AdminOp::kDeleteTenantResidency},
      {"POST", "/tenants/acme/residency/migrate", AdminOp::kMigrateTenantResidency},
      {"GET", "/tenants/acme/buckets/b%2Ex/residency", AdminOp::kResidencyReport},
      {"GET", "/tenants/acme/buckets/b%2Ex/residency/rule", AdminOp::kGetBucketResidency},
      {"PUT", "/tenants/acme/buckets/b%2Ex/residency/rule", AdminOp::kPutBucketResidency},
      {"DELETE", "/tenants/acme/buckets/b%2Ex/residency/rule", AdminOp::kDeleteBucketResidency},
      {"POST", "/tenants/acme/buckets/b%2Ex/residency/migrate", AdminOp::kMigrateBucketResidency},
      {"GET", "/tenants/acme/buckets/b%2Ex/quota", AdminOp::kGetBucketQuota},
      {"PATCH", "/tenants/acme/buckets/b%2Ex/quota", AdminOp::kSetBucketQuota},
  };
  for (const Case& c : cases) {
    Result<AdminRoute> r = RouteAdminRequest(c.method, P(c.path));
    ASSERT_TRUE(r.ok()) << c.method << " " << c.path << ": " << r.status().ToString();
    EXPECT_EQ(r->op, c.op) << c.path;
    EXPECT_EQ(r->tenant, "acme");
    EXPECT_TRUE(r->user.empty()) << c.path;
    if (std::string_view(c.path).find("/buckets/") != std::string_view::npos) {
      EXPECT_EQ(r->bucket, "b.x");
    }
  }
  EXPECT_STATUS_CODE(RouteAdminRequest("PUT", P("/tenants/acme/buckets/b/residency")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/buckets/b")), kNotFound);
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/buckets/b/residency/other")), kNotFound);
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

TEST(AdminRouterTest, ShredRoutes) {
  Result<AdminRoute> shred = RouteAdminRequest("POST", std::string(kAdminPrefix) + "/tenants/acme/buckets/b%2Ex/shred");
  ASSERT_TRUE(shred.ok()) << shred.status().ToString();
  EXPECT_EQ(shred->op, AdminOp::kShredBucket);
  EXPECT_EQ(shred->tenant, "acme");
  EXPECT_EQ(shred->bucket, "b.x");
  EXPECT_EQ(shred->OpName(), "ShredBucket");
  EXPECT_EQ(RouteAdminRequest("GET", std::string(kAdminPrefix) + "/tenants/acme/buckets/b/shred").status().code(),
            StatusCode::kUnimplemented);
  Result<AdminRoute> jobs = RouteAdminRequest("GET", std::string(kAdminPrefix) + "/tenants/acme/reclamation");
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_EQ(jobs->op, AdminOp::kGetReclamation);
  EXPECT_EQ(jobs->OpName(), "GetReclamation");
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

TEST(AdminRouterTest, ReplicationResyncRoute) {
  ASSERT_OK_AND_ASSIGN(AdminRoute r,
                       RouteAdminRequest("POST", P("/tenants/acme/buckets/photos/replication/dr/resync")));
  EXPECT_EQ(r.op, AdminOp::kResyncBucketReplication);
  EXPECT_EQ(r.tenant, "acme");
  EXPECT_EQ(r.bucket, "photos");
  EXPECT_EQ(r.destination, "dr");
  EXPECT_EQ(r.OpName(), "ResyncBucketReplication");
  EXPECT_STATUS_CODE(RouteAdminRequest("GET", P("/tenants/acme/buckets/photos/replication/dr/resync")), kUnimplemented);
  EXPECT_STATUS_CODE(RouteAdminRequest("POST", P("/tenants/acme/buckets/photos/replication/dr")), kNotFound);
}

TEST(AdminRouterTest, BucketKeyRotationRoutes) {
  Result<AdminRoute> rotate =
      RouteAdminRequest("POST", std::string(kAdminPrefix) + "/tenants/acme/buckets/b%2Ex/key/rotate");
  ASSERT_TRUE(rotate.ok()) << rotate.status().ToString();
  EXPECT_EQ(rotate->op, AdminOp::kRotateBucketKey);
  EXPECT_EQ(rotate->tenant, "acme");
  EXPECT_EQ(rotate->bucket, "b.x");
  EXPECT_EQ(rotate->OpName(), "RotateBucketKey");
  Result<AdminRoute> progress = RouteAdminRequest("GET", std::string(kAdminPrefix) + "/tenants/acme/buckets/b/key/rotation");
  ASSERT_TRUE(progress.ok()) << progress.status().ToString();
  EXPECT_EQ(progress->op, AdminOp::kGetBucketKeyRotation);
  EXPECT_EQ(progress->OpName(), "GetBucketKeyRotation");
  EXPECT_EQ(RouteAdminRequest("GET", std::string(kAdminPrefix) + "/tenants/acme/buckets/b/key/rotate").status().code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(RouteAdminRequest("POST", std::string(kAdminPrefix) + "/tenants/acme/buckets/b/key/other").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace confiance::admin

// File: s3/authorize_test.cc
// The authorization rule of docs/tenancy.md, case by case, over the fake
// MetaStore: tenants and users from iam::Directory, policies and ACLs as a
// bucket record carries them.
#include "s3/authorize.h"

#include <gtest/gtest.h>

#include "iam/acl/acl_format.h"
#include "iam/acl/canned_acl.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

class AuthorizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"alpha", "beta"}) {
      iam::TenantRecord t;
      t.id = id;
      ASSERT_OK(dir_.CreateTenant(t));
    }
    ASSERT_OK(dir_.CreateUser("alpha", "alice"));
    ASSERT_OK(dir_.CreateUser("beta", "bob"));
    alpha_ = *dir_.GetTenant("alpha");
    beta_ = *dir_.GetTenant("beta");
    bucket_.name = "data";
    bucket_.id = "id1";
    bucket_.owner = "alpha";
  }

  // Whether `user` of `tenant` ("" = anonymous) may do `action` on data/key.
  bool Allowed(std::string_view tenant, std::string_view user, std::string_view action, std::string_view key = "k",
               const iam::acl::Acl* object_acl = nullptr) {
    iam::Principal p;
    p.tenant_id = std::string(tenant);
    p.user = std::string(user);
    return AllowedAs(p, action, key, object_acl);
  }

  bool AllowedAs(const iam::Principal& p, std::string_view action, std::string_view key,
                 const iam::acl::Acl* object_acl = nullptr) {
    RequesterInfo who;
    who.anonymous = p.tenant_id.empty();
    who.principal = &p;
    who.tenant = p.tenant_id == "alpha" ? &alpha_ : &beta_;
    AccessCheck check;
    check.action = action;
    check.bucket = bucket_.name;
    check.key = key;
    check.bucket_record = &bucket_;
    check.object_acl = object_acl;
    return !authz_.Check(request_, who, check).has_value();
  }

  // As Allowed, for a session of `user` (iam/session_tokens.h) limited by
  // `policy` when `limited` ("" = none, which then allows nothing).
  bool SessionAllowed(std::string_view tenant, std::string_view user, bool limited, std::string_view policy,
                      std::string_view action, std::string_view key = "k") {
    iam::Principal p;
    p.access_key_id = "CTSESSION";  // its cached policy is reparsed when the text changes
    p.tenant_id = std::string(tenant);
    p.user = std::string(user);
    auto claims = std::make_shared<iam::SessionClaims>();
    claims->limited = limited;
    claims->policy = std::string(policy);
    p.session = claims;
    return AllowedAs(p, action, key);
  }

  void PutIdentityPolicy(std::string_view tenant, std::string_view user, std::string_view doc) {
    ASSERT_OK(dir_.PutUserPolicy(tenant, user, "p", doc));
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  iam::CredentialStore creds_{store_, keys_};
  iam::Directory dir_{store_, creds_};
  Authorizer authz_{dir_};
  iam::TenantRecord alpha_, beta_;
  catalog::BucketRecord bucket_;
  http::Request request_;
};

constexpr std::string_view kAllowAllS3 =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";

TEST_F(AuthorizeTest, OwnerRootYesOthersNo) {
  EXPECT_TRUE(Allowed("alpha", "root", "s3:GetObject"));
  EXPECT_FALSE(Allowed("alpha", "alice", "s3:GetObject"));  // a user without policy
  EXPECT_FALSE(Allowed("beta", "root", "s3:GetObject"));
  EXPECT_FALSE(Allowed("", "", "s3:GetObject"));
}

TEST_F(AuthorizeTest, ASessionPolicyNarrowsWhatTheCallerMayDoAndNeverWidensIt) {
  constexpr std::string_view kPublicReads =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/public/*"}]})";
  constexpr std::string_view kDenyDeletes =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},)"
      R"({"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]})";
  // Unlimited (GetSessionToken): the caller's own rights, root or user.
  EXPECT_TRUE(SessionAllowed("alpha", "root", false, "", "s3:DeleteObject"));
  EXPECT_FALSE(SessionAllowed("alpha", "alice", false, "", "s3:GetObject"));
  // The owner's root, narrowed: even on the hot path and for the bucket
  // policy actions a root may always use.
  EXPECT_TRUE(SessionAllowed("alpha", "root", true, kPublicReads, "s3:GetObject", "public/a"));
  EXPECT_FALSE(SessionAllowed("alpha", "root", true, kPublicReads, "s3:GetObject", "private/a"));
  EXPECT_FALSE(SessionAllowed("alpha", "root", true, kPublicReads, "s3:PutObject", "public/a"));
  EXPECT_FALSE(SessionAllowed("alpha", "root", true, kPublicReads, "s3:PutBucketPolicy", ""));
  EXPECT_TRUE(SessionAllowed("alpha", "root", true, kDenyDeletes, "s3:PutObject"));
  EXPECT_FALSE(SessionAllowed("alpha", "root", true, kDenyDeletes, "s3:DeleteObject"));
  // Limited without a policy: nothing.
  EXPECT_FALSE(SessionAllowed("alpha", "root", true, "", "s3:GetObject", "public/a"));
  // A user: the session policy cannot add what its identity policies lack.
  EXPECT_FALSE(SessionAllowed("alpha", "alice", true, kAllowAllS3, "s3:GetObject"));
  PutIdentityPolicy("alpha", "alice", kAllowAllS3);
  EXPECT_TRUE(SessionAllowed("alpha", "alice", true, kPublicReads, "s3:GetObject", "public/a"));
  EXPECT_FALSE(SessionAllowed("alpha", "alice", true, kPublicReads, "s3:GetObject", "private/a"));
  // Another tenant's root: the bucket grants it nothing, whatever its session says.
  EXPECT_FALSE(SessionAllowed("beta", "root", true, kAllowAllS3, "s3:GetObject"));
}

TEST_F(AuthorizeTest, IdentityPolicyAllowsAndExplicitDenyWins) {
  PutIdentityPolicy("alpha", "alice", kAllowAllS3);
  EXPECT_TRUE(Allowed("alpha", "alice", "s3:GetObject"));
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::alpha:user/alice"},
                       "Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/*"}]})";
  EXPECT_FALSE(Allowed("alpha", "alice", "s3:DeleteObject"));
  EXPECT_TRUE(Allowed("alpha", "alice", "s3:GetObject"));
}

TEST_F(AuthorizeTest, CrossTenantNeedsTheBucketGrantAndTheUsersOwnPolicy) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::beta:root"},
                       "Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]})";
  EXPECT_TRUE(Allowed("beta", "root", "s3:GetObject"));
  EXPECT_FALSE(Allowed("beta", "root", "s3:PutObject"));
  EXPECT_FALSE(Allowed("beta", "bob", "s3:GetObject"));  // bob's own policy is missing
  PutIdentityPolicy("beta", "bob", kAllowAllS3);
  EXPECT_TRUE(Allowed("beta", "bob", "s3:GetObject"));
  // bob's identity policy alone does not open alpha's other actions.
  EXPECT_FALSE(Allowed("beta", "bob", "s3:PutObject"));
}

TEST_F(AuthorizeTest, AclGrantsAndBlockPublicAccess) {
  iam::acl::CanonicalUser owner{alpha_.canonical_id, "alpha"};
  bucket_.acl = iam::acl::EncodeAcl(iam::acl::CannedBucketAcl(iam::acl::CannedAcl::kPublicRead, owner));
  EXPECT_TRUE(Allowed("", "", "s3:ListBucket", ""));
  EXPECT_TRUE(Allowed("beta", "root", "s3:ListBucket", ""));
  EXPECT_FALSE(Allowed("", "", "s3:GetObject"));  // a bucket ACL does not open objects
  iam::acl::Acl object_public = iam::acl::CannedObjectAcl(iam::acl::CannedAcl::kPublicRead, owner, owner);
  EXPECT_TRUE(Allowed("", "", "s3:GetObject", "k", &object_public));
  bucket_.public_access_block = iam::acl::EncodePublicAccessBlock({false, /*ignore_public_acls=*/true, false, false});
  EXPECT_FALSE(Allowed("", "", "s3:ListBucket", ""));
  EXPECT_FALSE(Allowed("", "", "s3:GetObject", "k", &object_public));
  // The tenant-wide setting counts as well.
  bucket_.public_access_block = -1;
  alpha_.public_access_block = 2;
  ASSERT_OK(dir_.UpdateTenant(alpha_));
  EXPECT_FALSE(Allowed("", "", "s3:ListBucket", ""));
  alpha_.public_access_block = -1;
  ASSERT_OK(dir_.UpdateTenant(alpha_));
  EXPECT_TRUE(Allowed("", "", "s3:ListBucket", ""));
  bucket_.ownership = "BucketOwnerEnforced";  // ACLs disabled
  EXPECT_FALSE(Allowed("", "", "s3:ListBucket", ""));
}

TEST_F(AuthorizeTest, PublicPolicyAndRestrictPublicBuckets) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
                       "Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]})";
  EXPECT_TRUE(Allowed("", "", "s3:GetObject"));
  EXPECT_TRUE(Allowed("beta", "root", "s3:GetObject"));
  bucket_.public_access_block = iam::acl::EncodePublicAccessBlock({false, false, false, /*restrict_public_buckets=*/true});
  EXPECT_FALSE(Allowed("", "", "s3:GetObject"));
  EXPECT_FALSE(Allowed("beta", "root", "s3:GetObject"));
  // Inside the owner's tenant the public grant still serves a user.
  EXPECT_TRUE(Allowed("alpha", "alice", "s3:GetObject"));
}

TEST_F(AuthorizeTest, OwnerTenantGrantDoesNotCarryOverToItsUsers) {
  // The default ACL grants FULL_CONTROL to alpha's canonical id: alice must
  // not inherit it, or identity policies would mean nothing.
  iam::acl::CanonicalUser owner{alpha_.canonical_id, "alpha"};
  bucket_.acl = iam::acl::EncodeAcl(iam::acl::CannedBucketAcl(iam::acl::CannedAcl::kPrivate, owner));
  EXPECT_FALSE(Allowed("alpha", "alice", "s3:ListBucket", ""));
  // A grant to beta's canonical id serves beta's root.
  iam::acl::Acl acl = iam::acl::CannedBucketAcl(iam::acl::CannedAcl::kPrivate, owner);
  acl.grants.push_back({iam::acl::Grantee::User(beta_.canonical_id), iam::acl::Permission::kRead});
  bucket_.acl = iam::acl::EncodeAcl(acl);
  EXPECT_TRUE(Allowed("beta", "root", "s3:ListBucket", ""));
  EXPECT_FALSE(Allowed("beta", "root", "s3:PutObject"));
}

TEST_F(AuthorizeTest, ConditionKeysComeFromTheRequest) {
  request_.remote_address = "127.0.0.1";
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                       "Resource":"arn:aws:s3:::data/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]})";
  EXPECT_FALSE(Allowed("", "", "s3:GetObject"));
  request_.remote_address = "10.1.2.3";
  EXPECT_TRUE(Allowed("", "", "s3:GetObject"));
}

}  // namespace
}  // namespace confiance::s3

// File: iam/directory_test.cc
#include "iam/directory.h"

#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam {
namespace {

class DirectoryTest : public ::testing::Test {
 protected:
  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  CredentialStore creds_{store_, keys_};
  Directory dir_{store_, creds_};
};

TEST_F(DirectoryTest, TenantComesWithRootUserAndKey) {
  TenantRecord t;
  t.id = "acme";
  t.quotas.max_buckets = 3;
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, dir_.CreateTenant(t));
  ASSERT_OK_AND_ASSIGN(TenantRecord got, dir_.GetTenant("acme"));
  EXPECT_EQ(got.display_name, "acme");
  EXPECT_EQ(got.canonical_id.size(), 64u);
  EXPECT_EQ(got.quotas.max_buckets, 3u);
  ASSERT_OK_AND_ASSIGN(TenantRecord by_cid, dir_.GetTenantByCanonicalId(got.canonical_id));
  EXPECT_EQ(by_cid.id, "acme");
  ASSERT_OK_AND_ASSIGN(UserRecord root, dir_.GetUser("acme", "root"));
  EXPECT_EQ(root.name, "root");
  ASSERT_OK_AND_ASSIGN(Credential c, creds_.Lookup(k.access_key_id));
  EXPECT_EQ(c.principal.tenant_id, "acme");
  EXPECT_EQ(c.principal.user, "root");
  EXPECT_STATUS_CODE(dir_.CreateTenant(t), kAlreadyExists);
  EXPECT_EQ(UserArn("acme", "root"), "arn:aws:iam::acme:root");
  EXPECT_EQ(UserArn("acme", "bob"), "arn:aws:iam::acme:user/bob");
}

TEST_F(DirectoryTest, RejectsBadNames) {
  TenantRecord t;
  t.id = "Bad_Id";
  EXPECT_STATUS_CODE(dir_.CreateTenant(t), kInvalidArgument);
  t.id = "-x";
  EXPECT_STATUS_CODE(dir_.CreateTenant(t), kInvalidArgument);
  t.id = "alias";  // reserved: alias/NAME is an SSE-KMS key id form
  EXPECT_STATUS_CODE(dir_.CreateTenant(t), kInvalidArgument);
  t.id = "ok-1";
  ASSERT_OK(dir_.CreateTenant(t));
  EXPECT_STATUS_CODE(dir_.CreateUser("ok-1", "has space"), kInvalidArgument);
  EXPECT_STATUS_CODE(dir_.CreateUser("nope", "alice"), kNotFound);
}

TEST_F(DirectoryTest, UsersKeysAndPolicies) {
  TenantRecord t;
  t.id = "acme";
  ASSERT_OK(dir_.CreateTenant(t));
  ASSERT_OK(dir_.CreateUser("acme", "alice"));
  EXPECT_STATUS_CODE(dir_.CreateUser("acme", "alice"), kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, dir_.CreateUserKey("acme", "alice"));
  EXPECT_STATUS_CODE(dir_.CreateUserKey("acme", "nobody"), kNotFound);
  ASSERT_OK(dir_.PutUserPolicy("acme", "alice", "read", R"({"Version":"2012-10-17"})"));
  ASSERT_OK_AND_ASSIGN(UserRecord alice, dir_.GetUser("acme", "alice"));
  ASSERT_EQ(alice.policies.size(), 1u);
  EXPECT_EQ(alice.policies["read"], R"({"Version":"2012-10-17"})");
  ASSERT_OK(dir_.DeleteUserPolicy("acme", "alice", "read"));
  EXPECT_STATUS_CODE(dir_.DeleteUserPolicy("acme", "alice", "read"), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> users, dir_.ListUsers("acme"));
  ASSERT_EQ(users.size(), 2u);  // alice and root
  EXPECT_STATUS_CODE(dir_.DeleteUser("acme", "root"), kInvalidArgument);
  ASSERT_OK(dir_.DeleteUser("acme", "alice"));
  EXPECT_STATUS_CODE(creds_.Lookup(k.access_key_id), kNotFound);
}

TEST_F(DirectoryTest, SuspensionAndQuotasPersist) {
  TenantRecord t;
  t.id = "acme";
  ASSERT_OK(dir_.CreateTenant(t));
  ASSERT_OK_AND_ASSIGN(TenantRecord got, dir_.GetTenant("acme"));
  got.active = false;
  got.quotas.max_bytes = 1000;
  got.public_access_block = 2;
  got.rate_limits = RateLimits{.read_ops = 100, .write_ops = 10, .read_bytes = 1 << 20, .write_bytes = 4096};
  ASSERT_OK(dir_.UpdateTenant(got));
  // A second directory over the same store (no cache) sees the change.
  Directory fresh(store_, creds_);
  ASSERT_OK_AND_ASSIGN(TenantRecord again, fresh.GetTenant("acme"));
  EXPECT_FALSE(again.active);
  EXPECT_EQ(again.quotas.max_bytes, 1000u);
  EXPECT_EQ(again.public_access_block, 2);
  EXPECT_EQ(again.rate_limits, got.rate_limits);
  EXPECT_TRUE(again.rate_limits.any());
  EXPECT_EQ(again.canonical_id, got.canonical_id);
}

TEST_F(DirectoryTest, DeleteTenantRemovesUsersAndKeys) {
  TenantRecord t;
  t.id = "gone";
  ASSERT_OK_AND_ASSIGN(NewAccessKey root_key, dir_.CreateTenant(t));
  ASSERT_OK(dir_.CreateUser("gone", "u1"));
  ASSERT_OK_AND_ASSIGN(NewAccessKey user_key, dir_.CreateUserKey("gone", "u1"));
  ASSERT_OK_AND_ASSIGN(TenantRecord rec, dir_.GetTenant("gone"));
  ASSERT_OK(dir_.DeleteTenant("gone"));
  EXPECT_STATUS_CODE(dir_.GetTenant("gone"), kNotFound);
  EXPECT_STATUS_CODE(dir_.GetTenantByCanonicalId(rec.canonical_id), kNotFound);
  EXPECT_STATUS_CODE(dir_.GetUser("gone", "u1"), kNotFound);
  EXPECT_STATUS_CODE(creds_.Lookup(root_key.access_key_id), kNotFound);
  EXPECT_STATUS_CODE(creds_.Lookup(user_key.access_key_id), kNotFound);
}

TEST_F(DirectoryTest, OperatorsHaveNoTenant) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, dir_.CreateOperator("ops"));
  ASSERT_OK_AND_ASSIGN(Credential c, creds_.Lookup(k.access_key_id));
  EXPECT_EQ(c.principal.kind, PrincipalKind::kOperator);
  ASSERT_OK_AND_ASSIGN(std::vector<OperatorRecord> ops, dir_.ListOperators());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].name, "ops");
}

}  // namespace
}  // namespace confiance::iam

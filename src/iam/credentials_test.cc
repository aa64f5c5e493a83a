// File: iam/credentials_test.cc
#include "iam/credentials.h"

#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  CredentialStore creds_{store_, keys_};
};

TEST_F(CredentialsTest, GeneratedKeyLooksLikeAwsAndResolves) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, creds_.CreateAccessKey("t1", "alice"));
  EXPECT_EQ(k.access_key_id.size(), 20u);
  EXPECT_EQ(k.secret.size(), 40u);
  ASSERT_OK_AND_ASSIGN(Credential c, creds_.Lookup(k.access_key_id));
  EXPECT_EQ(c.principal.tenant_id, "t1");
  EXPECT_EQ(c.principal.user, "alice");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(c.secret->data()), c.secret->size()), k.secret);
}

TEST_F(CredentialsTest, SecretIsNotStoredInClear) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, creds_.CreateAccessKey("t1", "bob"));
  meta::ScanOptions opt;
  ASSERT_OK_AND_ASSIGN(auto recs, store_.Scan("iam", opt));
  ASSERT_FALSE(recs.empty());
  for (const auto& r : recs) EXPECT_EQ(r.value.find(k.secret), std::string::npos);
}

TEST_F(CredentialsTest, GivenKeysAreIdempotentButNeverOverwritten) {
  NewAccessKey given{"ROOTKEY123", "rootsecret-xyz"};
  ASSERT_OK(creds_.CreateAccessKey("root", "root", given));
  ASSERT_OK(creds_.CreateAccessKey("root", "root", given));  // restart with the same env
  NewAccessKey other{"ROOTKEY123", "another-secret"};
  EXPECT_STATUS_CODE(creds_.CreateAccessKey("root", "root", other), kAlreadyExists);
  EXPECT_STATUS_CODE(creds_.CreateAccessKey("root", "root", NewAccessKey{"x", "short"}), kInvalidArgument);
}

TEST_F(CredentialsTest, OperatorKeysNameNoTenant) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, creds_.CreateAccessKey("", "ops", std::nullopt, PrincipalKind::kOperator));
  ASSERT_OK_AND_ASSIGN(Credential c, creds_.Lookup(k.access_key_id));
  EXPECT_EQ(c.principal.kind, PrincipalKind::kOperator);
  EXPECT_EQ(c.principal.tenant_id, "");
  EXPECT_EQ(c.principal.user, "ops");
  // The same id as a tenant principal is a conflict, not a silent merge.
  EXPECT_STATUS_CODE(creds_.CreateAccessKey("t1", "ops", k), kAlreadyExists);
}

TEST_F(CredentialsTest, DeletedKeyIsGone) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, creds_.CreateAccessKey("t1", "dave"));
  ASSERT_OK(creds_.Lookup(k.access_key_id));
  ASSERT_OK(creds_.DeleteAccessKey(k.access_key_id));
  EXPECT_STATUS_CODE(creds_.Lookup(k.access_key_id), kNotFound);
  EXPECT_STATUS_CODE(creds_.GetAccessKey(k.access_key_id), kNotFound);
  ASSERT_OK(creds_.DeleteAccessKey(k.access_key_id));  // idempotent
}

TEST_F(CredentialsTest, DisabledKeyIsUnknown) {
  ASSERT_OK_AND_ASSIGN(NewAccessKey k, creds_.CreateAccessKey("t1", "carol"));
  ASSERT_OK(creds_.Lookup(k.access_key_id));
  ASSERT_OK(creds_.SetAccessKeyActive(k.access_key_id, false));
  EXPECT_STATUS_CODE(creds_.Lookup(k.access_key_id), kNotFound);
  EXPECT_STATUS_CODE(creds_.Lookup("NOPE"), kNotFound);
}

}  // namespace
}  // namespace confiance::iam

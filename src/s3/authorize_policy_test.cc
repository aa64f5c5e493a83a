// File: s3/authorize_policy_test.cc
// The Authorizer's own rules over an in-memory Directory: the bucket
// owner's root cannot be locked out of its bucket policy, and
// s3:ExistingObjectTag/<k> reaches identity policies as well as bucket
// policies, with the object's tags read only when a policy names the key.
// (Cross-tenant grants, ACLs and Block Public Access are exercised end to
// end in tests/e2e/test_access_control.py.)
#include "s3/authorize.h"

#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    iam::TenantRecord acme;
    acme.id = "acme";
    acme.display_name = "ACME";
    ASSERT_OK(directory_.CreateTenant(acme).status());
    Result<iam::TenantRecord> stored = directory_.GetTenant("acme");
    ASSERT_OK(stored.status());
    tenant_ = std::move(stored).value();
    ASSERT_OK(directory_.CreateUser("acme", "alice"));
    bucket_.name = "data";
    bucket_.id = "b1";
    bucket_.owner = "acme";
    request_.method = "GET";
    request_.remote_address = "127.0.0.1";
  }

  RequesterInfo Requester(std::string_view user) {
    RequesterInfo r;
    r.anonymous = false;
    principal_.kind = iam::PrincipalKind::kTenant;
    principal_.tenant_id = "acme";
    principal_.user = std::string(user);
    r.principal = &principal_;
    r.tenant = &tenant_;
    r.auth_type = auth_type_;
    r.signature_version = signature_version_;
    return r;
  }

  std::optional<S3Error> Check(std::string_view user, std::string_view action, std::string_view key = "",
                               std::function<catalog::TagMap()> tags = {}) {
    AccessCheck access;
    access.action = action;
    access.bucket = bucket_.name;
    access.key = key;
    access.bucket_record = &bucket_;
    access.existing_object_tags = std::move(tags);
    return authorizer_.Check(request_, Requester(user), access);
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  iam::CredentialStore creds_{store_, keys_};
  iam::Directory directory_{store_, creds_};
  Authorizer authorizer_{directory_};
  iam::TenantRecord tenant_;
  iam::Principal principal_;
  catalog::BucketRecord bucket_;
  http::Request request_;
  std::string_view auth_type_ = "REST-HEADER";
  std::string_view signature_version_ = "AWS4-HMAC-SHA256";
};

constexpr std::string_view kDenyEverything =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",
        "Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]})";
constexpr std::string_view kAllowAll =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";

TEST_F(AuthorizerTest, OwnerRootAlwaysManagesTheBucketPolicy) {
  bucket_.policy = std::string(kDenyEverything);
  for (std::string_view action : {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}) {
    EXPECT_FALSE(Check("root", action).has_value()) << action;
  }
  // Everything else stays denied, to the root too.
  std::optional<S3Error> get = Check("root", "s3:GetObject", "k");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->code, S3ErrorCode::kAccessDenied);
  EXPECT_TRUE(Check("root", "s3:PutBucketAcl").has_value());
  // The exception is the root's only.
  ASSERT_OK(directory_.PutUserPolicy("acme", "alice", "all", kAllowAll));
  for (std::string_view action : {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}) {
    std::optional<S3Error> denied = Check("alice", action);
    ASSERT_TRUE(denied.has_value()) << action;
    EXPECT_EQ(denied->code, S3ErrorCode::kAccessDenied);
  }
}

TEST_F(AuthorizerTest, ExistingObjectTagInAnIdentityPolicy) {
  ASSERT_OK(directory_.PutUserPolicy("acme", "alice", "all", kAllowAll));
  ASSERT_OK(directory_.PutUserPolicy(
      "acme", "alice", "no-secrets",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*",
          "Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"secret"}}}]})"));
  int reads = 0;
  auto tagged = [&](std::string value) {
    return [&reads, value] {
      ++reads;
      return catalog::TagMap{{"classification", value}, {"team", "blue"}};
    };
  };
  EXPECT_TRUE(Check("alice", "s3:GetObject", "k", tagged("secret")).has_value());
  EXPECT_FALSE(Check("alice", "s3:GetObject", "k", tagged("public")).has_value());
  EXPECT_FALSE(Check("alice", "s3:GetObject", "k", {}).has_value());  // no object tags to read
  EXPECT_EQ(reads, 2);
}

TEST_F(AuthorizerTest, ExistingObjectTagInTheBucketPolicy) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"acme"},
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
      "Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}}]})";
  int reads = 0;
  auto tagged = [&](std::string value) {
    return [&reads, value] {
      ++reads;
      return catalog::TagMap{{"classification", value}};
    };
  };
  EXPECT_FALSE(Check("alice", "s3:GetObject", "k", tagged("public")).has_value());
  EXPECT_TRUE(Check("alice", "s3:GetObject", "k", tagged("secret")).has_value());
  EXPECT_EQ(reads, 2);
}

TEST_F(AuthorizerTest, ObjectTagsAreNotReadWhenNoPolicyNamesThem) {
  ASSERT_OK(directory_.PutUserPolicy("acme", "alice", "all", kAllowAll));
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
      "Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/locked/*"}]})";
  int reads = 0;
  auto count = [&reads] {
    ++reads;
    return catalog::TagMap{};
  };
  EXPECT_FALSE(Check("alice", "s3:GetObject", "k", count).has_value());
  EXPECT_FALSE(Check("root", "s3:GetObject", "k", count).has_value());
  EXPECT_TRUE(Check("alice", "s3:DeleteObject", "locked/k", count).has_value());
  EXPECT_EQ(reads, 0);
}

TEST_F(AuthorizerTest, HeaderConditionKeys) {
  ASSERT_OK(directory_.PutUserPolicy(
      "acme", "alice", "copy-public",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
          "Condition":{"StringLike":{"s3:x-amz-copy-source":"src/public/*"},
                       "StringEqualsIfExists":{"s3:x-amz-grant-full-control":"id=owner"}}}]})"));
  // Without the header the StringLike has nothing to match: denied.
  EXPECT_TRUE(Check("alice", "s3:PutObject", "k").has_value());
  request_.headers.push_back({"x-amz-copy-source", "/src/public/a%20b"});  // the leading slash is not part of it
  EXPECT_FALSE(Check("alice", "s3:PutObject", "k").has_value());
  request_.headers.push_back({"x-amz-grant-full-control", "id=someone-else"});
  EXPECT_TRUE(Check("alice", "s3:PutObject", "k").has_value());
  request_.headers.back().value = "id=owner";
  EXPECT_FALSE(Check("alice", "s3:PutObject", "k").has_value());
  request_.headers.front().value = "src/private/a";
  EXPECT_TRUE(Check("alice", "s3:PutObject", "k").has_value());
}

// s3:authType and s3:signatureversion come from how the request was signed
// (RequesterInfo, set by S3Service when it binds the requester).
TEST_F(AuthorizerTest, AuthTypeAndSignatureVersionKeys) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*",
       "Condition":{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}},
      {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/*",
       "Condition":{"StringNotEquals":{"s3:signatureversion":"AWS4-HMAC-SHA256"}}}]})";
  EXPECT_FALSE(Check("root", "s3:GetObject", "k").has_value());
  EXPECT_FALSE(Check("root", "s3:PutObject", "k").has_value());
  auth_type_ = "REST-QUERY-STRING";
  std::optional<S3Error> presigned = Check("root", "s3:GetObject", "k");
  ASSERT_TRUE(presigned.has_value());
  EXPECT_EQ(presigned->code, S3ErrorCode::kAccessDenied);
  auth_type_ = "POST";
  EXPECT_FALSE(Check("root", "s3:PutObject", "k").has_value());
  signature_version_ = "AWS";  // SigV2
  EXPECT_TRUE(Check("root", "s3:PutObject", "k").has_value());
  EXPECT_FALSE(Check("root", "s3:GetObject", "k").has_value());
}

TEST_F(AuthorizerTest, SecureTransportIsTrueOnlyOverTls) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
       "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})";
  std::optional<S3Error> plain = Check("root", "s3:GetObject", "k");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->code, S3ErrorCode::kAccessDenied);
  request_.secure = true;
  EXPECT_FALSE(Check("root", "s3:GetObject", "k").has_value());
}

// Both keys are absent for an anonymous request: ...IfExists conditions
// hold, Null reports them missing.
TEST_F(AuthorizerTest, AuthTypeIsAbsentWhenAnonymous) {
  bucket_.policy = R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
       "Condition":{"Null":{"s3:authType":"true","s3:signatureversion":"true"}}}]})";
  AccessCheck access;
  access.action = "s3:GetObject";
  access.bucket = bucket_.name;
  access.key = "k";
  access.bucket_record = &bucket_;
  RequesterInfo anonymous;
  EXPECT_FALSE(authorizer_.Check(request_, anonymous, access).has_value());
  // A signed user of the tenant gets nothing from that statement.
  EXPECT_TRUE(Check("alice", "s3:GetObject", "k").has_value());
}

}  // namespace
}  // namespace confiance::s3

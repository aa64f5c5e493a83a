// File: iam/policy/public_access_test.cc
// Policy::IsPublic against the cases of S3's "The meaning of public".
#include <gtest/gtest.h>

#include <string>

#include "iam/policy/policy.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::policy {
namespace {

// Whether a bucket policy with one statement built from its parts is public.
bool IsPublic(std::string_view effect_principal, std::string_view action, std::string_view condition = "") {
  std::string json = std::string(R"({"Version":"2012-10-17","Statement":{)") + std::string(effect_principal) +
                     R"(,"Action":)" + std::string(action) +
                     R"(,"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"])";
  if (!condition.empty()) json += R"(,"Condition":)" + std::string(condition);
  json += "}}";
  Result<Policy> p = Policy::Parse(json, {PolicyKind::kBucket, "photos"});
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n" << json;
  return p.ok() && p->IsPublic();
}

constexpr std::string_view kToEveryone = R"("Effect":"Allow","Principal":"*")";
constexpr std::string_view kGet = R"("s3:GetObject")";

TEST(PublicAccessTest, GrantsToEveryoneArePublic) {
  EXPECT_TRUE(IsPublic(kToEveryone, kGet));
  EXPECT_TRUE(IsPublic(R"("Effect":"Allow","Principal":{"AWS":"*"})", R"("s3:PutObject")"));
  EXPECT_TRUE(IsPublic(kToEveryone, R"("s3:*")"));
  EXPECT_TRUE(IsPublic(kToEveryone, R"(["s3:AbortMultipartUpload"])"));
  EXPECT_TRUE(IsPublic(kToEveryone, R"(["s3:RestoreObject"])"));
  EXPECT_TRUE(IsPublic(kToEveryone, R"(["s3:DeleteObject"])"));
}

TEST(PublicAccessTest, FixedPrincipalsDeniesAndHarmlessActionsAreNot) {
  EXPECT_FALSE(IsPublic(R"("Effect":"Allow","Principal":{"AWS":"acme"})", kGet));
  EXPECT_FALSE(IsPublic(R"("Effect":"Allow","Principal":{"AWS":"arn:aws:iam::acme:user/alice"})", R"("s3:*")"));
  EXPECT_FALSE(IsPublic(R"("Effect":"Deny","Principal":"*")", R"("s3:*")"));
  EXPECT_FALSE(IsPublic(kToEveryone, R"("s3:BypassGovernanceRetention")"));
}

TEST(PublicAccessTest, FixedConditionValuesMakeAGrantNonPublic) {
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/48"]}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:SourceVpc":"vpc-91237329"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:PrincipalAccount":["acme","beta"]}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:PrincipalOrgID":"o-123"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:userid":"AIDA123"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::logs"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:SourceAccount":"acme"}})"));
  EXPECT_FALSE(IsPublic(kToEveryone, kGet,
                        R"({"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu:acme:key/1"}})"));
  // One restricting condition among others is enough.
  EXPECT_FALSE(IsPublic(kToEveryone, kGet,
                        R"({"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}})"));
}

TEST(PublicAccessTest, WildcardsVariablesNegationsAndWideRangesStayPublic) {
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"StringLike":{"aws:SourceVpc":"vpc-*"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"aws:PrincipalAccount":"${aws:username}"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"StringNotEquals":{"aws:SourceVpc":"vpc-91237329"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"StringEqualsIfExists":{"aws:SourceVpc":"vpc-91237329"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-91237329"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"IpAddress":{"aws:SourceIp":["203.0.113.0/24","0.0.0.0/1"]}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"IpAddress":{"aws:SourceIp":"::/0"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}})"));
  // Conditions on keys the requester controls do not restrict anything.
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"StringEquals":{"s3:x-amz-acl":"private"}})"));
  EXPECT_TRUE(IsPublic(kToEveryone, kGet, R"({"Bool":{"aws:SecureTransport":"true"}})"));
}

TEST(PublicAccessTest, OnePublicStatementMakesThePolicyPublic) {
  Result<Policy> p = Policy::Parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"AWS":"acme"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*"},
      {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/public/*"}]})",
                                   {PolicyKind::kBucket, "photos"});
  ASSERT_OK(p);
  EXPECT_TRUE(p->IsPublic());
}

TEST(PublicAccessTest, NotActionCountsTheActionsItLeavesIn) {
  auto is_public = [](std::string_view not_action) {
    Result<Policy> p = Policy::Parse(std::string(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                                                 R"("Principal":"*","Resource":"arn:aws:s3:::photos/*","NotAction":)") +
                                         std::string(not_action) + "}}",
                                     {PolicyKind::kBucket, "photos"});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() && p->IsPublic();
  };
  EXPECT_TRUE(is_public(R"("s3:GetObject")"));
  EXPECT_FALSE(is_public(
      R"(["s3:Get*","s3:List*","s3:Put*","s3:Delete*","s3:AbortMultipartUpload","s3:RestoreObject"])"));
}

TEST(PublicAccessTest, IdentityPoliciesAreNeverPublic) {
  Result<Policy> p = Policy::Parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
                                   {PolicyKind::kIdentity, ""});
  ASSERT_OK(p);
  EXPECT_FALSE(p->IsPublic());
}

}  // namespace
}  // namespace confiance::iam::policy

// File: admin/identity_policy_test.cc
#include "admin/identity_policy.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

TEST(IdentityPolicyTest, AcceptsValidIdentityPolicies) {
  EXPECT_OK(ValidateIdentityPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})"));
}

TEST(IdentityPolicyTest, RejectsWhatThePolicyEngineRejects) {
  // A Principal has no place in an identity policy; unknown actions and
  // operators are refused with the engine's sentence.
  EXPECT_STATUS_CODE(ValidateIdentityPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]})"),
      kInvalidArgument);
  Status bad_action = ValidateIdentityPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]})");
  EXPECT_STATUS_CODE(bad_action, kInvalidArgument);
  EXPECT_NE(bad_action.message().find("invalid action"), std::string::npos) << bad_action.message();
  EXPECT_STATUS_CODE(ValidateIdentityPolicy("{}"), kInvalidArgument);
}

TEST(IdentityPolicyTest, RejectsOtherDocuments) {
  EXPECT_STATUS_CODE(ValidateIdentityPolicy(""), kInvalidArgument);
  EXPECT_STATUS_CODE(ValidateIdentityPolicy("{"), kInvalidArgument);
  EXPECT_STATUS_CODE(ValidateIdentityPolicy("[1,2]"), kInvalidArgument);
  EXPECT_STATUS_CODE(ValidateIdentityPolicy("\"Allow\""), kInvalidArgument);
  EXPECT_STATUS_CODE(ValidateIdentityPolicy("{} trailing"), kInvalidArgument);
  std::string big = "{\"x\":\"" + std::string(kMaxPolicySize, 'a') + "\"}";
  EXPECT_STATUS_CODE(ValidateIdentityPolicy(big), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::admin

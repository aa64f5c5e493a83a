// File: admin/identity_policy_test.cc
#include "admin/identity_policy.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

TEST(IdentityPolicyTest, AcceptsJsonObjects) {
  EXPECT_OK(ValidateIdentityPolicy(R"({"Version":"2012-10-17","Statement":[]})"));
  EXPECT_OK(ValidateIdentityPolicy("{}"));
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

// File: iam/policy/condition_test.cc
// Every condition operator, its negation and IfExists form, the set
// operators, Null, absent keys and policy variables in condition values.
#include "iam/policy/condition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testutil/status_matchers.h"

namespace confiance::iam::policy {
namespace {

using ::testing::HasSubstr;

class ConditionTest : public ::testing::Test {
 protected:
  // Whether `op` on `key` with `values` holds for ctx_.
  bool Holds(std::string_view op, std::string_view key, std::vector<std::string> values,
             bool variables = true) {
    Result<Condition> c = Condition::Compile(op, key, values, variables);
    if (!c.ok()) {
      ADD_FAILURE() << op << ": " << c.status().ToString();
      return false;
    }
    return c->Matches(ctx_);
  }

  Status CompileError(std::string_view op, std::string_view key, std::vector<std::string> values) {
    return Condition::Compile(op, key, values, true).status();
  }

  RequestContext ctx_;
};

TEST_F(ConditionTest, StringEqualsIsExactAndOrsValues) {
  ctx_.Add("s3:x-amz-acl", "public-read");
  EXPECT_TRUE(Holds("StringEquals", "s3:x-amz-acl", {"public-read"}));
  EXPECT_FALSE(Holds("StringEquals", "s3:x-amz-acl", {"Public-Read"}));
  EXPECT_TRUE(Holds("StringEquals", "s3:x-amz-acl", {"private", "public-read"}));
  EXPECT_FALSE(Holds("StringEquals", "s3:x-amz-acl", {"private", "bucket-owner-full-control"}));
}

TEST_F(ConditionTest, StringNotEqualsWithSeveralValuesMeansNoneOfThem) {
  ctx_.Add("s3:x-amz-acl", "public-read");
  EXPECT_FALSE(Holds("StringNotEquals", "s3:x-amz-acl", {"private", "public-read"}));
  EXPECT_TRUE(Holds("StringNotEquals", "s3:x-amz-acl", {"private", "bucket-owner-full-control"}));
  EXPECT_TRUE(Holds("StringNotEquals", "s3:x-amz-acl", {"Public-Read"}));
}

TEST_F(ConditionTest, IgnoreCaseVariants) {
  ctx_.Add("aws:username", "Alice");
  EXPECT_TRUE(Holds("StringEqualsIgnoreCase", "aws:username", {"alice"}));
  EXPECT_FALSE(Holds("StringEqualsIgnoreCase", "aws:username", {"bob"}));
  EXPECT_FALSE(Holds("StringNotEqualsIgnoreCase", "aws:username", {"ALICE", "bob"}));
  EXPECT_TRUE(Holds("StringNotEqualsIgnoreCase", "aws:username", {"bob"}));
}

TEST_F(ConditionTest, StringLikeUsesWildcards) {
  ctx_.Add("s3:prefix", "home/alice/docs");
  EXPECT_TRUE(Holds("StringLike", "s3:prefix", {"home/alice/*"}));
  EXPECT_TRUE(Holds("StringLike", "s3:prefix", {"", "home/?lice/*"}));
  EXPECT_FALSE(Holds("StringLike", "s3:prefix", {"home/bob/*"}));
  EXPECT_FALSE(Holds("StringLike", "s3:prefix", {"home/alice"}));  // no implicit prefix match
  EXPECT_TRUE(Holds("StringNotLike", "s3:prefix", {"home/bob/*", "tmp/*"}));
  EXPECT_FALSE(Holds("StringNotLike", "s3:prefix", {"home/bob/*", "home/*"}));
}

TEST_F(ConditionTest, NumericOperators) {
  ctx_.Add("s3:max-keys", "10");
  EXPECT_TRUE(Holds("NumericEquals", "s3:max-keys", {"10"}));
  EXPECT_TRUE(Holds("NumericEquals", "s3:max-keys", {"10.0"}));
  EXPECT_FALSE(Holds("NumericEquals", "s3:max-keys", {"11"}));
  EXPECT_TRUE(Holds("NumericNotEquals", "s3:max-keys", {"11", "12"}));
  EXPECT_FALSE(Holds("NumericNotEquals", "s3:max-keys", {"11", "10"}));
  EXPECT_TRUE(Holds("NumericLessThan", "s3:max-keys", {"11"}));
  EXPECT_FALSE(Holds("NumericLessThan", "s3:max-keys", {"10"}));
  EXPECT_TRUE(Holds("NumericLessThanEquals", "s3:max-keys", {"10"}));
  EXPECT_FALSE(Holds("NumericLessThanEquals", "s3:max-keys", {"9"}));
  EXPECT_TRUE(Holds("NumericGreaterThan", "s3:max-keys", {"9.5"}));
  EXPECT_FALSE(Holds("NumericGreaterThan", "s3:max-keys", {"10"}));
  EXPECT_TRUE(Holds("NumericGreaterThanEquals", "s3:max-keys", {"10"}));
  EXPECT_FALSE(Holds("NumericGreaterThanEquals", "s3:max-keys", {"10.01"}));
}

TEST_F(ConditionTest, UnreadableRequestValueSatisfiesNeitherOperatorNorNegation) {
  ctx_.Add("s3:max-keys", "lots");
  ctx_.Add("aws:SourceIp", "not-an-ip");
  ctx_.Add("aws:SecureTransport", "maybe");
  EXPECT_FALSE(Holds("NumericLessThan", "s3:max-keys", {"100"}));
  EXPECT_FALSE(Holds("NumericNotEquals", "s3:max-keys", {"100"}));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", {"0.0.0.0/0"}));
  EXPECT_FALSE(Holds("NotIpAddress", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_FALSE(Holds("Bool", "aws:SecureTransport", {"false"}));
}

TEST_F(ConditionTest, DateOperatorsAcceptIsoAndEpoch) {
  ctx_.Add("aws:CurrentTime", "2024-06-01T12:00:00Z");
  ctx_.Add("aws:EpochTime", "1717243200");  // the same instant
  for (const char* key : {"aws:CurrentTime", "aws:EpochTime"}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(Holds("DateEquals", key, {"2024-06-01T12:00:00Z"}));
    EXPECT_TRUE(Holds("DateEquals", key, {"1717243200"}));
    EXPECT_FALSE(Holds("DateEquals", key, {"2024-06-01T12:00:01Z"}));
    EXPECT_TRUE(Holds("DateNotEquals", key, {"2024-06-01", "2024-06-02"}));
    EXPECT_FALSE(Holds("DateNotEquals", key, {"2024-06-01T14:00:00+02:00"}));
    EXPECT_TRUE(Holds("DateLessThan", key, {"2024-06-02T00:00:00Z"}));
    EXPECT_FALSE(Holds("DateLessThan", key, {"2024-06-01T12:00:00Z"}));
    EXPECT_TRUE(Holds("DateLessThanEquals", key, {"2024-06-01T12:00:00Z"}));
    EXPECT_FALSE(Holds("DateLessThanEquals", key, {"2024-06-01T11:59:59Z"}));
    EXPECT_TRUE(Holds("DateGreaterThan", key, {"2024-01-01T00:00:00Z"}));
    EXPECT_FALSE(Holds("DateGreaterThan", key, {"1717243200"}));
    EXPECT_TRUE(Holds("DateGreaterThanEquals", key, {"1717243200"}));
    EXPECT_FALSE(Holds("DateGreaterThanEquals", key, {"2025-01-01"}));
  }
}

TEST_F(ConditionTest, BoolComparesCaseInsensitively) {
  ctx_.Add("aws:SecureTransport", "TRUE");
  EXPECT_TRUE(Holds("Bool", "aws:SecureTransport", {"true"}));
  EXPECT_FALSE(Holds("Bool", "aws:SecureTransport", {"false"}));
  EXPECT_TRUE(Holds("Bool", "aws:SecureTransport", {"false", "True"}));
}

TEST_F(ConditionTest, BinaryEqualsComparesDecodedBytes) {
  ctx_.Add("custom:blob", "hello");
  EXPECT_TRUE(Holds("BinaryEquals", "custom:blob", {"aGVsbG8="}));
  EXPECT_FALSE(Holds("BinaryEquals", "custom:blob", {"aGVsbG9v"}));
}

TEST_F(ConditionTest, IpAddressAndNotIpAddress) {
  ctx_.Add("aws:SourceIp", "203.0.113.7");
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", {"203.0.113.0/24"}));
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", {"2001:db8::/32", "203.0.113.7"}));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", {"198.51.100.0/24", "2001:db8::/32"}));
  EXPECT_TRUE(Holds("NotIpAddress", "aws:SourceIp", {"198.51.100.0/24", "10.0.0.0/8"}));
  EXPECT_FALSE(Holds("NotIpAddress", "aws:SourceIp", {"198.51.100.0/24", "203.0.0.0/16"}));
}

TEST_F(ConditionTest, IpAddressV6) {
  ctx_.Add("aws:SourceIp", "2001:db8:abcd::42");
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", {"2001:db8:abcd::/48"}));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", {"2001:db8:abce::/48", "0.0.0.0/0"}));
  EXPECT_TRUE(Holds("NotIpAddress", "aws:SourceIp", {"0.0.0.0/0"}));
}

TEST_F(ConditionTest, ArnOperators) {
  ctx_.Add("aws:PrincipalArn", "arn:aws:iam::acme:user/alice");
  EXPECT_TRUE(Holds("ArnEquals", "aws:PrincipalArn", {"arn:aws:iam::acme:user/alice"}));
  EXPECT_TRUE(Holds("ArnEquals", "aws:PrincipalArn", {"arn:aws:iam::acme:user/*"}));
  EXPECT_TRUE(Holds("ArnLike", "aws:PrincipalArn", {"arn:aws:iam::*:user/al?ce"}));
  EXPECT_FALSE(Holds("ArnLike", "aws:PrincipalArn", {"arn:aws:iam::other:*"}));
  EXPECT_FALSE(Holds("ArnLike", "aws:PrincipalArn", {"arn:aws:*:user/alice"}));
  EXPECT_TRUE(Holds("ArnNotEquals", "aws:PrincipalArn", {"arn:aws:iam::acme:user/bob"}));
  EXPECT_FALSE(Holds("ArnNotEquals", "aws:PrincipalArn", {"arn:aws:iam::acme:user/alice"}));
  EXPECT_TRUE(Holds("ArnNotLike", "aws:PrincipalArn", {"arn:aws:iam::other:*", "arn:aws:iam::acme:root"}));
  EXPECT_FALSE(Holds("ArnNotLike", "aws:PrincipalArn", {"arn:aws:iam::other:*", "arn:aws:iam::acme:*"}));
}

TEST_F(ConditionTest, NullTestsPresence) {
  ctx_.Add("s3:x-amz-server-side-encryption", "AES256");
  EXPECT_TRUE(Holds("Null", "s3:x-amz-server-side-encryption", {"false"}));
  EXPECT_FALSE(Holds("Null", "s3:x-amz-server-side-encryption", {"true"}));
  EXPECT_TRUE(Holds("Null", "s3:x-amz-acl", {"true"}));
  EXPECT_FALSE(Holds("Null", "s3:x-amz-acl", {"false"}));
}

TEST_F(ConditionTest, AbsentKeyFailsPositiveOperatorsAndSatisfiesNegatedOnes) {
  // ctx_ has no keys at all.
  EXPECT_FALSE(Holds("StringEquals", "s3:x-amz-acl", {"private"}));
  EXPECT_FALSE(Holds("StringLike", "s3:x-amz-acl", {"*"}));
  EXPECT_FALSE(Holds("NumericLessThan", "s3:max-keys", {"5"}));
  EXPECT_FALSE(Holds("DateLessThan", "aws:CurrentTime", {"2100-01-01"}));
  EXPECT_FALSE(Holds("Bool", "aws:SecureTransport", {"false"}));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", {"0.0.0.0/0"}));
  EXPECT_FALSE(Holds("ArnLike", "aws:PrincipalArn", {"*"}));
  EXPECT_FALSE(Holds("BinaryEquals", "custom:blob", {"aGVsbG8="}));
  EXPECT_TRUE(Holds("StringNotEquals", "s3:x-amz-acl", {"private"}));
  EXPECT_TRUE(Holds("StringNotLike", "s3:x-amz-acl", {"*"}));
  EXPECT_TRUE(Holds("NumericNotEquals", "s3:max-keys", {"5"}));
  EXPECT_TRUE(Holds("DateNotEquals", "aws:CurrentTime", {"2100-01-01"}));
  EXPECT_TRUE(Holds("NotIpAddress", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_TRUE(Holds("ArnNotLike", "aws:PrincipalArn", {"*"}));
}

TEST_F(ConditionTest, IfExistsHoldsWhenAbsentAndChecksWhenPresent) {
  EXPECT_TRUE(Holds("StringEqualsIfExists", "s3:x-amz-acl", {"private"}));
  EXPECT_TRUE(Holds("NumericLessThanIfExists", "s3:max-keys", {"5"}));
  EXPECT_TRUE(Holds("DateGreaterThanIfExists", "aws:CurrentTime", {"2100-01-01"}));
  EXPECT_TRUE(Holds("BoolIfExists", "aws:SecureTransport", {"true"}));
  EXPECT_TRUE(Holds("IpAddressIfExists", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_TRUE(Holds("ArnLikeIfExists", "aws:SourceArn", {"arn:aws:s3:::x"}));
  EXPECT_TRUE(Holds("BinaryEqualsIfExists", "custom:blob", {"aGVsbG8="}));
  EXPECT_TRUE(Holds("StringNotLikeIfExists", "s3:prefix", {"x*"}));
  ctx_.Add("s3:x-amz-acl", "public-read");
  ctx_.Add("s3:max-keys", "50");
  ctx_.Add("aws:SecureTransport", "false");
  ctx_.Add("aws:SourceIp", "192.0.2.1");
  EXPECT_FALSE(Holds("StringEqualsIfExists", "s3:x-amz-acl", {"private"}));
  EXPECT_TRUE(Holds("StringNotEqualsIfExists", "s3:x-amz-acl", {"private"}));
  EXPECT_FALSE(Holds("NumericLessThanIfExists", "s3:max-keys", {"5"}));
  EXPECT_FALSE(Holds("BoolIfExists", "aws:SecureTransport", {"true"}));
  EXPECT_FALSE(Holds("IpAddressIfExists", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_TRUE(Holds("NotIpAddressIfExists", "aws:SourceIp", {"10.0.0.0/8"}));
}

TEST_F(ConditionTest, SetOperatorsWithAbsentKey) {
  EXPECT_TRUE(Holds("ForAllValues:StringEquals", "s3:RequestObjectTagKeys", {"team"}));
  EXPECT_TRUE(Holds("ForAllValues:StringNotLike", "s3:RequestObjectTagKeys", {"key1*"}));
  EXPECT_FALSE(Holds("ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", {"team"}));
  EXPECT_FALSE(Holds("ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", {"team"}));
}

TEST_F(ConditionTest, ForAllValuesNeedsEveryRequestValueToMatch) {
  ctx_.Add("s3:RequestObjectTagKeys", "team");
  ctx_.Add("s3:RequestObjectTagKeys", "cost-center");
  EXPECT_TRUE(Holds("ForAllValues:StringEquals", "s3:RequestObjectTagKeys", {"team", "cost-center", "env"}));
  EXPECT_FALSE(Holds("ForAllValues:StringEquals", "s3:RequestObjectTagKeys", {"team", "env"}));
  EXPECT_TRUE(Holds("ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", {"team", "env"}));
  EXPECT_FALSE(Holds("ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", {"env"}));
  // Negated operators apply per request value.
  EXPECT_TRUE(Holds("ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", {"team"}));
  EXPECT_FALSE(Holds("ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", {"team", "cost-center"}));
  EXPECT_FALSE(Holds("ForAllValues:StringNotEquals", "s3:RequestObjectTagKeys", {"team"}));
  EXPECT_TRUE(Holds("ForAllValues:StringNotEquals", "s3:RequestObjectTagKeys", {"env"}));
}

TEST_F(ConditionTest, ForAllValuesStringNotLikeAsInTheIamGuide) {
  // "ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}
  RequestContext legal;
  legal.Add("aws:TagKeys", "key1:legal");
  RequestContext audit;
  audit.Add("aws:TagKeys", "key2:audit");
  ASSERT_OK_AND_ASSIGN(Condition c,
                       Condition::Compile("ForAllValues:StringNotLike", "aws:TagKeys",
                                          std::vector<std::string>{"key1*"}, true));
  EXPECT_FALSE(c.Matches(legal));
  EXPECT_TRUE(c.Matches(audit));
  EXPECT_TRUE(c.Matches(RequestContext()));
}

TEST_F(ConditionTest, MultivaluedKeyWithoutSetOperator) {
  ctx_.Add("custom:list", "a");
  ctx_.Add("custom:list", "b");
  EXPECT_TRUE(Holds("StringEquals", "custom:list", {"b"}));
  EXPECT_FALSE(Holds("StringNotEquals", "custom:list", {"b"}));
  EXPECT_TRUE(Holds("StringNotEquals", "custom:list", {"c"}));
}

TEST_F(ConditionTest, KeyNamesAreCaseInsensitive) {
  ctx_.Add("AWS:SourceIP", "192.0.2.1");
  EXPECT_TRUE(Holds("IpAddress", "aws:sourceip", {"192.0.2.0/24"}));
  EXPECT_TRUE(Holds("Null", "Aws:SourceIp", {"false"}));
}

TEST_F(ConditionTest, PolicyVariablesInValues) {
  ctx_.Add("aws:username", "al*ce");
  ctx_.Add("s3:prefix", "home/al*ce/photos");
  ctx_.Add("custom:echo", "al*ce");
  EXPECT_TRUE(Holds("StringEquals", "custom:echo", {"${aws:username}"}));
  EXPECT_TRUE(Holds("StringLike", "s3:prefix", {"home/${aws:username}/*"}));
  // The substituted '*' is literal: it does not match other user names.
  RequestContext other;
  other.Add("aws:username", "al*ce");
  other.Add("s3:prefix", "home/alice/photos");
  ASSERT_OK_AND_ASSIGN(Condition c, Condition::Compile("StringLike", "s3:prefix",
                                                       std::vector<std::string>{"home/${aws:username}/*"}, true));
  EXPECT_FALSE(c.Matches(other));
  // ${*} is a literal star; without variables (Version 2008) the text is taken as written.
  ctx_.Add("custom:star", "a*b");
  EXPECT_TRUE(Holds("StringLike", "custom:star", {"a${*}b"}));
  EXPECT_FALSE(Holds("StringLike", "custom:echo", {"al${*}e"}));
  EXPECT_FALSE(Holds("StringEquals", "custom:echo", {"${aws:username}"}, /*variables=*/false));
  // An absent variable matches nothing, unless it has a default.
  EXPECT_FALSE(Holds("StringEquals", "custom:echo", {"${aws:userid}"}));
  EXPECT_TRUE(Holds("StringEquals", "custom:echo", {"${aws:userid, 'al*ce'}"}));
}

TEST_F(ConditionTest, CompileErrors) {
  EXPECT_THAT(CompileError("StringEqualz", "k:k", {"v"}).message(), HasSubstr("Invalid Condition operator: StringEqualz"));
  EXPECT_THAT(CompileError("NullIfExists", "k:k", {"true"}).message(), HasSubstr("Invalid Condition operator"));
  EXPECT_THAT(CompileError("ForAnyValue:Null", "k:k", {"true"}).message(), HasSubstr("Invalid Condition operator"));
  EXPECT_THAT(CompileError("ForSomeValues:StringEquals", "k:k", {"v"}).message(), HasSubstr("Invalid Condition operator"));
  EXPECT_THAT(CompileError("NumericLessThan", "s3:max-keys", {"ten"}).message(),
              HasSubstr("Invalid Condition value for NumericLessThan"));
  EXPECT_THAT(CompileError("DateLessThan", "aws:CurrentTime", {"soon"}).message(), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(CompileError("IpAddress", "aws:SourceIp", {"10.0.0.0/40"}).message(), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(CompileError("Bool", "aws:SecureTransport", {"yes"}).message(), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(CompileError("Null", "k:k", {"maybe"}).message(), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(CompileError("BinaryEquals", "k:k", {"!!!"}).message(), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(CompileError("StringEquals", "k:k", {}).message(), HasSubstr("has no value"));
  EXPECT_THAT(CompileError("StringEquals", "", {"v"}).message(), HasSubstr("invalid condition key"));
  EXPECT_OK(CompileError("stringequals", "k:k", {"v"}));  // operator names: any case
}

}  // namespace
}  // namespace confiance::iam::policy

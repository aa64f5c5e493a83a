// File: iam/policy/parse_test.cc
// Policy::Parse: the document model and each validation error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "iam/policy/policy.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

ParseOptions Bucket(std::string_view name = "photos") { return {PolicyKind::kBucket, name}; }
ParseOptions Identity() { return {PolicyKind::kIdentity, ""}; }

// A bucket policy with one statement whose body is `statement`.
std::string OneStatement(std::string_view statement, std::string_view version = "2012-10-17") {
  return std::string(R"({"Version":")") + std::string(version) + R"(","Statement":[)" + std::string(statement) + "]}";
}

std::string Error(std::string_view json, const ParseOptions& options = Bucket()) {
  Result<Policy> p = Policy::Parse(json, options);
  if (p.ok()) return "parsed";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  return p.status().message();
}

constexpr std::string_view kPublicRead =
    R"({"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject",)"
    R"("Resource":"arn:aws:s3:::photos/*"})";

TEST(ParseTest, DocumentModel) {
  std::string json = R"({
    "Version": "2012-10-17",
    "Id": "photos-policy",
    "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": ["acme", "arn:aws:iam::beta:user/bob"]},
       "Action": ["s3:GetObject", "s3:List*"], "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
       "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1"]},
                     "Bool": {"aws:SecureTransport": true}}},
      {"Effect": "Deny", "NotPrincipal": {"CanonicalUser": "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"},
       "NotAction": "s3:Get*", "NotResource": "arn:aws:s3:::photos/public/*"}
    ]})";
  ASSERT_OK_AND_ASSIGN(Policy p, Policy::Parse(json, Bucket()));
  EXPECT_EQ(p.version(), "2012-10-17");
  EXPECT_EQ(p.id(), "photos-policy");
  ASSERT_EQ(p.statements().size(), 2u);
  const Statement& read = p.statements()[0];
  EXPECT_EQ(read.sid, "Read");
  EXPECT_EQ(read.effect, Effect::kAllow);
  EXPECT_EQ(read.principal_mode, Statement::PrincipalMode::kPrincipal);
  ASSERT_EQ(read.principals.size(), 2u);
  EXPECT_EQ(read.principals[0].kind, PrincipalPattern::Kind::kAccount);
  EXPECT_EQ(read.principals[1].kind, PrincipalPattern::Kind::kUser);
  EXPECT_TRUE(read.actions.test(*FindAction("s3:ListBucketVersions")));
  EXPECT_FALSE(read.actions.test(*FindAction("s3:PutObject")));
  EXPECT_EQ(read.resources.size(), 2u);
  EXPECT_EQ(read.conditions.size(), 2u);
  const Statement& deny = p.statements()[1];
  EXPECT_EQ(deny.effect, Effect::kDeny);
  EXPECT_EQ(deny.principal_mode, Statement::PrincipalMode::kNotPrincipal);
  EXPECT_EQ(deny.principals[0].value, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_TRUE(deny.not_action);
  EXPECT_TRUE(deny.not_resource);
}

TEST(ParseTest, StatementMayBeASingleObjectAndVersionMayBeMissing) {
  ASSERT_OK_AND_ASSIGN(Policy p, Policy::Parse(std::string(R"({"Statement":)") + std::string(kPublicRead) + "}",
                                               Bucket()));
  EXPECT_EQ(p.version(), "2008-10-17");
  EXPECT_EQ(p.statements().size(), 1u);
  EXPECT_OK(Policy::Parse(OneStatement(kPublicRead, "2008-10-17"), Bucket()));
}

TEST(ParseTest, IdentityPolicies) {
  EXPECT_OK(Policy::Parse(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
          {"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*"},
          {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::any-bucket/${aws:username}/*"}]})",
      Identity()));
  EXPECT_THAT(Error(OneStatement(kPublicRead), Identity()), HasSubstr("should not specify a principal"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:iam::acme:root"})"),
                    Identity()),
              StartsWith("Policy has invalid resource"));
}

TEST(ParseTest, DocumentErrors) {
  EXPECT_THAT(Error("not json"), HasSubstr("must be valid JSON"));
  EXPECT_THAT(Error("[1,2]"), HasSubstr("must be valid JSON"));
  EXPECT_THAT(Error(R"({"Version":"2012-10-17"})"), HasSubstr("Missing required field Statement"));
  EXPECT_THAT(Error(R"({"Version":"2012-10-17","Statement":[]})"), HasSubstr("Statement is empty"));
  EXPECT_THAT(Error(OneStatement(kPublicRead, "2012-10-18")), HasSubstr("valid version string"));
  EXPECT_THAT(Error(R"({"Version":2012,"Statement":[]})"), HasSubstr("valid version string"));
  EXPECT_THAT(Error(R"({"Version":"2012-10-17","Foo":1,"Statement":[]})"), HasSubstr("Unknown field Foo"));
  EXPECT_THAT(Error(R"({"Version":"2012-10-17","Statement":["x"]})"), HasSubstr("Statement must be an object"));
  std::string big = OneStatement(kPublicRead);
  big.insert(big.size() - 1, std::string(21 * 1024, ' '));
  EXPECT_THAT(Error(big), HasSubstr("maximum allowed document size"));
  EXPECT_THAT(Error(OneStatement(kPublicRead), {PolicyKind::kBucket, ""}), HasSubstr("needs ParseOptions::bucket"));
}

TEST(ParseTest, StatementFieldErrors) {
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Foo":1})")),
              HasSubstr("Unknown field Foo"));
  EXPECT_THAT(Error(OneStatement(R"({"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("Missing required field Effect"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("Invalid effect: allow"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("Missing required field Action"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("both Action and NotAction"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject"})")),
              HasSubstr("Missing required field Resource"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","NotResource":"arn:aws:s3:::photos/x"})")),
              HasSubstr("both Resource and NotResource"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("Missing required field Principal"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("both Principal and NotPrincipal"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","NotPrincipal":{"AWS":"acme"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("NotPrincipal is only allowed with Effect Deny"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":[],"Resource":"arn:aws:s3:::photos/*"})")),
              HasSubstr("non-empty list"));
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[7]})")),
              HasSubstr("Resource must be a string"));
  EXPECT_THAT(Error(OneStatement(std::string(kPublicRead) + "," + std::string(kPublicRead))),
              HasSubstr("must be unique: PublicRead"));
}

TEST(ParseTest, InvalidActions) {
  for (const char* action : {"s3:GetObjekt", "GetObject", "iam:CreateUser", "s3:", "s3:Zzz*"}) {
    SCOPED_TRACE(action);
    EXPECT_EQ(Error(OneStatement(std::string(R"({"Effect":"Allow","Principal":"*","Action":")") + action +
                                 R"(","Resource":"arn:aws:s3:::photos/*"})")),
              std::string("Policy has invalid action: ") + action);
  }
  // Long values are quoted in part only.
  std::string long_action = "s3:" + std::string(5000, 'x');
  std::string message = Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":")" + long_action +
                                           R"(","Resource":"arn:aws:s3:::photos/*"})"));
  EXPECT_THAT(message, StartsWith("Policy has invalid action: s3:xxx"));
  EXPECT_LT(message.size(), 200u);
  // A backslash is never an escape in an action.
  EXPECT_EQ(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:\\GetObject","Resource":"arn:aws:s3:::photos/*"})")),
            "Policy has invalid action: s3:\\GetObject");
  // Case does not matter, as in AWS.
  EXPECT_OK(Policy::Parse(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"S3:getobject","Resource":"arn:aws:s3:::photos/*"})"),
                          Bucket()));
}

TEST(ParseTest, ActionMustApplyToAResource) {
  EXPECT_EQ(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos/*"})")),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos"})")),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(Error(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::photos"})")),
            "Action does not apply to any resource(s) in statement");
  // One applicable pair is enough.
  EXPECT_OK(Policy::Parse(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::photos/*"})"),
                          Bucket()));
  EXPECT_OK(Policy::Parse(OneStatement(R"({"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos"})"),
                          Bucket()));
}

TEST(ParseTest, BucketPolicyResourcesStayInTheBucket) {
  for (const char* resource : {"*", "arn:aws:s3:::other/*", "arn:aws:s3:::photos2/*", "arn:aws:s3:::photo*",
                               "arn:aws:s3:::*", "arn:aws:iam::acme:root", ""}) {
    SCOPED_TRACE(resource);
    EXPECT_THAT(Error(OneStatement(std::string(R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":")") +
                                   resource + R"("})")),
                StartsWith("Policy has invalid resource"));
  }
  EXPECT_THAT(Error(OneStatement(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::other/*"})")),
              StartsWith("Policy has invalid resource"));
}

TEST(ParseTest, InvalidPrincipals) {
  for (const char* principal :
       {R"("acme")", R"({"AWS":"arn:aws:iam::Acme:root"})", R"({"AWS":"arn:aws:iam::acme:user/"})",
        R"({"AWS":"arn:aws:iam::acme:role/admin"})", R"({"AWS":"arn:aws:iam::*:root"})", R"({"AWS":[]})",
        R"({"AWS":7})", R"({"Service":"*"})", R"({"Service":"Logging.S3"})", R"({"Federated":"x"})",
        R"({"CanonicalUser":"abc"})", R"({})", R"(["*"])"}) {
    SCOPED_TRACE(principal);
    EXPECT_THAT(Error(OneStatement(std::string(R"({"Effect":"Allow","Principal":)") + principal +
                                   R"(,"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})")),
                StartsWith("Invalid principal in policy"));
  }
}

TEST(ParseTest, ConditionErrors) {
  auto with_condition = [](std::string_view condition) {
    return OneStatement(std::string(R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject",)"
                                    R"("Resource":"arn:aws:s3:::photos/*","Condition":)") +
                        std::string(condition) + "}");
  };
  EXPECT_EQ(Error(with_condition(R"({"StringEqualz":{"s3:x-amz-acl":"private"}})")),
            "Invalid Condition operator: StringEqualz");
  EXPECT_THAT(Error(with_condition(R"({"StringEquals":"private"})")), HasSubstr("Invalid Condition block"));
  EXPECT_THAT(Error(with_condition(R"({"StringEquals":{}})")), HasSubstr("Invalid Condition block"));
  EXPECT_THAT(Error(with_condition(R"({"StringEquals":{"s3:x-amz-acl":{"a":1}}})")), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(Error(with_condition(R"({"StringEquals":{"s3:x-amz-acl":null}})")), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(Error(with_condition(R"({"NumericLessThan":{"s3:max-keys":"ten"}})")), HasSubstr("Invalid Condition value"));
  EXPECT_THAT(Error(with_condition(R"("StringEquals")")), HasSubstr("Condition must be an object"));
  // Numbers and booleans are accepted where AWS accepts them.
  EXPECT_OK(Policy::Parse(with_condition(R"({"NumericLessThan":{"s3:max-keys":100},"Bool":{"aws:SecureTransport":[true]}})"),
                          Bucket()));
}

}  // namespace
}  // namespace confiance::iam::policy

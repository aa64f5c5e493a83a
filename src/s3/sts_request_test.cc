// File: s3/sts_request_test.cc
#include "s3/sts_request.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

iam::Principal StsAlice() { return iam::Principal{"CFALICE", iam::PrincipalKind::kTenant, "acme", "alice", true}; }

constexpr std::string_view kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})";

// A form field as botocore encodes it (percent-encoding, %20 for spaces).
std::string FormEncode(std::string_view v) {
  std::string out;
  for (unsigned char c : v) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

StsCall MustParseSts(std::string_view body) {
  StsCall call;
  std::optional<StsError> e = ParseStsCall(body, &call);
  EXPECT_FALSE(e.has_value()) << (e ? e->code + ": " + e->message : "");
  return call;
}

std::string StsErrorCode(std::string_view body) {
  StsCall call;
  std::optional<StsError> e = ParseStsCall(body, &call);
  return e ? e->code : "";
}

std::optional<StsError> Plan(std::string_view body, iam::SessionRequest* out) {
  StsCall call = MustParseSts(body);
  return PlanSession(call, StsAlice(), 129600, out);
}

TEST(StsRequestTest, ParsesTheThreeCalls) {
  StsCall a = MustParseSts("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=1800");
  EXPECT_EQ(a.action, "GetSessionToken");
  EXPECT_EQ(a.duration_seconds, 1800u);
  StsCall b = MustParseSts("Action=GetFederationToken&Name=ci&Policy=" + FormEncode(kPolicy) + "&Version=2011-06-15");
  EXPECT_EQ(b.name, "ci");
  EXPECT_EQ(b.policy, std::string(kPolicy));
  StsCall c = MustParseSts("Action=AssumeRole&RoleArn=" + FormEncode("arn:aws:iam::acme:user/alice") +
                           "&RoleSessionName=s1&Version=2011-06-15");
  EXPECT_EQ(c.role_arn, "arn:aws:iam::acme:user/alice");
  EXPECT_EQ(c.name, "s1");
  EXPECT_FALSE(c.policy.has_value());
  // Form encoding's '+' is a space.
  StsCall d = MustParseSts("Action=GetFederationToken&Version=2011-06-15&Name=x1&Policy=%7B+%7D");
  EXPECT_EQ(d.policy, "{ }");
}

TEST(StsRequestTest, RefusesUnknownCallsAndWhatIsNotOffered) {
  EXPECT_EQ(StsErrorCode("Version=2011-06-15"), "MissingAction");
  EXPECT_EQ(StsErrorCode("Action=AssumeRoleWithWebIdentity&Version=2011-06-15"), "InvalidAction");
  EXPECT_EQ(StsErrorCode("Action=GetSessionToken"), "InvalidAction");
  EXPECT_EQ(StsErrorCode("Action=GetSessionToken&Version=2010-01-01"), "InvalidAction");
  EXPECT_EQ(StsErrorCode("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=12x"), "MalformedInput");
  EXPECT_EQ(StsErrorCode("Action=GetSessionToken&Version=2011-06-15&DurationSeconds="), "MalformedInput");
  EXPECT_EQ(StsErrorCode("Action=GetSessionToken&Version=2011-06-15&SerialNumber=x&TokenCode=123456"),
            "ValidationError");
  EXPECT_EQ(StsErrorCode("Action=AssumeRole&Version=2011-06-15&PolicyArns.member.1.arn=x"), "ValidationError");
  EXPECT_EQ(StsErrorCode("Action=AssumeRole&Version=2011-06-15&Tags.member.1.Key=k"), "ValidationError");
}

TEST(StsRequestTest, DurationsFollowAwsBoundsAndDefaults) {
  iam::SessionRequest r;
  ASSERT_FALSE(Plan("Action=GetSessionToken&Version=2011-06-15", &r));
  EXPECT_EQ(r.duration_seconds, 43200u);
  EXPECT_FALSE(r.limited);
  ASSERT_FALSE(Plan("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=129600", &r));
  EXPECT_EQ(r.duration_seconds, 129600u);
  EXPECT_EQ(Plan("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=129601", &r)->code, "ValidationError");
  EXPECT_EQ(Plan("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=899", &r)->code, "ValidationError");
  const std::string assume =
      "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" + FormEncode("arn:aws:iam::acme:user/alice");
  ASSERT_FALSE(Plan(assume, &r));
  EXPECT_EQ(r.duration_seconds, 3600u);
  EXPECT_EQ(Plan(assume + "&DurationSeconds=43201", &r)->code, "ValidationError");
}

TEST(StsRequestTest, TheServersCapShortensDefaultsAndRefusesLongerSessions) {
  iam::SessionRequest r;
  StsCall call = MustParseSts("Action=GetSessionToken&Version=2011-06-15");
  ASSERT_FALSE(PlanSession(call, StsAlice(), 3600, &r));
  EXPECT_EQ(r.duration_seconds, 3600u);
  call = MustParseSts("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600");
  ASSERT_FALSE(PlanSession(call, StsAlice(), 3600, &r));
  call = MustParseSts("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3601");
  std::optional<StsError> e = PlanSession(call, StsAlice(), 3600, &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ValidationError");
  EXPECT_NE(e->message.find("3600 seconds this server allows"), std::string::npos) << e->message;
  // AssumeRole's own default (3,600) is under a larger cap.
  call = MustParseSts("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" +
                      FormEncode("arn:aws:iam::acme:user/alice"));
  ASSERT_FALSE(PlanSession(call, StsAlice(), 7200, &r));
  EXPECT_EQ(r.duration_seconds, 3600u);
  ASSERT_FALSE(PlanSession(call, StsAlice(), 1800, &r));
  EXPECT_EQ(r.duration_seconds, 1800u);
}

TEST(StsRequestTest, SessionsAreLimitedAsInAws) {
  iam::SessionRequest r;
  // GetFederationToken without a policy: limited to nothing.
  ASSERT_FALSE(Plan("Action=GetFederationToken&Version=2011-06-15&Name=ci", &r));
  EXPECT_TRUE(r.limited);
  EXPECT_EQ(r.policy, "");
  EXPECT_EQ(r.name, "ci");
  ASSERT_FALSE(Plan("Action=GetFederationToken&Version=2011-06-15&Name=ci&Policy=" + FormEncode(kPolicy), &r));
  EXPECT_TRUE(r.limited);
  EXPECT_EQ(r.policy, std::string(kPolicy));
  // AssumeRole of oneself: limited only by a policy it is given.
  const std::string assume =
      "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" + FormEncode("arn:aws:iam::acme:user/alice");
  iam::SessionRequest plain;
  ASSERT_FALSE(Plan(assume, &plain));
  EXPECT_FALSE(plain.limited);
  iam::SessionRequest narrowed;
  ASSERT_FALSE(Plan(assume + "&Policy=" + FormEncode(kPolicy), &narrowed));
  EXPECT_TRUE(narrowed.limited);
}

TEST(StsRequestTest, RefusesOtherRolesBadNamesAndBadPolicies) {
  iam::SessionRequest r;
  std::optional<StsError> other = Plan(
      "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" + FormEncode("arn:aws:iam::acme:role/admin"),
      &r);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(other->code, "AccessDenied");
  EXPECT_NE(other->message.find("arn:aws:iam::acme:user/alice"), std::string::npos);
  EXPECT_EQ(Plan("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1", &r)->code, "MissingParameter");
  EXPECT_EQ(Plan("Action=GetFederationToken&Version=2011-06-15", &r)->code, "MissingParameter");
  EXPECT_EQ(Plan("Action=GetFederationToken&Version=2011-06-15&Name=x", &r)->code, "ValidationError");
  EXPECT_EQ(Plan("Action=GetFederationToken&Version=2011-06-15&Name=" + std::string(33, 'a'), &r)->code,
            "ValidationError");
  EXPECT_EQ(Plan("Action=GetFederationToken&Version=2011-06-15&Name=a%2Fb", &r)->code, "ValidationError");
  EXPECT_EQ(
      Plan("Action=GetFederationToken&Version=2011-06-15&Name=ci&Policy=" + FormEncode("{\"Version\":1}"), &r)->code,
      "MalformedPolicyDocument");
  std::string big(kPolicy);
  big.insert(big.find("]}"), std::string(2100, ' '));
  EXPECT_EQ(Plan("Action=GetFederationToken&Version=2011-06-15&Name=ci&Policy=" + FormEncode(big), &r)->code,
            "ValidationError");
}

TEST(StsRequestTest, CallerIdentityNamesTheUserOrItsSession) {
  EXPECT_EQ(MustParseSts("Action=GetCallerIdentity&Version=2011-06-15").action, "GetCallerIdentity");
  auto has = [](const std::string& xml, std::string_view arn, std::string_view user_id) {
    return xml.find("<Arn>" + std::string(arn) + "</Arn><UserId>" + std::string(user_id) +
                    "</UserId><Account>acme</Account>") != std::string::npos;
  };
  iam::Principal p = StsAlice();
  EXPECT_TRUE(has(CallerIdentityXml(p, "R"), "arn:aws:iam::acme:user/alice", "alice"));
  iam::Principal root{"CFROOT", iam::PrincipalKind::kTenant, "acme", "root", true};
  EXPECT_TRUE(has(CallerIdentityXml(root, "R"), "arn:aws:iam::acme:root", "acme"));
  auto claims = std::make_shared<iam::SessionClaims>();
  claims->action = "GetFederationToken";
  claims->name = "ci";
  p.session = claims;
  EXPECT_TRUE(has(CallerIdentityXml(p, "R"), "arn:aws:sts::acme:federated-user/ci", "acme:ci"));
  claims->action = "AssumeRole";
  EXPECT_TRUE(has(CallerIdentityXml(p, "R"), "arn:aws:sts::acme:assumed-role/alice/ci", "CFALICE:ci"));
  claims->action = "GetSessionToken";
  EXPECT_TRUE(has(CallerIdentityXml(p, "R"), "arn:aws:iam::acme:user/alice", "alice"));
}

TEST(StsRequestTest, AnswersInStsShapes) {
  iam::IssuedSession issued;
  issued.key = {"CTEXAMPLEEXAMPLEEXAM", "secret<&>"};
  issued.token = "claims.sealed";
  issued.expires_ms = 1'800'000'000'123;
  StsCall call = MustParseSts("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" +
                              FormEncode("arn:aws:iam::acme:user/alice"));
  const std::string xml = StsResponseXml(call, StsAlice(), issued, "REQ1");
  EXPECT_NE(xml.find("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
                     "<Credentials><AccessKeyId>CTEXAMPLEEXAMPLEEXAM</AccessKeyId><SecretAccessKey>secret&lt;&amp;&gt;"
                     "</SecretAccessKey><SessionToken>claims.sealed</SessionToken>"
                     "<Expiration>2027-01-15T08:00:00.123Z</Expiration></Credentials>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<Arn>arn:aws:sts::acme:assumed-role/alice/s1</Arn>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<ResponseMetadata><RequestId>REQ1</RequestId></ResponseMetadata>"), std::string::npos) << xml;
  const std::string err = StsErrorXml(StsError{403, "AccessDenied", "no <way>"}, "REQ2");
  EXPECT_NE(err.find("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                     "<Code>AccessDenied</Code><Message>no &lt;way&gt;</Message></Error><RequestId>REQ2</RequestId>"
                     "</ErrorResponse>"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace confiance::s3

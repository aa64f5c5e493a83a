// File: iam/policy/evaluate_test.cc
// Policy::Evaluate: principals, actions, resources, conditions, and how
// statements combine.
#include <gtest/gtest.h>

#include <string>

#include "iam/policy/policy.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::policy {
namespace {

constexpr std::string_view kAcmeCanonical = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr std::string_view kBetaCanonical = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

// Owns the strings a RequestContext views.
struct Who {
  std::string account, user, canonical, arn, service;

  static Who Anonymous() { return {}; }
  static Who Service(std::string name) { return {"", "", "", "", std::move(name)}; }
  static Who Of(std::string account, std::string user, std::string_view canonical) {
    std::string arn = PrincipalArn(account, user);
    return {std::move(account), std::move(user), std::string(canonical), std::move(arn)};
  }
  Requester AsRequester() const {
    if (!service.empty()) return Requester{true, "", "", "", "", service};
    if (account.empty()) return Requester{};
    return Requester{false, account, user, canonical, arn};
  }
};

RequestContext Request(const Who& who, std::string_view action, std::string_view resource) {
  RequestContext ctx;
  ctx.requester = who.AsRequester();
  ctx.action = action;
  ctx.resource = resource;
  return ctx;
}

Policy MustParse(std::string_view json, const ParseOptions& options = {PolicyKind::kBucket, "photos"}) {
  Result<Policy> p = Policy::Parse(json, options);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) std::abort();
  return std::move(p).value();
}

std::string WithPrincipal(std::string_view principal, std::string_view element = "Principal",
                          std::string_view effect = "Allow") {
  return std::string(R"({"Version":"2012-10-17","Statement":{"Effect":")") + std::string(effect) + "\",\"" +
         std::string(element) + "\":" +
         std::string(principal) + R"(,"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}})";
}

const Who kAlice = Who::Of("acme", "alice", kAcmeCanonical);
const Who kAcmeRoot = Who::Of("acme", "root", kAcmeCanonical);
const Who kBob = Who::Of("beta", "bob", kBetaCanonical);
const Who kNobody = Who::Anonymous();
constexpr std::string_view kObject = "arn:aws:s3:::photos/cat.jpg";

Decision For(const Policy& p, const Who& who) { return p.Evaluate(Request(who, "s3:GetObject", kObject)); }

TEST(EvaluateTest, EveryoneIncludesAnonymous) {
  for (const char* principal : {R"("*")", R"({"AWS":"*"})", R"({"AWS":["*"]})"}) {
    SCOPED_TRACE(principal);
    Policy p = MustParse(WithPrincipal(principal));
    EXPECT_EQ(For(p, kNobody), Decision::kAllow);
    EXPECT_EQ(For(p, kAlice), Decision::kAllow);
    EXPECT_EQ(For(p, kBob), Decision::kAllow);
  }
}

TEST(EvaluateTest, AccountPrincipalsMatchEveryPrincipalOfTheTenant) {
  for (const char* principal : {R"({"AWS":"acme"})", R"({"AWS":"arn:aws:iam::acme:root"})",
                                R"({"CanonicalUser":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})"}) {
    SCOPED_TRACE(principal);
    Policy p = MustParse(WithPrincipal(principal));
    EXPECT_EQ(For(p, kAlice), Decision::kAllow);
    EXPECT_EQ(For(p, kAcmeRoot), Decision::kAllow);
    EXPECT_EQ(For(p, kBob), Decision::kNoMatch);
    EXPECT_EQ(For(p, kNobody), Decision::kNoMatch);
  }
}

TEST(EvaluateTest, UserPrincipalMatchesOnlyThatUser) {
  Policy p = MustParse(WithPrincipal(R"({"AWS":["arn:aws:iam::acme:user/alice","arn:aws:iam::beta:user/carol"]})"));
  EXPECT_EQ(For(p, kAlice), Decision::kAllow);
  EXPECT_EQ(For(p, kAcmeRoot), Decision::kNoMatch);
  EXPECT_EQ(For(p, Who::Of("acme", "mallory", kAcmeCanonical)), Decision::kNoMatch);
  EXPECT_EQ(For(p, kBob), Decision::kNoMatch);
  EXPECT_EQ(For(p, kNobody), Decision::kNoMatch);
}

// Server access log delivery asks as "logging.s3.amazonaws.com"
// (docs/bucket-logging.md): a statement naming it, or everyone, matches
// it; one naming a tenant or a user never does, and a service principal
// matches no tenant's request.
TEST(EvaluateTest, ServicePrincipalMatchesOnlyThatService) {
  const Who logging = Who::Service("logging.s3.amazonaws.com");
  Policy named = MustParse(WithPrincipal(R"({"Service":"logging.s3.amazonaws.com"})"));
  EXPECT_EQ(For(named, logging), Decision::kAllow);
  EXPECT_EQ(For(named, Who::Service("cloudtrail.amazonaws.com")), Decision::kNoMatch);
  EXPECT_EQ(For(named, kAcmeRoot), Decision::kNoMatch);
  EXPECT_EQ(For(named, kNobody), Decision::kNoMatch);
  EXPECT_EQ(For(MustParse(WithPrincipal(R"("*")")), logging), Decision::kAllow);
  EXPECT_EQ(For(MustParse(WithPrincipal(R"({"AWS":"acme"})")), logging), Decision::kNoMatch);
  EXPECT_EQ(For(MustParse(WithPrincipal(R"({"AWS":"acme"})", "NotPrincipal", "Deny")), logging), Decision::kDeny);
}

TEST(EvaluateTest, NotPrincipalAppliesToEveryoneElse) {
  Policy p = MustParse(WithPrincipal(R"({"AWS":"acme"})", "NotPrincipal", "Deny"));
  EXPECT_EQ(For(p, kAlice), Decision::kNoMatch);
  EXPECT_EQ(For(p, kBob), Decision::kDeny);
  EXPECT_EQ(For(p, kNobody), Decision::kDeny);
}

TEST(EvaluateTest, ActionsMatchCaseInsensitivelyAndByWildcard) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",
      "Action":["s3:Get*","s3:listbucket"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}})");
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", kObject)), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "S3:GETOBJECTACL", kObject)), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:ListBucket", "arn:aws:s3:::photos")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:PutObject", kObject)), Decision::kNoMatch);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:DeleteBucket", "arn:aws:s3:::photos")), Decision::kNoMatch);
  // An action the table does not know is still matched by the patterns.
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetShinyNewThing", kObject)), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:PutShinyNewThing", kObject)), Decision::kNoMatch);
}

TEST(EvaluateTest, NotActionAndNotResource) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":"*","NotAction":["s3:Delete*","s3:Put*"],"Resource":"arn:aws:s3:::photos/*"},
      {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::photos/public/*"}]})");
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObjectTagging", "arn:aws:s3:::photos/private/x")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:PutObject", "arn:aws:s3:::photos/public/x")), Decision::kNoMatch);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", "arn:aws:s3:::photos/public/x")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", "arn:aws:s3:::photos/private/x")), Decision::kDeny);
}

TEST(EvaluateTest, ExplicitDenyWinsWhateverTheOrder) {
  for (bool deny_first : {true, false}) {
    std::string allow = R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*"})";
    std::string deny = R"({"Effect":"Deny","Principal":{"AWS":"beta"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"})";
    Policy p = MustParse(R"({"Version":"2012-10-17","Statement":[)" + (deny_first ? deny + "," + allow : allow + "," + deny) + "]}");
    EXPECT_EQ(For(p, kBob), Decision::kDeny);
    EXPECT_EQ(For(p, kAlice), Decision::kAllow);
  }
}

TEST(EvaluateTest, ResourcesMatchCaseSensitively) {
  Policy p = MustParse(WithPrincipal(R"("*")"));
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", "arn:aws:s3:::photos/x")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", "arn:aws:s3:::PHOTOS/x")), Decision::kNoMatch);
  EXPECT_EQ(p.Evaluate(Request(kBob, "s3:GetObject", "arn:aws:s3:::photos")), Decision::kNoMatch);
}

TEST(EvaluateTest, ConditionsMustAllHold) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*",
      "Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:SecureTransport":"true"}}}})");
  RequestContext ctx = Request(kBob, "s3:GetObject", kObject);
  EXPECT_EQ(p.Evaluate(ctx), Decision::kNoMatch);
  ctx.Add("aws:SourceIp", "192.0.2.10");
  EXPECT_EQ(p.Evaluate(ctx), Decision::kNoMatch);
  ctx.Add("aws:SecureTransport", "true");
  EXPECT_EQ(p.Evaluate(ctx), Decision::kAllow);
}

TEST(EvaluateTest, DenyUnlessTlsWithBoolFalse) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"},
      {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*",
       "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})");
  RequestContext plain = Request(kBob, "s3:GetObject", kObject);
  plain.Add("aws:SecureTransport", "false");
  RequestContext tls = Request(kBob, "s3:GetObject", kObject);
  tls.Add("aws:SecureTransport", "true");
  EXPECT_EQ(p.Evaluate(plain), Decision::kDeny);
  EXPECT_EQ(p.Evaluate(tls), Decision::kAllow);
}

TEST(EvaluateTest, PolicyVariablesInResource) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::home/${aws:username}/*"}})",
                       {PolicyKind::kIdentity, ""});
  RequestContext own = Request(kAlice, "s3:PutObject", "arn:aws:s3:::home/alice/notes.txt");
  own.Add("aws:username", "alice");
  EXPECT_EQ(p.Evaluate(own), Decision::kAllow);
  RequestContext other = Request(kAlice, "s3:PutObject", "arn:aws:s3:::home/bob/notes.txt");
  other.Add("aws:username", "alice");
  EXPECT_EQ(p.Evaluate(other), Decision::kNoMatch);
  // Without aws:username (e.g. the root principal) the resource matches nothing.
  EXPECT_EQ(p.Evaluate(Request(kAcmeRoot, "s3:PutObject", "arn:aws:s3:::home/alice/notes.txt")), Decision::kNoMatch);
  // A user named "*" gets only the folder literally named "*".
  RequestContext star = Request(kAlice, "s3:PutObject", "arn:aws:s3:::home/bob/notes.txt");
  star.Add("aws:username", "*");
  EXPECT_EQ(p.Evaluate(star), Decision::kNoMatch);
}

TEST(EvaluateTest, Version2008HasNoPolicyVariables) {
  Policy p = MustParse(R"({"Version":"2008-10-17","Statement":{"Effect":"Allow",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}})",
                       {PolicyKind::kIdentity, ""});
  RequestContext ctx = Request(kAlice, "s3:GetObject", "arn:aws:s3:::home/alice/x");
  ctx.Add("aws:username", "alice");
  EXPECT_EQ(p.Evaluate(ctx), Decision::kNoMatch);
  RequestContext literal = Request(kAlice, "s3:GetObject", "arn:aws:s3:::home/${aws:username}/x");
  EXPECT_EQ(p.Evaluate(literal), Decision::kAllow);
}

TEST(EvaluateTest, PrincipalAccountVariableScopesToOwnTenant) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/${aws:PrincipalAccount}/*"}})");
  RequestContext mine = Request(kBob, "s3:GetObject", "arn:aws:s3:::photos/beta/x");
  mine.Add("aws:PrincipalAccount", "beta");
  EXPECT_EQ(p.Evaluate(mine), Decision::kAllow);
  RequestContext theirs = Request(kBob, "s3:GetObject", "arn:aws:s3:::photos/acme/x");
  theirs.Add("aws:PrincipalAccount", "beta");
  EXPECT_EQ(p.Evaluate(theirs), Decision::kNoMatch);
}

TEST(EvaluateTest, IdentityPolicyIgnoresWhoAsksAndAcceptsAnyBucket) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}]})",
                       {PolicyKind::kIdentity, ""});
  EXPECT_EQ(p.Evaluate(Request(kAlice, "s3:ListAllMyBuckets", "*")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kAlice, "s3:DeleteBucket", "arn:aws:s3:::test")), Decision::kAllow);
  EXPECT_EQ(p.Evaluate(Request(kAlice, "s3:DeleteBucket", "arn:aws:s3:::prod")), Decision::kDeny);
}

TEST(EvaluateTest, LongExpansionsFallBackToTheHeap) {
  Policy p = MustParse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}})",
                       {PolicyKind::kIdentity, ""});
  std::string name(2000, 'n');
  std::string resource = "arn:aws:s3:::b/" + name + "/x";
  RequestContext ctx = Request(kAlice, "s3:GetObject", resource);
  ctx.Add("aws:username", name);
  EXPECT_EQ(p.Evaluate(ctx), Decision::kAllow);
}

}  // namespace
}  // namespace confiance::iam::policy

// File: iam/policy/matching_test.cc
#include "iam/policy/matching.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "iam/policy/actions.h"
#include "iam/policy/reference_match.h"

namespace confiance::iam::policy {
namespace {

TEST(WildcardMatchTest, LiteralsAndWildcards) {
  EXPECT_TRUE(WildcardMatch("abc", "abc"));
  EXPECT_FALSE(WildcardMatch("abc", "abd"));
  EXPECT_FALSE(WildcardMatch("abc", "abcd"));
  EXPECT_FALSE(WildcardMatch("abcd", "abc"));
  EXPECT_TRUE(WildcardMatch("", ""));
  EXPECT_FALSE(WildcardMatch("", "a"));
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("*", "anything/at:all"));
  EXPECT_TRUE(WildcardMatch("a*", "a"));
  EXPECT_TRUE(WildcardMatch("a*c", "abbbc"));
  EXPECT_FALSE(WildcardMatch("a*c", "abbbd"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_TRUE(WildcardMatch("*b*b*", "abab"));
  EXPECT_FALSE(WildcardMatch("*b*b*b", "abab"));
  EXPECT_TRUE(WildcardMatch("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt"));
  EXPECT_FALSE(WildcardMatch("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
  EXPECT_TRUE(WildcardMatch("**a**", "xax"));
  // Backtracking past an earlier partial match.
  EXPECT_TRUE(WildcardMatch("*aab", "aaaab"));
  EXPECT_TRUE(WildcardMatch("a*b?d", "axxbcbzd"));
}

TEST(WildcardMatchTest, CaseSensitivityIsChosen) {
  EXPECT_FALSE(WildcardMatch("s3:getobject", "s3:GetObject"));
  EXPECT_TRUE(WildcardMatch("s3:getobject", "s3:GetObject", true));
  EXPECT_TRUE(WildcardMatch("S3:Get*", "s3:getobjectacl", true));
}

TEST(WildcardMatchTest, EscapedCharactersAreLiteral) {
  EXPECT_TRUE(WildcardMatch("a\\*", "a*"));
  EXPECT_FALSE(WildcardMatch("a\\*", "ab"));
  EXPECT_TRUE(WildcardMatch("a\\?", "a?"));
  EXPECT_FALSE(WildcardMatch("a\\?", "ab"));
  EXPECT_TRUE(WildcardMatch("a\\\\b", "a\\b"));
  EXPECT_TRUE(WildcardMatch("a\\", "a\\"));  // a trailing lone backslash is literal
  std::string escaped = EscapePatternText("x*y?z\\");
  EXPECT_EQ(escaped, "x\\*y\\?z\\\\");
  EXPECT_TRUE(WildcardMatch(escaped, "x*y?z\\"));
  EXPECT_FALSE(WildcardMatch(escaped, "xAyBz\\"));
  EXPECT_FALSE(HasWildcard(escaped));
  EXPECT_TRUE(HasWildcard("a\\**"));
  EXPECT_TRUE(HasWildcard("?"));
}

TEST(WildcardMatchTest, AgreesWithReferenceOnRandomInputs) {
  std::mt19937 rng(20240601);
  const char alphabet[] = {'a', 'b', '*', '?', '\\'};
  auto random_string = [&](size_t max_len) {
    std::string s(rng() % (max_len + 1), ' ');
    for (char& c : s) c = alphabet[rng() % sizeof(alphabet)];
    return s;
  };
  int matches = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string pattern = random_string(8), text = random_string(10);
    bool expected = ReferenceMatch(pattern, text);
    ASSERT_EQ(WildcardMatch(pattern, text), expected) << "pattern=" << pattern << " text=" << text;
    matches += expected;
  }
  EXPECT_GT(matches, 1000);  // the inputs exercise both outcomes
}

TEST(ArnMatchTest, ComponentsMatchSeparately) {
  EXPECT_TRUE(ArnMatch("arn:aws:iam::acme:user/*", "arn:aws:iam::acme:user/alice"));
  EXPECT_TRUE(ArnMatch("arn:aws:iam::*:user/alice", "arn:aws:iam::acme:user/alice"));
  EXPECT_FALSE(ArnMatch("arn:aws:iam::*:user/alice", "arn:aws:iam::acme:user/bob"));
  // A '*' in one component does not swallow a colon of the first five.
  EXPECT_FALSE(ArnMatch("arn:aws:*:user/alice", "arn:aws:iam::acme:user/alice"));
  // The last component keeps any further colons.
  EXPECT_TRUE(ArnMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y:z"));
  // Not an ARN on one side: only "*" matches.
  EXPECT_TRUE(ArnMatch("*", "arn:aws:iam::acme:root"));
  EXPECT_TRUE(ArnMatch("*", "not-an-arn"));
  EXPECT_FALSE(ArnMatch("arn:aws:iam::acme:root", "not-an-arn"));
  EXPECT_FALSE(ArnMatch("not*", "not-an-arn"));
}

TEST(ActionsTest, LookupIsCaseInsensitive) {
  auto get = FindAction("s3:GetObject");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(KnownActions()[*get].name, "s3:GetObject");
  EXPECT_EQ(FindAction("S3:GETOBJECT"), get);
  EXPECT_FALSE(FindAction("s3:GetObjekt").has_value());
  EXPECT_FALSE(FindAction("GetObject").has_value());
  for (size_t i = 0; i < KnownActions().size(); ++i) {
    EXPECT_EQ(FindAction(KnownActions()[i].name), i) << KnownActions()[i].name;
  }
}

TEST(ActionsTest, PatternsCoverTheirActions) {
  EXPECT_EQ(ActionsMatching("*").count(), KnownActions().size());
  EXPECT_EQ(ActionsMatching("s3:*").count(), KnownActions().size());
  ActionSet get = ActionsMatching("s3:get*");
  EXPECT_TRUE(get.test(*FindAction("s3:GetObject")));
  EXPECT_TRUE(get.test(*FindAction("s3:GetBucketPolicy")));
  EXPECT_FALSE(get.test(*FindAction("s3:PutObject")));
  EXPECT_EQ(ActionsMatching("s3:PutObject").count(), 1u);
  EXPECT_TRUE(ActionsMatching("s3:Frobnicate").none());
  EXPECT_TRUE(ActionsMatching("iam:*").none());
}

TEST(ActionsTest, ResourceKindsAndExposingActions) {
  EXPECT_TRUE(ActionsOnResource(ResourceKind::kObject).test(*FindAction("s3:GetObject")));
  EXPECT_TRUE(ActionsOnResource(ResourceKind::kBucket).test(*FindAction("s3:ListBucket")));
  EXPECT_TRUE(ActionsOnResource(ResourceKind::kAccount).test(*FindAction("s3:ListAllMyBuckets")));
  EXPECT_FALSE(ActionsOnResource(ResourceKind::kBucket).test(*FindAction("s3:GetObject")));
  const ActionSet& bad = DataExposingActions();
  EXPECT_TRUE(bad.test(*FindAction("s3:GetObject")));
  EXPECT_TRUE(bad.test(*FindAction("s3:ListBucket")));
  EXPECT_TRUE(bad.test(*FindAction("s3:AbortMultipartUpload")));
  EXPECT_TRUE(bad.test(*FindAction("s3:RestoreObject")));
  EXPECT_FALSE(bad.test(*FindAction("s3:CreateBucket")));
  EXPECT_FALSE(bad.test(*FindAction("s3:BypassGovernanceRetention")));
}

}  // namespace
}  // namespace confiance::iam::policy

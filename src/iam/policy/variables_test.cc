// File: iam/policy/variables_test.cc
#include "iam/policy/variables.h"

#include <gtest/gtest.h>

#include "iam/policy/matching.h"

namespace confiance::iam::policy {
namespace {

using Use = PolicyString::Use;

// PolicyString::Matches must agree with WildcardMatch on the resolved text,
// whichever fast path it takes.
TEST(PolicyStringTest, FastPathsAgreeWithTheGeneralMatcher) {
  RequestContext ctx;
  ExpandBuffer scratch;
  const char* patterns[] = {"arn:aws:s3:::b",   "arn:aws:s3:::b/*", "arn:aws:s3:::b/*.jpg", "arn:aws:s3:::b/?",
                            "*",                "",                 "a\\b*",                "arn:aws:s3:::b/x*y*"};
  const char* texts[] = {"arn:aws:s3:::b",       "arn:aws:s3:::b/",  "arn:aws:s3:::b/k.jpg", "arn:aws:s3:::b/k",
                         "arn:aws:s3:::b/xay/z", "a\\b",             "a\\bc",                "",
                         "arn:aws:s3:::c/k"};
  for (const char* p : patterns) {
    PolicyString s = PolicyString::Compile(p, true, Use::kPattern);
    std::optional<std::string_view> compiled = s.Resolve(ctx, scratch);
    ASSERT_TRUE(compiled.has_value());
    std::string general(*compiled);
    for (const char* t : texts) {
      EXPECT_EQ(s.Matches(t, ctx, scratch), WildcardMatch(general, t)) << p << " vs " << t;
    }
  }
}

TEST(PolicyStringTest, VariablesResolveFromTheContext) {
  RequestContext ctx;
  ctx.Add("aws:username", "al?ce");
  ExpandBuffer scratch;
  PolicyString pattern = PolicyString::Compile("home/${aws:username}/${*}/*", true, Use::kPattern);
  EXPECT_TRUE(pattern.has_variables());
  EXPECT_EQ(pattern.Resolve(ctx, scratch), "home/al\\?ce/\\*/*");
  EXPECT_TRUE(pattern.Matches("home/al?ce/*/x", ctx, scratch));
  EXPECT_FALSE(pattern.Matches("home/alice/*/x", ctx, scratch));
  PolicyString literal = PolicyString::Compile("${aws:username}-${$}${?}", true, Use::kLiteral);
  EXPECT_EQ(literal.Resolve(ctx, scratch), "al?ce-$?");
  PolicyString absent = PolicyString::Compile("${aws:userid}", true, Use::kLiteral);
  EXPECT_FALSE(absent.Resolve(ctx, scratch).has_value());
  PolicyString fallback = PolicyString::Compile("${aws:userid , 'nobody'}", true, Use::kLiteral);
  EXPECT_EQ(fallback.Resolve(ctx, scratch), "nobody");
  PolicyString unterminated = PolicyString::Compile("a${aws:username", true, Use::kLiteral);
  EXPECT_FALSE(unterminated.has_variables());
  EXPECT_EQ(unterminated.Resolve(ctx, scratch), "a${aws:username");
  PolicyString v2008 = PolicyString::Compile("${aws:username}", false, Use::kLiteral);
  EXPECT_EQ(v2008.Resolve(ctx, scratch), "${aws:username}");
  EXPECT_EQ(v2008.source(), "${aws:username}");
}

}  // namespace
}  // namespace confiance::iam::policy

// File: s3/conditional_test.cc
#include "s3/conditional.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT
constexpr int64_t kT = 784111777;
constexpr uint64_t kMs = static_cast<uint64_t>(kT) * 1000 + 456;  // sub-second part ignored
constexpr const char* kAt = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr const char* kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";

ConditionOutcome Eval(const Conditions& c) { return EvaluateConditions(c, "abc", kMs); }

TEST(ConditionalTest, ParsesTheThreeDateFormats) {
  EXPECT_EQ(ParseHttpDate(kAt), kT);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kT);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), kT);
  EXPECT_EQ(ParseHttpDate("  Sun, 06 Nov 1994 08:49:37 GMT "), kT);
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
}

TEST(ConditionalTest, RejectsInvalidDates) {
  EXPECT_FALSE(ParseHttpDate(""));
  EXPECT_FALSE(ParseHttpDate("yesterday"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
  EXPECT_FALSE(ParseHttpDate("Sun, 32 Nov 1994 08:49:37 GMT"));
}

TEST(ConditionalTest, EtagLists) {
  EXPECT_TRUE(EtagListMatches("\"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("abc", "abc"));
  EXPECT_TRUE(EtagListMatches("abc", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("W/\"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("\"x\", \"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("*", "abc"));
  EXPECT_TRUE(EtagListMatches(" * ", "abc"));
  EXPECT_FALSE(EtagListMatches("\"abd\"", "abc"));
  EXPECT_FALSE(EtagListMatches("\"x\",\"y\"", "abc"));
  EXPECT_FALSE(EtagListMatches("", "abc"));
  EXPECT_FALSE(EtagListMatches("\"\"", "abc"));
}

TEST(ConditionalTest, NoConditionsProceed) {
  EXPECT_EQ(Eval({}), ConditionOutcome::kProceed);
  EXPECT_FALSE(Conditions{}.any());
}

TEST(ConditionalTest, IfMatch) {
  Conditions c;
  c.if_match = "\"abc\"";
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
  c.if_match = "\"other\"";
  EXPECT_EQ(Eval(c), ConditionOutcome::kPreconditionFailed);
  c.if_match = "*";
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
}

TEST(ConditionalTest, IfNoneMatch) {
  Conditions c;
  c.if_none_match = "\"abc\"";
  EXPECT_EQ(Eval(c), ConditionOutcome::kNotModified);
  c.if_none_match = "*";
  EXPECT_EQ(Eval(c), ConditionOutcome::kNotModified);
  c.if_none_match = "\"other\"";
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
}

TEST(ConditionalTest, IfModifiedSince) {
  Conditions c;
  c.if_modified_since = kBefore;
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
  c.if_modified_since = kAt;  // not modified after the second it names
  EXPECT_EQ(Eval(c), ConditionOutcome::kNotModified);
  c.if_modified_since = kAfter;
  EXPECT_EQ(Eval(c), ConditionOutcome::kNotModified);
  c.if_modified_since = "garbage";  // ignored
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
}

TEST(ConditionalTest, IfUnmodifiedSince) {
  Conditions c;
  c.if_unmodified_since = kBefore;
  EXPECT_EQ(Eval(c), ConditionOutcome::kPreconditionFailed);
  c.if_unmodified_since = kAt;
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
  c.if_unmodified_since = kAfter;
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
  c.if_unmodified_since = "garbage";  // ignored
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
}

TEST(ConditionalTest, IfMatchOverridesIfUnmodifiedSince) {
  // S3: If-Match true and If-Unmodified-Since false -> 200.
  Conditions c;
  c.if_match = "\"abc\"";
  c.if_unmodified_since = kBefore;
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
  c.if_match = "\"other\"";
  c.if_unmodified_since = kAfter;
  EXPECT_EQ(Eval(c), ConditionOutcome::kPreconditionFailed);
}

TEST(ConditionalTest, IfNoneMatchOverridesIfModifiedSince) {
  // S3: If-None-Match false (tag matches) and If-Modified-Since true -> 304.
  Conditions c;
  c.if_none_match = "\"abc\"";
  c.if_modified_since = kBefore;
  EXPECT_EQ(Eval(c), ConditionOutcome::kNotModified);
  // If-None-Match true (no match) and If-Modified-Since false -> 200.
  c.if_none_match = "\"other\"";
  c.if_modified_since = kAfter;
  EXPECT_EQ(Eval(c), ConditionOutcome::kProceed);
}

TEST(ConditionalTest, PreconditionFailureWinsOverNotModified) {
  Conditions c;
  c.if_match = "\"other\"";
  c.if_none_match = "\"abc\"";
  EXPECT_EQ(Eval(c), ConditionOutcome::kPreconditionFailed);
  c = {};
  c.if_unmodified_since = kBefore;
  c.if_modified_since = kAfter;
  EXPECT_EQ(Eval(c), ConditionOutcome::kPreconditionFailed);
}

}  // namespace
}  // namespace confiance::s3

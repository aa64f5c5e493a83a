#include "s3/post_policy.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(int64_t unix_seconds) { return system_clock::from_time_t(unix_seconds); }

// 2026-11-30T12:00:00Z
constexpr int64_t kNoon = 1796040000;

PostPolicy MustParse(std::string_view json) {
  Result<PostPolicy> p = ParsePostPolicy(json);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : PostPolicy{};
}

TEST(PostPolicyTest, ParsesExpirationAndConditions) {
  PostPolicy p = MustParse(R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [
      {"bucket": "b"}, ["starts-with", "$key", "user/"], ["eq", "$Content-Type", "text/plain"],
      ["StArTs-WiTh", "$X-Amz-Meta-Tag", ""], {"$acl": "private"},
      ["content-length-range", 10, 100], ["content-length-range", "20", 200]]})");
  EXPECT_EQ(p.expiration, At(kNoon));
  ASSERT_EQ(p.conditions.size(), 5u);
  EXPECT_EQ(p.conditions[0].field, "bucket");
  EXPECT_EQ(p.conditions[0].text, R"(["eq", "$bucket", "b"])");
  EXPECT_EQ(p.conditions[1].kind, PostPolicy::Condition::Kind::kStartsWith);
  EXPECT_EQ(p.conditions[2].field, "content-type");
  EXPECT_EQ(p.conditions[3].field, "x-amz-meta-tag");
  EXPECT_EQ(p.conditions[4].field, "acl");
  EXPECT_EQ(p.min_length, 20u);  // the ranges intersect
  EXPECT_EQ(p.max_length, 100u);
  EXPECT_EQ(MustParse(R"({"expiration": "2026-11-30T12:00:00.500Z", "conditions": []})").expiration, At(kNoon));
}

// The text allows years 0000-9999, system_clock only 1677-2262: dates
// beyond clamp to the clock's ends and still compare as written (UBSan
// found the overflow with the fuzz smoke test).
TEST(PostPolicyTest, ExpirationsBeyondTheClockCompareAsWritten) {
  PostPolicy past = MustParse(R"({"expiration": "0000-01-01T00:00:00Z", "conditions": []})");
  PostPolicy future = MustParse(R"({"expiration": "9999-12-31T23:59:59Z", "conditions": []})");
  EXPECT_EQ(CheckPostPolicy(past, {}, At(kNoon)), "Invalid according to Policy: Policy expired.");
  EXPECT_EQ(CheckPostPolicy(future, {}, At(kNoon)), std::nullopt);
}

// Conditions hold one by one, so ranges that do not overlap parse, and
// their intersection is empty (min > max): the POST handler then refuses
// every size. libFuzzer found the empty intersection (post_policy_fuzz
// had asserted min <= max).
TEST(PostPolicyTest, DisjointLengthRangesLeaveAnEmptyIntersection) {
  PostPolicy p = MustParse(R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [
      ["content-length-range", 11, 1048576], ["content-length-range", "2", "10"]]})");
  EXPECT_EQ(p.min_length, 11u);
  EXPECT_EQ(p.max_length, 10u);
}

TEST(PostPolicyTest, RejectsMalformedPolicies) {
  const char* kBad[] = {
      "not json",
      "[]",
      R"({"conditions": []})",                                             // no expiration
      R"({"EXPIRATION": "2026-11-30T12:00:00Z", "conditions": []})",       // names are case-sensitive
      R"({"expiration": "2026-11-30T12:00:00Z"})",                         // no conditions
      R"({"expiration": "2026-11-30T12:00:00Z", "CONDITIONS": []})",
      R"({"expiration": "2026-11-30 12:00:00.123+00:00", "conditions": []})",
      R"({"expiration": "2026-13-30T12:00:00Z", "conditions": []})",
      R"({"expiration": 17, "conditions": []})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": {}})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [{}]})",   // empty simple condition
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [{"a": "1", "b": "2"}]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [{"a": 1}]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["content-length-range", 0]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["content-length-range", -1, 0]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["content-length-range", 5, 1]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["eq", "key", "v"]]})",   // no '$'
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["in", "$key", "v"]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["eq", "$key"]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [["eq", "$key", 3]]})",
      R"({"expiration": "2026-11-30T12:00:00Z", "conditions": ["eq"]})",
  };
  for (const char* json : kBad) {
    Result<PostPolicy> p = ParsePostPolicy(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_TRUE(p.status().message().starts_with("Invalid Policy: ")) << p.status().message();
  }
}

TEST(PostPolicyTest, ChecksFields) {
  PostPolicy p = MustParse(R"({"expiration": "2026-11-30T12:00:00Z", "conditions": [
      {"bucket": "b"}, ["starts-with", "$key", "user/"], {"acl": "private"},
      ["starts-with", "$x-amz-meta-tag", ""]]})");
  PostFields fields = {{"bucket", "b"}, {"key", "user/a.txt"}, {"acl", "private"}, {"policy", "..."},
                       {"x-amz-signature", "..."}, {"x-ignore-me", "1"}, {"awsaccesskeyid", "AK"},
                       {"signature", "..."}, {"x-amz-meta-tag", "anything"}};
  EXPECT_EQ(CheckPostPolicy(p, fields, At(kNoon - 1)), std::nullopt);
  EXPECT_EQ(CheckPostPolicy(p, fields, At(kNoon + 1)), "Invalid according to Policy: Policy expired.");

  PostFields wrong_key = fields;
  wrong_key["key"] = "admin/a.txt";
  EXPECT_EQ(CheckPostPolicy(p, wrong_key, At(kNoon - 1)),
            R"(Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"])");
  PostFields wrong_acl = fields;
  wrong_acl["acl"] = "Private";  // values are case-sensitive
  EXPECT_NE(CheckPostPolicy(p, wrong_acl, At(kNoon - 1)), std::nullopt);
  PostFields missing = fields;
  missing.erase("acl");  // an absent field is "" for the conditions
  EXPECT_EQ(CheckPostPolicy(p, missing, At(kNoon - 1)),
            R"(Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "private"])");

  PostFields extra = fields;
  extra["x-amz-meta-other"] = "x";
  extra["content-type"] = "text/plain";
  EXPECT_EQ(CheckPostPolicy(p, extra, At(kNoon - 1)),
            "Invalid according to Policy: Extra input fields: content-type, x-amz-meta-other");
}

TEST(PostPolicyTest, ExemptFields) {
  for (const char* f : {"x-amz-signature", "file", "policy", "x-ignore-anything", "awsaccesskeyid", "signature",
                        "x-amz-checksum-sha256"}) {
    EXPECT_TRUE(IsExemptPostField(f)) << f;
  }
  for (const char* f : {"key", "bucket", "acl", "x-amz-credential", "x-amz-date", "x-amz-algorithm", "tagging"}) {
    EXPECT_FALSE(IsExemptPostField(f)) << f;
  }
}

}  // namespace
}  // namespace confiance::s3

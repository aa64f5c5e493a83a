// File: s3/tagging_test.cc
// Tag sets: S3's limits and characters, its error codes, and the
// x-amz-tagging header form.
#include "s3/tagging.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

S3Error NoError() { return S3Error{S3ErrorCode::kInternalError, {}, {}}; }

// The S3 error code ValidateTags answers for `tags`, or nullopt if it
// accepts them.
std::optional<S3ErrorCode> Verdict(const TagList& tags, TagScope scope = TagScope::kObject) {
  S3Error error = NoError();
  Result<catalog::TagMap> r = ValidateTags(tags, scope, &error);
  if (r.ok()) return std::nullopt;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return error.code;
}

TagList Numbered(size_t n) {
  TagList tags;
  for (size_t i = 0; i < n; ++i) tags.emplace_back("k" + std::to_string(i), "v");
  return tags;
}

TEST(TaggingTest, AcceptsTheLimits) {
  TagList tags;
  for (int i = 0; i < 10; ++i) tags.emplace_back(std::string(127, 'a') + static_cast<char>('a' + i), std::string(256, 'v'));
  S3Error error = NoError();
  ASSERT_OK_AND_ASSIGN(catalog::TagMap map, ValidateTags(tags, TagScope::kObject, &error));
  EXPECT_EQ(map.size(), 10u);
  EXPECT_EQ(Verdict({{"k", ""}}), std::nullopt);  // empty values are allowed
  EXPECT_EQ(Verdict({{"Key With Spaces_.:/=+-@09", "Value With Spaces_.:/=+-@"}}), std::nullopt);
  EXPECT_EQ(Verdict(Numbered(50), TagScope::kBucket), std::nullopt);
  EXPECT_EQ(Verdict({}), std::nullopt);
}

TEST(TaggingTest, CountsAreBadRequestAfterThePerTagChecks) {
  EXPECT_EQ(Verdict(Numbered(11)), S3ErrorCode::kBadRequest);
  EXPECT_EQ(Verdict(Numbered(51), TagScope::kBucket), S3ErrorCode::kBadRequest);
  S3Error error = NoError();
  ASSERT_FALSE(ValidateTags(Numbered(11), TagScope::kObject, &error).ok());
  EXPECT_EQ(error.Message(), "Object tags cannot be greater than 10");
  // A bad tag among too many tags is reported as the bad tag.
  TagList mixed = Numbered(11);
  mixed.back().first = std::string(129, 'k');
  EXPECT_EQ(Verdict(mixed), S3ErrorCode::kInvalidTag);
}

TEST(TaggingTest, LengthsCountUtf16Units) {
  EXPECT_EQ(Verdict({{std::string(129, 'k'), "v"}}), S3ErrorCode::kInvalidTag);
  EXPECT_EQ(Verdict({{"k", std::string(257, 'v')}}), S3ErrorCode::kInvalidTag);
  EXPECT_EQ(Verdict({{"", "v"}}), S3ErrorCode::kInvalidTag);
  // "é" is two UTF-8 bytes but one UTF-16 unit: 128 of them fit.
  std::string e128;
  for (int i = 0; i < 128; ++i) e128 += "\xc3\xa9";
  EXPECT_EQ(Verdict({{e128, "v"}}), std::nullopt);
  EXPECT_EQ(Verdict({{e128 + "\xc3\xa9", "v"}}), S3ErrorCode::kInvalidTag);
}

TEST(TaggingTest, CharactersAndEncoding) {
  EXPECT_EQ(Verdict({{"caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87 \xd9\xa1"}}), std::nullopt);  // letters, digits
  for (const char* bad : {"a<b", "a#b", "a*b", "a\tb", "a\nb", "a,b", "a\"b", "\xe2\x82\xac",  // euro sign
                          "\xf0\x9f\x98\x80",                                            // emoji
                          "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xc2\x85"}) {             // bad UTF-8, C1
    EXPECT_EQ(Verdict({{std::string("k") + bad, "v"}}), S3ErrorCode::kInvalidTag) << bad;
    EXPECT_EQ(Verdict({{"k", bad}}), S3ErrorCode::kInvalidTag) << bad;
  }
  S3Error error = NoError();
  ASSERT_FALSE(ValidateTags({{"k", "a<b"}}, TagScope::kObject, &error).ok());
  EXPECT_EQ(error.Message(), "The TagValue you have provided is invalid");
}

TEST(TaggingTest, DuplicatesAndReservedPrefix) {
  EXPECT_EQ(Verdict({{"k", "1"}, {"k", "2"}}), S3ErrorCode::kInvalidTag);
  EXPECT_EQ(Verdict({{"aws:cloudformation:stack", "x"}}), S3ErrorCode::kInvalidTag);
  EXPECT_EQ(Verdict({{"AWS:x", "x"}}), std::nullopt);  // the prefix is lowercase
}

TEST(TaggingTest, HeaderForm) {
  S3Error error = NoError();
  ASSERT_OK_AND_ASSIGN(catalog::TagMap tags, ParseTaggingHeader("foo=bar&bar&sp=a+b%20c&pct=%2B%3D%2F", &error));
  EXPECT_EQ(tags, (catalog::TagMap{{"bar", ""}, {"foo", "bar"}, {"sp", "a b c"}, {"pct", "+=/"}}));
  ASSERT_OK_AND_ASSIGN(catalog::TagMap empty, ParseTaggingHeader("", &error));
  EXPECT_TRUE(empty.empty());
  ASSERT_OK_AND_ASSIGN(catalog::TagMap skipped, ParseTaggingHeader("&a=1&&", &error));
  EXPECT_EQ(skipped.size(), 1u);
  ASSERT_OK_AND_ASSIGN(catalog::TagMap utf8, ParseTaggingHeader("%C3%A9t%C3%A9=caf%C3%A9", &error));
  EXPECT_EQ(utf8.at("\xc3\xa9t\xc3\xa9"), "caf\xc3\xa9");
}

TEST(TaggingTest, HeaderErrors) {
  for (const char* bad : {"a=1&a=2", "a=b=c", "a=%zz", "%4=1"}) {
    S3Error error = NoError();
    EXPECT_STATUS_CODE(ParseTaggingHeader(bad, &error), kInvalidArgument) << bad;
    EXPECT_EQ(error.code, S3ErrorCode::kInvalidArgument) << bad;
  }
  S3Error error = NoError();
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += (i ? "&k" : "k") + std::to_string(i) + "=v";
  EXPECT_FALSE(ParseTaggingHeader(eleven, &error).ok());
  EXPECT_EQ(error.code, S3ErrorCode::kBadRequest);
  EXPECT_FALSE(ParseTaggingHeader("k=%3C", &error).ok());
  EXPECT_EQ(error.code, S3ErrorCode::kInvalidTag);
  EXPECT_FALSE(ParseTaggingHeader("=v", &error).ok());
  EXPECT_EQ(error.code, S3ErrorCode::kInvalidTag);
}

}  // namespace
}  // namespace confiance::s3

// File: s3/copy_source_test.cc
#include "s3/copy_source.h"

#include "catalog/version_id.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

S3Error NoError() { return S3Error{S3ErrorCode::kInternalError, {}, {}}; }

TEST(CopySourceTest, BucketAndDecodedKey) {
  S3Error e = NoError();
  Result<CopySource> s = ParseCopySource("/b/dir/a%20b%2Bc%3Fd", &e);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bucket, "b");
  EXPECT_EQ(s->key, "dir/a b+c?d");
  s = ParseCopySource("b/k?versionId=null", &e);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->key, "k");
  EXPECT_EQ(s->version_id, "null");
  const std::string id = catalog::EncodeVersionId(catalog::NewVersionId());
  s = ParseCopySource("b/k?versionId=" + id, &e);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->version_id, id);
  s = ParseCopySource("b/k", &e);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->version_id);
}

TEST(CopySourceTest, RefusesWhatS3Refuses) {
  for (std::string_view bad : {"", "/", "/b", "/b/", "b", "//k", "/b/%zz"}) {
    S3Error e = NoError();
    EXPECT_FALSE(ParseCopySource(bad, &e).ok()) << bad;
    EXPECT_EQ(e.code, S3ErrorCode::kInvalidArgument) << bad;
  }
  S3Error e = NoError();
  EXPECT_FALSE(ParseCopySource("/b/k?versionId=3HL4kqtJlcpXroDTDmJ", &e).ok());
  EXPECT_EQ(e.code, S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.Message(), "Invalid version id specified");
}

TEST(CopySourceRangeTest, OnlyBytesFirstDashLast) {
  S3Error e = NoError();
  Result<ByteRange> r = ParseCopySourceRange("bytes=0-0", &e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->length(), 1u);
  r = ParseCopySourceRange("bytes=5242880-10485759", &e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 5242880u);
  EXPECT_EQ(r->length(), 5242880u);
  // The forms s3-tests' test_multipart_copy_improper_range sends, and more.
  for (std::string_view bad : {"0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=hello-", "bytes=0-2,3-5",
                               "bytes=-5", "bytes=5-", "bytes= 0-1", "Bytes=0-1", "bytes=+1-2", "bytes=0-1 ", "",
                               "bytes=99999999999999999999-1"}) {
    S3Error err = NoError();
    EXPECT_FALSE(ParseCopySourceRange(bad, &err).ok()) << bad;
    EXPECT_EQ(err.code, S3ErrorCode::kInvalidArgument) << bad;
    ASSERT_EQ(err.details.size(), 2u) << bad;
    EXPECT_EQ(err.details[0].second, "x-amz-copy-source-range");
    EXPECT_EQ(err.details[1].second, bad);
  }
}

TEST(CopySourceRangeTest, MustLieWithinTheSource) {
  EXPECT_FALSE(CheckCopySourceRange(ByteRange{0, 4}, 5));
  EXPECT_FALSE(CheckCopySourceRange(ByteRange{4, 4}, 5));
  for (ByteRange bad : {ByteRange{0, 5}, ByteRange{0, 21}, ByteRange{5, 5}, ByteRange{3, 2}, ByteRange{0, 0}}) {
    uint64_t size = bad.first == 0 && bad.last == 0 ? 0 : 5;
    std::optional<S3Error> e = CheckCopySourceRange(bad, size);
    ASSERT_TRUE(e) << bad.first << "-" << bad.last;
    EXPECT_EQ(e->code, S3ErrorCode::kInvalidArgument);
    EXPECT_EQ(e->Message(), "Range specified is not valid for source object of size: " + std::to_string(size));
  }
}

TEST(CopySourceTest, LengthLimit) {
  const uint64_t limit = 5ull << 30;
  EXPECT_FALSE(CheckCopyLength(0, limit));
  EXPECT_FALSE(CheckCopyLength(limit, limit));
  std::optional<S3Error> e = CheckCopyLength(limit + 1, limit);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(e->Message(),
            "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
}

}  // namespace
}  // namespace confiance::s3

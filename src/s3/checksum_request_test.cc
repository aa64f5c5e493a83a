// File: s3/checksum_request_test.cc
#include "s3/checksum_request.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace confiance::s3 {
namespace {

using crypto::ChecksumAlgorithm;

http::Request Req(std::vector<http::Header> headers) {
  http::Request r;
  r.method = "PUT";
  r.target = "/b/k";
  r.headers = std::move(headers);
  return r;
}

std::optional<ChecksumRequest> MustParse(const http::Request& r, bool trailer_mode = false) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<std::optional<ChecksumRequest>> got = ParseChecksumRequest(r, trailer_mode, &error);
  EXPECT_TRUE(got.ok()) << error.Message();
  return got.ok() ? *got : std::nullopt;
}

S3Error MustFail(const http::Request& r, bool trailer_mode = false) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<std::optional<ChecksumRequest>> got = ParseChecksumRequest(r, trailer_mode, &error);
  EXPECT_FALSE(got.ok());
  return error;
}

TEST(ChecksumRequestTest, Names) {
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kSha256), "x-amz-checksum-sha256");
  EXPECT_EQ(ChecksumElementName(ChecksumAlgorithm::kSha1), "ChecksumSHA1");
}

TEST(ChecksumRequestTest, NoneRequested) {
  EXPECT_EQ(MustParse(Req({{"x-amz-checksum-mode", "ENABLED"}, {"content-md5", "x"}})), std::nullopt);
}

TEST(ChecksumRequestTest, HeaderValue) {
  std::optional<ChecksumRequest> r = MustParse(Req({{"X-Amz-Checksum-CRC32", "QU+jOQ=="}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->algorithm, ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(r->expected, std::string("\x41\x4f\xa3\x39", 4));
  EXPECT_FALSE(r->in_trailer);
  // With a matching SDK algorithm header.
  r = MustParse(Req({{"x-amz-checksum-sha1", "L9ThxnotKPzthJ7hu3bnORuT6xI="}, {"x-amz-sdk-checksum-algorithm", "SHA1"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->algorithm, ChecksumAlgorithm::kSha1);
}

TEST(ChecksumRequestTest, AlgorithmOnlyMeansComputeAndStore) {
  std::optional<ChecksumRequest> r = MustParse(Req({{"x-amz-sdk-checksum-algorithm", "crc32c"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_TRUE(r->expected.empty());
  EXPECT_EQ(VerifyChecksum(*r, "anything", std::nullopt), std::nullopt);
}

TEST(ChecksumRequestTest, Trailer) {
  std::optional<ChecksumRequest> r = MustParse(Req({{"x-amz-trailer", "x-amz-checksum-crc32c"}}), true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->in_trailer);
  EXPECT_EQ(r->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(MustFail(Req({{"x-amz-trailer", "x-amz-checksum-crc32c"}}), false).code, S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(MustFail(Req({{"x-amz-trailer", "x-amz-meta-foo"}}), true).code, S3ErrorCode::kInvalidRequest);
}

TEST(ChecksumRequestTest, Refusals) {
  // Not base64, or the wrong length for the algorithm: it cannot match.
  S3Error e = MustFail(Req({{"x-amz-checksum-crc32", "not base64!"}}));
  EXPECT_EQ(e.code, S3ErrorCode::kBadDigest);
  EXPECT_EQ(e.Message(), "The CRC32 you specified did not match the calculated checksum.");
  EXPECT_EQ(MustFail(Req({{"x-amz-checksum-sha256", "QU+jOQ=="}})).code, S3ErrorCode::kBadDigest);
  EXPECT_EQ(MustFail(Req({{"x-amz-checksum-sha256", "bad"}})).code, S3ErrorCode::kBadDigest);
  // Two checksums.
  e = MustFail(Req({{"x-amz-checksum-crc32", "QU+jOQ=="}, {"x-amz-checksum-crc32c", "ImIEBA=="}}));
  EXPECT_EQ(e.code, S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(MustFail(Req({{"x-amz-checksum-crc32", "QU+jOQ=="}, {"x-amz-trailer", "x-amz-checksum-crc32"}}), true).code,
            S3ErrorCode::kInvalidRequest);
  // An SDK algorithm that is unknown or names another algorithm.
  EXPECT_EQ(MustFail(Req({{"x-amz-sdk-checksum-algorithm", "MD5"}})).code, S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(MustFail(Req({{"x-amz-checksum-crc32", "QU+jOQ=="}, {"x-amz-sdk-checksum-algorithm", "SHA1"}})).code,
            S3ErrorCode::kInvalidRequest);
}

TEST(ChecksumRequestTest, ObjectChecksumHeaderOfCompletion) {
  using A = ChecksumAlgorithm;
  EXPECT_EQ(VerifyObjectChecksumHeader(Req({}), A::kSha256, "x-2"), std::nullopt);
  EXPECT_EQ(VerifyObjectChecksumHeader(Req({}), std::nullopt, ""), std::nullopt);
  EXPECT_EQ(VerifyObjectChecksumHeader(Req({{"x-amz-checksum-sha256", "x-2"}}), A::kSha256, "x-2"), std::nullopt);
  std::optional<S3Error> bad = VerifyObjectChecksumHeader(Req({{"x-amz-checksum-sha256", "bad"}}), A::kSha256, "x-2");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, S3ErrorCode::kBadDigest);
  EXPECT_TRUE(VerifyObjectChecksumHeader(Req({{"x-amz-checksum-crc32", "x-2"}}), A::kSha256, "x-2"));
  EXPECT_TRUE(VerifyObjectChecksumHeader(Req({{"x-amz-checksum-crc32", "x-2"}}), std::nullopt, ""));
}

TEST(ChecksumRequestTest, Verify) {
  ChecksumRequest header{ChecksumAlgorithm::kCrc32, std::string("\x41\x4f\xa3\x39", 4), false};
  EXPECT_EQ(VerifyChecksum(header, std::string("\x41\x4f\xa3\x39", 4), std::nullopt), std::nullopt);
  std::optional<S3Error> bad = VerifyChecksum(header, std::string("\x41\x4f\xa3\x38", 4), std::nullopt);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, S3ErrorCode::kBadDigest);
  EXPECT_EQ(bad->Message(), "The CRC32 you specified did not match the calculated checksum.");

  ChecksumRequest trailer{ChecksumAlgorithm::kCrc32, {}, true};
  EXPECT_EQ(VerifyChecksum(trailer, std::string("\x41\x4f\xa3\x39", 4), "QU+jOQ=="), std::nullopt);
  bad = VerifyChecksum(trailer, std::string("\x41\x4f\xa3\x39", 4), "AAAAAA==");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, S3ErrorCode::kBadDigest);
  bad = VerifyChecksum(trailer, std::string("\x41\x4f\xa3\x39", 4), "QU+j");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, S3ErrorCode::kBadDigest);
  bad = VerifyChecksum(trailer, std::string("\x41\x4f\xa3\x39", 4), std::nullopt);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, S3ErrorCode::kMalformedTrailerError);
}

TEST(ChecksumRequestTest, Crc64Nvme) {
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc64Nvme), "x-amz-checksum-crc64nvme");
  EXPECT_EQ(ChecksumElementName(ChecksumAlgorithm::kCrc64Nvme), "ChecksumCRC64NVME");
  const std::string raw = crypto::ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, "123456789");
  std::optional<ChecksumRequest> got = MustParse(Req({{"x-amz-checksum-crc64nvme", crypto::Base64Encode(raw)}}));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->algorithm, ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(got->expected, raw);
  // A CRC32's 4 bytes are no CRC64NVME.
  EXPECT_EQ(MustFail(Req({{"x-amz-checksum-crc64nvme", "AAAAAA=="}})).code, S3ErrorCode::kBadDigest);
  std::optional<ChecksumRequest> trailer =
      MustParse(Req({{"x-amz-trailer", "x-amz-checksum-crc64nvme"}}), /*trailer_mode=*/true);
  ASSERT_TRUE(trailer);
  EXPECT_TRUE(trailer->in_trailer);
}

TEST(ChecksumRequestTest, ChecksumTypeOfAnUpload) {
  auto type = [](std::vector<http::Header> headers, std::optional<ChecksumAlgorithm> a) -> std::string {
    S3Error error{S3ErrorCode::kInternalError, {}, {}};
    Result<bool> full = ParseChecksumType(Req(std::move(headers)), a, &error);
    if (!full.ok()) return std::string(error.CodeString()) + ": " + std::string(error.Message());
    return *full ? "FULL_OBJECT" : "COMPOSITE";
  };
  EXPECT_EQ(type({}, std::nullopt), "COMPOSITE");
  EXPECT_EQ(type({}, ChecksumAlgorithm::kCrc32), "COMPOSITE");
  EXPECT_EQ(type({}, ChecksumAlgorithm::kCrc64Nvme), "FULL_OBJECT");
  EXPECT_EQ(type({{"x-amz-checksum-type", "FULL_OBJECT"}}, ChecksumAlgorithm::kCrc32c), "FULL_OBJECT");
  EXPECT_EQ(type({{"x-amz-checksum-type", "COMPOSITE"}}, ChecksumAlgorithm::kSha256), "COMPOSITE");
  EXPECT_EQ(type({{"x-amz-checksum-type", "FULL_OBJECT"}}, ChecksumAlgorithm::kCrc64Nvme), "FULL_OBJECT");
  EXPECT_EQ(type({{"x-amz-checksum-type", "FULL_OBJECT"}}, ChecksumAlgorithm::kSha1),
            "InvalidRequest: The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.");
  EXPECT_EQ(type({{"x-amz-checksum-type", "COMPOSITE"}}, ChecksumAlgorithm::kCrc64Nvme),
            "InvalidRequest: The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
  EXPECT_EQ(type({{"x-amz-checksum-type", "PARTIAL"}}, ChecksumAlgorithm::kCrc32),
            "InvalidRequest: Value for x-amz-checksum-type header is invalid.");
  EXPECT_EQ(type({{"x-amz-checksum-type", "FULL_OBJECT"}}, std::nullopt),
            "InvalidRequest: The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
            "header.");
  EXPECT_EQ(ChecksumTypeOf("AAAAAA=="), "FULL_OBJECT");
  EXPECT_EQ(ChecksumTypeOf("AAAAAA==-3"), "COMPOSITE");
}

}  // namespace
}  // namespace confiance::s3

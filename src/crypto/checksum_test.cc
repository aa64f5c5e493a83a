// File: crypto/checksum_test.cc
// Known answers for S3's four checksum algorithms (values cross-checked with
// Python's zlib and hashlib, and RFC 3720 B.4 for CRC32C) and the composite
// rule of multipart objects.
#include "crypto/checksum.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace confiance::crypto {
namespace {

constexpr std::string_view kFox = "The quick brown fox jumps over the lazy dog";

std::string B64(ChecksumAlgorithm a, std::string_view data) { return Base64Encode(ComputeChecksum(a, data)); }

TEST(ChecksumTest, Crc32KnownAnswers) {
  EXPECT_EQ(Crc32Extend(0, {}), 0u);
  std::string_view check = "123456789";
  EXPECT_EQ(Crc32Extend(0, std::as_bytes(std::span(check.data(), check.size()))), 0xcbf43926u);
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32, kFox), std::string("\x41\x4f\xa3\x39", 4));
  EXPECT_EQ(B64(ChecksumAlgorithm::kCrc32, kFox), "QU+jOQ==");
  EXPECT_EQ(B64(ChecksumAlgorithm::kCrc32, ""), "AAAAAA==");
}

TEST(ChecksumTest, Crc32cKnownAnswers) {
  // RFC 3720 B.4: 32 bytes of zeros -> 0x8a9136aa (stored big-endian by S3).
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, std::string(32, '\0')), std::string("\x8a\x91\x36\xaa", 4));
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, std::string(32, '\xff')), std::string("\x62\xa8\xab\x43", 4));
  EXPECT_EQ(B64(ChecksumAlgorithm::kCrc32c, kFox), "ImIEBA==");
}

TEST(ChecksumTest, ShaKnownAnswers) {
  EXPECT_EQ(B64(ChecksumAlgorithm::kSha1, kFox), "L9ThxnotKPzthJ7hu3bnORuT6xI=");
  EXPECT_EQ(B64(ChecksumAlgorithm::kSha256, kFox), "16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI=");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kSha256, "")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ChecksumTest, StreamingEqualsOneShotAndFinishResets) {
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                              ChecksumAlgorithm::kSha256}) {
    Checksummer c(a);
    for (size_t cut = 0; cut <= kFox.size(); cut += 7) {
      c.Update(kFox.substr(0, cut));
      c.Update(kFox.substr(cut));
      std::string got = c.Finish();
      EXPECT_EQ(got, ComputeChecksum(a, kFox)) << ChecksumName(a) << " cut " << cut;
      EXPECT_EQ(got.size(), ChecksumSize(a));
    }
  }
}

TEST(ChecksumTest, Names) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32C"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("Sha1"), ChecksumAlgorithm::kSha1);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("MD5"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC3"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm(""), std::nullopt);
  EXPECT_EQ(ChecksumName(ChecksumAlgorithm::kCrc32c), "CRC32C");
}

// S3: a multipart object's checksum is the checksum of its parts' raw
// checksums concatenated ("checksum of checksums"), shown with "-N".
TEST(ChecksumTest, CompositeOfParts) {
  const std::string a(100, 'a');
  const std::string b(7, 'b');
  struct Case {
    ChecksumAlgorithm algorithm;
    std::string_view want;  // base64, computed independently in Python
  };
  for (const Case& c : {Case{ChecksumAlgorithm::kCrc32, "Pjmt8Q=="}, Case{ChecksumAlgorithm::kCrc32c, "VuhUaQ=="},
                        Case{ChecksumAlgorithm::kSha1, "QEZv+4Xw/2huJBrzUkdAYOMPIQ4="},
                        Case{ChecksumAlgorithm::kSha256, "kiAUUMOiqtILkZ+ykwUGcedr7cWw+HyFIgeSLmPBPbk="}}) {
    std::vector<std::string> parts = {ComputeChecksum(c.algorithm, a), ComputeChecksum(c.algorithm, b)};
    EXPECT_EQ(Base64Encode(CompositeChecksum(c.algorithm, parts)), c.want) << ChecksumName(c.algorithm);
    // Not the checksum of the whole object.
    EXPECT_NE(CompositeChecksum(c.algorithm, parts), ComputeChecksum(c.algorithm, a + b));
  }
}

}  // namespace
}  // namespace confiance::crypto

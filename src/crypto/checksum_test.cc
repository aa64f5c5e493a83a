// File: crypto/checksum_test.cc
// Known answers for S3's five checksum algorithms (values cross-checked with
// Python's zlib and hashlib, RFC 3720 B.4 for CRC32C, the CRC catalogue's
// check value for CRC-64/NVME) and the composite and full-object rules of
// multipart objects.
#include "crypto/checksum.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
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

// CRC-64/NVME one bit at a time, straight from its definition: the
// reference the table-driven code is checked against.
uint64_t Crc64NvmeBitwise(std::string_view data) {
  uint64_t c = ~uint64_t{0};
  for (unsigned char byte : data) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x9a6c9329ac4bc9b5ull : c >> 1;
  }
  return ~c;
}

std::string SeededBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

TEST(ChecksumTest, Crc64NvmeKnownAnswers) {
  EXPECT_EQ(Crc64NvmeExtend(0, {}), 0u);
  std::string_view check = "123456789";
  // The check value of CRC-64/NVME in the CRC catalogue.
  EXPECT_EQ(Crc64NvmeExtend(0, std::as_bytes(std::span(check.data(), check.size()))), 0xae8b14860a799888ull);
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, check), std::string("\xae\x8b\x14\x86\x0a\x79\x98\x88", 8));
  // Every length around the 8-byte stride, against the bitwise definition.
  const std::string data = SeededBytes(300, 7);
  for (size_t n = 0; n <= data.size(); n += (n < 40 ? 1 : 37)) {
    std::string_view piece(data.data(), n);
    EXPECT_EQ(Crc64NvmeExtend(0, std::as_bytes(std::span(piece.data(), piece.size()))), Crc64NvmeBitwise(piece))
        << n;
  }
  EXPECT_EQ(ChecksumSize(ChecksumAlgorithm::kCrc64Nvme), 8u);
  EXPECT_EQ(ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ChecksumName(ChecksumAlgorithm::kCrc64Nvme), "CRC64NVME");
}

TEST(ChecksumTest, CombinedCrcIsTheCrcOfTheWhole) {
  const std::string whole = SeededBytes(100000, 11);
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    ASSERT_TRUE(IsCrc(a));
    for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{4095}, size_t{50000},
                         whole.size()}) {
      std::string_view first(whole.data(), split), second(whole.data() + split, whole.size() - split);
      EXPECT_EQ(CombineCrc(a, ComputeChecksum(a, first), ComputeChecksum(a, second), second.size()),
                ComputeChecksum(a, whole))
          << ChecksumName(a) << " split at " << split;
    }
  }
  // Three parts, combined left to right as a multipart object's are.
  const ChecksumAlgorithm a = ChecksumAlgorithm::kCrc64Nvme;
  std::string_view p1(whole.data(), 30000), p2(whole.data() + 30000, 30000), p3(whole.data() + 60000, 40000);
  std::string acc = CombineCrc(a, ComputeChecksum(a, p1), ComputeChecksum(a, p2), p2.size());
  EXPECT_EQ(CombineCrc(a, acc, ComputeChecksum(a, p3), p3.size()), ComputeChecksum(a, whole));
  // CRC32 also against zlib's own combination.
  const auto* bytes = reinterpret_cast<const Bytef*>(whole.data());
  const uLong left = crc32(0, bytes, 1234), right = crc32(0, bytes + 1234, static_cast<uInt>(whole.size() - 1234));
  const std::string raw_left = ComputeChecksum(ChecksumAlgorithm::kCrc32, std::string_view(whole.data(), 1234));
  const std::string raw_right = ComputeChecksum(ChecksumAlgorithm::kCrc32, std::string_view(whole).substr(1234));
  const uLong by_zlib = crc32_combine(left, right, static_cast<z_off_t>(whole.size() - 1234));
  EXPECT_EQ(CombineCrc(ChecksumAlgorithm::kCrc32, raw_left, raw_right, whole.size() - 1234),
            std::string({static_cast<char>(by_zlib >> 24), static_cast<char>(by_zlib >> 16),
                         static_cast<char>(by_zlib >> 8), static_cast<char>(by_zlib)}));
  EXPECT_FALSE(IsCrc(ChecksumAlgorithm::kSha256));
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

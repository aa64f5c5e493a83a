// File: crypto/aead_test.cc
// The blob format: golden vectors from an independent implementation
// (pyca/cryptography, script in docs/blob_format.md), round trips, every
// range of a small multi-package blob, and tampering (truncation,
// reordering, every bit flip, header changes) which must fail with an error
// and never yield wrong plaintext.
#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

using Bytes = std::vector<std::byte>;

constexpr PackageLayout kTiny{4};  // 16-byte packages: many packages, small blobs

SecretBytes FixedKey(int first) {
  SecretBytes k(32);
  for (int i = 0; i < 32; ++i) k.mutable_data()[i] = static_cast<unsigned char>(first + i);
  return k;
}

Bytes Pattern(size_t n, unsigned seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>((i * 131 + seed * 7 + (i >> 8)) & 0xff);
  return b;
}

std::span<const std::byte> AsBytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

// Encrypts `plain`, feeding it in pieces of `piece` bytes.
Bytes Encrypt(const SecretBytes& key, const Bytes& plain, PackageLayout layout = kDefaultLayout,
              size_t piece = 1000) {
  Bytes blob;
  ObjectEncryptor enc(key, [&](std::span<const std::byte> b) {
    blob.insert(blob.end(), b.begin(), b.end());
    return OkStatus();
  }, layout);
  std::span<const std::byte> rest(plain);
  while (!rest.empty()) {
    size_t n = std::min(piece, rest.size());
    EXPECT_OK(enc.Write(rest.first(n)));
    rest = rest.subspan(n);
  }
  EXPECT_OK(enc.Finish());
  EXPECT_EQ(enc.plain_size(), plain.size());
  EXPECT_EQ(enc.sealed_size(), blob.size());
  return blob;
}

RangeDecryptor::Reader ReaderOf(const Bytes& blob) {
  return [&blob](uint64_t offset, std::span<std::byte> out) -> Result<size_t> {
    if (offset >= blob.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), blob.size() - offset);
    std::memcpy(out.data(), blob.data() + offset, n);
    return n;
  };
}

// Reads [offset, offset+len); checks that whatever reached the sink is a
// prefix of the true plaintext, even on failure. Returns the status.
Status ReadChecked(const SecretBytes& key, const Bytes& blob, uint64_t plain_size, const Bytes& truth,
                   uint64_t offset, uint64_t len, Bytes* got = nullptr) {
  RangeDecryptor dec(key, plain_size, ReaderOf(blob));
  Bytes out;
  Status s = dec.ReadRange(offset, len, [&](std::span<const std::byte> piece) {
    out.insert(out.end(), piece.begin(), piece.end());
    return OkStatus();
  });
  EXPECT_LE(out.size(), len);
  for (size_t i = 0; i < out.size() && offset + i < truth.size(); ++i) {
    if (out[i] != truth[offset + i]) {
      ADD_FAILURE() << "wrong plaintext byte at " << offset + i;
      break;
    }
  }
  if (s.ok()) {
    EXPECT_EQ(out.size(), len);
  }
  if (got != nullptr) *got = std::move(out);
  return s;
}

TEST(ObjectFormatTest, LayoutHelpers) {
  static_assert(kTiny.PackageCount(0) == 1 && kTiny.PackageCount(16) == 1 && kTiny.PackageCount(17) == 2);
  static_assert(kTiny.PackagesForRange(15, 2, 40) == PackageRange{0, 1});
  static_assert(kTiny.PlainPackageSize(2, 40) == 8 && kTiny.PlainPackageSize(1, 40) == 16);
  EXPECT_EQ(CiphertextSize(3 * 65536 + 5), 16u + 3 * 65536 + 5 + 4 * 16);
  EXPECT_EQ(PackagesForRange(65535, 2, 200000), (PackageRange{0, 1}));
  EXPECT_EQ(PackagesForRange(65536, 65536, 200000), (PackageRange{1, 1}));
  EXPECT_EQ(PlainPackageSize(3, 3 * 65536 + 5), 5u);
  EXPECT_EQ(SealedPackageOffset(0), 16u);
}

TEST(ObjectFormatTest, GoldenVectorsFromIndependentImplementation) {
  SecretBytes key = FixedKey(0);
  Bytes plain(40);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<std::byte>(i % 251);
  EXPECT_EQ(HexEncode(Encrypt(key, plain, kTiny, 7)),
            "434e46420101040000000000000000000ebdb7ddb12985ba00a1a33e14219f96cbe63c74b166487fde36ea09e889f5"
            "1a05c7adef50e1260916374b22f0bb24e8ac20cf97710e8cd01e4da24c7a93f65fe9500c5e906efcf6f266d71f6a4e"
            "a245e8f425a61f337640");
  EXPECT_EQ(HexEncode(Encrypt(key, {})), "434e46420101100000000000000000003b7c077576e23a91ae5f889100ba7342");
}

TEST(ObjectFormatTest, RoundTripSizes) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{3 * 65536 + 5}}) {
    Bytes plain = Pattern(size, static_cast<unsigned>(size));
    for (size_t piece : {size_t{1} << 20, size_t{65536}, size_t{4097}}) {
      Bytes blob = Encrypt(key, plain, kDefaultLayout, piece);
      ASSERT_EQ(blob.size(), CiphertextSize(size)) << size;
      RangeDecryptor dec(key, size, ReaderOf(blob));
      Bytes out(size);
      ASSERT_OK(dec.Read(0, out));
      EXPECT_TRUE(out == plain) << size;
    }
  }
}

TEST(ObjectFormatTest, ChunkingDoesNotChangeTheBlob) {
  SecretBytes key = FixedKey(9);
  Bytes plain = Pattern(3 * 65536 + 5);
  Bytes a = Encrypt(key, plain, kDefaultLayout, 1 << 20);
  EXPECT_TRUE(a == Encrypt(key, plain, kDefaultLayout, 1));
  EXPECT_TRUE(a == Encrypt(key, plain, kDefaultLayout, 65536));
  EXPECT_TRUE(a == Encrypt(key, plain, kDefaultLayout, 65537));
}

TEST(ObjectFormatTest, EveryRangeOfASmallMultiPackageBlob) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 5 * 16 + 3;  // 6 packages, the last one partial
  Bytes plain = Pattern(size);
  Bytes blob = Encrypt(key, plain, kTiny, 5);
  for (uint64_t off = 0; off <= size; ++off) {
    for (uint64_t len = 0; off + len <= size; ++len) {
      Status s = ReadChecked(key, blob, size, plain, off, len);
      ASSERT_TRUE(s.ok()) << off << "+" << len << ": " << s.ToString();
    }
  }
  RangeDecryptor dec(key, size, ReaderOf(blob));
  EXPECT_STATUS_CODE(dec.ReadRange(size, 1, [](auto) { return OkStatus(); }), kOutOfRange);
  EXPECT_STATUS_CODE(dec.ReadRange(0, size + 1, [](auto) { return OkStatus(); }), kOutOfRange);
  EXPECT_STATUS_CODE(dec.ReadRange(~uint64_t{0}, 2, [](auto) { return OkStatus(); }), kOutOfRange);
}

// Read() opens packages it covers whole in the caller's buffer and copies
// only partly wanted ones: every range must match ReadRange's plaintext.
TEST(ObjectFormatTest, ReadIntoBufferMatchesEveryRange) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 5 * 16 + 3;  // 6 packages, the last one partial
  Bytes plain = Pattern(size, 7);
  Bytes blob = Encrypt(key, plain, kTiny, 5);
  for (uint64_t off = 0; off <= size; ++off) {
    for (uint64_t len = 0; off + len <= size; ++len) {
      RangeDecryptor dec(key, size, ReaderOf(blob));
      Bytes out(len, std::byte{0xEE});
      ASSERT_OK(dec.Read(off, out));
      ASSERT_TRUE(std::equal(out.begin(), out.end(), plain.begin() + static_cast<ptrdiff_t>(off)))
          << off << "+" << len;
    }
  }
  RangeDecryptor dec(key, size, ReaderOf(blob));
  Bytes one(1);
  EXPECT_STATUS_CODE(dec.Read(size, one), kOutOfRange);
}

// A tampered package read whole into the caller's buffer fails, and its
// unauthenticated plaintext does not stay there.
TEST(ObjectFormatTest, ReadIntoBufferWipesAFailedPackage) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 3 * 16;
  Bytes plain = Pattern(size, 9);
  Bytes blob = Encrypt(key, plain, kTiny);
  for (uint64_t pkg = 0; pkg < 3; ++pkg) {
    for (size_t at : {size_t{0}, size_t{15}, size_t{16}}) {  // ciphertext and tag bytes
      Bytes bad = blob;
      bad[kTiny.SealedPackageOffset(pkg) + at] ^= std::byte{0x01};
      RangeDecryptor dec(key, size, ReaderOf(bad));
      Bytes out(size, std::byte{0xEE});
      EXPECT_STATUS_CODE(dec.Read(0, out), kDataLoss);
      // Packages before the bad one are plaintext; the bad one is zeroed.
      EXPECT_TRUE(std::equal(out.begin(), out.begin() + static_cast<ptrdiff_t>(pkg * 16), plain.begin()));
      for (size_t i = pkg * 16; i < pkg * 16 + 16; ++i) ASSERT_EQ(out[i], std::byte{0}) << pkg << " " << at;
    }
  }
}

TEST(ObjectFormatTest, BoundaryRangesOfA200KiBBlob) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const uint64_t size = 200 * 1024;
  Bytes plain = Pattern(size, 3);
  Bytes blob = Encrypt(key, plain);
  std::vector<uint64_t> points = {0, 1, size - 1, size};
  for (uint64_t b = 65536; b < size; b += 65536) {
    for (uint64_t d : {b - 1, b, b + 1}) points.push_back(d);
  }
  int reads = 0;
  for (uint64_t a : points) {
    for (uint64_t b : points) {
      if (b < a) continue;
      Status s = ReadChecked(key, blob, size, plain, a, b - a);
      ASSERT_TRUE(s.ok()) << a << ".." << b << ": " << s.ToString();
      ++reads;
    }
  }
  // Plus sampled ranges (a fixed LCG: reproducible).
  uint64_t x = 12345;
  for (int i = 0; i < 200; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t a = (x >> 20) % (size + 1);
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t len = (x >> 20) % (size - a + 1);
    Status s = ReadChecked(key, blob, size, plain, a, len);
    ASSERT_TRUE(s.ok()) << a << "+" << len << ": " << s.ToString();
    ++reads;
  }
  EXPECT_EQ(reads, 91 + 200);
}

TEST(ObjectFormatTest, TruncationIsDetected) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 4 * 16;  // exactly 4 full packages
  Bytes plain = Pattern(size);
  Bytes blob = Encrypt(key, plain, kTiny);
  // Dropping trailing bytes, one at a time, down to the header.
  for (size_t cut = 1; cut < blob.size(); ++cut) {
    Bytes shorter(blob.begin(), blob.end() - static_cast<ptrdiff_t>(cut));
    EXPECT_STATUS_CODE(ReadChecked(key, shorter, size, plain, 0, size), kDataLoss) << cut;
  }
  // Dropping the last whole package AND believing the shorter size: package
  // 2 was not sealed as final.
  const size_t sealed = kTiny.sealed_package_size();
  Bytes dropped(blob.begin(), blob.end() - static_cast<ptrdiff_t>(sealed));
  EXPECT_STATUS_CODE(ReadChecked(key, dropped, size - 16, plain, 0, size - 16), kDataLoss);
  EXPECT_STATUS_CODE(ReadChecked(key, dropped, size - 16, plain, 32, 1), kDataLoss);
  // The untouched packages still read (range reads do not need the tail).
  EXPECT_OK(ReadChecked(key, dropped, size, plain, 0, 48));
}

TEST(ObjectFormatTest, ReorderingIsDetected) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 4 * 16 + 16;  // 5 full packages
  Bytes plain = Pattern(size);
  Bytes blob = Encrypt(key, plain, kTiny);
  const size_t sp = kTiny.sealed_package_size();
  for (uint64_t i = 0; i < 5; ++i) {
    for (uint64_t j = i + 1; j < 5; ++j) {
      Bytes swapped = blob;
      std::swap_ranges(swapped.begin() + kTiny.SealedPackageOffset(i),
                       swapped.begin() + kTiny.SealedPackageOffset(i) + sp,
                       swapped.begin() + kTiny.SealedPackageOffset(j));
      EXPECT_STATUS_CODE(ReadChecked(key, swapped, size, plain, 0, size), kDataLoss);
      EXPECT_STATUS_CODE(ReadChecked(key, swapped, size, plain, i * 16, 1), kDataLoss);
      EXPECT_STATUS_CODE(ReadChecked(key, swapped, size, plain, j * 16, 1), kDataLoss);
    }
  }
}

TEST(ObjectFormatTest, EveryBitFlipIsDetected) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  const size_t size = 2 * 16 + 7;
  Bytes plain = Pattern(size);
  Bytes blob = Encrypt(key, plain, kTiny);
  for (size_t pos = 0; pos < blob.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = blob;
      bad[pos] ^= std::byte(1 << bit);
      Status s = ReadChecked(key, bad, size, plain, 0, size);
      EXPECT_FALSE(s.ok()) << "flip at byte " << pos << " bit " << bit;
      // A flipped version/algorithm byte reads as an unknown format; all
      // else is DataLoss.
      if (pos != kHeaderVersionOffset && pos != kHeaderAlgorithmOffset) {
        EXPECT_EQ(s.code(), StatusCode::kDataLoss) << pos << " " << s.ToString();
      }
    }
  }
}

TEST(ObjectFormatTest, HeaderTamperIsDetected) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  Bytes plain = Pattern(100);
  Bytes blob = Encrypt(key, plain, kTiny);
  auto with = [&](size_t pos, uint8_t v) {
    Bytes b = blob;
    b[pos] = std::byte{v};
    return ReadChecked(key, b, plain.size(), plain, 0, plain.size());
  };
  EXPECT_STATUS_CODE(with(0, 'X'), kDataLoss);                          // magic
  EXPECT_STATUS_CODE(with(kHeaderLog2PackageOffset, 5), kDataLoss);     // valid size, not the sealed one
  EXPECT_STATUS_CODE(with(kHeaderLog2PackageOffset, 3), kDataLoss);     // below the minimum
  EXPECT_STATUS_CODE(with(kHeaderLog2PackageOffset, 200), kDataLoss);   // absurd
  EXPECT_STATUS_CODE(with(15, 1), kDataLoss);                           // reserved
  EXPECT_STATUS_CODE(with(kHeaderVersionOffset, 2), kUnimplemented);   // a future version
  EXPECT_STATUS_CODE(with(kHeaderAlgorithmOffset, 2), kUnimplemented);  // an unknown algorithm
}

TEST(ObjectFormatTest, WrongKeyFails) {
  Bytes plain = Pattern(50);
  Bytes blob = Encrypt(FixedKey(1), plain, kTiny);
  EXPECT_STATUS_CODE(ReadChecked(FixedKey(2), blob, 50, plain, 0, 50), kDataLoss);
  EXPECT_STATUS_CODE(ReadChecked(FixedKey(2), blob, 50, plain, 20, 1), kDataLoss);
}

TEST(ObjectFormatTest, SealerAndOpenerContracts) {
  SecretBytes key = FixedKey(5);
  PackageSealer sealer(key, kTiny);
  PackageOpener opener(key);
  Bytes plain = Pattern(16);
  Bytes sealed(32);
  ASSERT_OK(sealer.Seal(3, plain, /*final=*/false, sealed));
  Bytes out(16);
  EXPECT_STATUS_CODE(opener.Open(3, sealed, false, out), kFailedPrecondition);
  ASSERT_OK(opener.CheckHeader(sealer.header()));
  ASSERT_OK(opener.Open(3, sealed, false, out));
  EXPECT_TRUE(out == plain);
  // Wrong index, wrong final flag: DataLoss and the output is wiped.
  EXPECT_STATUS_CODE(opener.Open(4, sealed, false, out), kDataLoss);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0}; }));
  EXPECT_STATUS_CODE(opener.Open(3, sealed, true, out), kDataLoss);
  // In place.
  Bytes inplace = plain;
  inplace.resize(32);
  ASSERT_OK(sealer.Seal(3, std::span(inplace).first(16), false, inplace));
  EXPECT_TRUE(inplace == sealed);
  ASSERT_OK(opener.Open(3, inplace, false, inplace));
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), inplace.begin()));
  // Layout rules.
  EXPECT_STATUS_CODE(sealer.Seal(0, std::span(plain).first(15), false, sealed), kInvalidArgument);
  EXPECT_STATUS_CODE(sealer.Seal(1, {}, true, sealed), kInvalidArgument);
  EXPECT_OK(sealer.Seal(0, {}, true, sealed));
  EXPECT_STATUS_CODE(sealer.Seal(0, plain, false, std::span(sealed).first(31)), kInvalidArgument);
  EXPECT_STATUS_CODE(opener.Open(0, std::span(sealed).first(15), true, out), kDataLoss);
  // Bad key or layout.
  SecretBytes short_key(16);
  PackageSealer bad(short_key);
  EXPECT_STATUS_CODE(bad.Seal(0, plain, true, sealed), kInvalidArgument);
  PackageSealer bad_layout(key, PackageLayout{40});
  EXPECT_STATUS_CODE(bad_layout.Seal(0, plain, true, sealed), kInvalidArgument);
  ObjectEncryptor bad_enc(key, [](auto) { return OkStatus(); }, PackageLayout{2});
  EXPECT_STATUS_CODE(bad_enc.Write(plain), kInvalidArgument);
}

TEST(ObjectFormatTest, EncryptorErrorsAreSticky) {
  SecretBytes key = FixedKey(6);
  int calls = 0;
  ObjectEncryptor enc(key, [&](auto) {
    return ++calls == 2 ? UnavailableError("disk gone") : OkStatus();
  }, kTiny);
  Bytes plain = Pattern(40);
  EXPECT_STATUS_CODE(enc.Write(plain), kUnavailable);
  EXPECT_STATUS_CODE(enc.Write(plain), kUnavailable);
  EXPECT_STATUS_CODE(enc.Finish(), kUnavailable);
  ObjectEncryptor ok(key, [](auto) { return OkStatus(); });
  ASSERT_OK(ok.Finish());
  EXPECT_STATUS_CODE(ok.Write(plain), kFailedPrecondition);
  EXPECT_STATUS_CODE(ok.Finish(), kFailedPrecondition);
}

TEST(ObjectFormatTest, DataKeysAreFresh) {
  ASSERT_OK_AND_ASSIGN(SecretBytes a, NewDataKey());
  ASSERT_OK_AND_ASSIGN(SecretBytes b, NewDataKey());
  ASSERT_EQ(a.size(), kDataKeySize);
  EXPECT_FALSE(std::equal(a.span().begin(), a.span().end(), b.span().begin()));
  (void)AsBytes;
}

}  // namespace
}  // namespace confiance::crypto

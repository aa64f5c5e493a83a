// File: crypto/hash_test.cc
// Known-answer tests: FIPS 180-2 / NIST CSRC examples (SHA-1, SHA-256),
// RFC 1321 (MD5), RFC 4231 (HMAC-SHA256), RFC 3720 B.4 (CRC32C).
#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

std::string Unhex(std::string_view h) {
  auto r = HexDecode(h);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::string();
}

TEST(HashTest, Sha256Nist) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, Sha256MillionAStreamedAndReset) {
  Sha256 h;
  h.Update(std::string_view("garbage"));
  h.Reset();
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(chunk);
  EXPECT_EQ(DigestHex(h.Finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Finish leaves the hasher ready for the next message.
  h.Update(std::string_view("abc"));
  EXPECT_EQ(DigestHex(h.Finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, Md5Rfc1321) {
  const std::pair<std::string, std::string> kVectors[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"}};
  Md5 h;
  for (const auto& [msg, hex] : kVectors) {
    EXPECT_EQ(DigestHex(Md5Digest(msg)), hex);
    for (char c : msg) h.Update(std::string_view(&c, 1));  // byte-by-byte streaming
    EXPECT_EQ(DigestHex(h.Finish()), hex);
  }
}

TEST(HashTest, Sha1Nist) {
  Sha1 h;
  h.Update(std::string_view("abc"));
  EXPECT_EQ(DigestHex(h.Finish()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  h.Update(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
  EXPECT_EQ(DigestHex(h.Finish()), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

// RFC 2202, test cases 1, 2 and 6.
TEST(HashTest, HmacSha1Rfc2202) {
  EXPECT_EQ(DigestHex(HmacSha1(std::string(20, '\x0b'), "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(DigestHex(HmacSha1("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(DigestHex(HmacSha1(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(HashTest, HmacSha256Rfc4231) {
  struct Case {
    std::string key, data, mac;
  };
  const Case kCases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {Unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs "
       "to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Case& c : kCases) EXPECT_EQ(DigestHex(HmacSha256(c.key, c.data)), c.mac);
  // Test case 5: output truncated to 128 bits.
  EXPECT_EQ(DigestHex(HmacSha256(std::string(20, '\x0c'), "Test With Truncation")).substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
  // An empty key is legal.
  EXPECT_EQ(DigestHex(HmacSha256(std::string_view(), "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HashTest, Crc32cKnownAnswers) {
  EXPECT_EQ(Crc32c(std::string_view("")), 0u);
  EXPECT_EQ(Crc32c(std::string_view("123456789")), 0xe3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(inc), 0x46dd794eu);
}

TEST(HashTest, Crc32cFastPathMatchesPortableAndExtends) {
  ASSERT_OK_AND_ASSIGN(SecretBytes data, RandomBytes(1000));
  for (size_t n : {0, 1, 7, 8, 9, 63, 64, 100, 999, 1000}) {
    auto s = data.span().first(n);
    uint32_t fast = Crc32c(s);
    EXPECT_EQ(fast, internal::Crc32cExtendPortable(0, data.data(), n)) << n;
    for (size_t cut = 0; cut <= n; cut += 3) {
      EXPECT_EQ(Crc32cExtend(Crc32c(s.first(cut)), s.subspan(cut)), fast);
    }
  }
}

}  // namespace
}  // namespace confiance::crypto

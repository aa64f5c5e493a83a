// File: crypto/ed25519_test.cc
// Known answers from RFC 8032 section 7.1 (TEST 1 and TEST 2).
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

std::string UnhexSeed(std::string_view h) {
  auto r = HexDecode(h);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::string();
}

using testutil::AsBytes;

std::string Str(std::span<const uint8_t> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

struct Vector {
  const char* seed;
  const char* pub;
  const char* msg;
  const char* sig;
};

constexpr Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519Test, Rfc8032KnownAnswers) {
  for (const Vector& v : kRfc8032) {
    std::string seed = UnhexSeed(v.seed);
    ASSERT_OK_AND_ASSIGN(Ed25519PrivateKey key, Ed25519PrivateKey::FromSeed(AsBytes(seed)));
    EXPECT_EQ(HexEncode(Str(key.public_key())), v.pub);
    std::string msg = UnhexSeed(v.msg);
    ASSERT_OK_AND_ASSIGN(Ed25519Signature sig, key.Sign(msg));
    EXPECT_EQ(HexEncode(Str(sig)), v.sig);
    EXPECT_TRUE(Ed25519Verify(key.public_key(), msg, sig));
  }
}

TEST(Ed25519Test, RejectsAlteredMessageSignatureOrKey) {
  ASSERT_OK_AND_ASSIGN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  ASSERT_OK_AND_ASSIGN(Ed25519PrivateKey other, Ed25519PrivateKey::Generate());
  ASSERT_OK_AND_ASSIGN(Ed25519Signature sig, key.Sign("checkpoint"));
  EXPECT_TRUE(Ed25519Verify(key.public_key(), "checkpoint", sig));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), "checkpoinT", sig));
  EXPECT_FALSE(Ed25519Verify(other.public_key(), "checkpoint", sig));
  Ed25519Signature bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(Ed25519Verify(key.public_key(), "checkpoint", bad));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), "checkpoint", std::span(sig).first(63)));
}

TEST(Ed25519Test, SeedMustBe32Bytes) {
  std::string s(31, 'x');
  EXPECT_STATUS_CODE(Ed25519PrivateKey::FromSeed(AsBytes(s)), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::crypto

// File: crypto/customer_key_test.cc
// Golden vectors: RFC 5869 for HKDF; the SSE-C KEK and verifier as an
// independent implementation (Python hmac/hashlib) computes them.
#include "crypto/customer_key.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "crypto/envelope.h"
#include "crypto/random.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

using testutil::SequenceSecret;

std::string SeqString(int first, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + static_cast<int>(i));
  return s;
}

std::string Hex(const SecretBytes& k) { return HexEncode(k.span()); }

TEST(HkdfTest, Rfc5869TestCase1) {
  SecretBytes ikm(22);
  for (size_t i = 0; i < 22; ++i) ikm.mutable_data()[i] = 0x0b;
  ASSERT_OK_AND_ASSIGN(SecretBytes okm, HkdfSha256(ikm, SeqString(0, 13), SeqString(0xf0, 10), 42));
  EXPECT_EQ(Hex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfTest, Rfc5869TestCase3EmptySaltAndInfo) {
  SecretBytes ikm(22);
  for (size_t i = 0; i < 22; ++i) ikm.mutable_data()[i] = 0x0b;
  ASSERT_OK_AND_ASSIGN(SecretBytes okm, HkdfSha256(ikm, "", "", 42));
  EXPECT_EQ(Hex(okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfTest, RejectsBadLength) {
  SecretBytes ikm = SequenceSecret(1, 32);
  EXPECT_FALSE(HkdfSha256(ikm, "s", "i", 0).ok());
  EXPECT_FALSE(HkdfSha256(ikm, "s", "i", 255 * 32 + 1).ok());
}

TEST(CustomerKeyTest, KekGoldenVector) {
  ASSERT_OK_AND_ASSIGN(SecretBytes kek,
                       DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 32), SeqString(200, 16)));
  EXPECT_EQ(Hex(kek), "688c7f4783d9c4b54ffd0dcf05927db1290ab4665efc7fa0a4b36be33567c46d");
}

TEST(CustomerKeyTest, VerifierGoldenVector) {
  EXPECT_EQ(HexEncode(CustomerKeyVerifier(SequenceSecret(100, 32), SeqString(200, 16))),
            "24e242b8745bd5cd59dffe5eb88f7d6ec896592de756012a43c45e9390dab32f");
}

TEST(CustomerKeyTest, KekDependsOnEveryInput) {
  const std::string salt = SeqString(200, 16);
  ASSERT_OK_AND_ASSIGN(SecretBytes base, DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 32), salt));
  ASSERT_OK_AND_ASSIGN(SecretBytes other_bucket,
                       DeriveCustomerKek(SequenceSecret(1, 32), SequenceSecret(100, 32), salt));
  ASSERT_OK_AND_ASSIGN(SecretBytes other_customer,
                       DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(101, 32), salt));
  ASSERT_OK_AND_ASSIGN(SecretBytes other_salt,
                       DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 32), SeqString(201, 16)));
  ASSERT_OK_AND_ASSIGN(SecretBytes again, DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 32), salt));
  EXPECT_EQ(Hex(base), Hex(again));
  EXPECT_NE(Hex(base), Hex(other_bucket));
  EXPECT_NE(Hex(base), Hex(other_customer));
  EXPECT_NE(Hex(base), Hex(other_salt));
  // The KEK is neither key (nor their concatenation's prefix).
  EXPECT_NE(Hex(base), Hex(SequenceSecret(0, 32)));
  EXPECT_NE(Hex(base), Hex(SequenceSecret(100, 32)));
}

TEST(CustomerKeyTest, RejectsBadSizes) {
  const std::string salt = SeqString(200, 16);
  EXPECT_EQ(DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 16), salt).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DeriveCustomerKek(SecretBytes(), SequenceSecret(100, 32), salt).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DeriveCustomerKek(SequenceSecret(0, 32), SequenceSecret(100, 32), "short").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CustomerKeyTest, VerifierRecognisesOnlyTheKey) {
  ASSERT_OK_AND_ASSIGN(std::string salt, NewCustomerKeySalt());
  EXPECT_EQ(salt.size(), kCustomerKeySaltSize);
  ASSERT_OK_AND_ASSIGN(SecretBytes key, RandomBytes(32));
  const std::string verifier = CustomerKeyVerifier(key, salt);
  EXPECT_EQ(verifier.size(), kCustomerKeyVerifierSize);
  EXPECT_TRUE(CustomerKeyMatches(key, salt, verifier));
  SecretBytes flipped = key.Clone();
  flipped.mutable_data()[31] ^= 1;
  EXPECT_FALSE(CustomerKeyMatches(flipped, salt, verifier));
  ASSERT_OK_AND_ASSIGN(std::string other_salt, NewCustomerKeySalt());
  EXPECT_NE(salt, other_salt);
  EXPECT_FALSE(CustomerKeyMatches(key, other_salt, verifier));
  // Salted: the same key gives unrelated verifiers under two salts.
  EXPECT_NE(verifier, CustomerKeyVerifier(key, other_salt));
  EXPECT_FALSE(CustomerKeyMatches(SequenceSecret(0, 16), salt, verifier));
  // The verifier does not contain the key.
  std::string raw(reinterpret_cast<const char*>(key.data()), key.size());
  EXPECT_EQ(verifier.find(raw.substr(0, 8)), std::string::npos);
}

TEST(CustomerKeyTest, WrongCustomerKeyCannotUnwrapDataKey) {
  ASSERT_OK_AND_ASSIGN(SecretBytes bucket_key, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes customer, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes data_key, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string salt, NewCustomerKeySalt());
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, DeriveCustomerKek(bucket_key, customer, salt));
  ASSERT_OK_AND_ASSIGN(std::string wrapped, WrapKey(kek, data_key, "ctx"));
  ASSERT_OK_AND_ASSIGN(SecretBytes kek_again, DeriveCustomerKek(bucket_key, customer, salt));
  ASSERT_OK_AND_ASSIGN(SecretBytes back, UnwrapKey(kek_again, wrapped, "ctx"));
  EXPECT_EQ(Hex(back), Hex(data_key));
  // The bucket key alone (what the operator's root key unwraps) does not open it.
  EXPECT_EQ(UnwrapKey(bucket_key, wrapped, "ctx").status().code(), StatusCode::kPermissionDenied);
  SecretBytes wrong = customer.Clone();
  wrong.mutable_data()[0] ^= 0x80;
  ASSERT_OK_AND_ASSIGN(SecretBytes wrong_kek, DeriveCustomerKek(bucket_key, wrong, salt));
  EXPECT_EQ(UnwrapKey(wrong_kek, wrapped, "ctx").status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace confiance::crypto

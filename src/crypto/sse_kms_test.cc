// File: crypto/sse_kms_test.cc
#include "crypto/sse_kms.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace confiance::crypto {
namespace {

SecretBytes Bytes(std::string_view s) { return SecretBytes(std::as_bytes(std::span(s.data(), s.size()))); }

std::string Hex(const SecretBytes& b) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

TEST(SseKmsTest, KekBindsKeyIdAndContext) {
  const SecretBytes bucket_key = Bytes(std::string(32, '\x11'));
  Result<SecretBytes> a = DeriveKmsKek(bucket_key, "acme", "");
  Result<SecretBytes> b = DeriveKmsKek(bucket_key, "acme", "eyJhIjoiYiJ9");
  Result<SecretBytes> c = DeriveKmsKek(bucket_key, "other", "");
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  Result<SecretBytes> d = DeriveKmsKek(bucket_key, "acm", "e");
  Result<SecretBytes> e = DeriveKmsKek(Bytes(std::string(32, '\x12')), "acme", "");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok() && e.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(Hex(*a), Hex(*b));
  EXPECT_NE(Hex(*a), Hex(*c));
  EXPECT_NE(Hex(*a), Hex(*d));
  EXPECT_NE(Hex(*a), Hex(*e));
  EXPECT_EQ(Hex(*a), Hex(*DeriveKmsKek(bucket_key, "acme", "")));
}

TEST(SseKmsTest, GoldenVector) {
  // Pinned: changing the derivation orphans every stored SSE-KMS object.
  Result<SecretBytes> k = DeriveKmsKek(Bytes(std::string(32, '\x11')), "acme", "");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(Hex(*k), "33dc872f32197d8c79a00a6a2b631812d2426d4c33cd3785cfe8a1606da4bcfd");
}

TEST(SseKmsTest, NamedKeyKekNeedsBothKeys) {
  const SecretBytes bucket_key = Bytes(std::string(32, '\x11'));
  const SecretBytes named = Bytes(std::string(32, '\x22'));
  Result<SecretBytes> k = DeriveNamedKmsKek(bucket_key, named, "acme/payroll", "");
  ASSERT_TRUE(k.ok());
  // Pinned (computed with Python's hmac and hashlib, RFC 5869): changing
  // the derivation orphans every object under a named key.
  EXPECT_EQ(Hex(*k), "c7da034a18e50a762d7f1e814eb8fcb70587d5e25d1e5a23624d212231607e0b");
  EXPECT_NE(Hex(*k), Hex(*DeriveNamedKmsKek(bucket_key, Bytes(std::string(32, '\x23')), "acme/payroll", "")));
  EXPECT_NE(Hex(*k), Hex(*DeriveNamedKmsKek(Bytes(std::string(32, '\x12')), named, "acme/payroll", "")));
  EXPECT_NE(Hex(*k), Hex(*DeriveNamedKmsKek(bucket_key, named, "alias/payroll", "")));
  EXPECT_NE(Hex(*k), Hex(*DeriveNamedKmsKek(bucket_key, named, "acme/payroll", "eyJhIjoiYiJ9")));
  // Not the tenant-key KEK of the same id.
  EXPECT_NE(Hex(*k), Hex(*DeriveKmsKek(bucket_key, "acme/payroll", "")));
  EXPECT_FALSE(DeriveNamedKmsKek(bucket_key, SecretBytes(), "acme/payroll", "").ok());
  EXPECT_FALSE(DeriveNamedKmsKek(SecretBytes(), named, "acme/payroll", "").ok());
  EXPECT_FALSE(DeriveNamedKmsKek(bucket_key, named, "", "").ok());
}

TEST(SseKmsTest, RefusesEmptyInputs) {
  EXPECT_FALSE(DeriveKmsKek(SecretBytes(), "acme", "").ok());
  EXPECT_FALSE(DeriveKmsKek(Bytes(std::string(32, '\x11')), "", "").ok());
}

}  // namespace
}  // namespace confiance::crypto

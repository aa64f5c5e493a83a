// File: crypto/encoding_test.cc
#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

TEST(CryptoEncodingTest, HexKnownValues) {
  EXPECT_EQ(HexEncode(std::string_view("")), "");
  EXPECT_EQ(HexEncode(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  ASSERT_OK_AND_ASSIGN(std::string d, HexDecode("0001ABff"));
  EXPECT_EQ(d, std::string("\x00\x01\xab\xff", 4));
}

TEST(CryptoEncodingTest, HexRejects) {
  EXPECT_STATUS_CODE(HexDecode("abc"), kInvalidArgument);
  EXPECT_STATUS_CODE(HexDecode("zz"), kInvalidArgument);
  EXPECT_STATUS_CODE(HexDecode("0g"), kInvalidArgument);
  EXPECT_STATUS_CODE(HexDecode(" 0"), kInvalidArgument);
}

TEST(CryptoEncodingTest, Base64Rfc4648Vectors) {
  const std::pair<std::string, std::string> kVectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, b64] : kVectors) {
    EXPECT_EQ(Base64Encode(std::string_view(plain)), b64);
    ASSERT_OK_AND_ASSIGN(std::string d, Base64Decode(b64));
    EXPECT_EQ(d, plain);
  }
  EXPECT_EQ(Base64Encode(std::string_view("\xfb\xff", 2)), "+/8=");
}

TEST(CryptoEncodingTest, Base64Rejects) {
  for (std::string_view bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm=v",
                               "Zh==", "Zm9=", "Zm-v", "Zm_v", "Zm9vY===", "=Zm9"}) {
    EXPECT_STATUS_CODE(Base64Decode(bad), kInvalidArgument) << bad;
  }
}

TEST(CryptoEncodingTest, RoundTripsRandomData) {
  for (size_t n = 0; n < 70; ++n) {
    ASSERT_OK_AND_ASSIGN(SecretBytes raw, RandomBytes(n));
    std::string s(reinterpret_cast<const char*>(raw.data()), raw.size());
    ASSERT_OK_AND_ASSIGN(std::string h, HexDecode(HexEncode(s)));
    EXPECT_EQ(h, s);
    ASSERT_OK_AND_ASSIGN(std::string b, Base64Decode(Base64Encode(s)));
    EXPECT_EQ(b, s);
  }
}

TEST(CryptoEncodingTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
}

TEST(CryptoRandomTest, RandomHexAndBytes) {
  ASSERT_OK_AND_ASSIGN(std::string a, RandomHex(16));
  ASSERT_OK_AND_ASSIGN(std::string b, RandomHex(16));
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(SecretBytes k, RandomBytes(32));
  EXPECT_EQ(k.size(), 32u);
  ASSERT_OK_AND_ASSIGN(SecretBytes empty, RandomBytes(0));
  EXPECT_TRUE(empty.empty());
}

}  // namespace
}  // namespace confiance::crypto

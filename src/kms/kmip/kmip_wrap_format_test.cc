// File: kms/kmip/kmip_wrap_format_test.cc
#include "kms/kmip/kmip_wrap_format.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::kms::kmip {
namespace {

TEST(KmipWrapFormatTest, HeaderRoundTrip) {
  const std::string iv(16, 'i'), kms(48, 'k');
  const std::string blob = EncodeWrapHeader(iv, kms) + "sealed-bytes";
  EXPECT_EQ(blob.substr(0, 8), std::string("CNKW\x01\x10\x00\x30", 8));
  ASSERT_OK_AND_ASSIGN(ParsedWrap p, ParseWrap(blob));
  EXPECT_EQ(p.iv, iv);
  EXPECT_EQ(p.kms_ciphertext, kms);
  EXPECT_EQ(p.sealed, "sealed-bytes");
  EXPECT_EQ(p.header, blob.substr(0, 8 + 16 + 48));
}

TEST(KmipWrapFormatTest, Malformed) {
  const std::string blob = EncodeWrapHeader(std::string(16, 'i'), std::string(48, 'k')) + "s";
  for (size_t n = 0; n < blob.size(); ++n) EXPECT_STATUS_CODE(ParseWrap(blob.substr(0, n)), kDataLoss) << n;
  std::string bad = blob;
  bad[0] = 'X';
  EXPECT_STATUS_CODE(ParseWrap(bad), kDataLoss);
  bad = blob;
  bad[4] = 2;
  EXPECT_STATUS_CODE(ParseWrap(bad), kUnimplemented);
  bad = blob;
  bad[5] = 0;
  EXPECT_STATUS_CODE(ParseWrap(bad), kDataLoss);
  bad = blob;
  bad[6] = 0;
  bad[7] = 0;
  EXPECT_STATUS_CODE(ParseWrap(bad), kDataLoss);
}

TEST(KmipWrapFormatTest, AadSeparatesFields) {
  EXPECT_NE(SealAad("ab", "h", "c"), SealAad("a", "bh", "c"));
  EXPECT_NE(SealAad("a", "h", "c"), SealAad("a", "hc", ""));
  EXPECT_EQ(SealAad("k", "hh", "ctx"), std::string("\x00\x01k\x00\x00\x00\x02hhctx", 12));
}

}  // namespace
}  // namespace confiance::kms::kmip

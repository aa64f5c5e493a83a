// File: kms/kmip/ttlv_test.cc
#include "kms/kmip/ttlv.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::kms::kmip {
namespace {

using crypto::HexEncode;

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// The examples of the KMIP 1.2 specification, section 9.1.2.
TEST(TtlvTest, SpecExamples) {
  EXPECT_EQ(HexEncode(Encode(Integer(0x420020, 8))), "42002002000000040000000800000000");
  EXPECT_EQ(HexEncode(Encode(LongInteger(0x420020, 123456789000000000))), "420020030000000801b69b4ba5749200");
  EXPECT_EQ(HexEncode(Encode(Enumeration(0x420020, 255))), "4200200500000004000000ff00000000");
  EXPECT_EQ(HexEncode(Encode(Boolean(0x420020, true))), "42002006000000080000000000000001");
  EXPECT_EQ(HexEncode(Encode(TextString(0x420020, "Hello World"))), "420020070000000b48656c6c6f20576f726c640000000000");
  EXPECT_EQ(HexEncode(Encode(ByteString(0x420020, std::string("\x01\x02\x03", 3)))),
            "42002008000000030102030000000000");
  EXPECT_EQ(HexEncode(Encode(DateTime(0x420020, 0x47DA67F8))), "42002009000000080000000047da67f8");
  EXPECT_EQ(HexEncode(Encode(Interval(0x420020, 864000))), "4200200a00000004000d2f0000000000");
  EXPECT_EQ(HexEncode(Encode(Structure(0x420020, {Enumeration(0x420004, 254), Integer(0x420005, 255)}))),
            "42002001000000204200040500000004000000fe000000004200050200000004000000ff00000000");
}

TEST(TtlvTest, RoundTrip) {
  Item root = Structure(0x420078, {Structure(0x420077, {Integer(0x42006A, -1), LongInteger(0x420001, -5)}),
                                   TextString(0x420094, "uid-1"), ByteString(0x4200C2, std::string(17, '\xAB')),
                                   Boolean(0x420006, false), TextString(0x420055, "")});
  const std::string enc = Encode(root);
  EXPECT_EQ(enc.size() % 8, 0u);
  ASSERT_OK_AND_ASSIGN(Item back, Decode(enc));
  EXPECT_EQ(Encode(back), enc);
  ASSERT_NE(back.Find(0x420077), nullptr);
  EXPECT_EQ(back.Find(0x420077)->FindNumber(0x42006A, ItemType::kInteger), -1);
  EXPECT_EQ(back.Find(0x420077)->FindNumber(0x420001, ItemType::kLongInteger), -5);
  EXPECT_EQ(back.FindBytes(0x420094, ItemType::kTextString), "uid-1");
  EXPECT_EQ(back.FindBytes(0x4200C2, ItemType::kByteString), std::string(17, '\xAB'));
  EXPECT_EQ(back.FindBytes(0x420094, ItemType::kByteString), std::nullopt);  // wrong type
  EXPECT_EQ(back.FindBytes(0x420055, ItemType::kTextString), "");
  EXPECT_EQ(back.Find(0x123456), nullptr);
  EXPECT_EQ(MessageSize(enc.substr(0, 8)), enc.size());
}

TEST(TtlvTest, MalformedIsDataLoss) {
  const std::string good = Encode(Structure(0x420020, {Integer(0x420004, 7), TextString(0x420005, "abc")}));
  // Every truncation, and trailing bytes.
  for (size_t n = 0; n < good.size(); ++n) EXPECT_STATUS_CODE(Decode(good.substr(0, n)), kDataLoss) << n;
  EXPECT_STATUS_CODE(Decode(good + std::string(8, '\0')), kDataLoss);
  // A fixed-size type with another length.
  EXPECT_STATUS_CODE(Decode(Unhex("42002002000000050000000800000000")), kDataLoss);
  // Unknown type 0x0B and 0x00.
  EXPECT_STATUS_CODE(Decode(Unhex("4200200b000000040000000800000000")), kDataLoss);
  EXPECT_STATUS_CODE(Decode(Unhex("42002000000000040000000800000000")), kDataLoss);
  // Non-zero padding.
  EXPECT_STATUS_CODE(Decode(Unhex("42002002000000040000000800000001")), kDataLoss);
  // Boolean 2.
  EXPECT_STATUS_CODE(Decode(Unhex("42002006000000080000000000000002")), kDataLoss);
  // A structure whose length splits its child.
  EXPECT_STATUS_CODE(Decode(Unhex("4200200100000008420004020000000400000007000000004200")), kDataLoss);
  // Huge length.
  EXPECT_STATUS_CODE(Decode(Unhex("42002008ffffffff00")), kDataLoss);
}

TEST(TtlvTest, DepthAndItemBounds) {
  Item deep = Integer(0x420001, 1);
  for (int i = 0; i < kMaxTtlvDepth; ++i) deep = Structure(0x420002, {deep});
  EXPECT_OK(Decode(Encode(deep)));
  deep = Structure(0x420002, {deep});
  EXPECT_STATUS_CODE(Decode(Encode(deep)), kDataLoss);

  std::vector<Item> many(kMaxTtlvItems, Boolean(0x420003, true));
  EXPECT_STATUS_CODE(Decode(Encode(Structure(0x420002, many))), kDataLoss);
  many.pop_back();
  EXPECT_OK(Decode(Encode(Structure(0x420002, many))));
}

TEST(TtlvTest, WipeZeroesByteStrings) {
  Item i = Structure(0x420001, {ByteString(0x4200C2, "secret"), Structure(0x420002, {TextString(0x420003, "x")})});
  Wipe(i);
  EXPECT_EQ(i.children[0].bytes, std::string(6, '\0'));
  EXPECT_EQ(i.children[1].children[0].bytes, std::string(1, '\0'));
}

}  // namespace
}  // namespace confiance::kms::kmip

// File: meta/rocksdb/key_format_test.cc
// Properties of the physical key encoding (docs/meta_keys.md): round trip,
// order preservation, partition ranges that never overlap.
#include "meta/rocksdb/key_format.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>

namespace confiance::meta {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t max_len) {
  // Bytes biased towards 0x00, 0x01, 0x02 and 0xFF, the encoding's specials.
  static constexpr char kAlphabet[] = {'\x00', '\x01', '\x02', '\xFF', 'a', 'b'};
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = kAlphabet[rng() % sizeof(kAlphabet)];
  return s;
}

int Sign(int v) { return (v > 0) - (v < 0); }

TEST(MetaKeyFormatTest, RoundTrip) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string partition = RandomBytes(rng, 6);
    std::string key = RandomBytes(rng, 6);
    std::string physical = EncodeKey(partition, key);
    std::optional<DecodedKey> decoded = DecodeKey(physical);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->partition, partition);
    EXPECT_EQ(decoded->key, key);
  }
  EXPECT_FALSE(DecodeKey("abc").has_value());
  EXPECT_FALSE(DecodeKey(std::string("a\0\x03", 3)).has_value());
}

TEST(MetaKeyFormatTest, PreservesOrderAndSeparatesPartitions) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string p1 = RandomBytes(rng, 4), k1 = RandomBytes(rng, 4);
    std::string p2 = RandomBytes(rng, 4), k2 = RandomBytes(rng, 4);
    std::string e1 = EncodeKey(p1, k1);
    std::string e2 = EncodeKey(p2, k2);
    int want = std::tie(p1, k1) < std::tie(p2, k2) ? -1 : (std::tie(p1, k1) == std::tie(p2, k2) ? 0 : 1);
    ASSERT_EQ(Sign(e1.compare(e2)), want);
    // e2 lies in p1's range iff p2 == p1.
    bool inside = e2 >= PartitionBegin(p1) && e2 < PartitionEnd(p1);
    ASSERT_EQ(inside, p1 == p2);
    // escape(prefix) is a prefix of e2 iff p2 starts with that prefix.
    std::string prefix = p1.substr(0, rng() % (p1.size() + 1));
    ASSERT_EQ(e2.starts_with(EscapePartitionName(prefix)), p2.starts_with(prefix));
  }
}

TEST(MetaKeyFormatTest, FormatMarkerIsInTheReservedEmptyPartition) {
  std::optional<DecodedKey> decoded = DecodeKey(kFormatMarkerKey);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->partition, "");
  EXPECT_EQ(decoded->key, "confiance.meta.key_format");
}

}  // namespace
}  // namespace confiance::meta

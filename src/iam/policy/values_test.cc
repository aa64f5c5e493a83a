// File: iam/policy/values_test.cc
#include "iam/policy/values.h"

#include <gtest/gtest.h>

namespace confiance::iam::policy {
namespace {

TEST(ValuesTest, Numbers) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-2.5"), -2.5);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_FALSE(ParseNumber("").has_value());
  EXPECT_FALSE(ParseNumber("12abc").has_value());
  EXPECT_FALSE(ParseNumber("inf").has_value());
  EXPECT_FALSE(ParseNumber("nan").has_value());
  EXPECT_FALSE(ParseNumber(" 1").has_value());
}

TEST(ValuesTest, InstantsFromIso8601AndEpoch) {
  EXPECT_EQ(ParseInstantMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseInstantMs("2019-07-16T12:00:00Z"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("1563278400"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("1563278400.5"), 1563278400500);
  EXPECT_EQ(ParseInstantMs("2019-07-16"), 1563235200000);
  EXPECT_EQ(ParseInstantMs("2019-07-16T12:00Z"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("2019-07-16T12:00:00.250Z"), 1563278400250);
  EXPECT_EQ(ParseInstantMs("2019-07-16T14:00:00+02:00"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("2019-07-16T07:00:00-0500"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("2019-07-16T12:00:00"), 1563278400000);
  EXPECT_EQ(ParseInstantMs("20190716T120000Z"), 1563278400000);
  EXPECT_FALSE(ParseInstantMs("2019-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseInstantMs("2019-07-16T25:00:00Z").has_value());
  EXPECT_FALSE(ParseInstantMs("2019-07-16T12:00:00Zjunk").has_value());
  EXPECT_FALSE(ParseInstantMs("yesterday").has_value());
  EXPECT_FALSE(ParseInstantMs("").has_value());
  EXPECT_FALSE(ParseInstantMs("12.").has_value());
}

TEST(ValuesTest, Booleans) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("FALSE"), false);
  EXPECT_FALSE(ParseBool("yes").has_value());
}

TEST(ValuesTest, Ipv4Blocks) {
  auto block = ParseIpBlock("203.0.113.0/24");
  ASSERT_TRUE(block.has_value());
  EXPECT_FALSE(block->v6);
  EXPECT_EQ(block->prefix, 24);
  EXPECT_TRUE(block->Contains(*ParseIpAddress("203.0.113.7")));
  EXPECT_FALSE(block->Contains(*ParseIpAddress("203.0.114.7")));
  EXPECT_TRUE(ParseIpBlock("0.0.0.0/0")->Contains(*ParseIpAddress("8.8.8.8")));
  EXPECT_TRUE(ParseIpBlock("10.1.2.3/8")->Contains(*ParseIpAddress("10.200.0.1")));  // host bits ignored
  auto single = ParseIpBlock("192.0.2.1");
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(single->prefix, 32);
  EXPECT_TRUE(single->Contains(*ParseIpAddress("192.0.2.1")));
  EXPECT_FALSE(single->Contains(*ParseIpAddress("192.0.2.2")));
  EXPECT_TRUE(ParseIpBlock("192.0.2.0/25")->Contains(*ParseIpAddress("192.0.2.127")));
  EXPECT_FALSE(ParseIpBlock("192.0.2.0/25")->Contains(*ParseIpAddress("192.0.2.128")));
  EXPECT_FALSE(ParseIpBlock("192.0.2.0/33").has_value());
  EXPECT_FALSE(ParseIpBlock("192.0.2.0/").has_value());
  EXPECT_FALSE(ParseIpBlock("192.0.2/24").has_value());
  EXPECT_FALSE(ParseIpBlock("not an ip").has_value());
}

TEST(ValuesTest, Ipv6BlocksAndMappedAddresses) {
  auto block = ParseIpBlock("2001:db8::/32");
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->v6);
  EXPECT_TRUE(block->Contains(*ParseIpAddress("2001:db8:1234::1")));
  EXPECT_FALSE(block->Contains(*ParseIpAddress("2001:db9::1")));
  EXPECT_FALSE(block->Contains(*ParseIpAddress("32.1.13.184")));  // families never mix
  EXPECT_FALSE(ParseIpBlock("2001:db8::/129").has_value());
  // An IPv4 peer seen through a dual-stack socket is still IPv4.
  auto mapped = ParseIpAddress("::ffff:203.0.113.9");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(mapped->v6);
  EXPECT_TRUE(ParseIpBlock("203.0.113.0/24")->Contains(*mapped));
  EXPECT_TRUE(ParseIpBlock("::ffff:203.0.113.0/120")->Contains(*ParseIpAddress("203.0.113.200")));
}

}  // namespace
}  // namespace confiance::iam::policy

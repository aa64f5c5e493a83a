// File: s3/range_test.cc
#include "s3/range.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

TEST(RangeTest, FirstLast) {
  RangeResult r = ResolveRange("bytes=0-9", 100);
  ASSERT_EQ(r.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 9u);
  EXPECT_EQ(r.range.length(), 10u);
}

TEST(RangeTest, OpenEndedAndClamped) {
  RangeResult r = ResolveRange("bytes=90-", 100);
  ASSERT_EQ(r.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.last, 99u);
  r = ResolveRange("bytes=50-1000", 100);
  ASSERT_EQ(r.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(r.range.last, 99u);
}

TEST(RangeTest, Suffix) {
  RangeResult r = ResolveRange("bytes=-10", 100);
  ASSERT_EQ(r.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.last, 99u);
  r = ResolveRange("bytes=-1000", 100);
  ASSERT_EQ(r.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
}

TEST(RangeTest, Unsatisfiable) {
  EXPECT_EQ(ResolveRange("bytes=100-", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=100-200", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=-0", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=0-0", 0).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=-5", 0).outcome, RangeOutcome::kUnsatisfiable);
}

TEST(RangeTest, InvalidSyntaxIsIgnored) {
  for (const char* h : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-2",
                        "items=0-1", "bytes=0-1,3-4", "bytes=1-2-3", "bytes=99999999999999999999999-"}) {
    EXPECT_EQ(ResolveRange(h, 100).outcome, RangeOutcome::kWholeObject) << h;
  }
}

TEST(RangeTest, EveryRangeOfSmallObject) {
  constexpr uint64_t kSize = 17;
  for (uint64_t a = 0; a < kSize + 3; ++a) {
    for (uint64_t b = a; b < kSize + 3; ++b) {
      std::string h = "bytes=" + std::to_string(a) + "-" + std::to_string(b);
      RangeResult r = ResolveRange(h, kSize);
      if (a >= kSize) {
        EXPECT_EQ(r.outcome, RangeOutcome::kUnsatisfiable) << h;
      } else {
        ASSERT_EQ(r.outcome, RangeOutcome::kPartial) << h;
        EXPECT_EQ(r.range.first, a);
        EXPECT_EQ(r.range.last, std::min(b, kSize - 1));
      }
    }
  }
}

TEST(FindPartTest, PartsFollowEachOther) {
  const uint64_t sizes[] = {5, 7, 3};
  std::optional<PartSpan> p = FindPart(sizes, 1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, 0u);
  EXPECT_EQ(p->length, 5u);
  p = FindPart(sizes, 2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, 5u);
  EXPECT_EQ(p->length, 7u);
  p = FindPart(sizes, 3);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, 12u);
  EXPECT_EQ(p->length, 3u);
}

TEST(FindPartTest, NoSuchPart) {
  const uint64_t sizes[] = {5, 7};
  EXPECT_FALSE(FindPart(sizes, 0));
  EXPECT_FALSE(FindPart(sizes, 3));
  EXPECT_FALSE(FindPart(std::span<const uint64_t>(), 1));
}

TEST(FindPartTest, EmptyPartIsFound) {
  const uint64_t sizes[] = {0};
  std::optional<PartSpan> p = FindPart(sizes, 1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 0u);
}

}  // namespace
}  // namespace confiance::s3

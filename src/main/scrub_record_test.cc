// File: main/scrub_record_test.cc
#include "main/scrub_record.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

TEST(ScrubRecordTest, RoundTripsEveryField) {
  admin::ScrubJobProgress p;
  p.state = "done";
  p.started_by = "operator ops";
  p.max_bytes_per_second = 64 << 20;
  p.metadata_verified = true;
  p.buckets = 3;
  p.objects = 5'000'000'000ull;
  p.bytes_verified = 7ull << 40;
  p.sse_c_size_only = 2;
  p.key_access_refused = 9;
  p.changed_during_scrub = 1;
  p.damaged_objects = 1001;
  p.damaged = {{"b", "k\xff/\"x\"", "missing-blob", "segment 0: blob 1 is missing"},
               {"", "", "metadata-checksum", "7.sst"}};
  p.refused_buckets = {"kept: Key access denied: no"};
  p.started_ms = 1764800000000;
  p.finished_ms = 1764800100000;
  ASSERT_OK_AND_ASSIGN(admin::ScrubJobProgress back, DecodeScrubRecord(EncodeScrubRecord(p)));
  EXPECT_EQ(back.state, p.state);
  EXPECT_EQ(back.started_by, p.started_by);
  EXPECT_EQ(back.max_bytes_per_second, p.max_bytes_per_second);
  EXPECT_TRUE(back.metadata_verified);
  EXPECT_EQ(back.buckets, 3u);
  EXPECT_EQ(back.objects, p.objects);
  EXPECT_EQ(back.bytes_verified, p.bytes_verified);
  EXPECT_EQ(back.sse_c_size_only, 2u);
  EXPECT_EQ(back.key_access_refused, 9u);
  EXPECT_EQ(back.changed_during_scrub, 1u);
  EXPECT_EQ(back.damaged_objects, 1001u);
  ASSERT_EQ(back.damaged.size(), 2u);
  EXPECT_EQ(back.damaged[0].bucket, "b");
  EXPECT_EQ(back.damaged[0].key, "k\xef\xbf\xbd/\"x\"") << "a byte that is not UTF-8 is replaced, not fatal";
  EXPECT_EQ(back.damaged[0].kind, "missing-blob");
  EXPECT_EQ(back.damaged[1].detail, "7.sst");
  EXPECT_EQ(back.refused_buckets, p.refused_buckets);
  EXPECT_EQ(back.started_ms, p.started_ms);
  EXPECT_EQ(back.finished_ms, p.finished_ms);
}

TEST(ScrubRecordTest, RefusesWhatIsNotARecord) {
  for (const char* bad :
       {"", "[]", "{}", R"({"v":2,"state":"done"})", R"({"v":1,"state":"done"})", R"({"v":1,"state":7})"}) {
    Result<admin::ScrubJobProgress> r = DecodeScrubRecord(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << bad;
  }
}

TEST(ScrubRecordTest, NextDueIsAnIntervalAfterTheBaseButNotAtOnceAfterAStart) {
  constexpr uint64_t kHour = 3'600'000;
  constexpr uint64_t kWeek = 168 * kHour;
  constexpr uint64_t kMinute = 60'000;
  const uint64_t now = 1764800000000;
  EXPECT_EQ(NextScrubDueMs(now - kHour, now, kWeek, kMinute), now - kHour + kWeek);
  EXPECT_EQ(NextScrubDueMs(now - 2 * kWeek, now, kWeek, kMinute), now + kMinute) << "overdue: after the delay";
  EXPECT_EQ(NextScrubDueMs(now, now, kWeek, kMinute), now + kWeek);
}

}  // namespace
}  // namespace confiance

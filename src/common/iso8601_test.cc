// File: common/iso8601_test.cc
#include "common/iso8601.h"

#include <gtest/gtest.h>

#include <cstring>

namespace confiance {
namespace {

TEST(Iso8601Test, ParsesTheFormsS3Sends) {
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01+00:00"), 1000);
  EXPECT_EQ(ParseUtcMs("1970-01-02T00:00:00.000Z"), 86400000);
  EXPECT_EQ(ParseUtcMs("2030-01-01T00:00:00.000Z"), 1893456000000);
  EXPECT_EQ(ParseUtcMs("1969-12-31T23:59:59.999Z"), -1);
}

TEST(Iso8601Test, SubMillisecondDigitsRoundUp) {
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01.000001Z"), 1001);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01.000000000Z"), 1000);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01.0000000001Z"), std::nullopt);  // 10 digits
}

TEST(Iso8601Test, TimeOfDayOptionalAcceptsADateAndAMissingZone) {
  EXPECT_EQ(ParseUtcMs("1970-01-01", TimeOfDay::kOptional), 0);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01", TimeOfDay::kOptional), 1000);
  EXPECT_EQ(ParseUtcMs("1970-01-01"), std::nullopt);
  EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01"), std::nullopt);
}

TEST(Iso8601Test, RefusesWhatIsNotSuchATimestamp) {
  for (TimeOfDay t : {TimeOfDay::kOptional, TimeOfDay::kRequired}) {
    EXPECT_EQ(ParseUtcMs("", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("19700101", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-13-01T00:00:00Z", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-02-30T00:00:01Z", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-01-01T24:00:00Z", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:01.Z", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:00+01:00", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-01-01T00:00:00Zjunk", t), std::nullopt);
    EXPECT_EQ(ParseUtcMs("1970-01-01T00:00", t), std::nullopt);
  }
}

TEST(Iso8601Test, FormatsMillisecondsAndZ) {
  EXPECT_EQ(FormatUtcMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMs(1893456000123), "2030-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatUtcMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatUtcMs(951782400000 + 86399999), "2000-02-29T23:59:59.999Z");
}

TEST(Iso8601Test, AppendUtcMsAppendsWhatFormatUtcMsReturns) {
  std::string out = "<T>";
  AppendUtcMs(out, 1893456000123);
  EXPECT_EQ(out, "<T>2030-01-01T00:00:00.123Z");
  AppendUtcMs(out, -1);
  EXPECT_EQ(out, "<T>2030-01-01T00:00:00.123Z1969-12-31T23:59:59.999Z");
  // The same day twice (the date is reused), then the next day, then back.
  const int64_t day = 1893456000000;
  for (int64_t ms : {day + 1, day + 86399999, day + 86400000, day + 2}) {
    std::string one;
    AppendUtcMs(one, ms);
    EXPECT_EQ(one, FormatUtcMs(ms));
    EXPECT_EQ(ParseUtcMs(one), ms) << one;
  }
  std::string next;
  AppendUtcMs(next, day + 86400000);
  EXPECT_EQ(next, "2030-01-02T00:00:00.000Z");
}

TEST(Iso8601Test, WriteUtcMsWritesWhatFormatUtcMsReturnsAndStaysInItsRoom) {
  // Years outside 0..9999 take more than 24 bytes; none may pass the room.
  for (int64_t ms : {int64_t{0}, int64_t{1893456000123}, int64_t{-1}, int64_t{568971820800000}, int64_t{-219941856000000},
                     int64_t{-62167219200001}, int64_t{253402300800000}}) {
    char room[kMaxUtcMsText + 8];
    std::memset(room, '#', sizeof room);
    char* end = WriteUtcMs(room, ms);
    ASSERT_LE(end - room, static_cast<ptrdiff_t>(kMaxUtcMsText)) << ms;
    EXPECT_EQ(std::string(room, end), FormatUtcMs(ms)) << ms;
    EXPECT_EQ(std::string(room + kMaxUtcMsText, 8), "########") << ms;
  }
  char room[kMaxUtcMsText];
  EXPECT_EQ(std::string(room, WriteUtcMs(room, 951782400000 + 86399999)), "2000-02-29T23:59:59.999Z");
}

TEST(Iso8601Test, FormatThenParseIsTheIdentity) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{-86400001}, int64_t{1764500000123}, int64_t{253402300799999}}) {
    EXPECT_EQ(ParseUtcMs(FormatUtcMs(ms)), ms) << ms;
  }
}

}  // namespace
}  // namespace confiance

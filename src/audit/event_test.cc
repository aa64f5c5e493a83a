// File: audit/event_test.cc
#include "audit/event.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/testutil/status_matchers.h"

namespace confiance::audit {
namespace {

Event SampleGet() {
  Event e;
  e.kind = EventKind::kData;
  e.time_ms = 1796126400123;  // 2026-12-01T12:00:00.123Z
  e.request_id = "req-1";
  e.source = "192.0.2.7:5123";
  e.principal = {"user", "acme", "alice", "AKIAEXAMPLE"};
  e.status = 200;
  e.operation = "GetObject";
  e.bucket = "photos";
  e.key = "2026/\xC3\xA9t\xC3\xA9.jpg";
  e.version_id = "v1";
  e.bytes = 4096;
  e.justification = "tenant-request";
  return e;
}

// Times past year 9999 leave the direct encoder's date fast path: both
// encoders still agree byte for byte, with the signed fields too.
TEST(EventTest, FastEncoderMatchesTheLibraryPastYear9999) {
  Event e = SampleGet();
  e.key = "plain-key";  // printable ASCII: the direct encoder's case
  e.status = -1;
  for (uint64_t t : {uint64_t{253402300799999}, uint64_t{253402300800000}, uint64_t{253402300800000} * 40 + 7}) {
    e.time_ms = t;
    ASSERT_OK_AND_ASSIGN(std::string ours, EncodeEvent(e));
    ASSERT_OK_AND_ASSIGN(std::string library, EncodeEventWithLibrary(e));
    EXPECT_EQ(ours, library) << t;
  }
}

TEST(EventTest, CanonicalEncodingIsSortedCompactAndStable) {
  Event e;
  e.kind = EventKind::kControl;
  e.time_ms = 0;
  e.action = "CreateTenant";
  e.target = "tenant/acme";
  e.details = {{"quota_bytes", "100"}, {"display_name", "ACME"}};
  ASSERT_OK_AND_ASSIGN(std::string enc, EncodeEvent(e));
  EXPECT_EQ(enc,
            R"({"action":"CreateTenant","details":{"display_name":"ACME","quota_bytes":"100"},)"
            R"("kind":"control","target":"tenant/acme","time":"1970-01-01T00:00:00.000Z","v":1})");
}

TEST(EventTest, RoundTripsEveryField) {
  Event e = SampleGet();
  e.error = "NoSuchKey";
  e.approval_id = "appr-9";
  ASSERT_OK_AND_ASSIGN(std::string enc, EncodeEvent(e));
  EXPECT_EQ(enc.find('\n'), std::string::npos);
  ASSERT_OK_AND_ASSIGN(Event back, DecodeEvent(enc));
  EXPECT_EQ(back, e);
  EXPECT_EQ(FormatEventTime(e.time_ms), "2026-12-01T12:00:00.123Z");
}

TEST(EventTest, RefusesSecretLookingDetails) {
  Event e = SampleGet();
  e.details["SSE-C-Key"] = "x";
  EXPECT_STATUS_CODE(EncodeEvent(e), kInvalidArgument);
  e.details = {{"secret_access_key", "x"}};
  EXPECT_STATUS_CODE(EncodeEvent(e), kInvalidArgument);
}

TEST(EventTest, DecodeRejectsNonCanonicalUnknownAndMistypedInput) {
  ASSERT_OK_AND_ASSIGN(std::string enc, EncodeEvent(SampleGet()));
  EXPECT_OK(DecodeEvent(enc));
  EXPECT_STATUS_CODE(DecodeEvent(" " + enc), kInvalidArgument);                        // whitespace
  std::string reordered = enc;
  reordered.replace(1, 0, R"("v":1,)");
  EXPECT_STATUS_CODE(DecodeEvent(reordered), kInvalidArgument);                         // duplicate/order
  EXPECT_STATUS_CODE(DecodeEvent(R"({"kind":"data","time":"1970-01-01T00:00:00.000Z","v":2})"), kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeEvent(R"({"kind":"data","time":"1970-01-01T00:00:00.000Z","v":1,"zz":1})"),
                     kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeEvent(R"({"bytes":-1,"kind":"data","time":"1970-01-01T00:00:00.000Z","v":1})"),
                     kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeEvent(R"({"kind":"data","time":"yesterday","v":1})"), kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeEvent("not json"), kInvalidArgument);
  EXPECT_OK(DecodeEvent(R"({"kind":"data","time":"1970-01-01T00:00:00.000Z","v":1})"));
}

TEST(EventTest, InvalidUtf8IsReplacedNotFatal) {
  Event e = SampleGet();
  e.key = "bad\xFFkey";
  ASSERT_OK_AND_ASSIGN(std::string enc, EncodeEvent(e));
  EXPECT_NE(enc.find("bad\xEF\xBF\xBDkey"), std::string::npos);
}


// EncodeEvent writes plain-ASCII events itself (the request path's fast
// path) and leaves the rest to the JSON library: both must give the same
// bytes for any event, with any field empty or set, quotes, backslashes,
// control characters, UTF-8 and invalid bytes.
TEST(EventTest, FastEncoderMatchesTheLibraryOnRandomEvents) {
  std::mt19937_64 rng(20261201);
  const std::string alphabet = std::string("abcXYZ019 /-_.:\"\\{}%+~") + "\x01\n\x7f" + "\xC3\xA9" + "\xFF";
  auto text = [&](bool plain) {
    std::string s;
    const size_t n = rng() % 4 == 0 ? 0 : rng() % 24;
    const size_t letters = plain ? alphabet.size() - 6 : alphabet.size();  // plain: printable ASCII only
    for (size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % letters]);
    return s;
  };
  int fast = 0;
  for (int round = 0; round < 3000; ++round) {
    const bool plain = round % 3 != 0;
    Event e;
    e.kind = rng() % 2 ? EventKind::kData : EventKind::kControl;
    e.time_ms = rng() % 4102444800000;  // before 2100
    for (std::string* f : {&e.request_id, &e.source, &e.principal.type, &e.principal.tenant, &e.principal.user,
                           &e.principal.access_key_id, &e.error, &e.justification, &e.approval_id, &e.operation,
                           &e.bucket, &e.key, &e.version_id, &e.action, &e.target}) {
      *f = text(plain);
    }
    if (rng() % 2) e.status = static_cast<int>(rng() % 600) - (rng() % 10 == 0 ? 1000 : 0);
    if (rng() % 2) e.bytes = rng() >> (rng() % 64);
    for (size_t i = rng() % 3; i > 0; --i) e.details[text(plain) + "k"] = text(plain);
    Result<std::string> library = EncodeEventWithLibrary(e);
    Result<std::string> ours = EncodeEvent(e);
    ASSERT_EQ(ours.ok(), library.ok()) << round;
    if (!ours.ok()) continue;
    ASSERT_EQ(*ours, *library) << "round " << round;
    ASSERT_OK_AND_ASSIGN(Event back, DecodeEvent(*ours));
    if (plain) {
      EXPECT_EQ(back, e) << round;
      ++fast;
    }
  }
  EXPECT_GT(fast, 1500);  // most rounds exercised the fast path
}

}  // namespace
}  // namespace confiance::audit

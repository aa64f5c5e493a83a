// File: s3/lifecycle_test.cc
#include "s3/lifecycle.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

using catalog::LifecycleConfiguration;
using catalog::LifecycleRule;

constexpr int64_t kDay = kLifecycleDayMs;

LifecycleRule DaysRule(std::string id, int64_t days, std::string prefix = "") {
  LifecycleRule r;
  r.id = std::move(id);
  r.enabled = true;
  r.filter.prefix = std::move(prefix);
  r.expiration_days = days;
  return r;
}

TEST(LifecycleTest, DaysRoundUpToTheNextMidnight) {
  // S3's example: created 2014-01-15 10:30 UTC, 3 days -> 2014-01-19 00:00 UTC.
  const int64_t created = 1389781800000;  // 2014-01-15T10:30:00Z
  EXPECT_EQ(DaysAfter(created, 3, kDay), 1390089600000);  // 2014-01-19T00:00:00Z
  // Exactly at midnight stays there.
  EXPECT_EQ(DaysAfter(10 * kDay, 1, kDay), 11 * kDay);
  EXPECT_EQ(DaysAfter(10 * kDay + 1, 1, kDay), 12 * kDay);
  // A shortened day: 10 s, "midnight" every 10 s.
  EXPECT_EQ(DaysAfter(12345, 1, 10000), 30000);
  EXPECT_EQ(DaysAfter(12345, 5, 10000), 70000);
}

TEST(LifecycleTest, ExpirationDueByDaysOrDate) {
  LifecycleRule days = DaysRule("d", 2);
  EXPECT_EQ(ExpirationDue(days, kDay / 2, kDay), 3 * kDay);
  LifecycleRule date;
  date.expiration_date_ms = 100 * kDay;
  EXPECT_EQ(ExpirationDue(date, 5, kDay), 100 * kDay);
  EXPECT_EQ(ExpirationDue(date, 5, 10000), 100 * kDay) << "dates are never scaled";
  LifecycleRule abort;
  abort.abort_days_after_initiation = 1;
  EXPECT_FALSE(ExpirationDue(abort, 5, kDay));
}

TEST(LifecycleTest, FilterMatching) {
  catalog::LifecycleFilter f;
  f.prefix = "logs/";
  f.tags = {{"a", "1"}, {"b", "2"}};
  f.size_greater_than = 10;
  f.size_less_than = 100;
  catalog::TagMap tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_TRUE(FilterMatches(f, {"logs/x", &tags, 50}));
  EXPECT_FALSE(FilterMatches(f, {"log/x", &tags, 50}));
  EXPECT_FALSE(FilterMatches(f, {"logs/x", &tags, 10})) << "bounds are exclusive";
  EXPECT_FALSE(FilterMatches(f, {"logs/x", &tags, 100}));
  EXPECT_FALSE(FilterMatches(f, {"logs/x", nullptr, 50}));
  catalog::TagMap wrong = {{"a", "1"}, {"b", "3"}};
  EXPECT_FALSE(FilterMatches(f, {"logs/x", &wrong, 50}));
  EXPECT_TRUE(FilterMatches(catalog::LifecycleFilter{}, {"anything", nullptr, 0}));
}

TEST(LifecycleTest, EarliestEnabledMatchingRuleWins) {
  LifecycleConfiguration c;
  c.rules = {DaysRule("late", 10), DaysRule("other-prefix", 1, "x/"), DaysRule("soon", 3)};
  LifecycleRule disabled = DaysRule("disabled", 1);
  disabled.enabled = false;
  c.rules.push_back(disabled);
  catalog::TagMap none;
  std::optional<DueRule> due = EarliestExpiration(c, {"a/b", &none, 1}, 0, kDay);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->rule->id, "soon");
  EXPECT_EQ(due->due_ms, 3 * kDay);
  due = EarliestExpiration(c, {"x/b", &none, 1}, 0, kDay);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->rule->id, "other-prefix");
  c.rules = {disabled};
  EXPECT_FALSE(EarliestExpiration(c, {"a", &none, 1}, 0, kDay));
}

TEST(LifecycleTest, AbortRules) {
  LifecycleConfiguration c;
  LifecycleRule r;
  r.id = "abort";
  r.enabled = true;
  r.filter.prefix = "tmp/";
  r.abort_days_after_initiation = 2;
  c.rules = {r, DaysRule("expire-only", 1)};
  std::optional<DueRule> due = EarliestAbort(c, "tmp/a", kDay + 5, kDay);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->rule->id, "abort");
  EXPECT_EQ(due->due_ms, 4 * kDay);
  EXPECT_FALSE(EarliestAbort(c, "keep/a", 0, kDay));
}

TEST(LifecycleTest, ExpirationHeader) {
  LifecycleRule r = DaysRule("picture-deletion-rule", 1);
  DueRule due{&r, 1356220800000};  // 2012-12-23T00:00:00Z
  EXPECT_EQ(ExpirationHeaderValue(due),
            "expiry-date=\"Sun, 23 Dec 2012 00:00:00 GMT\", rule-id=\"picture-deletion-rule\"");
}

TEST(LifecycleTest, VersioningHooks) {
  LifecycleRule r;
  r.noncurrent_days = 2;
  r.newer_noncurrent_versions = 5;
  EXPECT_EQ(NoncurrentExpirationDue(r, 1, kDay), 3 * kDay);
  EXPECT_EQ(NoncurrentVersionsToKeep(r), 5);
  EXPECT_FALSE(DeleteMarkerExpires(r));
  r.expired_object_delete_marker = true;
  EXPECT_TRUE(DeleteMarkerExpires(r));
  EXPECT_FALSE(NoncurrentExpirationDue(DaysRule("x", 1), 0, kDay));
}

TEST(LifecycleTest, NoncurrentExpirationSparesTheNewestAndMatchesFilters) {
  LifecycleRule keep2;
  keep2.id = "keep2";
  keep2.enabled = true;
  keep2.filter.prefix = "logs/";
  keep2.noncurrent_days = 1;
  keep2.newer_noncurrent_versions = 2;
  LifecycleRule tagged;
  tagged.id = "tagged";
  tagged.enabled = true;
  tagged.filter.tags = {{"class", "tmp"}};
  tagged.noncurrent_days = 3;
  LifecycleConfiguration config;
  config.rules = {keep2, tagged};
  const catalog::TagMap tmp{{"class", "tmp"}};
  const LifecycleSubject plain{"logs/a", nullptr, 10};
  // The two newest noncurrent versions stay whatever their age.
  EXPECT_FALSE(EarliestNoncurrentExpiration(config, plain, 0, 0, kDay));
  EXPECT_FALSE(EarliestNoncurrentExpiration(config, plain, 0, 1, kDay));
  std::optional<DueRule> third = EarliestNoncurrentExpiration(config, plain, kDay / 2, 2, kDay);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->rule->id, "keep2");
  EXPECT_EQ(third->due_ms, 2 * kDay);
  // Outside the prefix only the tag rule can apply, and only if tagged.
  EXPECT_FALSE(EarliestNoncurrentExpiration(config, LifecycleSubject{"other", nullptr, 10}, 0, 9, kDay));
  std::optional<DueRule> by_tag = EarliestNoncurrentExpiration(config, LifecycleSubject{"other", &tmp, 10}, 0, 0, kDay);
  ASSERT_TRUE(by_tag);
  EXPECT_EQ(by_tag->rule->id, "tagged");
  EXPECT_EQ(by_tag->due_ms, 3 * kDay);
  // Both apply: the sooner wins.
  std::optional<DueRule> both = EarliestNoncurrentExpiration(config, LifecycleSubject{"logs/b", &tmp, 10}, 0, 5, kDay);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->rule->id, "keep2");
  // A disabled rule does nothing.
  config.rules[0].enabled = false;
  config.rules[1].enabled = false;
  EXPECT_FALSE(EarliestNoncurrentExpiration(config, LifecycleSubject{"logs/b", &tmp, 10}, 0, 5, kDay));
}

TEST(LifecycleTest, DeleteMarkerExpiration) {
  LifecycleRule markers;
  markers.id = "markers";
  markers.enabled = true;
  markers.filter.prefix = "a/";
  markers.expired_object_delete_marker = true;
  LifecycleRule noncurrent;
  noncurrent.id = "nc";
  noncurrent.enabled = true;
  noncurrent.noncurrent_days = 1;
  LifecycleConfiguration config;
  config.rules = {noncurrent, markers};
  // ExpiredObjectDeleteMarker: at once, whatever the marker's age.
  std::optional<DueRule> now = EarliestDeleteMarkerExpiration(config, "a/x", 50 * kDay, kDay);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->rule->id, "markers");
  EXPECT_LE(now->due_ms, 0);
  EXPECT_FALSE(EarliestDeleteMarkerExpiration(config, "b/x", 0, kDay)) << "outside the prefix";
  // Expiration Days: when the marker itself is that old (rounded up).
  config.rules.push_back(DaysRule("days", 5, "b/"));
  std::optional<DueRule> days = EarliestDeleteMarkerExpiration(config, "b/x", 10 * kDay + 1, kDay);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->rule->id, "days");
  EXPECT_EQ(days->due_ms, 16 * kDay);
  config.rules[1].enabled = false;
  EXPECT_FALSE(EarliestDeleteMarkerExpiration(config, "a/x", 0, kDay));
}

TEST(LifecycleTest, TheTransitionThatFellDueLastWins) {
  LifecycleRule waterfall;
  waterfall.id = "w";
  waterfall.enabled = true;
  waterfall.transitions = {{30, std::nullopt, "STANDARD_IA"}, {90, std::nullopt, "GLACIER_IR"}};
  LifecycleRule dated;
  dated.id = "d";
  dated.enabled = true;
  dated.filter.prefix = "logs/";
  dated.transitions = {{std::nullopt, 200 * kDay, "ARCHIVE_IR"}};
  const LifecycleConfiguration config{{waterfall, dated}};
  const LifecycleSubject object{"k", nullptr, 1};
  EXPECT_FALSE(CurrentTransitionDue(config, object, 0, 29 * kDay, kDay).has_value());
  std::optional<DueTransition> due = CurrentTransitionDue(config, object, 0, 30 * kDay, kDay);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->storage_class, "STANDARD_IA");
  EXPECT_EQ(due->rule->id, "w");
  due = CurrentTransitionDue(config, object, 0, 95 * kDay, kDay);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->storage_class, "GLACIER_IR");
  EXPECT_EQ(due->due_ms, 90 * kDay);
  // The dated rule matches logs/ only, and is due later than the 90 days.
  due = CurrentTransitionDue(config, LifecycleSubject{"logs/a", nullptr, 1}, 0, 300 * kDay, kDay);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->storage_class, "ARCHIVE_IR");
  // A disabled rule never moves anything.
  LifecycleConfiguration off = config;
  off.rules[0].enabled = false;
  EXPECT_FALSE(CurrentTransitionDue(off, object, 0, 300 * kDay, kDay).has_value());
}

TEST(LifecycleTest, NoncurrentTransitionsSpareTheNewest) {
  LifecycleRule r;
  r.id = "n";
  r.enabled = true;
  r.noncurrent_transitions = {{5, 2, "STANDARD_IA"}};
  const LifecycleConfiguration config{{r}};
  const LifecycleSubject version{"k", nullptr, 1};
  // Noncurrent since day 0: due at day 5, for all but the two newest.
  EXPECT_FALSE(NoncurrentTransitionDue(config, version, 0, 5, 4 * kDay, kDay).has_value());
  EXPECT_FALSE(NoncurrentTransitionDue(config, version, 0, 1, 10 * kDay, kDay).has_value());
  std::optional<DueTransition> due = NoncurrentTransitionDue(config, version, 0, 2, 5 * kDay, kDay);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->storage_class, "STANDARD_IA");
}

}  // namespace
}  // namespace confiance::s3

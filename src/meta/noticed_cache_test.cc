// File: meta/noticed_cache_test.cc
// A cache kept right by change notices (meta/noticed_cache.h), with two
// "processes" on one store (meta/notice_bus_testing.h).
#include "meta/noticed_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"

namespace confiance::meta {
namespace {

constexpr std::string_view kTopic = "thing";

class NoticedCacheTest : public ::testing::Test {
 protected:
  MemoryMetaStore shared_;
  testing::NoticeBus bus_;
  testing::BusStore here_store_{shared_, bus_};
  testing::BusStore there_store_{shared_, bus_};
  NoticedCache<std::string> here_{here_store_, kTopic};
  NoticedCache<std::string> there_{there_store_, kTopic};
};

TEST_F(NoticedCacheTest, AValuePutIsFoundUntilAnotherProcessChangesIt) {
  here_.Put(here_.Ticket(), "a", "1");
  here_.Put(here_.Ticket(), "b", "2");
  EXPECT_EQ(here_.Find("a"), "1");
  there_.Changed("a");
  EXPECT_EQ(here_.Find("a"), std::nullopt);
  EXPECT_EQ(here_.Find("b"), "2");
  there_.Changed("");
  EXPECT_EQ(here_.Find("b"), std::nullopt);
}

TEST_F(NoticedCacheTest, AChangeHereDropsItHereToo) {
  here_.Put(here_.Ticket(), "a", "1");
  here_.Changed("a");
  EXPECT_EQ(here_.Find("a"), std::nullopt);
}

TEST_F(NoticedCacheTest, AValueReadBeforeANoticeIsNotCachedAfterIt) {
  const uint64_t ticket = here_.Ticket();  // (the read begins)
  there_.Changed("a");                     // (a notice arrives meanwhile)
  here_.Put(ticket, "a", "stale");
  EXPECT_EQ(here_.Find("a"), std::nullopt);
  here_.Put(here_.Ticket(), "a", "fresh");
  EXPECT_EQ(here_.Find("a"), "fresh");
}

TEST_F(NoticedCacheTest, NothingCachedIsUsedWhileNoticesMayBeMissedAndItIsDroppedAfter) {
  here_.Put(here_.Ticket(), "a", "1");
  here_store_.Deafen();
  there_.Changed("a");  // (not heard)
  EXPECT_EQ(here_.Find("a"), std::nullopt);
  // Filled while deaf: not used either, and gone once notices are heard.
  here_.Put(here_.Ticket(), "b", "2");
  EXPECT_EQ(here_.Find("b"), std::nullopt);
  here_store_.Hear();
  EXPECT_EQ(here_.Find("a"), std::nullopt);
  EXPECT_EQ(here_.Find("b"), std::nullopt);
  here_.Put(here_.Ticket(), "a", "2");
  EXPECT_EQ(here_.Find("a"), "2");
}

TEST_F(NoticedCacheTest, PastItsSizeTheCacheStartsAfresh) {
  NoticedCache<int> small(here_store_, "small", 2);
  small.Put(small.Ticket(), "a", 1);
  small.Put(small.Ticket(), "b", 2);
  small.Put(small.Ticket(), "c", 3);
  EXPECT_EQ(small.Find("a"), std::nullopt);
  EXPECT_EQ(small.Find("c"), 3);
}

}  // namespace
}  // namespace confiance::meta

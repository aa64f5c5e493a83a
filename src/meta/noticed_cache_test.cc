// File: meta/noticed_cache_test.cc
// A cache kept right by change notices (meta/noticed_cache.h), with two
// "processes" on one store (meta/notice_bus_testing.h).
#include "meta/noticed_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

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

// Readers filling from a value another process keeps changing: once the
// changes stop, what is cached is the last value, never one read before
// the last change. Mostly for ThreadSanitizer (scripts/sanitize.sh tsan):
// the race it guards against is narrow, and this test alone rarely
// catches a missing ticket check; AValueReadBeforeANoticeIsNotCachedAfterIt
// pins that order.
TEST_F(NoticedCacheTest, ConcurrentFillsNeverOutliveTheLastChange) {
  std::atomic<int> stored{0};  // stands in for the record in the store
  std::atomic<bool> changing{true};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (changing.load()) {
        if (here_.Find("k")) continue;
        const uint64_t ticket = here_.Ticket();
        here_.Put(ticket, "k", std::to_string(stored.load()));
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    stored.fetch_add(1);
    there_.Changed("k");
  }
  changing = false;
  for (std::thread& t : readers) t.join();
  const std::optional<std::string> cached = here_.Find("k");
  if (cached) {
    EXPECT_EQ(*cached, std::to_string(stored.load()));
  }
  here_.Put(here_.Ticket(), "k", std::to_string(stored.load()));
  EXPECT_EQ(here_.Find("k"), "2000");
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

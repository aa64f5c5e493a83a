// File: kms/kmip/unwrap_cache_test.cc
#include "kms/kmip/unwrap_cache.h"

#include <gtest/gtest.h>

namespace confiance::kms::kmip {
namespace {

using namespace std::chrono_literals;

crypto::SecretBytes Key(char c) {
  std::string s(32, c);
  return crypto::SecretBytes(std::as_bytes(std::span(s.data(), s.size())));
}

TEST(UnwrapCacheTest, HitUntilLifetimeThenGone) {
  UnwrapCache cache(1000ms, 10);
  const auto t0 = UnwrapCache::Clock::now();
  const auto d = UnwrapCache::KeyOf("k", "w", "c");
  EXPECT_FALSE(cache.Lookup(d, t0).has_value());
  cache.Insert(d, Key('a'), t0);
  auto hit = cache.Lookup(d, t0 + 999ms);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->size(), 32u);
  EXPECT_EQ(hit->data()[0], 'a');
  EXPECT_FALSE(cache.Lookup(d, t0 + 1000ms).has_value());
  EXPECT_EQ(cache.size(), 0u);  // expired entries are dropped, not kept
}

TEST(UnwrapCacheTest, KeyedByEveryInput) {
  EXPECT_NE(UnwrapCache::KeyOf("k", "w", "c"), UnwrapCache::KeyOf("k", "w", "d"));
  EXPECT_NE(UnwrapCache::KeyOf("k", "w", "c"), UnwrapCache::KeyOf("k2", "w", "c"));
  EXPECT_NE(UnwrapCache::KeyOf("k", "wc", ""), UnwrapCache::KeyOf("k", "w", "c"));
}

TEST(UnwrapCacheTest, SweepDropsExpired) {
  UnwrapCache cache(100ms, 10);
  const auto t0 = UnwrapCache::Clock::now();
  cache.Insert(UnwrapCache::KeyOf("a", "", ""), Key('a'), t0);
  cache.Insert(UnwrapCache::KeyOf("b", "", ""), Key('b'), t0 + 50ms);
  cache.Sweep(t0 + 100ms);
  EXPECT_EQ(cache.size(), 1u);
  cache.Sweep(t0 + 150ms);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(UnwrapCacheTest, BoundedAndReplace) {
  UnwrapCache cache(10s, 3);
  const auto t0 = UnwrapCache::Clock::now();
  for (int i = 0; i < 5; ++i) cache.Insert(UnwrapCache::KeyOf(std::to_string(i), "", ""), Key('a' + i), t0);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Lookup(UnwrapCache::KeyOf("0", "", ""), t0).has_value());  // oldest evicted
  EXPECT_TRUE(cache.Lookup(UnwrapCache::KeyOf("4", "", ""), t0).has_value());
  // Re-inserting refreshes the lifetime.
  const auto d = UnwrapCache::KeyOf("4", "", "");
  cache.Insert(d, Key('z'), t0 + 5s);
  auto hit = cache.Lookup(d, t0 + 12s);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->data()[0], 'z');
}

TEST(UnwrapCacheTest, ZeroLifetimeDisables) {
  UnwrapCache cache(0ms, 10);
  const auto d = UnwrapCache::KeyOf("k", "w", "c");
  cache.Insert(d, Key('a'));
  EXPECT_FALSE(cache.Lookup(d).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace confiance::kms::kmip

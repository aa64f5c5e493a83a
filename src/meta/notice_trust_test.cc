// File: meta/notice_trust_test.cc
// When a process may use what it cached from change notices, given how
// recently its watch was confirmed (meta/notice_trust.h).
#include "meta/notice_trust.h"

#include <gtest/gtest.h>

namespace confiance::meta {
namespace {

constexpr int64_t kFence = 10000;

TEST(NoticeTrustTest, NothingIsTrustedBeforeTheWatchIsSeen) {
  NoticeTrust trust(kFence);
  EXPECT_FALSE(trust.TrustedAt(0));
  EXPECT_FALSE(trust.TrustedAt(1'000'000));
}

TEST(NoticeTrustTest, AConfirmedWatchIsTrustedUntilTheFencePastItsConfirmation) {
  NoticeTrust trust(kFence);
  // Confirmed 4 s before 100 s: trusted until 106 s, and no drop at first.
  const NoticeTrust::Seen seen = trust.SeeWatch(100'000, 4'000);
  EXPECT_TRUE(seen.trusted);
  EXPECT_FALSE(seen.drop_first);
  EXPECT_EQ(seen.until_ms, 106'000);
  trust.Trust(seen.until_ms);
  EXPECT_TRUE(trust.TrustedAt(100'000));
  EXPECT_TRUE(trust.TrustedAt(105'999));
  EXPECT_FALSE(trust.TrustedAt(106'000));
}

TEST(NoticeTrustTest, AWatchUnconfirmedForTheFenceOrBrokenIsNotTrusted) {
  NoticeTrust trust(kFence);
  EXPECT_FALSE(trust.SeeWatch(100'000, kFence).trusted);
  EXPECT_FALSE(trust.SeeWatch(100'000, kFence + 1).trusted);
  EXPECT_FALSE(trust.SeeWatch(100'000, std::nullopt).trusted);
  EXPECT_FALSE(trust.SeeWatch(100'000, -1).trusted);
  EXPECT_TRUE(trust.SeeWatch(100'000, kFence - 1).trusted);
}

TEST(NoticeTrustTest, TrustEndsAtOnceWhenTheWatchIsSeenUnconfirmed) {
  NoticeTrust trust(kFence);
  trust.Trust(trust.SeeWatch(100'000, 0).until_ms);
  ASSERT_TRUE(trust.TrustedAt(100'001));
  EXPECT_FALSE(trust.SeeWatch(100'001, std::nullopt).trusted);
  EXPECT_FALSE(trust.TrustedAt(100'001));
}

TEST(NoticeTrustTest, TheFirstTrustAfterADoubtDropsEverythingOnce) {
  NoticeTrust trust(kFence);
  trust.Trust(trust.SeeWatch(100'000, 0).until_ms);
  ASSERT_FALSE(trust.SeeWatch(120'000, 20'000).trusted);  // (paused or cut off)
  const NoticeTrust::Seen again = trust.SeeWatch(121'000, 0);
  EXPECT_TRUE(again.trusted);
  EXPECT_TRUE(again.drop_first);
  trust.Trust(again.until_ms);
  EXPECT_FALSE(trust.SeeWatch(125'000, 4'000).drop_first);
}

TEST(NoticeTrustTest, ABrokenWatchIsNotTrustedAndItsReturnDropsEverything) {
  NoticeTrust trust(kFence);
  trust.Trust(trust.SeeWatch(100'000, 0).until_ms);
  trust.Distrust();
  EXPECT_FALSE(trust.TrustedAt(100'001));
  EXPECT_TRUE(trust.SeeWatch(100'002, 0).drop_first);
}

}  // namespace
}  // namespace confiance::meta

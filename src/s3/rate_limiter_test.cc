// File: s3/rate_limiter_test.cc
#include "s3/rate_limiter.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

constexpr int64_t kSecond = 1'000'000;

int AdmittedOf(RateLimiter& limiter, const iam::RateLimits& limits, RateClass cls, int tries, int64_t now) {
  int admitted = 0;
  for (int i = 0; i < tries; ++i) admitted += limiter.Admit("acme", limits, cls, 0, now) ? 1 : 0;
  return admitted;
}

TEST(RateLimiterTest, RequestsBurstOneSecondThenRefillAtTheLimit) {
  RateLimiter limiter;
  const iam::RateLimits limits{.read_ops = 10};
  const int64_t t0 = 5 * kSecond;
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kRead, 25, t0), 10);               // a full bucket: the burst
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kRead, 5, t0 + kSecond / 10), 1);  // 100 ms earn one
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kRead, 5, t0 + kSecond / 2), 4);
  // A long pause refills one second's worth, no more.
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kRead, 50, t0 + 60 * kSecond), 10);
}

TEST(RateLimiterTest, ClassesAndTenantsAreSeparate) {
  RateLimiter limiter;
  const iam::RateLimits limits{.read_ops = 2, .write_ops = 1};
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kRead, 5, 0), 2);
  EXPECT_EQ(AdmittedOf(limiter, limits, RateClass::kWrite, 5, 0), 1);
  EXPECT_TRUE(limiter.Admit("other", limits, RateClass::kRead, 0, 0));
  EXPECT_EQ(limiter.RefusedOf("acme").reads, 3u);
  EXPECT_EQ(limiter.RefusedOf("acme").writes, 4u);
  EXPECT_EQ(limiter.RefusedOf("other").reads, 0u);
  EXPECT_EQ(limiter.RefusedOf("never-limited").writes, 0u);
  // The metric sums every tenant's refusals, per class.
  EXPECT_TRUE(limiter.Admit("other", limits, RateClass::kWrite, 0, 0));
  EXPECT_FALSE(limiter.Admit("other", limits, RateClass::kWrite, 0, 0));
  metrics::PrometheusText out;
  limiter.WriteMetrics(out);
  EXPECT_NE(out.text().find("confiance_s3_throttled_requests_total{class=\"read\"} 3\n"), std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("confiance_s3_throttled_requests_total{class=\"write\"} 5\n"), std::string::npos);
  // A class without a limit is never refused.
  const iam::RateLimits writes_only{.write_ops = 1};
  EXPECT_EQ(AdmittedOf(limiter, writes_only, RateClass::kRead, 100, 0), 100);
}

TEST(RateLimiterTest, BytesRunIntoDebtAndWaitUntilPaid) {
  RateLimiter limiter;
  const iam::RateLimits limits{.write_bytes = 1000};
  // A body larger than the limit is admitted once the bucket is not in
  // debt, and then owes the rest.
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kWrite, 5000, 0));
  EXPECT_FALSE(limiter.Admit("acme", limits, RateClass::kWrite, 1, 3 * kSecond));  // -4000 + 3000 < 0
  EXPECT_FALSE(limiter.Admit("acme", limits, RateClass::kWrite, 1, 4 * kSecond));  // exactly 0: still owed
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kWrite, 1, 4 * kSecond + 1000));
}

TEST(RateLimiterTest, ReadBytesChargedAfterTheResponse) {
  RateLimiter limiter;
  const iam::RateLimits limits{.read_ops = 100, .read_bytes = 1 << 20};
  ASSERT_TRUE(limiter.Admit("acme", limits, RateClass::kRead, 0, 0));
  limiter.Charge("acme", limits, RateClass::kRead, 3 << 20, 0);  // a 3 MiB GET
  EXPECT_FALSE(limiter.Admit("acme", limits, RateClass::kRead, 0, kSecond));
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kRead, 0, 2 * kSecond + 1));
  // Charging a class without a byte limit changes nothing.
  limiter.Charge("acme", iam::RateLimits{.read_ops = 100}, RateClass::kRead, 1ull << 40, 2 * kSecond + 1);
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kRead, 0, 2 * kSecond + 1));
}

TEST(RateLimiterTest, ALoweredLimitTakesEffectAtOnce) {
  RateLimiter limiter;
  EXPECT_TRUE(limiter.Admit("acme", iam::RateLimits{.write_ops = 1000}, RateClass::kWrite, 0, 0));
  // The bucket held 999 tokens; under a limit of 2 it holds at most 2.
  EXPECT_EQ(AdmittedOf(limiter, iam::RateLimits{.write_ops = 2}, RateClass::kWrite, 10, 0), 2);
}

TEST(RateLimiterTest, ClockGoingBackwardsEarnsNothing) {
  RateLimiter limiter;
  const iam::RateLimits limits{.read_ops = 1};
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kRead, 0, 10 * kSecond));
  EXPECT_FALSE(limiter.Admit("acme", limits, RateClass::kRead, 0, 5 * kSecond));
  EXPECT_FALSE(limiter.Admit("acme", limits, RateClass::kRead, 0, 10 * kSecond + kSecond / 2));
  EXPECT_TRUE(limiter.Admit("acme", limits, RateClass::kRead, 0, 11 * kSecond));
}

}  // namespace
}  // namespace confiance::s3

namespace confiance::s3 {
namespace {

TEST(RateLimitsTest, ServerDefaultsFillOnlyTheUnsetLimits) {
  const iam::RateLimits defaults{.read_ops = 100, .write_ops = 50, .read_bytes = 0, .write_bytes = 1000};
  const iam::RateLimits own{.read_ops = 7, .write_ops = 0, .read_bytes = 9, .write_bytes = 0};
  EXPECT_EQ(own.OrDefaults(defaults),
            (iam::RateLimits{.read_ops = 7, .write_ops = 50, .read_bytes = 9, .write_bytes = 1000}));
  EXPECT_EQ(iam::RateLimits{}.OrDefaults(defaults), defaults);
  EXPECT_FALSE(iam::RateLimits{}.OrDefaults(iam::RateLimits{}).any());
}

}  // namespace
}  // namespace confiance::s3

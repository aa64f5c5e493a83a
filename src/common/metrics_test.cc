// File: common/metrics_test.cc
#include "common/metrics.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>
#include <vector>

namespace confiance::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(CounterTest, CountsFromManyThreads) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Add();
    });
  }
  for (auto& t : threads) t.join();
  c.Add(5);
  EXPECT_EQ(c.value(), 40005u);
}

TEST(HistogramTest, BucketsAreUpperBoundsInclusive) {
  static constexpr double kBounds[] = {0.001, 0.01, 1};
  Histogram h(kBounds);
  h.Observe(microseconds(1000));  // exactly 1 ms: the 0.001 bucket (le)
  h.Observe(microseconds(1001));  // just above: 0.01
  h.Observe(milliseconds(10));    // 0.01
  h.Observe(seconds(1));          // 1
  h.Observe(seconds(2));          // above every bound: +Inf only
  h.Observe(std::chrono::nanoseconds(-5));  // a clock step back counts as 0
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 2u);
  EXPECT_EQ(h.bucket(2), 1u);
  EXPECT_EQ(h.bucket(3), 1u);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum_seconds(), 0.001 + 0.001001 + 0.01 + 1 + 2);
}

TEST(PrometheusTextTest, FamiliesSamplesAndEscaping) {
  PrometheusText out;
  out.Family("confiance_x_total", "counter", "Line one\nback\\slash \"quoted\"");
  out.Sample("confiance_x_total", {{"op", "Get\"Object\\\n"}, {"code", "200"}}, uint64_t{42});
  out.Family("confiance_up", "gauge", "Plain.");
  out.Sample("confiance_up", {}, 1.5);
  out.Sample("confiance_up", {}, std::numeric_limits<double>::infinity());
  EXPECT_EQ(out.text(),
            "# HELP confiance_x_total Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE confiance_x_total counter\n"
            "confiance_x_total{op=\"Get\\\"Object\\\\\\n\",code=\"200\"} 42\n"
            "# HELP confiance_up Plain.\n"
            "# TYPE confiance_up gauge\n"
            "confiance_up 1.5\n"
            "confiance_up +Inf\n");
}

TEST(PrometheusTextTest, HistogramIsCumulativeWithInfSumAndCount) {
  static constexpr double kBounds[] = {0.0005, 0.25};
  Histogram h(kBounds);
  h.Observe(microseconds(100));
  h.Observe(milliseconds(100));
  h.Observe(milliseconds(200));
  h.Observe(seconds(3));
  PrometheusText out;
  out.HistogramSamples("d_seconds", {{"op", "Get"}}, h);
  EXPECT_EQ(out.text(),
            "d_seconds_bucket{op=\"Get\",le=\"0.0005\"} 1\n"
            "d_seconds_bucket{op=\"Get\",le=\"0.25\"} 3\n"
            "d_seconds_bucket{op=\"Get\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{op=\"Get\"} 3.3001\n"
            "d_seconds_count{op=\"Get\"} 4\n");
}

TEST(PrometheusTextTest, FormatValueSpellsSpecialValues) {
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace confiance::metrics

// File: s3/request_metrics_test.cc
#include "s3/request_metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace confiance::s3 {
namespace {

using std::chrono::microseconds;

size_t Slot(Operation op) { return static_cast<size_t>(op); }

TEST(RequestMetricsTest, CountsByOperationAndStatus) {
  RequestMetrics m;
  const Operation get = Operation::kGetObject;
  const Operation put = Operation::kPutObject;
  m.Record(&get, 200, microseconds(50));
  m.Record(&get, 200, microseconds(70));
  m.Record(&get, 404, microseconds(30));
  m.Record(&put, 200, microseconds(900));
  m.Record(nullptr, 400, microseconds(10));
  m.Record(&get, 0, microseconds(10));  // nothing sent
  EXPECT_EQ(m.Count(Slot(get), 200), 2u);
  EXPECT_EQ(m.Count(Slot(get), 404), 1u);
  EXPECT_EQ(m.Count(Slot(get), 0), 1u);
  EXPECT_EQ(m.Count(Slot(get), 500), 0u);
  EXPECT_EQ(m.Count(Slot(put), 200), 1u);
  EXPECT_EQ(m.Count(RequestMetrics::kUnrouted, 400), 1u);

  metrics::PrometheusText out;
  m.Write(out);
  const std::string& text = out.text();
  EXPECT_NE(text.find("confiance_s3_requests_total{operation=\"GetObject\",code=\"200\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("confiance_s3_requests_total{operation=\"GetObject\",code=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("confiance_s3_requests_total{operation=\"GetObject\",code=\"0\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("confiance_s3_requests_total{operation=\"Unrouted\",code=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("confiance_s3_request_duration_seconds_count{operation=\"GetObject\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("confiance_s3_request_duration_seconds_bucket{operation=\"PutObject\",le=\"0.0005\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("confiance_s3_request_duration_seconds_bucket{operation=\"PutObject\",le=\"0.001\"} 1\n"),
            std::string::npos);
  // Operations never requested are left out.
  EXPECT_EQ(text.find("DeleteBucket"), std::string::npos);
}

TEST(RequestMetricsTest, StatusesBeyondTheSlotsCountAsOther) {
  RequestMetrics m;
  const Operation op = Operation::kHeadObject;
  for (int i = 0; i < static_cast<int>(RequestMetrics::kStatusSlots) + 3; ++i) m.Record(&op, 400 + i, microseconds(1));
  EXPECT_EQ(m.Count(Slot(op), 400), 1u);
  EXPECT_EQ(m.Count(Slot(op), 400 + static_cast<int>(RequestMetrics::kStatusSlots)), 0u);
  metrics::PrometheusText out;
  m.Write(out);
  EXPECT_NE(out.text().find("confiance_s3_requests_total{operation=\"HeadObject\",code=\"other\"} 3\n"),
            std::string::npos)
      << out.text();
}

// Threads racing to claim the first free slots for different statuses must
// neither lose a count nor give one status two slots.
TEST(RequestMetricsTest, ConcurrentClaimsCountEveryRequestOnce) {
  RequestMetrics m;
  const Operation op = Operation::kListObjectsV2;
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) m.Record(&op, 200 + (i + t) % 4, microseconds(i % 100));
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  for (int s = 200; s < 204; ++s) {
    EXPECT_EQ(m.Count(Slot(op), s), uint64_t{kThreads} * kPerThread / 4) << s;
    total += m.Count(Slot(op), s);
  }
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  metrics::PrometheusText out;
  m.Write(out);
  size_t lines = 0;
  for (size_t pos = 0; (pos = out.text().find("operation=\"ListObjectsV2\",code=", pos)) != std::string::npos; ++pos) {
    ++lines;
  }
  EXPECT_EQ(lines, 4u);
}

}  // namespace
}  // namespace confiance::s3

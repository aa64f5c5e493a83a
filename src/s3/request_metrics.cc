// File: s3/request_metrics.cc
#include "s3/request_metrics.h"

namespace confiance::s3 {

void RequestMetrics::Write(metrics::PrometheusText& out) const {
  counts_.Write(out, "confiance_s3", "S3 requests", [](size_t slot) {
    return slot == kUnrouted ? std::string_view("Unrouted") : OperationName(static_cast<Operation>(slot));
  });
  out.Family("confiance_s3_throttled_requests_total", "counter",
             "S3 requests refused with 503 SlowDown by their tenant's rate limits");
  out.Sample("confiance_s3_throttled_requests_total", {{"class", "read"}},
             throttled_reads_.load(std::memory_order_relaxed));
  out.Sample("confiance_s3_throttled_requests_total", {{"class", "write"}},
             throttled_writes_.load(std::memory_order_relaxed));
}

}  // namespace confiance::s3

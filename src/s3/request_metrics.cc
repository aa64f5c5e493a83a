// File: s3/request_metrics.cc
#include "s3/request_metrics.h"

namespace confiance::s3 {

void RequestMetrics::Write(metrics::PrometheusText& out) const {
  counts_.Write(out, "confiance_s3", "S3 requests", [](size_t slot) {
    return slot == kUnrouted ? std::string_view("Unrouted") : OperationName(static_cast<Operation>(slot));
  });
}

}  // namespace confiance::s3

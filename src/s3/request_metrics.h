// File: s3/request_metrics.h
// RequestMetrics: what the S3 endpoint has answered, by operation: the
// number of requests per HTTP status and a latency histogram
// (metrics::RequestCounts), for the operator's Prometheus scrape
// (admin/metrics_endpoint.h).
//
// Sovereignty: the labels are the operation's name and the status code,
// never a tenant, bucket or key, so a scrape tells the operator how the
// service runs, not what any tenant stores or reads.
//
// Thread-safety: Record and Write may run concurrently from any threads.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/metrics.h"
#include "s3/operation.h"

namespace confiance::s3 {

class RequestMetrics {
 public:
  // Operations known to the router, and one more slot for requests that
  // never got one (the route itself was refused).
  static constexpr size_t kOperations = static_cast<size_t>(Operation::kNotImplemented) + 1;
  static constexpr size_t kUnrouted = kOperations;
  static constexpr size_t kStatusSlots = metrics::RequestCounts::kStatusSlots;

  RequestMetrics() : counts_(kOperations + 1) {}

  // One answered request. `op`: null for a request the router refused.
  // `status`: the status sent (0 if the handler sent nothing).
  void Record(const Operation* op, int status, std::chrono::nanoseconds elapsed) {
    counts_.Record(op == nullptr ? kUnrouted : static_cast<size_t>(*op), status, elapsed);
  }

  // The count of `status` for operation slot `slot` (kUnrouted included).
  uint64_t Count(size_t slot, int status) const { return counts_.Count(slot, status); }

  // Appends confiance_s3_requests_total{operation,code} and
  // confiance_s3_request_duration_seconds{operation}; operations never
  // requested since the start are left out.
  void Write(metrics::PrometheusText& out) const;

 private:
  metrics::RequestCounts counts_;
};

}  // namespace confiance::s3

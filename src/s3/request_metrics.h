// File: s3/request_metrics.h
// RequestMetrics: what the S3 endpoint has answered, by operation: the
// number of requests per HTTP status and a latency histogram, for the
// operator's Prometheus scrape (admin/metrics_endpoint.h).
//
// Sovereignty: the labels are the operation's name and the status code,
// never a tenant, bucket or key, so a scrape tells the operator how the
// service runs, not what any tenant stores or reads.
//
// Cost: one Record per request: a few relaxed atomic increments and a scan
// of at most kStatusSlots small slots, no lock and no allocation.
//
// Thread-safety: Record and Write may run concurrently from any threads.
#pragma once

#include <array>
#include <atomic>
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
  // Distinct statuses counted exactly per operation; further ones count
  // under code="other". S3 answers an operation with far fewer.
  static constexpr size_t kStatusSlots = 12;

  RequestMetrics() = default;
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // One answered request. `op`: null for a request the router refused.
  // `status`: the status sent (0 if the handler sent nothing).
  void Record(const Operation* op, int status, std::chrono::nanoseconds elapsed);

  // The counts of `status` for operation slot `slot` (kUnrouted included);
  // for tests and Write.
  uint64_t Count(size_t slot, int status) const;

  // Appends the families confiance_s3_requests_total{operation,code} and
  // confiance_s3_request_duration_seconds{operation}; operations never
  // requested since the start are left out.
  void Write(metrics::PrometheusText& out) const;

 private:
  struct StatusSlot {
    std::atomic<int> status{0};  // the status + 1; 0: free. Claimed once, never released.
    metrics::Counter count;
  };
  struct PerOperation {
    std::array<StatusSlot, kStatusSlots> statuses;
    metrics::Counter other;  // statuses beyond the slots
    metrics::Histogram latency;
  };
  static std::string_view SlotName(size_t slot);

  std::array<PerOperation, kOperations + 1> ops_;
};

}  // namespace confiance::s3

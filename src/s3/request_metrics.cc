// File: s3/request_metrics.cc
#include "s3/request_metrics.h"

#include <string>

namespace confiance::s3 {

void RequestMetrics::Record(const Operation* op, int status, std::chrono::nanoseconds elapsed) {
  PerOperation& per = ops_[op == nullptr ? kUnrouted : static_cast<size_t>(*op)];
  per.latency.Observe(elapsed);
  const int stored = status + 1;
  for (StatusSlot& slot : per.statuses) {
    int seen = slot.status.load(std::memory_order_acquire);
    if (seen == 0) {
      // Claim the free slot; if another thread claimed it first, its
      // status may be ours anyway.
      int expected = 0;
      if (slot.status.compare_exchange_strong(expected, stored, std::memory_order_acq_rel)) {
        slot.count.Add();
        return;
      }
      seen = expected;
    }
    if (seen == stored) {
      slot.count.Add();
      return;
    }
  }
  per.other.Add();
}

uint64_t RequestMetrics::Count(size_t slot, int status) const {
  for (const StatusSlot& s : ops_[slot].statuses) {
    if (s.status.load(std::memory_order_acquire) == status + 1) return s.count.value();
  }
  return 0;
}

std::string_view RequestMetrics::SlotName(size_t slot) {
  return slot == kUnrouted ? std::string_view("Unrouted") : OperationName(static_cast<Operation>(slot));
}

void RequestMetrics::Write(metrics::PrometheusText& out) const {
  out.Family("confiance_s3_requests_total", "counter",
             "S3 requests answered, by operation and HTTP status (code 0: the connection failed before any "
             "response; \"other\": statuses beyond the ones counted one by one).");
  for (size_t i = 0; i < ops_.size(); ++i) {
    const PerOperation& per = ops_[i];
    for (const StatusSlot& s : per.statuses) {
      const int stored = s.status.load(std::memory_order_acquire);
      if (stored == 0) break;  // slots are claimed in order
      const std::string code = std::to_string(stored - 1);
      out.Sample("confiance_s3_requests_total", {{"operation", SlotName(i)}, {"code", code}}, s.count.value());
    }
    if (per.other.value() != 0) {
      out.Sample("confiance_s3_requests_total", {{"operation", SlotName(i)}, {"code", "other"}}, per.other.value());
    }
  }
  out.Family("confiance_s3_request_duration_seconds", "histogram",
             "Time from a request's head to the end of its response, by operation (the transparency log's "
             "sync and the client's reading included).");
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].latency.count() == 0) continue;
    out.HistogramSamples("confiance_s3_request_duration_seconds", {{"operation", SlotName(i)}}, ops_[i].latency);
  }
}

}  // namespace confiance::s3

// File: common/metrics.h
// Counters and latency histograms cheap enough for the request path, and
// the Prometheus text exposition format (version 0.0.4) that the admin
// layer serves them in (admin/metrics_endpoint.h).
//
// Thread-safety: Counter and Histogram are relaxed atomics. A scrape reads
// recent values, not one snapshot consistent across metrics: a histogram's
// _sum may include a few observations its buckets, read a moment earlier,
// do not. Prometheus tolerates that; nothing else reads these values.
// PrometheusText is single-threaded.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace confiance::metrics {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Upper bounds (seconds, ascending) for request latencies: from a cached
// 4 KiB GET (tens of microseconds) to a multi-GiB transfer.
inline constexpr double kLatencyBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10, 30, 60};

// A histogram of durations over fixed upper bounds; observations above the
// last bound count only in the implicit +Inf bucket.
class Histogram {
 public:
  // `bounds_seconds`: ascending, borrowed (static storage, e.g. kLatencyBounds).
  explicit Histogram(std::span<const double> bounds_seconds = kLatencyBounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(std::chrono::nanoseconds duration);

  std::span<const double> bounds() const { return bounds_; }
  // Observations in bucket i alone (not cumulative); i == bounds().size()
  // is the bucket above the last bound.
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  // The sum of the buckets.
  uint64_t count() const;
  double sum_seconds() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::span<const double> bounds_;
  std::unique_ptr<uint64_t[]> bounds_ns_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_ns_{0};
};

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Builds one exposition: each metric family is announced once by Family()
// (its # HELP and # TYPE lines), then its samples follow. Names must match
// [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]* (the
// caller's constants: not checked); label values and help text are escaped
// here, so they may hold any bytes a caller passes.
class PrometheusText {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // type: "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // A family of one unlabelled sample: Family, then Sample.
  void Single(std::string_view name, std::string_view type, std::string_view help, uint64_t value);
  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, double value);
  // The _bucket (cumulative, with le="+Inf"), _sum and _count samples of
  // `name`, each with `labels` first.
  void HistogramSamples(std::string_view name, Labels labels, const Histogram& histogram);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void SampleHead(std::string_view name, Labels labels, std::string_view extra_label = {},
                  std::string_view extra_value = {});
  std::string out_;
};

// Requests answered by an endpoint, by slot (the caller's operations) and
// HTTP status, with a latency histogram per slot. Recording is a few
// relaxed atomic increments and a scan of at most kStatusSlots small
// slots: no lock, no allocation.
class RequestCounts {
 public:
  // Distinct statuses counted exactly per slot; further ones count under
  // code="other". An operation is answered with far fewer.
  static constexpr size_t kStatusSlots = 12;

  explicit RequestCounts(size_t slots);
  RequestCounts(const RequestCounts&) = delete;
  RequestCounts& operator=(const RequestCounts&) = delete;

  // One answered request. REQUIRES slot < slots. `status`: the status sent,
  // 0 if none was.
  void Record(size_t slot, int status, std::chrono::nanoseconds elapsed);
  // The count of `status` in `slot`.
  uint64_t Count(size_t slot, int status) const;

  // Appends <prefix>_requests_total{operation,code} and
  // <prefix>_request_duration_seconds{operation}, the operation being
  // slot_name(slot); slots never used since the start are left out.
  // `what` starts the help text ("S3 requests").
  void Write(PrometheusText& out, std::string_view prefix, std::string_view what,
             const std::function<std::string_view(size_t)>& slot_name) const;

 private:
  struct StatusSlot {
    std::atomic<int> status{0};  // the status + 1; 0: free. Claimed once, never released.
    Counter count;
  };
  struct PerSlot {
    std::array<StatusSlot, kStatusSlots> statuses;
    Counter other;  // statuses beyond the slots
    Histogram latency;
  };
  std::vector<PerSlot> slots_;
};

// A double as the text format writes it: shortest round-trip form, and
// +Inf, -Inf, NaN spelled as Prometheus parses them.
std::string FormatValue(double value);

}  // namespace confiance::metrics

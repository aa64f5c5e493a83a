// File: common/metrics.cc
#include "common/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace confiance::metrics {

Histogram::Histogram(std::span<const double> bounds_seconds)
    : bounds_(bounds_seconds),
      bounds_ns_(std::make_unique<uint64_t[]>(bounds_seconds.size())),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_seconds.size() + 1)) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    bounds_ns_[i] = static_cast<uint64_t>(std::llround(bounds_[i] * 1e9));
  }
}

void Histogram::Observe(std::chrono::nanoseconds duration) {
  const uint64_t ns = duration.count() < 0 ? 0 : static_cast<uint64_t>(duration.count());
  // A linear scan: under 20 bounds, and most requests stop in the first few.
  size_t i = 0;
  while (i < bounds_.size() && ns > bounds_ns_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) n += bucket(i);
  return n;
}

namespace {

// Help text: backslash and line feed escaped. Label values: those and the
// double quote.
void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (quote) {
          out += "\\\"";
        } else {
          out += c;
        }
        break;
      default: out += c;
    }
  }
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void PrometheusText::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  AppendEscaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::SampleHead(std::string_view name, Labels labels, std::string_view extra_label,
                                std::string_view extra_value) {
  out_ += name;
  if (labels.size() == 0 && extra_label.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  auto label = [&](std::string_view k, std::string_view v) {
    if (!first) out_ += ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    AppendEscaped(out_, v, true);
    out_ += '"';
  };
  for (const auto& [k, v] : labels) label(k, v);
  if (!extra_label.empty()) label(extra_label, extra_value);
  out_ += "} ";
}

void PrometheusText::Single(std::string_view name, std::string_view type, std::string_view help, uint64_t value) {
  Family(name, type, help);
  Sample(name, {}, value);
}

void PrometheusText::Sample(std::string_view name, Labels labels, uint64_t value) {
  SampleHead(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void PrometheusText::Sample(std::string_view name, Labels labels, double value) {
  SampleHead(name, labels);
  out_ += FormatValue(value);
  out_ += '\n';
}

void PrometheusText::HistogramSamples(std::string_view name, Labels labels, const Histogram& histogram) {
  const std::string bucket_name = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  const std::span<const double> bounds = histogram.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += histogram.bucket(i);
    const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    SampleHead(bucket_name, labels, "le", le);
    fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
  }
  SampleHead(std::string(name) + "_sum", labels);
  out_ += FormatValue(histogram.sum_seconds());
  out_ += '\n';
  // _count equals the +Inf bucket, as the format requires: both come from
  // the same reads of the buckets.
  SampleHead(std::string(name) + "_count", labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
}

RequestCounts::RequestCounts(size_t slots) : slots_(slots) {}

void RequestCounts::Record(size_t slot, int status, std::chrono::nanoseconds elapsed) {
  PerSlot& per = slots_[slot];
  per.latency.Observe(elapsed);
  const int stored = status + 1;
  for (StatusSlot& s : per.statuses) {
    int seen = s.status.load(std::memory_order_acquire);
    if (seen == 0) {
      // Claim the free slot; if another thread claimed it first, its
      // status may be ours anyway.
      int expected = 0;
      if (s.status.compare_exchange_strong(expected, stored, std::memory_order_acq_rel)) {
        s.count.Add();
        return;
      }
      seen = expected;
    }
    if (seen == stored) {
      s.count.Add();
      return;
    }
  }
  per.other.Add();
}

uint64_t RequestCounts::Count(size_t slot, int status) const {
  for (const StatusSlot& s : slots_[slot].statuses) {
    if (s.status.load(std::memory_order_acquire) == status + 1) return s.count.value();
  }
  return 0;
}

void RequestCounts::Write(PrometheusText& out, std::string_view prefix, std::string_view what,
                          const std::function<std::string_view(size_t)>& slot_name) const {
  const std::string total = std::string(prefix) + "_requests_total";
  out.Family(total, "counter",
             std::string(what) + " answered, by operation and HTTP status (code 0: no response was sent, the "
             "client having gone first; \"other\": statuses beyond the ones counted one by one).");
  for (size_t i = 0; i < slots_.size(); ++i) {
    const PerSlot& per = slots_[i];
    for (const StatusSlot& s : per.statuses) {
      const int stored = s.status.load(std::memory_order_acquire);
      if (stored == 0) break;  // slots are claimed in order
      const std::string code = std::to_string(stored - 1);
      out.Sample(total, {{"operation", slot_name(i)}, {"code", code}}, s.count.value());
    }
    if (per.other.value() != 0) out.Sample(total, {{"operation", slot_name(i)}, {"code", "other"}}, per.other.value());
  }
  const std::string duration = std::string(prefix) + "_request_duration_seconds";
  out.Family(duration, "histogram",
             std::string(what) + ": time from a request's head to the end of its response, by operation (the "
             "transparency log's sync and the client's reading included).");
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].latency.count() == 0) continue;
    out.HistogramSamples(duration, {{"operation", slot_name(i)}}, slots_[i].latency);
  }
}

}  // namespace confiance::metrics

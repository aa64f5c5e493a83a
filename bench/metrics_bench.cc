// File: bench/metrics_bench.cc
// What counting one request costs (s3/request_metrics.h), alone and from
// two threads at once (the server runs one network thread per core), and
// what one scrape's formatting costs with every operation in use.
#include <benchmark/benchmark.h>

#include <chrono>

#include "common/metrics.h"
#include "s3/request_metrics.h"

namespace confiance {
namespace {

s3::RequestMetrics& Shared() {
  static s3::RequestMetrics m;
  return m;
}

// The steady state: the status already has its slot.
void BM_RecordRequest(benchmark::State& state) {
  s3::RequestMetrics& m = Shared();
  const s3::Operation op = s3::Operation::kGetObject;
  int64_t i = 0;
  for (auto _ : state) {
    m.Record(&op, (i & 15) == 0 ? 404 : 200, std::chrono::microseconds(20 + (i & 63)));
    ++i;
  }
}
BENCHMARK(BM_RecordRequest)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  static metrics::Histogram h;
  int64_t i = 0;
  for (auto _ : state) h.Observe(std::chrono::microseconds(20 + (i++ & 1023)));
}
BENCHMARK(BM_HistogramObserve);

void BM_RenderAllOperations(benchmark::State& state) {
  s3::RequestMetrics m;
  for (size_t op = 0; op < s3::RequestMetrics::kOperations; ++op) {
    const auto o = static_cast<s3::Operation>(op);
    for (int status : {200, 204, 403, 404, 500}) m.Record(&o, status, std::chrono::milliseconds(1));
  }
  size_t bytes = 0;
  for (auto _ : state) {
    metrics::PrometheusText out;
    m.Write(out);
    bytes = out.text().size();
    benchmark::DoNotOptimize(out.text().data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderAllOperations);

}  // namespace
}  // namespace confiance

BENCHMARK_MAIN();

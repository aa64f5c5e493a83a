// File: bench/rate_limiter_bench.cc
// What a rate-limited tenant's request pays for admission
// (s3/rate_limiter.h): one Admit with limits high enough never to refuse,
// among 100 limited tenants, from one and two threads (the server runs one
// network thread per core and the limiter has one lock); with the clock
// read, as the server does per request.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "s3/rate_limiter.h"

namespace confiance {
namespace {

s3::RateLimiter& Shared() {
  static s3::RateLimiter limiter;
  return limiter;
}

const std::vector<std::string>& Tenants() {
  static const std::vector<std::string> tenants = [] {
    std::vector<std::string> t;
    for (int i = 0; i < 100; ++i) t.push_back("tenant-" + std::to_string(i));
    return t;
  }();
  return tenants;
}

void BM_AdmitRead(benchmark::State& state) {
  s3::RateLimiter& limiter = Shared();
  const iam::RateLimits limits{.read_ops = 1'000'000'000, .read_bytes = 1ull << 50};
  const std::string& tenant = Tenants()[state.thread_index() * 7 % Tenants().size()];
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        limiter.Admit(tenant, limits, s3::RateClass::kRead, 0, s3::RateLimiter::NowMicros()));
  }
}
BENCHMARK(BM_AdmitRead)->Threads(1)->Threads(2);

void BM_AdmitAndChargeRead(benchmark::State& state) {
  s3::RateLimiter& limiter = Shared();
  const iam::RateLimits limits{.read_ops = 1'000'000'000, .read_bytes = 1ull << 50};
  const std::string& tenant = Tenants()[state.thread_index() * 7 % Tenants().size()];
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.Admit(tenant, limits, s3::RateClass::kRead, 0, s3::RateLimiter::NowMicros()));
    limiter.Charge(tenant, limits, s3::RateClass::kRead, 4096, s3::RateLimiter::NowMicros());
  }
}
BENCHMARK(BM_AdmitAndChargeRead)->Threads(1)->Threads(2);

}  // namespace
}  // namespace confiance

BENCHMARK_MAIN();

// File: bench/kms_bench.cc
// What the KMIP key provider adds to a request when its cache is warm (the
// KMS is not called): parse the wrapped blob, digest (key id, blob,
// context), look the digest up and copy the key out. bench/kmip_overhead.sh
// measures the same end to end against PyKMIP.
#include <benchmark/benchmark.h>

#include <string>

#include "kms/kmip/kmip_wrap_format.h"
#include "kms/kmip/unwrap_cache.h"

namespace {

using confiance::kms::kmip::EncodeWrapHeader;
using confiance::kms::kmip::ParseWrap;
using confiance::kms::kmip::UnwrapCache;

void BM_KmipWarmUnwrap(benchmark::State& state) {
  UnwrapCache cache(std::chrono::hours(1), 100000);
  // A bucket key's blob: 16-byte IV, 48-byte CBC ciphertext, envelope v1
  // of a 32-byte key (61 bytes).
  const std::string blob = EncodeWrapHeader(std::string(16, 'i'), std::string(48, 'k')) + std::string(61, 's');
  const std::string context = "confiance/bucket-key/v1/0123456789abcdef0123456789abcdef";
  std::string key(32, 'x');
  for (int i = 0; i < static_cast<int>(state.range(0)); ++i) {
    cache.Insert(UnwrapCache::KeyOf("1", blob, context + std::to_string(i)),
                 confiance::crypto::SecretBytes(std::as_bytes(std::span(key.data(), key.size()))));
  }
  const std::string hit_context = context + "0";
  for (auto _ : state) {
    auto parsed = ParseWrap(blob);
    benchmark::DoNotOptimize(parsed);
    auto hit = cache.Lookup(UnwrapCache::KeyOf("1", blob, hit_context));
    if (!hit) state.SkipWithError("miss");
    benchmark::DoNotOptimize(hit);
  }
}
BENCHMARK(BM_KmipWarmUnwrap)->Arg(1)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();

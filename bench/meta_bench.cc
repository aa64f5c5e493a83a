// File: bench/meta_bench.cc
// RocksMetaStore Apply throughput with a synced WAL, from 1 and from 16
// threads: shows group commit (concurrent Applies share one fsync).
// The database lives in $META_BENCH_DIR (default: a fresh directory under
// the current directory): put it on the disk you want to measure, not tmpfs.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "common/env.h"
#include "meta/meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance::meta {
namespace {

std::unique_ptr<RocksMetaStore> g_store;
std::atomic<uint64_t> g_next_key{0};  // keys are unique across runs and threads

RocksMetaStore& Store() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env_dir = std::getenv("META_BENCH_DIR");
    std::string tmpl = env_dir != nullptr ? env_dir : "./meta-bench-XXXXXX";
    if (env_dir == nullptr && mkdtemp(tmpl.data()) == nullptr) std::abort();
    RocksMetaStore::Options options;
    options.path = tmpl + "/db";
    options.env = Env::Default();  // through our Env, as the server opens it
    Result<std::unique_ptr<RocksMetaStore>> store = RocksMetaStore::Open(options);
    if (!store.ok()) {
      std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
      std::abort();
    }
    g_store = std::move(store).value();
  });
  return *g_store;
}

// Each thread puts its own keys (one partition per thread, as the catalog's
// hash(bucket, key) partitions would), each Apply a put-if-absent.
void BM_ApplySynced(benchmark::State& state) {
  RocksMetaStore& store = Store();
  const std::string partition = "bench/" + std::to_string(state.thread_index());
  const std::string value(200, 'v');
  for (auto _ : state) {
    std::string key = "obj/" + std::to_string(g_next_key.fetch_add(1));
    Batch batch;
    batch.op_tag = key;
    batch.Expect(key, std::nullopt).Put(key, value);
    Status s = store.Apply(partition, batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplySynced)->Threads(1)->Threads(4)->Threads(16)->UseRealTime()->MinTime(2.0);

}  // namespace

// Closes the store before exit: a global unique_ptr would be destroyed after
// RocksDB's own static objects, and DB::Close() then crashes in its logger.
void CloseStore() { g_store.reset(); }

}  // namespace confiance::meta

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  confiance::meta::CloseStore();
  return 0;
}

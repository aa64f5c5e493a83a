// File: bench/audit_bench.cc
// Transparency-log append throughput on the real RocksDB store (synced WAL)
// with group commit: a window of W appends in flight, as W concurrent
// requests each awaiting its entry's durability. W=1 is one fsync per
// entry; larger windows share each fsync across a group.
//   build/bench/audit_bench --benchmark_filter=Append
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "audit/event.h"
#include "audit/transparency_log.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {
namespace {

std::string SampleEntry(uint64_t i) {
  audit::Event e;
  e.time_ms = 1796126400000 + i;
  e.request_id = "req-" + std::to_string(i);
  e.source = "192.0.2.10:51234";
  e.principal = {"user", "acme", "alice", "AKIDEXAMPLE"};
  e.status = 200;
  e.operation = "PutObject";
  e.bucket = "bench";
  e.key = "objects/" + std::to_string(i);
  e.bytes = 4096;
  return *audit::EncodeEvent(e);
}

void BM_AppendDurable(benchmark::State& state) {
  const int64_t window = state.range(0);
  std::string dir = std::filesystem::temp_directory_path() / ("audit_bench." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  meta::RocksMetaStore::Options options;
  options.path = dir;
  auto store = meta::RocksMetaStore::Open(options);
  auto key = crypto::Ed25519PrivateKey::Generate();
  auto signer = audit::tlog::NoteSigner::Create("bench.example", std::move(*key));
  if (!store.ok() || !signer.ok()) {
    state.SkipWithError("cannot open the store");
    return;
  }
  auto log = audit::TransparencyLog::Open(**store, "bench.example/tenant/acme", *signer);
  if (!log.ok()) {
    state.SkipWithError("cannot open the log");
    return;
  }
  std::mutex mu;
  std::condition_variable cv;
  int64_t in_flight = 0;
  bool failed = false;
  uint64_t i = 0;
  for (auto _ : state) {
    std::string entry = SampleEntry(i++);
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    (*log)->Append(std::move(entry), [&](Result<uint64_t> r) {
      std::lock_guard lock(mu);
      failed |= !r.ok();
      --in_flight;
      cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  if (failed) state.SkipWithError("an append failed");
  state.SetItemsProcessed(static_cast<int64_t>(i));
  log->reset();
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendDurable)->Arg(1)->Arg(16)->Arg(256)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace confiance

BENCHMARK_MAIN();

// File: bench/catalog_bench.cc
// ListObjects (the catalog's current listing, as ListObjectsV2 serves it)
// over a prefix of 10,000 keys, in an unversioned bucket and in a versioned
// one where every key has 10 versions (issue 9: within 20 %), and, to
// separate the layout from the LSM's own cost of overwrites, in an
// unversioned bucket whose keys were each overwritten 10 times. The bucket
// is built once per case on a RocksMetaStore in $CATALOG_BENCH_DIR
// (default: a fresh directory under the current directory; building the
// versioned bucket is 100,000 synced commits, so use a tmpfs such as
// /dev/shm); the listing reads only.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance::catalog {
namespace {

constexpr int kKeys = 10000;

struct Fixture {
  std::unique_ptr<meta::RocksMetaStore> store;
  std::unique_ptr<Catalog> catalog;
  BucketRecord bucket;
};

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "catalog_bench: %s\n", s.ToString().c_str());
  std::abort();
}

// A bucket with kKeys keys under "p/", each written `versions` times, and
// a few after the prefix (so the listing stops on the prefix's end).
Fixture& Get(int versions, bool versioned) {
  static std::map<std::pair<int, bool>, Fixture> fixtures;
  auto it = fixtures.find({versions, versioned});
  if (it != fixtures.end()) return it->second;
  const char* env_dir = std::getenv("CATALOG_BENCH_DIR");
  std::string dir = env_dir != nullptr ? env_dir : "./catalog-bench-XXXXXX";
  if (env_dir == nullptr && mkdtemp(dir.data()) == nullptr) std::abort();
  Fixture& f = fixtures[{versions, versioned}];
  meta::RocksMetaStore::Options options;
  options.path = dir + "/db-" + std::to_string(versions) + (versioned ? "v" : "u");
  Result<std::unique_ptr<meta::RocksMetaStore>> store = meta::RocksMetaStore::Open(options);
  if (!store.ok()) Die(store.status());
  f.store = std::move(store).value();
  f.catalog = std::make_unique<Catalog>(*f.store);
  f.bucket.name = "bench";
  f.bucket.id = "bench";
  f.bucket.owner = "root";
  if (versioned) f.bucket.versioning = BucketVersioning::kEnabled;
  if (Status s = f.catalog->CreateBucket(f.bucket); !s.ok()) Die(s);
  for (const char* prefix : {"p/", "q/"}) {
    const int keys = prefix[0] == 'p' ? kKeys : 10;
    for (int i = 0; i < keys; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "%s%08d", prefix, i);
      for (int v = 0; v < (prefix[0] == 'p' ? versions : 1); ++v) {
        ObjectRecord r;
        r.size = 4096;
        r.etag = "0123456789abcdef0123456789abcdef";
        r.modified_ms = 1700000000000;
        r.content_type = "application/octet-stream";
        Segment seg;
        seg.blob_id = "blob-" + std::to_string(i) + "-" + std::to_string(v);
        seg.plain_size = 4096;
        seg.wrapped_key = std::string(60, 'k');
        seg.etag = r.etag;
        r.segments.push_back(seg);
        r.op_tag = NewOpTag();
        StampVersion(f.bucket, r);
        Result<std::optional<ObjectRecord>> put = f.catalog->PutObject(f.bucket, key, r);
        if (!put.ok()) Die(put.status());
      }
    }
  }
  // Reopened: recovery flushes the memtable into a table file, which
  // keeps only the newest entry of each overwritten key, as the store
  // looks after any flush (otherwise both cases mostly measure skipping
  // the memtable's overwritten entries). CATALOG_BENCH_NO_REOPEN=1 keeps
  // the freshly written memtable instead.
  if (std::getenv("CATALOG_BENCH_NO_REOPEN") != nullptr) return f;
  f.catalog.reset();
  f.store.reset();
  store = meta::RocksMetaStore::Open(options);
  if (!store.ok()) Die(store.status());
  f.store = std::move(store).value();
  f.catalog = std::make_unique<Catalog>(*f.store);
  return f;
}

// One whole listing of the prefix, in pages of 1,000 (ListObjectsV2's).
void BM_ListPrefix(benchmark::State& state) {
  Fixture& f = Get(static_cast<int>(state.range(0)), state.range(1) != 0);
  size_t listed = 0;
  for (auto _ : state) {
    ListOptions opt;
    opt.prefix = "p/";
    opt.max_keys = 1000;
    for (;;) {
      Result<ListPage> page = f.catalog->ListObjects(f.bucket, opt);
      if (!page.ok()) Die(page.status());
      listed += page->objects.size();
      if (!page->truncated) break;
      opt.start_after = page->last_returned;
    }
  }
  if (listed != static_cast<size_t>(kKeys) * state.iterations()) state.SkipWithError("wrong key count");
  state.SetItemsProcessed(static_cast<int64_t>(listed));
}
// {writes per key, versioned}: unversioned written once, unversioned
// overwritten 10 times, versioned with 10 versions.
BENCHMARK(BM_ListPrefix)
    ->ArgNames({"writes", "versioned"})
    ->Args({1, 0})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace confiance::catalog

BENCHMARK_MAIN();

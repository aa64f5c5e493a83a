// File: blob/blob_store_instances_test.cc
// The BlobStore contract suite (blob_store_contract_test.h) over the stores that
// need no server: MemoryBlobStore, LocalBlobStore on the POSIX Env, and a
// PoolRouter over local pools.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blob/blob_store_contract_test.h"
#include "blob/local/local_blob_store.h"
#include "blob/memory/memory_blob_store.h"
#include "blob/pools/pool_router.h"
#include "common/env.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::blob::contract {
namespace {

struct MemoryHarness : Harness {
  BlobStore& store() override { return store_; }
  MemoryBlobStore store_;
};

struct LocalHarness : Harness {
  LocalHarness() {
    auto s = LocalBlobStore::Open(*Env::Default(), dir_.Sub("blobs"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) store_ = std::move(s).value();
  }
  BlobStore& store() override { return *store_; }
  testutil::TempDir dir_;
  std::unique_ptr<LocalBlobStore> store_;
};

// A PoolRouter over three local pools, writing to `write_pool` ("local" is
// the default pool, whose ids carry no prefix).
struct RouterHarness : Harness {
  explicit RouterHarness(std::string write_pool) : write_pool_(std::move(write_pool)) {
    std::vector<std::pair<std::string, BlobStore*>> pools;
    for (const char* name : {"local", "fr-paris", "de"}) {
      auto s = LocalBlobStore::Open(*Env::Default(), dir_.Sub(name));
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      if (!s.ok()) return;
      pools.emplace_back(name, s->get());
      stores_.push_back(std::move(s).value());
    }
    auto r = PoolRouter::Create("local", pools);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) router_ = std::move(r).value();
  }
  BlobStore& store() override { return router_->Pool(write_pool_); }
  testutil::TempDir dir_;
  std::string write_pool_;
  std::vector<std::unique_ptr<LocalBlobStore>> stores_;
  std::unique_ptr<PoolRouter> router_;
};

INSTANTIATE_TEST_SUITE_P(
    AllBlobStores, BlobStoreContractTest,
    ::testing::Values(Impl{"Memory", [] { return std::unique_ptr<Harness>(new MemoryHarness); }},
                      Impl{"Local", [] { return std::unique_ptr<Harness>(new LocalHarness); }},
                      Impl{"RouterDefaultPool", [] { return std::unique_ptr<Harness>(new RouterHarness("local")); }},
                      Impl{"RouterOtherPool", [] { return std::unique_ptr<Harness>(new RouterHarness("fr-paris")); }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace confiance::blob::contract

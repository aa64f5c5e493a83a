// File: meta/meta_store_contract_test.h
// The MetaStore contract suite's fixture (meta_store_contract_test.cc holds
// its tests): a binary instantiates it over its implementations with
// INSTANTIATE_TEST_SUITE_P(Name, MetaStoreContractTest, Values(Impl{...})).
// meta_store_contract_test instantiates it over RocksMetaStore and the fake
// (meta_store_instances_test.cc), meta_rados_test over a real Ceph cluster
// (rados/rados_meta_store_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "meta/meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta::contract {

struct Impl {
  std::string name;
  // Opens the store the test works on, in `dir` (a fresh directory per
  // test, if the store needs one). Called again by the reopening tests,
  // after the first store was destroyed.
  std::function<Result<std::unique_ptr<MetaStore>>(const testutil::TempDir& dir)> open;
  // Whether a reopened store holds what the first one wrote.
  bool persists = true;
  // Whether a second instance on the same place must be refused while the
  // first is open (a directory lock, a lease).
  bool exclusive = true;
};
inline void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

inline Batch PutBatch(std::string key, std::string value) {
  Batch b;
  b.op_tag = "put-" + key;
  b.Put(std::move(key), std::move(value));
  return b;
}

inline std::vector<std::string> Keys(const std::vector<Record>& records) {
  std::vector<std::string> keys;
  for (const Record& r : records) keys.push_back(r.key);
  return keys;
}

class MetaStoreContractTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override { OpenStore(); }

  void OpenStore() {
    Result<std::unique_ptr<MetaStore>> store = GetParam().open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Put(std::string_view partition, std::string key, std::string value) {
    ASSERT_OK(store_->Apply(partition, PutBatch(std::move(key), std::move(value))));
  }

  std::optional<std::string> GetOrDie(std::string_view partition, std::string_view key) {
    Result<std::optional<std::string>> r = store_->Get(partition, key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  std::vector<Record> ScanOrDie(std::string_view partition, const ScanOptions& options) {
    Result<std::vector<Record>> r = store_->Scan(partition, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Record>();
  }

  std::vector<std::string> ListOrDie(std::string_view prefix, std::string_view start_after, size_t limit) {
    Result<std::vector<std::string>> r = store_->ListPartitions(prefix, start_after, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<std::string>();
  }

  testutil::TempDir dir_;
  std::unique_ptr<MetaStore> store_;
};

}  // namespace confiance::meta::contract

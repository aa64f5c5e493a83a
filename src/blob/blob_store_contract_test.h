// File: blob/blob_store_contract_test.h
// The BlobStore contract suite's fixture (blob_store_contract_test.cc holds
// its tests): a binary instantiates it over its implementations with
// INSTANTIATE_TEST_SUITE_P(Name, BlobStoreContractTest, Values(Impl{...})),
// each Impl making a Harness around an empty store. blob_test instantiates
// it over the local stores (blob_store_instances_test.cc), rados_test over a
// real Ceph cluster (rados/rados_blob_store_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "blob/blob_store.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::blob::contract {

// Owns a store and whatever it lives on.
struct Harness {
  virtual ~Harness() = default;
  virtual BlobStore& store() = 0;
};

struct Impl {
  std::string name;
  std::function<std::unique_ptr<Harness>()> make;
};
inline void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

using testutil::AsBytes;

inline std::string Pattern(size_t size, int seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + i / 251) & 0xff);
  return s;
}

class BlobStoreContractTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  BlobStore& store() { return harness_->store(); }

  // Writes and commits a blob; returns its id.
  std::string Put(const std::string& data) {
    auto w = store().NewBlob();
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return "";
    EXPECT_OK((*w)->Append(AsBytes(data)));
    EXPECT_OK((*w)->Commit());
    return (*w)->id();
  }

  Result<std::string> ReadAll(const std::string& id) {
    ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> r, store().Open(id));
    std::string out(r->size(), '\0');
    ASSIGN_OR_RETURN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(out))));
    out.resize(n);
    return out;
  }

  std::unique_ptr<Harness> harness_;
};

}  // namespace confiance::blob::contract

// File: catalog/catalog_test_fixture.h
// CatalogOverMemoryStore: the fixture the catalog's unit tests share: a
// Catalog over the in-memory MetaStore, and one unversioned bucket
// ("bucket", id "b1", owner "root") created by SetUp.
#pragma once

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "meta/memory/memory_meta_store.h"

namespace confiance::catalog {

class CatalogOverMemoryStore : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "bucket";
    bucket_.id = "b1";
    bucket_.owner = "root";
    // Not ASSERT_OK: only *_test.cc files may include tests/ (tools/check_layering.py).
    Status created = catalog_.CreateBucket(bucket_);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  BucketRecord bucket_;
};

}  // namespace confiance::catalog

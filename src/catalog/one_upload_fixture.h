// File: catalog/one_upload_fixture.h
// For tests of multipart completions: ObjectCommitHookStore, a MetaStore
// over an in-memory one that runs
// `before_object_commit` once, before the first commit to an object
// partition ("o/..."): a request that arrives, or a process that dies,
// while a multipart completion is between its mark and its object.
// `shared` is what SharedWithOtherProcesses answers (gateways sharing the
// metadata). OneUploadTest: a Catalog over it, with bucket "parts" (id
// "p1") and upload "u7" of key "big", its part 1 of 10 bytes in blob "a".
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/records.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"

namespace confiance::catalog {

class ObjectCommitHookStore : public meta::ForwardingMetaStore {
 public:
  ObjectCommitHookStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    if (p.starts_with("o/") && before_object_commit) std::exchange(before_object_commit, nullptr)();
    return ForwardingMetaStore::Apply(p, b);
  }
  bool SharedWithOtherProcesses() const override { return shared; }

  meta::MemoryMetaStore memory;
  bool shared = false;
  std::function<void()> before_object_commit;
};

inline PartRecord BlobPart(int n, std::string blob) {
  PartRecord p;
  p.part_number = n;
  p.segment.blob_id = std::move(blob);
  p.segment.plain_size = 10;
  return p;
}

class OneUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "parts";
    bucket_.id = "p1";
    bucket_.owner = "root";
    ASSERT_TRUE(catalog_.CreateBucket(bucket_).ok());
    upload_.upload_id = "u7";
    upload_.key = "big";
    ASSERT_TRUE(catalog_.CreateUpload(bucket_, upload_).ok());
    ASSERT_TRUE(catalog_.PutPart("u7", BlobPart(1, "a")).ok());
  }
  // The object a completion of the parts listed now makes.
  ObjectRecord FromListedParts() {
    Result<std::vector<PartRecord>> parts = catalog_.ListParts("u7", 0, 100);
    EXPECT_TRUE(parts.ok());
    ObjectRecord obj;
    obj.size = 10;
    obj.op_tag = NewOpTag();
    obj.upload_id = "u7";
    if (parts.ok()) {
      for (const PartRecord& p : *parts) obj.segments.push_back(p.segment);
    }
    return obj;
  }

  ObjectCommitHookStore store_;
  Catalog catalog_{store_};
  BucketRecord bucket_;
  UploadRecord upload_;
};

}  // namespace confiance::catalog

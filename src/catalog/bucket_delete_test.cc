// File: catalog/bucket_delete_test.cc
// DeleteBucket racing with writes, with another DeleteBucket and with a
// settings change, and its recovery after a crash (bucket_delete.cc).
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <utility>

#include "catalog/catalog.h"
#include "common/wall_clock.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

bool IsObjectPartition(std::string_view p) { return p.starts_with("o/"); }

bool SetsFence(const meta::Batch& b) {
  for (const meta::Mutation& m : b.mutations) {
    if (m.key == kDeleteFenceKey && m.value) return true;
  }
  return false;
}

bool ExpectsNoFence(const meta::Batch& b) {
  for (const meta::Condition& c : b.conditions) {
    if (c.key == kDeleteFenceKey && !c.expected) return true;
  }
  return false;
}

// Runs each hook once at a step of DeleteBucket: `before_fence` before
// the first fence is set, `after_fence` once it is set, `after_probe` once
// the emptiness probe has looked (and found what it returns); and
// `before_write` before the first commit of a write that adds an entry.
class DeleteStepsStore : public meta::ForwardingMetaStore {
 public:
  DeleteStepsStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    if (before_write && ExpectsNoFence(b)) std::exchange(before_write, nullptr)();
    const bool fence = IsObjectPartition(p) && SetsFence(b);
    if (fence && before_fence) std::exchange(before_fence, nullptr)();
    Status s = ForwardingMetaStore::Apply(p, b);
    if (fence && after_fence) std::exchange(after_fence, nullptr)();
    return s;
  }
  Result<std::vector<meta::Record>> Scan(std::string_view p, const meta::ScanOptions& o) override {
    Result<std::vector<meta::Record>> seen = ForwardingMetaStore::Scan(p, o);
    if (IsObjectPartition(p) && after_probe) std::exchange(after_probe, nullptr)();
    return seen;
  }

  meta::MemoryMetaStore memory;
  std::function<void()> before_fence;
  std::function<void()> after_probe;
  std::function<void()> after_fence;
  std::function<void()> before_write;
  void ApplyAsync(std::string_view p, meta::Batch b, std::function<void(Status)> done) override {
    if (before_write && ExpectsNoFence(b)) std::exchange(before_write, nullptr)();
    ForwardingMetaStore::ApplyAsync(p, std::move(b), std::move(done));
  }
};

ObjectRecord SmallObject() {
  ObjectRecord obj;
  obj.size = 3;
  obj.op_tag = NewOpTag();
  return obj;
}

Result<std::optional<ObjectRecord>> PutAsync(Catalog& catalog, const BucketRecord& bucket, std::string_view key) {
  std::promise<Result<std::optional<ObjectRecord>>> done;
  catalog.PutObjectIfAsync(bucket, key, SmallObject(), Catalog::PutCondition{},
                           [&done](Result<std::optional<ObjectRecord>> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

class BucketDeleteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "doomed";
    bucket_.id = "d1";
    bucket_.owner = "root";
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }

  // The bucket as the store holds it now (not the catalog's cache).
  BucketRecord Stored() {
    Result<std::optional<std::string>> raw = store_.memory.Get(kBucketsPartition, bucket_.name);
    EXPECT_TRUE(raw.ok() && raw->has_value());
    Result<BucketRecord> r = DecodeBucket(**raw);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : BucketRecord{};
  }
  bool Fenced() {
    Result<std::optional<std::string>> fence = store_.memory.Get("o/d1/0", kDeleteFenceKey);
    EXPECT_TRUE(fence.ok());
    return fence.ok() && fence->has_value();
  }

  DeleteStepsStore store_;
  Catalog catalog_{store_};
  BucketRecord bucket_;
};

TEST_F(BucketDeleteTest, AWriteThatComesAfterTheFenceIsRefusedAndTheBucketGoes) {
  // Without the fence, these writes (their bucket record read before the
  // delete) commit after the delete found the bucket empty, into a
  // partition it then drops, and succeed.
  store_.after_probe = [&] {
    EXPECT_STATUS_CODE(catalog_.PutObject(bucket_, "late", SmallObject()), kAborted);
    EXPECT_STATUS_CODE(PutAsync(catalog_, bucket_, "late-async"), kAborted);
    BucketRecord versioned = bucket_;
    versioned.versioning = BucketVersioning::kEnabled;
    EXPECT_STATUS_CODE(catalog_.DeleteObjectVersion(versioned, "marker", std::nullopt, {}), kAborted);
  };
  ASSERT_OK(catalog_.DeleteBucket(bucket_));
  EXPECT_EQ(store_.after_probe, nullptr);  // the hook ran
  EXPECT_STATUS_CODE(catalog_.GetBucket(bucket_.name), kNotFound);
}

TEST_F(BucketDeleteTest, AWriteThatCommitsAfterTheDeleteIsNotAcknowledged) {
  // The whole DeleteBucket runs between the write's read of the bucket
  // record and its commit, which lands in a dropped partition (no fence
  // there any more): the write must not be answered as done.
  store_.before_write = [&] { ASSERT_OK(catalog_.DeleteBucket(bucket_)); };
  Status put = catalog_.PutObject(bucket_, "late", SmallObject()).status();
  EXPECT_STATUS_CODE(put, kNotFound);
  EXPECT_EQ(put.message(), kBucketDeleted);
  // The name again, under a new id (as CreateBucket gives).
  BucketRecord again = bucket_;
  again.id = "d2";
  ASSERT_OK(catalog_.CreateBucket(again));
  store_.before_write = [&] { ASSERT_OK(catalog_.DeleteBucket(again)); };
  EXPECT_STATUS_CODE(PutAsync(catalog_, again, "late-async"), kNotFound);
  BucketRecord versioned = bucket_;
  versioned.id = "d3";
  versioned.versioning = BucketVersioning::kEnabled;
  ASSERT_OK(catalog_.CreateBucket(versioned));
  store_.before_write = [&] { ASSERT_OK(catalog_.DeleteBucket(versioned)); };
  EXPECT_STATUS_CODE(catalog_.DeleteObjectVersion(versioned, "marker", std::nullopt, {}), kNotFound);
}

TEST_F(BucketDeleteTest, AWriteBeforeTheFenceKeepsTheBucketOpen) {
  store_.before_fence = [&] { ASSERT_OK(catalog_.PutObject(bucket_, "early", SmallObject())); };
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kFailedPrecondition);
  EXPECT_FALSE(Stored().delete_mark.has_value());
  EXPECT_FALSE(Fenced());
  ASSERT_OK(catalog_.PutObject(bucket_, "next", SmallObject()));
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(bucket_, ListOptions{}));
  ASSERT_EQ(page.objects.size(), 2u);
}

TEST_F(BucketDeleteTest, ASecondDeleteGivesWayToTheOneUnderWay) {
  store_.after_probe = [&] { EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kAborted); };
  ASSERT_OK(catalog_.DeleteBucket(bucket_));
  EXPECT_STATUS_CODE(catalog_.GetBucket(bucket_.name), kNotFound);
}

TEST_F(BucketDeleteTest, ASettingChangedDuringTheDeleteStopsItAndLiftsTheFence) {
  store_.after_probe = [&] {
    ASSERT_OK(catalog_.UpdateBucket(bucket_.name, [](BucketRecord& r) {
      r.tags["team"] = "storage";
      return OkStatus();
    }));
  };
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kAborted);
  const BucketRecord kept = Stored();
  EXPECT_EQ(kept.tags.at("team"), "storage");
  EXPECT_FALSE(kept.delete_mark.has_value());
  EXPECT_FALSE(Fenced());
  ASSERT_OK(catalog_.PutObject(bucket_, "k", SmallObject()));
}

TEST_F(BucketDeleteTest, ADeleteCutShortHoldsWritesUntilItsMarkIsStale) {
  ASSERT_OK(catalog_.PutObject(bucket_, "kept", SmallObject()));
  // A crash after the fence: the commit that would clear the mark fails.
  store_.after_fence = [&] { store_.memory.FailNextApply(UnavailableError("disk gone")); };
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kUnavailable);
  ASSERT_TRUE(Stored().delete_mark.has_value());
  ASSERT_TRUE(Fenced());
  EXPECT_STATUS_CODE(catalog_.PutObject(bucket_, "new", SmallObject()), kAborted);
  // The fence is not an entry: reads, listings and usage do not see it.
  ASSERT_OK(catalog_.GetObject(bucket_, "kept", false));
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(bucket_, ListOptions{}));
  ASSERT_EQ(page.objects.size(), 1u);
  ASSERT_OK_AND_ASSIGN(Usage recounted, catalog_.RecountBucketUsage(bucket_));
  EXPECT_EQ(recounted.objects, 1);
  std::vector<std::string> blobs;
  ASSERT_OK(catalog_.MarkReferencedBlobs([&](const std::string& id) { blobs.push_back(id); }));

  const uint64_t since = Stored().delete_mark->since_ms;
  ASSERT_OK_AND_ASSIGN(uint64_t freed, catalog_.RecoverInterruptedDeletes(since + kStaleDeleteMarkMs - 1));
  EXPECT_EQ(freed, 0u);  // may still be under way
  EXPECT_TRUE(Fenced());
  ASSERT_OK_AND_ASSIGN(freed, catalog_.RecoverInterruptedDeletes(since + kStaleDeleteMarkMs));
  EXPECT_EQ(freed, 1u);
  EXPECT_FALSE(Stored().delete_mark.has_value());
  EXPECT_FALSE(Fenced());
  ASSERT_OK(catalog_.PutObject(bucket_, "new", SmallObject()));
}

TEST_F(BucketDeleteTest, ADeleteAfterOneCutShortWaitsThenTakesOver) {
  store_.after_fence = [&] { store_.memory.FailNextApply(UnavailableError("disk gone")); };
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kUnavailable);
  // The mark is fresh: a retry cannot tell a crashed delete from one under way.
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kAborted);
  ASSERT_OK(catalog_.UpdateBucket(bucket_.name, [](BucketRecord& r) {
    r.delete_mark->since_ms -= kStaleDeleteMarkMs;  // as if a minute went by
    return OkStatus();
  }));
  ASSERT_OK(catalog_.DeleteBucket(bucket_));
  EXPECT_STATUS_CODE(catalog_.GetBucket(bucket_.name), kNotFound);
}

TEST_F(BucketDeleteTest, AFenceNoMarkHoldsIsLifted) {
  // A crash between clearing the mark and lifting the fence.
  meta::Batch fence;
  fence.op_tag = "t";
  fence.Put(std::string(kDeleteFenceKey), "token-of-a-dead-delete");
  ASSERT_OK(store_.memory.Apply("o/d1/0", fence));
  EXPECT_STATUS_CODE(catalog_.PutObject(bucket_, "k", SmallObject()), kAborted);
  ASSERT_OK_AND_ASSIGN(uint64_t freed, catalog_.RecoverInterruptedDeletes(UnixMillisNow()));
  EXPECT_EQ(freed, 1u);
  ASSERT_OK(catalog_.PutObject(bucket_, "k", SmallObject()));
}

TEST(BucketRecordTest, TheDeleteMarkRoundTrips) {
  BucketRecord r;
  r.name = "b";
  r.id = "i";
  r.delete_mark = BucketRecord::DeleteMark{"tok", 1234};
  ASSERT_OK_AND_ASSIGN(BucketRecord back, DecodeBucket(EncodeBucket(r)));
  ASSERT_TRUE(back.delete_mark.has_value());
  EXPECT_EQ(back.delete_mark->token, "tok");
  EXPECT_EQ(back.delete_mark->since_ms, 1234u);
  r.delete_mark.reset();
  ASSERT_OK_AND_ASSIGN(back, DecodeBucket(EncodeBucket(r)));
  EXPECT_FALSE(back.delete_mark.has_value());
}

}  // namespace
}  // namespace confiance::catalog

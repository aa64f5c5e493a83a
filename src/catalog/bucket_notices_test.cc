// File: catalog/bucket_notices_test.cc
// The bucket cache with other processes sharing the store (several
// gateways, docs/rados.md): a change made through one catalog drops the
// copies the others hold, through the store's change notices
// (meta/notice_bus_testing.h stands in for RADOS watch/notify).
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

class BucketNoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BucketRecord b;
    b.name = "site";
    b.id = "b1";
    b.owner = "acme";
    ASSERT_OK(writer_.CreateBucket(b));
    // Both read it once: cached from here on.
    ASSERT_OK(reader_.GetBucket("site").status());
    ASSERT_OK(unwatched_.GetBucket("site").status());
  }
  Status SetPolicy(const std::string& policy) {
    return writer_
        .UpdateBucket("site",
                      [&](BucketRecord& r) {
                        r.policy = policy;
                        return OkStatus();
                      })
        .status();
  }

  meta::MemoryMetaStore shared_;
  meta::testing::NoticeBus bus_;
  meta::testing::BusStore here_{shared_, bus_};
  meta::testing::BusStore there_{shared_, bus_};
  Catalog writer_{here_};
  Catalog reader_{there_};
  Catalog unwatched_{shared_};  // a store that tells no one: its copy stays
};

TEST_F(BucketNoticesTest, ASettingChangedElsewhereIsReadAgain) {
  ASSERT_OK(SetPolicy("{\"Statement\": []}"));
  ASSERT_OK_AND_ASSIGN(BucketRecord seen, reader_.GetBucket("site"));
  EXPECT_EQ(seen.policy, "{\"Statement\": []}");
  // The control: without notices the cached copy is what a reader gets.
  ASSERT_OK_AND_ASSIGN(BucketRecord stale, unwatched_.GetBucket("site"));
  EXPECT_EQ(stale.policy, "");
}

TEST_F(BucketNoticesTest, ABucketDeletedElsewhereIsGone) {
  ASSERT_OK_AND_ASSIGN(BucketRecord b, writer_.GetBucket("site"));
  ASSERT_OK(writer_.DeleteBucket(b));
  EXPECT_STATUS_CODE(reader_.GetBucket("site"), kNotFound);
  EXPECT_OK(unwatched_.GetBucket("site").status());
}

TEST_F(BucketNoticesTest, AnEmptySubjectDropsEveryCopy) {
  // What a watch that broke says: notices may have been missed.
  ASSERT_OK(shared_.Apply(kBucketsPartition, [] {
    meta::Batch b;
    BucketRecord r;
    r.name = "site";
    r.id = "b1";
    r.owner = "acme";
    r.policy = "changed behind every cache";
    b.Put("site", EncodeBucket(r));
    return b;
  }()));
  bus_.Publish(nullptr, kBucketNotices, "");
  ASSERT_OK_AND_ASSIGN(BucketRecord seen, reader_.GetBucket("site"));
  EXPECT_EQ(seen.policy, "changed behind every cache");
}

TEST_F(BucketNoticesTest, AProcessIsNotToldOfItsOwnChanges) {
  const int before = bus_.published();
  ASSERT_OK(SetPolicy("p"));
  EXPECT_EQ(bus_.published(), before + 1);
  ASSERT_OK_AND_ASSIGN(BucketRecord own, writer_.GetBucket("site"));
  EXPECT_EQ(own.policy, "p");
}

// The fence (meta/notice_trust.h): a reader whose watch went unconfirmed
// misses notices, and uses no cached bucket until it hears them again.
TEST_F(BucketNoticesTest, AReaderThatMayHaveMissedNoticesReadsTheStoreInstead) {
  there_.Deafen();
  ASSERT_OK(SetPolicy("{\"Statement\": []}"));
  ASSERT_OK_AND_ASSIGN(BucketRecord seen, reader_.GetBucket("site"));
  EXPECT_EQ(seen.policy, "{\"Statement\": []}");
  ASSERT_OK(SetPolicy(""));  // (unheard, after a read while deaf)
  there_.Hear();
  ASSERT_OK_AND_ASSIGN(seen, reader_.GetBucket("site"));
  EXPECT_EQ(seen.policy, "");
}

}  // namespace
}  // namespace confiance::catalog

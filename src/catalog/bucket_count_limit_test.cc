// File: catalog/bucket_count_limit_test.cc
// CreateBucket's limit on an owner's buckets (tenant quota max_buckets):
// counted at the commit, so that concurrent creators in one process, or in
// several sharing the store (gateways, docs/rados.md), cannot overshoot it.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

BucketRecord BucketOf(std::string owner, std::string name) {
  BucketRecord b;
  b.id = "id-" + name;
  b.name = std::move(name);
  b.owner = std::move(owner);
  return b;
}

// One process's view of the shared store that runs `before_bucket_commit`
// once, just before its next commit to the buckets partition: another
// process's creation landing between this one's count and its commit.
class CountRaceStore : public meta::ForwardingMetaStore {
 public:
  explicit CountRaceStore(meta::MetaStore& shared) : ForwardingMetaStore(shared) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    if (p == kBucketsPartition && before_bucket_commit) std::exchange(before_bucket_commit, nullptr)();
    return ForwardingMetaStore::Apply(p, b);
  }
  std::function<void()> before_bucket_commit;
};

size_t Owned(Catalog& catalog, const std::string& owner) {
  Result<std::vector<BucketRecord>> all = catalog.ListBuckets();
  EXPECT_TRUE(all.ok()) << all.status().message();
  size_t n = 0;
  if (all.ok()) {
    for (const BucketRecord& b : *all) n += b.owner == owner ? 1 : 0;
  }
  return n;
}

TEST(BucketCountLimitTest, TheOwnersCountIsHeldAndAnotherOwnersIsNotCharged) {
  meta::MemoryMetaStore store;
  Catalog catalog(store);
  ASSERT_OK(catalog.CreateBucket(BucketOf("acme", "a1"), 2));
  ASSERT_OK(catalog.CreateBucket(BucketOf("acme", "a2"), 2));
  EXPECT_STATUS_CODE(catalog.CreateBucket(BucketOf("acme", "a3"), 2), kFailedPrecondition);
  ASSERT_OK(catalog.CreateBucket(BucketOf("globex", "g1"), 2));
  // Without a limit (an unlimited tenant) nothing is counted.
  ASSERT_OK(catalog.CreateBucket(BucketOf("acme", "a4")));
  // The guard records are not buckets.
  ASSERT_OK_AND_ASSIGN(std::vector<BucketRecord> all, catalog.ListBuckets());
  ASSERT_EQ(all.size(), 4u);
  for (const BucketRecord& b : all) EXPECT_FALSE(b.name.starts_with("!")) << b.name;
  // A taken name is still AlreadyExists, whatever the count.
  EXPECT_STATUS_CODE(catalog.CreateBucket(BucketOf("globex", "a1"), 2), kAlreadyExists);
  // Deleting one makes room again.
  ASSERT_OK_AND_ASSIGN(BucketRecord a1, catalog.GetBucket("a1"));
  ASSERT_OK(catalog.DeleteBucket(a1));
  ASSERT_OK(catalog.CreateBucket(BucketOf("acme", "a5"), 3));
  EXPECT_EQ(Owned(catalog, "acme"), 3u);
}

TEST(BucketCountLimitTest, ACreationLandingElsewhereBetweenCountAndCommitIsCounted) {
  meta::MemoryMetaStore shared;
  CountRaceStore here(shared);
  Catalog gateway_a(here);
  Catalog gateway_b(shared);
  ASSERT_OK(gateway_a.CreateBucket(BucketOf("acme", "first"), 2));
  // Gateway A counts one bucket; before its commit, gateway B creates the
  // second. A's commit must see that and refuse the third.
  here.before_bucket_commit = [&] { ASSERT_OK(gateway_b.CreateBucket(BucketOf("acme", "second"), 2)); };
  EXPECT_STATUS_CODE(gateway_a.CreateBucket(BucketOf("acme", "third"), 2), kFailedPrecondition);
  EXPECT_FALSE(here.before_bucket_commit);  // the race did happen
  EXPECT_EQ(Owned(gateway_a, "acme"), 2u);
  EXPECT_STATUS_CODE(gateway_a.GetBucket("third"), kNotFound);
}

TEST(BucketCountLimitTest, ANameTakenElsewhereBetweenCountAndCommitIsAlreadyExists) {
  meta::MemoryMetaStore shared;
  CountRaceStore here(shared);
  Catalog gateway_a(here);
  Catalog gateway_b(shared);
  here.before_bucket_commit = [&] { ASSERT_OK(gateway_b.CreateBucket(BucketOf("globex", "wanted"), 5)); };
  EXPECT_STATUS_CODE(gateway_a.CreateBucket(BucketOf("acme", "wanted"), 5), kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(BucketRecord winner, gateway_a.GetBucket("wanted"));
  EXPECT_EQ(winner.owner, "globex");
}

TEST(BucketCountLimitTest, ConcurrentCreatorsOnTwoGatewaysNeverOvershoot) {
  constexpr uint64_t kLimit = 5;
  constexpr int kThreadsPerGateway = 4;
  constexpr int kTriesPerThread = 6;
  meta::MemoryMetaStore shared;
  Catalog gateway_a(shared);  // two catalogs: two processes' caches, one store
  Catalog gateway_b(shared);
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerGateway; ++t) {
    threads.emplace_back([&, t] {
      Catalog& catalog = t % 2 == 0 ? gateway_a : gateway_b;
      for (int i = 0; i < kTriesPerThread; ++i) {
        Status s = catalog.CreateBucket(BucketOf("acme", "b-" + std::to_string(t) + "-" + std::to_string(i)), kLimit);
        (s.ok() ? created : s.code() == StatusCode::kFailedPrecondition ? refused : other)++;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(created.load(), static_cast<int>(kLimit));
  EXPECT_EQ(refused.load(), 2 * kThreadsPerGateway * kTriesPerThread - static_cast<int>(kLimit));
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Owned(gateway_a, "acme"), kLimit);
}

}  // namespace
}  // namespace confiance::catalog

// File: blob/pools/pool_router_test.cc
// What the contract suite cannot see: which directory a blob lands in,
// listings merged across pools, ids of unconfigured pools, CopyTo.
#include "blob/pools/pool_router.h"

#include <gtest/gtest.h>

#include <set>

#include "blob/local/local_blob_store.h"
#include "common/env.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::blob {
namespace {

using testutil::AsBytes;

class PoolRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::pair<std::string, BlobStore*>> pools;
    for (const char* name : {"local", "fr", "de", "de-x"}) {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<LocalBlobStore> s, LocalBlobStore::Open(*Env::Default(), dir_.Sub(name)));
      pools.emplace_back(name, s.get());
      stores_[name] = std::move(s);
    }
    ASSERT_OK_AND_ASSIGN(router_, PoolRouter::Create("local", pools));
  }
  std::string Put(const std::string& pool, const std::string& data) {
    auto w = router_->Pool(pool).NewBlob();
    EXPECT_OK(w.status());
    if (!w.ok()) return "";
    EXPECT_OK((*w)->Append(AsBytes(data)));
    EXPECT_OK((*w)->Commit());
    return (*w)->id();
  }
  testutil::TempDir dir_;
  std::map<std::string, std::unique_ptr<LocalBlobStore>> stores_;
  std::unique_ptr<PoolRouter> router_;
};

TEST_F(PoolRouterTest, BlobLandsInItsPoolDirectory) {
  const std::string local = Put("local", "a");
  const std::string de = Put("de", "bb");
  EXPECT_EQ(local.size(), 32u);  // default pool: bare ids, as before pools
  ASSERT_EQ(de.rfind("de:", 0), 0u);
  const std::string inner = de.substr(3);
  EXPECT_TRUE(Env::Default()->FileExists(stores_["de"]->BlobPath(inner)));
  EXPECT_FALSE(Env::Default()->FileExists(stores_["local"]->BlobPath(inner)));
  EXPECT_TRUE(Env::Default()->FileExists(stores_["local"]->BlobPath(local)));
  EXPECT_EQ(router_->PoolOf(de), "de");
  EXPECT_EQ(router_->PoolOf(local), "local");
  ASSERT_OK_AND_ASSIGN(auto r, router_->Open(de));
  EXPECT_EQ(r->size(), 2u);
  EXPECT_OK(router_->Delete(de));
  EXPECT_FALSE(Env::Default()->FileExists(stores_["de"]->BlobPath(inner)));
}

TEST_F(PoolRouterTest, ListMergesEveryPoolInIdOrder) {
  std::set<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    for (const char* pool : {"local", "fr", "de", "de-x"}) ids.insert(Put(pool, std::string(static_cast<size_t>(i), 'x')));
  }
  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 100; ++pages) {
    ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> page, router_->List(after, 5));
    if (page.empty()) break;
    for (const BlobInfo& b : page) seen.push_back(b.id);
    after = page.back().id;
  }
  EXPECT_EQ(seen, std::vector<std::string>(ids.begin(), ids.end()));
}

TEST_F(PoolRouterTest, UnconfiguredOrMalformedPools) {
  const std::string ghost = "gone:0123456789abcdef0123456789abcdef";
  EXPECT_STATUS_CODE(router_->Open(ghost), kNotFound);
  // Never "OK, already gone": the blob may exist in a pool configured later.
  EXPECT_STATUS_CODE(router_->Delete(ghost), kFailedPrecondition);
  EXPECT_STATUS_CODE(router_->Open("local:0123456789abcdef0123456789abcdef"), kInvalidArgument);
  EXPECT_STATUS_CODE(router_->Open("BAD/:0123456789abcdef0123456789abcdef"), kInvalidArgument);
  EXPECT_STATUS_CODE(router_->Open("de:../x"), kInvalidArgument);
}

TEST_F(PoolRouterTest, CopyToAnotherPool) {
  std::string data(3 << 20, 'q');
  data[12345] = 'z';
  const std::string from = Put("de", data);
  ASSERT_OK_AND_ASSIGN(std::string to, router_->CopyTo(from, "fr"));
  EXPECT_EQ(router_->PoolOf(to), "fr");
  ASSERT_OK_AND_ASSIGN(auto r, router_->Open(to));
  std::string got(r->size(), '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(got))));
  EXPECT_EQ(n, data.size());
  EXPECT_EQ(got, data);
  ASSERT_OK_AND_ASSIGN(auto old, router_->Open(from));  // the source stays
  ASSERT_OK_AND_ASSIGN(std::string to_default, router_->CopyTo(from, "local"));
  EXPECT_EQ(to_default.size(), 32u);
  EXPECT_STATUS_CODE(router_->CopyTo(from, "nowhere"), kInvalidArgument);
}

TEST(PoolRouterCreate, RefusesBadConfigurations) {
  testutil::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto s, LocalBlobStore::Open(*Env::Default(), dir.Sub("a")));
  EXPECT_STATUS_CODE(PoolRouter::Create("x", {{"a", s.get()}}), kInvalidArgument);
  EXPECT_STATUS_CODE(PoolRouter::Create("a", {{"a", s.get()}, {"a", s.get()}}), kInvalidArgument);
  EXPECT_STATUS_CODE(PoolRouter::Create("A:", {{"A:", s.get()}}), kInvalidArgument);
  EXPECT_TRUE(IsValidPoolName("de-frankfurt-1"));
  EXPECT_FALSE(IsValidPoolName(""));
  EXPECT_FALSE(IsValidPoolName("a/b"));
}

// A hold keeps every deletion aside, whichever pool or view it comes
// through, until it closes (an online backup links the blobs meanwhile).
TEST_F(PoolRouterTest, HeldDeletionsWaitForTheHoldToClose) {
  const std::string local = Put("local", "a");
  const std::string de = Put("de", "bb");
  auto hold = router_->HoldDeletes();
  EXPECT_OK(router_->Delete(local));
  EXPECT_OK(router_->Pool("fr").Delete(de));
  EXPECT_EQ(router_->held_deletes(), 2u);
  EXPECT_TRUE(Env::Default()->FileExists(stores_["local"]->BlobPath(local)));
  EXPECT_TRUE(Env::Default()->FileExists(stores_["de"]->BlobPath(de.substr(3))));
  // A malformed id or an unconfigured pool is refused as without a hold.
  EXPECT_STATUS_CODE(router_->Delete("local:" + local), kInvalidArgument);
  EXPECT_STATUS_CODE(router_->Delete("it:" + local), kFailedPrecondition);
  EXPECT_FALSE(hold->broken());
  hold.reset();
  EXPECT_EQ(router_->held_deletes(), 0u);
  EXPECT_FALSE(Env::Default()->FileExists(stores_["local"]->BlobPath(local)));
  EXPECT_FALSE(Env::Default()->FileExists(stores_["de"]->BlobPath(de.substr(3))));
}

TEST_F(PoolRouterTest, PlacementNamesThePoolAndTheInnerId) {
  const std::string local = Put("local", "a");
  const std::string de = Put("de-x", "bb");
  ASSERT_OK_AND_ASSIGN(PoolRouter::Placement p, router_->PlacementOf(local));
  EXPECT_EQ(p.pool, "local");
  EXPECT_EQ(p.inner, local);
  ASSERT_OK_AND_ASSIGN(p, router_->PlacementOf(de));
  EXPECT_EQ(p.pool, "de-x");
  EXPECT_EQ(p.inner, de.substr(5));
  EXPECT_STATUS_CODE(router_->PlacementOf("it:" + local).status(), kNotFound);
  EXPECT_STATUS_CODE(router_->PlacementOf("local:" + local).status(), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::blob

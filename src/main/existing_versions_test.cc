// File: main/existing_versions_test.cc
// Which existing versions a destination gets, in which order, and the scan
// of a bucket over the in-memory MetaStore: pages that never split a key.
#include "main/existing_versions.h"

#include <gtest/gtest.h>

#include "catalog/catalog_test_fixture.h"
#include "catalog/version_id.h"
#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

ExistingVersion V(std::string id, bool there = false, bool pending = false, bool marker = false) {
  ExistingVersion v;
  v.version_id = std::move(id);
  v.there = there;
  v.pending = pending;
  v.delete_marker = marker;
  return v;
}

std::vector<std::string> Ids(const std::vector<ExistingVersion>& versions) {
  std::vector<std::string> ids;
  for (const ExistingVersion& v : versions) ids.push_back(v.version_id);
  return ids;
}

using Ids_ = std::vector<std::string>;

TEST(VersionsToCopyTest, OldestFirstAndNeverBehindACopyAlreadyThere) {
  // None there: all of them, oldest first.
  EXPECT_EQ(Ids(VersionsToCopy({V("3"), V("2", false, false, true), V("1")})), (Ids_{"1", "2", "3"}));
  // The destination holds 2: 1 would arrive after it and become its latest.
  EXPECT_EQ(Ids(VersionsToCopy({V("3"), V("2", true), V("1")})), (Ids_{"3"}));
  // The newest is there (or a replica): nothing.
  EXPECT_TRUE(VersionsToCopy({V("2", true), V("1")}).empty());
  // Pending: the destination's own replication copies it after the scan,
  // so the older ones may go before it.
  EXPECT_EQ(Ids(VersionsToCopy({V("3", false, true), V("2"), V("1")})), (Ids_{"1", "2"}));
  EXPECT_TRUE(VersionsToCopy({}).empty());
}

TEST(ExistingVersionOfTest, ThereMeansThisDestinationsCopyOrAReplica) {
  catalog::ObjectRecord r;
  r.version_id = std::string(16, 'v');
  r.replicated_to = {"dr"};
  r.replication_pending = {"us"};
  EXPECT_TRUE(ExistingVersionOf(r, "dr").there);
  EXPECT_FALSE(ExistingVersionOf(r, "dr").pending);
  EXPECT_FALSE(ExistingVersionOf(r, "us").there);
  EXPECT_TRUE(ExistingVersionOf(r, "us").pending);
  EXPECT_FALSE(ExistingVersionOf(r, "other").there || ExistingVersionOf(r, "other").pending);
  EXPECT_EQ(ExistingVersionOf(r, "dr").version_id, catalog::ExternalVersionId(r));
  r.replication_status = catalog::ReplicationStatus::kReplica;
  EXPECT_TRUE(ExistingVersionOf(r, "other").there);
}

// A resync sends again what the destination is recorded to hold (it may
// have lost it), never a replica.
TEST(ExistingVersionOfTest, AResyncCountsOnlyReplicasThere) {
  catalog::ObjectRecord r;
  r.version_id = std::string(16, 'v');
  r.replicated_to = {"dr"};
  const ExistingVersion held = ExistingVersionOf(r, "dr", ScanKind::kResync);
  EXPECT_FALSE(held.there);
  EXPECT_TRUE(held.held);
  EXPECT_FALSE(ExistingVersionOf(r, "us", ScanKind::kResync).held);
  r.replication_status = catalog::ReplicationStatus::kReplica;
  EXPECT_TRUE(ExistingVersionOf(r, "dr", ScanKind::kResync).there);
}

TEST(ParseResyncTargetTest, OnlyTheResyncEntrysTarget) {
  std::optional<ResyncRequest> r =
      ParseResyncTarget("ResyncBucketReplication", "tenant/acme/bucket/photos/replication/dr-frankfurt");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->tenant, "acme");
  EXPECT_EQ(r->bucket, "photos");
  EXPECT_EQ(r->destination, "dr-frankfurt");
  EXPECT_FALSE(ParseResyncTarget("SetBucketQuota", "tenant/acme/bucket/photos/replication/dr").has_value());
  for (const char* bad :
       {"tenant/acme/bucket/photos", "tenant/acme/bucket/photos/replication/", "tenant/acme/bucket//replication/dr",
        "tenant/acme/bucket/photos/replication/dr/x", "tenant/acme/user/photos/replication/dr", ""}) {
    EXPECT_FALSE(ParseResyncTarget("ResyncBucketReplication", bad).has_value()) << bad;
  }
}

TEST(ExistingScanStateTest, RoundTripsAnyKey) {
  for (const ExistingScanState& s : {ExistingScanState{0, ""}, ExistingScanState{42, "a/b\nc d"}}) {
    std::optional<ExistingScanState> back = DecodeExistingScanState(EncodeExistingScanState(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(DecodeExistingScanState("").has_value());
  EXPECT_FALSE(DecodeExistingScanState("x\nkey").has_value());
  EXPECT_FALSE(DecodeExistingScanState("12").has_value());
}

class ExistingScanTest : public catalog::CatalogOverMemoryStore {
 protected:
  void SetUp() override {
    CatalogOverMemoryStore::SetUp();
    ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket("bucket", [](catalog::BucketRecord& b) {
      b.versioning = catalog::BucketVersioning::kEnabled;
      return OkStatus();
    }));
  }
  // A new version of `key` (copied to `replicated_to`); its S3 id.
  std::string Put(const std::string& key, std::vector<std::string> replicated_to = {}) {
    catalog::ObjectRecord r;
    r.size = 1;
    r.etag = "e";
    r.op_tag = catalog::NewOpTag();
    r.replicated_to = std::move(replicated_to);
    catalog::StampVersion(bucket_, r);
    EXPECT_TRUE(catalog_.PutObject(bucket_, key, r).ok());
    return catalog::ExternalVersionId(r);
  }
  // Every (key, versions to copy) of a whole scan in steps of `page`.
  std::vector<std::pair<std::string, Ids_>> Scan(size_t page, ScanKind kind = ScanKind::kExisting) {
    std::vector<std::pair<std::string, Ids_>> out;
    std::string after;
    for (int steps = 0; steps < 100; ++steps) {
      Result<ExistingVersionsPage> p = NextExistingVersions(catalog_, bucket_, "dr", after, page, kind);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      if (!p.ok()) break;
      for (const auto& [key, versions] : p->keys) out.emplace_back(key, Ids(versions));
      if (!p->more) break;
      EXPECT_FALSE(p->keys.empty());
      after = p->keys.back().first;
    }
    return out;
  }
};

TEST_F(ExistingScanTest, StepsNeverSplitAKeyAndSkipWhatIsThere) {
  const std::string a1 = Put("a");
  const std::string a2 = Put("a");
  const std::string b1 = Put("b");
  const std::string b2 = Put("b", {"dr"});  // copied: b1 stays behind it
  const std::string b3 = Put("b");
  std::vector<std::string> c;
  for (int i = 0; i < 7; ++i) c.push_back(Put("c"));                             // more than a page
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "d", std::nullopt).status());  // a lone delete marker
  const std::vector<std::pair<std::string, Ids_>> want = {{"a", {a1, a2}}, {"b", {b3}}, {"c", c}};
  for (size_t page : {1, 2, 3, 5, 1000}) {
    const std::vector<std::pair<std::string, Ids_>> got = Scan(page);
    ASSERT_EQ(got.size(), 4u) << "page " << page;
    using Keys = std::vector<std::pair<std::string, Ids_>>;
    EXPECT_EQ(Keys(got.begin(), got.begin() + 3), want) << "page " << page;
    EXPECT_EQ(got[3].first, "d");
    EXPECT_EQ(got[3].second.size(), 1u);
  }
}

// A resync's scan lists every version of every key, oldest first, those
// recorded as copied to the destination too.
TEST_F(ExistingScanTest, AResyncListsEveryVersionAgain) {
  const std::string a1 = Put("a", {"dr"});
  const std::string a2 = Put("a", {"dr"});
  const std::string b1 = Put("b");
  const std::string b2 = Put("b", {"dr"});
  const std::vector<std::pair<std::string, Ids_>> want = {{"a", {a1, a2}}, {"b", {b1, b2}}};
  for (size_t page : {1, 3, 1000}) EXPECT_EQ(Scan(page, ScanKind::kResync), want) << "page " << page;
  EXPECT_EQ(Scan(1000), (std::vector<std::pair<std::string, Ids_>>{{"a", {}}, {"b", {}}}));
}

}  // namespace
}  // namespace confiance

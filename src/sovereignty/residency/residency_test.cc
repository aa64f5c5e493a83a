// File: sovereignty/residency/residency_test.cc
// Residency over the fake MetaStore and a PoolRouter of memory pools:
// stored rules, placement, the report, migration, and the sweeper and
// scrub-style reads across pools.
#include "sovereignty/residency/residency.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>

#include "blob/memory/memory_blob_store.h"
#include "catalog/sweeper.h"
#include "catalog/version_id.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::sovereignty {
namespace {

PoolSpec MakePool(std::string name, std::string j, std::string region, bool ct = false, bool def = false) {
  PoolSpec p;
  p.name = std::move(name);
  p.jurisdiction = std::move(j);
  p.region = std::move(region);
  p.ciphertext_only = ct;
  p.is_default = def;
  return p;
}

class ResidencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::pair<std::string, blob::BlobStore*>> stores;
    for (const char* name : {"fr-paris", "de-frankfurt", "us-east", "local"}) {
      mem_[name] = std::make_unique<blob::MemoryBlobStore>();
      stores.emplace_back(name, mem_[name].get());
    }
    ASSERT_OK_AND_ASSIGN(router_, blob::PoolRouter::Create("local", stores));
    std::vector<PoolSpec> pools = {
        MakePool("fr-paris", "FR", "eu-west-3"), MakePool("de-frankfurt", "DE", "eu-central-1"),
        MakePool("us-east", "US", "us-east-1", true), MakePool("local", "FR", "", false, true)};
    residency_ = std::make_unique<Residency>(pools, *router_, store_, catalog_);
    bucket_.name = "b";
    bucket_.id = "id-b";
    bucket_.owner = "acme";
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }

  // Writes `key` with one blob segment placed as ForWrite says (or inline).
  void Put(const std::string& key, const std::string& data, bool inline_data = false) {
    catalog::ObjectRecord r;
    r.size = data.size();
    r.op_tag = "t-" + key;
    catalog::Segment s;
    s.plain_size = data.size();
    if (inline_data) {
      s.inline_data = data;
    } else {
      ASSERT_OK_AND_ASSIGN(Residency::Placement p, residency_->ForWrite(bucket_));
      ASSERT_OK_AND_ASSIGN(auto w, p.store->NewBlob());
      ASSERT_OK(w->Append(std::as_bytes(std::span(data.data(), data.size()))));
      ASSERT_OK(w->Commit());
      s.blob_id = w->id();
    }
    r.segments.push_back(s);
    ASSERT_OK(catalog_.PutObject(bucket_, key, r).status());
  }
  std::string Read(const std::string& key) {
    auto rec = catalog_.GetObject(bucket_, key);
    EXPECT_OK(rec.status());
    if (!rec.ok()) return "";
    const catalog::Segment& s = rec->segments.at(0);
    if (s.blob_id.empty()) return s.inline_data;
    auto r = router_->Open(s.blob_id);
    EXPECT_OK(r.status());
    if (!r.ok()) return "";
    std::string out((*r)->size(), '\0');
    EXPECT_OK((*r)->ReadAt(0, std::as_writable_bytes(std::span(out))).status());
    return out;
  }
  size_t Count(const std::string& pool) {
    auto l = mem_[pool]->List("", 1000);
    return l.ok() ? l->size() : 999;
  }

  meta::MemoryMetaStore store_;
  catalog::Catalog catalog_{store_};
  std::map<std::string, std::unique_ptr<blob::MemoryBlobStore>> mem_;
  std::unique_ptr<blob::PoolRouter> router_;
  std::unique_ptr<Residency> residency_;
  catalog::BucketRecord bucket_;
};

TEST_F(ResidencyTest, RulesAreStoredAndBucketsMayOnlyNarrow) {
  ASSERT_OK_AND_ASSIGN(auto none, residency_->TenantRule("acme"));
  EXPECT_FALSE(none);
  ASSERT_OK(residency_->SetTenantRule("acme", ResidencyRule{{"EU"}, true}));
  ASSERT_OK_AND_ASSIGN(auto t, residency_->TenantRule("acme"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->jurisdictions, std::vector<std::string>{"EU"});
  EXPECT_OK(residency_->SetBucketRule(bucket_, ResidencyRule{{"DE"}, false}));
  EXPECT_STATUS_CODE(residency_->SetBucketRule(bucket_, ResidencyRule{{"DE", "CH"}, false}), kInvalidArgument);
  // The refused rule did not replace the stored one.
  ASSERT_OK_AND_ASSIGN(auto b, residency_->BucketRule(bucket_));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->jurisdictions, std::vector<std::string>{"DE"});
  ASSERT_OK_AND_ASSIGN(Residency::Placement p, residency_->ForWrite(bucket_));
  EXPECT_EQ(p.pool->name, "de-frankfurt");
  EXPECT_FALSE(p.inline_allowed);
  // A rule no pool satisfies is refused.
  EXPECT_STATUS_CODE(residency_->SetBucketRule(bucket_, ResidencyRule{{"IT"}, false}), kFailedPrecondition);
  EXPECT_OK(residency_->SetBucketRule(bucket_, std::nullopt));
  ASSERT_OK_AND_ASSIGN(p, residency_->ForWrite(bucket_));
  EXPECT_EQ(p.pool->name, "fr-paris");
}

TEST_F(ResidencyTest, NewBucketsAreCheckedAgainstTheCeiling) {
  ASSERT_OK(residency_->SetTenantRule("acme", ResidencyRule{{"FR"}, false}));
  EXPECT_OK(residency_->CheckNewBucket("acme", ""));
  EXPECT_OK(residency_->CheckNewBucket("acme", "eu-west-3"));
  EXPECT_STATUS_CODE(residency_->CheckNewBucket("acme", "eu-central-1"), kFailedPrecondition);
  EXPECT_STATUS_CODE(residency_->CheckNewBucket("acme", "us-east-1"), kFailedPrecondition);
  EXPECT_OK(residency_->CheckNewBucket("other", "us-east-1"));  // no ceiling
  ASSERT_OK(residency_->SetTenantRule("acme", ResidencyRule{{"FR"}, true}));
  EXPECT_OK(residency_->CheckNewBucket("acme", "us-east-1"));
}

TEST_F(ResidencyTest, ReportAndMigration) {
  ASSERT_OK(residency_->SetTenantRule("acme", ResidencyRule{{"EU"}, false}));
  Put("a", "alpha");
  Put("b", "bravo");
  Put("small", "tiny", /*inline_data=*/true);
  EXPECT_EQ(Count("fr-paris"), 2u);
  ASSERT_OK_AND_ASSIGN(BucketReport rep, residency_->Report(bucket_));
  EXPECT_EQ(rep.objects.size(), 3u);
  EXPECT_EQ(rep.misplaced, 0u);
  EXPECT_EQ(rep.by_pool["fr-paris"].blobs, 2u);
  EXPECT_EQ(rep.by_pool["local"].inline_segments, 1u);

  // The bucket narrows to DE: everything in FR (blobs and the inline data
  // with the metadata store) is now misplaced.
  ASSERT_OK(residency_->SetBucketRule(bucket_, ResidencyRule{{"DE"}, false}));
  ASSERT_OK_AND_ASSIGN(rep, residency_->Report(bucket_));
  EXPECT_EQ(rep.misplaced, 3u);
  nlohmann::json j = Residency::ReportJson(rep);
  EXPECT_EQ(j["summary"]["misplaced"], 3);
  EXPECT_EQ(j["summary_sha256"].get<std::string>().size(), 64u);

  ASSERT_OK_AND_ASSIGN(MigrateStats st, residency_->Migrate(bucket_));
  EXPECT_EQ(st.objects_examined, 3u);
  EXPECT_EQ(st.objects_moved, 3u);
  EXPECT_EQ(st.blobs_moved, 3u);
  EXPECT_EQ(st.failed, 0u);
  EXPECT_EQ(Count("fr-paris"), 0u);  // old blobs deleted after the commit
  EXPECT_EQ(Count("de-frankfurt"), 3u);
  EXPECT_EQ(Read("a"), "alpha");
  EXPECT_EQ(Read("b"), "bravo");
  EXPECT_EQ(Read("small"), "tiny");
  ASSERT_OK_AND_ASSIGN(rep, residency_->Report(bucket_));
  EXPECT_EQ(rep.misplaced, 0u);
  EXPECT_EQ(rep.by_pool["de-frankfurt"].blobs, 3u);
  // A second run has nothing to do.
  ASSERT_OK_AND_ASSIGN(st, residency_->Migrate(bucket_));
  EXPECT_EQ(st.objects_moved, 0u);
}

TEST_F(ResidencyTest, MigrationMovesEveryVersion) {
  ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket("b", [](catalog::BucketRecord& b) {
    b.versioning = catalog::BucketVersioning::kEnabled;
    return OkStatus();
  }));
  Put("k", "one");
  Put("k", "two");
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt).status());  // a delete marker on top
  EXPECT_EQ(Count("fr-paris"), 2u);
  ASSERT_OK(residency_->SetBucketRule(bucket_, ResidencyRule{{"DE"}, false}));
  ASSERT_OK_AND_ASSIGN(BucketReport rep, residency_->Report(bucket_));
  EXPECT_EQ(rep.objects.size(), 2u);  // markers hold no data
  EXPECT_EQ(rep.misplaced, 2u);
  ASSERT_OK_AND_ASSIGN(MigrateStats st, residency_->Migrate(bucket_));
  EXPECT_EQ(st.objects_moved, 2u);
  EXPECT_EQ(Count("fr-paris"), 0u);
  EXPECT_EQ(Count("de-frankfurt"), 2u);
  std::set<std::string> contents;
  for (const ObjectPlacement& o : rep.objects) {
    ASSERT_OK_AND_ASSIGN(catalog::ObjectRecord r, catalog_.GetObjectVersion(bucket_, "k", o.version_id));
    ASSERT_EQ(router_->PoolOf(r.segments.at(0).blob_id), "de-frankfurt");
    ASSERT_OK_AND_ASSIGN(auto reader, router_->Open(r.segments.at(0).blob_id));
    std::string out(reader->size(), '\0');
    ASSERT_OK(reader->ReadAt(0, std::as_writable_bytes(std::span(out))).status());
    contents.insert(out);
  }
  EXPECT_EQ(contents, (std::set<std::string>{"one", "two"}));
  ASSERT_OK_AND_ASSIGN(rep, residency_->Report(bucket_));
  EXPECT_EQ(rep.misplaced, 0u);
}

TEST_F(ResidencyTest, SweeperSeesEveryPool) {
  Put("kept", "x");
  ASSERT_OK_AND_ASSIGN(auto w, router_->Pool("us-east").NewBlob());
  ASSERT_OK(w->Commit());
  ASSERT_OK_AND_ASSIGN(auto w2, router_->Pool("local").NewBlob());
  ASSERT_OK(w2->Commit());
  catalog::OrphanSweeper sweeper(catalog_, *router_, 0);
  ASSERT_OK_AND_ASSIGN(catalog::SweepStats s, sweeper.SweepOnce(UINT64_MAX / 2));
  EXPECT_EQ(s.blobs_seen, 3u);
  EXPECT_EQ(s.deleted, 2u);
  EXPECT_EQ(Count("us-east"), 0u);
  EXPECT_EQ(Count("fr-paris"), 1u);
  EXPECT_EQ(Read("kept"), "x");
}

// Another process sharing the store (several gateways, docs/rados.md):
// `writer` and `reader` are two processes told of each other's changes by
// the store's notices; `unwatched` gets none.
class ResidencyNoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::pair<std::string, blob::BlobStore*>> stores = {{"local", &local_}};
    ASSERT_OK_AND_ASSIGN(router_, blob::PoolRouter::Create("local", stores));
    const std::vector<PoolSpec> pools = {MakePool("local", "FR", "", false, true)};
    writer_.emplace(pools, *router_, here_, catalog_);
    reader_.emplace(pools, *router_, there_, catalog_);
    unwatched_.emplace(pools, *router_, shared_, catalog_);
  }

  const ResidencyRule eu_{{"EU"}, false};
  const ResidencyRule fr_{{"FR"}, false};
  meta::MemoryMetaStore shared_;
  meta::testing::NoticeBus bus_;
  meta::testing::BusStore here_{shared_, bus_}, there_{shared_, bus_};
  catalog::Catalog catalog_{shared_};
  blob::MemoryBlobStore local_;
  std::unique_ptr<blob::PoolRouter> router_;
  std::optional<Residency> writer_, reader_, unwatched_;
};

// A rule narrowed elsewhere is the rule here; a process without notices
// keeps what it cached.
TEST_F(ResidencyNoticesTest, ARuleChangedElsewhereIsTheRuleHere) {
  ASSERT_OK(writer_->SetTenantRule("acme", eu_));
  for (std::optional<Residency>* r : {&reader_, &unwatched_}) {  // cached from here on
    ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> got, (*r)->TenantRule("acme"));
    EXPECT_EQ(got, eu_);
  }
  ASSERT_OK(writer_->SetTenantRule("acme", fr_));
  ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> seen, reader_->TenantRule("acme"));
  EXPECT_EQ(seen, fr_);
  ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> stale, unwatched_->TenantRule("acme"));
  EXPECT_EQ(stale, eu_);
  // An absent rule is cached too: one set elsewhere is seen.
  ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> none, reader_->TenantRule("globex"));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK(writer_->SetTenantRule("globex", fr_));
  ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> now, reader_->TenantRule("globex"));
  EXPECT_EQ(now, fr_);
}

// The fence (meta/notice_trust.h): a process whose watch went unconfirmed
// misses notices, and uses no cached rule until it hears them again.
TEST_F(ResidencyNoticesTest, AProcessThatMayHaveMissedNoticesReadsTheRuleAgain) {
  ASSERT_OK(writer_->SetTenantRule("acme", eu_));
  ASSERT_OK(reader_->TenantRule("acme").status());  // cached
  there_.Deafen();
  ASSERT_OK(writer_->SetTenantRule("acme", fr_));
  ASSERT_OK_AND_ASSIGN(std::optional<ResidencyRule> seen, reader_->TenantRule("acme"));
  EXPECT_EQ(seen, fr_);
  ASSERT_OK(writer_->SetTenantRule("acme", eu_));  // (unheard, after a read while deaf)
  there_.Hear();
  ASSERT_OK_AND_ASSIGN(seen, reader_->TenantRule("acme"));
  EXPECT_EQ(seen, eu_);
}

}  // namespace
}  // namespace confiance::sovereignty

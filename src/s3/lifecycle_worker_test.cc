// File: s3/lifecycle_worker_test.cc
// The lifecycle worker over the fake MetaStore and BlobStore, with a fake
// clock (Tick takes the time): expiry by rule, conditional deletes, bounded
// ticks resumed by a new worker (a restart), aborted uploads, and the
// events in the owner's transparency log.
#include "s3/lifecycle_worker.h"

#include <gtest/gtest.h>

#include "audit/event.h"
#include "blob/memory/memory_blob_store.h"
#include "catalog/version_id.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

constexpr int64_t kTestDay = 10000;  // a 10-second "day", as the e2e tests use
constexpr int64_t kT0 = 1000 * kTestDay + 1234;

class LifecycleWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_unique<audit::AuditLog>(log_store_, testutil::NewNoteSigner("lc.test"));
    bucket_.name = "bucket";
    bucket_.id = "b1";
    bucket_.owner = "acme";
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }

  void SetRules(std::vector<catalog::LifecycleRule> rules) {
    ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket(bucket_.name, [&](catalog::BucketRecord& b) {
      b.lifecycle = catalog::LifecycleConfiguration{rules};
      return OkStatus();
    }));
  }

  static catalog::LifecycleRule Rule(std::string id, std::string prefix, int64_t days) {
    catalog::LifecycleRule r;
    r.id = std::move(id);
    r.enabled = true;
    r.form = catalog::LifecycleFilterForm::kPrefix;
    r.filter.prefix = std::move(prefix);
    r.expiration_days = days;
    return r;
  }

  // Rule "ia": the keys under cold/ go to STANDARD_IA a day after written.
  static catalog::LifecycleRule ToStandardIa() {
    catalog::LifecycleRule r = Rule("ia", "cold/", 1);
    r.expiration_days.reset();
    r.transitions = {{1, std::nullopt, "STANDARD_IA"}};
    return r;
  }

  // An object with one blob segment (the blob exists in blobs_).
  catalog::ObjectRecord Put(const std::string& key, int64_t modified_ms, catalog::TagMap tags = {}) {
    catalog::ObjectRecord r;
    r.size = 3;
    r.etag = "e";
    r.modified_ms = static_cast<uint64_t>(modified_ms);
    r.tags = std::move(tags);
    r.op_tag = catalog::NewOpTag();
    catalog::Segment s;
    auto w = blobs_.NewBlob();
    EXPECT_TRUE(w.ok());
    EXPECT_OK((*w)->Append(std::as_bytes(std::span(std::string_view("abc")))));
    EXPECT_OK((*w)->Commit());
    s.blob_id = (*w)->id();
    s.plain_size = 3;
    r.segments.push_back(s);
    EXPECT_OK(catalog_.PutObject(bucket_, key, r));
    return r;
  }

  std::vector<std::string> Keys() {
    catalog::ListOptions opt;
    auto page = catalog_.ListObjects(bucket_, opt);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& o : page->objects) out.push_back(o.key);
    return out;
  }

  bool BlobExists(const std::string& id) { return blobs_.Open(id).ok(); }

  LifecycleWorker NewWorker(size_t per_tick = 1000) {
    return LifecycleWorker(catalog_, blobs_, store_, log_.get(), LifecycleWorkerOptions{kTestDay, per_tick});
  }

  std::vector<audit::Event> Events() {
    auto log = log_->TenantLog("acme");
    EXPECT_TRUE(log.ok());
    std::vector<audit::Event> out;
    for (uint64_t i = 0; i < (*log)->size(); ++i) {
      auto entry = (*log)->Entry(i);
      EXPECT_TRUE(entry.ok());
      auto e = audit::DecodeEvent(*entry);
      EXPECT_TRUE(e.ok());
      out.push_back(*e);
    }
    return out;
  }

  meta::MemoryMetaStore store_;
  meta::MemoryMetaStore log_store_;
  blob::MemoryBlobStore blobs_;
  catalog::Catalog catalog_{store_};
  std::unique_ptr<audit::AuditLog> log_;
  catalog::BucketRecord bucket_;
};

TEST_F(LifecycleWorkerTest, ExpiresMatchingObjectsWhenDue) {
  catalog::ObjectRecord old = Put("logs/a", kT0);
  Put("keep/a", kT0);
  SetRules({Rule("r1", "logs/", 1)});
  LifecycleWorker worker = NewWorker();
  // Due at the next "midnight" one day later: kT0 rounded up + 1 day.
  const int64_t due = (kT0 / kTestDay + 2) * kTestDay;
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(due - 1));
  EXPECT_EQ(s.expired, 0u);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"keep/a", "logs/a"}));
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(due));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_TRUE(s.pass_finished);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"keep/a"}));
  EXPECT_FALSE(BlobExists(old.segments[0].blob_id)) << "the blob is released";
  ASSERT_OK_AND_ASSIGN(catalog::Usage usage, catalog_.BucketUsage(bucket_));
  EXPECT_EQ(usage.objects, 1);
  EXPECT_EQ(usage.bytes, 3);
  std::vector<audit::Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].principal.type, "system");
  EXPECT_EQ(events[0].principal.user, "lifecycle");
  EXPECT_EQ(events[0].operation, "LifecycleExpiration");
  EXPECT_EQ(events[0].bucket, "bucket");
  EXPECT_EQ(events[0].key, "logs/a");
  EXPECT_EQ(events[0].details.at("rule"), "r1");
}

TEST_F(LifecycleWorkerTest, ExpiryInAVersionedBucketWritesADeleteMarker) {
  ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket(bucket_.name, [](catalog::BucketRecord& b) {
    b.versioning = catalog::BucketVersioning::kEnabled;
    return OkStatus();
  }));
  catalog::ObjectRecord old = Put("logs/a", kT0);
  SetRules({Rule("r1", "logs/", 1)});
  LifecycleWorker worker = NewWorker();
  const int64_t due = (kT0 / kTestDay + 2) * kTestDay;
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(due));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_TRUE(Keys().empty()) << "the key reads as deleted";
  EXPECT_TRUE(BlobExists(old.segments[0].blob_id)) << "nothing is deleted: the version became noncurrent";
  catalog::ListVersionsOptions opt;
  ASSERT_OK_AND_ASSIGN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket_, opt));
  ASSERT_EQ(page.versions.size(), 2u);
  EXPECT_TRUE(page.versions[0].record.delete_marker);
  EXPECT_TRUE(page.versions[0].is_latest);
  EXPECT_EQ(page.versions[1].record.op_tag, old.op_tag);
  // A current delete marker is not expired again.
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(due + 10 * kTestDay));
  EXPECT_EQ(s.expired, 0u);
  ASSERT_OK_AND_ASSIGN(page, catalog_.ListObjectVersions(bucket_, opt));
  EXPECT_EQ(page.versions.size(), 2u);
  ASSERT_EQ(Events().size(), 1u);
}

// The version ids of `key`, newest first.
std::vector<std::string> VersionIds(catalog::Catalog& catalog, const catalog::BucketRecord& bucket,
                                    const std::string& key) {
  catalog::ListVersionsOptions opt;
  opt.prefix = key;
  auto page = catalog.ListObjectVersions(bucket, opt);
  EXPECT_TRUE(page.ok());
  std::vector<std::string> out;
  for (const auto& v : page->versions) {
    if (v.key == key) out.push_back(catalog::ExternalVersionId(v.record));
  }
  return out;
}

class LifecycleVersionsTest : public LifecycleWorkerTest {
 protected:
  void SetUp() override {
    LifecycleWorkerTest::SetUp();
    ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket(bucket_.name, [](catalog::BucketRecord& b) {
      b.versioning = catalog::BucketVersioning::kEnabled;
      return OkStatus();
    }));
  }
  static catalog::LifecycleRule Noncurrent(std::string id, int64_t days, std::optional<int64_t> keep) {
    catalog::LifecycleRule r = Rule(std::move(id), "", 0);
    r.expiration_days.reset();
    r.noncurrent_days = days;
    r.newer_noncurrent_versions = keep;
    return r;
  }
  // Four versions of "k", a day apart: v[3] is current.
  std::vector<catalog::ObjectRecord> FourVersions() {
    std::vector<catalog::ObjectRecord> v;
    for (int i = 0; i < 4; ++i) v.push_back(Put("k", kT0 + i * kTestDay));
    std::vector<std::string> ids = VersionIds(catalog_, bucket_, "k");
    EXPECT_EQ(ids.size(), 4u);
    for (size_t i = 0; i < v.size() && i < ids.size(); ++i) v[3 - i].version_id = ids[i];
    return v;
  }
};

TEST_F(LifecycleVersionsTest, NoncurrentVersionsExpireSparingTheNewest) {
  std::vector<catalog::ObjectRecord> v = FourVersions();
  SetRules({Noncurrent("nc", 1, 1)});
  LifecycleWorker worker = NewWorker();
  // v[0] became noncurrent when v[1] was written (kT0 + 1 day): due one
  // day later, rounded up to "midnight".
  const int64_t v0_due = ((kT0 + kTestDay) / kTestDay + 2) * kTestDay;
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(v0_due - 1));
  EXPECT_EQ(s.expired, 0u);
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(v0_due));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_EQ(VersionIds(catalog_, bucket_, "k"),
            (std::vector<std::string>{v[3].version_id, v[2].version_id, v[1].version_id}));
  EXPECT_FALSE(BlobExists(v[0].segments[0].blob_id));
  // Much later: v[1] goes too; v[2], the newest noncurrent, is spared
  // (NewerNoncurrentVersions 1) and the current one is never touched.
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(kT0 + 100 * kTestDay));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_EQ(VersionIds(catalog_, bucket_, "k"), (std::vector<std::string>{v[3].version_id, v[2].version_id}));
  EXPECT_FALSE(BlobExists(v[1].segments[0].blob_id));
  EXPECT_TRUE(BlobExists(v[2].segments[0].blob_id));
  std::vector<audit::Event> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].version_id, v[0].version_id);
  EXPECT_EQ(events[1].version_id, v[1].version_id);
  EXPECT_EQ(events[1].details.at("rule"), "nc");
}

TEST_F(LifecycleVersionsTest, LockedVersionsAreNeverExpired) {
  std::vector<catalog::ObjectRecord> v = FourVersions();
  // v[0]: legal hold; v[1]: COMPLIANCE until far in the future (both by
  // the tick's clock and by the system clock the catalog checks).
  ASSERT_OK(catalog_.UpdateObjectVersion(bucket_, "k", v[0].version_id, [](catalog::ObjectRecord& r) {
    r.legal_hold = true;
    return OkStatus();
  }).status());
  ASSERT_OK(catalog_.UpdateObjectVersion(bucket_, "k", v[1].version_id, [](catalog::ObjectRecord& r) {
    r.lock_mode = catalog::LockMode::kCompliance;
    r.lock_until_ms = 4'000'000'000'000;  // year 2096
    return OkStatus();
  }).status());
  SetRules({Noncurrent("nc", 1, std::nullopt)});
  LifecycleWorker worker = NewWorker();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0 + 100 * kTestDay));
  EXPECT_EQ(s.expired, 1u);  // v[2] only
  EXPECT_EQ(s.locked, 2u);
  EXPECT_EQ(VersionIds(catalog_, bucket_, "k"),
            (std::vector<std::string>{v[3].version_id, v[1].version_id, v[0].version_id}));
  EXPECT_TRUE(BlobExists(v[0].segments[0].blob_id));
  // The catalog refuses it too, whoever skips the worker's check.
  ASSERT_OK_AND_ASSIGN(catalog::ObjectRecord held, catalog_.GetObjectVersion(bucket_, "k", v[0].version_id, false));
  Result<catalog::DeleteOutcome> forced =
      catalog_.ExpireVersionIfUnchanged(bucket_, "k", v[0].version_id, held.op_tag);
  EXPECT_EQ(forced.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(LifecycleVersionsTest, BoundedVersionTicksResumeAfterARestart) {
  std::vector<catalog::ObjectRecord> v = FourVersions();
  Put("l", kT0);  // a single current version: nothing to do
  SetRules({Noncurrent("nc", 1, std::nullopt)});
  const int64_t later = kT0 + 100 * kTestDay;
  uint64_t expired = 0;
  bool finished = false;
  for (int tick = 0; tick < 10 && !finished; ++tick) {
    LifecycleWorker worker = NewWorker(1);  // a restart before every tick
    ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(later));
    EXPECT_LE(s.examined, 1u);
    expired += s.expired;
    finished = s.pass_finished;
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(expired, 3u);
  EXPECT_EQ(VersionIds(catalog_, bucket_, "k"), (std::vector<std::string>{v[3].version_id}));
  EXPECT_EQ(VersionIds(catalog_, bucket_, "l").size(), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(BlobExists(v[i].segments[0].blob_id));
}

TEST_F(LifecycleVersionsTest, OnlyLoneDeleteMarkersExpire) {
  catalog::ObjectRecord m = Put("m", kT0);
  Put("n", kT0);
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "m", std::nullopt));
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "n", std::nullopt));
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "m", VersionIds(catalog_, bucket_, "m")[1]));
  ASSERT_EQ(VersionIds(catalog_, bucket_, "m").size(), 1u) << "m: a lone delete marker";
  catalog::LifecycleRule markers = Rule("markers", "", 0);
  markers.expiration_days.reset();
  markers.expired_object_delete_marker = true;
  SetRules({markers});
  LifecycleWorker worker = NewWorker();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0 + kTestDay));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_TRUE(VersionIds(catalog_, bucket_, "m").empty());
  EXPECT_EQ(VersionIds(catalog_, bucket_, "n").size(), 2u) << "a marker with a version behind it stays";
  // The catalog refuses the same removal of a marker that is not alone.
  catalog::ListVersionsOptions opt;
  ASSERT_OK_AND_ASSIGN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket_, opt));
  ASSERT_TRUE(page.versions[0].record.delete_marker);
  EXPECT_STATUS_CODE(catalog_.ExpireVersionIfUnchanged(bucket_, "n", catalog::ExternalVersionId(page.versions[0].record),
                                                       page.versions[0].record.op_tag),
                     kFailedPrecondition);
  EXPECT_STATUS_CODE(catalog_.ExpireVersionIfUnchanged(bucket_, "n", catalog::ExternalVersionId(page.versions[1].record),
                                                       "another-op-tag"),
                     kFailedPrecondition);
}

TEST_F(LifecycleWorkerTest, DisabledRulesAndOtherFiltersDoNothing) {
  Put("a", kT0, {{"t", "1"}});
  Put("b", kT0, {{"t", "2"}});
  catalog::LifecycleRule disabled = Rule("off", "", 1);
  disabled.enabled = false;
  catalog::LifecycleRule tagged = Rule("tag", "", 1);
  tagged.filter.tags = {{"t", "2"}};
  SetRules({disabled, tagged});
  LifecycleWorker worker = NewWorker();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0 + 100 * kTestDay));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"a"}));
}

// The outcomes told for bucket notifications: a removal, then in a
// versioned bucket a delete marker with its version id, each under the
// index of its log entry.
TEST_F(LifecycleWorkerTest, TellsEachExpirysOutcomeUnderItsLogIndex) {
  LifecycleOutcomes outcomes;
  LifecycleWorkerOptions options{kTestDay, 1000};
  options.outcomes = &outcomes;
  LifecycleWorker worker(catalog_, blobs_, store_, log_.get(), options);
  Put("logs/a", kT0);
  SetRules({Rule("r1", "logs/", 1)});
  const int64_t due = (kT0 / kTestDay + 2) * kTestDay;
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(due));
  ASSERT_EQ(s.expired, 1u);
  ASSERT_EQ(Events().size(), 1u);
  EXPECT_EQ(outcomes.Of("acme", 0).kind, LifecycleOutcomes::Kind::kRemoved);
  EXPECT_EQ(outcomes.Of("acme", 1).kind, LifecycleOutcomes::Kind::kUnknown);
  EXPECT_EQ(outcomes.Of("other", 0).kind, LifecycleOutcomes::Kind::kUnknown);

  ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket(bucket_.name, [](catalog::BucketRecord& b) {
    b.versioning = catalog::BucketVersioning::kEnabled;
    return OkStatus();
  }));
  Put("logs/b", kT0);
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(due + 5 * kTestDay));
  ASSERT_EQ(s.expired, 1u);
  const LifecycleOutcomes::Outcome marker = outcomes.Of("acme", 1);
  EXPECT_EQ(marker.kind, LifecycleOutcomes::Kind::kMarkerCreated);
  catalog::ListVersionsOptions opt;
  ASSERT_OK_AND_ASSIGN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket_, opt));
  ASSERT_FALSE(page.versions.empty());
  EXPECT_TRUE(page.versions[0].record.delete_marker);
  EXPECT_EQ(marker.version_id, catalog::ExternalVersionId(page.versions[0].record));
}

TEST(LifecycleOutcomesTest, PendingWhileInFlightThenTheOutcome) {
  LifecycleOutcomes o;
  o.Begin("acme");
  // Before its index is known, any entry of the tenant may be it.
  EXPECT_EQ(o.Of("acme", 7).kind, LifecycleOutcomes::Kind::kPending);
  EXPECT_EQ(o.Of("globex", 7).kind, LifecycleOutcomes::Kind::kUnknown);
  o.Logged(7);
  EXPECT_EQ(o.Of("acme", 7).kind, LifecycleOutcomes::Kind::kPending);
  EXPECT_EQ(o.Of("acme", 6).kind, LifecycleOutcomes::Kind::kUnknown);
  o.End({LifecycleOutcomes::Kind::kRemoved, "v1"});
  EXPECT_EQ(o.Of("acme", 7).kind, LifecycleOutcomes::Kind::kRemoved);
  EXPECT_EQ(o.Of("acme", 7).version_id, "v1");
  // An append that failed (no index) leaves nothing behind.
  o.Begin("acme");
  o.End({LifecycleOutcomes::Kind::kRemoved, ""});
  EXPECT_EQ(o.Of("acme", 8).kind, LifecycleOutcomes::Kind::kUnknown);
  // The oldest outcomes are forgotten past kRemembered.
  for (uint64_t i = 100; i < 100 + LifecycleOutcomes::kRemembered; ++i) {
    o.Begin("acme");
    o.Logged(i);
    o.End({LifecycleOutcomes::Kind::kKept, ""});
  }
  EXPECT_EQ(o.Of("acme", 7).kind, LifecycleOutcomes::Kind::kUnknown);
  EXPECT_EQ(o.Of("acme", 100).kind, LifecycleOutcomes::Kind::kKept);
}

TEST_F(LifecycleWorkerTest, DeleteIsConditionalOnTheEvaluatedRecord) {
  catalog::ObjectRecord first = Put("k", kT0);
  catalog::ObjectRecord second = Put("k", kT0);  // overwritten after "evaluation" of `first`
  EXPECT_STATUS_CODE(catalog_.DeleteObjectIfUnchanged(bucket_, "k", first.op_tag), kFailedPrecondition);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"k"}));
  ASSERT_OK(catalog_.UpdateObject(bucket_, "k", [](catalog::ObjectRecord& r) {
    r.tags["x"] = "y";
    return OkStatus();
  }));
  EXPECT_STATUS_CODE(catalog_.DeleteObjectIfUnchanged(bucket_, "k", second.op_tag), kFailedPrecondition)
      << "a re-tagged object is a new record too";
  ASSERT_OK_AND_ASSIGN(catalog::ObjectRecord current, catalog_.GetObject(bucket_, "k", false));
  ASSERT_OK(catalog_.DeleteObjectIfUnchanged(bucket_, "k", current.op_tag));
  EXPECT_TRUE(Keys().empty());
  EXPECT_STATUS_CODE(catalog_.DeleteObjectIfUnchanged(bucket_, "k", current.op_tag), kFailedPrecondition);
}

TEST_F(LifecycleWorkerTest, BoundedTicksResumeAfterARestart) {
  for (int i = 0; i < 5; ++i) Put("k" + std::to_string(i), kT0);
  SetRules({Rule("all", "", 1)});
  const int64_t later = kT0 + 10 * kTestDay;
  {
    LifecycleWorker worker = NewWorker(2);
    ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(later));
    EXPECT_EQ(s.examined, 2u);
    EXPECT_EQ(s.expired, 2u);
    EXPECT_FALSE(s.pass_finished);
  }
  EXPECT_EQ(Keys(), (std::vector<std::string>{"k2", "k3", "k4"}));
  // A new worker (a restarted server) continues from the stored cursor.
  LifecycleWorker worker = NewWorker(2);
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(later));
  EXPECT_EQ(s.examined, 2u);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"k4"}));
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(later));
  EXPECT_EQ(s.expired, 1u);
  EXPECT_TRUE(s.pass_finished);
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(Events().size(), 5u);
}

// Two workers on one store (gateways sharing the metadata, one after the
// other as the worker lease passes): each tick goes on from the stored
// cursor, wherever the other left it, not from its own.
TEST_F(LifecycleWorkerTest, EachTickGoesOnFromTheStoredCursor) {
  for (int i = 0; i < 6; ++i) Put("k" + std::to_string(i), kT0);
  SetRules({Rule("all", "", 100)});  // examined, never due here
  LifecycleWorker a = NewWorker(2);
  LifecycleWorker b = NewWorker(2);
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, a.Tick(kT0));  // k0 k1
  EXPECT_EQ(s.examined, 2u);
  ASSERT_OK_AND_ASSIGN(s, b.Tick(kT0));  // k2 k3
  EXPECT_EQ(s.examined, 2u);
  ASSERT_OK_AND_ASSIGN(s, b.Tick(kT0));  // k4 k5
  EXPECT_EQ(s.examined, 2u);
  EXPECT_FALSE(s.pass_finished);
  // a's own cursor was after k1; the stored one is after k5.
  ASSERT_OK_AND_ASSIGN(s, a.Tick(kT0));
  EXPECT_EQ(s.examined, 0u);
  EXPECT_TRUE(s.pass_finished);
}

// A store on which another process moves the lifecycle cursor right after
// this one read it (two gateways ticking at once: one stalled past its
// lease).
class CursorRacingStore final : public meta::ForwardingMetaStore {
 public:
  CursorRacingStore(meta::MetaStore& base, std::string other_cursor)
      : ForwardingMetaStore(base), base_(base), other_(std::move(other_cursor)) {}
  Result<std::optional<std::string>> Get(std::string_view partition, std::string_view key) override {
    Result<std::optional<std::string>> v = base_.Get(partition, key);
    if (partition == "lifecycle" && key == "cursor") {
      EXPECT_OK(base_.Apply(partition, meta::Batch().Put("cursor", other_)));
    }
    return v;
  }

 private:
  meta::MetaStore& base_;
  const std::string other_;
};

TEST_F(LifecycleWorkerTest, ACursorMovedByAnotherProcessMeanwhileStands) {
  for (int i = 0; i < 4; ++i) Put("k" + std::to_string(i), kT0);
  SetRules({Rule("all", "", 100)});
  const std::string other = R"({"v":1,"bucket":"bucket","key":"k3"})";
  CursorRacingStore racing(store_, other);
  LifecycleWorker worker(catalog_, blobs_, racing, log_.get(), LifecycleWorkerOptions{kTestDay, 2});
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0));
  EXPECT_EQ(s.examined, 2u);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> stored, store_.Get("lifecycle", "cursor"));
  EXPECT_EQ(stored, other);  // its write lost the compare-and-set; the other's stands
}

TEST_F(LifecycleWorkerTest, AbortsOldUploadsAndReleasesTheirParts) {
  catalog::UploadRecord old_up;
  old_up.upload_id = "u1";
  old_up.key = "tmp/a";
  old_up.initiated_ms = static_cast<uint64_t>(kT0);
  catalog::UploadRecord other = old_up;
  other.upload_id = "u2";
  other.key = "keep/a";
  ASSERT_OK(catalog_.CreateUpload(bucket_, old_up));
  ASSERT_OK(catalog_.CreateUpload(bucket_, other));
  catalog::ObjectRecord holder = Put("x", kT0);  // borrow a blob for the part
  catalog::PartRecord part;
  part.part_number = 1;
  part.segment = holder.segments[0];
  ASSERT_OK(catalog_.PutPart("u1", part));
  ASSERT_OK(catalog_.DeleteObject(bucket_, "x"));
  catalog::LifecycleRule abort;
  abort.id = "abort";
  abort.enabled = true;
  abort.filter.prefix = "tmp/";
  abort.abort_days_after_initiation = 2;
  SetRules({abort});
  LifecycleWorker worker = NewWorker();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0 + kTestDay));
  EXPECT_EQ(s.aborted, 0u);
  ASSERT_OK_AND_ASSIGN(s, worker.Tick(kT0 + 3 * kTestDay));
  EXPECT_EQ(s.aborted, 1u);
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "tmp/a", "u1"), kNotFound);
  ASSERT_OK(catalog_.GetUpload(bucket_, "keep/a", "u2"));
  EXPECT_FALSE(BlobExists(part.segment.blob_id));
  std::vector<audit::Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].operation, "LifecycleAbortMultipartUpload");
  EXPECT_EQ(events[0].details.at("upload_id"), "u1");
}

TEST_F(LifecycleWorkerTest, BucketsWithoutConfigurationAreSkipped) {
  Put("a", kT0);
  LifecycleWorker worker = NewWorker();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats s, worker.Tick(kT0 + 100 * kTestDay));
  EXPECT_EQ(s.examined, 0u);
  EXPECT_TRUE(s.pass_finished);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"a"}));
}

// Transitions go through the mover the options name (in the server,
// sovereignty::Residency::MoveToStorageClass), logged first, never for an
// object expired now or already in the class.
TEST_F(LifecycleWorkerTest, TransitionsMoveDueObjectsLoggedFirst) {
  const catalog::ObjectRecord cold = Put("cold/a", kT0);
  Put("cold/gone", kT0);
  Put("warm/a", kT0);
  catalog::LifecycleRule expire_gone = Rule("gone", "cold/gone", 1);
  SetRules({expire_gone, ToStandardIa()});
  struct Call {
    std::string key, op_tag, storage_class;
    size_t events_before;
  };
  std::vector<Call> calls;
  LifecycleWorkerOptions options{kTestDay, 1000};
  options.transition = [&](const catalog::BucketRecord& bucket, const std::string& key, const std::string& version_id,
                           std::string_view op_tag, std::string_view storage_class,
                           const std::function<Status()>& before_move) -> Result<bool> {
    EXPECT_EQ(bucket.name, "bucket");
    EXPECT_EQ(version_id, "");
    RETURN_IF_ERROR(before_move());
    calls.push_back({key, std::string(op_tag), std::string(storage_class), Events().size()});
    return true;
  };
  LifecycleWorker worker(catalog_, blobs_, store_, log_.get(), options);
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats before, worker.Tick(kT0 + kTestDay / 2));
  EXPECT_EQ(before.transitioned, 0u);
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats st, worker.Tick(kT0 + 2 * kTestDay));
  EXPECT_EQ(st.transitioned, 1u);
  EXPECT_EQ(st.expired, 1u);  // cold/gone: expired, not moved
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].key, "cold/a");
  EXPECT_EQ(calls[0].op_tag, cold.op_tag);
  EXPECT_EQ(calls[0].storage_class, "STANDARD_IA");
  const std::vector<audit::Event> events = Events();
  ASSERT_GE(calls[0].events_before, 1u);
  const audit::Event& logged = events[calls[0].events_before - 1];  // the entry made before the move
  EXPECT_EQ(logged.operation, "LifecycleTransition");
  EXPECT_EQ(logged.key, "cold/a");
  EXPECT_EQ(logged.details.at("storage_class"), "STANDARD_IA");
  EXPECT_EQ(logged.details.at("rule"), "ia");
  // An object already in the class is left alone.
  ASSERT_OK(catalog_
                .UpdateObject(bucket_, "cold/a",
                              [](catalog::ObjectRecord& r) {
                                r.storage_class = "STANDARD_IA";
                                return OkStatus();
                              })
                .status());
  ASSERT_OK_AND_ASSIGN(st, worker.Tick(kT0 + 3 * kTestDay));
  ASSERT_OK_AND_ASSIGN(st, worker.Tick(kT0 + 3 * kTestDay));
  EXPECT_EQ(calls.size(), 1u);
}

// A move whose commit finds the version changed after its entry was made
// gets a second entry saying so (412), as a refused expiry does.
TEST_F(LifecycleWorkerTest, ATransitionRefusedAtItsCommitIsLoggedTwice) {
  Put("cold/a", kT0);
  SetRules({ToStandardIa()});
  LifecycleWorkerOptions options{kTestDay, 1000};
  options.transition = [&](const catalog::BucketRecord&, const std::string&, const std::string&, std::string_view,
                           std::string_view, const std::function<Status()>& before_move) -> Result<bool> {
    RETURN_IF_ERROR(before_move());
    return false;  // the compare-and-set found another record
  };
  LifecycleWorker worker(catalog_, blobs_, store_, log_.get(), options);
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats st, worker.Tick(kT0 + 2 * kTestDay));
  EXPECT_EQ(st.transitioned, 0u);
  EXPECT_EQ(st.refused, 1u);
  std::vector<int> statuses;
  for (const audit::Event& e : Events()) {
    if (e.operation == "LifecycleTransition") statuses.push_back(e.status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 412}));
}

// A class the residency rule leaves no pool for: nothing moves, nothing is
// logged in the tenant's log, and the tick reports it for one warning.
TEST_F(LifecycleWorkerTest, ATransitionWithNowhereToGoIsCountedNotLogged) {
  Put("cold/a", kT0);
  Put("cold/b", kT0);
  SetRules({ToStandardIa()});
  LifecycleWorkerOptions options{kTestDay, 1000};
  options.transition = [&](const catalog::BucketRecord&, const std::string&, const std::string&, std::string_view,
                           std::string_view, const std::function<Status()>&) -> Result<bool> {
    return FailedPreconditionError("no storage pool of storage class STANDARD_IA satisfies the residency rule");
  };
  LifecycleWorker worker(catalog_, blobs_, store_, log_.get(), options);
  const size_t events_before = Events().size();
  ASSERT_OK_AND_ASSIGN(LifecycleTickStats st, worker.Tick(kT0 + 2 * kTestDay));
  EXPECT_EQ(st.transitioned, 0u);
  EXPECT_EQ(st.unplaceable, 2u);
  EXPECT_NE(st.unplaceable_reason.find("bucket/cold/b"), std::string::npos) << st.unplaceable_reason;
  EXPECT_EQ(Events().size(), events_before);
}

}  // namespace
}  // namespace confiance::s3

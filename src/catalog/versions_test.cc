// File: catalog/versions_test.cc
// Versioned buckets over the fake MetaStore: version chains, delete
// markers, the null version, ListObjectVersions paging, blob release and
// usage, and that current listings never read old versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <set>
#include <utility>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "common/wall_clock.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

// Counts what callers read through it.
class CountingStore final : public meta::ForwardingMetaStore {
 public:
  explicit CountingStore(meta::MetaStore& base) : ForwardingMetaStore(base) {}
  Result<std::optional<std::string>> Get(std::string_view p, std::string_view k) override {
    ++gets;
    return ForwardingMetaStore::Get(p, k);
  }
  Result<std::vector<meta::Record>> Scan(std::string_view p, const meta::ScanOptions& o) override {
    Result<std::vector<meta::Record>> r = ForwardingMetaStore::Scan(p, o);
    if (r.ok()) records_scanned += r->size();
    return r;
  }
  // Through Scan, so that what a visitor reads is counted too.
  Status ScanEach(std::string_view p, const meta::ScanOptions& o, const ScanVisitor& visit) override {
    return MetaStore::ScanEach(p, o, visit);
  }

  std::atomic<size_t> gets{0};
  std::atomic<size_t> records_scanned{0};
};

// The upload "u1" of key "k", and the one-part object its completion
// commits in `bucket` (a fresh op tag and version id each call).
UploadRecord UploadU1() {
  UploadRecord up;
  up.upload_id = "u1";
  up.key = "k";
  return up;
}

ObjectRecord CompletedU1(const BucketRecord& bucket) {
  ObjectRecord obj;
  obj.size = 4;
  obj.upload_id = "u1";
  obj.op_tag = NewOpTag();
  obj.parts_count = 1;
  StampVersion(bucket, obj);
  return obj;
}

// The bucket "race" (id `id`) of the root tenant, for the tests that race a
// Catalog over a store of their own; `upload_u1` also creates UploadU1 in it.
BucketRecord CreateRaceBucket(Catalog& catalog, std::string id, bool versioned, bool upload_u1) {
  BucketRecord bucket;
  bucket.name = "race";
  bucket.id = std::move(id);
  bucket.owner = "root";
  if (versioned) bucket.versioning = BucketVersioning::kEnabled;
  EXPECT_OK(catalog.CreateBucket(bucket));
  if (upload_u1) EXPECT_OK(catalog.CreateUpload(bucket, UploadU1()));
  return bucket;
}

class VersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "bucket";
    bucket_.id = "b1";
    bucket_.owner = "root";
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }
  void SetVersioning(BucketVersioning v) {
    ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket("bucket", [&](BucketRecord& b) {
      b.versioning = v;
      return OkStatus();
    }));
  }
  // A stamped record of `size` bytes with blob `blob`.
  ObjectRecord Stamped(uint64_t size, const std::string& blob) {
    ObjectRecord r;
    r.size = size;
    r.etag = "e" + std::to_string(size);
    Segment s;
    s.blob_id = blob;
    s.plain_size = size;
    r.segments.push_back(s);
    r.op_tag = NewOpTag();
    StampVersion(bucket_, r);
    return r;
  }
  // Commits `r` as a put of `key`; keeps what it replaced in last_removed_.
  Status Commit(const std::string& key, const ObjectRecord& r) {
    Result<std::optional<ObjectRecord>> replaced = catalog_.PutObject(bucket_, key, r);
    last_removed_ = replaced.ok() ? *replaced : std::nullopt;
    return replaced.status();
  }
  // Puts a stamped object of `size` bytes with blob `blob`; returns its S3 version id.
  std::string Put(const std::string& key, uint64_t size, const std::string& blob = "") {
    const ObjectRecord r = Stamped(size, blob);
    Status s = Commit(key, r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ExternalVersionId(r);
  }
  // Puts a replication copy of source version `source` (S3 form), as the
  // destination's PutObject stamps it; returns the put's status.
  Status PutReplica(const std::string& key, uint64_t size, const std::string& blob, const std::string& source) {
    ObjectRecord r = Stamped(size, blob);
    r.replication_status = ReplicationStatus::kReplica;
    r.replica_source_version = source;
    AdoptVersionId(bucket_, source, r);
    return Commit(key, r);
  }
  // The bucket's usage counters and a recount agree on `bytes` and `objects`.
  void ExpectUsage(int64_t bytes, int64_t objects) {
    ASSERT_OK_AND_ASSIGN(Usage u, catalog_.BucketUsage(bucket_));
    EXPECT_EQ(u.bytes, bytes);
    EXPECT_EQ(u.objects, objects);
    ASSERT_OK_AND_ASSIGN(Usage recount, catalog_.RecountBucketUsage(bucket_));
    EXPECT_EQ(recount.bytes, bytes);
    EXPECT_EQ(recount.objects, objects);
  }
  // The blobs the sweeper sees referenced.
  std::set<std::string> ReferencedBlobs() {
    std::set<std::string> marked;
    EXPECT_OK(catalog_.MarkReferencedBlobs([&](const std::string& id) { marked.insert(id); }));
    return marked;
  }
  // (key, version id, latest, marker) of a whole ListObjectVersions walk in
  // pages of `page_size`.
  struct Entry {
    std::string key, version;
    bool latest, marker;
    bool operator==(const Entry&) const = default;
    friend void PrintTo(const Entry& e, std::ostream* os) {
      *os << e.key << "@" << e.version << (e.latest ? " latest" : "") << (e.marker ? " marker" : "");
    }
  };
  std::vector<Entry> ListAll(size_t page_size, const std::string& prefix = "") {
    std::vector<Entry> out;
    ListVersionsOptions opt;
    opt.prefix = prefix;
    opt.max_keys = page_size;
    for (int pages = 0; pages < 1000; ++pages) {
      Result<VersionsPage> page = catalog_.ListObjectVersions(bucket_, opt);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->versions.size() + page->common_prefixes.size(), page_size);
      for (const ListedVersion& v : page->versions) {
        out.push_back({v.key, ExternalVersionId(v.record), v.is_latest, v.record.delete_marker});
      }
      if (!page->truncated) break;
      opt.key_marker = page->next_key_marker;
      opt.version_id_marker = page->next_version_id_marker;
    }
    return out;
  }

  meta::MemoryMetaStore base_;
  CountingStore store_{base_};
  Catalog catalog_{store_};
  BucketRecord bucket_;
  std::optional<ObjectRecord> last_removed_;
};

TEST(VersionIdTest, RoundTripsAndSortsByTime) {
  std::string prev;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewVersionId();
    ASSERT_EQ(id.size(), kVersionIdBytes);
    std::string ext = EncodeVersionId(id);
    EXPECT_EQ(ext.size(), 26u);
    EXPECT_EQ(DecodeVersionId(ext), id);
    EXPECT_LT(prev, id);
    if (!prev.empty()) {
      EXPECT_LT(EncodeVersionId(prev), ext);  // the S3 form sorts as the id
      EXPECT_LT(VersionKey("k", id), VersionKey("k", prev));  // newest first
    }
    prev = id;
  }
  EXPECT_FALSE(DecodeVersionId("null"));
  EXPECT_FALSE(DecodeVersionId("zzzzzzzzzzzzzzzzzzzzzzzzzz"));
  EXPECT_FALSE(DecodeVersionId(std::string(25, '0') + "1"));  // non-zero padding bits
  std::optional<ParsedVersionKey> parsed = ParseVersionKey(VersionKey("a/b", prev));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->key, "a/b");
  EXPECT_EQ(parsed->id, prev);
  // Version ranges of keys follow the keys' order, a prefix key first.
  EXPECT_LT(VersionKey("a", prev), VersionKey("a\x01", prev));
  EXPECT_LT(VersionKey("a\xff", prev), VersionKey("b", prev));
  EXPECT_LT(VersionKey("zzz", prev), std::string(kFirstCurrentKey));
}

TEST_F(VersionsTest, RecordsRoundTripVersionFields) {
  ObjectRecord r;
  r.version_id = NewVersionId();
  r.null_version = true;
  r.delete_marker = true;
  r.noncurrent_null_id = NewVersionId();
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, DecodeObject(EncodeObject(r)));
  EXPECT_EQ(back.version_id, r.version_id);
  EXPECT_TRUE(back.null_version);
  EXPECT_TRUE(back.delete_marker);
  EXPECT_EQ(back.noncurrent_null_id, r.noncurrent_null_id);
  ObjectRecord plain;  // an unversioned record keeps the old encoding
  EXPECT_EQ(EncodeObject(plain)[1], 4);
  bucket_.versioning = BucketVersioning::kSuspended;
  ASSERT_OK_AND_ASSIGN(BucketRecord b, DecodeBucket(EncodeBucket(bucket_)));
  EXPECT_EQ(b.versioning, BucketVersioning::kSuspended);
}

TEST_F(VersionsTest, PutKeepsEveryVersionAndReleasesNothing) {
  SetVersioning(BucketVersioning::kEnabled);
  std::string v1 = Put("k", 1, "blob1");
  std::string v2 = Put("k", 2, "blob2");
  EXPECT_FALSE(last_removed_);
  std::string v3 = Put("k", 3, "blob3");
  EXPECT_FALSE(last_removed_);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(cur.size, 3u);
  ASSERT_OK_AND_ASSIGN(ObjectRecord old, catalog_.GetObjectVersion(bucket_, "k", v1));
  EXPECT_EQ(old.size, 1u);
  EXPECT_EQ(old.segments[0].blob_id, "blob1");
  ASSERT_OK_AND_ASSIGN(ObjectRecord mid, catalog_.GetObjectVersion(bucket_, "k", v2));
  EXPECT_EQ(mid.size, 2u);
  EXPECT_STATUS_CODE(catalog_.GetObjectVersion(bucket_, "k", "null"), kNotFound);
  EXPECT_STATUS_CODE(catalog_.GetObjectVersion(bucket_, "k", "bogus"), kInvalidArgument);
  EXPECT_STATUS_CODE(catalog_.GetObjectVersion(bucket_, "k", EncodeVersionId(NewVersionId())), kNotFound);
  ExpectUsage(6, 3);
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", v3, true, false}, {"k", v2, false, false}, {"k", v1, false, false}}));
  // The sweeper sees the blobs of every version.
  EXPECT_EQ(ReferencedBlobs(), (std::set<std::string>{"blob1", "blob2", "blob3"}));
}

TEST_F(VersionsTest, DeleteMarkerHidesAndDeletingItRestores) {
  SetVersioning(BucketVersioning::kEnabled);
  std::string v1 = Put("k", 5, "blob1");
  ASSERT_OK_AND_ASSIGN(DeleteOutcome del, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt));
  EXPECT_TRUE(del.delete_marker);
  EXPECT_FALSE(del.removed);
  EXPECT_NE(del.version_id, v1);
  EXPECT_STATUS_CODE(catalog_.GetObject(bucket_, "k"), kNotFound);
  ASSERT_OK_AND_ASSIGN(ObjectRecord marker, catalog_.GetObjectVersion(bucket_, "k", ""));
  EXPECT_TRUE(marker.delete_marker);
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(bucket_, {}));
  EXPECT_TRUE(page.objects.empty());
  // The bucket still holds versions.
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kFailedPrecondition);
  EXPECT_EQ(ListAll(1), (std::vector<Entry>{{"k", del.version_id, true, true}, {"k", v1, false, false}}));
  // Deleting the marker by its id restores the object.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome undo, catalog_.DeleteObjectVersion(bucket_, "k", del.version_id));
  EXPECT_TRUE(undo.delete_marker);
  EXPECT_FALSE(undo.removed);
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(back), v1);
  ASSERT_OK_AND_ASSIGN(page, catalog_.ListObjects(bucket_, {}));
  ASSERT_EQ(page.objects.size(), 1u);
  // Deleting the last version for good releases its blob and empties the bucket.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome gone, catalog_.DeleteObjectVersion(bucket_, "k", v1));
  ASSERT_TRUE(gone.removed);
  EXPECT_EQ(gone.removed->segments[0].blob_id, "blob1");
  ASSERT_OK_AND_ASSIGN(Usage u, catalog_.BucketUsage(bucket_));
  EXPECT_EQ(u.bytes, 0);
  EXPECT_EQ(u.objects, 0);
  EXPECT_TRUE(ListAll(10).empty());
  // A version that does not exist (any more) deletes nothing, successfully.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome again, catalog_.DeleteObjectVersion(bucket_, "k", v1));
  EXPECT_FALSE(again.removed);
  EXPECT_STATUS_CODE(catalog_.DeleteObjectVersion(bucket_, "k", std::string_view("nope")), kInvalidArgument);
  ASSERT_OK(catalog_.DeleteBucket(bucket_));
}

// A replication copy of a delete marker is a REPLICA naming the source's.
TEST_F(VersionsTest, AReplicaDeleteMarkerNamesItsSource) {
  SetVersioning(BucketVersioning::kEnabled);
  Put("k", 5, "blob1");
  ASSERT_OK_AND_ASSIGN(DeleteOutcome own, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt));
  ASSERT_OK_AND_ASSIGN(ObjectRecord own_marker, catalog_.GetObjectVersion(bucket_, "k", own.version_id));
  EXPECT_EQ(own_marker.replication_status, ReplicationStatus::kNone);
  ASSERT_OK_AND_ASSIGN(DeleteOutcome copied,
                       catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt, {}, meta::Durability::kSynced,
                                                    std::string_view("source-marker-id")));
  ASSERT_TRUE(copied.delete_marker);
  ASSERT_OK_AND_ASSIGN(ObjectRecord marker, catalog_.GetObjectVersion(bucket_, "k", ""));
  EXPECT_TRUE(marker.delete_marker);
  EXPECT_EQ(marker.replication_status, ReplicationStatus::kReplica);
  EXPECT_EQ(marker.replica_source_version, "source-marker-id");
  // A source marker's id in this format is the copy's id too.
  const std::string source = EncodeVersionId(NewVersionId());
  ASSERT_OK_AND_ASSIGN(copied, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt, {}, meta::Durability::kSynced,
                                                            std::string_view(source)));
  EXPECT_EQ(copied.version_id, source);
  ASSERT_OK_AND_ASSIGN(marker, catalog_.GetObjectVersion(bucket_, "k", source));
  EXPECT_TRUE(marker.delete_marker);
}

TEST(AdoptVersionIdTest, OnlyAnIdOfThisFormatNotTooFarAheadInAnEnabledBucket) {
  BucketRecord enabled;
  enabled.versioning = BucketVersioning::kEnabled;
  const std::string source = EncodeVersionId(NewVersionId());
  ObjectRecord r;
  ASSERT_TRUE(AdoptVersionId(enabled, source, r));
  EXPECT_EQ(ExternalVersionId(r), source);
  for (BucketVersioning v : {BucketVersioning::kUnversioned, BucketVersioning::kSuspended}) {
    BucketRecord other;
    other.versioning = v;
    ObjectRecord o;
    EXPECT_FALSE(AdoptVersionId(other, source, o));
    EXPECT_TRUE(o.version_id.empty());
  }
  ObjectRecord n;
  EXPECT_FALSE(AdoptVersionId(enabled, "null", n));
  EXPECT_FALSE(AdoptVersionId(enabled, "not-an-id", n));
  // An id from a clock far ahead would drag this server's ids along.
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto id_at = [](uint64_t us) {
    std::string id;
    for (int i = 7; i >= 0; --i) id.push_back(static_cast<char>((us >> (8 * i)) & 0xff));
    id.append(8, '\x01');
    return EncodeVersionId(id);
  };
  const uint64_t far = now_us + std::chrono::microseconds(kMaxAdoptedVersionSkew).count() + 60'000'000;
  EXPECT_FALSE(AdoptVersionId(enabled, id_at(far), n));
  // One a little ahead is taken, and this server's next ids sort after it.
  const std::string ahead = id_at(now_us + 30'000'000);
  ObjectRecord a;
  ASSERT_TRUE(AdoptVersionId(enabled, ahead, a));
  EXPECT_GT(NewVersionId(), a.version_id);
}

// Replication keeps the source's version ids: a copy that arrives after a
// newer write of the key goes in as noncurrent, and the same copy sent
// again replaces itself, once.
TEST_F(VersionsTest, AReplicaTakesItsSourceVersionIdInOrder) {
  SetVersioning(BucketVersioning::kEnabled);
  const std::string older = EncodeVersionId(NewVersionId());
  const std::string local = Put("k", 2, "local");
  const std::string newer = EncodeVersionId(NewVersionId());
  ASSERT_OK(PutReplica("k", 3, "newer", newer));
  EXPECT_FALSE(last_removed_);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), newer);
  ASSERT_OK(PutReplica("k", 1, "older", older));
  EXPECT_FALSE(last_removed_);
  ASSERT_OK_AND_ASSIGN(cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), newer);
  EXPECT_EQ(ListAll(1000),
            (std::vector<Entry>{{"k", newer, true, false}, {"k", local, false, false}, {"k", older, false, false}}));
  ASSERT_OK_AND_ASSIGN(ObjectRecord old_one, catalog_.GetObjectVersion(bucket_, "k", older));
  EXPECT_EQ(old_one.segments[0].blob_id, "older");
  // Each copy again: kept out, its own blob released, the held copy kept.
  ASSERT_OK(PutReplica("k", 3, "newer-again", newer));
  ASSERT_TRUE(last_removed_);
  EXPECT_EQ(last_removed_->segments[0].blob_id, "newer-again");
  ASSERT_OK(PutReplica("k", 1, "older-again", older));
  ASSERT_TRUE(last_removed_);
  EXPECT_EQ(last_removed_->segments[0].blob_id, "older-again");
  EXPECT_EQ(ListAll(1000).size(), 3u);
  ExpectUsage(6, 3);
  EXPECT_EQ(ReferencedBlobs(), (std::set<std::string>{"local", "newer", "older"}));
}

// A multipart copy of a version the key holds already is kept out whole:
// the completion answers the held version's id and every part of its
// upload is unused (released), none left referenced.
TEST_F(VersionsTest, AMultipartReplicaSentAgainReleasesItsParts) {
  SetVersioning(BucketVersioning::kEnabled);
  const std::string source = EncodeVersionId(NewVersionId());
  ASSERT_OK(PutReplica("k", 4, "first-copy", source));
  const UploadRecord up = UploadU1();
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  PartRecord part;
  part.part_number = 1;
  part.segment.blob_id = "part1";
  part.segment.plain_size = 4;
  ASSERT_OK(catalog_.PutPart(up.upload_id, part).status());
  ObjectRecord again = CompletedU1(bucket_);
  again.segments = {part.segment};
  again.replication_status = ReplicationStatus::kReplica;
  again.replica_source_version = source;
  ASSERT_TRUE(AdoptVersionId(bucket_, source, again));
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, up, again));
  EXPECT_EQ(done.version_id, source);
  EXPECT_FALSE(done.replaced);
  ASSERT_EQ(done.unused_parts.size(), 1u);
  EXPECT_EQ(done.unused_parts[0].segment.blob_id, "part1");
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(cur.segments[0].blob_id, "first-copy");
  EXPECT_EQ(ListAll(100).size(), 1u);
}

// An id names one version for good: a replica may not take the place of a
// version that is not a copy of the same source version.
TEST_F(VersionsTest, AReplicaCannotTakeTheIdOfAnotherVersion) {
  SetVersioning(BucketVersioning::kEnabled);
  const std::string local = Put("k", 2, "local");
  Status taken = PutReplica("k", 9, "forged", local);
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  EXPECT_TRUE(taken.message().starts_with(kVersionIdInUse)) << taken.ToString();
  ASSERT_OK_AND_ASSIGN(ObjectRecord kept, catalog_.GetObjectVersion(bucket_, "k", local));
  EXPECT_EQ(kept.segments[0].blob_id, "local");
  // Nor that of a delete marker's copy (the same source id, another kind).
  const std::string source = EncodeVersionId(NewVersionId());
  ASSERT_OK(
      catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt, {}, meta::Durability::kSynced, std::string_view(source))
          .status());
  EXPECT_EQ(PutReplica("k", 1, "not-a-marker", source).code(), StatusCode::kAlreadyExists);
}

TEST_F(VersionsTest, DeletingTheCurrentVersionPromotesTheNewestOld) {
  SetVersioning(BucketVersioning::kEnabled);
  std::string v1 = Put("k", 1, "b1");
  std::string v2 = Put("k", 2, "b2");
  std::string v3 = Put("k", 3, "b3");
  // A well-formed id that is no version of the key: nothing deleted, OK.
  const std::string unknown = EncodeVersionId(NewVersionId());
  ASSERT_OK_AND_ASSIGN(DeleteOutcome none, catalog_.DeleteObjectVersion(bucket_, "k", unknown));
  EXPECT_FALSE(none.removed);
  ASSERT_OK_AND_ASSIGN(DeleteOutcome no_null, catalog_.DeleteObjectVersion(bucket_, "k", std::string_view("null")));
  EXPECT_FALSE(no_null.removed);
  EXPECT_EQ(ListAll(1000).size(), 3u);
  ASSERT_OK_AND_ASSIGN(DeleteOutcome mid, catalog_.DeleteObjectVersion(bucket_, "k", v2));
  ASSERT_TRUE(mid.removed);
  EXPECT_EQ(mid.removed->segments[0].blob_id, "b2");
  ASSERT_OK_AND_ASSIGN(DeleteOutcome top, catalog_.DeleteObjectVersion(bucket_, "k", v3));
  ASSERT_TRUE(top.removed);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), v1);
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", v1, true, false}}));
}

TEST_F(VersionsTest, AWriteThatLostARaceBetweenStampAndCommitGoesInAsNoncurrent) {
  SetVersioning(BucketVersioning::kEnabled);
  const ObjectRecord early = Stamped(1, "early");  // stamped first ...
  const std::string later = Put("k", 2, "later");
  ASSERT_OK(Commit("k", early));  // ... committed last
  EXPECT_EQ(last_removed_, std::nullopt);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), later);
  EXPECT_EQ(ListAll(1000),
            (std::vector<Entry>{{"k", later, true, false}, {"k", ExternalVersionId(early), false, false}}));
  ExpectUsage(3, 2);
  // A delete marker too: the write stamped after it stays current.
  ObjectRecord marker = NewDeleteMarker(bucket_);
  const std::string newest = Put("k", 4, "newest");
  ASSERT_OK(Commit("k", marker));
  ASSERT_OK_AND_ASSIGN(cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), newest);
  EXPECT_EQ(ListAll(1000).size(), 4u);
}

TEST_F(VersionsTest, AWriteThatReadTheBucketBeforeVersioningWasEnabledDestroysNoVersion) {
  // A PUT and a DELETE read the bucket record before versioning was
  // enabled and commit after a versioned write of their key: as writes of
  // an unversioned bucket they would replace or delete that version for
  // good. They are refused instead (a retry reads the bucket again).
  const BucketRecord before = bucket_;
  ObjectRecord stale = Stamped(1, "stale");
  SetVersioning(BucketVersioning::kEnabled);
  const std::string v1 = Put("k", 2, "v1");
  EXPECT_STATUS_CODE(catalog_.PutObject(before, "k", stale), kAborted);
  std::promise<Result<std::optional<ObjectRecord>>> put_done;
  catalog_.PutObjectIfAsync(before, "k", stale, Catalog::PutCondition{},
                            [&](Result<std::optional<ObjectRecord>> r) { put_done.set_value(std::move(r)); });
  EXPECT_STATUS_CODE(put_done.get_future().get(), kAborted);
  EXPECT_STATUS_CODE(catalog_.DeleteObject(before, "k"), kAborted);
  std::promise<Result<std::optional<ObjectRecord>>> delete_done;
  catalog_.DeleteObjectAsync(before, "k",
                             [&](Result<std::optional<ObjectRecord>> r) { delete_done.set_value(std::move(r)); });
  EXPECT_STATUS_CODE(delete_done.get_future().get(), kAborted);
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", v1, true, false}}));
  EXPECT_TRUE(ReferencedBlobs().contains("v1"));
  ExpectUsage(2, 1);
  // A key written before versioning was enabled holds no version id: such
  // a write goes in as if it came just before the change (S3's null version).
  ASSERT_OK(catalog_.PutObject(before, "fresh", stale));
}

TEST_F(VersionsTest, AnIdFromAClockSetBackIsNoRaceAndCommitOrderDecides) {
  SetVersioning(BucketVersioning::kEnabled);
  const std::string first = Put("k", 1, "first");
  ObjectRecord after_reset = Stamped(2, "after-reset");
  after_reset.version_id = LegacyVersionId(UnixMillisNow() - 5000);  // made 5 s before the current one
  ASSERT_OK(Commit("k", after_reset));
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), ExternalVersionId(after_reset));
  ExpectUsage(3, 2);
}

TEST_F(VersionsTest, NullVersionBeforeAndWhileSuspended) {
  std::string legacy = Put("k", 10, "legacy");  // never versioned yet
  EXPECT_EQ(legacy, "null");
  SetVersioning(BucketVersioning::kEnabled);
  std::string v1 = Put("k", 1, "b1");
  EXPECT_FALSE(last_removed_);
  ASSERT_OK_AND_ASSIGN(ObjectRecord null_rec, catalog_.GetObjectVersion(bucket_, "k", "null"));
  EXPECT_EQ(null_rec.size, 10u);
  SetVersioning(BucketVersioning::kSuspended);
  // A suspended PUT replaces the (noncurrent) null version for good.
  EXPECT_EQ(Put("k", 20, "b20"), "null");
  ASSERT_TRUE(last_removed_);
  EXPECT_EQ(last_removed_->segments[0].blob_id, "legacy");
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", "null", true, false}, {"k", v1, false, false}}));
  // And again: now the current null version goes.
  Put("k", 30, "b30");
  ASSERT_TRUE(last_removed_);
  EXPECT_EQ(last_removed_->segments[0].blob_id, "b20");
  // A suspended DELETE writes a null delete marker over the null version.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome del, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt));
  EXPECT_TRUE(del.delete_marker);
  EXPECT_EQ(del.version_id, "null");
  ASSERT_TRUE(del.removed);
  EXPECT_EQ(del.removed->segments[0].blob_id, "b30");
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", "null", true, true}, {"k", v1, false, false}}));
  // Re-enabled: a new version pushes the null marker down; deleting it by
  // "null" leaves the chain consistent.
  SetVersioning(BucketVersioning::kEnabled);
  std::string v2 = Put("k", 2, "b2");
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", v2, true, false}, {"k", "null", false, true}, {"k", v1, false, false}}));
  ASSERT_OK_AND_ASSIGN(DeleteOutcome null_del, catalog_.DeleteObjectVersion(bucket_, "k", std::string_view("null")));
  EXPECT_TRUE(null_del.delete_marker);
  EXPECT_STATUS_CODE(catalog_.GetObjectVersion(bucket_, "k", "null"), kNotFound);
  EXPECT_EQ(ListAll(1000), (std::vector<Entry>{{"k", v2, true, false}, {"k", v1, false, false}}));
  ASSERT_OK_AND_ASSIGN(Usage u, catalog_.BucketUsage(bucket_));
  ASSERT_OK_AND_ASSIGN(Usage recount, catalog_.RecountBucketUsage(bucket_));
  EXPECT_EQ(u.bytes, 3);
  EXPECT_EQ(u.bytes, recount.bytes);
  EXPECT_EQ(u.objects, recount.objects);
}

TEST_F(VersionsTest, ListObjectVersionsPagesLikeOneListing) {
  SetVersioning(BucketVersioning::kEnabled);
  for (const char* key : {"a", "b/1", "b/2", "c"}) {
    for (int i = 0; i < 3; ++i) Put(key, i + 1);
  }
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "c", std::nullopt));
  std::vector<Entry> all = ListAll(1000);
  ASSERT_EQ(all.size(), 13u);
  EXPECT_EQ(all[0].key, "a");
  EXPECT_TRUE(all[0].latest);
  EXPECT_TRUE(all[9].latest && all[9].marker);
  for (size_t page : {1, 2, 3, 5, 7}) EXPECT_EQ(ListAll(page), all) << "page size " << page;
  EXPECT_EQ(ListAll(2, "b/").size(), 6u);
  // With a delimiter, b/ rolls up into one prefix.
  ListVersionsOptions opt;
  opt.delimiter = "/";
  ASSERT_OK_AND_ASSIGN(VersionsPage page, catalog_.ListObjectVersions(bucket_, opt));
  EXPECT_EQ(page.versions.size(), 7u);
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"b/"});
  // Truncated on the prefix: the next page resumes after it.
  opt.max_keys = 4;
  ASSERT_OK_AND_ASSIGN(page, catalog_.ListObjectVersions(bucket_, opt));
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_key_marker, "b/");
  EXPECT_EQ(page.next_version_id_marker, "");
  opt.key_marker = page.next_key_marker;
  ASSERT_OK_AND_ASSIGN(page, catalog_.ListObjectVersions(bucket_, opt));
  ASSERT_EQ(page.versions.size(), 4u);
  EXPECT_EQ(page.versions[0].key, "c");
  EXPECT_FALSE(page.truncated);
}

// The acceptance test of the layout: a key with thousands of old versions
// costs a current listing nothing.
TEST_F(VersionsTest, CurrentListingDoesNotReadOldVersions) {
  SetVersioning(BucketVersioning::kEnabled);
  Put("a", 1);
  for (int i = 0; i < 3000; ++i) Put("b", 1);
  Put("c", 1);
  store_.records_scanned = 0;
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(bucket_, {}));
  EXPECT_EQ(page.objects.size(), 3u);
  EXPECT_LE(store_.records_scanned.load(), 3u);
  store_.records_scanned = 0;
  ListOptions one;
  one.max_keys = 1;
  one.start_after = "a";
  ASSERT_OK_AND_ASSIGN(page, catalog_.ListObjects(bucket_, one));
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "b");
  EXPECT_LE(store_.records_scanned.load(), 2u);
  // Getting the current one reads one record; a versions listing of one
  // page reads about a page.
  store_.gets = 0;
  store_.records_scanned = 0;
  ASSERT_OK(catalog_.GetObject(bucket_, "b"));
  EXPECT_EQ(store_.gets.load(), 1u);
  EXPECT_EQ(store_.records_scanned.load(), 0u);
  ListVersionsOptions v;
  v.max_keys = 10;
  ASSERT_OK_AND_ASSIGN(VersionsPage vp, catalog_.ListObjectVersions(bucket_, v));
  EXPECT_EQ(vp.versions.size(), 10u);
  EXPECT_LE(store_.records_scanned.load(), 30u);
  // The same in a sharded bucket's merged listing.
  ASSERT_OK_AND_ASSIGN(Usage u, catalog_.BucketUsage(bucket_));
  EXPECT_EQ(u.objects, 3002);
}

TEST_F(VersionsTest, UpdateOfOneVersionKeepsTheOthers) {
  SetVersioning(BucketVersioning::kEnabled);
  std::string v1 = Put("k", 1);
  std::string v2 = Put("k", 2);
  ASSERT_OK(catalog_.UpdateObjectVersion(bucket_, "k", v1, [](ObjectRecord& r) {
    r.tags["t"] = "old";
    return OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(ObjectRecord old, catalog_.GetObjectVersion(bucket_, "k", v1));
  EXPECT_EQ(old.tags.at("t"), "old");
  EXPECT_EQ(ExternalVersionId(old), v1);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_TRUE(cur.tags.empty());
  EXPECT_EQ(ExternalVersionId(cur), v2);
  ASSERT_OK_AND_ASSIGN(DeleteOutcome del, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt));
  EXPECT_STATUS_CODE(catalog_.UpdateObjectVersion(bucket_, "k", del.version_id, [](ObjectRecord&) { return OkStatus(); }),
                     kFailedPrecondition);
  // Replication records who holds a marker: it stays a marker, and current.
  ASSERT_OK(catalog_.UpdateObjectVersion(
      bucket_, "k", del.version_id,
      [](ObjectRecord& r) {
        r.replicated_to = {"dr"};
        return OkStatus();
      },
      meta::Durability::kSynced, Catalog::DeleteMarkers::kInclude));
  ASSERT_OK_AND_ASSIGN(ObjectRecord marker, catalog_.GetObjectVersion(bucket_, "k", del.version_id));
  EXPECT_TRUE(marker.delete_marker);
  EXPECT_EQ(marker.replicated_to, std::vector<std::string>{"dr"});
  EXPECT_STATUS_CODE(catalog_.UpdateObject(bucket_, "k", [](ObjectRecord&) { return OkStatus(); }), kNotFound);
}

TEST_F(VersionsTest, RetriedCompletionIsOneVersion) {
  SetVersioning(BucketVersioning::kEnabled);
  const UploadRecord up = UploadU1();
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  const ObjectRecord obj = CompletedU1(bucket_);
  // The first attempt's object commit lands, then it crashes before
  // removing the upload; the client retries the completion.
  ASSERT_OK(catalog_.PutObject(bucket_, "k", obj));
  ObjectRecord retry = obj;
  retry.op_tag = NewOpTag();
  StampVersion(bucket_, retry);
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, up, retry));
  EXPECT_EQ(done.version_id, ExternalVersionId(obj));
  EXPECT_EQ(ListAll(100).size(), 1u);
}

// A store that runs `after_object_commit` once, right after the first batch
// tagged `tag` lands outside the uploads partition: the completion's object
// commit, before CompleteUpload has returned.
class AfterObjectCommitStore : public meta::ForwardingMetaStore {
 public:
  AfterObjectCommitStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    Status s = ForwardingMetaStore::Apply(p, b);
    if (s.ok() && after_object_commit && b.op_tag == tag && p.rfind("u/", 0) != 0) {
      std::exchange(after_object_commit, nullptr)();
    }
    return s;
  }

  meta::MemoryMetaStore memory;
  std::string tag;
  std::function<void()> after_object_commit;
};

TEST(CompletionVersionTest, ANewerWriteRightAfterTheCommitDoesNotHideTheVersionId) {
  AfterObjectCommitStore store;
  Catalog catalog(store);
  const BucketRecord bucket = CreateRaceBucket(catalog, "b2", true, true);
  const UploadRecord up = UploadU1();
  const ObjectRecord obj = CompletedU1(bucket);
  ObjectRecord newer;
  newer.size = 9;
  newer.op_tag = NewOpTag();
  StampVersion(bucket, newer);
  store.tag = obj.op_tag;
  store.after_object_commit = [&] { ASSERT_OK(catalog.PutObject(bucket, "k", newer)); };
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog.CompleteUpload(bucket, up, obj));
  EXPECT_EQ(done.version_id, ExternalVersionId(obj));
  // The completed version is there (noncurrent now), under that id.
  ASSERT_OK_AND_ASSIGN(ObjectRecord completed, catalog.GetObjectVersion(bucket, "k", done.version_id));
  EXPECT_EQ(completed.op_tag, obj.op_tag);
  ASSERT_OK_AND_ASSIGN(ObjectRecord current, catalog.GetObject(bucket, "k"));
  EXPECT_EQ(current.op_tag, newer.op_tag);
}

// Runs `before_get` once, just before the `gets_left`-th Get from now.
class BeforeGetStore : public meta::ForwardingMetaStore {
 public:
  BeforeGetStore() : ForwardingMetaStore(memory) {}
  Result<std::optional<std::string>> Get(std::string_view p, std::string_view k) override {
    if (before_get && --gets_left == 0) std::exchange(before_get, nullptr)();
    return ForwardingMetaStore::Get(p, k);
  }

  meta::MemoryMetaStore memory;
  int gets_left = 0;
  std::function<void()> before_get;
};

// Versions v1, v2, v3 of "k" in a versioned bucket, and the deletion of v3
// (the current one, so v2 moves from its version key to the current entry)
// run between the two reads that find v2: after the current entry's, before
// v2's version key's.
class PromotedMeanwhileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_ = CreateRaceBucket(catalog_, "b3", true, false);
    for (uint64_t size : {1, 2, 3}) {
      ObjectRecord r;
      r.size = size;
      r.op_tag = NewOpTag();
      StampVersion(bucket_, r);
      ASSERT_OK(catalog_.PutObject(bucket_, "k", r).status());
      ids_.push_back(ExternalVersionId(r));
    }
    store_.gets_left = 2;
    store_.before_get = [&] { ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "k", ids_[2]).status()); };
  }

  BeforeGetStore store_;
  Catalog catalog_{store_};
  BucketRecord bucket_;
  std::vector<std::string> ids_;
};

TEST_F(PromotedMeanwhileTest, DeletingTheVersionDeletesIt) {
  ASSERT_OK_AND_ASSIGN(DeleteOutcome out, catalog_.DeleteObjectVersion(bucket_, "k", ids_[1]));
  EXPECT_EQ(store_.before_get, nullptr);  // the race ran
  ASSERT_TRUE(out.removed);
  EXPECT_EQ(out.removed->size, 2u);
  ASSERT_OK_AND_ASSIGN(ObjectRecord current, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(current), ids_[0]);
  EXPECT_EQ(catalog_.GetObjectVersion(bucket_, "k", ids_[1]).status().code(), StatusCode::kNotFound);
}

TEST_F(PromotedMeanwhileTest, ReadingTheVersionFindsIt) {
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObjectVersion(bucket_, "k", ids_[1]));
  EXPECT_EQ(store_.before_get, nullptr);
  EXPECT_EQ(got.size, 2u);
}

TEST(CompletionVersionTest, ASecondCompletionWhileOneIsUnderWayIsAbortedAndAbortWaitsItsTurn) {
  AfterObjectCommitStore store;
  Catalog catalog(store);
  const BucketRecord bucket = CreateRaceBucket(catalog, "b4", false, true);
  const UploadRecord up = UploadU1();
  const ObjectRecord obj = CompletedU1(bucket);
  store.tag = obj.op_tag;
  store.after_object_commit = [&] {
    // The first completion committed its object and has not removed the
    // upload yet: a second one would release parts by its own part list.
    EXPECT_EQ(catalog.CompleteUpload(bucket, up, CompletedU1(bucket)).status().code(), StatusCode::kAborted);
    EXPECT_EQ(catalog.AbortUpload(bucket, up).status().code(), StatusCode::kFailedPrecondition);
  };
  ASSERT_OK(catalog.CompleteUpload(bucket, up, obj).status());
  EXPECT_EQ(store.after_object_commit, nullptr);  // the hook ran
  // Once it is over, the upload is gone for both.
  EXPECT_EQ(catalog.CompleteUpload(bucket, up, CompletedU1(bucket)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog.AbortUpload(bucket, up).status().code(), StatusCode::kNotFound);
}

// Runs `before_delete` once, before the first batch that deletes a key of an
// uploads partition ("u/...").
class BeforeUploadDeleteStore : public meta::ForwardingMetaStore {
 public:
  BeforeUploadDeleteStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    const bool deletes = std::any_of(b.mutations.begin(), b.mutations.end(),
                                     [](const meta::Mutation& m) { return !m.value && m.add.empty(); });
    if (before_delete && p.rfind("u/", 0) == 0 && deletes) std::exchange(before_delete, nullptr)();
    return ForwardingMetaStore::Apply(p, b);
  }

  meta::MemoryMetaStore memory;
  std::function<void()> before_delete;
};

TEST(CompletionVersionTest, AnAbortThatACompletionOvertakesAnswersThatTheUploadIsGone) {
  BeforeUploadDeleteStore store;
  Catalog catalog(store);
  const BucketRecord bucket = CreateRaceBucket(catalog, "b5", false, true);
  const UploadRecord up = UploadU1();
  // Between the abort's read of the upload and its commit, a completion
  // marks the upload (its first step; the hook runs it whole).
  store.before_delete = [&] { ASSERT_OK(catalog.CompleteUpload(bucket, up, CompletedU1(bucket)).status()); };
  EXPECT_EQ(catalog.AbortUpload(bucket, up).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.before_delete, nullptr);
  ASSERT_OK(catalog.GetObject(bucket, "k").status());
}

TEST_F(VersionsTest, RetriedCompletionAfterANewerWriteKeepsTheEarlierVersion) {
  SetVersioning(BucketVersioning::kEnabled);
  UploadRecord up;
  up.upload_id = "u1";
  up.key = "k";
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  PartRecord part;
  part.part_number = 1;
  part.segment.blob_id = "partblob";
  part.segment.plain_size = 4;
  ASSERT_OK(catalog_.PutPart("u1", part));
  ObjectRecord obj;
  obj.size = 4;
  obj.upload_id = "u1";
  obj.op_tag = NewOpTag();
  obj.parts_count = 1;
  obj.segments.push_back(part.segment);
  obj.etag = "first-1";
  StampVersion(bucket_, obj);
  // Steps 1 and 2 of a first attempt (intent, version), then a crash.
  UploadRecord marked = up;
  marked.completing_tag = obj.op_tag;
  {
    meta::Batch b;
    b.op_tag = obj.op_tag;
    b.Put(std::string("k") + '\0' + "u1", EncodeUpload(marked));
    ASSERT_OK(store_.Apply("u/" + bucket_.id, b));
  }
  ASSERT_OK(catalog_.PutObject(bucket_, "k", obj));
  // A newer PUT makes that version noncurrent; then the client retries.
  std::string newer = Put("k", 9);
  ASSERT_OK_AND_ASSIGN(UploadRecord current, catalog_.GetUpload(bucket_, "k", "u1"));
  ObjectRecord retry = obj;
  retry.op_tag = NewOpTag();
  retry.etag = "second-1";
  StampVersion(bucket_, retry);
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, current, retry));
  // The retry reports the first attempt's version; no second version
  // shares the part blob, the newer PUT stays current, nothing is freed.
  EXPECT_EQ(done.version_id, ExternalVersionId(obj));
  EXPECT_EQ(done.object.etag, "first-1");
  EXPECT_FALSE(done.replaced.has_value());
  EXPECT_TRUE(done.unused_parts.empty());
  EXPECT_EQ(ListAll(100).size(), 2u);
  ASSERT_OK_AND_ASSIGN(ObjectRecord cur, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(ExternalVersionId(cur), newer);
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "k", "u1"), kNotFound);
  // Deleting that version frees its blob: no other version holds it.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome del, catalog_.DeleteObjectVersion(bucket_, "k", ExternalVersionId(obj)));
  ASSERT_TRUE(del.removed.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> freed, catalog_.ReleasableSegments(bucket_, "k", *del.removed));
  ASSERT_EQ(freed.size(), 1u);
  EXPECT_EQ(freed[0].blob_id, "partblob");
}

}  // namespace
}  // namespace confiance::catalog

// File: catalog/reclaim_test.cc
// Bucket shred and reclamation over the fakes: the shredded bucket's key is
// refused at once (also through a record read before), its objects,
// versions, uploads and blobs go, its name is freed; the other bucket and
// its blobs are untouched; a job queued before a "crash" is resumed by a
// new Reclaimer; a tenant shred empties the tenant's buckets but keeps
// their records; Object Lock refuses a shred.
#include "catalog/reclaim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "blob/memory/memory_blob_store.h"
#include "catalog/object_data.h"
#include "catalog/object_lock.h"
#include "crypto/random.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/temp_dir.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

constexpr size_t kInlineLimit = 1024;

class ReclaimTest : public ::testing::Test {
 protected:
  BucketRecord MakeBucket(const std::string& name, const std::string& id, const std::string& owner) {
    BucketRecord b;
    b.name = name;
    b.id = id;
    b.owner = owner;
    EXPECT_OK(keys_.CreateFor(b));
    EXPECT_OK(catalog_.CreateBucket(b));
    return b;
  }
  Segment WriteSegment(const BucketRecord& b, size_t n) {
    auto key = keys_.Get(b, kms::Justification::kTenantRequest);
    EXPECT_TRUE(key.ok());
    auto w = SegmentWriter::Create(blobs_, **key, b.id, kInlineLimit, b.key_version);
    EXPECT_TRUE(w.ok());
    std::string data(n, 'x');
    EXPECT_OK((*w)->Write(std::as_bytes(std::span(data.data(), data.size()))));
    auto seg = (*w)->Finish();
    EXPECT_TRUE(seg.ok());
    return seg.ok() ? *seg : Segment{};
  }
  // A record ready to commit: its data stored, its data key wrapped under
  // b's current key version.
  ObjectRecord Record(const BucketRecord& b, size_t n) {
    ObjectRecord r;
    r.segments.push_back(WriteSegment(b, n));
    r.size = n;
    r.op_tag = NewOpTag();
    return r;
  }
  void Put(const BucketRecord& b, const std::string& key, size_t n) {
    ASSERT_OK(catalog_.PutObject(b, key, Record(b, n)));
  }
  void Upload(const BucketRecord& b, const std::string& id) {
    UploadRecord up;
    up.upload_id = id;
    up.key = "mp";
    ASSERT_OK(catalog_.CreateUpload(b, up));
    for (int n = 1; n <= 2; ++n) {
      PartRecord p;
      p.part_number = n;
      p.segment = WriteSegment(b, 4096);
      ASSERT_OK(catalog_.PutPart(id, p));
    }
  }
  std::set<std::string> Blobs() {
    std::set<std::string> ids;
    auto page = blobs_.List("", 100000);
    EXPECT_TRUE(page.ok());
    for (const auto& b : *page) ids.insert(b.id);
    return ids;
  }
  std::set<std::string> BlobsOf(const BucketRecord& b) {
    std::set<std::string> ids;
    EXPECT_OK(catalog_.MarkReferencedBlobs([&](const std::string&) {}));
    auto page = catalog_.ListObjects(b, ListOptions{});
    EXPECT_TRUE(page.ok());
    for (const auto& o : page->objects) {
      for (const auto& s : o.record.segments) {
        if (!s.blob_id.empty()) ids.insert(s.blob_id);
      }
    }
    return ids;
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  blob::MemoryBlobStore blobs_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys keys_{kms_, tenant_keys_};
};

TEST_F(ReclaimTest, BucketShredRefusesAtOnceThenReclaimsAndFreesTheName) {
  BucketRecord doomed = MakeBucket("doomed", "b1", "acme");
  BucketRecord kept = MakeBucket("kept", "b2", "acme");
  Put(doomed, "small", 10);
  Put(doomed, "big", 8192);
  Put(doomed, "big2", 8192);
  Upload(doomed, "u1");
  Put(kept, "k", 8192);
  const std::set<std::string> kept_blobs = BlobsOf(kept);
  ASSERT_EQ(kept_blobs.size(), 1u);
  ASSERT_EQ(Blobs().size(), 5u);  // 2 objects + 2 parts + kept's

  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  EXPECT_EQ(reclaimer.ShredBucket("doomed", "globex").status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(BucketRecord before, reclaimer.ShredBucket("doomed", "acme"));
  EXPECT_EQ(before.key_id, "tenant-key");
  // Refused at once, through the old record too (read before the shred).
  auto refused = keys_.Get(doomed, kms::Justification::kTenantRequest);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("bucket shredded"));
  EXPECT_FALSE(keys_.CheckNotShredded(doomed).ok());
  ASSERT_OK_AND_ASSIGN(BucketRecord now, catalog_.GetBucket("doomed"));
  EXPECT_EQ(now.key_id, kShreddedKeyRef);
  EXPECT_TRUE(now.wrapped_key.empty());
  // A fresh process (no memory of the shred) refuses it from the record.
  BucketKeys fresh_keys{kms_, tenant_keys_};
  EXPECT_FALSE(fresh_keys.Get(now, kms::Justification::kTenantRequest).ok());
  EXPECT_OK(keys_.Get(kept, kms::Justification::kTenantRequest).status());

  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));
  EXPECT_EQ(Blobs(), kept_blobs);
  EXPECT_EQ(catalog_.GetBucket("doomed").status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto parts, store_.ListPartitions("o/b1/", "", 10));
  EXPECT_TRUE(parts.empty());
  ASSERT_OK_AND_ASSIGN(auto queue, store_.Scan(kReclaimPartition, meta::ScanOptions{}));
  EXPECT_TRUE(queue.empty());
  std::vector<ReclaimProgress> progress = reclaimer.Progress("acme");
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].state, "done");
  EXPECT_EQ(progress[0].scope, "bucket");
  EXPECT_EQ(progress[0].objects_removed, 3u);
  EXPECT_EQ(progress[0].uploads_removed, 1u);
  EXPECT_EQ(progress[0].blobs_freed, 4u);
  // The name is free again, and the kept bucket still reads.
  MakeBucket("doomed", "b3", "acme");
  EXPECT_OK(catalog_.GetObject(kept, "k").status());
}

TEST_F(ReclaimTest, QueuedJobResumesInANewReclaimer) {
  BucketRecord doomed = MakeBucket("doomed", "b1", "acme");
  Put(doomed, "big", 8192);
  {
    Reclaimer first(store_, catalog_, tenant_keys_, keys_, blobs_);
    ASSERT_OK(first.ShredBucket("doomed", "acme").status());
    // "Crash": destroyed without running the job.
  }
  EXPECT_EQ(Blobs().size(), 1u);
  Reclaimer second(store_, catalog_, tenant_keys_, keys_, blobs_);
  std::stop_source stop;
  ASSERT_OK(second.RunQueued(stop.get_token()));
  EXPECT_TRUE(Blobs().empty());
  EXPECT_EQ(catalog_.GetBucket("doomed").status().code(), StatusCode::kNotFound);
}

TEST_F(ReclaimTest, JobWhoseKeySurvivedRemovesNothing) {
  BucketRecord b = MakeBucket("b", "b1", "acme");
  Put(b, "big", 8192);
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  // Queued, key never destroyed (a crash in between): nothing is removed.
  ASSERT_OK(reclaimer.EnqueueTenant("acme"));
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));
  EXPECT_EQ(Blobs().size(), 1u);
  EXPECT_OK(catalog_.GetObject(b, "big").status());
}

TEST_F(ReclaimTest, TenantShredEmptiesItsBucketsAndKeepsTheirRecords) {
  BucketRecord a1 = MakeBucket("a1", "b1", "acme");
  BucketRecord a2 = MakeBucket("a2", "b2", "acme");
  BucketRecord g = MakeBucket("g", "b3", "globex");
  Put(a1, "x", 8192);
  Put(a1, "y", 10);
  Put(a2, "z", 8192);
  Upload(a2, "u2");
  Put(g, "w", 8192);
  const std::set<std::string> globex_blobs = BlobsOf(g);
  ASSERT_OK(tenant_keys_.Destroy("acme").status());
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  ASSERT_OK(reclaimer.EnqueueTenant("acme"));
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));
  EXPECT_EQ(Blobs(), globex_blobs);
  ASSERT_OK_AND_ASSIGN(BucketRecord still, catalog_.GetBucket("a1"));
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(still, ListOptions{}));
  EXPECT_TRUE(page.objects.empty());
  ASSERT_OK_AND_ASSIGN(Usage usage, catalog_.BucketUsage(still));
  EXPECT_EQ(usage.objects, 0);
  EXPECT_EQ(usage.bytes, 0);
  std::vector<ReclaimProgress> progress = reclaimer.Progress("acme");
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].buckets_total, 2u);
  EXPECT_EQ(progress[0].buckets_done, 2u);
  EXPECT_EQ(progress[0].objects_removed, 3u);
  EXPECT_EQ(progress[0].uploads_removed, 1u);
  EXPECT_EQ(progress[0].blobs_freed, 4u);
  Status denied = keys_.CheckNotShredded(still);
  EXPECT_THAT(std::string(denied.message()), ::testing::HasSubstr("crypto-shredded"));
  EXPECT_OK(catalog_.GetObject(g, "w").status());
}

TEST_F(ReclaimTest, TenantShredRefusesAWriteWhoseBodyWasStillArriving) {
  BucketRecord a1 = MakeBucket("a1", "b1", "acme");
  const BucketRecord before = a1;  // held by requests from before a rotation
  ASSERT_OK(catalog_.UpdateBucket(
      "a1", [&](BucketRecord& b) { return keys_.AddVersion(b, kms::Justification::kSystemMaintenance); }));
  ASSERT_OK_AND_ASSIGN(const BucketRecord current, catalog_.GetBucket("a1"));
  ASSERT_EQ(current.key_version, 2u);
  Put(current, "x", 8192);
  // Writes that unwrapped their keys before the destruction and commit
  // after the reclamation: under either key version, blob or inline.
  const ObjectRecord late_v1 = Record(before, 8192);
  const ObjectRecord late_v2 = Record(current, 8192);
  const ObjectRecord late_inline = Record(current, 10);
  ASSERT_OK(tenant_keys_.Destroy("acme").status());
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  ASSERT_OK(reclaimer.EnqueueTenant("acme"));
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));

  for (const auto& [key, record] : {std::pair{"late1", late_v1}, {"late2", late_v2}, {"late3", late_inline}}) {
    Result<std::optional<ObjectRecord>> put = catalog_.PutObject(current, key, record);
    EXPECT_STATUS_CODE(put.status(), kAborted);
    EXPECT_EQ(put.status().message(), kRetiredKeyVersion) << key;
  }
  // Nothing stays that no key opens: the bucket reads empty and, as every
  // emptied bucket of a shredded tenant, can be deleted.
  ASSERT_OK_AND_ASSIGN(BucketRecord still, catalog_.GetBucket("a1"));
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(still, ListOptions{}));
  EXPECT_TRUE(page.objects.empty());
  ASSERT_OK_AND_ASSIGN(Usage usage, catalog_.BucketUsage(still));
  EXPECT_EQ(usage.objects, 0);
  ASSERT_OK(catalog_.DeleteBucket(still));
}

// A DeleteObject of a versioned bucket in flight at the shred: its delete
// marker holds no key, but would stay as an entry of the emptied bucket.
TEST_F(ReclaimTest, TenantShredRefusesADeleteMarkerStillInFlight) {
  BucketRecord a1 = MakeBucket("a1", "b1", "acme");
  ASSERT_OK(catalog_.UpdateBucket("a1", [](BucketRecord& b) {
    b.versioning = BucketVersioning::kEnabled;
    return OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(const BucketRecord versioned, catalog_.GetBucket("a1"));
  Put(versioned, "x", 10);
  ASSERT_OK(tenant_keys_.Destroy("acme").status());
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  ASSERT_OK(reclaimer.EnqueueTenant("acme"));
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));

  Result<DeleteOutcome> late = catalog_.DeleteObjectVersion(versioned, "x", std::nullopt, {});
  EXPECT_STATUS_CODE(late.status(), kAborted);
  EXPECT_EQ(late.status().message(), kRetiredKeyVersion);
  ASSERT_OK_AND_ASSIGN(BucketRecord still, catalog_.GetBucket("a1"));
  ASSERT_OK_AND_ASSIGN(VersionsPage versions, catalog_.ListObjectVersions(still, ListVersionsOptions{}));
  EXPECT_TRUE(versions.versions.empty());
  ASSERT_OK(catalog_.DeleteBucket(still));
}

TEST_F(ReclaimTest, TenantShredDestroysBucketKeysTheProviderWrapsAtOnce) {
  // A bucket from before tenant keys: its key wrapped by the provider.
  BucketRecord old;
  old.name = "old";
  old.id = "b-old";
  old.owner = "acme";
  crypto::SecretBytes key = std::move(crypto::RandomBytes(32)).value();
  old.key_id = kms_.DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(old.wrapped_key, kms_.Wrap(old.key_id, key, "confiance/bucket-key/v1/" + old.id));
  ASSERT_OK(catalog_.CreateBucket(old));
  ASSERT_OK(keys_.Get(old, kms::Justification::kTenantRequest).status());  // it opens
  BucketRecord current = MakeBucket("new", "b-new", "acme");
  BucketRecord other = MakeBucket("g", "b-g", "globex");
  ASSERT_OK(tenant_keys_.Destroy("acme").status());
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  // Before any job has run: the provider-wrapped key is gone from the record.
  ASSERT_OK(reclaimer.EnqueueTenant("acme"));
  ASSERT_OK_AND_ASSIGN(BucketRecord after, catalog_.GetBucket("old"));
  EXPECT_EQ(after.key_id, kShreddedKeyRef);
  EXPECT_TRUE(after.wrapped_key.empty());
  // The tenant-wrapped bucket keeps its (now useless) record; another
  // tenant's bucket is untouched; all of acme's answer as a tenant shred.
  ASSERT_OK_AND_ASSIGN(BucketRecord kept, catalog_.GetBucket("new"));
  EXPECT_EQ(kept.key_id, current.key_id);
  ASSERT_OK_AND_ASSIGN(BucketRecord globex, catalog_.GetBucket("g"));
  EXPECT_EQ(globex.wrapped_key, other.wrapped_key);
  for (const BucketRecord& b : {after, kept}) {
    Status denied = keys_.CheckNotShredded(b);
    EXPECT_THAT(std::string(denied.message()), ::testing::HasSubstr("crypto-shredded")) << b.name;
  }
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));  // idempotent
  ASSERT_OK_AND_ASSIGN(after, catalog_.GetBucket("old"));
  EXPECT_EQ(after.key_id, kShreddedKeyRef);
}

TEST_F(ReclaimTest, ObjectLockRefusesABucketShred) {
  BucketRecord b = MakeBucket("locked", "b1", "acme");
  ASSERT_OK(catalog_.UpdateBucket("locked", [](BucketRecord& r) {
    r.object_lock_enabled = true;
    r.versioning = BucketVersioning::kEnabled;
    return OkStatus();
  }).status());
  ASSERT_OK_AND_ASSIGN(b, catalog_.GetBucket("locked"));
  ObjectRecord r;
  r.segments.push_back(WriteSegment(b, 10));
  r.size = 10;
  r.op_tag = NewOpTag();
  r.legal_hold = true;
  ASSERT_OK(catalog_.PutObject(b, "held", r));
  Reclaimer reclaimer(store_, catalog_, tenant_keys_, keys_, blobs_);
  auto refused = reclaimer.ShredBucket("locked", "acme");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::StartsWith(std::string(kObjectLocked)));
  EXPECT_OK(keys_.Get(b, kms::Justification::kTenantRequest).status());
}

// With the embedded RocksDB store, the shredded bucket's wrapped key is in
// no file of the metadata directory after the shred (before reclamation),
// and the deleted object records' wrapped data keys in none after it.
TEST(ReclaimOnDiskTest, ShredLeavesNoCopyOfTheWrappedBucketKeyInTheFiles) {
  testutil::TempDir dir;
  meta::RocksMetaStore::Options options;
  options.path = dir.Sub("meta");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store, meta::RocksMetaStore::Open(options));
  kms::FakeKeyProvider kms;
  TenantKeys tenant_keys(*store, kms);
  BucketKeys keys(kms, tenant_keys);
  Catalog catalog(*store);
  blob::MemoryBlobStore blobs;
  BucketRecord b;
  b.name = "doomed";
  b.id = "b1";
  b.owner = "acme";
  ASSERT_OK(keys.CreateFor(b));
  ASSERT_OK(catalog.CreateBucket(b));
  ASSERT_OK_AND_ASSIGN(auto key, keys.Get(b, kms::Justification::kTenantRequest));
  ASSERT_OK_AND_ASSIGN(auto w, SegmentWriter::Create(blobs, *key, b.id, kInlineLimit));
  std::string data(100, 'y');
  ASSERT_OK(w->Write(std::as_bytes(std::span(data.data(), data.size()))));
  ASSERT_OK_AND_ASSIGN(Segment seg, w->Finish());
  ObjectRecord r;
  r.segments.push_back(seg);
  r.size = data.size();
  r.op_tag = NewOpTag();
  ASSERT_OK(catalog.PutObject(b, "k", r));
  const std::string wrapped_bucket_key = b.wrapped_key;
  const std::string wrapped_data_key = seg.wrapped_key;
  ASSERT_GE(wrapped_bucket_key.size(), 32u);
  ASSERT_GE(wrapped_data_key.size(), 32u);
  auto on_disk = [&](const std::string& wanted) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(options.path)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(wanted) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(on_disk(wrapped_bucket_key)) << "the wrapped bucket key should be in the WAL before the shred";
  ASSERT_TRUE(on_disk(wrapped_data_key));
  Reclaimer reclaimer(*store, catalog, tenant_keys, keys, blobs);
  ASSERT_OK(reclaimer.ShredBucket("doomed", "acme").status());
  EXPECT_FALSE(on_disk(wrapped_bucket_key));
  std::stop_source stop;
  ASSERT_OK(reclaimer.RunQueued(stop.get_token()));
  EXPECT_FALSE(on_disk(wrapped_data_key));
}

}  // namespace
}  // namespace confiance::catalog

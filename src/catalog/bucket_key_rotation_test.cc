// File: catalog/bucket_key_rotation_test.cc
// Bucket-key rotation over the fakes: the versioned records (old records
// read as version 1), the rewrap job (every data key rewrapped, blobs
// untouched, the old version retired), an interrupted job resumed, writes
// under the old version made during the job caught by its next pass, and
// refused once the old version is fenced, SSE-KMS rewrapped, SSE-C refused (the customer key is not kept), upload
// parts, and a tenant-key rotation rewrapping every bucket-key version.
#include "catalog/bucket_key_rotation.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <stop_token>
#include <thread>
#include <vector>

#include "blob/memory/memory_blob_store.h"
#include "catalog/key_rotation.h"
#include "catalog/object_data.h"
#include "catalog/rotation_lease.h"
#include "crypto/customer_key.h"
#include "crypto/random.h"
#include "crypto/sse_kms.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "meta/worker_lease.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

constexpr size_t kInlineLimit = 1024;
constexpr auto kWhy = kms::Justification::kTenantRequest;

class BucketKeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "photos";
    bucket_.id = "bid1";
    bucket_.owner = "acme";
    ASSERT_OK(keys_.CreateFor(bucket_));
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }
  BucketRecord Fresh() {
    Result<BucketRecord> b = catalog_.GetBucket("photos");
    EXPECT_TRUE(b.ok());
    return b.ok() ? *b : BucketRecord{};
  }
  // The KEK of `b`'s current version for an object with `kms` / `customer`.
  std::shared_ptr<const crypto::SecretBytes> Kek(const BucketRecord& b, uint32_t version, const SseKms& kms,
                                                 const crypto::SecretBytes* customer, const std::string& salt) {
    Result<std::shared_ptr<const crypto::SecretBytes>> key = keys_.Get(b, kWhy, version);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    if (!key.ok()) return nullptr;
    if (!kms.empty()) {
      auto k = crypto::DeriveKmsKek(**key, kms.key_id, kms.context);
      return std::make_shared<const crypto::SecretBytes>(std::move(k).value());
    }
    if (customer != nullptr) {
      auto k = crypto::DeriveCustomerKek(**key, *customer, salt);
      return std::make_shared<const crypto::SecretBytes>(std::move(k).value());
    }
    return *key;
  }
  static std::string Data(size_t n, char seed) {
    std::string s(n, 0);
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7 % 251);
    return s;
  }
  Segment WriteSegment(const BucketRecord& b, const std::string& data, const crypto::SecretBytes& kek) {
    auto w = SegmentWriter::Create(blobs_, kek, b.id, kInlineLimit, b.key_version);
    EXPECT_TRUE(w.ok());
    EXPECT_OK((*w)->Write(std::as_bytes(std::span(data.data(), data.size()))));
    auto seg = (*w)->Finish();
    EXPECT_TRUE(seg.ok());
    return seg.ok() ? *seg : Segment{};
  }
  // Writes `key` with `parts` segments of `size` bytes each, through the
  // record `b` (possibly read before a rotation).
  void Put(const BucketRecord& b, const std::string& key, size_t size, int parts = 1, const SseKms& kms = {},
           const crypto::SecretBytes* customer = nullptr) {
    ASSERT_OK(TryPut(b, key, size, parts, kms, customer));
  }
  // Put, but the commit may be refused (then nothing is expected of `key`).
  Status TryPut(const BucketRecord& b, const std::string& key, size_t size, int parts = 1, const SseKms& kms = {},
                const crypto::SecretBytes* customer = nullptr) {
    ObjectRecord r = Record(b, key, size, parts, kms, customer);
    RETURN_IF_ERROR(catalog_.PutObject(b, key, r).status());
    expected_[key] = pending_;
    return OkStatus();
  }
  // The record Put commits (its segments written); its bytes in pending_.
  ObjectRecord Record(const BucketRecord& b, const std::string& key, size_t size, int parts = 1, const SseKms& kms = {},
                      const crypto::SecretBytes* customer = nullptr) {
    ObjectRecord r;
    r.kms = kms;
    if (customer != nullptr) {
      r.sse_c_salt = std::string(16, 's');
      r.sse_c_verifier = std::string(32, 'v');
    }
    auto kek = Kek(b, b.key_version, kms, customer, r.sse_c_salt);
    std::string all;
    for (int i = 0; i < parts; ++i) {
      std::string d = Data(size, static_cast<char>('a' + i + key.size()));
      r.segments.push_back(WriteSegment(b, d, *kek));
      all += d;
    }
    r.size = all.size();
    r.op_tag = NewOpTag();
    pending_ = all;
    return r;
  }
  // Reads `key` back through the current bucket record, each segment with
  // the bucket-key version it names.
  std::string Read(const std::string& key, const crypto::SecretBytes* customer = nullptr) {
    BucketRecord b = Fresh();
    Result<ObjectRecord> rec = catalog_.GetObject(b, key);
    EXPECT_TRUE(rec.ok());
    if (!rec.ok()) return {};
    SegmentKeks keks;
    for (uint32_t v : KeyVersionsOf(*rec)) keks[v] = Kek(b, v, rec->kms, customer, rec->sse_c_salt);
    ObjectReader reader(blobs_, *rec, keks, b.id);
    std::string out(rec->size, 0);
    Status st = reader.Read(0, std::as_writable_bytes(std::span(out.data(), out.size())));
    EXPECT_TRUE(st.ok()) << key << ": " << st.ToString();
    return out;
  }
  // Creates upload `id` of `key` through the record `b`.
  UploadRecord CreateUpload(const BucketRecord& b, const std::string& id, const std::string& key) {
    UploadRecord up;
    up.upload_id = id;
    up.key = key;
    EXPECT_OK(catalog_.CreateUpload(b, up));
    return up;
  }
  // Part 1, `size` bytes, written through the record `b` under its version.
  PartRecord Part(const BucketRecord& b, size_t size, char seed) {
    PartRecord part;
    part.part_number = 1;
    part.segment = WriteSegment(b, Data(size, seed), *Kek(b, b.key_version, {}, nullptr, ""));
    return part;
  }
  std::map<std::string, std::string> BlobBytes() {
    std::map<std::string, std::string> out;
    auto page = blobs_.List("", 100000);
    EXPECT_TRUE(page.ok());
    for (const auto& info : *page) {
      auto r = blobs_.Open(info.id);
      EXPECT_TRUE(r.ok());
      std::string bytes((*r)->size(), 0);
      EXPECT_TRUE((*r)->ReadAt(0, std::as_writable_bytes(std::span(bytes.data(), bytes.size()))).ok());
      out[info.id] = bytes;
    }
    return out;
  }
  std::set<uint32_t> VersionsInUse() {
    std::set<uint32_t> out;
    auto page = catalog_.ListObjects(Fresh(), ListOptions{});
    EXPECT_TRUE(page.ok());
    for (const auto& o : page->objects) {
      for (const Segment& s : o.record.segments) out.insert(s.key_version);
    }
    return out;
  }
  void AddVersion() {
    ASSERT_OK(catalog_.UpdateBucket("photos", [&](BucketRecord& b) {
      return keys_.AddVersion(b, kms::Justification::kSystemMaintenance);
    }));
  }
  void ExpectAllReadable() {
    for (const auto& [key, data] : expected_) EXPECT_EQ(Read(key), data) << key;
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  blob::MemoryBlobStore blobs_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys keys_{kms_, tenant_keys_};
  BucketKeyRotation rotation_{store_, catalog_, keys_};
  BucketRecord bucket_;
  std::map<std::string, std::string> expected_;
  std::string pending_;
};

TEST(BucketKeyRecordsTest, VersionsRoundTripAndOldRecordsReadAsVersionOne) {
  BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.owner = "acme";
  b.key_id = "tenant-key";
  b.wrapped_key = "wk";
  ASSERT_OK_AND_ASSIGN(BucketRecord plain, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(plain.key_version, 1u);
  EXPECT_TRUE(plain.previous_keys.empty());
  b.key_version = 3;
  b.previous_keys = {{1, "tenant-key", "old1"}, {2, "tenant-key@2", "old2"}};
  ASSERT_OK_AND_ASSIGN(BucketRecord rotated, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(rotated.key_version, 3u);
  ASSERT_EQ(rotated.previous_keys.size(), 2u);
  EXPECT_EQ(rotated.previous_keys[1].version, 2u);
  EXPECT_EQ(rotated.previous_keys[1].key_id, "tenant-key@2");
  EXPECT_EQ(rotated.previous_keys[1].wrapped_key, "old2");
  // A previous version not below the current one is damage.
  b.previous_keys = {{3, "tenant-key", "x"}};
  EXPECT_FALSE(DecodeBucket(EncodeBucket(b)).ok());

  ObjectRecord o;
  o.size = 3;
  Segment s;
  s.blob_id = "0123456789abcdef0123456789abcdef";
  s.plain_size = 3;
  s.wrapped_key = "wk";
  o.segments = {s, s};
  const std::string v1 = EncodeObject(o);
  EXPECT_EQ(v1[1], 4) << "a record wholly under version 1 keeps the old format";
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, DecodeObject(v1));
  EXPECT_EQ(back.segments[0].key_version, 1u);
  o.segments[1].key_version = 2;
  const std::string v9 = EncodeObject(o);
  EXPECT_EQ(v9[1], 9);
  ASSERT_OK_AND_ASSIGN(ObjectRecord back9, DecodeObject(v9));
  EXPECT_EQ(back9.segments[0].key_version, 1u);
  EXPECT_EQ(back9.segments[1].key_version, 2u);
  EXPECT_TRUE(back9.kms.empty());
  // SSE-KMS fields survive the version-9 layout.
  o.kms = {"arn:aws:kms:acme", "ctx", true};
  ASSERT_OK_AND_ASSIGN(ObjectRecord kms9, DecodeObject(EncodeObject(o)));
  EXPECT_EQ(kms9.kms, o.kms);

  PartRecord p;
  p.part_number = 1;
  p.segment = s;
  ASSERT_OK_AND_ASSIGN(PartRecord p1, DecodePart(EncodePart(p)));
  EXPECT_EQ(p1.segment.key_version, 1u);
  p.segment.key_version = 4;
  ASSERT_OK_AND_ASSIGN(PartRecord p4, DecodePart(EncodePart(p)));
  EXPECT_EQ(p4.segment.key_version, 4u);
}

TEST_F(BucketKeyRotationTest, RewrapsEveryDataKeyLeavesBlobsAndRetiresTheOldVersion) {
  Put(bucket_, "inline", 100);
  Put(bucket_, "blob", 5000);
  Put(bucket_, "multi", 3000, 3);
  Put(bucket_, "kms", 4000, 2, SseKms{"acme-key", "e30=", false});
  CreateUpload(bucket_, "up1", "mp");
  ASSERT_OK(catalog_.PutPart("up1", Part(bucket_, 2048, 'p')));
  const std::map<std::string, std::string> blobs_before = BlobBytes();
  ASSERT_EQ(blobs_before.size(), 7u);  // 1 + 3 + 2 segments and the part; "inline" is in its record

  ASSERT_OK_AND_ASSIGN(BucketRotationProgress started, rotation_.Start("acme", "photos"));
  EXPECT_EQ(started.from_version, 1u);
  EXPECT_EQ(started.to_version, 2u);
  BucketRotationProgress p;
  for (int i = 0; i < 500; ++i) {
    p = rotation_.Progress("acme", "photos");
    if (p.state != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(p.state, "done") << p.error;
  EXPECT_EQ(p.objects_total, 4u);
  EXPECT_EQ(p.objects_done, 4u);
  EXPECT_EQ(p.parts_done, 1u);
  EXPECT_EQ(p.rewrapped, 5u);

  BucketRecord after = Fresh();
  EXPECT_EQ(after.key_version, 2u);
  EXPECT_TRUE(after.previous_keys.empty()) << "version 1 retired";
  EXPECT_NE(after.wrapped_key, bucket_.wrapped_key);
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  EXPECT_EQ(BlobBytes(), blobs_before) << "rewrap only: no blob changed";
  ExpectAllReadable();
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> parts, catalog_.ListParts("up1", 0, 10));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].segment.key_version, 2u);
  // Version 1 is gone: a record read before the rotation cannot open it.
  keys_.ForgetVersion(bucket_.id, 1);
  EXPECT_FALSE(keys_.Get(after, kWhy, 1).ok());
  // New writes go under version 2.
  Put(after, "new", 50);
  EXPECT_EQ(Read("new"), expected_["new"]);
  // A second rotation makes version 3.
  ASSERT_OK_AND_ASSIGN(BucketRotationProgress again, rotation_.Start("acme", "photos"));
  EXPECT_EQ(again.to_version, 3u);
}

TEST_F(BucketKeyRotationTest, AnInterruptedJobLeavesEverythingReadableAndResumes) {
  for (int i = 0; i < 10; ++i) Put(bucket_, "k" + std::to_string(i), 1500);
  AddVersion();
  rotation_.batch_size = 3;
  std::stop_source stop;
  rotation_.after_batch_for_test = [&] { stop.request_stop(); };
  Status first = rotation_.RunJob("acme", "photos", stop.get_token());
  EXPECT_EQ(first.code(), StatusCode::kAborted);
  EXPECT_EQ(VersionsInUse(), (std::set<uint32_t>{1, 2})) << "part rewrapped, part not";
  EXPECT_EQ(Fresh().previous_keys.size(), 1u) << "version 1 kept until every data key left it";
  ExpectAllReadable();

  // Start resumes (no version 3) and finishes.
  rotation_.after_batch_for_test = nullptr;
  ASSERT_OK_AND_ASSIGN(BucketRotationProgress resumed, rotation_.Start("acme", "photos"));
  EXPECT_EQ(resumed.from_version, 1u);
  EXPECT_EQ(resumed.to_version, 2u);
  for (int i = 0; i < 500 && rotation_.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(rotation_.Progress("acme", "photos").state, "done");
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  EXPECT_TRUE(Fresh().previous_keys.empty());
  ExpectAllReadable();
}

TEST_F(BucketKeyRotationTest, WritesUnderTheOldVersionDuringTheJobAreCaughtByTheNextPass) {
  for (int i = 0; i < 6; ++i) Put(bucket_, "m" + std::to_string(i), 1500);
  const BucketRecord before = Fresh();  // a request that read the record before the rotation
  AddVersion();
  const BucketRecord current = Fresh();
  rotation_.batch_size = 2;
  int batches = 0;
  rotation_.after_batch_for_test = [&] {
    ++batches;
    if (batches == 1) {
      // Behind the job's position (sorts first), under the old version.
      Put(before, "a-late", 2000);
      // Over a record the job already rewrapped, under the old version.
      Put(before, "m0", 3000);
      // Ahead of the job, under the new version.
      Put(current, "z-new", 100);
    }
    if (batches == 2) Put(before, "m5", 700);  // ahead, old version: this pass's next batch
  };
  ASSERT_OK(rotation_.RunJob("acme", "photos", std::stop_token()));
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  EXPECT_TRUE(Fresh().previous_keys.empty());
  ExpectAllReadable();
}

TEST_F(BucketKeyRotationTest, AWriteUnderTheOldVersionJustBeforeTheFencesIsRewrappedByTheVerifyingPass) {
  Put(bucket_, "a", 1500);
  const BucketRecord before = Fresh();  // a request that read the record before the rotation
  AddVersion();
  rotation_.before_fences_for_test = [&] { Put(before, "late", 2500); };
  ASSERT_OK(rotation_.RunJob("acme", "photos", std::stop_token()));
  EXPECT_TRUE(Fresh().previous_keys.empty());
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  keys_.ForgetVersion(bucket_.id, 1);
  ExpectAllReadable();
}

TEST_F(BucketKeyRotationTest, AWriteUnderTheOldVersionAfterTheFencesIsRefusedAndLeavesNothing) {
  Put(bucket_, "a", 1500);
  const UploadRecord up = CreateUpload(bucket_, "up1", "mp");
  const BucketRecord before = Fresh();  // requests that read the record before the rotation
  AddVersion();
  const BucketRecord current = Fresh();
  Status late_put, overwrite, async_put;
  Result<std::optional<PartRecord>> late_part = std::optional<PartRecord>();
  rotation_.before_retire_for_test = [&] {
    late_put = TryPut(before, "late", 2500);
    overwrite = TryPut(before, "a", 700);
    std::promise<Status> done;
    catalog_.PutObjectIfAsync(
        before, "async", Record(before, "async", 3000), Catalog::PutCondition{},
        [&](const Result<std::optional<ObjectRecord>>& r) { done.set_value(r.ok() ? OkStatus() : r.status()); });
    async_put = done.get_future().get();
    late_part = catalog_.PutPart("up1", Part(before, 2048, 'p'));
    // Under the new version, all of them land.
    Put(current, "new", 2000);
    EXPECT_OK(catalog_.PutPart("up1", Part(current, 2048, 'q')));
  };
  ASSERT_OK(rotation_.RunJob("acme", "photos", std::stop_token()));
  EXPECT_STATUS_CODE(late_put, kAborted);
  EXPECT_STATUS_CODE(overwrite, kAborted);
  EXPECT_STATUS_CODE(async_put, kAborted);
  EXPECT_STATUS_CODE(late_part.status(), kAborted);
  EXPECT_TRUE(Fresh().previous_keys.empty()) << "version 1 retired";
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  keys_.ForgetVersion(bucket_.id, 1);
  ExpectAllReadable();  // "a" as first written, "new"
  EXPECT_STATUS_CODE(catalog_.GetObject(Fresh(), "late").status(), kNotFound);
  EXPECT_STATUS_CODE(catalog_.GetObject(Fresh(), "async").status(), kNotFound);
  // An upload created after the fences (through a record that still
  // predates the rotation, as a lagging cache of another gateway would
  // hold) takes them too: its part list refuses version 1.
  const UploadRecord up2 = CreateUpload(before, "up2", "mp2");
  EXPECT_STATUS_CODE(catalog_.PutPart("up2", Part(before, 100, 's')).status(), kAborted);
  ASSERT_OK(catalog_.AbortUpload(Fresh(), up2).status());

  // The fences are no entries: listings, usage, parts and the sweeper's
  // walk pass over them, and an emptied bucket can be deleted.
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(Fresh(), ListOptions{}));
  std::vector<std::string> keys;
  for (const auto& o : page.objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "new"}));
  ASSERT_OK_AND_ASSIGN(Usage usage, catalog_.BucketUsage(Fresh()));
  EXPECT_EQ(usage.objects, 2);
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> parts, catalog_.ListParts("up1", 0, 10));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].segment.key_version, 2u);
  std::set<std::string> referenced;
  ASSERT_OK(catalog_.MarkReferencedBlobs([&](const std::string& id) { referenced.insert(id); }));
  EXPECT_EQ(referenced.size(), 3u);  // "a", "new" and the part
  ASSERT_OK(catalog_.AbortUpload(Fresh(), up).status());
  ASSERT_OK(catalog_.DeleteObject(Fresh(), "a").status());
  ASSERT_OK(catalog_.DeleteObject(Fresh(), "new").status());
  ASSERT_OK(catalog_.DeleteBucket(Fresh()));
}

TEST_F(BucketKeyRotationTest, SseCObjectsKeepTheOldVersionUntilRewrittenWithTheirKey) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes customer, crypto::RandomBytes(32));
  Put(bucket_, "plain", 2000);
  Put(bucket_, "ssec", 2000, 1, {}, &customer);
  AddVersion();
  Status st = rotation_.RunJob("acme", "photos", std::stop_token());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("1 SSE-C object"), std::string::npos) << st.ToString();
  EXPECT_EQ(Fresh().previous_keys.size(), 1u);
  EXPECT_EQ(Read("plain"), expected_["plain"]);
  EXPECT_EQ(Read("ssec", &customer), expected_["ssec"]);
  // The tenant rewrites it with its key (a copy onto itself): then the
  // rotation finishes.
  Put(Fresh(), "ssec", 2000, 1, {}, &customer);
  ASSERT_OK(rotation_.RunJob("acme", "photos", std::stop_token()));
  EXPECT_TRUE(Fresh().previous_keys.empty());
  EXPECT_EQ(Read("ssec", &customer), expected_["ssec"]);
}

TEST_F(BucketKeyRotationTest, OneRotationAtATime) {
  Put(bucket_, "a", 1500);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> reached;
  rotation_.after_batch_for_test = [&] {
    reached.set_value();
    released.wait();
  };
  ASSERT_OK_AND_ASSIGN(BucketRotationProgress started, rotation_.Start("acme", "photos"));
  reached.get_future().wait();
  EXPECT_EQ(rotation_.Progress("acme", "photos").state, "running");
  Result<BucketRotationProgress> again = rotation_.Start("acme", "photos");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("is running"), std::string::npos);
  release.set_value();
  for (int i = 0; i < 500 && rotation_.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(rotation_.Progress("acme", "photos").state, "done");
  EXPECT_EQ(Fresh().key_version, 2u) << "no second version";
}

TEST_F(BucketKeyRotationTest, RefusesAShreddedBucketAndAnotherTenantsBucket) {
  EXPECT_EQ(rotation_.Start("globex", "photos").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rotation_.Start("acme", "nope").status().code(), StatusCode::kNotFound);
  ASSERT_OK(catalog_.UpdateBucket("photos", [](BucketRecord& b) {
    b.key_id = std::string(kShreddedKeyRef);
    b.wrapped_key.clear();
    return OkStatus();
  }));
  Result<BucketRotationProgress> shredded = rotation_.Start("acme", "photos");
  EXPECT_EQ(shredded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(shredded.status().message().find("bucket shredded"), std::string::npos);
}

TEST_F(BucketKeyRotationTest, ATenantKeyRotationRewrapsEveryBucketKeyVersion) {
  Put(bucket_, "x", 2000);
  AddVersion();  // rotation left unfinished: versions 1 and 2 in the record
  KeyRotation tenant_rotation(store_, catalog_, tenant_keys_, keys_);
  ASSERT_OK(tenant_keys_.Rotate("acme").status());
  ASSERT_OK(tenant_rotation.RunJob("acme", std::stop_token()));
  BucketRecord b = Fresh();
  EXPECT_EQ(b.key_id, "tenant-key@2");
  ASSERT_EQ(b.previous_keys.size(), 1u);
  EXPECT_EQ(b.previous_keys[0].key_id, "tenant-key@2") << "the previous bucket key is rewrapped too";
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_TRUE(info.previous_versions.empty()) << "tenant key version 1 retired";
  // Nothing cached: both bucket-key versions open under tenant key 2.
  BucketKeys cold(kms_, tenant_keys_);
  EXPECT_OK(cold.Get(b, kWhy, 1).status());
  EXPECT_OK(cold.Get(b, kWhy, 2).status());
  ASSERT_OK(rotation_.RunJob("acme", "photos", std::stop_token()));
  EXPECT_EQ(Read("x"), expected_["x"]);
}

// The race both jobs run into when they resume together: the bucket job
// reads the bucket record, then the tenant job rewraps that record's keys
// under the new tenant-key version and retires the old one, then the
// bucket job (with nothing cached) opens the keys the stale record names.
// It must read the record again, not fail.
TEST_F(BucketKeyRotationTest, ATenantRotationBetweenReadingTheRecordAndOpeningItsKeysIsRetried) {
  for (int i = 0; i < 3; ++i) Put(bucket_, "r" + std::to_string(i), 1500);
  AddVersion();
  ASSERT_OK(tenant_keys_.Rotate("acme").status());
  KeyRotation tenant_rotation(store_, catalog_, tenant_keys_, keys_);
  BucketKeys cold(kms_, tenant_keys_);
  BucketKeyRotation bucket_rotation(store_, catalog_, cold);
  int reads = 0;
  bucket_rotation.after_record_read_for_test = [&] {
    if (++reads == 1) ASSERT_OK(tenant_rotation.RunJob("acme", std::stop_token()));
  };
  ASSERT_OK(bucket_rotation.RunJob("acme", "photos", std::stop_token()));
  EXPECT_GE(reads, 2);
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  EXPECT_TRUE(Fresh().previous_keys.empty());
  ExpectAllReadable();
}

TEST_F(BucketKeyRotationTest, UnfinishedRotationsResumeAtStartUp) {
  for (int i = 0; i < 5; ++i) Put(bucket_, "r" + std::to_string(i), 1500);
  // A second bucket, never rotated: nothing to resume there.
  BucketRecord other;
  other.name = "other";
  other.id = "bid2";
  other.owner = "acme";
  ASSERT_OK(keys_.CreateFor(other));
  ASSERT_OK(catalog_.CreateBucket(other));
  // A restart interrupted both rotations: the bucket record and the tenant
  // key each hold the version being retired.
  AddVersion();
  ASSERT_OK(tenant_keys_.Rotate("acme").status());

  // "At start-up": fresh job objects over the same store.
  KeyRotation tenant_rotation(store_, catalog_, tenant_keys_, keys_);
  BucketKeyRotation bucket_rotation(store_, catalog_, keys_);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> tenants, tenant_rotation.ResumeUnfinished());
  EXPECT_EQ(tenants, std::vector<std::string>{"acme"});
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> buckets, bucket_rotation.ResumeUnfinished());
  EXPECT_EQ(buckets, std::vector<std::string>{"acme/photos"});
  for (int i = 0; i < 1000 && (tenant_rotation.Progress("acme").state == "running" ||
                               bucket_rotation.Progress("acme", "photos").state == "running");
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(tenant_rotation.Progress("acme").state, "done") << tenant_rotation.Progress("acme").error;
  EXPECT_EQ(bucket_rotation.Progress("acme", "photos").state, "done")
      << bucket_rotation.Progress("acme", "photos").error;
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  EXPECT_TRUE(Fresh().previous_keys.empty());
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_TRUE(info.previous_versions.empty());
  ExpectAllReadable();
  // Nothing left over: a second start-up resumes nothing.
  ASSERT_OK_AND_ASSIGN(tenants, tenant_rotation.ResumeUnfinished());
  EXPECT_TRUE(tenants.empty());
  ASSERT_OK_AND_ASSIGN(buckets, bucket_rotation.ResumeUnfinished());
  EXPECT_TRUE(buckets.empty());
}

// Two processes sharing the store (gateways on one RADOS namespace): while
// one runs a bucket's rotation, the other's Start is refused and its
// start-up does not resume it; once the job ends, its lease is free.
TEST_F(BucketKeyRotationTest, ARotationRunsInOneProcessAtATime) {
  for (int i = 0; i < 3; ++i) Put(bucket_, "r" + std::to_string(i), 1500);
  meta::testing::NoticeBus bus;
  meta::testing::BusStore here(store_, bus), there(store_, bus);
  BucketKeyRotation running(here, catalog_, keys_), other(there, catalog_, keys_);
  running.batch_size = 1;
  int batches = 0;
  running.after_batch_for_test = [&] {
    if (++batches != 1) return;
    Result<BucketRotationProgress> refused = other.Start("acme", "photos");
    EXPECT_STATUS_CODE(refused, kFailedPrecondition);
    EXPECT_TRUE(refused.status().message().ends_with(kRotationRunsElsewhere)) << refused.status().ToString();
    Result<std::vector<std::string>> resumed = other.ResumeUnfinished();
    ASSERT_OK(resumed);
    EXPECT_TRUE(resumed->empty());
  };
  ASSERT_OK(running.Start("acme", "photos"));
  for (int i = 0; i < 1000 && running.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(running.Progress("acme", "photos").state, "done") << running.Progress("acme", "photos").error;
  EXPECT_GE(batches, 1);
  EXPECT_EQ(Fresh().key_version, 2u);
  // The next rotation may run in the other process.
  ASSERT_OK(other.Start("acme", "photos"));
  for (int i = 0; i < 1000 && other.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(other.Progress("acme", "photos").state, "done") << other.Progress("acme", "photos").error;
  EXPECT_EQ(Fresh().key_version, 3u);
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{3});
  ExpectAllReadable();
}

// A job whose process stalled past its lease, while another took the
// rotation over, stops at its next step instead of going on beside it.
TEST_F(BucketKeyRotationTest, AJobWhoseLeaseAnotherProcessTookStops) {
  Put(bucket_, "x", 1500);
  AddVersion();
  meta::testing::NoticeBus bus;
  meta::testing::BusStore here(store_, bus), there(store_, bus);
  std::unique_ptr<meta::WorkerLease> taken_over = TakeRotationLease(there, "bucket", "photos");
  ASSERT_NE(taken_over, nullptr);
  meta::WorkerLease stalled(here, taken_over->name(), kRotationLeasePeriod);
  BucketKeyRotation job(here, catalog_, keys_);
  Status st = job.RunJob("acme", "photos", std::stop_token(), &stalled);
  EXPECT_STATUS_CODE(st, kAborted);
  EXPECT_EQ(st.message(), "another server took the rotation over");
  EXPECT_EQ(Fresh().previous_keys.size(), 1u);  // nothing retired
  // The same for a tenant-key rotation: no new version while another
  // process runs one, and a start-up leaves it to that process.
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo before, tenant_keys_.Info("acme"));
  std::unique_ptr<meta::WorkerLease> tenant_job = TakeRotationLease(there, "tenant", "acme");
  ASSERT_NE(tenant_job, nullptr);
  KeyRotation tenant_rotation(here, catalog_, tenant_keys_, keys_);
  Result<RotationProgress> refused = tenant_rotation.Start("acme");
  EXPECT_STATUS_CODE(refused, kFailedPrecondition);
  EXPECT_TRUE(refused.status().message().ends_with(kRotationRunsElsewhere)) << refused.status().ToString();
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo after, tenant_keys_.Info("acme"));
  EXPECT_EQ(after.version, before.version);
  ASSERT_OK(tenant_keys_.Rotate("acme").status());  // as the other process's rotation left it
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> resumed, tenant_rotation.ResumeUnfinished());
  EXPECT_TRUE(resumed.empty());
  tenant_job.reset();  // that process is gone, its lease released
  ASSERT_OK_AND_ASSIGN(resumed, tenant_rotation.ResumeUnfinished());
  EXPECT_EQ(resumed, std::vector<std::string>{"acme"});
}

// A job that another process took over and then dropped (its gateway
// died) is resumed by the next ResumeUnfinished of the process it was
// taken from (every sweep runs one), not only at a restart; while the
// other holds it, or while it runs here, ResumeUnfinished leaves it alone.
TEST_F(BucketKeyRotationTest, ARotationHandedOverAndDroppedIsResumedByTheNextSweep) {
  for (int i = 0; i < 3; ++i) Put(bucket_, "h" + std::to_string(i), 1500);
  meta::testing::NoticeBus bus;
  meta::testing::BusStore here(store_, bus), there(store_, bus);
  BucketKeyRotation job(here, catalog_, keys_);
  job.batch_size = 1;
  job.lease_recheck = std::chrono::milliseconds(0);
  std::unique_ptr<meta::WorkerLease> taken_over;
  int batches = 0;
  job.after_batch_for_test = [&] {
    if (++batches != 1) return;
    // Running here: left alone, quietly.
    Result<std::vector<std::string>> resumed = job.ResumeUnfinished();
    ASSERT_OK(resumed);
    EXPECT_TRUE(resumed->empty());
    // This process stalls past its period; the other takes the job over.
    std::unique_ptr<meta::WorkerLease> probe = TakeRotationLease(there, "bucket", "photos");
    ASSERT_EQ(probe, nullptr);
    bus.Lapse(RotationLeaseName("bucket", "photos"));
    taken_over = TakeRotationLease(there, "bucket", "photos");
    ASSERT_NE(taken_over, nullptr);
  };
  ASSERT_OK(job.Start("acme", "photos"));
  for (int i = 0; i < 1000 && job.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(job.Progress("acme", "photos").state, "failed");
  EXPECT_NE(job.Progress("acme", "photos").error.find("another server took the rotation over"), std::string::npos)
      << job.Progress("acme", "photos").error;
  EXPECT_EQ(Fresh().previous_keys.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> resumed, job.ResumeUnfinished());
  EXPECT_TRUE(resumed.empty());  // the other process runs it
  taken_over.reset();            // and dies, its lease released
  ASSERT_OK_AND_ASSIGN(resumed, job.ResumeUnfinished());
  EXPECT_EQ(resumed, std::vector<std::string>{"acme/photos"});
  for (int i = 0; i < 1000 && job.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(job.Progress("acme", "photos").state, "done") << job.Progress("acme", "photos").error;
  EXPECT_TRUE(Fresh().previous_keys.empty());
  EXPECT_EQ(VersionsInUse(), std::set<uint32_t>{2});
  ExpectAllReadable();
}

// A job that failed here for a reason of its own (an SSE-C object only its
// tenant can rewrite) is not retried by every sweep, each a full pass over
// the bucket: a Start retries it (or a restart).
TEST_F(BucketKeyRotationTest, ARotationThatFailedHereWaitsForAStart) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes customer, crypto::RandomBytes(32));
  Put(bucket_, "plain", 2000);
  Put(bucket_, "ssec", 2000, 1, {}, &customer);
  ASSERT_OK(rotation_.Start("acme", "photos"));
  for (int i = 0; i < 1000 && rotation_.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(rotation_.Progress("acme", "photos").state, "failed");
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> resumed, rotation_.ResumeUnfinished());
  EXPECT_TRUE(resumed.empty());
  EXPECT_EQ(rotation_.Progress("acme", "photos").state, "failed");
  // The tenant rewrites its object; a Start then finishes the rotation.
  Put(Fresh(), "ssec", 2000, 1, {}, &customer);
  ASSERT_OK(rotation_.Start("acme", "photos"));
  for (int i = 0; i < 1000 && rotation_.Progress("acme", "photos").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(rotation_.Progress("acme", "photos").state, "done") << rotation_.Progress("acme", "photos").error;
  EXPECT_TRUE(Fresh().previous_keys.empty());
}

// The same for a tenant-key rotation, failed here by the tenant's policy
// (no SYSTEM_MAINTENANCE): the sweeps leave it, a Start retries it.
TEST_F(BucketKeyRotationTest, ATenantRotationThatFailedHereWaitsForAStart) {
  Put(bucket_, "t", 1500);
  KeyRotation rotation(store_, catalog_, tenant_keys_, keys_);
  kms::JustificationSet only;
  only.Add(kms::Justification::kTenantRequest);
  ASSERT_OK(tenant_keys_.SetAllowed("acme", only).status());
  Result<RotationProgress> started = rotation.Start("acme");
  if (started.ok()) {
    for (int i = 0; i < 1000 && rotation.Progress("acme").state == "running"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_EQ(rotation.Progress("acme").state, "failed") << started.status().ToString();
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  ASSERT_FALSE(info.previous_versions.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> resumed, rotation.ResumeUnfinished());
  EXPECT_TRUE(resumed.empty());
  // A process that did not see it fail (a restart) resumes it.
  KeyRotation restarted(store_, catalog_, tenant_keys_, keys_);
  ASSERT_OK(tenant_keys_.SetAllowed("acme", kms::JustificationSet::All()).status());
  ASSERT_OK_AND_ASSIGN(resumed, restarted.ResumeUnfinished());
  EXPECT_EQ(resumed, std::vector<std::string>{"acme"});
  for (int i = 0; i < 1000 && restarted.Progress("acme").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(restarted.Progress("acme").state, "done") << restarted.Progress("acme").error;
  ASSERT_OK_AND_ASSIGN(info, tenant_keys_.Info("acme"));
  EXPECT_TRUE(info.previous_versions.empty());
  ExpectAllReadable();
}

}  // namespace
}  // namespace confiance::catalog

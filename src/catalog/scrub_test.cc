// File: catalog/scrub_test.cc
// Scrub over the fakes: a clean store reports nothing; a flipped byte in an
// inline value or a blob, a missing, short or over-long blob, and an
// undecodable record are each reported, all in one walk, with the right
// bucket, key and kind.
#include "catalog/scrub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "blob/memory/memory_blob_store.h"
#include "catalog/bucket_key_rotation.h"
#include "catalog/object_data.h"
#include "crypto/customer_key.h"
#include "crypto/random.h"
#include "kms/fake_key_provider.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using Kind = ScrubDamage::Kind;
using testutil::SeededBytes;

constexpr size_t kInlineLimit = 64 * 1024 + 64;

class ScrubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_ = MakeBucket("bucket", "b1");
    other_ = MakeBucket("other", "b2");
  }
  BucketRecord MakeBucket(const std::string& name, const std::string& id, const std::string& owner = "root") {
    BucketRecord b;
    b.name = name;
    b.id = id;
    b.owner = owner;
    EXPECT_OK(keys_.CreateFor(b));
    EXPECT_OK(catalog_.CreateBucket(b));
    return b;
  }
  Segment WriteSegment(const BucketRecord& b, const std::string& data) {
    auto key = keys_.Get(b, kms::Justification::kTenantRequest);
    EXPECT_TRUE(key.ok());
    auto w = SegmentWriter::Create(blobs_, **key, b.id, kInlineLimit);
    EXPECT_TRUE(w.ok());
    EXPECT_OK((*w)->Write(std::as_bytes(std::span(data.data(), data.size()))));
    auto seg = (*w)->Finish();
    EXPECT_TRUE(seg.ok());
    return seg.ok() ? *seg : Segment{};
  }
  // One object made of one segment per entry of `parts`.
  void Put(const BucketRecord& b, const std::string& key, const std::vector<size_t>& parts) {
    ObjectRecord r;
    uint32_t seed = static_cast<uint32_t>(std::hash<std::string>{}(key));
    for (size_t n : parts) {
      r.segments.push_back(WriteSegment(b, SeededBytes(n, seed++)));
      r.size += n;
    }
    if (parts.size() > 1) r.parts_count = static_cast<uint32_t>(parts.size());
    r.op_tag = NewOpTag();
    ASSERT_OK(catalog_.PutObject(b, key, r));
  }
  ObjectRecord Get(const BucketRecord& b, const std::string& key) {
    auto r = catalog_.GetObject(b, key);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ObjectRecord{};
  }
  // Replaces blob `id` by `mutate(content)` under the same id.
  void MutateBlob(const std::string& id, const std::function<void(std::string&)>& mutate) {
    auto reader = blobs_.Open(id);
    ASSERT_TRUE(reader.ok());
    std::string content((*reader)->size(), '\0');
    auto n = (*reader)->ReadAt(0, std::as_writable_bytes(std::span(content.data(), content.size())));
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(*n, content.size());
    mutate(content);
    ASSERT_OK(blobs_.Delete(id));
    auto blob = std::make_shared<blob::MemoryBlobStore::Blob>();
    blob->data = std::move(content);
    ASSERT_OK(blobs_.InsertCommitted(id, blob));
  }
  ScrubReport Run() {
    auto r = Scrub(catalog_, blobs_, keys_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ScrubReport{};
  }
  const ScrubDamage* Find(const ScrubReport& r, const std::string& key) {
    for (const ScrubDamage& d : r.damaged) {
      if (d.key == key) return &d;
    }
    return nullptr;
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  blob::MemoryBlobStore blobs_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys keys_{kms_, tenant_keys_};
  BucketRecord bucket_, other_;
};

TEST_F(ScrubTest, CleanStoreReportsNothing) {
  Put(bucket_, "empty", {0});
  Put(bucket_, "small", {5000});
  Put(bucket_, "large", {300000});
  Put(bucket_, "multi", {5 << 20, 100, 0});
  Put(other_, "x", {70000});
  ScrubReport r = Run();
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.buckets, 2u);
  EXPECT_EQ(r.objects, 5u);
  EXPECT_EQ(r.segments, 7u);
  EXPECT_EQ(r.bytes_verified, 5000u + 300000u + (5u << 20) + 100u + 70000u);
}

// A tenant whose key policy does not allow SYSTEM_MAINTENANCE keeps its
// objects out of the scrub: counted and named, not reported as damage.
TEST_F(ScrubTest, TenantsThatRefuseMaintenanceAreSkipped) {
  BucketRecord private_bucket = MakeBucket("private", "b3", "acme");
  Put(private_bucket, "a", {100});
  Put(private_bucket, "b", {200000});
  Put(bucket_, "small", {5000});
  kms::JustificationSet tenant_only;
  tenant_only.Add(kms::Justification::kTenantRequest);
  ASSERT_OK(tenant_keys_.SetAllowed("acme", tenant_only).status());
  ScrubReport r = Run();
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.objects, 1u);
  EXPECT_EQ(r.bytes_verified, 5000u);
  EXPECT_EQ(r.key_access_refused, 2u);
  ASSERT_EQ(r.refused_buckets.size(), 1u);
  EXPECT_THAT(r.refused_buckets[0], ::testing::HasSubstr("private: Key access denied: the key-access justification "
                                                         "SYSTEM_MAINTENANCE is not allowed by the key policy of "
                                                         "tenant acme"));
}

// SSE-C objects (data keys under a KEK of the customer's key) are not
// reported as damaged, though the scrubber cannot decrypt them; a missing
// or truncated blob of one still is.
TEST_F(ScrubTest, SseCObjectsAreCheckedForSizeOnly) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes customer, crypto::RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string salt, crypto::NewCustomerKeySalt());
  auto put_ssec = [&](const std::string& key, size_t n) {
    auto bucket_key = keys_.Get(bucket_, kms::Justification::kTenantRequest);
    ASSERT_TRUE(bucket_key.ok());
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes kek, crypto::DeriveCustomerKek(**bucket_key, customer, salt));
    auto w = SegmentWriter::Create(blobs_, kek, bucket_.id, kInlineLimit);
    ASSERT_TRUE(w.ok());
    std::string data = SeededBytes(n, 7);
    ASSERT_OK((*w)->Write(std::as_bytes(std::span(data.data(), data.size()))));
    auto seg = (*w)->Finish();
    ASSERT_TRUE(seg.ok());
    ObjectRecord r;
    r.size = n;
    r.segments.push_back(*seg);
    r.sse_c_salt = salt;
    r.sse_c_verifier = crypto::CustomerKeyVerifier(customer, salt);
    r.op_tag = NewOpTag();
    ASSERT_OK(catalog_.PutObject(bucket_, key, r));
  };
  put_ssec("ssec-inline", 3000);
  put_ssec("ssec-blob", 200000);
  put_ssec("ssec-short", 200000);
  Put(bucket_, "plain", {1000});
  MutateBlob(Get(bucket_, "ssec-short").segments[0].blob_id, [](std::string& c) { c.resize(c.size() - 1); });
  ScrubReport r = Run();
  EXPECT_EQ(r.objects, 4u);
  EXPECT_EQ(r.sse_c_size_only, 3u);
  EXPECT_EQ(r.bytes_verified, 1000u);
  ASSERT_EQ(r.damaged.size(), 1u);
  EXPECT_EQ(r.damaged[0].key, "ssec-short");
  EXPECT_EQ(r.damaged[0].kind, Kind::kShortBlob);
}

TEST_F(ScrubTest, ReportsEveryDamagedObjectInOneWalk) {
  Put(bucket_, "a-ok", {1000});
  Put(bucket_, "inline-flip", {5000});
  Put(bucket_, "blob-flip", {300000});
  Put(bucket_, "blob-missing", {100000});
  Put(bucket_, "blob-short", {100000});
  Put(bucket_, "blob-long", {100000});
  Put(bucket_, "empty-inline-flip", {0});
  Put(bucket_, "multi-part2-flip", {70000, 70000, 10});
  Put(bucket_, "z-ok", {200000});
  Put(other_, "ok", {10});

  // Inline: re-put the record with one byte of its sealed data flipped.
  {
    ObjectRecord r = Get(bucket_, "inline-flip");
    ASSERT_TRUE(r.segments[0].blob_id.empty());
    r.segments[0].inline_data[1234] ^= 0x01;
    ASSERT_OK(catalog_.PutObject(bucket_, "inline-flip", r));
  }
  {
    ObjectRecord r = Get(bucket_, "empty-inline-flip");
    ASSERT_EQ(r.segments[0].inline_data.size(), 32u);
    r.segments[0].inline_data[20] ^= 0x80;  // in the tag
    ASSERT_OK(catalog_.PutObject(bucket_, "empty-inline-flip", r));
  }
  MutateBlob(Get(bucket_, "blob-flip").segments[0].blob_id, [](std::string& c) { c[200000] ^= 0x10; });
  ASSERT_OK(blobs_.Delete(Get(bucket_, "blob-missing").segments[0].blob_id));
  MutateBlob(Get(bucket_, "blob-short").segments[0].blob_id, [](std::string& c) { c.resize(c.size() - 1); });
  MutateBlob(Get(bucket_, "blob-long").segments[0].blob_id, [](std::string& c) { c.push_back('x'); });
  MutateBlob(Get(bucket_, "multi-part2-flip").segments[1].blob_id, [](std::string& c) { c[20] ^= 0x01; });

  ScrubReport r = Run();
  EXPECT_EQ(r.objects, 10u);
  ASSERT_EQ(r.damaged.size(), 7u);
  struct Want {
    const char* key;
    Kind kind;
  };
  for (const Want& w : {Want{"inline-flip", Kind::kAuthFailure}, Want{"blob-flip", Kind::kAuthFailure},
                        Want{"blob-missing", Kind::kMissingBlob}, Want{"blob-short", Kind::kShortBlob},
                        Want{"blob-long", Kind::kLongBlob}, Want{"empty-inline-flip", Kind::kAuthFailure},
                        Want{"multi-part2-flip", Kind::kAuthFailure}}) {
    const ScrubDamage* d = Find(r, w.key);
    ASSERT_NE(d, nullptr) << w.key;
    EXPECT_EQ(d->bucket, "bucket");
    EXPECT_EQ(d->kind, w.kind) << w.key << ": " << d->detail;
  }
  EXPECT_NE(Find(r, "multi-part2-flip")->detail.find("part 2"), std::string::npos)
      << Find(r, "multi-part2-flip")->detail;
  EXPECT_EQ(Find(r, "a-ok"), nullptr);
  EXPECT_EQ(Find(r, "z-ok"), nullptr);
}

// Without any key: blobs missing or of another size are found, a flipped
// byte in a blob of the right size is not (that takes the keys), and
// nothing is decrypted.
TEST_F(ScrubTest, CheckSizesFindsMissingAndResizedBlobsWithoutAKey) {
  Put(bucket_, "a-ok", {1000});
  Put(bucket_, "blob-flip", {300000});
  Put(bucket_, "blob-missing", {100000});
  Put(bucket_, "blob-short", {100000});
  Put(bucket_, "blob-long", {100000});
  Put(bucket_, "multi-part3-missing", {70000, 70000, 70000});
  Put(other_, "ok", {10});
  MutateBlob(Get(bucket_, "blob-flip").segments[0].blob_id, [](std::string& c) { c[200000] ^= 0x10; });
  ASSERT_OK(blobs_.Delete(Get(bucket_, "blob-missing").segments[0].blob_id));
  MutateBlob(Get(bucket_, "blob-short").segments[0].blob_id, [](std::string& c) { c.resize(c.size() - 1); });
  MutateBlob(Get(bucket_, "blob-long").segments[0].blob_id, [](std::string& c) { c.push_back('x'); });
  ASSERT_OK(blobs_.Delete(Get(bucket_, "multi-part3-missing").segments[2].blob_id));

  auto checked = CheckSizes(catalog_, blobs_);
  ASSERT_OK(checked.status());
  const ScrubReport& r = *checked;
  EXPECT_TRUE(r.sizes_only);
  EXPECT_EQ(r.bytes_verified, 0u);
  EXPECT_EQ(r.buckets, 2u);
  EXPECT_EQ(r.objects, 7u);
  EXPECT_EQ(r.segments, 9u);
  ASSERT_EQ(r.damaged.size(), 4u);
  struct Want {
    const char* key;
    Kind kind;
  };
  for (const Want& w : {Want{"blob-missing", Kind::kMissingBlob}, Want{"blob-short", Kind::kShortBlob},
                        Want{"blob-long", Kind::kLongBlob}, Want{"multi-part3-missing", Kind::kMissingBlob}}) {
    const ScrubDamage* d = Find(r, w.key);
    ASSERT_NE(d, nullptr) << w.key;
    EXPECT_EQ(d->kind, w.kind) << w.key << ": " << d->detail;
  }
  EXPECT_EQ(Find(r, "blob-flip"), nullptr) << "a byte changed inside a blob of the right size needs the keys";
  // The full scrub, with the keys, finds the flip too.
  EXPECT_EQ(Find(Run(), "blob-flip")->kind, Kind::kAuthFailure);
}

TEST_F(ScrubTest, CheckSizesSkipsTheBlobsItIsToldAreElsewhere) {
  Put(bucket_, "here", {100000});
  Put(bucket_, "elsewhere", {100000, 100000});
  const std::string gone = Get(bucket_, "elsewhere").segments[1].blob_id;
  ASSERT_OK(blobs_.Delete(gone));
  auto checked = CheckSizes(catalog_, blobs_, {}, [&](const std::string& id) { return id == gone; });
  ASSERT_OK(checked.status());
  EXPECT_EQ(checked->segments, 3u);
  EXPECT_EQ(checked->segments_skipped, 1u);
  EXPECT_TRUE(checked->damaged.empty());
  // Without the skip, the same blob is missing.
  ASSERT_OK_AND_ASSIGN(ScrubReport all, CheckSizes(catalog_, blobs_));
  EXPECT_EQ(all.segments_skipped, 0u);
  ASSERT_EQ(all.damaged.size(), 1u);
  EXPECT_EQ(all.damaged[0].kind, Kind::kMissingBlob);
}

TEST_F(ScrubTest, UndecodableRecordIsReportedAndOtherBucketsStillScrubbed) {
  Put(bucket_, "a", {10});
  Put(other_, "b", {10});
  Put(other_, "c", {100000});
  MutateBlob(Get(other_, "c").segments[0].blob_id, [](std::string& c) { c[50] ^= 0x01; });
  // Garbage where bucket_'s record for "bad" lives.
  meta::Batch batch;
  batch.op_tag = NewOpTag();
  batch.Put("bad", "\xff\xfe not a record");
  ASSERT_OK(store_.Apply(Catalog::ObjectPartition(bucket_, "bad"), batch));

  ScrubReport r = Run();
  bool bucket_reported = false;
  for (const ScrubDamage& d : r.damaged) {
    if (d.bucket == "bucket") {
      bucket_reported = true;
      EXPECT_TRUE(d.kind == Kind::kUndecodableRecord || d.kind == Kind::kListingFailed) << d.detail;
    }
  }
  EXPECT_TRUE(bucket_reported);
  const ScrubDamage* c = Find(r, "c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->bucket, "other");
  EXPECT_EQ(c->kind, Kind::kAuthFailure);
}

TEST_F(ScrubTest, ProgressSeesEveryObject) {
  for (int i = 0; i < 25; ++i) Put(bucket_, "k" + std::to_string(i), {static_cast<size_t>(i * 10)});
  std::vector<std::string> seen;
  auto r = Scrub(catalog_, blobs_, keys_, [&](const ScrubReport& rep, const std::string& b, const std::string& k) {
    EXPECT_EQ(rep.objects, seen.size() + 1);
    seen.push_back(b + "/" + k);
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_TRUE(r->damaged.empty());
}

}  // namespace
}  // namespace confiance::catalog

namespace confiance::catalog {
namespace {

// A versioned bucket: noncurrent versions are scrubbed too, delete markers
// skipped.
TEST_F(ScrubTest, NoncurrentVersionsAreScrubbed) {
  ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket("bucket", [](BucketRecord& b) {
    b.versioning = BucketVersioning::kEnabled;
    return OkStatus();
  }));
  Put(bucket_, "k", {100000});
  const std::string old_blob = Get(bucket_, "k").segments[0].blob_id;
  Put(bucket_, "k", {100000});
  ASSERT_OK(catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt));  // a marker on top
  ScrubReport clean = Run();
  EXPECT_TRUE(clean.damaged.empty());
  EXPECT_EQ(clean.objects, 2u);
  ASSERT_OK(blobs_.Delete(old_blob));
  ScrubReport r = Run();
  ASSERT_EQ(r.damaged.size(), 1u);
  EXPECT_EQ(r.damaged[0].key, "k");
  EXPECT_EQ(r.damaged[0].kind, Kind::kMissingBlob);
}

}  // namespace
}  // namespace confiance::catalog

namespace confiance::catalog {
namespace {

// A blob store that runs `on_open` before each Open: the test's stand-in for
// a writer (and the sweeper behind it) that acts while the scrub reads.
class HookedBlobStore final : public blob::BlobStore {
 public:
  explicit HookedBlobStore(blob::BlobStore& inner) : inner_(inner) {}
  std::function<void(const std::string& id)> on_open;

  Result<std::unique_ptr<blob::BlobWriter>> NewBlob() override { return inner_.NewBlob(); }
  Result<std::unique_ptr<blob::BlobReader>> Open(const std::string& id) override {
    if (on_open) on_open(id);
    return inner_.Open(id);
  }
  Status Delete(const std::string& id) override { return inner_.Delete(id); }
  Result<std::vector<blob::BlobInfo>> List(const std::string& start_after, size_t limit) override {
    return inner_.List(start_after, limit);
  }

 private:
  blob::BlobStore& inner_;
};

class OnlineScrubTest : public ScrubTest {
 protected:
  // Before the scrub first opens `key`'s blob, the object is overwritten and
  // its old blob deleted, as a PUT and the sweeper would.
  void ReplaceOnFirstOpen(const std::string& key, size_t new_size) {
    const std::string old_blob = Get(bucket_, key).segments[0].blob_id;
    hooked_.on_open = [this, key, new_size, old_blob, fired = false](const std::string& id) mutable {
      if (fired || id != old_blob) return;
      fired = true;
      Put(bucket_, key, {new_size});
      ASSERT_OK(blobs_.Delete(old_blob));
    };
  }
  Result<ScrubReport> RunOnline(const ScrubOptions& options = {}) { return Scrub(catalog_, hooked_, keys_, options); }

  HookedBlobStore hooked_{blobs_};
};

TEST_F(OnlineScrubTest, AnObjectReplacedUnderItsReadIsReadAgainNotReported) {
  Put(bucket_, "a", {1000});
  Put(bucket_, "replaced", {100000});
  Put(bucket_, "z", {200000});
  ReplaceOnFirstOpen("replaced", 150000);
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline());
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.damaged_objects, 0u);
  EXPECT_EQ(r.changed_during_scrub, 0u);
  EXPECT_EQ(r.objects, 3u);
  // The new version's data was read in full, as were the others'.
  EXPECT_EQ(r.bytes_verified, 1000u + 150000u + 200000u);
}

// Every read of the object's blob finds it replaced: counted, not damage.
TEST_F(OnlineScrubTest, AnObjectThatKeepsChangingIsCountedNotReported) {
  Put(bucket_, "busy", {100000});
  Put(bucket_, "quiet", {100000});
  hooked_.on_open = [this](const std::string& id) {
    ObjectRecord now = Get(bucket_, "busy");
    if (now.segments.empty() || now.segments[0].blob_id != id) return;
    Put(bucket_, "busy", {100000});
    ASSERT_OK(blobs_.Delete(id));
  };
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline());
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.changed_during_scrub, 1u);
  EXPECT_EQ(r.objects, 2u);
}

// Real damage under a record that does not change is still reported, once,
// after the one re-read of the record that confirms it.
TEST_F(OnlineScrubTest, DamageUnderAnUnchangedRecordIsReported) {
  Put(bucket_, "flipped", {300000});
  Put(bucket_, "missing", {100000});
  MutateBlob(Get(bucket_, "flipped").segments[0].blob_id, [](std::string& c) { c[1000] ^= 0x04; });
  ASSERT_OK(blobs_.Delete(Get(bucket_, "missing").segments[0].blob_id));
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline());
  ASSERT_EQ(r.damaged.size(), 2u);
  EXPECT_EQ(r.damaged_objects, 2u);
  EXPECT_EQ(r.changed_during_scrub, 0u);
  EXPECT_EQ(Find(r, "flipped")->kind, Kind::kAuthFailure);
  EXPECT_EQ(Find(r, "missing")->kind, Kind::kMissingBlob);
}

// A deleted object is neither damage nor a change.
TEST_F(OnlineScrubTest, AnObjectDeletedUnderItsReadIsSkipped) {
  Put(bucket_, "gone", {100000});
  const std::string blob = Get(bucket_, "gone").segments[0].blob_id;
  hooked_.on_open = [this, blob](const std::string& id) {
    if (id != blob) return;
    ASSERT_TRUE(catalog_.DeleteObject(bucket_, "gone").ok());
    ASSERT_OK(blobs_.Delete(blob));
  };
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline());
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.changed_during_scrub, 0u);
}

TEST_F(OnlineScrubTest, PaceSeesEveryVerifiedByteAndStopEndsTheWalk) {
  Put(bucket_, "a", {3 << 20});
  Put(bucket_, "b", {5000});
  uint64_t paced = 0;
  ScrubOptions options;
  options.pace = [&](uint64_t n) {
    EXPECT_LE(n, 1u << 20);
    paced += n;
  };
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline(options));
  EXPECT_EQ(paced, r.bytes_verified);
  EXPECT_EQ(paced, (3u << 20) + 5000u);

  // Stopped inside the first object's second window.
  paced = 0;
  options.stop_requested = [&] { return paced >= (1u << 20); };
  Result<ScrubReport> stopped = RunOnline(options);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(paced, 1u << 20);
}

TEST_F(OnlineScrubTest, DamageBeyondTheCapIsCountedAndBucketsAreReportedAsDone) {
  for (const char* key : {"d1", "d2", "d3"}) {
    Put(bucket_, key, {100000});
    ASSERT_OK(blobs_.Delete(Get(bucket_, key).segments[0].blob_id));
  }
  Put(other_, "fine", {10});
  std::vector<std::pair<std::string, uint64_t>> done;  // bucket, running damaged count
  ScrubOptions options;
  options.max_damaged_listed = 2;
  options.bucket_done = [&](const BucketRecord& b, const ScrubReport& running) {
    done.emplace_back(b.name, running.damaged_objects);
  };
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline(options));
  EXPECT_EQ(r.damaged.size(), 2u);
  EXPECT_EQ(r.damaged_objects, 3u);
  EXPECT_THAT(done, ::testing::ElementsAre(std::pair<std::string, uint64_t>("bucket", 3),
                                           std::pair<std::string, uint64_t>("other", 3)));
}

// A bucket-key rotation that rewraps a bucket's objects after the scrub
// listed the buckets: the objects name a key version the listed record
// does not know yet. The scrub reads the record again; nothing is damage.
TEST_F(OnlineScrubTest, ObjectsRewrappedByARotationAfterTheListingAreNotDamage) {
  Put(other_, "a", {100000});
  Put(other_, "inline", {100});
  BucketKeyRotation rotation(store_, catalog_, keys_);
  ScrubOptions options;
  options.bucket_done = [&](const BucketRecord& b, const ScrubReport&) {
    if (b.name != "bucket") return;
    ASSERT_OK(catalog_.UpdateBucket(
        "other", [&](BucketRecord& r) { return keys_.AddVersion(r, kms::Justification::kSystemMaintenance); }));
    ASSERT_OK(rotation.RunJob("root", "other", std::stop_token()));
    ASSERT_EQ(Get(other_, "a").segments[0].key_version, 2u);
    keys_.Forget(other_.id);  // cached keys expire: unwrapped from the record
  };
  ASSERT_OK_AND_ASSIGN(ScrubReport r, RunOnline(options));
  EXPECT_TRUE(r.damaged.empty()) << r.damaged.front().detail;
  EXPECT_EQ(r.objects, 2u);
  EXPECT_EQ(r.bytes_verified, 100100u);
}

}  // namespace
}  // namespace confiance::catalog

namespace confiance::catalog {
namespace {

// A store whose table files fail their checksums.
class DamagedTablesStore final : public meta::ForwardingMetaStore {
 public:
  DamagedTablesStore() : ForwardingMetaStore(memory_) {}
  Status VerifyChecksums() override {
    return DataLossError("meta: verify checksums: block checksum mismatch in 7.sst");
  }

 private:
  meta::MemoryMetaStore memory_;
};

TEST(ScrubMetadataTest, AStoreWithoutChecksumsIsNotVerified) {
  meta::MemoryMetaStore store;
  Catalog catalog(store);
  blob::MemoryBlobStore blobs;
  kms::FakeKeyProvider kms;
  TenantKeys tenant_keys(store, kms);
  BucketKeys keys(kms, tenant_keys);
  ASSERT_OK_AND_ASSIGN(ScrubReport r, Scrub(catalog, blobs, keys));
  EXPECT_FALSE(r.metadata_verified);
  EXPECT_EQ(r.damaged_objects, 0u);
}

// Reported as damage, by Scrub and by the keyless CheckSizes alike, and the
// walk of the objects goes on.
TEST(ScrubMetadataTest, TableFilesThatFailTheirChecksumsAreDamage) {
  DamagedTablesStore store;
  Catalog catalog(store);
  blob::MemoryBlobStore blobs;
  kms::FakeKeyProvider kms;
  TenantKeys tenant_keys(store, kms);
  BucketKeys keys(kms, tenant_keys);
  BucketRecord b;
  b.name = "bucket";
  b.id = "b1";
  b.owner = "root";
  ASSERT_OK(keys.CreateFor(b));
  ASSERT_OK(catalog.CreateBucket(b));
  for (bool with_keys : {true, false}) {
    Result<ScrubReport> r = with_keys ? Scrub(catalog, blobs, keys) : CheckSizes(catalog, blobs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->metadata_verified);
    ASSERT_EQ(r->damaged.size(), 1u);
    EXPECT_EQ(r->damaged[0].kind, ScrubDamage::Kind::kMetadataChecksum);
    EXPECT_NE(r->damaged[0].detail.find("7.sst"), std::string::npos) << r->damaged[0].detail;
    EXPECT_EQ(r->buckets, 1u) << "the buckets are still walked";
  }
}

}  // namespace
}  // namespace confiance::catalog

namespace confiance::catalog {
namespace {

// Counts the two kinds of read its readers serve.
class CountingReader final : public blob::BlobReader {
 public:
  CountingReader(std::unique_ptr<blob::BlobReader> inner, int& plain, int& uncached)
      : inner_(std::move(inner)), plain_(plain), uncached_(uncached) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    ++plain_;
    return inner_->ReadAt(offset, out);
  }
  Result<size_t> ReadAtUncached(uint64_t offset, std::span<std::byte> out) const override {
    ++uncached_;
    return inner_->ReadAt(offset, out);
  }
  uint64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<blob::BlobReader> inner_;
  int& plain_;
  int& uncached_;
};

// The scrub's reads leave the page cache as clients had it: every blob
// read is ReadAtUncached.
TEST_F(OnlineScrubTest, EveryBlobReadIsUncached) {
  Put(bucket_, "a", {3 << 20});
  Put(bucket_, "b", {300000, 0});
  int plain = 0, uncached = 0;
  class Store final : public blob::BlobStore {
   public:
    Store(blob::BlobStore& inner, int& plain, int& uncached) : inner_(inner), plain_(plain), uncached_(uncached) {}
    Result<std::unique_ptr<blob::BlobWriter>> NewBlob() override { return inner_.NewBlob(); }
    Result<std::unique_ptr<blob::BlobReader>> Open(const std::string& id) override {
      ASSIGN_OR_RETURN(std::unique_ptr<blob::BlobReader> r, inner_.Open(id));
      return std::unique_ptr<blob::BlobReader>(std::make_unique<CountingReader>(std::move(r), plain_, uncached_));
    }
    Status Delete(const std::string& id) override { return inner_.Delete(id); }
    Result<std::vector<blob::BlobInfo>> List(const std::string& after, size_t limit) override {
      return inner_.List(after, limit);
    }

   private:
    blob::BlobStore& inner_;
    int& plain_;
    int& uncached_;
  } store(blobs_, plain, uncached);
  ASSERT_OK_AND_ASSIGN(ScrubReport r, Scrub(catalog_, store, keys_, ScrubOptions{}));
  EXPECT_EQ(r.bytes_verified, (3u << 20) + 300000u);
  EXPECT_EQ(plain, 0);
  EXPECT_GE(uncached, 4);  // at least one read per MiB window
}

}  // namespace
}  // namespace confiance::catalog

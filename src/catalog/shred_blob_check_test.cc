// File: catalog/shred_blob_check_test.cc
// Blob files kept aside, tried against the data keys the store holds: a
// blob of a live object (one package or several) or of an upload part opens
// under its own key; once its bucket is shredded, under none.
#include "catalog/shred_blob_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "blob/memory/memory_blob_store.h"
#include "catalog/object_data.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr size_t kInlineLimit = 1024;

class ShredBlobCheckTest : public ::testing::Test {
 protected:
  BucketRecord MakeBucket(const std::string& name, const std::string& id, const std::string& owner = "acme") {
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
    auto w = SegmentWriter::Create(blobs_, **key, b.id, kInlineLimit);
    EXPECT_TRUE(w.ok());
    std::string data(n, 'x');
    EXPECT_OK((*w)->Write(std::as_bytes(std::span(data.data(), data.size()))));
    auto seg = (*w)->Finish();
    EXPECT_TRUE(seg.ok());
    return seg.ok() ? *seg : Segment{};
  }
  // Puts an object and copies its blob to a file; returns the file's path.
  std::string Put(const BucketRecord& b, const std::string& key, size_t n) {
    ObjectRecord r;
    r.segments.push_back(WriteSegment(b, n));
    r.size = n;
    r.op_tag = NewOpTag();
    const std::string blob_id = r.segments[0].blob_id;
    EXPECT_OK(catalog_.PutObject(b, key, r));
    return blob_id.empty() ? "" : CopyAside(blob_id);
  }
  std::string Part(const BucketRecord& b, const std::string& upload_id) {
    UploadRecord up;
    up.upload_id = upload_id;
    up.key = "mp";
    EXPECT_OK(catalog_.CreateUpload(b, up));
    PartRecord p;
    p.part_number = 1;
    p.segment = WriteSegment(b, 5000);
    const std::string blob_id = p.segment.blob_id;
    EXPECT_OK(catalog_.PutPart(upload_id, p).status());
    return CopyAside(blob_id);
  }
  std::string CopyAside(const std::string& blob_id) {
    auto reader = blobs_.Open(blob_id);
    EXPECT_TRUE(reader.ok()) << blob_id << ": " << reader.status().ToString();
    std::string bytes((*reader)->size(), '\0');
    EXPECT_TRUE((*reader)->ReadAt(0, std::as_writable_bytes(std::span(bytes.data(), bytes.size()))).ok());
    const std::string path = dir_.Sub(blob_id);
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::optional<std::string> Opener(const HeldDataKeys& held, const std::string& path) {
    auto r = FindKeyOpeningBlob(*Env::Default(), path, held.keys);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  testutil::TempDir dir_;
  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  blob::MemoryBlobStore blobs_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys keys_{kms_, tenant_keys_};
};

TEST_F(ShredBlobCheckTest, HeldKeysOpenTheirBlobsUntilTheBucketIsShredded) {
  BucketRecord kept = MakeBucket("kept", "b1");
  BucketRecord doomed = MakeBucket("doomed", "b2");
  const std::string kept_blob = Put(kept, "k", 200 * 1024);  // 4 packages: package 0 not final
  const std::string doomed_blob = Put(doomed, "d", 5000);     // 1 package, final
  const std::string part_blob = Part(doomed, "u1");
  Put(doomed, "inline", 10);  // inline: no blob, no key gathered

  ASSERT_OK_AND_ASSIGN(HeldDataKeys held, GatherHeldDataKeys(catalog_, keys_));
  EXPECT_EQ(held.keys.size(), 3u);
  EXPECT_TRUE(held.not_tried.empty());
  EXPECT_THAT(Opener(held, kept_blob), Optional(std::string("kept/k version null segment 0")));
  EXPECT_THAT(Opener(held, doomed_blob), Optional(std::string("doomed/d version null segment 0")));
  EXPECT_THAT(Opener(held, part_blob), Optional(std::string("doomed upload u1 part 1")));

  // The bucket shredded (its record says so): its data keys are not held.
  ASSERT_OK(catalog_.UpdateBucket("doomed", [](BucketRecord& b) {
    b.key_id = std::string(kShreddedKeyRef);
    b.wrapped_key.clear();
    return OkStatus();
  }).status());
  keys_.MarkShredded("b2");
  ASSERT_OK_AND_ASSIGN(held, GatherHeldDataKeys(catalog_, keys_));
  EXPECT_EQ(held.keys.size(), 1u);
  EXPECT_EQ(Opener(held, doomed_blob), std::nullopt);
  EXPECT_EQ(Opener(held, part_blob), std::nullopt);
  EXPECT_THAT(Opener(held, kept_blob), Optional(std::string("kept/k version null segment 0")));

  // A file that is no blob is an error, not a pass.
  const std::string junk = dir_.Sub("junk");
  std::ofstream(junk, std::ios::binary) << std::string(100, 'j');
  EXPECT_STATUS_CODE(FindKeyOpeningBlob(*Env::Default(), junk, held.keys), kDataLoss);
}

TEST_F(ShredBlobCheckTest, ADestroyedTenantKeyHoldsNoDataKeyAndARefusedOneIsNotTried) {
  BucketRecord kept = MakeBucket("kept", "b1");
  BucketRecord gone = MakeBucket("gone", "b2", "globex");
  Put(kept, "k", 5000);
  const std::string gone_blob = Put(gone, "g", 5000);
  ASSERT_OK(tenant_keys_.Destroy("globex").status());  // before its reclamation: records still there
  ASSERT_OK_AND_ASSIGN(HeldDataKeys held, GatherHeldDataKeys(catalog_, keys_));
  EXPECT_EQ(held.keys.size(), 1u);
  EXPECT_TRUE(held.not_tried.empty());
  EXPECT_EQ(Opener(held, gone_blob), std::nullopt);
  // A tenant whose policy refuses SYSTEM_MAINTENANCE: its keys are held
  // but cannot be tried; the check must say so.
  kms::JustificationSet no_maintenance;
  no_maintenance.Add(kms::Justification::kTenantRequest);
  ASSERT_OK(tenant_keys_.SetAllowed("acme", no_maintenance).status());
  ASSERT_OK_AND_ASSIGN(held, GatherHeldDataKeys(catalog_, keys_));
  EXPECT_TRUE(held.keys.empty());
  ASSERT_EQ(held.not_tried.size(), 1u);
  EXPECT_THAT(held.not_tried[0], HasSubstr("kept/k version null segment 0: Key access denied"));
}

}  // namespace
}  // namespace confiance::catalog

// File: catalog/shred_check_test.cc
// The shred check over the fakes: the contexts it tries are the ones the
// real code wraps tenant and bucket keys with (every version, both
// wrappers); the scan finds a planted copy of a destroyed key at an odd
// offset and across a block boundary, and nothing once it is gone; a
// remaining key that cannot be tried makes the check inconclusive.
#include "catalog/shred_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/random.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr kms::Justification kWhy = kms::Justification::kSystemMaintenance;

class ShredCheckTest : public ::testing::Test {
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
  ShredCheckKeys Gather(const ShredScope& scope, uint32_t versions = 3) {
    auto k = GatherShredCheckKeys(scope, kms_, tenant_keys_, keys_, catalog_, versions);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? std::move(k).value() : ShredCheckKeys{};
  }
  // The name and context of every wrapper that opens `candidate`.
  std::vector<std::string> Opening(ShredCheckKeys& keys, std::string_view candidate) {
    std::vector<std::string> out;
    for (RemainingKey& k : keys.wrappers) {
      auto hit = k.matcher->Match(candidate);
      EXPECT_TRUE(hit.ok());
      if (hit.ok() && *hit) out.push_back(k.name + " " + k.contexts[**hit]);
    }
    return out;
  }
  std::string TenantKeyBytes(const std::string& tenant, uint32_t version) {
    auto raw = store_.Get(kTenantKeyPartition, tenant);
    EXPECT_TRUE(raw.ok() && raw->has_value());
    std::map<uint32_t, std::string> previous;
    auto decoded = DecodeTenantKey(**raw, &previous);
    EXPECT_TRUE(decoded.ok());
    return decoded->first.version == version ? decoded->second : previous[version];
  }
  static void WriteFile(const std::string& path, const std::string& bytes) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  static std::string Random(size_t n) {
    auto r = crypto::RandomBytes(n);
    EXPECT_TRUE(r.ok());
    return std::string(reinterpret_cast<const char*>(r->data()), n);
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys keys_{kms_, tenant_keys_};
};

TEST(ShredScopeTest, ParsesTheReceiptsTwoScopes) {
  ASSERT_OK_AND_ASSIGN(ShredScope t, ParseShredScope("acme", "tenant"));
  EXPECT_FALSE(t.is_bucket());
  EXPECT_EQ(t.tenant, "acme");
  ASSERT_OK_AND_ASSIGN(ShredScope b, ParseShredScope("acme", "bucket photos 0a1b2c"));
  EXPECT_TRUE(b.is_bucket());
  EXPECT_EQ(b.bucket_name, "photos");
  EXPECT_EQ(b.bucket_id, "0a1b2c");
  for (const char* bad : {"", "tenants", "bucket", "bucket photos", "bucket photos id extra", "bucket  id"}) {
    EXPECT_STATUS_CODE(ParseShredScope("acme", bad), kInvalidArgument) << bad;
  }
  EXPECT_STATUS_CODE(ParseShredScope("", "tenant"), kInvalidArgument);
}

TEST(ShredScopeTest, ContextsSpellTheDocumentedStrings) {
  ShredScope tenant{"acme", "", ""};
  EXPECT_THAT(DestroyedKeyContexts(tenant, false, 2),
              ElementsAre("confiance/tenant-key/v1/acme", "confiance/tenant-key/v1/acme/2"));
  EXPECT_TRUE(DestroyedKeyContexts(tenant, true, 2).empty());  // no tenant key wraps a tenant key
  ShredScope bucket{"acme", "photos", "b1"};
  EXPECT_THAT(DestroyedKeyContexts(bucket, true, 2),
              ElementsAre("confiance/bucket-key/v2/b1/acme", "confiance/bucket-key/v2/b1/acme/2"));
  EXPECT_THAT(DestroyedKeyContexts(bucket, false, 2),
              ElementsAre("confiance/bucket-key/v1/b1", "confiance/bucket-key/v1/b1/2"));
}

TEST_F(ShredCheckTest, BucketScopeOpensEveryStoredVersionOfTheBucketKey) {
  BucketRecord b = MakeBucket("photos", "b1", "acme");
  MakeBucket("other", "b2", "globex");
  ASSERT_OK(keys_.AddVersion(b, kWhy));  // version 2 current, version 1 previous
  ASSERT_OK(catalog_.UpdateBucket("photos", [&](BucketRecord& r) {
    r = b;
    return OkStatus();
  }).status());
  ASSERT_OK(tenant_keys_.Rotate("acme").status());  // a second tenant key version, wrapping nothing yet
  ShredCheckKeys keys = Gather(ShredScope{"acme", "photos", "b1"}, 1);
  EXPECT_EQ(keys.max_version, 2u);  // raised to the versions the record holds
  EXPECT_TRUE(keys.not_tried.empty()) << keys.not_tried[0];
  // 1 provider key + acme v1, v2 + globex v1 + photos v1, v2 + other v1.
  EXPECT_EQ(keys.remaining, 7u);
  ASSERT_EQ(b.previous_keys.size(), 1u);
  EXPECT_THAT(Opening(keys, b.wrapped_key),
              ElementsAre("tenant key acme v1 confiance/bucket-key/v2/b1/acme/2"));
  EXPECT_THAT(Opening(keys, b.previous_keys[0].wrapped_key),
              ElementsAre("tenant key acme v1 confiance/bucket-key/v2/b1/acme"));
  // A bucket from before tenant keys: its key wrapped by the provider.
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes legacy_key, crypto::RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string legacy, kms_.Wrap("fake-root", legacy_key, "confiance/bucket-key/v1/b1"));
  EXPECT_THAT(Opening(keys, legacy), ElementsAre("provider key fake-root confiance/bucket-key/v1/b1"));
  // Another bucket's key opens under no context of this one.
  ASSERT_OK_AND_ASSIGN(BucketRecord other, catalog_.GetBucket("other"));
  EXPECT_TRUE(Opening(keys, other.wrapped_key).empty());
}

TEST_F(ShredCheckTest, TenantScopeOpensEveryStoredVersionOfTheTenantKey) {
  MakeBucket("photos", "b1", "acme");
  ASSERT_OK(tenant_keys_.Rotate("acme").status());
  const std::string v1 = TenantKeyBytes("acme", 1), v2 = TenantKeyBytes("acme", 2);
  ASSERT_FALSE(v1.empty());
  ASSERT_NE(v1, v2);
  kms_.AddKey("root-old");  // a second provider key version: tried too
  ShredCheckKeys keys = Gather(ShredScope{"acme", "", ""}, 1);
  EXPECT_EQ(keys.max_version, 2u);
  ASSERT_EQ(keys.wrappers.size(), 2u);  // the provider's keys only
  EXPECT_THAT(Opening(keys, v1), ElementsAre("provider key fake-root confiance/tenant-key/v1/acme"));
  EXPECT_THAT(Opening(keys, v2), ElementsAre("provider key fake-root confiance/tenant-key/v1/acme/2"));
}

TEST_F(ShredCheckTest, AKeyThatCannotBeTriedMakesTheCheckInconclusive) {
  MakeBucket("photos", "b1", "acme");
  MakeBucket("other", "b2", "globex");
  kms::JustificationSet no_maintenance;
  no_maintenance.Add(kms::Justification::kTenantRequest);
  ASSERT_OK(tenant_keys_.SetAllowed("globex", no_maintenance).status());
  ShredCheckKeys keys = Gather(ShredScope{"acme", "photos", "b1"});
  ASSERT_EQ(keys.not_tried.size(), 2u);
  EXPECT_THAT(keys.not_tried[0], HasSubstr("tenant key globex v1: Key access denied"));
  EXPECT_THAT(keys.not_tried[1], HasSubstr("bucket key other v1: Key access denied"));
  // A destroyed tenant key is not a remaining key.
  ASSERT_OK(tenant_keys_.SetAllowed("globex", kms::JustificationSet::All()).status());
  ASSERT_OK(tenant_keys_.Destroy("globex").status());
  keys = Gather(ShredScope{"acme", "photos", "b1"});
  EXPECT_TRUE(keys.not_tried.empty());
  EXPECT_EQ(keys.remaining, 3u);  // provider, acme v1, photos v1
}

TEST_F(ShredCheckTest, ScanFindsAPlantedCopyAtAnyOffsetAndNothingWhenItIsGone) {
  BucketRecord b = MakeBucket("photos", "b1", "acme");
  testutil::TempDir dir;
  const size_t block = size_t{1} << 20;
  // An odd offset in one file; across the scan's block boundary in another
  // (in a sub-directory); a file too short to hold one; an empty file.
  std::string first = Random(10000);
  first.replace(4097, b.wrapped_key.size(), b.wrapped_key);
  WriteFile(dir.Sub("meta/000012.sst"), first);
  std::string second = Random(block + 5000);
  second.replace(block - 30, b.wrapped_key.size(), b.wrapped_key);
  WriteFile(dir.Sub("blobs/ab/blob"), second);
  WriteFile(dir.Sub("short"), b.wrapped_key.substr(0, 60));
  WriteFile(dir.Sub("empty"), "");

  ShredCheckKeys keys = Gather(ShredScope{"acme", "photos", "b1"});
  ASSERT_OK_AND_ASSIGN(ShredScan scan, ScanForDestroyedKey(*Env::Default(), {dir.path()}, keys.wrappers));
  EXPECT_EQ(scan.files, 4u);
  EXPECT_EQ(scan.bytes, 10000u + block + 5000u + 60u);
  ASSERT_EQ(scan.hits.size(), 2u);
  EXPECT_EQ(scan.hits[0].file, dir.Sub("blobs/ab/blob"));
  EXPECT_EQ(scan.hits[0].offset, block - 30);
  EXPECT_EQ(scan.hits[1].file, dir.Sub("meta/000012.sst"));
  EXPECT_EQ(scan.hits[1].offset, 4097u);
  EXPECT_EQ(scan.hits[1].key, "tenant key acme v1");
  EXPECT_EQ(scan.hits[1].context, "confiance/bucket-key/v2/b1/acme");

  // The same files without the copies: nothing opens.
  WriteFile(dir.Sub("meta/000012.sst"), Random(10000));
  WriteFile(dir.Sub("blobs/ab/blob"), Random(block + 5000));
  ASSERT_OK_AND_ASSIGN(scan, ScanForDestroyedKey(*Env::Default(), {dir.path()}, keys.wrappers));
  EXPECT_TRUE(scan.hits.empty());
  // A root that is a file is scanned as one; a missing root is an error.
  ASSERT_OK_AND_ASSIGN(scan, ScanForDestroyedKey(*Env::Default(), {dir.Sub("short")}, keys.wrappers));
  EXPECT_EQ(scan.files, 1u);
  EXPECT_FALSE(ScanForDestroyedKey(*Env::Default(), {dir.Sub("missing")}, keys.wrappers).ok());
}

}  // namespace
}  // namespace confiance::catalog

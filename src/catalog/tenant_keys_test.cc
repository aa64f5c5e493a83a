// File: catalog/tenant_keys_test.cc
// TenantKeys and BucketKeys over the memory store and the fake provider:
// the hierarchy (bucket keys wrapped under the tenant key), the
// justification policy checked on every use, crypto-shredding, the cache
// lifetime that lets a provider-side revocation take effect, and records
// that decode as written.
#include "catalog/tenant_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "catalog/bucket_keys.h"
#include "crypto/random.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::catalog {
namespace {

using kms::Justification;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testutil::SameSecret;

class TenantKeysTest : public ::testing::Test {
 protected:
  BucketRecord Bucket(const std::string& name, const std::string& owner) {
    BucketRecord b;
    b.name = name;
    b.id = "id-" + name;
    b.owner = owner;
    return b;
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys bucket_keys_{kms_, tenant_keys_};
};

TEST_F(TenantKeysTest, BucketKeysAreWrappedUnderTheTenantKey) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  EXPECT_EQ(b.key_id, kTenantKeyRef);
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_EQ(info.provider_key_id, "fake-root");
  EXPECT_FALSE(info.destroyed);
  EXPECT_EQ(info.allowed, kms::JustificationSet::All());
  ASSERT_OK_AND_ASSIGN(auto created, bucket_keys_.Get(b, Justification::kTenantRequest));

  // A fresh process (new caches) unwraps the same key through the tenant key.
  TenantKeys tenant_keys2(store_, kms_);
  BucketKeys bucket_keys2(kms_, tenant_keys2);
  ASSERT_OK_AND_ASSIGN(auto reread, bucket_keys2.Get(b, Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*created, *reread));
  // The wrap binds the owner: the same record under another tenant does not open.
  BucketRecord moved = b;
  moved.owner = "other";
  TenantKeys tenant_keys3(store_, kms_);
  BucketKeys bucket_keys3(kms_, tenant_keys3);
  EXPECT_FALSE(bucket_keys3.Get(moved, Justification::kTenantRequest).ok());
  // One tenant key per tenant: another bucket of acme reuses it.
  BucketRecord b2 = Bucket("b2", "acme");
  int wraps = kms_.wrap_calls();
  ASSERT_OK(bucket_keys_.CreateFor(b2));
  EXPECT_EQ(kms_.wrap_calls(), wraps);
}

TEST_F(TenantKeysTest, LegacyProviderWrappedBucketKeysStillOpen) {
  // A bucket from before tenant keys: its key wrapped by the provider.
  BucketRecord b = Bucket("old", "acme");
  crypto::SecretBytes key = std::move(crypto::RandomBytes(32)).value();
  b.key_id = "fake-root";
  b.wrapped_key = *kms_.Wrap("fake-root", key, "confiance/bucket-key/v1/" + b.id);
  ASSERT_OK_AND_ASSIGN(auto got, bucket_keys_.Get(b, Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*got, key));
  // A provider that refuses (its key revoked) is a key-access refusal the
  // requester sees, not an internal fault.
  kms::FakeKeyProvider revoked("gone");
  TenantKeys tenant_keys2(store_, revoked);
  BucketKeys bucket_keys2(revoked, tenant_keys2);
  auto refused = bucket_keys2.Get(b, Justification::kTenantRequest);
  EXPECT_STATUS_CODE(refused, kPermissionDenied);
  EXPECT_THAT(refused.status().message(), StartsWith(std::string(kKeyAccessDenied)));
  // ... and under the same policy as every other bucket of the tenant.
  ASSERT_OK(tenant_keys_.SetAllowed("acme", kms::JustificationSet()));
  EXPECT_STATUS_CODE(bucket_keys_.Get(b, Justification::kTenantRequest), kPermissionDenied);
}

TEST_F(TenantKeysTest, PolicyIsCheckedOnEveryUseCachedOrNot) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  ASSERT_OK(bucket_keys_.Get(b, Justification::kSystemMaintenance).status());
  kms::JustificationSet tenant_only;
  tenant_only.Add(Justification::kTenantRequest);
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.SetAllowed("acme", tenant_only));
  EXPECT_EQ(info.allowed.ToString(), "TENANT_REQUEST");
  // The bucket key is cached, yet maintenance is now refused, with a reason
  // that names the justification and can be shown to the tenant.
  auto refused = bucket_keys_.Get(b, Justification::kSystemMaintenance);
  EXPECT_STATUS_CODE(refused, kPermissionDenied);
  EXPECT_THAT(refused.status().message(), StartsWith(std::string(kKeyAccessDenied)));
  EXPECT_THAT(refused.status().message(), HasSubstr("SYSTEM_MAINTENANCE is not allowed by the key policy of tenant acme"));
  EXPECT_OK(bucket_keys_.Get(b, Justification::kTenantRequest).status());
  // Another tenant's policy is its own.
  BucketRecord other = Bucket("o", "globex");
  ASSERT_OK(bucket_keys_.CreateFor(other));
  EXPECT_OK(bucket_keys_.Get(other, Justification::kSystemMaintenance).status());
  // The policy is stored: a new process sees it.
  TenantKeys reopened(store_, kms_);
  EXPECT_STATUS_CODE(reopened.Check("acme", Justification::kOperatorApproved), kPermissionDenied);
  EXPECT_OK(reopened.Check("acme", Justification::kTenantRequest));
}

TEST_F(TenantKeysTest, DestroyedKeyShredsTheTenantsData) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  ASSERT_OK(bucket_keys_.Get(b, Justification::kTenantRequest).status());
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Destroy("acme"));
  EXPECT_TRUE(info.destroyed);
  EXPECT_GT(info.destroyed_ms, 0u);
  // Refused at once, cached bucket key or not, for every reason.
  for (Justification j : {Justification::kTenantRequest, Justification::kLegalOrder}) {
    auto r = bucket_keys_.Get(b, j);
    EXPECT_STATUS_CODE(r, kPermissionDenied);
    EXPECT_THAT(r.status().message(), HasSubstr("was destroyed (crypto-shredded)"));
  }
  // The stored record holds no wrapped key any more: nothing to unwrap even
  // with the provider's root key.
  ASSERT_OK_AND_ASSIGN(auto stored, store_.Get(kTenantKeyPartition, "acme"));
  ASSERT_TRUE(stored.has_value());
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeTenantKey(*stored));
  EXPECT_TRUE(decoded.second.empty());
  // New buckets cannot be keyed; the policy cannot be changed back; a
  // second destroy is a no-op.
  BucketRecord b2 = Bucket("b2", "acme");
  EXPECT_STATUS_CODE(bucket_keys_.CreateFor(b2), kPermissionDenied);
  EXPECT_STATUS_CODE(tenant_keys_.SetAllowed("acme", kms::JustificationSet::All()), kFailedPrecondition);
  EXPECT_OK(tenant_keys_.Destroy("acme").status());
  TenantKeys reopened(store_, kms_);
  EXPECT_STATUS_CODE(reopened.Get("acme", Justification::kTenantRequest), kPermissionDenied);
}

// With the embedded RocksDB store, the destroyed key's wrapped bytes are
// gone from every file of the metadata directory, not just overwritten.
TEST(TenantKeysOnDiskTest, DestroyLeavesNoCopyOfTheWrappedKeyInTheFiles) {
  testutil::TempDir dir;
  meta::RocksMetaStore::Options options;
  options.path = dir.Sub("meta");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store, meta::RocksMetaStore::Open(options));
  kms::FakeKeyProvider kms;
  TenantKeys keys(*store, kms);
  ASSERT_OK(keys.Get("acme", Justification::kTenantRequest).status());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> record, store->Get(kTenantKeyPartition, "acme"));
  ASSERT_TRUE(record.has_value());
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeTenantKey(*record));
  const std::string wrapped = decoded.second;
  ASSERT_GE(wrapped.size(), 32u);
  auto on_disk = [&] {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(options.path)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(wrapped) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(on_disk()) << "the wrapped key should be in the WAL before the destroy";
  ASSERT_OK(keys.Destroy("acme").status());
  EXPECT_FALSE(on_disk());
}

TEST(TenantKeysOnDiskTest, RetireLeavesNoCopyOfTheOldVersionInTheFiles) {
  testutil::TempDir dir;
  meta::RocksMetaStore::Options options;
  options.path = dir.Sub("meta");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store, meta::RocksMetaStore::Open(options));
  kms::FakeKeyProvider kms;
  TenantKeys keys(*store, kms);
  ASSERT_OK(keys.Get("acme", Justification::kTenantRequest).status());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> record, store->Get(kTenantKeyPartition, "acme"));
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeTenantKey(*record));
  const std::string v1 = decoded.second;
  ASSERT_GE(v1.size(), 32u);
  auto on_disk = [&](const std::string& wanted) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(options.path)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(wanted) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_OK(keys.Rotate("acme").status());
  ASSERT_TRUE(on_disk(v1)) << "version 1 is kept until retired";
  ASSERT_OK(keys.Retire("acme", 1).status());
  EXPECT_FALSE(on_disk(v1));
  // The current version still opens from the files alone.
  TenantKeys fresh(*store, kms);
  EXPECT_OK(fresh.Get("acme", Justification::kTenantRequest).status());
  EXPECT_FALSE(fresh.GetVersion("acme", Justification::kTenantRequest, 1).ok());
}

TEST_F(TenantKeysTest, AProviderTimeoutIsUnavailableNotTheClientsTimeout) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  // A bucket from before tenant keys: its key wrapped by the provider.
  BucketRecord old = Bucket("old", "acme");
  crypto::SecretBytes key = std::move(crypto::RandomBytes(32)).value();
  old.key_id = kms_.DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(old.wrapped_key, kms_.Wrap(old.key_id, key, "confiance/bucket-key/v1/" + old.id));
  kms_.InjectError(DeadlineExceededError("KMS read timed out"));
  TenantKeys cold(store_, kms_);  // nothing cached: the provider is asked
  BucketKeys buckets(kms_, cold);
  for (const BucketRecord& r : {b, old}) {
    auto got = buckets.Get(r, Justification::kTenantRequest);
    EXPECT_STATUS_CODE(got, kUnavailable) << r.name;
    EXPECT_THAT(got.status().message(), HasSubstr("KMS read timed out")) << r.name;
  }
  kms_.ClearError();
  EXPECT_OK(buckets.Get(b, Justification::kTenantRequest).status());
}

TEST_F(TenantKeysTest, ProviderRevocationTakesEffectAfterTheCacheLifetime) {
  // The tenant's key lives in the tenant's own KMS ("hold your own key").
  kms::FakeKeyProvider kms("tenant-kms-key");
  BucketRecord b = Bucket("b", "acme");
  {
    TenantKeys creator(store_, kms);
    BucketKeys bucket_keys(kms, creator);
    ASSERT_OK(bucket_keys.CreateFor(b));
    // The tenant destroys the key in its KMS: within the (default, 5 min)
    // lifetime the cached keys keep serving, so the KMS is not on every
    // request's path...
    kms.DestroyKey("tenant-kms-key");
    EXPECT_OK(bucket_keys.Get(b, Justification::kTenantRequest).status());
  }
  // ...and once it has passed, the KMS's refusal is the answer.
  TenantKeys tenant_keys(store_, kms, std::chrono::milliseconds(1));
  BucketKeys bucket_keys(kms, tenant_keys, std::chrono::milliseconds(1));
  for (int i = 0; i < 2; ++i) {  // the second call finds expired cache entries
    auto r = bucket_keys.Get(b, Justification::kTenantRequest);
    EXPECT_STATUS_CODE(r, kPermissionDenied);
    EXPECT_THAT(r.status().message(), HasSubstr("the key provider refused to unwrap the key of tenant acme"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_F(TenantKeysTest, RotationRewrapsBucketKeysAndRetiresTheOldVersion) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  ASSERT_OK_AND_ASSIGN(auto before, bucket_keys_.Get(b, Justification::kTenantRequest));
  ASSERT_OK_AND_ASSIGN(auto v1, tenant_keys_.Get("acme", Justification::kTenantRequest));

  ASSERT_OK_AND_ASSIGN(TenantKeyInfo rotated, tenant_keys_.Rotate("acme"));
  EXPECT_EQ(rotated.version, 2u);
  EXPECT_THAT(rotated.previous_versions, ::testing::ElementsAre(1u));
  EXPECT_NE(rotated.rotated_ms, 0u);
  // A second rotation must wait until the first one is finished.
  EXPECT_EQ(tenant_keys_.Rotate("acme").status().code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(auto v2, tenant_keys_.Get("acme", Justification::kTenantRequest));
  EXPECT_FALSE(SameSecret(*v1, *v2));

  // A new bucket is wrapped under the new version; the old one still opens
  // (fresh caches) under version 1 until rewrapped.
  BucketRecord c = Bucket("c", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(c));
  EXPECT_EQ(c.key_id, "tenant-key@2");
  EXPECT_EQ(TenantKeyVersionOf(c.key_id), std::optional<uint32_t>(2));
  EXPECT_EQ(TenantKeyVersionOf("tenant-key"), std::optional<uint32_t>(1));
  EXPECT_FALSE(TenantKeyVersionOf("tenant-key@1").has_value());
  EXPECT_FALSE(TenantKeyVersionOf("fake-root").has_value());
  {
    TenantKeys fresh(store_, kms_);
    BucketKeys fresh_buckets(kms_, fresh);
    ASSERT_OK_AND_ASSIGN(auto k, fresh_buckets.Get(b, Justification::kTenantRequest));
    EXPECT_TRUE(SameSecret(*k, *before));
  }

  // Rewrap: same bucket key, now under version 2; nothing to do twice.
  const std::string old_wrapped = b.wrapped_key;
  ASSERT_OK_AND_ASSIGN(bool changed, bucket_keys_.Rewrap(b, Justification::kSystemMaintenance));
  EXPECT_TRUE(changed);
  EXPECT_EQ(b.key_id, "tenant-key@2");
  EXPECT_NE(b.wrapped_key, old_wrapped);
  ASSERT_OK_AND_ASSIGN(changed, bucket_keys_.Rewrap(b, Justification::kSystemMaintenance));
  EXPECT_FALSE(changed);

  // Retire version 1: the rewrapped bucket opens, a record still under
  // version 1 no longer does.
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo retired, tenant_keys_.Retire("acme", 1));
  EXPECT_TRUE(retired.previous_versions.empty());
  TenantKeys fresh(store_, kms_);
  BucketKeys fresh_buckets(kms_, fresh);
  ASSERT_OK_AND_ASSIGN(auto after, fresh_buckets.Get(b, Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*after, *before));
  BucketRecord stale = b;
  stale.key_id = std::string(kTenantKeyRef);
  stale.wrapped_key = old_wrapped;
  Result<std::shared_ptr<const crypto::SecretBytes>> refused =
      BucketKeys(kms_, fresh).Get(stale, Justification::kTenantRequest);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("retired"));
  // Now a next rotation may start; the record decodes with its version.
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo third, tenant_keys_.Rotate("acme"));
  EXPECT_EQ(third.version, 3u);
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo reread, fresh.Info("acme"));
  EXPECT_EQ(reread.version, 3u);
  EXPECT_THAT(reread.previous_versions, ::testing::ElementsAre(2u));
  // A destroyed key cannot rotate, and loses its previous versions too.
  ASSERT_OK(tenant_keys_.Destroy("acme").status());
  EXPECT_TRUE(tenant_keys_.Info("acme")->previous_versions.empty());
  EXPECT_EQ(tenant_keys_.Rotate("acme").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TenantKeysTest, RewrapNeedsSystemMaintenance) {
  BucketRecord b = Bucket("b", "acme");
  ASSERT_OK(bucket_keys_.CreateFor(b));
  ASSERT_OK(tenant_keys_.Rotate("acme").status());
  kms::JustificationSet only;
  only.Add(Justification::kTenantRequest);
  ASSERT_OK(tenant_keys_.SetAllowed("acme", only).status());
  Result<bool> refused = bucket_keys_.Rewrap(b, Justification::kSystemMaintenance);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("SYSTEM_MAINTENANCE"));
}

TEST_F(TenantKeysTest, RecordsRoundTripAndRejectNonsense) {
  TenantKeyInfo info;
  info.provider_key_id = "root";
  info.created_ms = 1796126400000;
  info.allowed = kms::JustificationSet::FromBits(0b0101);
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeTenantKey(EncodeTenantKey(info, "wrapped-bytes")));
  EXPECT_EQ(decoded.first.provider_key_id, "root");
  EXPECT_EQ(decoded.first.allowed.ToString(), "TENANT_REQUEST,SYSTEM_MAINTENANCE");
  EXPECT_EQ(decoded.second, "wrapped-bytes");
  EXPECT_STATUS_CODE(DecodeTenantKey("not cbor"), kDataLoss);
  // A live record without a key, or a destroyed one with a key, is corrupt.
  EXPECT_STATUS_CODE(DecodeTenantKey(EncodeTenantKey(info, "")), kDataLoss);
  info.destroyed = true;
  EXPECT_STATUS_CODE(DecodeTenantKey(EncodeTenantKey(info, "x")), kDataLoss);
  EXPECT_EQ(kms::ParseJustification("LEGAL_ORDER"), Justification::kLegalOrder);
  EXPECT_EQ(kms::ParseJustification("legal_order"), std::nullopt);
}

}  // namespace
}  // namespace confiance::catalog

// File: catalog/external_tenant_keys_test.cc
// Hold your own key with a fake tenant KMS (kms::FakeKeyProvider behind a
// fake kms::ExternalKeys): switching to the tenant's key is a rotation whose
// job rewraps every bucket key and retires the server-wrapped version; the
// tenant's KMS then decides every unwrap (its refusal is a key-access
// denial, within the cache lifetime); switching back works; the record
// keeps the configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/key_rotation.h"
#include "catalog/tenant_keys.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using kms::Justification;
using namespace std::chrono_literals;
using testutil::SameSecret;

// The tenant's KMS: one fake provider per endpoint; endpoints not in the
// list are refused as KmipExternalKeys refuses them.
class FakeExternalKeys final : public kms::ExternalKeys {
 public:
  explicit FakeExternalKeys(std::chrono::milliseconds lifetime) : lifetime_(lifetime) {}
  Result<kms::ExternalKey> Resolve(const kms::ExternalKey& key, std::string_view) override { return key; }
  Result<kms::KeyProvider*> For(const kms::ExternalKey& key) override {
    ++for_calls;
    if (key.endpoint != "kms.tenant:5696") return PermissionDeniedError("endpoint not allowed");
    return &tenant_kms;
  }
  std::chrono::milliseconds CacheLifetime() const override { return lifetime_; }

  kms::FakeKeyProvider tenant_kms{"tenant-kms-key"};
  int for_calls = 0;

 private:
  const std::chrono::milliseconds lifetime_;
};

class ExternalTenantKeysTest : public ::testing::Test {
 protected:
  ExternalTenantKeysTest() {
    tenant_keys_.SetExternalKeys(&external_);
    external_.tenant_kms.AddKey("k1");
    external_.tenant_kms.AddKey("k2");
  }
  BucketRecord MakeBucket(const std::string& name) {
    BucketRecord b;
    b.name = name;
    b.id = "id-" + name;
    b.owner = "acme";
    EXPECT_OK(bucket_keys_.CreateFor(b));
    EXPECT_OK(catalog_.CreateBucket(b));
    return b;
  }
  BucketRecord Reread(const std::string& name) {
    Result<BucketRecord> b = catalog_.GetBucket(name);
    EXPECT_OK(b.status());
    return b.ok() ? *b : BucketRecord{};
  }
  void Switch(const std::optional<kms::ExternalKey>& target) {
    ASSERT_OK(rotation_.StartSwitch("acme", target).status());
    for (int i = 0; i < 500 && rotation_.Progress("acme").state == "running"; ++i) std::this_thread::sleep_for(5ms);
    RotationProgress p = rotation_.Progress("acme");
    ASSERT_EQ(p.state, "done") << p.error;
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  kms::FakeKeyProvider root_;
  FakeExternalKeys external_{200ms};
  TenantKeys tenant_keys_{store_, root_};
  BucketKeys bucket_keys_{root_, tenant_keys_};
  KeyRotation rotation_{store_, catalog_, tenant_keys_, bucket_keys_};
  const kms::ExternalKey k1_{"kms.tenant:5696", "CA PEM", "k1"};
};

TEST_F(ExternalTenantKeysTest, SwitchingToTheTenantsKmsRewrapsAndThenItDecides) {
  BucketRecord a = MakeBucket("a");
  ASSERT_OK_AND_ASSIGN(auto before, bucket_keys_.Get(a, Justification::kTenantRequest));
  const int root_wraps = root_.wrap_calls();

  Switch(k1_);
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_EQ(info.version, 2u);
  EXPECT_TRUE(info.previous_versions.empty());  // version 1 (under the root) retired
  ASSERT_TRUE(info.external.has_value());
  EXPECT_EQ(*info.external, k1_);
  EXPECT_EQ(info.provider_key_id, "k1");
  EXPECT_EQ(root_.wrap_calls(), root_wraps);  // the new version went to the tenant's KMS
  EXPECT_GE(external_.tenant_kms.wrap_calls(), 1);

  // The bucket key did not change; it is now under version 2, and a fresh
  // process opens it through the tenant's KMS, not the root.
  a = Reread("a");
  EXPECT_EQ(a.key_id, "tenant-key@2");
  TenantKeys fresh(store_, root_);
  fresh.SetExternalKeys(&external_);
  BucketKeys fresh_buckets(root_, fresh);
  const int unwraps = external_.tenant_kms.unwrap_calls();
  ASSERT_OK_AND_ASSIGN(auto after, fresh_buckets.Get(a, Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*before, *after));
  EXPECT_EQ(external_.tenant_kms.unwrap_calls(), unwraps + 1);
  // New buckets too.
  BucketRecord b = MakeBucket("b");
  EXPECT_EQ(b.key_id, "tenant-key@2");
  // Bucket keys of such a tenant are not cached: the bound is the tenant key's.
  EXPECT_EQ(fresh.BucketKeyLifetime("acme"), 0ms);
  EXPECT_EQ(fresh.BucketKeyLifetime("nobody"), std::chrono::milliseconds::max());

  // The tenant's KMS refuses: within the cache lifetime the key still
  // serves; after it, every use is a key-access denial naming the KMS.
  external_.tenant_kms.InjectError(PermissionDeniedError("key k1 is Deactivated"));
  EXPECT_OK(fresh_buckets.Get(a, Justification::kTenantRequest).status());
  const auto refused_at = std::chrono::steady_clock::now();
  Result<std::shared_ptr<const crypto::SecretBytes>> refused = fresh_buckets.Get(a, Justification::kTenantRequest);
  while (refused.ok() && std::chrono::steady_clock::now() - refused_at < 2s) {
    std::this_thread::sleep_for(5ms);
    refused = fresh_buckets.Get(a, Justification::kTenantRequest);
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_LE(std::chrono::steady_clock::now() - refused_at, 200ms + 50ms);  // half the lifetime here, + slack
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), StartsWith(std::string(kKeyAccessDenied)));
  EXPECT_THAT(refused.status().message(), HasSubstr("kms.tenant:5696 refused"));
  EXPECT_THAT(refused.status().message(), HasSubstr("Deactivated"));

  // An unreachable KMS is not a refusal: Unavailable, naming the KMS.
  external_.tenant_kms.InjectError(UnavailableError("connection refused"));
  Result<std::shared_ptr<const crypto::SecretBytes>> down = fresh.Get("acme", Justification::kTenantRequest);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(down.status().message(), HasSubstr("kms.tenant:5696"));

  // The KMS answers again: the key works again (the cut was restorable).
  external_.tenant_kms.ClearError();
  EXPECT_OK(fresh_buckets.Get(a, Justification::kTenantRequest).status());
}

TEST_F(ExternalTenantKeysTest, SwitchingBetweenKeysAndBackToTheServer) {
  BucketRecord a = MakeBucket("a");
  ASSERT_OK_AND_ASSIGN(auto before, bucket_keys_.Get(a, Justification::kTenantRequest));
  Switch(k1_);
  // Another key of the tenant's KMS.
  const kms::ExternalKey k2{"kms.tenant:5696", "CA PEM", "k2"};
  Switch(k2);
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_EQ(info.version, 3u);
  EXPECT_EQ(info.external->key_id, "k2");
  // k1 is gone from the tenant's KMS: nothing needs it any more.
  external_.tenant_kms.DestroyKey("k1");
  {
    TenantKeys fresh(store_, root_);
    fresh.SetExternalKeys(&external_);
    ASSERT_OK_AND_ASSIGN(auto k, BucketKeys(root_, fresh).Get(Reread("a"), Justification::kTenantRequest));
    EXPECT_TRUE(SameSecret(*k, *before));
  }
  // Back to the server's provider: the tenant's KMS is no longer asked.
  Switch(std::nullopt);
  ASSERT_OK_AND_ASSIGN(info, tenant_keys_.Info("acme"));
  EXPECT_EQ(info.version, 4u);
  EXPECT_FALSE(info.external.has_value());
  EXPECT_EQ(info.provider_key_id, "fake-root");
  external_.tenant_kms.InjectError(PermissionDeniedError("KMS gone"));
  TenantKeys fresh(store_, root_);
  fresh.SetExternalKeys(&external_);
  ASSERT_OK_AND_ASSIGN(auto k, BucketKeys(root_, fresh).Get(Reread("a"), Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*k, *before));
  EXPECT_EQ(fresh.BucketKeyLifetime("acme"), std::chrono::milliseconds::max());
}

TEST_F(ExternalTenantKeysTest, RefusalToWrapLeavesTheKeyAsItWas) {
  MakeBucket("a");
  external_.tenant_kms.InjectError(PermissionDeniedError("not authorised"));
  Result<RotationProgress> refused = rotation_.StartSwitch("acme", k1_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("not authorised"));
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.Info("acme"));
  EXPECT_EQ(info.version, 1u);
  EXPECT_FALSE(info.external.has_value());
  // A server that lost its tenant-KMS configuration says so.
  external_.tenant_kms.ClearError();
  Switch(k1_);
  TenantKeys unconfigured(store_, root_);
  Result<std::shared_ptr<const crypto::SecretBytes>> no = unconfigured.Get("acme", Justification::kTenantRequest);
  ASSERT_FALSE(no.ok());
  EXPECT_THAT(no.status().message(), HasSubstr("--hyok-client-cert"));
}

// The warm path the S3 handlers take on the network thread
// (BucketKeys::GetIfCached) answers from memory only: nothing before the
// first Get, the key once cached, nothing for a refused justification
// (Get then reports it), and never for a tenant on its own KMS (whose
// bucket keys are not cached) nor after the tenant entry expired.
TEST_F(ExternalTenantKeysTest, WarmPathIsMemoryOnly) {
  BucketRecord a = MakeBucket("a");
  TenantKeys fresh(store_, root_, 100ms);
  fresh.SetExternalKeys(&external_);
  BucketKeys buckets(root_, fresh, 10s);
  EXPECT_EQ(buckets.GetIfCached(a, Justification::kTenantRequest), nullptr);
  const int unwraps = root_.unwrap_calls();
  ASSERT_OK_AND_ASSIGN(auto key, buckets.Get(a, Justification::kTenantRequest));
  EXPECT_EQ(root_.unwrap_calls(), unwraps + 1);
  std::shared_ptr<const crypto::SecretBytes> warm = buckets.GetIfCached(a, Justification::kTenantRequest);
  ASSERT_NE(warm, nullptr);
  EXPECT_TRUE(SameSecret(*warm, *key));
  EXPECT_EQ(root_.unwrap_calls(), unwraps + 1);
  // A withdrawn reason: no warm answer, and Get says why.
  kms::JustificationSet only;
  only.Add(Justification::kTenantRequest);
  ASSERT_OK(fresh.SetAllowed("acme", only).status());
  ASSERT_OK(buckets.Get(a, Justification::kTenantRequest).status());  // reloads the tenant entry
  EXPECT_EQ(buckets.GetIfCached(a, Justification::kSystemMaintenance), nullptr);
  EXPECT_STATUS_CODE(buckets.Get(a, Justification::kSystemMaintenance), kPermissionDenied);
  EXPECT_NE(buckets.GetIfCached(a, Justification::kTenantRequest), nullptr);
  // The tenant entry expired: the store must be read, so no warm answer.
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(buckets.GetIfCached(a, Justification::kTenantRequest), nullptr);
  // On its own KMS: bucket keys are not cached, but a cached tenant key
  // reopens them from memory (no call to the tenant's KMS), until the
  // tenant entry expires (the revocation bound).
  ASSERT_OK(fresh.SetAllowed("acme", kms::JustificationSet::All()).status());  // the switch needs SYSTEM_MAINTENANCE
  Switch(k1_);
  a = Reread("a");
  BucketRecord b = MakeBucket("b");
  ASSERT_OK(buckets.Get(a, Justification::kTenantRequest).status());
  const int kms_unwraps = external_.tenant_kms.unwrap_calls();
  for (const BucketRecord* r : {&a, &b}) {
    std::shared_ptr<const crypto::SecretBytes> k = buckets.GetIfCached(*r, Justification::kTenantRequest);
    ASSERT_NE(k, nullptr);
    ASSERT_OK_AND_ASSIGN(auto slow, buckets.Get(*r, Justification::kTenantRequest));
    EXPECT_TRUE(SameSecret(*k, *slow));
  }
  EXPECT_EQ(external_.tenant_kms.unwrap_calls(), kms_unwraps);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(buckets.GetIfCached(a, Justification::kTenantRequest), nullptr);
}

TEST(ExternalTenantKeyRecordTest, RoundTrips) {
  TenantKeyInfo info;
  info.provider_key_id = "k9";
  info.created_ms = 5;
  info.version = 3;
  info.external = kms::ExternalKey{"kms:5696", "PEM", "k9"};
  std::map<uint32_t, std::string> previous = {{2, "w2"}};
  PreviousWrappers wrappers = {{2, {"root", std::nullopt}}};
  std::map<uint32_t, std::string> prev_out;
  PreviousWrappers wrappers_out;
  ASSERT_OK_AND_ASSIGN(auto decoded,
                       DecodeTenantKey(EncodeTenantKey(info, "w3", previous, wrappers), &prev_out, &wrappers_out));
  EXPECT_EQ(decoded.second, "w3");
  ASSERT_TRUE(decoded.first.external.has_value());
  EXPECT_EQ(*decoded.first.external, *info.external);
  EXPECT_EQ(prev_out, previous);
  EXPECT_EQ(wrappers_out, wrappers);
  // A record without hold-your-own-key fields is a server-wrapped key.
  info.external.reset();
  ASSERT_OK_AND_ASSIGN(decoded, DecodeTenantKey(EncodeTenantKey(info, "w3")));
  EXPECT_FALSE(decoded.first.external.has_value());
}

}  // namespace
}  // namespace confiance::catalog

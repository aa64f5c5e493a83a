// File: catalog/key_use_test.cc
// The catalog tells the key provider why it uses a key (kms::KeyUse), so
// that an external KMS can be told too (docs/kmip.md): every unwrap of a
// tenant key or of a legacy provider-wrapped bucket key carries the
// request's justification, rotations' wraps carry SYSTEM_MAINTENANCE, a
// reason the tenant's policy refuses never reaches the provider, a tenant
// KMS that is told the reason is asked again for each new reason (its
// decision is per reason) and, for OPERATOR_APPROVED, each new lockbox
// approval (whose id it is told), and the hold-your-own-key record keeps whether
// the tenant's KMS is told.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/tenant_keys.h"
#include "kms/external_keys.h"
#include "crypto/random.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using ::testing::ElementsAre;
using kms::Justification;

// Forwards to a FakeKeyProvider and records each call as "wrap:REASON" or
// "unwrap:REASON" ("-" when the three-argument overload was used), with
// "@APPROVAL" appended when the use names a lockbox approval.
class RecordingProvider final : public kms::KeyProvider {
 public:
  std::string DefaultKeyId() const override { return fake_.DefaultKeyId(); }
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& key, std::string_view context) override {
    Record("wrap:-");
    return fake_.Wrap(key_id, key, context);
  }
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                     std::string_view context) override {
    Record("unwrap:-");
    return fake_.Unwrap(key_id, wrapped, context);
  }
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& key, std::string_view context,
                           const kms::KeyUse& use) override {
    Record("wrap:" + std::string(kms::JustificationName(use.why)));
    return fake_.Wrap(key_id, key, context);
  }
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped, std::string_view context,
                                     const kms::KeyUse& use) override {
    std::string call = "unwrap:" + std::string(kms::JustificationName(use.why));
    if (!use.approval_id.empty()) call += "@" + std::string(use.approval_id);
    Record(std::move(call));
    return fake_.Unwrap(key_id, wrapped, context);
  }

  std::vector<std::string> TakeCalls() {
    std::lock_guard lock(mu_);
    return std::exchange(calls_, {});
  }
  kms::FakeKeyProvider& fake() { return fake_; }

 private:
  void Record(std::string call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
  }
  kms::FakeKeyProvider fake_;
  std::mutex mu_;
  std::vector<std::string> calls_;
};

class KeyUseTest : public ::testing::Test {
 protected:
  BucketRecord Bucket(const std::string& name) {
    BucketRecord b;
    b.name = name;
    b.id = "id-" + name;
    b.owner = "acme";
    return b;
  }
  meta::MemoryMetaStore store_;
  RecordingProvider kms_;
};

TEST_F(KeyUseTest, TenantKeyUnwrapsCarryTheJustification) {
  BucketRecord b = Bucket("b");
  {
    TenantKeys keys(store_, kms_);
    BucketKeys buckets(kms_, keys);
    ASSERT_OK(buckets.CreateFor(b));
  }
  // Creating the tenant key wraps a fresh key (nothing is read, no
  // reason); bucket creation then unwraps it as the tenant's request.
  EXPECT_THAT(kms_.TakeCalls(), ElementsAre("wrap:-", "unwrap:TENANT_REQUEST"));
  for (Justification why : {Justification::kTenantRequest, Justification::kSystemMaintenance,
                            Justification::kOperatorApproved, Justification::kLegalOrder}) {
    TenantKeys fresh(store_, kms_);  // cold cache: the provider is asked
    BucketKeys buckets(kms_, fresh);
    ASSERT_OK(buckets.Get(b, why).status());
    EXPECT_THAT(kms_.TakeCalls(), ElementsAre("unwrap:" + std::string(kms::JustificationName(why))));
  }
  // A reason the tenant's policy refuses never reaches the provider.
  TenantKeys keys(store_, kms_);
  kms::JustificationSet only;
  only.Add(Justification::kTenantRequest);
  ASSERT_OK(keys.SetAllowed("acme", only).status());
  kms_.TakeCalls();
  TenantKeys fresh(store_, kms_);
  EXPECT_STATUS_CODE(fresh.Get("acme", Justification::kLegalOrder), kPermissionDenied);
  EXPECT_TRUE(kms_.TakeCalls().empty());
}

TEST_F(KeyUseTest, RotationWrapsAndRewrapsAreSystemMaintenance) {
  BucketRecord b = Bucket("b");
  TenantKeys keys(store_, kms_);
  BucketKeys buckets(kms_, keys);
  ASSERT_OK(buckets.CreateFor(b));
  kms_.TakeCalls();
  ASSERT_OK(keys.Rotate("acme").status());
  EXPECT_THAT(kms_.TakeCalls(), ElementsAre("wrap:SYSTEM_MAINTENANCE"));
  TenantKeys fresh(store_, kms_);
  BucketKeys fresh_buckets(kms_, fresh);
  ASSERT_OK_AND_ASSIGN(bool changed, fresh_buckets.Rewrap(b, Justification::kSystemMaintenance));
  EXPECT_TRUE(changed);
  // Version 1 to open the bucket key, version 2 to rewrap it.
  EXPECT_THAT(kms_.TakeCalls(), ElementsAre("unwrap:SYSTEM_MAINTENANCE", "unwrap:SYSTEM_MAINTENANCE"));
}

TEST_F(KeyUseTest, LegacyBucketKeyUnwrapsCarryTheJustification) {
  // A bucket from before tenant keys: its key wrapped by the provider itself.
  BucketRecord b = Bucket("old");
  crypto::SecretBytes key = std::move(crypto::RandomBytes(32)).value();
  b.key_id = "fake-root";
  b.wrapped_key = *kms_.fake().Wrap("fake-root", key, "confiance/bucket-key/v1/" + b.id);
  TenantKeys keys(store_, kms_);
  BucketKeys buckets(kms_, keys);
  ASSERT_OK(buckets.Get(b, Justification::kLegalOrder).status());
  EXPECT_THAT(kms_.TakeCalls(), ElementsAre("unwrap:LEGAL_ORDER"));
}

// The tenant's KMS: every external key is served by one recording provider.
class RecordingExternalKeys final : public kms::ExternalKeys {
 public:
  Result<kms::ExternalKey> Resolve(const kms::ExternalKey& key, std::string_view) override { return key; }
  Result<kms::KeyProvider*> For(const kms::ExternalKey&) override { return &tenant_kms; }
  std::chrono::milliseconds CacheLifetime() const override { return std::chrono::minutes(10); }
  RecordingProvider tenant_kms;
};

// A tenant switched to its own KMS (told the justification or not), with
// one bucket whose key the switch rewrapped under the KMS's key.
struct OnTenantKms {
  OnTenantKms(kms::KeyProvider& server_kms, bool send_justification)
      : keys(store, server_kms), buckets(server_kms, keys), send(send_justification) {
    external.tenant_kms.fake().AddKey("tenant-kms-key");
    keys.SetExternalKeys(&external);
  }
  void SetUp(BucketRecord b) {
    bucket = std::move(b);
    ASSERT_OK(buckets.CreateFor(bucket));
    ASSERT_OK(keys.RotateTo("acme", kms::ExternalKey{"kms.acme:5696", "PEM", "tenant-kms-key", send}).status());
    ASSERT_OK_AND_ASSIGN(bool changed, buckets.Rewrap(bucket, Justification::kSystemMaintenance));
    ASSERT_TRUE(changed);
  }
  meta::MemoryMetaStore store;
  RecordingExternalKeys external;
  TenantKeys keys;
  BucketKeys buckets;
  BucketRecord bucket;
  const bool send;
};

// Runs `body` for a tenant on its own KMS told the justification, then for
// one not told (OnTenantKms over the server's `server_kms`, set up afresh
// for each).
void OnEachTenantKms(
    kms::KeyProvider& server_kms,
    const std::function<void(bool, RecordingExternalKeys&, BucketKeys&, const BucketRecord&)>& body) {
  for (bool send : {true, false}) {
    SCOPED_TRACE(send);
    OnTenantKms t(server_kms, send);
    BucketRecord b;
    b.name = "b";
    b.id = "id-b";
    b.owner = "acme";
    ASSERT_NO_FATAL_FAILURE(t.SetUp(b));
    body(send, t.external, t.buckets, t.bucket);
  }
}

TEST_F(KeyUseTest, ATenantKmsToldTheReasonIsAskedForEachNewReason) {
  OnEachTenantKms(kms_, [&](bool send, RecordingExternalKeys& external, BucketKeys& buckets, const BucketRecord& b) {
    EXPECT_THAT(external.tenant_kms.TakeCalls(), ElementsAre("wrap:SYSTEM_MAINTENANCE", "unwrap:SYSTEM_MAINTENANCE"));
    // The key is cached now. Told the reason, the KMS decided for
    // SYSTEM_MAINTENANCE only: a tenant request asks it (once); not told,
    // the cached key serves every reason the policy allows.
    ASSERT_OK(buckets.Get(b, Justification::kTenantRequest).status());
    ASSERT_OK(buckets.Get(b, Justification::kTenantRequest).status());
    EXPECT_EQ(buckets.GetIfCached(b, Justification::kTenantRequest) != nullptr, true);
    EXPECT_EQ(buckets.GetIfCached(b, Justification::kLegalOrder) != nullptr, !send);
    if (send) {
      EXPECT_THAT(external.tenant_kms.TakeCalls(), ElementsAre("unwrap:TENANT_REQUEST"));
    } else {
      EXPECT_TRUE(external.tenant_kms.TakeCalls().empty());
    }
    // The KMS refusing a reason it was not asked for yet is the answer.
    external.tenant_kms.fake().InjectError(PermissionDeniedError("no LEGAL_ORDER here"));
    Result<std::shared_ptr<const crypto::SecretBytes>> legal = buckets.Get(b, Justification::kLegalOrder);
    if (send) {
      EXPECT_STATUS_CODE(legal, kPermissionDenied);
      EXPECT_THAT(legal.status().message(), ::testing::HasSubstr("no LEGAL_ORDER here"));
    } else {
      EXPECT_OK(legal.status());
    }
    ASSERT_OK(buckets.Get(b, Justification::kTenantRequest).status());  // granted before: cached
  });
}

TEST_F(KeyUseTest, ATenantKmsToldTheReasonIsAskedForEachApproval) {
  OnEachTenantKms(kms_, [&](bool send, RecordingExternalKeys& external, BucketKeys& buckets, const BucketRecord& b) {
    external.tenant_kms.TakeCalls();
    const kms::KeyUse first{Justification::kOperatorApproved, "ar-1"};
    const kms::KeyUse second{Justification::kOperatorApproved, "ar-2"};
    ASSERT_OK(buckets.Get(b, first, b.key_version).status());
    ASSERT_OK(buckets.Get(b, first, b.key_version).status());
    EXPECT_NE(buckets.GetIfCached(b, first, b.key_version), nullptr);
    // A new approval is not served from memory when the KMS is told.
    EXPECT_EQ(buckets.GetIfCached(b, second, b.key_version) != nullptr, !send);
    ASSERT_OK(buckets.Get(b, second, b.key_version).status());
    ASSERT_OK(buckets.Get(b, first, b.key_version).status());
    if (send) {
      EXPECT_THAT(external.tenant_kms.TakeCalls(),
                  ElementsAre("unwrap:OPERATOR_APPROVED@ar-1", "unwrap:OPERATOR_APPROVED@ar-2"));
    } else {
      EXPECT_TRUE(external.tenant_kms.TakeCalls().empty());
    }
    // The KMS refusing a new approval is the answer; granted ones stay.
    external.tenant_kms.fake().InjectError(PermissionDeniedError("not ar-3"));
    Result<std::shared_ptr<const crypto::SecretBytes>> third =
        buckets.Get(b, kms::KeyUse{Justification::kOperatorApproved, "ar-3"}, b.key_version);
    if (send) {
      EXPECT_STATUS_CODE(third, kPermissionDenied);
      EXPECT_THAT(third.status().message(), ::testing::HasSubstr("not ar-3"));
    } else {
      EXPECT_OK(third.status());
    }
    ASSERT_OK(buckets.Get(b, second, b.key_version).status());
  });
}

TEST(KeyUseRecordTest, ExternalKeyKeepsSendJustification) {
  TenantKeyInfo info;
  info.provider_key_id = "uid-1";
  info.created_ms = 1;
  info.allowed = kms::JustificationSet::All();
  for (bool send : {false, true}) {
    info.external = kms::ExternalKey{"kms.acme:5696", "PEM", "uid-1", send};
    const std::string bytes = EncodeTenantKey(info, "wrapped");
    // Absent unless set: records written before the field decode as "not told".
    EXPECT_EQ(bytes.find("\x61j") != std::string::npos, send);
    ASSERT_OK_AND_ASSIGN(auto decoded, DecodeTenantKey(bytes));
    ASSERT_TRUE(decoded.first.external.has_value());
    EXPECT_EQ(decoded.first.external->send_justification, send);
    EXPECT_EQ(*decoded.first.external, *info.external);
  }
}

}  // namespace
}  // namespace confiance::catalog

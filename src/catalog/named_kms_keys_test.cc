// File: catalog/named_kms_keys_test.cc
// A tenant's named KMS keys (docs/keys.md "Named KMS keys"): made only by
// CreateNamed, listed per tenant, rotated keeping every version, and the KEK of an SSE-KMS
// object under one needs it (catalog/sse_kms_kek.h): destroying it or
// refusing a justification closes exactly the objects under it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/bucket_keys.h"
#include "catalog/sse_kms_kek.h"
#include "catalog/tenant_keys.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using kms::Justification;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testutil::SameSecret;

class NamedKmsKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "b";
    bucket_.id = "id-b";
    bucket_.owner = "acme";
    ASSERT_OK(bucket_keys_.CreateFor(bucket_));
    ASSERT_OK_AND_ASSIGN(bucket_key_, bucket_keys_.Get(bucket_, Justification::kTenantRequest));
  }

  Result<std::shared_ptr<const crypto::SecretBytes>> Kek(const std::string& key_id,
                                                         Justification why = Justification::kTenantRequest) {
    return SseKmsKek(tenant_keys_, bucket_, *bucket_key_, SseKms{key_id, "", false}, why);
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider kms_;
  TenantKeys tenant_keys_{store_, kms_};
  BucketKeys bucket_keys_{kms_, tenant_keys_};
  BucketRecord bucket_;
  std::shared_ptr<const crypto::SecretBytes> bucket_key_;
};

TEST_F(NamedKmsKeysTest, OnlyCreateNamedMakesOne) {
  EXPECT_STATUS_CODE(tenant_keys_.Get("acme/payroll", Justification::kTenantRequest), kNotFound);
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme/payroll", Justification::kTenantRequest), kNotFound);
  EXPECT_STATUS_CODE(tenant_keys_.SetAllowed("acme/payroll", kms::JustificationSet::All()), kNotFound);
  EXPECT_STATUS_CODE(tenant_keys_.Destroy("acme/payroll"), kNotFound);
  EXPECT_STATUS_CODE(tenant_keys_.Info("acme/payroll"), kNotFound);
  EXPECT_STATUS_CODE(Kek("acme/payroll"), kNotFound);
  EXPECT_FALSE(store_.Get(kTenantKeyPartition, "acme/payroll").value().has_value());

  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.CreateNamed({"acme", "payroll"}, "salaries"));
  EXPECT_EQ(info.description, "salaries");
  EXPECT_EQ(info.allowed, kms::JustificationSet::All());
  EXPECT_EQ(tenant_keys_.Info("acme/payroll").value().description, "salaries");
  ASSERT_OK(tenant_keys_.Get("acme/payroll", Justification::kTenantRequest).status());
  EXPECT_STATUS_CODE(tenant_keys_.CreateNamed({"acme", "payroll"}, ""), kAlreadyExists);
  EXPECT_STATUS_CODE(tenant_keys_.CreateNamed({"acme", "a b"}, ""), kInvalidArgument);
  EXPECT_STATUS_CODE(tenant_keys_.CreateNamed({"acme", ""}, ""), kInvalidArgument);
}

TEST_F(NamedKmsKeysTest, ListsOneTenantsNamesOnly) {
  ASSERT_OK(tenant_keys_.CreateNamed({"acme", "payroll"}, "").status());
  ASSERT_OK(tenant_keys_.CreateNamed({"acme", "Archive"}, "").status());
  ASSERT_OK(tenant_keys_.CreateNamed({"acme-2", "other"}, "").status());
  ASSERT_OK(tenant_keys_.CreateNamed({"acm", "x"}, "").status());
  EXPECT_THAT(tenant_keys_.ListNamed("acme").value(), ElementsAre("Archive", "payroll"));
  EXPECT_THAT(tenant_keys_.ListNamed("acm").value(), ElementsAre("x"));
  EXPECT_TRUE(tenant_keys_.ListNamed("zeta").value().empty());
}

TEST_F(NamedKmsKeysTest, ARotatedNamedKeyKeepsEveryVersionUntilDestroyed) {
  const KmsKeyRef payroll{"acme", "payroll"};
  EXPECT_STATUS_CODE(tenant_keys_.RotateNamed(payroll), kNotFound);
  ASSERT_OK(tenant_keys_.CreateNamed(payroll, "").status());
  // Not as a tenant key (whose rotation retires versions), nor to a
  // tenant's own KMS.
  EXPECT_STATUS_CODE(tenant_keys_.Rotate("acme/payroll"), kFailedPrecondition);
  EXPECT_STATUS_CODE(tenant_keys_.RotateTo("acme/payroll", std::nullopt), kFailedPrecondition);

  uint32_t current = 0;
  ASSERT_OK(tenant_keys_.Check("acme/payroll", Justification::kTenantRequest, &current));
  EXPECT_EQ(current, 1u);
  ASSERT_OK_AND_ASSIGN(auto v1, Kek("acme/payroll"));
  ASSERT_OK(tenant_keys_.RotateNamed(payroll).status());
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo info, tenant_keys_.RotateNamed(payroll));
  EXPECT_EQ(info.version, 3u);
  EXPECT_THAT(info.previous_versions, ElementsAre(1, 2));
  ASSERT_OK(tenant_keys_.Check("acme/payroll", Justification::kTenantRequest, &current));
  EXPECT_EQ(current, 3u);
  current = 0;
  std::chrono::milliseconds unused;
  std::optional<Status> cached = tenant_keys_.CheckCached("acme/payroll", Justification::kTenantRequest, &unused,
                                                          &current);
  ASSERT_TRUE(cached.has_value());
  ASSERT_OK(*cached);
  EXPECT_EQ(current, 3u);
  // Each version gives its own KEK; version 1's is the one before the
  // rotations (an object written then still opens), from the store too.
  SseKms kms{"acme/payroll", "", false};
  auto kek = [&](uint32_t version, TenantKeys& keys) {
    kms.key_version = version;
    return SseKmsKek(keys, bucket_, *bucket_key_, kms, Justification::kTenantRequest);
  };
  ASSERT_OK_AND_ASSIGN(auto again1, kek(1, tenant_keys_));
  ASSERT_OK_AND_ASSIGN(auto v2, kek(2, tenant_keys_));
  ASSERT_OK_AND_ASSIGN(auto v3, kek(3, tenant_keys_));
  EXPECT_TRUE(SameSecret(*again1, *v1));
  EXPECT_FALSE(SameSecret(*v1, *v2));
  EXPECT_FALSE(SameSecret(*v2, *v3));
  TenantKeys fresh(store_, kms_);  // another process: nothing cached
  ASSERT_OK_AND_ASSIGN(auto fresh1, kek(1, fresh));
  EXPECT_TRUE(SameSecret(*fresh1, *v1));
  EXPECT_STATUS_CODE(kek(4, tenant_keys_), kPermissionDenied);

  // The destruction takes every version.
  ASSERT_OK(tenant_keys_.Destroy("acme/payroll").status());
  TenantKeys after(store_, kms_);
  for (uint32_t v : {1u, 2u, 3u}) {
    EXPECT_STATUS_CODE(kek(v, tenant_keys_), kPermissionDenied) << v;
    EXPECT_STATUS_CODE(kek(v, after), kPermissionDenied) << v;
  }
  EXPECT_TRUE(tenant_keys_.Info("acme/payroll").value().previous_versions.empty());
  EXPECT_STATUS_CODE(tenant_keys_.RotateNamed(payroll), kFailedPrecondition);
}

// A schedule rotates a key once its period has passed since its last
// rotation (or its creation), once per due time, and never a destroyed
// key, a key without a schedule or a tenant key.
TEST_F(NamedKmsKeysTest, AScheduleRotatesAKeyOncePerPeriod) {
  const KmsKeyRef payroll{"acme", "payroll"}, manual{"acme", "manual"}, doomed{"acme", "doomed"};
  constexpr uint64_t kDay = 1000;
  EXPECT_STATUS_CODE(tenant_keys_.SetRotationPeriod(payroll, 2), kNotFound);
  ASSERT_OK(tenant_keys_.Get("acme", Justification::kTenantRequest).status());  // the tenant key exists too
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo created, tenant_keys_.CreateNamed(payroll, ""));
  ASSERT_OK(tenant_keys_.CreateNamed(manual, "").status());
  ASSERT_OK(tenant_keys_.CreateNamed(doomed, "").status());
  ASSERT_OK_AND_ASSIGN(TenantKeyInfo set, tenant_keys_.SetRotationPeriod(payroll, 2));
  EXPECT_EQ(set.rotation_period_days, 2u);
  ASSERT_OK(tenant_keys_.SetRotationPeriod(doomed, 1).status());
  ASSERT_OK(tenant_keys_.Destroy("acme/doomed").status());
  EXPECT_STATUS_CODE(tenant_keys_.SetRotationPeriod(doomed, 1), kFailedPrecondition);

  const uint64_t t0 = created.created_ms;
  ASSERT_OK_AND_ASSIGN(auto none, tenant_keys_.RotateDueNamedKeys(t0 + 2 * kDay - 1, kDay));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto first, tenant_keys_.RotateDueNamedKeys(t0 + 2 * kDay, kDay));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].key, payroll);
  EXPECT_EQ(first[0].info.version, 2u);
  EXPECT_EQ(first[0].info.rotated_ms, t0 + 2 * kDay);
  // Once per due time; the next period counts from this rotation.
  ASSERT_OK_AND_ASSIGN(none, tenant_keys_.RotateDueNamedKeys(t0 + 2 * kDay, kDay));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(none, tenant_keys_.RotateDueNamedKeys(t0 + 4 * kDay - 1, kDay));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto second, tenant_keys_.RotateDueNamedKeys(t0 + 4 * kDay, kDay));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].info.version, 3u);
  // The schedule survives in the record; 0 turns it off.
  TenantKeys fresh(store_, kms_);
  EXPECT_EQ(fresh.Info("acme/payroll").value().rotation_period_days, 2u);
  ASSERT_OK(tenant_keys_.SetRotationPeriod(payroll, 0).status());
  ASSERT_OK_AND_ASSIGN(none, tenant_keys_.RotateDueNamedKeys(t0 + 100 * kDay, kDay));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(tenant_keys_.Info("acme/manual").value().version, 1u);
  EXPECT_EQ(tenant_keys_.Info("acme").value().version, 1u);
}

// A process whose cached record predates a rotation made by another (a
// store shared by gateways) reads the record again for the newer version.
TEST_F(NamedKmsKeysTest, AVersionNewerThanTheCachedRecordIsReadFromTheStore) {
  const KmsKeyRef payroll{"acme", "payroll"};
  ASSERT_OK(tenant_keys_.CreateNamed(payroll, "").status());
  TenantKeys other(store_, kms_);
  ASSERT_OK(other.Get("acme/payroll", Justification::kTenantRequest).status());  // cached at version 1
  ASSERT_OK(tenant_keys_.RotateNamed(payroll).status());
  SseKms kms{"acme/payroll", "", false};
  kms.key_version = 2;
  ASSERT_OK_AND_ASSIGN(auto here, SseKmsKek(tenant_keys_, bucket_, *bucket_key_, kms, Justification::kTenantRequest));
  ASSERT_OK_AND_ASSIGN(auto there, SseKmsKek(other, bucket_, *bucket_key_, kms, Justification::kTenantRequest));
  EXPECT_TRUE(SameSecret(*here, *there));
}

TEST_F(NamedKmsKeysTest, TheKekNeedsTheNamedKeyAndItsIdAsWritten) {
  ASSERT_OK(tenant_keys_.CreateNamed({"acme", "payroll"}, "").status());
  ASSERT_OK_AND_ASSIGN(auto tenant_kek, Kek("acme"));
  ASSERT_OK_AND_ASSIGN(auto named_kek, Kek("acme/payroll"));
  ASSERT_OK_AND_ASSIGN(auto alias_kek, Kek("alias/payroll"));
  ASSERT_OK_AND_ASSIGN(auto named_kek_again, Kek("acme/payroll"));
  EXPECT_FALSE(SameSecret(*tenant_kek, *named_kek));
  EXPECT_FALSE(SameSecret(*named_kek, *alias_kek));  // the id is bound as written
  EXPECT_TRUE(SameSecret(*named_kek, *named_kek_again));
  // From memory: the named key is cached now.
  std::optional<Result<std::shared_ptr<const crypto::SecretBytes>>> cached = SseKmsKekIfCached(
      tenant_keys_, bucket_, *bucket_key_, SseKms{"acme/payroll", "", false}, Justification::kTenantRequest);
  ASSERT_TRUE(cached.has_value());
  ASSERT_OK(cached->status());
  EXPECT_TRUE(SameSecret(***cached, *named_kek));
  // Another tenant's named key never serves this bucket, even if it exists.
  ASSERT_OK(tenant_keys_.CreateNamed({"other", "payroll"}, "").status());
  EXPECT_STATUS_CODE(Kek("other/payroll"), kNotFound);
}

TEST_F(NamedKmsKeysTest, PolicyAndDestructionCloseOnlyTheObjectsUnderTheKey) {
  ASSERT_OK(tenant_keys_.CreateNamed({"acme", "payroll"}, "").status());
  ASSERT_OK(Kek("acme/payroll").status());
  kms::JustificationSet maintenance_only;
  maintenance_only.Add(Justification::kSystemMaintenance);
  ASSERT_OK(tenant_keys_.SetAllowed("acme/payroll", maintenance_only).status());
  Result<std::shared_ptr<const crypto::SecretBytes>> refused = Kek("acme/payroll");
  EXPECT_STATUS_CODE(refused, kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("not allowed by the key policy of KMS key payroll of tenant acme"));
  EXPECT_FALSE(SseKmsKekIfCached(tenant_keys_, bucket_, *bucket_key_, SseKms{"acme/payroll", "", false},
                                 Justification::kTenantRequest)
                   .has_value());
  ASSERT_OK(Kek("acme/payroll", Justification::kSystemMaintenance).status());
  ASSERT_OK(Kek("acme").status());

  ASSERT_OK(tenant_keys_.Destroy("acme/payroll").status());
  Result<std::shared_ptr<const crypto::SecretBytes>> shredded = Kek("acme/payroll", Justification::kSystemMaintenance);
  EXPECT_STATUS_CODE(shredded, kPermissionDenied);
  EXPECT_THAT(shredded.status().message(),
              HasSubstr("the KMS key payroll of tenant acme was destroyed (crypto-shredded)"));
  EXPECT_STATUS_CODE(Kek("alias/payroll"), kPermissionDenied);
  // The tenant key, its bucket key and the objects under them are untouched.
  ASSERT_OK(Kek("acme").status());
  ASSERT_OK(tenant_keys_.Check("acme", Justification::kTenantRequest));
  // A destroyed key's name is not reused.
  EXPECT_STATUS_CODE(tenant_keys_.CreateNamed({"acme", "payroll"}, ""), kAlreadyExists);
}

}  // namespace
}  // namespace confiance::catalog

// File: catalog/object_lock_test.cc
// Object Lock: the pure decisions (who may delete a version or change its
// retention), the record encodings of lock settings, and their enforcement
// inside the catalog's commits.
#include "catalog/object_lock.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

constexpr uint64_t kNow = 1'800'000'000'000;
constexpr uint64_t kLater = kNow + 3600'000;
constexpr uint64_t kEarlier = kNow - 1;

VersionLock Lock(LockMode mode, uint64_t until, bool hold = false) { return VersionLock{mode, until, hold}; }

TEST(ObjectLockDecision, DeleteWithoutLockIsAllowed) {
  EXPECT_EQ(CheckDelete(VersionLock{}, kNow, false), LockVerdict::kAllowed);
  // An expired period no longer protects, whatever its mode.
  EXPECT_EQ(CheckDelete(Lock(LockMode::kCompliance, kEarlier), kNow, false), LockVerdict::kAllowed);
  EXPECT_EQ(CheckDelete(Lock(LockMode::kGovernance, kNow), kNow, false), LockVerdict::kAllowed);
}

TEST(ObjectLockDecision, GovernanceNeedsTheBypass) {
  EXPECT_EQ(CheckDelete(Lock(LockMode::kGovernance, kLater), kNow, false), LockVerdict::kGovernance);
  EXPECT_EQ(CheckDelete(Lock(LockMode::kGovernance, kLater), kNow, true), LockVerdict::kAllowed);
}

TEST(ObjectLockDecision, ComplianceHasNoBypass) {
  EXPECT_EQ(CheckDelete(Lock(LockMode::kCompliance, kLater), kNow, false), LockVerdict::kCompliance);
  EXPECT_EQ(CheckDelete(Lock(LockMode::kCompliance, kLater), kNow, true), LockVerdict::kCompliance);
}

TEST(ObjectLockDecision, LegalHoldHasNoBypass) {
  EXPECT_EQ(CheckDelete(Lock(LockMode::kNone, 0, true), kNow, true), LockVerdict::kLegalHold);
  EXPECT_EQ(CheckDelete(Lock(LockMode::kGovernance, kLater, true), kNow, true), LockVerdict::kLegalHold);
  EXPECT_EQ(CheckDelete(Lock(LockMode::kCompliance, kEarlier, true), kNow, false), LockVerdict::kLegalHold);
}

TEST(ObjectLockDecision, ComplianceRetentionOnlyGrows) {
  const VersionLock c = Lock(LockMode::kCompliance, kLater);
  EXPECT_EQ(CheckRetentionChange(c, LockMode::kCompliance, kLater, kNow, false), LockVerdict::kAllowed);
  EXPECT_EQ(CheckRetentionChange(c, LockMode::kCompliance, kLater + 1, kNow, false), LockVerdict::kAllowed);
  for (bool bypass : {false, true}) {
    EXPECT_EQ(CheckRetentionChange(c, LockMode::kCompliance, kLater - 1, kNow, bypass), LockVerdict::kCompliance);
    EXPECT_EQ(CheckRetentionChange(c, LockMode::kGovernance, kLater + 1, kNow, bypass), LockVerdict::kCompliance);
    EXPECT_EQ(CheckRetentionChange(c, LockMode::kNone, 0, kNow, bypass), LockVerdict::kCompliance);
  }
}

TEST(ObjectLockDecision, GovernanceRetentionChanges) {
  const VersionLock g = Lock(LockMode::kGovernance, kLater);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kGovernance, kLater + 1, kNow, false), LockVerdict::kAllowed);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kGovernance, kLater - 1, kNow, false), LockVerdict::kGovernance);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kCompliance, kLater, kNow, false), LockVerdict::kGovernance);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kNone, 0, kNow, false), LockVerdict::kGovernance);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kGovernance, kLater - 1, kNow, true), LockVerdict::kAllowed);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kCompliance, kLater, kNow, true), LockVerdict::kAllowed);
  EXPECT_EQ(CheckRetentionChange(g, LockMode::kNone, 0, kNow, true), LockVerdict::kAllowed);
}

TEST(ObjectLockDecision, ExpiredRetentionMayBeReplaced) {
  EXPECT_EQ(CheckRetentionChange(Lock(LockMode::kCompliance, kEarlier), LockMode::kGovernance, kLater, kNow, false),
            LockVerdict::kAllowed);
  EXPECT_EQ(CheckRetentionChange(VersionLock{}, LockMode::kCompliance, kLater, kNow, false), LockVerdict::kAllowed);
}

TEST(ObjectLockDecision, StatusNamesTheLock) {
  EXPECT_OK(LockStatus(LockVerdict::kAllowed));
  Status s = LockStatus(LockVerdict::kCompliance);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(s.message().starts_with(kObjectLocked)) << s.ToString();
  EXPECT_NE(s.message().find("COMPLIANCE"), std::string::npos);
}

TEST(ObjectLockDecision, DefaultRetentionPeriods) {
  EXPECT_EQ(DefaultRetainUntilMs({LockMode::kGovernance, 1, 0}, kNow), kNow + 86'400'000);
  EXPECT_EQ(DefaultRetainUntilMs({LockMode::kCompliance, 0, 2}, kNow), kNow + 730ull * 86'400'000);
  EXPECT_EQ(ParseLockMode("GOVERNANCE"), LockMode::kGovernance);
  EXPECT_EQ(ParseLockMode("COMPLIANCE"), LockMode::kCompliance);
  EXPECT_EQ(ParseLockMode("governance"), std::nullopt);
  EXPECT_EQ(ParseLockMode(""), std::nullopt);
}

TEST(ObjectLockRecords, ObjectRoundTrip) {
  ObjectRecord r;
  r.size = 3;
  r.version_id = NewVersionId();
  r.lock_mode = LockMode::kCompliance;
  r.lock_until_ms = kLater;
  r.legal_hold = true;
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, DecodeObject(EncodeObject(r)));
  EXPECT_EQ(back.lock_mode, LockMode::kCompliance);
  EXPECT_EQ(back.lock_until_ms, kLater);
  EXPECT_TRUE(back.legal_hold);
  EXPECT_EQ(back.version_id, r.version_id);
  // Without a lock, the record keeps its older encoding.
  r.lock_mode = LockMode::kNone;
  r.lock_until_ms = 0;
  r.legal_hold = false;
  EXPECT_EQ(EncodeObject(r)[1], 6);
  // An unknown mode is refused, not misread.
  r.lock_mode = LockMode::kGovernance;
  r.lock_until_ms = kLater;
  std::string bytes = EncodeObject(r);
  ASSERT_EQ(bytes[1], 7);
  ObjectRecord again;
  ASSERT_OK_AND_ASSIGN(again, DecodeObject(bytes));
  EXPECT_EQ(again.lock_mode, LockMode::kGovernance);
}

TEST(ObjectLockRecords, BucketAndUploadRoundTrip) {
  BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.versioning = BucketVersioning::kEnabled;
  b.object_lock_enabled = true;
  ASSERT_OK_AND_ASSIGN(BucketRecord back, DecodeBucket(EncodeBucket(b)));
  EXPECT_TRUE(back.object_lock_enabled);
  EXPECT_FALSE(back.default_retention.has_value());
  b.default_retention = DefaultRetention{LockMode::kCompliance, 0, 3};
  ASSERT_OK_AND_ASSIGN(back, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(back.default_retention, b.default_retention);
  b.object_lock_enabled = false;
  b.default_retention.reset();
  ASSERT_OK_AND_ASSIGN(back, DecodeBucket(EncodeBucket(b)));
  EXPECT_FALSE(back.object_lock_enabled);

  UploadRecord u;
  u.upload_id = "u";
  u.lock_mode = LockMode::kGovernance;
  u.lock_until_ms = kLater;
  u.legal_hold = true;
  ASSERT_OK_AND_ASSIGN(UploadRecord ub, DecodeUpload(EncodeUpload(u)));
  EXPECT_EQ(ub.lock_mode, LockMode::kGovernance);
  EXPECT_EQ(ub.lock_until_ms, kLater);
  EXPECT_TRUE(ub.legal_hold);
}

class ObjectLockCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_.name = "locked";
    bucket_.id = "b1";
    bucket_.owner = "tenant";
    bucket_.versioning = BucketVersioning::kEnabled;
    bucket_.object_lock_enabled = true;
    ASSERT_OK(catalog_.CreateBucket(bucket_));
  }
  std::string Put(const std::string& key, LockMode mode, uint64_t until, bool hold) {
    ObjectRecord r;
    r.size = 1;
    r.op_tag = NewOpTag();
    r.lock_mode = mode;
    r.lock_until_ms = until;
    r.legal_hold = hold;
    StampVersion(bucket_, r);
    EXPECT_OK(catalog_.PutObject(bucket_, key, r).status());
    return ExternalVersionId(r);
  }

  meta::MemoryMetaStore store_;
  Catalog catalog_{store_};
  BucketRecord bucket_;
};

TEST_F(ObjectLockCatalogTest, LockedVersionIsNotRemoved) {
  const std::string v = Put("k", LockMode::kCompliance, kLater, false);
  LockOverride now{.bypass_governance = true, .now_ms = kNow};
  Result<DeleteOutcome> d = catalog_.DeleteObjectVersion(bucket_, "k", v, now);
  EXPECT_EQ(d.status().code(), StatusCode::kPermissionDenied);
  EXPECT_OK(catalog_.GetObjectVersion(bucket_, "k", v).status());
  // A delete marker is always allowed, and the version stays.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome marker, catalog_.DeleteObjectVersion(bucket_, "k", std::nullopt, now));
  EXPECT_TRUE(marker.delete_marker);
  EXPECT_OK(catalog_.GetObjectVersion(bucket_, "k", v).status());
  // Noncurrent now: still refused; after the date it goes.
  EXPECT_EQ(catalog_.DeleteObjectVersion(bucket_, "k", v, now).status().code(), StatusCode::kPermissionDenied);
  LockOverride after{.bypass_governance = false, .now_ms = kLater + 1};
  ASSERT_OK_AND_ASSIGN(DeleteOutcome gone, catalog_.DeleteObjectVersion(bucket_, "k", v, after));
  EXPECT_TRUE(gone.removed.has_value());
}

TEST_F(ObjectLockCatalogTest, GovernanceYieldsToBypassOnly) {
  const std::string v = Put("g", LockMode::kGovernance, kLater, false);
  EXPECT_EQ(catalog_.DeleteObjectVersion(bucket_, "g", v, {false, kNow}).status().code(),
            StatusCode::kPermissionDenied);
  // The default (lifecycle, admin) is the system clock without bypass.
  const std::string far = Put("f", LockMode::kGovernance, LockNowMs({}) + 3600'000, false);
  EXPECT_EQ(catalog_.DeleteObjectVersion(bucket_, "f", far).status().code(), StatusCode::kPermissionDenied);
  EXPECT_OK(catalog_.DeleteObjectVersion(bucket_, "g", v, {true, kNow}).status());
}

TEST_F(ObjectLockCatalogTest, FindLockedVersionOfOwner) {
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> none, catalog_.FindLockedVersion("tenant", kNow));
  EXPECT_FALSE(none.has_value());
  Put("old", LockMode::kCompliance, kEarlier, false);
  ASSERT_OK_AND_ASSIGN(none, catalog_.FindLockedVersion("tenant", kNow));
  EXPECT_FALSE(none.has_value());
  Put("held", LockMode::kNone, 0, true);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> found, catalog_.FindLockedVersion("tenant", kNow));
  ASSERT_TRUE(found.has_value());
  EXPECT_NE(found->find("locked/held"), std::string::npos) << *found;
  EXPECT_NE(found->find("legal hold"), std::string::npos) << *found;
  ASSERT_OK_AND_ASSIGN(none, catalog_.FindLockedVersion("someone-else", kNow));
  EXPECT_FALSE(none.has_value());
}

}  // namespace
}  // namespace confiance::catalog

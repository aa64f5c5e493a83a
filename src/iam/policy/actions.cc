// File: iam/policy/actions.cc
#include "iam/policy/actions.h"

#include <array>
#include <cstdint>

#include "common/ascii.h"
#include "iam/policy/matching.h"

namespace confiance::iam::policy {
namespace {

using enum ResourceKind;

// Names as in the AWS Service Authorization Reference for Amazon S3. Several
// S3 API calls share one action (DeleteBucketCors is s3:PutBucketCORS,
// HeadObject is s3:GetObject): the router maps operations to these names.
constexpr ActionInfo kActions[] = {
    // Account.
    {"s3:ListAllMyBuckets", kAccount},
    {"s3:GetAccountPublicAccessBlock", kAccount},
    {"s3:PutAccountPublicAccessBlock", kAccount},
    // Bucket.
    {"s3:CreateBucket", kBucket},
    {"s3:DeleteBucket", kBucket},
    {"s3:ListBucket", kBucket},
    {"s3:ListBucketVersions", kBucket},
    {"s3:ListBucketMultipartUploads", kBucket},
    {"s3:GetBucketLocation", kBucket},
    {"s3:GetBucketAcl", kBucket},
    {"s3:PutBucketAcl", kBucket},
    {"s3:GetBucketPolicy", kBucket},
    {"s3:PutBucketPolicy", kBucket},
    {"s3:DeleteBucketPolicy", kBucket},
    {"s3:GetBucketPolicyStatus", kBucket},
    {"s3:GetBucketTagging", kBucket},
    {"s3:PutBucketTagging", kBucket},
    {"s3:GetBucketCORS", kBucket},
    {"s3:PutBucketCORS", kBucket},
    {"s3:GetBucketVersioning", kBucket},
    {"s3:PutBucketVersioning", kBucket},
    {"s3:GetBucketPublicAccessBlock", kBucket},
    {"s3:PutBucketPublicAccessBlock", kBucket},
    {"s3:GetBucketOwnershipControls", kBucket},
    {"s3:PutBucketOwnershipControls", kBucket},
    {"s3:GetEncryptionConfiguration", kBucket},
    {"s3:PutEncryptionConfiguration", kBucket},
    {"s3:GetBucketObjectLockConfiguration", kBucket},
    {"s3:PutBucketObjectLockConfiguration", kBucket},
    {"s3:GetLifecycleConfiguration", kBucket},
    {"s3:PutLifecycleConfiguration", kBucket},
    {"s3:GetBucketWebsite", kBucket},
    {"s3:PutBucketWebsite", kBucket},
    {"s3:DeleteBucketWebsite", kBucket},
    {"s3:GetInventoryConfiguration", kBucket},
    {"s3:PutInventoryConfiguration", kBucket},
    {"s3:GetBucketLogging", kBucket},
    {"s3:PutBucketLogging", kBucket},
    {"s3:GetBucketNotification", kBucket},
    {"s3:PutBucketNotification", kBucket},
    {"s3:GetReplicationConfiguration", kBucket},
    {"s3:PutReplicationConfiguration", kBucket},
    {"s3:GetBucketRequestPayment", kBucket},
    {"s3:PutBucketRequestPayment", kBucket},
    {"s3:GetAccelerateConfiguration", kBucket},
    {"s3:PutAccelerateConfiguration", kBucket},
    // Object.
    {"s3:GetObject", kObject},
    {"s3:PutObject", kObject},
    {"s3:DeleteObject", kObject},
    {"s3:GetObjectAcl", kObject},
    {"s3:PutObjectAcl", kObject},
    {"s3:GetObjectVersion", kObject},
    {"s3:GetObjectVersionAcl", kObject},
    {"s3:PutObjectVersionAcl", kObject},
    {"s3:DeleteObjectVersion", kObject},
    {"s3:GetObjectTagging", kObject},
    {"s3:PutObjectTagging", kObject},
    {"s3:DeleteObjectTagging", kObject},
    {"s3:GetObjectVersionTagging", kObject},
    {"s3:PutObjectVersionTagging", kObject},
    {"s3:DeleteObjectVersionTagging", kObject},
    {"s3:GetObjectAttributes", kObject},
    {"s3:GetObjectVersionAttributes", kObject},
    {"s3:ListMultipartUploadParts", kObject},
    {"s3:AbortMultipartUpload", kObject},
    {"s3:GetObjectRetention", kObject},
    {"s3:PutObjectRetention", kObject},
    {"s3:GetObjectLegalHold", kObject},
    {"s3:PutObjectLegalHold", kObject},
    {"s3:BypassGovernanceRetention", kObject},
    // Writing a version marked as a replication copy (s3/replication_config.h
    // kReplicaHeader), on top of s3:PutObject.
    {"s3:ReplicateObject", kObject},
    // Writing a delete marker marked so (DeleteObject with kReplicaHeader).
    {"s3:ReplicateDelete", kObject},
    // Changing a version's tags marked so (Put/DeleteObjectTagging with
    // kReplicaHeader: replication sending tag changes on).
    {"s3:ReplicateTags", kObject},
    {"s3:RestoreObject", kObject},
    {"s3:GetObjectTorrent", kObject},
    {"s3:GetObjectVersionTorrent", kObject},
};
constexpr size_t kCount = std::size(kActions);
static_assert(kCount <= kMaxActions, "widen kMaxActions");

// FindAction's hash table: FNV-1a over the case-folded name, open addressing
// with linear probing. Four times as many slots as actions keeps probes
// short; 0xff marks an empty slot.
constexpr size_t kSlots = 512;
static_assert(kSlots >= 4 * kCount && kCount < 0xff);

uint32_t FoldedHash(std::string_view name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<uint8_t>(AsciiLower(c))) * 16777619u;
  return h;
}

const std::array<uint8_t, kSlots>& Slots() {
  static const std::array<uint8_t, kSlots> slots = [] {
    std::array<uint8_t, kSlots> t;
    t.fill(0xff);
    for (size_t i = 0; i < kCount; ++i) {
      size_t s = FoldedHash(kActions[i].name) % kSlots;
      while (t[s] != 0xff) s = (s + 1) % kSlots;
      t[s] = static_cast<uint8_t>(i);
    }
    return t;
  }();
  return slots;
}

}  // namespace

std::span<const ActionInfo> KnownActions() { return kActions; }

std::optional<size_t> FindAction(std::string_view name) {
  const auto& slots = Slots();
  for (size_t s = FoldedHash(name) % kSlots; slots[s] != 0xff; s = (s + 1) % kSlots) {
    if (EqualsIgnoreCase(kActions[slots[s]].name, name)) return slots[s];
  }
  return std::nullopt;
}

ActionSet ActionsMatching(std::string_view pattern) {
  ActionSet set;
  for (size_t i = 0; i < kCount; ++i) {
    if (WildcardMatch(pattern, kActions[i].name, /*ignore_case=*/true)) set.set(i);
  }
  return set;
}

const ActionSet& DataExposingActions() {
  static const ActionSet set = [] {
    ActionSet s;
    for (size_t i = 0; i < kCount; ++i) {
      std::string_view n = kActions[i].name;
      if (StartsWithIgnoreCase(n, "s3:Get") || StartsWithIgnoreCase(n, "s3:List") ||
          StartsWithIgnoreCase(n, "s3:Put") || StartsWithIgnoreCase(n, "s3:Delete") ||
          n == "s3:AbortMultipartUpload" || n == "s3:RestoreObject") {
        s.set(i);
      }
    }
    return s;
  }();
  return set;
}

const ActionSet& ActionsOnResource(ResourceKind kind) {
  static const std::array<ActionSet, 3> sets = [] {
    std::array<ActionSet, 3> s;
    for (size_t i = 0; i < kCount; ++i) s[static_cast<size_t>(kActions[i].resource)].set(i);
    return s;
  }();
  return sets[static_cast<size_t>(kind)];
}

}  // namespace confiance::iam::policy

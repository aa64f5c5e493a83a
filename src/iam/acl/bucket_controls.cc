// File: iam/acl/bucket_controls.cc
#include "iam/acl/bucket_controls.h"

#include <array>
#include <utility>

namespace confiance::iam::acl {
namespace {

constexpr std::array<std::pair<ObjectOwnership, std::string_view>, 3> kOwnershipNames = {{
    {ObjectOwnership::kBucketOwnerEnforced, "BucketOwnerEnforced"},
    {ObjectOwnership::kBucketOwnerPreferred, "BucketOwnerPreferred"},
    {ObjectOwnership::kObjectWriter, "ObjectWriter"},
}};

}  // namespace

std::string_view ObjectOwnershipName(ObjectOwnership ownership) {
  for (const auto& [o, name] : kOwnershipNames) {
    if (o == ownership) return name;
  }
  return "";
}

std::optional<ObjectOwnership> ParseObjectOwnership(std::string_view name) {
  for (const auto& [o, n] : kOwnershipNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

namespace {
constexpr int32_t kBlockPublicAcls = 1, kIgnorePublicAcls = 2, kBlockPublicPolicy = 4, kRestrictPublicBuckets = 8;
}  // namespace

int32_t EncodePublicAccessBlock(const PublicAccessBlock& block) {
  return (block.block_public_acls ? kBlockPublicAcls : 0) | (block.ignore_public_acls ? kIgnorePublicAcls : 0) |
         (block.block_public_policy ? kBlockPublicPolicy : 0) |
         (block.restrict_public_buckets ? kRestrictPublicBuckets : 0);
}

PublicAccessBlock DecodePublicAccessBlock(int32_t bits) {
  PublicAccessBlock block;
  if (bits < 0) return block;
  block.block_public_acls = (bits & kBlockPublicAcls) != 0;
  block.ignore_public_acls = (bits & kIgnorePublicAcls) != 0;
  block.block_public_policy = (bits & kBlockPublicPolicy) != 0;
  block.restrict_public_buckets = (bits & kRestrictPublicBuckets) != 0;
  return block;
}

}  // namespace confiance::iam::acl

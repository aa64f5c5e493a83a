// File: iam/acl/action_map.cc
#include "iam/acl/action_map.h"

#include <array>

#include "common/ascii.h"

namespace confiance::iam::acl {
namespace {

struct Entry {
  std::string_view action;
  Permission permission;
  AclResource resource;
};

constexpr AclResource kBucket = AclResource::kBucket;
constexpr AclResource kObject = AclResource::kObject;

// The table of action_map.h, row by row.
constexpr std::array<Entry, 14> kTable = {{
    {"s3:ListBucket", Permission::kRead, kBucket},
    {"s3:ListBucketVersions", Permission::kRead, kBucket},
    {"s3:ListBucketMultipartUploads", Permission::kRead, kBucket},
    {"s3:GetObject", Permission::kRead, kObject},
    {"s3:GetObjectVersion", Permission::kRead, kObject},
    {"s3:GetObjectTorrent", Permission::kRead, kObject},
    {"s3:PutObject", Permission::kWrite, kBucket},
    {"s3:DeleteObject", Permission::kWrite, kBucket},
    {"s3:GetBucketAcl", Permission::kReadAcp, kBucket},
    {"s3:GetObjectAcl", Permission::kReadAcp, kObject},
    {"s3:GetObjectVersionAcl", Permission::kReadAcp, kObject},
    {"s3:PutBucketAcl", Permission::kWriteAcp, kBucket},
    {"s3:PutObjectAcl", Permission::kWriteAcp, kObject},
    {"s3:PutObjectVersionAcl", Permission::kWriteAcp, kObject},
}};

}  // namespace

std::optional<AclRequirement> AclRequirementFor(std::string_view action) {
  for (const Entry& e : kTable) {
    if (EqualsIgnoreCase(e.action, action)) return AclRequirement{e.permission, e.resource};
  }
  return std::nullopt;
}

}  // namespace confiance::iam::acl

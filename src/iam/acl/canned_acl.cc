// File: iam/acl/canned_acl.cc
#include "iam/acl/canned_acl.h"

#include <array>
#include <string>
#include <utility>

#include "iam/acl/acl_errors.h"

namespace confiance::iam::acl {
namespace {

constexpr std::array<std::pair<CannedAcl, std::string_view>, 8> kNames = {{
    {CannedAcl::kPrivate, "private"},
    {CannedAcl::kPublicRead, "public-read"},
    {CannedAcl::kPublicReadWrite, "public-read-write"},
    {CannedAcl::kAuthenticatedRead, "authenticated-read"},
    {CannedAcl::kAwsExecRead, "aws-exec-read"},
    {CannedAcl::kBucketOwnerRead, "bucket-owner-read"},
    {CannedAcl::kBucketOwnerFullControl, "bucket-owner-full-control"},
    {CannedAcl::kLogDeliveryWrite, "log-delivery-write"},
}};

Acl OwnerOnly(const CanonicalUser& owner) {
  Acl acl;
  acl.owner = owner;
  acl.grants.push_back({Grantee::User(owner.id, owner.display_name), Permission::kFullControl});
  return acl;
}

void AddGroup(Acl& acl, Group group, Permission permission) {
  acl.grants.push_back({Grantee::OfGroup(group), permission});
}

// The grants every resource type shares: the group grants of public-read,
// public-read-write and authenticated-read.
void AddCommonGrants(Acl& acl, CannedAcl canned) {
  switch (canned) {
    case CannedAcl::kPublicRead:
      AddGroup(acl, Group::kAllUsers, Permission::kRead);
      break;
    case CannedAcl::kPublicReadWrite:
      AddGroup(acl, Group::kAllUsers, Permission::kRead);
      AddGroup(acl, Group::kAllUsers, Permission::kWrite);
      break;
    case CannedAcl::kAuthenticatedRead:
      AddGroup(acl, Group::kAuthenticatedUsers, Permission::kRead);
      break;
    default:
      break;
  }
}

}  // namespace

std::string_view CannedAclName(CannedAcl canned) {
  for (const auto& [c, name] : kNames) {
    if (c == canned) return name;
  }
  return "";
}

Result<CannedAcl> ParseCannedAcl(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (n == name) return c;
  }
  return MakeError(ErrorKind::kInvalidCannedAcl, "unknown canned ACL '" + std::string(name) + "'");
}

Acl CannedBucketAcl(CannedAcl canned, const CanonicalUser& bucket_owner) {
  Acl acl = OwnerOnly(bucket_owner);
  AddCommonGrants(acl, canned);
  if (canned == CannedAcl::kLogDeliveryWrite) {
    AddGroup(acl, Group::kLogDelivery, Permission::kWrite);
    AddGroup(acl, Group::kLogDelivery, Permission::kReadAcp);
  }
  ListGroupGrantsFirst(acl.grants);
  return acl;
}

Acl CannedObjectAcl(CannedAcl canned, const CanonicalUser& object_owner,
                    const CanonicalUser& bucket_owner) {
  Acl acl = OwnerOnly(object_owner);
  AddCommonGrants(acl, canned);
  bool other_bucket_owner = bucket_owner.id != object_owner.id;
  if (canned == CannedAcl::kBucketOwnerRead && other_bucket_owner) {
    acl.grants.push_back({Grantee::User(bucket_owner.id, bucket_owner.display_name), Permission::kRead});
  }
  if (canned == CannedAcl::kBucketOwnerFullControl && other_bucket_owner) {
    acl.grants.push_back(
        {Grantee::User(bucket_owner.id, bucket_owner.display_name), Permission::kFullControl});
  }
  ListGroupGrantsFirst(acl.grants);
  return acl;
}

}  // namespace confiance::iam::acl

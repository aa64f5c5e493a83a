// File: iam/acl/action_map_test.cc
#include "iam/acl/action_map.h"

#include <gtest/gtest.h>

namespace confiance::iam::acl {
namespace {

constexpr AclResource kBucket = AclResource::kBucket;
constexpr AclResource kObject = AclResource::kObject;

TEST(ActionMapTest, AwsMappingTable) {
  struct Row {
    const char* action;
    AclRequirement want;
  };
  const Row rows[] = {
      {"s3:ListBucket", {Permission::kRead, kBucket}},
      {"s3:ListBucketVersions", {Permission::kRead, kBucket}},
      {"s3:ListBucketMultipartUploads", {Permission::kRead, kBucket}},
      {"s3:GetObject", {Permission::kRead, kObject}},
      {"s3:GetObjectVersion", {Permission::kRead, kObject}},
      {"s3:GetObjectTorrent", {Permission::kRead, kObject}},
      {"s3:PutObject", {Permission::kWrite, kBucket}},
      {"s3:DeleteObject", {Permission::kWrite, kBucket}},
      {"s3:GetBucketAcl", {Permission::kReadAcp, kBucket}},
      {"s3:PutBucketAcl", {Permission::kWriteAcp, kBucket}},
      {"s3:GetObjectAcl", {Permission::kReadAcp, kObject}},
      {"s3:GetObjectVersionAcl", {Permission::kReadAcp, kObject}},
      {"s3:PutObjectAcl", {Permission::kWriteAcp, kObject}},
      {"s3:PutObjectVersionAcl", {Permission::kWriteAcp, kObject}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(AclRequirementFor(row.action), row.want) << row.action;
  }
}

TEST(ActionMapTest, ActionNamesMatchCaseInsensitively) {
  EXPECT_EQ(AclRequirementFor("S3:GETOBJECT"), (AclRequirement{Permission::kRead, kObject}));
  EXPECT_EQ(AclRequirementFor("s3:putbucketacl"), (AclRequirement{Permission::kWriteAcp, kBucket}));
}

TEST(ActionMapTest, ActionsNoAclCanGrant) {
  for (const char* action :
       {"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:GetObjectTagging",
        "s3:PutObjectTagging", "s3:DeleteObjectVersion", "s3:GetBucketLocation", "s3:CreateBucket",
        "s3:DeleteBucket", "s3:ListAllMyBuckets", "s3:PutBucketPolicy", "s3:PutBucketOwnershipControls",
        "s3:PutBucketPublicAccessBlock", "s3:*", "s3:GetObject*", "GetObject", "", "iam:GetObject"}) {
    EXPECT_EQ(AclRequirementFor(action), std::nullopt) << action;
  }
}

}  // namespace
}  // namespace confiance::iam::acl

// File: iam/acl/canned_acl_test.cc
#include "iam/acl/canned_acl.h"

#include <gtest/gtest.h>

#include "iam/acl/acl_errors.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::acl {
namespace {

const CanonicalUser kBucketOwner{"bucket-owner-id", "bucket-owner"};
const CanonicalUser kWriter{"writer-id", "writer"};

Grant UserGrant(const CanonicalUser& u, Permission p) { return {Grantee::User(u.id, u.display_name), p}; }
Grant GroupGrant(Group g, Permission p) { return {Grantee::OfGroup(g), p}; }

TEST(CannedAclTest, NamesRoundTrip) {
  const char* names[] = {"private", "public-read", "public-read-write", "authenticated-read",
                         "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control",
                         "log-delivery-write"};
  for (const char* name : names) {
    ASSERT_OK_AND_ASSIGN(CannedAcl canned, ParseCannedAcl(name));
    EXPECT_EQ(CannedAclName(canned), name);
  }
}

TEST(CannedAclTest, UnknownNameIsInvalidCannedAcl) {
  for (const char* name : {"", "Private", "public_read", "public-write", "bucket-owner"}) {
    Result<CannedAcl> r = ParseCannedAcl(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorKindOf(r.status()), ErrorKind::kInvalidCannedAcl) << r.status().ToString();
  }
}

struct CannedCase {
  CannedAcl canned;
  std::vector<Grant> bucket;            // beyond the owner's FULL_CONTROL
  std::vector<Grant> object_other;      // beyond the object owner's, bucket owned by someone else
};

std::vector<CannedCase> Cases() {
  return {
      {CannedAcl::kPrivate, {}, {}},
      {CannedAcl::kPublicRead,
       {GroupGrant(Group::kAllUsers, Permission::kRead)},
       {GroupGrant(Group::kAllUsers, Permission::kRead)}},
      {CannedAcl::kPublicReadWrite,
       {GroupGrant(Group::kAllUsers, Permission::kRead), GroupGrant(Group::kAllUsers, Permission::kWrite)},
       {GroupGrant(Group::kAllUsers, Permission::kRead), GroupGrant(Group::kAllUsers, Permission::kWrite)}},
      {CannedAcl::kAuthenticatedRead,
       {GroupGrant(Group::kAuthenticatedUsers, Permission::kRead)},
       {GroupGrant(Group::kAuthenticatedUsers, Permission::kRead)}},
      {CannedAcl::kAwsExecRead, {}, {}},
      {CannedAcl::kBucketOwnerRead, {}, {UserGrant(kBucketOwner, Permission::kRead)}},
      {CannedAcl::kBucketOwnerFullControl, {}, {UserGrant(kBucketOwner, Permission::kFullControl)}},
      {CannedAcl::kLogDeliveryWrite,
       {GroupGrant(Group::kLogDelivery, Permission::kWrite),
        GroupGrant(Group::kLogDelivery, Permission::kReadAcp)},
       {}},
  };
}

// The grants listed as RGW lists them: the group grants, the owner's
// FULL_CONTROL, then the other users' grants.
std::vector<Grant> WithOwner(const CanonicalUser& owner, const std::vector<Grant>& rest) {
  std::vector<Grant> all;
  for (const Grant& g : rest) {
    if (g.grantee.type == Grantee::Type::kGroup) all.push_back(g);
  }
  all.push_back(UserGrant(owner, Permission::kFullControl));
  for (const Grant& g : rest) {
    if (g.grantee.type != Grantee::Type::kGroup) all.push_back(g);
  }
  return all;
}

TEST(CannedAclTest, EveryCannedAclOnABucket) {
  for (const CannedCase& c : Cases()) {
    Acl acl = CannedBucketAcl(c.canned, kBucketOwner);
    EXPECT_EQ(acl.owner, kBucketOwner);
    EXPECT_EQ(acl.grants, WithOwner(kBucketOwner, c.bucket)) << CannedAclName(c.canned);
  }
}

TEST(CannedAclTest, EveryCannedAclOnAnObjectInSomeoneElsesBucket) {
  for (const CannedCase& c : Cases()) {
    Acl acl = CannedObjectAcl(c.canned, kWriter, kBucketOwner);
    EXPECT_EQ(acl.owner, kWriter);
    EXPECT_EQ(acl.grants, WithOwner(kWriter, c.object_other)) << CannedAclName(c.canned);
  }
}

TEST(CannedAclTest, BucketOwnerCannedAclsAddNoDuplicateForTheSameOwner) {
  for (CannedAcl canned : {CannedAcl::kBucketOwnerRead, CannedAcl::kBucketOwnerFullControl}) {
    Acl acl = CannedObjectAcl(canned, kBucketOwner, kBucketOwner);
    EXPECT_EQ(acl.grants, WithOwner(kBucketOwner, {})) << CannedAclName(canned);
  }
}

TEST(CannedAclTest, ExpandedAclsEvaluateAsDocumented) {
  Acl public_read = CannedBucketAcl(CannedAcl::kPublicRead, kBucketOwner);
  EXPECT_TRUE(Allows(public_read, Requester::Anonymous(), Permission::kRead));
  EXPECT_FALSE(Allows(public_read, Requester::Anonymous(), Permission::kWrite));
  EXPECT_TRUE(IsPublic(public_read));

  Acl authenticated = CannedBucketAcl(CannedAcl::kAuthenticatedRead, kBucketOwner);
  EXPECT_FALSE(Allows(authenticated, Requester::Anonymous(), Permission::kRead));
  EXPECT_TRUE(Allows(authenticated, Requester::Signed("someone"), Permission::kRead));

  Acl full = CannedObjectAcl(CannedAcl::kBucketOwnerFullControl, kWriter, kBucketOwner);
  EXPECT_TRUE(Allows(full, Requester::Signed(kBucketOwner.id), Permission::kWriteAcp));
  EXPECT_FALSE(IsPublic(full));
  EXPECT_FALSE(IsPublic(CannedBucketAcl(CannedAcl::kLogDeliveryWrite, kBucketOwner)));
}

}  // namespace
}  // namespace confiance::iam::acl

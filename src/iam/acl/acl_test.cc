// File: iam/acl/acl_test.cc
#include "iam/acl/acl.h"

#include <gtest/gtest.h>

#include "iam/acl/acl_errors.h"

namespace confiance::iam::acl {
namespace {

constexpr Permission kAllPermissions[] = {Permission::kRead, Permission::kWrite, Permission::kReadAcp,
                                          Permission::kWriteAcp, Permission::kFullControl};

Acl OneGrant(Grantee grantee, Permission permission) {
  return Acl{{"owner-id", "owner"}, {{std::move(grantee), permission}}};
}

TEST(AclNamesTest, PermissionNamesRoundTrip) {
  EXPECT_EQ(PermissionName(Permission::kRead), "READ");
  EXPECT_EQ(PermissionName(Permission::kWrite), "WRITE");
  EXPECT_EQ(PermissionName(Permission::kReadAcp), "READ_ACP");
  EXPECT_EQ(PermissionName(Permission::kWriteAcp), "WRITE_ACP");
  EXPECT_EQ(PermissionName(Permission::kFullControl), "FULL_CONTROL");
  for (Permission p : kAllPermissions) EXPECT_EQ(ParsePermission(PermissionName(p)), p);
  EXPECT_EQ(ParsePermission("read"), std::nullopt);
  EXPECT_EQ(ParsePermission("FULL-CONTROL"), std::nullopt);
  EXPECT_EQ(ParsePermission(""), std::nullopt);
}

TEST(AclNamesTest, GroupUrisRoundTrip) {
  EXPECT_EQ(GroupUri(Group::kAllUsers), "http://acs.amazonaws.com/groups/global/AllUsers");
  EXPECT_EQ(GroupUri(Group::kAuthenticatedUsers),
            "http://acs.amazonaws.com/groups/global/AuthenticatedUsers");
  EXPECT_EQ(GroupUri(Group::kLogDelivery), "http://acs.amazonaws.com/groups/s3/LogDelivery");
  for (Group g : {Group::kAllUsers, Group::kAuthenticatedUsers, Group::kLogDelivery}) {
    EXPECT_EQ(ParseGroupUri(GroupUri(g)), g);
  }
  EXPECT_EQ(ParseGroupUri("http://acs.amazonaws.com/groups/global/Everyone"), std::nullopt);
  EXPECT_EQ(ParseGroupUri("https://acs.amazonaws.com/groups/global/AllUsers"), std::nullopt);
}

TEST(AllowsTest, FullControlImpliesEveryPermission) {
  Acl acl = OneGrant(Grantee::User("alice"), Permission::kFullControl);
  for (Permission p : kAllPermissions) {
    EXPECT_TRUE(Allows(acl, Requester::Signed("alice"), p)) << PermissionName(p);
  }
}

TEST(AllowsTest, OtherPermissionsImplyOnlyThemselves) {
  for (Permission granted : kAllPermissions) {
    if (granted == Permission::kFullControl) continue;
    Acl acl = OneGrant(Grantee::User("alice"), granted);
    for (Permission wanted : kAllPermissions) {
      EXPECT_EQ(Allows(acl, Requester::Signed("alice"), wanted), wanted == granted)
          << PermissionName(granted) << " asked " << PermissionName(wanted);
    }
  }
}

TEST(AllowsTest, CanonicalUserGrantMatchesOnlyThatSignedUser) {
  Acl acl = OneGrant(Grantee::User("alice", "Alice"), Permission::kRead);
  EXPECT_TRUE(Allows(acl, Requester::Signed("alice"), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Signed("bob"), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Signed("ALICE"), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kRead));
}

TEST(AllowsTest, EmptyIdsNeverMatch) {
  Acl acl = OneGrant(Grantee::User(""), Permission::kFullControl);
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Signed(""), Permission::kRead));
}

TEST(AllowsTest, AllUsersMatchesEveryoneIncludingAnonymous) {
  Acl acl = OneGrant(Grantee::OfGroup(Group::kAllUsers), Permission::kRead);
  EXPECT_TRUE(Allows(acl, Requester::Anonymous(), Permission::kRead));
  EXPECT_TRUE(Allows(acl, Requester::Signed("anyone"), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kWrite));
}

TEST(AllowsTest, AuthenticatedUsersMatchesOnlySignedRequests) {
  Acl acl = OneGrant(Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kWrite);
  EXPECT_TRUE(Allows(acl, Requester::Signed("anyone"), Permission::kWrite));
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kWrite));
}

TEST(AllowsTest, LogDeliveryAndEmailGrantsMatchNoRequester) {
  Acl acl{{"owner-id", ""},
          {{Grantee::OfGroup(Group::kLogDelivery), Permission::kFullControl},
           {Grantee::Email("alice@example.com"), Permission::kFullControl}}};
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kWrite));
  EXPECT_FALSE(Allows(acl, Requester::Signed("alice"), Permission::kWrite));
  EXPECT_FALSE(Allows(acl, Requester::Signed("alice@example.com"), Permission::kWrite));
}

TEST(AllowsTest, OwnerGetsNothingImplicitly) {
  Acl acl{{"owner-id", "owner"}, {}};
  for (Permission p : kAllPermissions) {
    EXPECT_FALSE(Allows(acl, Requester::Signed("owner-id"), p)) << PermissionName(p);
  }
}

TEST(AllowsTest, AnyMatchingGrantSuffices) {
  Acl acl{{"owner-id", ""},
          {{Grantee::User("bob"), Permission::kRead},
           {Grantee::User("alice"), Permission::kReadAcp},
           {Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kWrite}}};
  EXPECT_TRUE(Allows(acl, Requester::Signed("alice"), Permission::kReadAcp));
  EXPECT_TRUE(Allows(acl, Requester::Signed("alice"), Permission::kWrite));
  EXPECT_FALSE(Allows(acl, Requester::Signed("alice"), Permission::kRead));
  EXPECT_FALSE(Allows(acl, Requester::Anonymous(), Permission::kWrite));
}

TEST(IsPublicTest, GroupsThatMakeAnAclPublic) {
  EXPECT_FALSE(IsPublic(Acl{{"o", ""}, {}}));
  EXPECT_FALSE(IsPublic(OneGrant(Grantee::User("alice"), Permission::kFullControl)));
  EXPECT_FALSE(IsPublic(OneGrant(Grantee::OfGroup(Group::kLogDelivery), Permission::kWrite)));
  EXPECT_TRUE(IsPublic(OneGrant(Grantee::OfGroup(Group::kAllUsers), Permission::kReadAcp)));
  EXPECT_TRUE(IsPublic(OneGrant(Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kRead)));
}

TEST(ListGroupGrantsFirstTest, MovesGroupsAheadKeepingTheOrderWithinEachKind) {
  std::vector<Grant> grants = {{Grantee::User("owner"), Permission::kFullControl},
                               {Grantee::OfGroup(Group::kAllUsers), Permission::kRead},
                               {Grantee::User("alice"), Permission::kRead},
                               {Grantee::OfGroup(Group::kAllUsers), Permission::kWrite},
                               {Grantee::OfGroup(Group::kLogDelivery), Permission::kReadAcp}};
  ListGroupGrantsFirst(grants);
  EXPECT_EQ(grants, (std::vector<Grant>{{Grantee::OfGroup(Group::kAllUsers), Permission::kRead},
                                        {Grantee::OfGroup(Group::kAllUsers), Permission::kWrite},
                                        {Grantee::OfGroup(Group::kLogDelivery), Permission::kReadAcp},
                                        {Grantee::User("owner"), Permission::kFullControl},
                                        {Grantee::User("alice"), Permission::kRead}}));
}

TEST(SameGrantsTest, OrderAndDisplayNamesAsideButRepeatsCount) {
  const Grant owner{Grantee::User("o", "Owner"), Permission::kFullControl};
  const Grant all_read{Grantee::OfGroup(Group::kAllUsers), Permission::kRead};
  const Acl acl{{"o", ""}, {owner, all_read}};
  EXPECT_TRUE(SameGrants(acl, Acl{{"o", ""}, {all_read, owner}}));
  EXPECT_TRUE(SameGrants(acl, Acl{{"o", ""}, {{Grantee::User("o", "renamed"), Permission::kFullControl}, all_read}}));
  EXPECT_FALSE(SameGrants(acl, Acl{{"o", ""}, {owner}}));
  EXPECT_FALSE(SameGrants(acl, Acl{{"o", ""}, {owner, all_read, all_read}}));
  EXPECT_FALSE(SameGrants(acl, Acl{{"o", ""}, {owner, {Grantee::OfGroup(Group::kAllUsers), Permission::kWrite}}}));
  EXPECT_FALSE(
      SameGrants(acl, Acl{{"o", ""}, {owner, {Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kRead}}}));
  EXPECT_FALSE(SameGrants(acl, Acl{{"o", ""}, {{Grantee::User("p"), Permission::kFullControl}, all_read}}));
}

TEST(GrantsOnlyToTest, EveryGrantMustNameTheUserAndThePermissionIfGiven) {
  EXPECT_TRUE(GrantsOnlyTo(Acl{{"o", ""}, {}}, "o"));
  const Acl owner_full = OneGrant(Grantee::User("o"), Permission::kFullControl);
  EXPECT_TRUE(GrantsOnlyTo(owner_full, "o"));
  EXPECT_TRUE(GrantsOnlyTo(owner_full, "o", Permission::kFullControl));
  EXPECT_FALSE(GrantsOnlyTo(owner_full, "alice"));
  const Acl owner_read = OneGrant(Grantee::User("o"), Permission::kRead);
  EXPECT_TRUE(GrantsOnlyTo(owner_read, "o"));
  EXPECT_FALSE(GrantsOnlyTo(owner_read, "o", Permission::kFullControl));
  Acl shared = owner_full;
  shared.grants.push_back({Grantee::OfGroup(Group::kAllUsers), Permission::kRead});
  EXPECT_FALSE(GrantsOnlyTo(shared, "o"));
  shared.grants.back() = {Grantee::User("alice"), Permission::kFullControl};
  EXPECT_FALSE(GrantsOnlyTo(shared, "o", Permission::kFullControl));
}

TEST(AclErrorsTest, KindsRoundTripThroughTheStatusTag) {
  for (ErrorKind kind : {ErrorKind::kInvalidCannedAcl, ErrorKind::kMalformedGrantHeader,
                         ErrorKind::kInvalidGroupUri, ErrorKind::kEmailGrantee,
                         ErrorKind::kCannedWithGrantHeaders, ErrorKind::kMalformedAcl,
                         ErrorKind::kMalformedXml}) {
    Status s = MakeError(kind, "detail");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorKindOf(s), kind) << s.ToString();
    EXPECT_NE(s.message().find("detail"), std::string::npos);
  }
}

TEST(AclErrorsTest, UntaggedStatusesHaveNoKind) {
  EXPECT_EQ(ErrorKindOf(OkStatus()), std::nullopt);
  EXPECT_EQ(ErrorKindOf(InvalidArgumentError("MalformedXML: x")), std::nullopt);
  EXPECT_EQ(ErrorKindOf(InvalidArgumentError("[acl:NoSuchKind] x")), std::nullopt);
  EXPECT_EQ(ErrorKindOf(InvalidArgumentError("[acl:EmailGrantee x")), std::nullopt);
  EXPECT_EQ(ErrorKindOf(InternalError("[acl:EmailGrantee] x")), std::nullopt);
}

}  // namespace
}  // namespace confiance::iam::acl

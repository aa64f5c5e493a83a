// File: iam/acl/grant_headers_test.cc
#include "iam/acl/grant_headers.h"

#include <gtest/gtest.h>

#include <string>

#include "iam/acl/acl_errors.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::acl {
namespace {

const CanonicalUser kOwnerUser{"bucket-owner-id", "bucket-owner"};
const CanonicalUser kWriterUser{"writer-id", "writer"};
constexpr std::string_view kAllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";

std::optional<ErrorKind> KindOf(const Result<std::vector<Grant>>& r) { return ErrorKindOf(r.status()); }

TEST(ParseGrantHeaderTest, IdsUrisAndOrder) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<Grant> grants,
      ParseGrantHeader("id=\"abc\", uri=\"http://acs.amazonaws.com/groups/global/AllUsers\",id=\"def\"",
                       Permission::kReadAcp));
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(grants[0], (Grant{Grantee::User("abc"), Permission::kReadAcp}));
  EXPECT_EQ(grants[1], (Grant{Grantee::OfGroup(Group::kAllUsers), Permission::kReadAcp}));
  EXPECT_EQ(grants[2], (Grant{Grantee::User("def"), Permission::kReadAcp}));
}

TEST(ParseGrantHeaderTest, LenientSpacingCaseAndQuotes) {
  ASSERT_OK_AND_ASSIGN(std::vector<Grant> grants,
                       ParseGrantHeader("  ID = abc ,\tURI=http://acs.amazonaws.com/groups/s3/LogDelivery  ",
                                        Permission::kWrite));
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].grantee, Grantee::User("abc"));
  EXPECT_EQ(grants[1].grantee, Grantee::OfGroup(Group::kLogDelivery));
}

TEST(ParseGrantHeaderTest, QuotedValueMayHoldCommasAndBlanks) {
  ASSERT_OK_AND_ASSIGN(std::vector<Grant> grants, ParseGrantHeader("id=\"a, b\"", Permission::kRead));
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].grantee.user.id, "a, b");
}

TEST(ParseGrantHeaderTest, SyntaxErrorsAreMalformedGrantHeader) {
  const char* bad[] = {
      "",                      // empty
      "   ",                   // blank
      "abc",                   // no '='
      "id=",                   // empty value
      "id=\"\"",               // empty quoted value
      "id=\"abc",              // unterminated quote
      "id=\"abc\" id=\"def\"", // missing comma
      "id=abc,",               // trailing comma
      ",id=abc",               // leading comma
      "user=\"abc\"",          // unknown type
      "canonical=abc",         // unknown type
      "id=ab\"c\"",            // quote inside a bare token
  };
  for (const char* value : bad) {
    Result<std::vector<Grant>> r = ParseGrantHeader(value, Permission::kRead);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(KindOf(r), ErrorKind::kMalformedGrantHeader) << value << ": " << r.status().ToString();
  }
}

TEST(ParseGrantHeaderTest, UnknownGroupUri) {
  Result<std::vector<Grant>> r =
      ParseGrantHeader("uri=\"http://acs.amazonaws.com/groups/global/Everyone\"", Permission::kRead);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(KindOf(r), ErrorKind::kInvalidGroupUri);
}

TEST(ParseGrantHeaderTest, EmailGranteeIsRefused) {
  for (const char* value : {"emailAddress=\"x@y.example\"", "id=\"abc\", emailaddress=\"x@y.example\""}) {
    Result<std::vector<Grant>> r = ParseGrantHeader(value, Permission::kFullControl);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(KindOf(r), ErrorKind::kEmailGrantee) << value;
  }
}

TEST(ParseGrantHeaderTest, AtMostOneHundredGrants) {
  std::string value;
  for (int i = 0; i < 100; ++i) value += (i ? ",id=u" : "id=u") + std::to_string(i);
  ASSERT_OK_AND_ASSIGN(std::vector<Grant> grants, ParseGrantHeader(value, Permission::kRead));
  EXPECT_EQ(grants.size(), 100u);
  value += ",id=one-too-many";
  EXPECT_EQ(KindOf(ParseGrantHeader(value, Permission::kRead)), ErrorKind::kMalformedGrantHeader);
}

TEST(AclFromHeadersTest, NoHeadersMeansNoAcl) {
  ASSERT_OK_AND_ASSIGN(std::optional<Acl> bucket, BucketAclFromHeaders(AclHeaders{}, kOwnerUser));
  EXPECT_EQ(bucket, std::nullopt);
  ASSERT_OK_AND_ASSIGN(std::optional<Acl> object, ObjectAclFromHeaders(AclHeaders{}, kWriterUser, kOwnerUser));
  EXPECT_EQ(object, std::nullopt);
}

TEST(AclFromHeadersTest, CannedAclExpandsForTheResource) {
  AclHeaders h;
  h.canned = "bucket-owner-full-control";
  ASSERT_OK_AND_ASSIGN(std::optional<Acl> object, ObjectAclFromHeaders(h, kWriterUser, kOwnerUser));
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->owner, kWriterUser);
  ASSERT_EQ(object->grants.size(), 2u);
  EXPECT_EQ(object->grants[1],
            (Grant{Grantee::User(kOwnerUser.id, kOwnerUser.display_name), Permission::kFullControl}));
  ASSERT_OK_AND_ASSIGN(std::optional<Acl> bucket, BucketAclFromHeaders(h, kOwnerUser));
  ASSERT_TRUE(bucket.has_value());
  EXPECT_EQ(bucket->grants.size(), 1u);  // ignored on buckets: owner only
}

TEST(AclFromHeadersTest, UnknownCannedAcl) {
  AclHeaders h;
  h.canned = "world-writable";
  Result<std::optional<Acl>> r = BucketAclFromHeaders(h, kOwnerUser);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKindOf(r.status()), ErrorKind::kInvalidCannedAcl);
}

// Header order, except that group grants come first (ListGroupGrantsFirst).
TEST(AclFromHeadersTest, GrantHeadersGiveExactlyTheirGrantsGroupsFirstThenInHeaderOrder) {
  AclHeaders h;
  h.grant_full_control = "id=\"fc\"";
  h.grant_write_acp = "id=\"wacp\"";
  h.grant_read_acp = "id=\"racp\"";
  h.grant_write = "uri=\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\"";
  h.grant_read = "id=\"r1\", id=\"r2\"";
  ASSERT_OK_AND_ASSIGN(std::optional<Acl> acl, ObjectAclFromHeaders(h, kWriterUser, kOwnerUser));
  ASSERT_TRUE(acl.has_value());
  EXPECT_EQ(acl->owner, kWriterUser);
  std::vector<Grant> want = {
      {Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kWrite},
      {Grantee::User("r1"), Permission::kRead},
      {Grantee::User("r2"), Permission::kRead},
      {Grantee::User("racp"), Permission::kReadAcp},
      {Grantee::User("wacp"), Permission::kWriteAcp},
      {Grantee::User("fc"), Permission::kFullControl},
  };
  EXPECT_EQ(acl->grants, want);
}

TEST(AclFromHeadersTest, CannedAndGrantHeadersTogetherAreRefused) {
  AclHeaders h;
  h.canned = "private";
  h.grant_read = std::string_view(kAllUsersUri);  // even before looking at the grant's syntax
  Result<std::optional<Acl>> r = BucketAclFromHeaders(h, kOwnerUser);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKindOf(r.status()), ErrorKind::kCannedWithGrantHeaders);
  EXPECT_NE(r.status().message().find("Specifying both Canned ACLs and Header Grants is not allowed"),
            std::string::npos);
}

TEST(AclFromHeadersTest, TotalGrantsOverAllHeadersAreLimited) {
  std::string value;
  for (int i = 0; i < 60; ++i) value += (i ? ",id=u" : "id=u") + std::to_string(i);
  AclHeaders h;
  h.grant_read = value;
  h.grant_write = value;
  Result<std::optional<Acl>> r = BucketAclFromHeaders(h, kOwnerUser);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKindOf(r.status()), ErrorKind::kMalformedGrantHeader);
}

TEST(AclFromHeadersTest, AnEmailGranteeInAnyHeaderFailsTheRequest) {
  AclHeaders h;
  h.grant_read = "id=\"abc\"";
  h.grant_write_acp = "emailAddress=\"x@y.example\"";
  Result<std::optional<Acl>> r = BucketAclFromHeaders(h, kOwnerUser);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKindOf(r.status()), ErrorKind::kEmailGrantee);
}

}  // namespace
}  // namespace confiance::iam::acl

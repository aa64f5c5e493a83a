// File: s3/acl_error_test.cc
#include "s3/acl_error.h"

#include <gtest/gtest.h>

#include "iam/acl/acl_errors.h"
#include "iam/acl/grant_headers.h"
#include "s3/xml/acl_xml.h"

namespace confiance::s3 {
namespace {

using iam::acl::ErrorKind;

S3Error ForKind(ErrorKind kind) { return AclError(iam::acl::MakeError(kind, "detail")); }

TEST(AclErrorTest, EveryKindHasItsAwsError) {
  struct Row {
    ErrorKind kind;
    std::string_view code;
    int status;
  };
  const Row rows[] = {
      {ErrorKind::kInvalidCannedAcl, "InvalidArgument", 400},
      {ErrorKind::kMalformedGrantHeader, "InvalidArgument", 400},
      {ErrorKind::kInvalidGroupUri, "InvalidArgument", 400},
      {ErrorKind::kEmailGrantee, "UnresolvableGrantByEmailAddress", 400},
      {ErrorKind::kCannedWithGrantHeaders, "InvalidRequest", 400},
      {ErrorKind::kMalformedAcl, "MalformedACLError", 400},
      {ErrorKind::kMalformedXml, "MalformedXML", 400},
  };
  for (const Row& row : rows) {
    S3Error e = ForKind(row.kind);
    EXPECT_EQ(e.CodeString(), row.code) << iam::acl::ErrorKindName(row.kind);
    EXPECT_EQ(e.HttpStatus(), row.status) << iam::acl::ErrorKindName(row.kind);
  }
  EXPECT_EQ(ForKind(ErrorKind::kCannedWithGrantHeaders).Message(),
            "Specifying both Canned ACLs and Header Grants is not allowed");
  EXPECT_EQ(ForKind(ErrorKind::kEmailGrantee).Message(),
            "The email address you provided does not match any account on record.");
}

TEST(AclErrorTest, RealParserFailuresMapEndToEnd) {
  iam::acl::AclHeaders h;
  h.canned = "private";
  h.grant_read = "id=\"a\"";
  auto r = iam::acl::BucketAclFromHeaders(h, {"owner", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(AclError(r.status()).CodeString(), "InvalidRequest");

  auto ownership = xml::ParseOwnershipControls("<OwnershipControls/>");
  ASSERT_FALSE(ownership.ok());
  EXPECT_EQ(AclError(ownership.status()).CodeString(), "MalformedXML");

  auto policy = xml::ParseAccessControlPolicy("<AccessControlPolicy><AccessControlList><Grant/>"
                                              "</AccessControlList></AccessControlPolicy>");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(AclError(policy.status()).CodeString(), "MalformedACLError");
}

TEST(AclErrorTest, UntaggedNonArgumentFailuresAreInternal) {
  EXPECT_EQ(AclError(DataLossError("undecodable ACL record")).CodeString(), "InternalError");
}

}  // namespace
}  // namespace confiance::s3

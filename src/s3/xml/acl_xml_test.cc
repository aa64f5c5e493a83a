// File: s3/xml/acl_xml_test.cc
#include "s3/xml/acl_xml.h"

#include <gtest/gtest.h>

#include <string>

#include "iam/acl/acl_errors.h"
#include "iam/acl/canned_acl.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

namespace acl = iam::acl;
using acl::ErrorKind;
using acl::Grantee;
using acl::Group;
using acl::Permission;

constexpr std::string_view kDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr std::string_view kXsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

std::string Policy(std::string_view grants, std::string_view owner = "<Owner><ID>o</ID></Owner>") {
  return "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + std::string(owner) +
         "<AccessControlList>" + std::string(grants) + "</AccessControlList></AccessControlPolicy>";
}

std::string UserGrant(std::string_view id, std::string_view permission) {
  return "<Grant><Grantee " + std::string(kXsi) + " xsi:type=\"CanonicalUser\"><ID>" + std::string(id) +
         "</ID></Grantee><Permission>" + std::string(permission) + "</Permission></Grant>";
}

std::optional<ErrorKind> KindOf(std::string_view body) {
  Result<acl::Acl> r = ParseAccessControlPolicy(body);
  EXPECT_FALSE(r.ok()) << body;
  return acl::ErrorKindOf(r.status());
}

TEST(AclXmlTest, RendersLikeAws) {
  acl::Acl policy{{"owner-id", "owner & co"},
                  {{Grantee::User("owner-id", "owner & co"), Permission::kFullControl},
                   {Grantee::User("other-id"), Permission::kReadAcp},
                   {Grantee::OfGroup(Group::kAllUsers), Permission::kRead},
                   {Grantee::Email("x@y.example"), Permission::kWrite}}};
  EXPECT_EQ(RenderAccessControlPolicy(policy),
            std::string(kDecl) +
                "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<Owner><ID>owner-id</ID><DisplayName>owner &amp; co</DisplayName></Owner>"
                "<AccessControlList>"
                "<Grant><Grantee " + std::string(kXsi) + " xsi:type=\"CanonicalUser\">"
                "<ID>owner-id</ID><DisplayName>owner &amp; co</DisplayName></Grantee>"
                "<Permission>FULL_CONTROL</Permission></Grant>"
                "<Grant><Grantee " + std::string(kXsi) + " xsi:type=\"CanonicalUser\">"
                "<ID>other-id</ID></Grantee><Permission>READ_ACP</Permission></Grant>"
                "<Grant><Grantee " + std::string(kXsi) + " xsi:type=\"Group\">"
                "<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>"
                "<Permission>READ</Permission></Grant>"
                "<Grant><Grantee " + std::string(kXsi) + " xsi:type=\"AmazonCustomerByEmail\">"
                "<EmailAddress>x@y.example</EmailAddress></Grantee>"
                "<Permission>WRITE</Permission></Grant>"
                "</AccessControlList></AccessControlPolicy>");
}

TEST(AclXmlTest, EmptyAclRendersAnEmptyList) {
  EXPECT_EQ(RenderAccessControlPolicy(acl::Acl{{"o", ""}, {}}),
            std::string(kDecl) +
                "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<Owner><ID>o</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>");
}

TEST(AclXmlTest, RoundTripsEveryCannedAclAndEveryPermission) {
  acl::CanonicalUser owner{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "caf\xc3\xa9"};
  acl::CanonicalUser bucket_owner{"bucket-owner", "<b>"};
  for (int c = 0; c <= static_cast<int>(acl::CannedAcl::kLogDeliveryWrite); ++c) {
    auto canned = static_cast<acl::CannedAcl>(c);
    for (const acl::Acl& want : {acl::CannedBucketAcl(canned, owner),
                                 acl::CannedObjectAcl(canned, owner, bucket_owner)}) {
      ASSERT_OK_AND_ASSIGN(acl::Acl got, ParseAccessControlPolicy(RenderAccessControlPolicy(want)));
      EXPECT_EQ(got, want) << acl::CannedAclName(canned);
    }
  }
  acl::Acl every{owner, {}};
  for (Permission p : {Permission::kRead, Permission::kWrite, Permission::kReadAcp, Permission::kWriteAcp,
                       Permission::kFullControl}) {
    every.grants.push_back({Grantee::OfGroup(Group::kAuthenticatedUsers), p});
  }
  ASSERT_OK_AND_ASSIGN(acl::Acl got, ParseAccessControlPolicy(RenderAccessControlPolicy(every)));
  EXPECT_EQ(got, every);
}

TEST(AclXmlTest, ParsesAClientBodyWithWhitespace) {
  ASSERT_OK_AND_ASSIGN(acl::Acl got, ParseAccessControlPolicy(R"(<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner>
    <ID> owner </ID>
    <DisplayName>Owner</DisplayName>
  </Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
        <ID>alice</ID>
        <DisplayName>Alice</DisplayName>
      </Grantee>
      <Permission> WRITE_ACP </Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">
        <URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI>
      </Grantee>
      <Permission>WRITE</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>)"));
  acl::Acl want{{"owner", "Owner"},
                {{Grantee::OfGroup(Group::kLogDelivery), Permission::kWrite},
                 {Grantee::User("alice", "Alice"), Permission::kWriteAcp}}};
  EXPECT_EQ(got, want);
}

TEST(AclXmlTest, ParsedGrantsListGroupsFirst) {
  ASSERT_OK_AND_ASSIGN(acl::Acl got, ParseAccessControlPolicy(Policy(
      "<Grant><Grantee xsi:type=\"CanonicalUser\"><ID>owner</ID></Grantee>"
      "<Permission>FULL_CONTROL</Permission></Grant>"
      "<Grant><Grantee xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"
      "</Grantee><Permission>READ</Permission></Grant>")));
  EXPECT_EQ(got.grants, (std::vector<acl::Grant>{{Grantee::OfGroup(Group::kAllUsers), Permission::kRead},
                                                 {Grantee::User("owner"), Permission::kFullControl}}));
}

TEST(AclXmlTest, XsiPrefixIsResolvedThroughItsNamespace) {
  // Bound on the root rather than on Grantee, under another prefix.
  ASSERT_OK_AND_ASSIGN(
      acl::Acl got,
      ParseAccessControlPolicy("<AccessControlPolicy xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
                               "<AccessControlList><Grant><Grantee i:type=\"CanonicalUser\"><ID>a</ID>"
                               "</Grantee><Permission>READ</Permission></Grant></AccessControlList>"
                               "</AccessControlPolicy>"));
  ASSERT_EQ(got.grants.size(), 1u);
  EXPECT_EQ(got.grants[0].grantee, Grantee::User("a"));
  // An undeclared xsi prefix still means XMLSchema-instance.
  ASSERT_OK_AND_ASSIGN(acl::Acl unbound, ParseAccessControlPolicy(Policy(
      "<Grant><Grantee xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"
      "</Grantee><Permission>READ</Permission></Grant>")));
  ASSERT_EQ(unbound.grants.size(), 1u);
  EXPECT_EQ(unbound.grants[0].grantee, Grantee::OfGroup(Group::kAllUsers));
  // A "type" attribute in another namespace is not xsi:type.
  EXPECT_EQ(KindOf(Policy("<Grant><Grantee xmlns:xsi=\"urn:other\" xsi:type=\"CanonicalUser\"><ID>a</ID>"
                          "</Grantee><Permission>READ</Permission></Grant>")),
            ErrorKind::kMalformedAcl);
}

TEST(AclXmlTest, OwnerAndListAreOptional) {
  ASSERT_OK_AND_ASSIGN(acl::Acl no_owner, ParseAccessControlPolicy(Policy(UserGrant("a", "READ"), "")));
  EXPECT_EQ(no_owner.owner.id, "");
  EXPECT_EQ(no_owner.grants.size(), 1u);
  std::string rendered = RenderAccessControlPolicy(no_owner);
  EXPECT_EQ(rendered.find("<Owner>"), std::string::npos) << rendered;
  ASSERT_OK_AND_ASSIGN(acl::Acl again, ParseAccessControlPolicy(rendered));
  EXPECT_EQ(again, no_owner);
  ASSERT_OK_AND_ASSIGN(acl::Acl no_list, ParseAccessControlPolicy(
                                             "<AccessControlPolicy><Owner><ID>o</ID></Owner></AccessControlPolicy>"));
  EXPECT_EQ(no_list.owner.id, "o");
  EXPECT_TRUE(no_list.grants.empty());
}

TEST(AclXmlTest, NotXmlOrWrongRootIsMalformedXml) {
  EXPECT_EQ(KindOf(""), ErrorKind::kMalformedXml);
  EXPECT_EQ(KindOf("<AccessControlPolicy>"), ErrorKind::kMalformedXml);
  EXPECT_EQ(KindOf("not xml"), ErrorKind::kMalformedXml);
  EXPECT_EQ(KindOf("<AccessControlList/>"), ErrorKind::kMalformedXml);
}

TEST(AclXmlTest, BadStructureIsMalformedAcl) {
  std::string user = std::string("<Grantee ") + std::string(kXsi) + " xsi:type=\"CanonicalUser\"><ID>a</ID></Grantee>";
  const std::string bad[] = {
      Policy("<Grant><Permission>READ</Permission></Grant>"),  // no Grantee
      Policy("<Grant>" + user + "</Grant>"),                    // no Permission
      Policy(UserGrant("a", "read")),                           // permissions are upper case
      Policy(UserGrant("a", "FULL-CONTROL")),
      Policy(UserGrant("a", "")),
      Policy(UserGrant("", "READ")),                            // no ID
      Policy("<Grant><Grantee><ID>a</ID></Grantee><Permission>READ</Permission></Grant>"),  // no xsi:type
      Policy("<Grant><Grantee " + std::string(kXsi) +
             " xsi:type=\"Group\"></Grantee><Permission>READ</Permission></Grant>"),  // no URI
      Policy("<Grant><Grantee " + std::string(kXsi) +
             " xsi:type=\"Robot\"><ID>a</ID></Grantee><Permission>READ</Permission></Grant>"),
      Policy(UserGrant("a", "READ"), "<Owner><DisplayName>x</DisplayName></Owner>"),  // Owner without ID
  };
  for (const std::string& body : bad) EXPECT_EQ(KindOf(body), ErrorKind::kMalformedAcl) << body;
}

TEST(AclXmlTest, UnknownGroupAndEmailGrantees) {
  EXPECT_EQ(KindOf(Policy("<Grant><Grantee " + std::string(kXsi) +
                          " xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/Nobody</URI>"
                          "</Grantee><Permission>READ</Permission></Grant>")),
            ErrorKind::kInvalidGroupUri);
  EXPECT_EQ(KindOf(Policy("<Grant><Grantee " + std::string(kXsi) +
                          " xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>x@y.example</EmailAddress>"
                          "</Grantee><Permission>READ</Permission></Grant>")),
            ErrorKind::kEmailGrantee);
}

TEST(AclXmlTest, AtMostOneHundredGrants) {
  std::string grants;
  for (int i = 0; i < 100; ++i) grants += UserGrant("u" + std::to_string(i), "READ");
  ASSERT_OK_AND_ASSIGN(acl::Acl hundred, ParseAccessControlPolicy(Policy(grants)));
  EXPECT_EQ(hundred.grants.size(), 100u);
  grants += UserGrant("one-too-many", "READ");
  EXPECT_EQ(KindOf(Policy(grants)), ErrorKind::kMalformedAcl);
}

TEST(OwnershipControlsXmlTest, RendersLikeAws) {
  EXPECT_EQ(RenderOwnershipControls(acl::ObjectOwnership::kBucketOwnerEnforced),
            std::string(kDecl) +
                "<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
                "<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>");
}

TEST(OwnershipControlsXmlTest, RoundTripsEverySetting) {
  for (acl::ObjectOwnership o : {acl::ObjectOwnership::kBucketOwnerEnforced,
                                 acl::ObjectOwnership::kBucketOwnerPreferred, acl::ObjectOwnership::kObjectWriter}) {
    ASSERT_OK_AND_ASSIGN(acl::ObjectOwnership got, ParseOwnershipControls(RenderOwnershipControls(o)));
    EXPECT_EQ(got, o) << acl::ObjectOwnershipName(o);
  }
  ASSERT_OK_AND_ASSIGN(acl::ObjectOwnership spaced,
                       ParseOwnershipControls("<OwnershipControls>\n <Rule>\n  <ObjectOwnership> ObjectWriter "
                                              "</ObjectOwnership>\n </Rule>\n</OwnershipControls>"));
  EXPECT_EQ(spaced, acl::ObjectOwnership::kObjectWriter);
}

TEST(OwnershipControlsXmlTest, AnythingElseIsMalformedXml) {
  const char* bad[] = {
      "",
      "<OwnershipControls>",
      "<Other><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></Other>",
      "<OwnershipControls/>",
      "<OwnershipControls><Rule/></OwnershipControls>",
      "<OwnershipControls><Rule><ObjectOwnership>objectwriter</ObjectOwnership></Rule></OwnershipControls>",
      "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerFullControl</ObjectOwnership></Rule>"
      "</OwnershipControls>",
      "<OwnershipControls><Rule><ObjectOwnership></ObjectOwnership></Rule></OwnershipControls>",
      "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule>"
      "<Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
  };
  for (const char* body : bad) {
    Result<acl::ObjectOwnership> r = ParseOwnershipControls(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with("MalformedXML")) << r.status().ToString();
  }
}

TEST(PublicAccessBlockXmlTest, RendersLikeAws) {
  acl::PublicAccessBlock block;
  block.block_public_acls = true;
  block.restrict_public_buckets = true;
  EXPECT_EQ(RenderPublicAccessBlock(block),
            std::string(kDecl) +
                "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>"
                "<BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
                "</PublicAccessBlockConfiguration>");
}

TEST(PublicAccessBlockXmlTest, RoundTripsEveryCombination) {
  for (int bits = 0; bits < 16; ++bits) {
    acl::PublicAccessBlock block{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
    ASSERT_OK_AND_ASSIGN(acl::PublicAccessBlock got, ParsePublicAccessBlock(RenderPublicAccessBlock(block)));
    EXPECT_EQ(got, block) << bits;
  }
}

TEST(PublicAccessBlockXmlTest, MissingSettingsAreFalse) {
  ASSERT_OK_AND_ASSIGN(acl::PublicAccessBlock got,
                       ParsePublicAccessBlock("<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/"
                                              "doc/2006-03-01/\"><IgnorePublicAcls> TRUE </IgnorePublicAcls>"
                                              "</PublicAccessBlockConfiguration>"));
  EXPECT_EQ(got, (acl::PublicAccessBlock{false, true, false, false}));
  ASSERT_OK_AND_ASSIGN(acl::PublicAccessBlock none,
                       ParsePublicAccessBlock("<PublicAccessBlockConfiguration/>"));
  EXPECT_EQ(none, acl::PublicAccessBlock{});
}

TEST(PublicAccessBlockXmlTest, BadValuesAndRootsAreMalformedXml) {
  const char* bad[] = {
      "",
      "<PublicAccessBlock><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlock>",
      "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>",
      "<PublicAccessBlockConfiguration><BlockPublicPolicy>1</BlockPublicPolicy></PublicAccessBlockConfiguration>",
      "<PublicAccessBlockConfiguration><RestrictPublicBuckets/></PublicAccessBlockConfiguration>",
      "<PublicAccessBlockConfiguration><IgnorePublicAcls>true",
  };
  for (const char* body : bad) {
    Result<acl::PublicAccessBlock> r = ParsePublicAccessBlock(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_TRUE(r.status().message().starts_with("MalformedXML")) << r.status().ToString();
  }
}

}  // namespace
}  // namespace confiance::s3::xml

// File: s3/xml/inventory_xml_test.cc
#include "s3/xml/inventory_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <sstream>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFullInventory[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Destination><S3BucketDestination>\n"
    "    <AccountId> 123456789012 </AccountId>\n"
    "    <Bucket> arn:aws:s3:::reports </Bucket>\n"
    "    <Format>Parquet</Format>\n"
    "    <Prefix>inventory/</Prefix>\n"
    "    <Encryption><SSE-KMS><KeyId> arn:aws:kms:eu-west-3:123456789012:key/k1 </KeyId></SSE-KMS></Encryption>\n"
    "  </S3BucketDestination></Destination>\n"
    "  <IsEnabled> true </IsEnabled>\n"
    "  <Filter><Prefix>photos/</Prefix></Filter>\n"
    "  <Id> weekly-1.all_v </Id>\n"
    "  <IncludedObjectVersions>All</IncludedObjectVersions>\n"
    "  <OptionalFields><Field>Size</Field><Field> ETag </Field><Field>ObjectOwner</Field></OptionalFields>\n"
    "  <Schedule><Frequency>Weekly</Frequency></Schedule>\n"
    "</InventoryConfiguration>";

// The pieces of a document, each a valid minimal one unless a test
// replaces it.
struct InventoryDoc {
  std::string account;
  std::string bucket = "<Bucket>arn:aws:s3:::dest</Bucket>";
  std::string format = "<Format>CSV</Format>";
  std::string dest_prefix;
  std::string encryption;
  std::string enabled = "<IsEnabled>false</IsEnabled>";
  std::string filter;
  std::string id = "<Id>report1</Id>";
  std::string versions = "<IncludedObjectVersions>Current</IncludedObjectVersions>";
  std::string fields;
  std::string schedule = "<Schedule><Frequency>Daily</Frequency></Schedule>";

  std::string S3Destination() const {
    return "<S3BucketDestination>" + account + bucket + format + dest_prefix + encryption + "</S3BucketDestination>";
  }
  std::string Destination() const { return "<Destination>" + S3Destination() + "</Destination>"; }
  std::string Text() const {
    return "<InventoryConfiguration>" + Destination() + enabled + filter + id + versions + fields + schedule +
           "</InventoryConfiguration>";
  }
};

// "accepted", or the refusal as "<status code>: <message>".
std::string InventoryRefusalOf(const std::string& body) {
  Result<InventoryConfiguration> r = ParseInventoryConfiguration(body);
  return r.ok() ? "accepted" : r.status().ToString();
}

// The document with one piece replaced.
template <typename Member>
std::string InventoryWith(Member InventoryDoc::*piece, std::string value) {
  InventoryDoc doc;
  doc.*piece = std::move(value);
  return doc.Text();
}

InventoryConfiguration FullInventoryConfig() {
  InventoryConfiguration c;
  c.id = "full";
  c.enabled = true;
  c.destination_bucket = "reports";
  c.destination_account = "123456789012";
  c.destination_prefix = "inv/";
  c.format = "ORC";
  c.encryption = "SSE-S3";
  c.filter_prefix = "logs/";
  c.included_versions = "All";
  c.optional_fields = {"StorageClass", "LastModifiedDate"};
  c.frequency = "Daily";
  return c;
}

// The names of the element children of `node`, in order.
std::vector<std::string> InventoryChildNames(pugi::xml_node node) {
  std::vector<std::string> names;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element) names.emplace_back(child.name());
  }
  return names;
}

// `node` as a document of its own.
std::string InventorySerialized(pugi::xml_node node) {
  std::ostringstream out;
  node.print(out, "", pugi::format_raw);
  return out.str();
}

TEST(InventoryXmlTest, ParsesEveryPartOfAConfiguration) {
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c, ParseInventoryConfiguration(kFullInventory));
  EXPECT_EQ(c.id, "weekly-1.all_v");
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.destination_bucket, "reports");
  EXPECT_EQ(c.destination_account, "123456789012");
  EXPECT_EQ(c.destination_prefix, "inventory/");
  EXPECT_EQ(c.format, "Parquet");
  EXPECT_EQ(c.encryption, "SSE-KMS");
  EXPECT_EQ(c.kms_key_id, "arn:aws:kms:eu-west-3:123456789012:key/k1");
  EXPECT_EQ(c.filter_prefix, "photos/");
  EXPECT_EQ(c.included_versions, "All");
  EXPECT_THAT(c.optional_fields, ElementsAre("Size", "ETag", "ObjectOwner"));
  EXPECT_EQ(c.frequency, "Weekly");
}

TEST(InventoryXmlTest, RendersWhatItParses) {
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c, ParseInventoryConfiguration(kFullInventory));
  const std::string rendered = RenderInventoryConfiguration(c);
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration again, ParseInventoryConfiguration(rendered));
  EXPECT_EQ(again, c);
  const InventoryConfiguration sse_s3 = FullInventoryConfig();
  ASSERT_OK_AND_ASSIGN(again, ParseInventoryConfiguration(RenderInventoryConfiguration(sse_s3)));
  EXPECT_EQ(again, sse_s3);
}

TEST(InventoryXmlTest, RendersTheElementsInTheDocumentsOrder) {
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c, ParseInventoryConfiguration(kFullInventory));
  const std::string rendered = RenderInventoryConfiguration(c);
  EXPECT_THAT(rendered, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(rendered.c_str())) << rendered;
  pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "InventoryConfiguration");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://s3.amazonaws.com/doc/2006-03-01/");
  EXPECT_THAT(InventoryChildNames(root), ElementsAre("Destination", "IsEnabled", "Filter", "Id",
                                                     "IncludedObjectVersions", "OptionalFields", "Schedule"));
  pugi::xml_node s3 = root.child("Destination").child("S3BucketDestination");
  EXPECT_THAT(InventoryChildNames(s3), ElementsAre("AccountId", "Bucket", "Format", "Prefix", "Encryption"));
  EXPECT_STREQ(s3.child("Bucket").text().get(), "arn:aws:s3:::reports");
  EXPECT_STREQ(s3.child("Encryption").child("SSE-KMS").child("KeyId").text().get(),
               "arn:aws:kms:eu-west-3:123456789012:key/k1");
  EXPECT_STREQ(root.child("IsEnabled").text().get(), "true");
}

TEST(InventoryXmlTest, ParsesAndRendersAMinimalDocument) {
  const std::string minimal = InventoryDoc().Text();
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c, ParseInventoryConfiguration(minimal));
  EXPECT_EQ(c.id, "report1");
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.destination_bucket, "dest");
  EXPECT_EQ(c.destination_account, "");
  EXPECT_EQ(c.destination_prefix, "");
  EXPECT_EQ(c.format, "CSV");
  EXPECT_EQ(c.encryption, "");
  EXPECT_EQ(c.kms_key_id, "");
  EXPECT_FALSE(c.filter_prefix.has_value());
  EXPECT_EQ(c.included_versions, "Current");
  EXPECT_TRUE(c.optional_fields.empty());
  EXPECT_EQ(c.frequency, "Daily");
  const std::string rendered = RenderInventoryConfiguration(c);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(rendered.c_str())) << rendered;
  EXPECT_THAT(InventoryChildNames(doc.document_element()),
              ElementsAre("Destination", "IsEnabled", "Id", "IncludedObjectVersions", "Schedule"));
  EXPECT_THAT(InventoryChildNames(doc.document_element().child("Destination").child("S3BucketDestination")),
              ElementsAre("Bucket", "Format"));
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration again, ParseInventoryConfiguration(rendered));
  EXPECT_EQ(again, c);
}

TEST(InventoryXmlTest, RefusesWhatIsNotAnInventoryConfiguration) {
  EXPECT_THAT(InventoryRefusalOf("<InventoryConfiguration><Id>a</Id>"), StartsWith("INVALID_ARGUMENT: MalformedXML: "));
  EXPECT_THAT(InventoryRefusalOf("not xml"), StartsWith("INVALID_ARGUMENT: MalformedXML: "));
  EXPECT_EQ(InventoryRefusalOf("<InventoryConfigurations/>"),
            "INVALID_ARGUMENT: MalformedXML: missing InventoryConfiguration");
}

TEST(InventoryXmlTest, RefusesAMissingRequiredElement) {
  InventoryDoc doc;
  EXPECT_EQ(InventoryRefusalOf("<InventoryConfiguration>" + doc.enabled + doc.id + doc.versions + doc.schedule +
                               "</InventoryConfiguration>"),
            "INVALID_ARGUMENT: MalformedXML: Destination is required");
  EXPECT_EQ(InventoryRefusalOf("<InventoryConfiguration><Destination/>" + doc.enabled + doc.id + doc.versions +
                               doc.schedule + "</InventoryConfiguration>"),
            "INVALID_ARGUMENT: MalformedXML: S3BucketDestination is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::bucket, "")),
            "INVALID_ARGUMENT: MalformedXML: Bucket is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::format, "")),
            "INVALID_ARGUMENT: MalformedXML: Format is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::enabled, "")),
            "INVALID_ARGUMENT: MalformedXML: IsEnabled is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "")), "INVALID_ARGUMENT: MalformedXML: Id is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::versions, "")),
            "INVALID_ARGUMENT: MalformedXML: IncludedObjectVersions is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::schedule, "")),
            "INVALID_ARGUMENT: MalformedXML: Schedule is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::schedule, "<Schedule/>")),
            "INVALID_ARGUMENT: MalformedXML: Frequency is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::filter, "<Filter/>")),
            "INVALID_ARGUMENT: MalformedXML: Prefix is required");
}

TEST(InventoryXmlTest, RefusesARepeatedElement) {
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>a</Id><Id>b</Id>")),
            "INVALID_ARGUMENT: MalformedXML: repeated Id");
  EXPECT_EQ(InventoryRefusalOf(
                InventoryWith(&InventoryDoc::bucket, "<Bucket>arn:aws:s3:::a</Bucket><Bucket>arn:aws:s3:::b</Bucket>")),
            "INVALID_ARGUMENT: MalformedXML: repeated Bucket");
  EXPECT_EQ(InventoryRefusalOf(
                InventoryWith(&InventoryDoc::enabled, "<IsEnabled>true</IsEnabled><IsEnabled>true</IsEnabled>")),
            "INVALID_ARGUMENT: MalformedXML: repeated IsEnabled");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::schedule,
                                             "<Schedule><Frequency>Daily</Frequency></Schedule>"
                                             "<Schedule><Frequency>Daily</Frequency></Schedule>")),
            "INVALID_ARGUMENT: MalformedXML: repeated Schedule");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::dest_prefix, "<Prefix>a</Prefix><Prefix>b</Prefix>")),
            "INVALID_ARGUMENT: MalformedXML: repeated Prefix");
  EXPECT_EQ(
      InventoryRefusalOf(InventoryWith(&InventoryDoc::filter, "<Filter><Prefix>a</Prefix><Prefix>b</Prefix></Filter>")),
      "INVALID_ARGUMENT: MalformedXML: repeated Prefix");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::fields, "<OptionalFields/><OptionalFields/>")),
            "INVALID_ARGUMENT: MalformedXML: repeated OptionalFields");
}

TEST(InventoryXmlTest, RefusesAnUnknownValue) {
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::format, "<Format>JSON</Format>")),
            "INVALID_ARGUMENT: MalformedXML: Format must be CSV, ORC or Parquet, not \"JSON\"");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::format, "<Format>csv</Format>")),
            "INVALID_ARGUMENT: MalformedXML: Format must be CSV, ORC or Parquet, not \"csv\"");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::enabled, "<IsEnabled>yes</IsEnabled>")),
            "INVALID_ARGUMENT: MalformedXML: IsEnabled must be true or false, not \"yes\"");
  EXPECT_EQ(InventoryRefusalOf(
                InventoryWith(&InventoryDoc::versions, "<IncludedObjectVersions>Latest</IncludedObjectVersions>")),
            "INVALID_ARGUMENT: MalformedXML: IncludedObjectVersions must be All or Current, not \"Latest\"");
  EXPECT_EQ(
      InventoryRefusalOf(InventoryWith(&InventoryDoc::schedule, "<Schedule><Frequency>Monthly</Frequency></Schedule>")),
      "INVALID_ARGUMENT: MalformedXML: Frequency must be Daily or Weekly, not \"Monthly\"");
}

TEST(InventoryXmlTest, RefusesABucketThatIsNotAnS3Arn) {
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::bucket, "<Bucket>dest</Bucket>")),
            "INVALID_ARGUMENT: MalformedXML: Bucket must be arn:aws:s3::: followed by a bucket name, not \"dest\"");
  EXPECT_EQ(
      InventoryRefusalOf(InventoryWith(&InventoryDoc::bucket, "<Bucket>arn:aws:s3:::</Bucket>")),
      "INVALID_ARGUMENT: MalformedXML: Bucket must be arn:aws:s3::: followed by a bucket name, not \"arn:aws:s3:::\"");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::bucket, "<Bucket>arn:aws:s3::dest</Bucket>")),
            "INVALID_ARGUMENT: MalformedXML: Bucket must be arn:aws:s3::: followed by a bucket name, not "
            "\"arn:aws:s3::dest\"");
}

TEST(InventoryXmlTest, RefusesAnEncryptionThatIsNotExactlyOneKind) {
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::encryption, "<Encryption/>")),
            "INVALID_ARGUMENT: MalformedXML: Encryption takes one of SSE-S3 and SSE-KMS");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::encryption,
                                             "<Encryption><SSE-S3/><SSE-KMS><KeyId>k</KeyId></SSE-KMS></Encryption>")),
            "INVALID_ARGUMENT: MalformedXML: Encryption takes one of SSE-S3 and SSE-KMS");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::encryption, "<Encryption><SSE-KMS/></Encryption>")),
            "INVALID_ARGUMENT: MalformedXML: KeyId is required");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::encryption,
                                             "<Encryption><SSE-KMS><KeyId> </KeyId></SSE-KMS></Encryption>")),
            "INVALID_ARGUMENT: MalformedXML: SSE-KMS needs a KeyId");
}

TEST(InventoryXmlTest, RefusesAnUnknownOrRepeatedField) {
  EXPECT_EQ(InventoryRefusalOf(
                InventoryWith(&InventoryDoc::fields, "<OptionalFields><Field>Colour</Field></OptionalFields>")),
            "INVALID_ARGUMENT: MalformedXML: unknown inventory Field \"Colour\"");
  EXPECT_EQ(
      InventoryRefusalOf(InventoryWith(&InventoryDoc::fields, "<OptionalFields><Field>size</Field></OptionalFields>")),
      "INVALID_ARGUMENT: MalformedXML: unknown inventory Field \"size\"");
  EXPECT_EQ(
      InventoryRefusalOf(InventoryWith(&InventoryDoc::fields,
                                       "<OptionalFields><Field>ETag</Field><Field>Size</Field><Field> ETag </Field>"
                                       "</OptionalFields>")),
      "INVALID_ARGUMENT: MalformedXML: repeated inventory Field \"ETag\"");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::fields, "<OptionalFields><Size/></OptionalFields>")),
            "INVALID_ARGUMENT: MalformedXML: OptionalFields holds Field only");
}

TEST(InventoryXmlTest, AcceptsEveryFieldS3Names) {
  const std::vector<std::string> all = {"Size",
                                        "LastModifiedDate",
                                        "StorageClass",
                                        "ETag",
                                        "IsMultipartUploaded",
                                        "ReplicationStatus",
                                        "EncryptionStatus",
                                        "ObjectLockRetainUntilDate",
                                        "ObjectLockMode",
                                        "ObjectLockLegalHoldStatus",
                                        "IntelligentTieringAccessTier",
                                        "BucketKeyStatus",
                                        "ChecksumAlgorithm",
                                        "ObjectAccessControlList",
                                        "ObjectOwner"};
  std::string fields = "<OptionalFields>";
  for (const std::string& f : all) fields += "<Field>" + f + "</Field>";
  fields += "</OptionalFields>";
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c,
                       ParseInventoryConfiguration(InventoryWith(&InventoryDoc::fields, fields)));
  EXPECT_EQ(c.optional_fields, all);
}

TEST(InventoryXmlTest, AnIdIsOneToSixtyFourLettersDigitsDotsUnderscoresOrDashes) {
  constexpr char kRefused[] =
      "INVALID_ARGUMENT: InvalidArgument: The inventory configuration Id must be 1 to 64 characters of letters, "
      "digits, '.', '_' and '-'.";
  const std::string longest(64, 'x');
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>" + longest + "</Id>")), "accepted");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>" + longest + "y</Id>")), kRefused);
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c,
                       ParseInventoryConfiguration(InventoryWith(&InventoryDoc::id, "<Id>\n Az09._- </Id>")));
  EXPECT_EQ(c.id, "Az09._-");
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id></Id>")), kRefused);
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>a b</Id>")), kRefused);
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>a/b</Id>")), kRefused);
  EXPECT_EQ(InventoryRefusalOf(InventoryWith(&InventoryDoc::id, "<Id>caf\xc3\xa9</Id>")), kRefused);
  // A document of the wrong shape is MalformedXML whatever its Id.
  InventoryDoc both;
  both.id = "<Id>a b</Id>";
  both.format = "<Format>JSON</Format>";
  EXPECT_THAT(InventoryRefusalOf(both.Text()), StartsWith("INVALID_ARGUMENT: MalformedXML: Format"));
}

TEST(InventoryXmlTest, KeepsThePrefixesWhiteSpace) {
  InventoryDoc doc;
  doc.dest_prefix = "<Prefix> reports /\t</Prefix>";
  doc.filter = "<Filter><Prefix>\n  </Prefix></Filter>";
  doc.account = "<AccountId>\t42 </AccountId>";
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration c, ParseInventoryConfiguration(doc.Text()));
  EXPECT_EQ(c.destination_prefix, " reports /\t");
  EXPECT_EQ(c.filter_prefix, "\n  ");
  EXPECT_EQ(c.destination_account, "42");
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration again, ParseInventoryConfiguration(RenderInventoryConfiguration(c)));
  EXPECT_EQ(again, c);
  // An empty filter prefix is a Filter all the same.
  ASSERT_OK_AND_ASSIGN(c,
                       ParseInventoryConfiguration(InventoryWith(&InventoryDoc::filter, "<Filter><Prefix/></Filter>")));
  EXPECT_EQ(c.filter_prefix, "");
  ASSERT_OK_AND_ASSIGN(again, ParseInventoryConfiguration(RenderInventoryConfiguration(c)));
  EXPECT_EQ(again, c);
}

TEST(InventoryXmlTest, EscapesSpecialCharactersOnRender) {
  InventoryConfiguration c = FullInventoryConfig();
  c.destination_prefix = "a&b<c>/";
  c.filter_prefix = "\"q\" & 'a'";
  c.encryption = "SSE-KMS";
  c.kms_key_id = "alias/<k&1>";
  const std::string rendered = RenderInventoryConfiguration(c);
  EXPECT_THAT(rendered, HasSubstr("<Prefix>a&amp;b&lt;c&gt;/</Prefix>"));
  EXPECT_THAT(rendered, HasSubstr("<Filter><Prefix>&quot;q&quot; &amp; &apos;a&apos;</Prefix></Filter>"));
  EXPECT_THAT(rendered, HasSubstr("<KeyId>alias/&lt;k&amp;1&gt;</KeyId>"));
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration again, ParseInventoryConfiguration(rendered));
  EXPECT_EQ(again, c);
}

TEST(InventoryXmlTest, ListsAPageWithItsTokens) {
  InventoryConfiguration first = FullInventoryConfig();
  InventoryConfiguration second = FullInventoryConfig();
  second.id = "second";
  second.filter_prefix.reset();
  second.optional_fields.clear();
  second.encryption = "";
  const std::string rendered = RenderInventoryConfigurationList({first, second}, "from&here", "next<page");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(rendered.c_str())) << rendered;
  pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "ListInventoryConfigurationsResult");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://s3.amazonaws.com/doc/2006-03-01/");
  EXPECT_THAT(InventoryChildNames(root), ElementsAre("ContinuationToken", "InventoryConfiguration",
                                                     "InventoryConfiguration", "IsTruncated", "NextContinuationToken"));
  EXPECT_STREQ(root.child("ContinuationToken").text().get(), "from&here");
  EXPECT_STREQ(root.child("IsTruncated").text().get(), "true");
  EXPECT_STREQ(root.child("NextContinuationToken").text().get(), "next<page");
  pugi::xml_node entry = root.child("InventoryConfiguration");
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration back, ParseInventoryConfiguration(InventorySerialized(entry)));
  EXPECT_EQ(back, first);
  ASSERT_OK_AND_ASSIGN(back,
                       ParseInventoryConfiguration(InventorySerialized(entry.next_sibling("InventoryConfiguration"))));
  EXPECT_EQ(back, second);
}

TEST(InventoryXmlTest, ListsALastPageWithoutTokens) {
  const InventoryConfiguration only = FullInventoryConfig();
  const std::string rendered = RenderInventoryConfigurationList({only}, "", "");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(rendered.c_str())) << rendered;
  pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "ListInventoryConfigurationsResult");
  EXPECT_THAT(InventoryChildNames(root), ElementsAre("InventoryConfiguration", "IsTruncated"));
  EXPECT_STREQ(root.child("IsTruncated").text().get(), "false");
  ASSERT_OK_AND_ASSIGN(InventoryConfiguration back,
                       ParseInventoryConfiguration(InventorySerialized(root.child("InventoryConfiguration"))));
  EXPECT_EQ(back, only);
  // No configuration at all: still a complete answer.
  ASSERT_TRUE(doc.load_string(RenderInventoryConfigurationList({}, "", "").c_str()));
  EXPECT_THAT(InventoryChildNames(doc.document_element()), ElementsAre("IsTruncated"));
  EXPECT_STREQ(doc.document_element().child("IsTruncated").text().get(), "false");
}

}  // namespace
}  // namespace confiance::s3::xml

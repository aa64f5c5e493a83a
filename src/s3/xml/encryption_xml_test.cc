// File: s3/xml/encryption_xml_test.cc
#include "s3/xml/encryption_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

constexpr char kBoto3Aes256[] =
    "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
    "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
    "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";

TEST(EncryptionXmlTest, ParsesWhatBoto3Sends) {
  ASSERT_OK_AND_ASSIGN(catalog::BucketEncryption e, ParseServerSideEncryptionConfiguration(kBoto3Aes256));
  EXPECT_EQ(e.sse_algorithm, "AES256");
  EXPECT_EQ(e.kms_key_id, "");
  EXPECT_FALSE(e.bucket_key_enabled);
}

TEST(EncryptionXmlTest, ParsesKmsAndBucketKeyAndTrims) {
  ASSERT_OK_AND_ASSIGN(
      catalog::BucketEncryption e,
      ParseServerSideEncryptionConfiguration(
          "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>\n"
          "  <SSEAlgorithm> aws:kms </SSEAlgorithm><KMSMasterKeyID>key-1</KMSMasterKeyID>\n"
          "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
          "</ServerSideEncryptionConfiguration>"));
  EXPECT_EQ(e.sse_algorithm, "aws:kms");
  EXPECT_EQ(e.kms_key_id, "key-1");
  EXPECT_TRUE(e.bucket_key_enabled);
}

TEST(EncryptionXmlTest, RefusesMalformedDocuments) {
  const char* bad[] = {
      "",
      "<ServerSideEncryptionConfiguration>",
      "<Other><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
      "</ApplyServerSideEncryptionByDefault></Rule></Other>",
      "<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule></Rule></ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
      "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
      "</SSEAlgorithm><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
      "</ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
      "</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>yes</BucketKeyEnabled></Rule>"
      "</ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
      "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
      "</ServerSideEncryptionConfiguration>",
  };
  for (const char* doc : bad) {
    EXPECT_STATUS_CODE(ParseServerSideEncryptionConfiguration(doc), kInvalidArgument) << doc;
  }
}

TEST(EncryptionXmlTest, RenderParsesBack) {
  catalog::BucketEncryption e;
  std::string doc = RenderServerSideEncryptionConfiguration(e);
  EXPECT_NE(doc.find("<SSEAlgorithm>AES256</SSEAlgorithm>"), std::string::npos);
  EXPECT_NE(doc.find("<BucketKeyEnabled>false</BucketKeyEnabled>"), std::string::npos);
  EXPECT_EQ(doc.find("KMSMasterKeyID"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(catalog::BucketEncryption back, ParseServerSideEncryptionConfiguration(doc));
  EXPECT_EQ(back, e);
  e.sse_algorithm = "aws:kms";
  e.kms_key_id = "k<&>";
  e.bucket_key_enabled = true;
  ASSERT_OK_AND_ASSIGN(back, ParseServerSideEncryptionConfiguration(RenderServerSideEncryptionConfiguration(e)));
  EXPECT_EQ(back, e);
}

}  // namespace
}  // namespace confiance::s3::xml

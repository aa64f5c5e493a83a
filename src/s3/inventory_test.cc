// File: s3/inventory_test.cc
#include "s3/inventory.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/version_id.h"
#include "crypto/encoding.h"
#include "iam/acl/acl_format.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

xml::InventoryConfiguration Full() {
  xml::InventoryConfiguration c;
  c.id = "report-1";
  c.enabled = true;
  c.destination_bucket = "dest";
  c.destination_account = "acme";
  c.destination_prefix = "p";
  c.format = "CSV";
  c.encryption = "SSE-S3";
  c.filter_prefix = " spaced/";
  c.included_versions = "All";
  // In the document's order, not S3's report order.
  c.optional_fields = {"ObjectOwner", "Size", "EncryptionStatus", "ObjectLockMode", "LastModifiedDate"};
  c.frequency = "Weekly";
  return c;
}

TEST(InventoryTest, ConfigurationsSurviveTheirEncoding) {
  xml::InventoryConfiguration minimal;
  minimal.id = "m";
  minimal.destination_bucket = "d";
  minimal.format = "CSV";
  minimal.included_versions = "Current";
  minimal.frequency = "Daily";
  const std::vector<xml::InventoryConfiguration> configs = {Full(), minimal};
  ASSERT_OK_AND_ASSIGN(std::vector<xml::InventoryConfiguration> back, DecodeInventory(EncodeInventory(configs)));
  EXPECT_EQ(back, configs);
  EXPECT_EQ(EncodeInventory({}), "");
  ASSERT_OK_AND_ASSIGN(back, DecodeInventory(""));
  EXPECT_TRUE(back.empty());
  EXPECT_STATUS_CODE(DecodeInventory("{\"id\": \"x\"}"), kDataLoss);
  EXPECT_STATUS_CODE(DecodeInventory("[{\"b\": \"dest\"}]"), kDataLoss);
}

TEST(InventoryTest, TheSchemaFollowsS3sOrder) {
  EXPECT_EQ(InventorySchema(Full()),
            (std::vector<std::string>{"Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size",
                                      "LastModifiedDate", "EncryptionStatus", "ObjectLockMode", "ObjectOwner"}));
  xml::InventoryConfiguration current = Full();
  current.included_versions = "Current";
  current.optional_fields.clear();
  EXPECT_EQ(InventorySchema(current), (std::vector<std::string>{"Bucket", "Key"}));
}

TEST(InventoryTest, ALineQuotesEveryFieldAndEncodesTheKey) {
  catalog::ObjectRecord r;
  r.size = 42;
  r.modified_ms = 1765000000123;
  r.version_id = std::string(catalog::kVersionIdBytes, '\x01');
  r.lock_mode = catalog::LockMode::kCompliance;
  r.lock_until_ms = 1765000000000;
  const std::string line = InventoryCsvLine(Full(), "src", "a \"b\"/ü", r, true, {"owner-id", "Owner"});
  EXPECT_EQ(line, "\"src\",\"a%20%22b%22/%C3%BC\",\"" + catalog::EncodeVersionId(r.version_id) +
                      "\",\"true\",\"false\",\"42\",\"2025-12-06T05:46:40.123Z\",\"SSE-S3\",\"COMPLIANCE\","
                      "\"owner-id\"\n");
  // A null version has no id; an SSE-C object says so; a quote in a value
  // is doubled.
  catalog::ObjectRecord null_version = r;
  null_version.version_id.clear();
  null_version.sse_c_salt = std::string(16, 's');
  null_version.lock_mode = catalog::LockMode::kNone;
  const std::string second = InventoryCsvLine(Full(), "src", "k", null_version, false, {"o\"x", ""});
  EXPECT_EQ(second,
            "\"src\",\"k\",\"\",\"false\",\"false\",\"42\",\"2025-12-06T05:46:40.123Z\",\"SSE-C\",\"\",\"o\"\"x\"\n");
  catalog::ObjectRecord kms = null_version;
  kms.sse_c_salt.clear();
  kms.kms.key_id = "k1";
  EXPECT_NE(InventoryCsvLine(Full(), "src", "k", kms, false, {"o", ""}).find("\"SSE-KMS\""), std::string::npos);
  // A delete marker has no size or encryption.
  catalog::ObjectRecord marker = r;
  marker.delete_marker = true;
  marker.lock_mode = catalog::LockMode::kNone;
  EXPECT_EQ(InventoryCsvLine(Full(), "src", "k", marker, true, {"o", ""}),
            "\"src\",\"k\",\"" + catalog::EncodeVersionId(r.version_id) +
                "\",\"true\",\"true\",\"\",\"2025-12-06T05:46:40.123Z\",\"\",\"\",\"o\"\n");
}

TEST(InventoryTest, TheAclFieldIsS3sJsonOfTheObjectsGrants) {
  const iam::acl::CanonicalUser owner{"0wner", "acme"};
  catalog::ObjectRecord r;
  // No ACL stored: private, the owner's FULL_CONTROL.
  EXPECT_EQ(InventoryAclField(r, owner),
            R"({"version":"2022-11-10","status":"AVAILABLE","grants":[)"
            R"({"canonicalId":"0wner","type":"CanonicalUser","permission":"FULL_CONTROL"}]})");
  iam::acl::Acl acl;
  acl.owner = owner;
  acl.grants = {{iam::acl::Grantee::OfGroup(iam::acl::Group::kAllUsers), iam::acl::Permission::kRead},
                {iam::acl::Grantee::User("r3ader"), iam::acl::Permission::kReadAcp}};
  r.acl = iam::acl::EncodeAcl(acl);
  EXPECT_EQ(InventoryAclField(r, owner),
            R"({"version":"2022-11-10","status":"AVAILABLE","grants":[)"
            R"({"uri":"http://acs.amazonaws.com/groups/global/AllUsers","type":"Group","permission":"READ"},)"
            R"({"canonicalId":"r3ader","type":"CanonicalUser","permission":"READ_ACP"}]})");
  // In the line, base64 (S3's column order: the ACL, then the owner); the
  // owner gone: UNAVAILABLE, in both fields.
  xml::InventoryConfiguration c = Full();
  c.included_versions = "Current";
  c.optional_fields = {"ObjectOwner", "ObjectAccessControlList"};
  EXPECT_EQ(InventoryCsvLine(c, "src", "k", r, true, owner),
            "\"src\",\"k\",\"" + crypto::Base64Encode(InventoryAclField(r, owner)) + "\",\"0wner\"\n");
  EXPECT_EQ(InventoryAclField(r, {}), R"({"version":"2022-11-10","status":"UNAVAILABLE"})");
  EXPECT_EQ(InventoryCsvLine(c, "src", "k", r, true, {}),
            "\"src\",\"k\",\"" + crypto::Base64Encode(InventoryAclField(r, {})) + "\",\"UNAVAILABLE\"\n");
  r.acl = "not an acl";
  EXPECT_EQ(InventoryAclField(r, owner), R"({"version":"2022-11-10","status":"UNAVAILABLE"})");
}

TEST(InventoryTest, ReportKeysFollowS3sLayout) {
  xml::InventoryConfiguration c = Full();
  EXPECT_EQ(InventoryBase(c, "src"), "p/src/report-1/");
  c.destination_prefix = "p/";
  EXPECT_EQ(InventoryBase(c, "src"), "p/src/report-1/");
  c.destination_prefix.clear();
  EXPECT_EQ(InventoryBase(c, "src"), "src/report-1/");
  EXPECT_EQ(InventoryStamp(1765000000123), "2025-12-06T05-46Z");
  c.destination_prefix = "p";
  EXPECT_EQ(InventoryHiveKey(c, "src", 1765000000123), "p/src/report-1/hive/dt=2025-12-06-05-46/symlink.txt");
}

TEST(InventoryTest, TheSymlinkListsEveryDataFilesUriInOrder) {
  EXPECT_EQ(InventorySymlink(
                Full(), {{"p/src/report-1/data/x-0.csv.gz", 7, "abc"}, {"p/src/report-1/data/x-1.csv.gz", 9, "def"}}),
            "s3://dest/p/src/report-1/data/x-0.csv.gz\n"
            "s3://dest/p/src/report-1/data/x-1.csv.gz\n");
  EXPECT_EQ(InventorySymlink(Full(), {}), "");
}

TEST(InventoryTest, TheManifestNamesTheFilesAndTheSchema) {
  const std::string text =
      InventoryManifest(Full(), "src", 1765000000123, {{"p/src/report-1/data/x-0.csv.gz", 7, "abc"}});
  const nlohmann::json m = nlohmann::json::parse(text);
  EXPECT_EQ(m["sourceBucket"], "src");
  EXPECT_EQ(m["destinationBucket"], "arn:aws:s3:::dest");
  EXPECT_EQ(m["version"], "2016-11-30");
  EXPECT_EQ(m["creationTimestamp"], "1765000000123");
  EXPECT_EQ(m["fileFormat"], "CSV");
  EXPECT_EQ(m["fileSchema"],
            "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, EncryptionStatus, "
            "ObjectLockMode, ObjectOwner");
  ASSERT_EQ(m["files"].size(), 1u);
  EXPECT_EQ(m["files"][0]["key"], "p/src/report-1/data/x-0.csv.gz");
  EXPECT_EQ(m["files"][0]["size"], 7);
  EXPECT_EQ(m["files"][0]["MD5checksum"], "abc");
}

}  // namespace
}  // namespace confiance::s3

// File: main/replica_request_test.cc
#include "main/replica_request.h"

#include <gtest/gtest.h>

#include <map>

#include "catalog/version_id.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "s3/sigv4/auth_parse.h"

namespace confiance {
namespace {

std::map<std::string, std::string> AsMap(const std::vector<admin::HttpHeader>& headers) {
  std::map<std::string, std::string> m;
  for (const admin::HttpHeader& h : headers) EXPECT_TRUE(m.emplace(h.name, h.value).second) << h.name;
  return m;
}

TEST(ReplicaRequestTest, PathEncodesTheKeyOnce) {
  EXPECT_EQ(ReplicaPath("copies", "a/b c+d%.txt"), "/copies/a/b%20c%2Bd%25.txt");
}

// A tag change sent on: the version's whole tag set, checked by its MD5;
// no tags is a DELETE of them.
TEST(ReplicaRequestTest, TheTaggingRequestOfAVersion) {
  const SettingRequest put = ReplicaTaggingRequest("0abc", {{"class", "gold & silver"}});
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.query, "tagging=&versionId=0abc");
  EXPECT_NE(put.body.find("<Key>class</Key><Value>gold &amp; silver</Value>"), std::string::npos) << put.body;
  const std::map<std::string, std::string> h = AsMap(put.headers);
  EXPECT_EQ(h.at("content-type"), "application/xml");
  EXPECT_EQ(h.at(std::string(s3::kReplicaHeader)), s3::kReplicaHeaderValue);
  EXPECT_EQ(h.at(std::string(s3::kReplicaSourceHeader)), "0abc");
  crypto::Md5 md5;
  md5.Update(put.body);
  const crypto::Md5::Digest d = md5.Finish();
  EXPECT_EQ(h.at("content-md5"),
            crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())));
  const SettingRequest del = ReplicaTaggingRequest("0abc", {});
  EXPECT_EQ(del.method, "DELETE");
  EXPECT_EQ(del.query, "tagging=&versionId=0abc");
  EXPECT_TRUE(del.body.empty());
  EXPECT_EQ(AsMap(del.headers).size(), 2u);  // the replica marks alone
}

// Object Lock settings sent on: each by its version id, with the
// document's Content-MD5 (S3 asks for it), a retention with the governance
// bypass asked for.
TEST(ReplicaRequestTest, TheLockSettingRequestsOfAVersion) {
  const SettingRequest hold = ReplicaLegalHoldRequest("0abc", true);
  EXPECT_EQ(hold.method, "PUT");
  EXPECT_EQ(hold.query, "legal-hold=&versionId=0abc");
  EXPECT_NE(hold.body.find("<Status>ON</Status>"), std::string::npos) << hold.body;
  EXPECT_TRUE(AsMap(hold.headers).contains("content-md5"));
  EXPECT_FALSE(AsMap(hold.headers).contains("x-amz-bypass-governance-retention"));
  const SettingRequest kept = ReplicaRetentionRequest("0abc", catalog::LockMode::kGovernance, 1893456000000);
  EXPECT_EQ(kept.method, "PUT");
  EXPECT_EQ(kept.query, "retention=&versionId=0abc");
  EXPECT_NE(kept.body.find("<Mode>GOVERNANCE</Mode>"), std::string::npos) << kept.body;
  EXPECT_NE(kept.body.find("2030-01-01T00:00:00"), std::string::npos) << kept.body;
  const std::map<std::string, std::string> h = AsMap(kept.headers);
  EXPECT_EQ(h.at("x-amz-bypass-governance-retention"), "true");
  EXPECT_EQ(h.at(std::string(s3::kReplicaSourceHeader)), "0abc");
  const SettingRequest none = ReplicaRetentionRequest("0abc", catalog::LockMode::kNone, 0);
  EXPECT_EQ(none.body.find("<Mode>"), std::string::npos) << none.body;
}

TEST(ReplicaRequestTest, CarriesWhatAGetWouldReturn) {
  catalog::ObjectRecord r;
  r.etag = "9e107d9d372bb6826bd81d3542a419d6";  // MD5 of "The quick brown fox jumps over the lazy dog"
  r.content_type = "text/plain";
  r.headers = {{"cache-control", "no-cache"}, {"content-disposition", "inline"}};
  r.user_meta = {{"origin", "scanner 7"}};
  r.tags = {{"class", "gold & silver"}, {"k", "v"}};
  r.checksum_algorithm = "CRC32C";
  r.checksum = "yZRlqg==";
  r.lock_mode = catalog::LockMode::kCompliance;
  r.lock_until_ms = 1893456000000;  // 2030-01-01
  r.legal_hold = true;
  r.version_id = catalog::NewVersionId();
  s3::ReplicationRule rule;
  rule.replica_kms_key_id = "replica-key";
  const std::map<std::string, std::string> h = AsMap(ReplicaHeaders(r, rule));
  EXPECT_EQ(h.at("x-confiance-replication"), "replica");  // so that the copy is never copied back
  // What a source unsure of a copy asks the destination about.
  EXPECT_EQ(h.at("x-confiance-replica-source-version"), catalog::EncodeVersionId(r.version_id));
  EXPECT_EQ(h.at("content-type"), "text/plain");
  EXPECT_EQ(h.at("cache-control"), "no-cache");
  EXPECT_EQ(h.at("content-disposition"), "inline");
  EXPECT_EQ(h.at("x-amz-meta-origin"), "scanner 7");
  EXPECT_EQ(h.at("x-amz-tagging"), "class=gold%20%26%20silver&k=v");
  EXPECT_EQ(h.at("content-md5"), "nhB9nTcrtoJr2B01QqQZ1g==");
  EXPECT_EQ(h.at("x-amz-checksum-crc32c"), "yZRlqg==");
  EXPECT_EQ(h.at("x-amz-object-lock-mode"), "COMPLIANCE");
  EXPECT_EQ(h.at("x-amz-object-lock-retain-until-date"), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(h.at("x-amz-object-lock-legal-hold"), "ON");
  EXPECT_EQ(h.at("x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(h.at("x-amz-server-side-encryption-aws-kms-key-id"), "replica-key");
  EXPECT_FALSE(h.contains("x-amz-storage-class"));  // STANDARD
}

TEST(ReplicaRequestTest, TheReplicaKeepsTheSourcesClassUnlessTheRuleNamesOne) {
  catalog::ObjectRecord r;
  r.storage_class = "STANDARD_IA";
  s3::ReplicationRule rule;
  EXPECT_EQ(AsMap(ReplicaHeaders(r, rule)).at("x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(AsMap(ReplicaUploadHeaders(r, rule)).at("x-amz-storage-class"), "STANDARD_IA");
  rule.storage_class = "GLACIER_IR";
  EXPECT_EQ(AsMap(ReplicaHeaders(r, rule)).at("x-amz-storage-class"), "GLACIER_IR");
  rule.storage_class = "STANDARD";
  EXPECT_FALSE(AsMap(ReplicaHeaders(r, rule)).contains("x-amz-storage-class"));
}

TEST(ReplicaRequestTest, AMultipartObjectHasNoWholeMd5NorCompositeChecksum) {
  catalog::ObjectRecord r;
  r.etag = "9e107d9d372bb6826bd81d3542a419d6-3";
  r.parts_count = 3;
  r.checksum_algorithm = "CRC32";
  r.checksum = "AAAAAA==-3";
  const std::map<std::string, std::string> h = AsMap(ReplicaHeaders(r, s3::ReplicationRule{}));
  EXPECT_FALSE(h.contains("content-md5"));
  EXPECT_FALSE(h.contains("x-amz-checksum-crc32"));
  EXPECT_FALSE(h.contains("x-amz-server-side-encryption"));
  EXPECT_FALSE(h.contains("x-amz-object-lock-mode"));
}

TEST(ReplicaRequestTest, SignsEveryHeaderWithAnUnsignedPayload) {
  const auto now = std::chrono::sys_days(std::chrono::year(2026) / 12 / 5) + std::chrono::hours(10);
  Result<std::vector<admin::HttpHeader>> signed_headers =
      admin::SignHeaders("PUT", "dr.example:9000", "/copies/k", "", {{"content-type", "text/plain"}}, kUnsignedPayload,
                         sigv4::ClientCredentials{"AK", "SECRET", "eu-central-1"}, now);
  ASSERT_TRUE(signed_headers.ok()) << signed_headers.status().ToString();
  const std::map<std::string, std::string> h = AsMap(*signed_headers);
  EXPECT_EQ(h.at("host"), "dr.example:9000");
  EXPECT_EQ(h.at("x-amz-date"), "20261205T100000Z");
  EXPECT_EQ(h.at("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  const std::string& auth = h.at("authorization");
  EXPECT_TRUE(
      auth.starts_with("AWS4-HMAC-SHA256 Credential=AK/20261205/eu-central-1/s3/aws4_request, "
                       "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature="))
      << auth;
  // Another secret signs differently.
  Result<std::vector<admin::HttpHeader>> other =
      admin::SignHeaders("PUT", "dr.example:9000", "/copies/k", "", {{"content-type", "text/plain"}}, kUnsignedPayload,
                         sigv4::ClientCredentials{"AK", "OTHER", "eu-central-1"}, now);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(AsMap(*other).at("authorization"), auth);
}


TEST(ReplicaRequestTest, TheMultipartPieces) {
  catalog::ObjectRecord r;
  r.etag = "9e107d9d372bb6826bd81d3542a419d6";
  r.content_type = "text/plain";
  r.checksum_algorithm = "CRC32";
  r.checksum = "AAAAAA==";
  const std::map<std::string, std::string> h = AsMap(ReplicaUploadHeaders(r, s3::ReplicationRule{}));
  EXPECT_EQ(h.at("content-type"), "text/plain");
  EXPECT_EQ(h.at("x-confiance-replication"), "replica");
  EXPECT_FALSE(h.contains("content-md5"));  // of the whole object, not of a part
  EXPECT_FALSE(h.contains("x-amz-checksum-crc32"));
  EXPECT_EQ(UploadIdOf("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1/2</UploadId>"
                       "</InitiateMultipartUploadResult>"),
            "u-1/2");
  EXPECT_EQ(UploadIdOf("<Error><Code>AccessDenied</Code></Error>"), "");
  EXPECT_EQ(UploadIdOf("<UploadId></UploadId>"), "");
  EXPECT_EQ(PartQuery(3, "u-1/2"), "partNumber=3&uploadId=u-1%2F2");
  EXPECT_EQ(UploadQuery("abc"), "uploadId=abc");
  EXPECT_EQ(CompleteUploadBody({"\"e1\"", "\"e<2>&\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
}
TEST(ReplicaRequestTest, TheQueryIsSigned) {
  const auto now = std::chrono::sys_days(std::chrono::year(2026) / 12 / 5);
  const sigv4::ClientCredentials signer{"AK", "SECRET", "us-east-1"};
  Result<std::vector<admin::HttpHeader>> a =
      admin::SignHeaders("PUT", "h:1", "/b/k", "partNumber=1&uploadId=u", {}, kUnsignedPayload, signer, now);
  Result<std::vector<admin::HttpHeader>> b =
      admin::SignHeaders("PUT", "h:1", "/b/k", "partNumber=2&uploadId=u", {}, kUnsignedPayload, signer, now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(AsMap(*a).at("authorization"), AsMap(*b).at("authorization"));
}

}  // namespace
}  // namespace confiance

// File: s3/router_test.cc
#include "s3/router.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

Route MustRoute(std::string_view method, std::string_view target, std::string_view host = "127.0.0.1:9000",
                std::string domain = "") {
  S3Error err{S3ErrorCode::kInternalError, {}, {}};
  RouterOptions opt;
  opt.domain = domain;
  Result<Route> r = RouteRequest(method, target, host, false, opt, &err);
  EXPECT_TRUE(r.ok()) << target;
  return r.ok() ? *r : Route{};
}

TEST(RouterTest, PathStyle) {
  EXPECT_EQ(MustRoute("GET", "/").op, Operation::kListBuckets);
  Route r = MustRoute("PUT", "/bucket/dir/my%20key%2Bplus");
  EXPECT_EQ(r.op, Operation::kPutObject);
  EXPECT_EQ(r.bucket, "bucket");
  EXPECT_EQ(r.key, "dir/my key+plus");
  EXPECT_EQ(MustRoute("PUT", "/bucket").op, Operation::kCreateBucket);
  EXPECT_EQ(MustRoute("GET", "/bucket?list-type=2&prefix=a").op, Operation::kListObjectsV2);
  EXPECT_EQ(MustRoute("GET", "/bucket").op, Operation::kListObjects);
  EXPECT_EQ(MustRoute("GET", "/bucket?location").op, Operation::kGetBucketLocation);
  EXPECT_EQ(MustRoute("POST", "/bucket?delete").op, Operation::kDeleteObjects);
  EXPECT_EQ(MustRoute("POST", "/bucket").op, Operation::kPostObject);
}

TEST(RouterTest, Multipart) {
  EXPECT_EQ(MustRoute("POST", "/b/k?uploads").op, Operation::kCreateMultipartUpload);
  EXPECT_EQ(MustRoute("PUT", "/b/k?partNumber=1&uploadId=x").op, Operation::kUploadPart);
  EXPECT_EQ(MustRoute("POST", "/b/k?uploadId=x").op, Operation::kCompleteMultipartUpload);
  EXPECT_EQ(MustRoute("DELETE", "/b/k?uploadId=x").op, Operation::kAbortMultipartUpload);
  EXPECT_EQ(MustRoute("GET", "/b/k?uploadId=x").op, Operation::kListParts);
  EXPECT_EQ(MustRoute("GET", "/b?uploads").op, Operation::kListMultipartUploads);
  EXPECT_EQ(MustRoute("GET", "/b?versioning").op, Operation::kGetBucketVersioning);
  EXPECT_EQ(MustRoute("GET", "/b?versions").op, Operation::kListObjectVersions);
  EXPECT_EQ(MustRoute("PUT", "/b?versioning").op, Operation::kPutBucketVersioning);
  EXPECT_EQ(IamAction(Operation::kPutBucketVersioning), "s3:PutBucketVersioning");
  EXPECT_EQ(IamAction(Operation::kGetObject, /*names_version=*/true), "s3:GetObjectVersion");
  EXPECT_EQ(IamAction(Operation::kDeleteObject, true), "s3:DeleteObjectVersion");
  EXPECT_EQ(IamAction(Operation::kGetObjectTagging, true), "s3:GetObjectVersionTagging");
  EXPECT_EQ(IamAction(Operation::kPutObject, true), "s3:PutObject");
}

TEST(RouterTest, CopySourceMakesCopies) {
  S3Error err{S3ErrorCode::kInternalError, {}, {}};
  auto route = [&](std::string_view method, std::string_view target) {
    Result<Route> r = RouteRequest(method, target, "127.0.0.1:9000", true, RouterOptions{}, &err);
    EXPECT_TRUE(r.ok()) << target;
    return r.ok() ? r->op : Operation::kNotImplemented;
  };
  EXPECT_EQ(route("PUT", "/b/k"), Operation::kCopyObject);
  EXPECT_EQ(route("PUT", "/b/k?partNumber=1&uploadId=x"), Operation::kUploadPartCopy);
  EXPECT_EQ(IamAction(Operation::kUploadPartCopy), "s3:PutObject");
  EXPECT_TRUE(IsObjectOperation(Operation::kUploadPartCopy));
}

TEST(RouterTest, PostOnTheServiceIsTheStsQueryApi) {
  EXPECT_EQ(MustRoute("POST", "/").op, Operation::kSts);
  EXPECT_EQ(MustRoute("GET", "/").op, Operation::kListBuckets);
  EXPECT_EQ(MustRoute("PUT", "/").op, Operation::kNotImplemented);
  EXPECT_EQ(IamAction(Operation::kSts), "");
}

TEST(RouterTest, UnimplementedSubresourcesAreNeverPlainOperations) {
  EXPECT_EQ(MustRoute("PUT", "/b?logging").op, Operation::kPutBucketLogging);
  EXPECT_EQ(MustRoute("DELETE", "/b?logging").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("PUT", "/b/k?logging").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("POST", "/b?analytics").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b?metrics").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("PUT", "/b/k?inventory").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b/k?website").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b/k?object-lock").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b/k?restore").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b/k?cors").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("PUT", "/b?policyStatus").op, Operation::kNotImplemented);
}

TEST(RouterTest, InventoryConfigurationsAreNamedByTheirIdAndListedWithoutOne) {
  EXPECT_EQ(MustRoute("GET", "/b?inventory&id=x").op, Operation::kGetBucketInventory);
  EXPECT_EQ(MustRoute("GET", "/b?inventory").op, Operation::kListBucketInventory);
  EXPECT_EQ(MustRoute("PUT", "/b?inventory&id=x").op, Operation::kPutBucketInventory);
  EXPECT_EQ(MustRoute("DELETE", "/b?inventory&id=x").op, Operation::kDeleteBucketInventory);
  EXPECT_EQ(IamAction(Operation::kListBucketInventory), "s3:GetInventoryConfiguration");
  EXPECT_EQ(IamAction(Operation::kDeleteBucketInventory), "s3:PutInventoryConfiguration");
  EXPECT_EQ(OperationName(Operation::kListBucketInventory), "ListBucketInventoryConfigurations");
}

TEST(RouterTest, ReplicationIsABucketConfiguration) {
  EXPECT_EQ(MustRoute("GET", "/b?replication").op, Operation::kGetBucketReplication);
  EXPECT_EQ(MustRoute("PUT", "/b?replication").op, Operation::kPutBucketReplication);
  EXPECT_EQ(MustRoute("DELETE", "/b?replication").op, Operation::kDeleteBucketReplication);
  EXPECT_EQ(IamAction(Operation::kGetBucketReplication), "s3:GetReplicationConfiguration");
  EXPECT_EQ(IamAction(Operation::kPutBucketReplication), "s3:PutReplicationConfiguration");
  EXPECT_FALSE(IsObjectOperation(Operation::kPutBucketReplication));
}

TEST(RouterTest, WebsiteIsABucketConfiguration) {
  EXPECT_EQ(MustRoute("GET", "/b?website").op, Operation::kGetBucketWebsite);
  EXPECT_EQ(MustRoute("PUT", "/b?website").op, Operation::kPutBucketWebsite);
  EXPECT_EQ(MustRoute("DELETE", "/b?website").op, Operation::kDeleteBucketWebsite);
  EXPECT_EQ(IamAction(Operation::kPutBucketWebsite), "s3:PutBucketWebsite");
}

TEST(RouterTest, VirtualHostBucketIsTheLabelsBeforeTheDomain) {
  EXPECT_EQ(VirtualHostBucket("site.web.example.org", "web.example.org"), "site");
  EXPECT_EQ(VirtualHostBucket("Www.Example.COM.web.example.org:8080", "web.example.org"), "www.example.com");
  EXPECT_EQ(VirtualHostBucket("web.example.org", "web.example.org"), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("siteweb.example.org", "web.example.org"), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("site.web.example.org", ""), std::nullopt);
}

TEST(RouterTest, UnsetBucketSettingsAreReadable) {
  EXPECT_EQ(MustRoute("GET", "/b?logging").op, Operation::kGetBucketLogging);
  EXPECT_EQ(MustRoute("GET", "/b?requestPayment").op, Operation::kGetBucketRequestPayment);
  EXPECT_EQ(MustRoute("GET", "/b?accelerate").op, Operation::kGetBucketAccelerate);
  EXPECT_EQ(IamAction(Operation::kDeleteBucketReplication), "s3:PutReplicationConfiguration");
  EXPECT_EQ(IamAction(Operation::kGetBucketAccelerate), "s3:GetAccelerateConfiguration");
  EXPECT_FALSE(IsObjectOperation(Operation::kGetBucketWebsite));
}

TEST(RouterTest, ObjectLockSubresources) {
  EXPECT_EQ(MustRoute("GET", "/b?object-lock").op, Operation::kGetObjectLockConfiguration);
  EXPECT_EQ(MustRoute("PUT", "/b?object-lock").op, Operation::kPutObjectLockConfiguration);
  EXPECT_EQ(MustRoute("GET", "/b/k?retention").op, Operation::kGetObjectRetention);
  EXPECT_EQ(MustRoute("PUT", "/b/k?retention&versionId=x").op, Operation::kPutObjectRetention);
  EXPECT_EQ(MustRoute("GET", "/b/k?legal-hold").op, Operation::kGetObjectLegalHold);
  EXPECT_EQ(MustRoute("PUT", "/b/k?legal-hold").op, Operation::kPutObjectLegalHold);
  EXPECT_EQ(IamAction(Operation::kPutObjectRetention), "s3:PutObjectRetention");
  EXPECT_EQ(IamAction(Operation::kGetObjectLegalHold), "s3:GetObjectLegalHold");
  EXPECT_EQ(IamAction(Operation::kPutObjectLockConfiguration), "s3:PutBucketObjectLockConfiguration");
  EXPECT_TRUE(IsObjectOperation(Operation::kPutObjectLegalHold));
  EXPECT_FALSE(IsObjectOperation(Operation::kGetObjectLockConfiguration));
}

TEST(RouterTest, AccessControlSubresources) {
  EXPECT_EQ(MustRoute("GET", "/b?policy").op, Operation::kGetBucketPolicy);
  EXPECT_EQ(MustRoute("PUT", "/b?policy").op, Operation::kPutBucketPolicy);
  EXPECT_EQ(MustRoute("DELETE", "/b?policy").op, Operation::kDeleteBucketPolicy);
  EXPECT_EQ(MustRoute("GET", "/b?policyStatus").op, Operation::kGetBucketPolicyStatus);
  EXPECT_EQ(MustRoute("GET", "/b?acl").op, Operation::kGetBucketAcl);
  EXPECT_EQ(MustRoute("PUT", "/b?acl").op, Operation::kPutBucketAcl);
  EXPECT_EQ(MustRoute("GET", "/b/k?acl").op, Operation::kGetObjectAcl);
  EXPECT_EQ(MustRoute("PUT", "/b/k?acl").op, Operation::kPutObjectAcl);
  EXPECT_EQ(MustRoute("PUT", "/b?publicAccessBlock").op, Operation::kPutPublicAccessBlock);
  EXPECT_EQ(MustRoute("DELETE", "/b?ownershipControls").op, Operation::kDeleteBucketOwnershipControls);
  EXPECT_EQ(IamAction(Operation::kGetObject), "s3:GetObject");
  EXPECT_EQ(IamAction(Operation::kListObjectsV2), "s3:ListBucket");
  EXPECT_TRUE(IsObjectOperation(Operation::kPutObjectAcl));
  EXPECT_FALSE(IsObjectOperation(Operation::kPutBucketAcl));
}

TEST(RouterTest, TaggingAndCors) {
  EXPECT_EQ(MustRoute("GET", "/b/k?tagging").op, Operation::kGetObjectTagging);
  EXPECT_EQ(MustRoute("GET", "/b/k?attributes").op, Operation::kGetObjectAttributes);
  EXPECT_EQ(MustRoute("GET", "/b?attributes").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("PUT", "/b/k?tagging").op, Operation::kPutObjectTagging);
  EXPECT_EQ(MustRoute("DELETE", "/b/k?tagging").op, Operation::kDeleteObjectTagging);
  EXPECT_EQ(MustRoute("GET", "/b?tagging").op, Operation::kGetBucketTagging);
  EXPECT_EQ(MustRoute("PUT", "/b?tagging=").op, Operation::kPutBucketTagging);
  EXPECT_EQ(MustRoute("DELETE", "/b?tagging").op, Operation::kDeleteBucketTagging);
  EXPECT_EQ(MustRoute("GET", "/b?encryption").op, Operation::kGetBucketEncryption);
  EXPECT_EQ(MustRoute("GET", "/b?lifecycle").op, Operation::kGetBucketLifecycle);
  EXPECT_EQ(MustRoute("PUT", "/b?lifecycle").op, Operation::kPutBucketLifecycle);
  EXPECT_EQ(MustRoute("DELETE", "/b?lifecycle").op, Operation::kDeleteBucketLifecycle);
  EXPECT_EQ(MustRoute("GET", "/b?notification").op, Operation::kGetBucketNotification);
  EXPECT_EQ(MustRoute("PUT", "/b?notification").op, Operation::kPutBucketNotification);
  EXPECT_EQ(MustRoute("DELETE", "/b?notification").op, Operation::kNotImplemented);
  EXPECT_EQ(MustRoute("GET", "/b/k?notification").op, Operation::kNotImplemented);
  EXPECT_EQ(IamAction(Operation::kPutBucketNotification), "s3:PutBucketNotification");
  EXPECT_EQ(MustRoute("PUT", "/b?encryption").op, Operation::kPutBucketEncryption);
  EXPECT_EQ(MustRoute("DELETE", "/b?encryption").op, Operation::kDeleteBucketEncryption);
  EXPECT_EQ(MustRoute("GET", "/b/k?encryption").op, Operation::kNotImplemented);
  EXPECT_EQ(IamAction(Operation::kDeleteBucketEncryption), "s3:PutEncryptionConfiguration");
  EXPECT_EQ(MustRoute("GET", "/b?cors").op, Operation::kGetBucketCors);
  EXPECT_EQ(MustRoute("PUT", "/b?cors").op, Operation::kPutBucketCors);
  EXPECT_EQ(MustRoute("DELETE", "/b?cors").op, Operation::kDeleteBucketCors);
  // A preflight names the resource of the request it prepares, with that
  // request's query (a presigned URL's, say).
  EXPECT_EQ(MustRoute("OPTIONS", "/b").op, Operation::kPreflightCors);
  EXPECT_EQ(MustRoute("OPTIONS", "/b/k?X-Amz-Signature=x").op, Operation::kPreflightCors);
  EXPECT_EQ(MustRoute("OPTIONS", "/b?cors").op, Operation::kPreflightCors);
  S3Error err{S3ErrorCode::kInternalError, {}, {}};
  EXPECT_FALSE(RouteRequest("POST", "/b/k?tagging", "", false, {}, &err).ok());
  EXPECT_EQ(err.code, S3ErrorCode::kMethodNotAllowed);
  EXPECT_FALSE(RouteRequest("HEAD", "/b?cors", "", false, {}, &err).ok());
}

TEST(RouterTest, VirtualHostStyle) {
  Route r = MustRoute("GET", "/some/key", "mybucket.s3.example.com:9000", "s3.example.com");
  EXPECT_EQ(r.bucket, "mybucket");
  EXPECT_EQ(r.key, "some/key");
  EXPECT_EQ(r.op, Operation::kGetObject);
  Route list = MustRoute("GET", "/?list-type=2", "mybucket.s3.example.com", "s3.example.com");
  EXPECT_EQ(list.op, Operation::kListObjectsV2);
  Route upper = MustRoute("GET", "/k", "MyBucket.S3.Example.COM:9000", "s3.example.com");
  EXPECT_EQ(upper.bucket, "mybucket");
  Route path = MustRoute("GET", "/b/k", "s3.example.com", "s3.example.com");
  EXPECT_EQ(path.bucket, "b");
}

TEST(RouterTest, Rejects) {
  S3Error err{S3ErrorCode::kInternalError, {}, {}};
  EXPECT_FALSE(RouteRequest("GET", "nope", "", false, {}, &err).ok());
  EXPECT_FALSE(RouteRequest("PATCH", "/b/k", "", false, {}, &err).ok());
  EXPECT_EQ(err.code, S3ErrorCode::kMethodNotAllowed);
  EXPECT_FALSE(RouteRequest("GET", "/b/%zz", "", false, {}, &err).ok());
}

}  // namespace
}  // namespace confiance::s3

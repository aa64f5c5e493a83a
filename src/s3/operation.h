// File: s3/operation.h
// The S3 operations Confiance routes, each with the name used in logs (and,
// later, in policies as the s3:<Action> it needs).
#pragma once

#include <string_view>

namespace confiance::s3 {

enum class Operation {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kListObjects,
  kListObjectsV2,
  kListMultipartUploads,
  // Versioning (versioning_handlers.cc, list_handlers.cc).
  kGetBucketVersioning,
  kPutBucketVersioning,
  kListObjectVersions,
  kDeleteObjects,
  kPostObject,  // browser form upload: POST /bucket, multipart/form-data
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,  // PUT ?partNumber&uploadId with x-amz-copy-source
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  // Tagging (tagging_handlers.cc).
  kGetObjectTagging,
  kPutObjectTagging,
  kDeleteObjectTagging,
  kGetBucketTagging,
  kPutBucketTagging,
  kDeleteBucketTagging,
  // CORS (cors_handlers.cc). A preflight is answered without
  // authentication, as S3 does.
  kGetBucketCors,
  kPutBucketCors,
  kDeleteBucketCors,
  kPreflightCors,  // OPTIONS on a bucket or an object
  // Access control (tenants issue).
  kGetBucketPolicy,
  kPutBucketPolicy,
  kDeleteBucketPolicy,
  kGetBucketPolicyStatus,
  kGetBucketAcl,
  kPutBucketAcl,
  kGetObjectAcl,
  kPutObjectAcl,
  kGetObjectAttributes,  // object_attributes_handlers.cc
  kGetPublicAccessBlock,
  kPutPublicAccessBlock,
  kDeletePublicAccessBlock,
  kGetBucketOwnershipControls,
  kPutBucketOwnershipControls,
  kDeleteBucketOwnershipControls,
  // Default encryption (encryption_handlers.cc).
  kGetBucketEncryption,
  kPutBucketEncryption,
  kDeleteBucketEncryption,
  // Lifecycle (lifecycle_handlers.cc).
  kGetBucketLifecycle,
  kPutBucketLifecycle,
  kDeleteBucketLifecycle,
  // Event notifications (notification_handlers.cc).
  kGetBucketNotification,
  kPutBucketNotification,
  // Object Lock (object_lock_handlers.cc).
  kGetObjectLockConfiguration,
  kPutObjectLockConfiguration,
  kGetObjectRetention,
  kPutObjectRetention,
  kGetObjectLegalHold,
  kPutObjectLegalHold,
  // S3 Inventory (s3/inventory.h): ?inventory&id=ID, and the list without id.
  kGetBucketInventory,
  kPutBucketInventory,
  kDeleteBucketInventory,
  kListBucketInventory,
  // Static website hosting (s3/website.h).
  kGetBucketWebsite,
  kPutBucketWebsite,
  kDeleteBucketWebsite,
  // Bucket settings Confiance does not offer, answered with their unset
  // state as S3 answers for a bucket that never had them
  // (unset_settings_handlers.cc); setting one is NotImplemented.
  kGetBucketRequestPayment,
  kGetBucketAccelerate,
  // Server access logging to a bucket (s3/bucket_logging.h).
  kGetBucketLogging,
  kPutBucketLogging,
  // Bucket replication (s3/replication_config.h).
  kGetBucketReplication,
  kPutBucketReplication,
  kDeleteBucketReplication,
  // The STS query API (POST / with Action=GetSessionToken, ...): temporary
  // credentials, docs/sts.md.
  kSts,
  kNotImplemented,  // a known S3 operation Confiance does not implement yet
};

std::string_view OperationName(Operation op);

// The IAM action a request of `op` needs ("s3:GetObject"), as policies name
// it; "" for kNotImplemented. Operations needing several (CopyObject also
// reads its source) name the one on their target here.
std::string_view IamAction(Operation op);
// The same for a request that names a version (?versionId=): S3's
// version-specific actions (s3:GetObjectVersion, s3:DeleteObjectVersion,
// s3:GetObjectVersionTagging...) where they exist.
std::string_view IamAction(Operation op, bool names_version);

// Whether `op`'s resource is an object (arn:aws:s3:::bucket/key) rather
// than its bucket (arn:aws:s3:::bucket) or the service ("*").
bool IsObjectOperation(Operation op);

}  // namespace confiance::s3

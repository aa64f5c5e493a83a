// File: s3/s3_error.h
// The one S3 error table (STYLE.md #5): every S3 error code Confiance can
// answer, with its HTTP status and default message. Handlers map a Status to
// an S3Error on purpose; anything unmapped becomes InternalError. This file
// and s3_error.cc are the only places that know code strings and statuses.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace confiance::s3 {

enum class S3ErrorCode {
  kAccessDenied,
  kAccessForbidden,
  kAuthorizationHeaderMalformed,
  kAuthorizationQueryParametersError,
  kBadDigest,
  kBadRequest,
  kBucketAlreadyExists,
  kBucketAlreadyOwnedByYou,
  kBucketNotEmpty,
  kEntityTooLarge,
  kEntityTooSmall,
  kIncompleteBody,
  kInternalError,
  kInvalidAccessKeyId,
  kInvalidArgument,
  kInvalidBucketName,
  kInvalidDigest,
  kInvalidLocationConstraint,
  kInvalidPart,
  kInvalidPartOrder,
  kInvalidRange,
  kInvalidRequest,
  kInvalidStorageClass,
  kInvalidTag,
  kKeyTooLongError,
  kMalformedACLError,
  kMalformedXML,
  kMetadataTooLarge,
  kMethodNotAllowed,
  kMissingContentLength,
  kMissingRequestBodyError,  // PutBucketLifecycleConfiguration with no body
  kMissingSecurityHeader,
  kNoSuchBucket,
  kNoSuchCORSConfiguration,
  kNoSuchKey,
  kNoSuchLifecycleConfiguration,
  kNoSuchTagSet,
  kNoSuchUpload,
  kNotImplemented,
  kPreconditionFailed,
  kRequestTimeout,
  kRequestTimeTooSkewed,
  kServiceUnavailable,
  kSignatureDoesNotMatch,
  kSlowDown,
  kUnresolvableGrantByEmailAddress,
  kXAmzContentSHA256Mismatch,
  kIllegalLocationConstraintException,
  kNotModified,
  kAllAccessDisabled,
  kQuotaExceeded,
  kTooManyBuckets,
  kMalformedPolicy,
  kNoSuchBucketPolicy,
  kNoSuchPublicAccessBlockConfiguration,
  kOwnershipControlsNotFoundError,
  kAccessControlListNotSupported,
  kUnexpectedContent,
  kInvalidPartNumber,
  kInsufficientStorage,
  kMalformedTrailerError,
  // Browser POST uploads (post_object_handlers.cc).
  kInvalidPolicyDocument,
  kMaxPostPreDataLengthExceeded,
  kIncorrectNumberOfFilesInPostRequest,
  kMalformedPOSTRequest,
  // Versioning.
  kNoSuchVersion,
  kIllegalVersioningConfigurationException,
  // Object Lock.
  kInvalidBucketState,
  kObjectLockConfigurationNotFoundError,
  kNoSuchObjectLockConfiguration,
  kInvalidRetentionPeriod,
  // SSE-KMS: a key id that names no key of the bucket owner.
  kKmsNotFound,
  // BucketOwnerEnforced with a bucket ACL that grants anyone but the owner.
  kInvalidBucketAclWithObjectOwnership,
  // Bucket settings never set (unset_settings_handlers.cc).
  kNoSuchWebsiteConfiguration,
  kReplicationConfigurationNotFoundError,
  // PutBucketLogging: a target bucket that cannot receive the logs.
  kInvalidTargetBucketForLogging,
  // Temporary credentials (docs/sts.md).
  kInvalidToken,
  kExpiredToken,
  // Inventory configurations (s3/inventory.h): none with that id; the
  // bucket's 1,000 reached.
  kNoSuchConfiguration,
  kTooManyConfigurations,
  // A concurrent operation on the same resource won (a completion of the
  // same upload under way, a key rewritten too often to commit).
  kOperationAborted,
};

struct S3Error {
  S3ErrorCode code;
  std::string message;  // empty: the table's default message
  std::string resource;  // the bucket/key path the error concerns, if any
  // Extra elements of the error document, after Message, in order (e.g.
  // BucketName, or Method and ResourceType for a refused CORS preflight).
  std::vector<std::pair<std::string, std::string>> details;

  std::string_view CodeString() const;
  int HttpStatus() const;
  std::string_view Message() const;
};

S3Error MakeError(S3ErrorCode code, std::string message = {});

// The <Code> of an S3 error document, at most 64 bytes of it ("" if none):
// for a log line about an answer this server or another S3 service gave.
std::string ErrorCodeOfDocument(std::string_view body);

// Maps a Status from a lower layer to an S3 error when the caller has no
// more precise mapping: Unavailable -> ServiceUnavailable (503),
// ResourceExhausted (disk full) -> InsufficientStorage (507), DeadlineExceeded
// -> RequestTimeout, Aborted (a compare-and-set lost to concurrent writers
// too often, another completion of the upload under way, or a DeleteBucket
// under way) -> OperationAborted (409, "try again"), a write whose bucket
// was deleted before it was acknowledged (IsBucketDeleted) -> NoSuchBucket,
// everything else -> InternalError. The
// Status message is never sent to the client for internal errors (it may
// name paths); it is logged with the request id instead.
S3Error ErrorFromStatus(const Status& status);
// True for the NotFound status of a write whose bucket a DeleteBucket
// removed before the write was acknowledged (catalog::kBucketDeleted): a
// caller that maps NotFound itself (NoSuchKey, NoSuchUpload) asks first.
bool IsBucketDeleted(const Status& status);

}  // namespace confiance::s3

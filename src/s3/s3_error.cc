// File: s3/s3_error.cc
#include "s3/s3_error.h"

#include <algorithm>
#include <array>

#include "catalog/catalog.h"
#include "catalog/object_lock.h"
#include "catalog/tenant_keys.h"
#include "catalog/version_id.h"

namespace confiance::s3 {
namespace {

struct Entry {
  std::string_view code;
  int status;
  std::string_view message;
};

// Indexed by S3ErrorCode; codes, statuses and messages as the AWS S3 API
// reference ("Error responses") gives them.
constexpr std::array kTable = {
    Entry{"AccessDenied", 403, "Access Denied"},
    // A refused CORS preflight (OPTIONS); not in the reference's table, but
    // what S3 answers on the wire.
    Entry{"AccessForbidden", 403,
          "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
          "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
          "are not whitelisted by the resource's CORS spec."},
    Entry{"AuthorizationHeaderMalformed", 400, "The authorization header is malformed."},
    Entry{"AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter."},
    Entry{"BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
    Entry{"BadRequest", 400, "Bad Request"},
    Entry{"BucketAlreadyExists", 409,
          "The requested bucket name is not available. The bucket namespace is shared by all "
          "users of the system. Please select a different name and try again."},
    Entry{"BucketAlreadyOwnedByYou", 409,
          "Your previous request to create the named bucket succeeded and you already own it."},
    Entry{"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"},
    Entry{"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
    Entry{"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."},
    Entry{"IncompleteBody", 400,
          "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    Entry{"InternalError", 500, "We encountered an internal error. Please try again."},
    Entry{"InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."},
    Entry{"InvalidArgument", 400, "Invalid Argument"},
    Entry{"InvalidBucketName", 400, "The specified bucket is not valid."},
    Entry{"InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
    Entry{"InvalidLocationConstraint", 400, "The specified location constraint is not valid."},
    Entry{"InvalidPart", 400,
          "One or more of the specified parts could not be found. The part might not have been "
          "uploaded, or the specified entity tag might not have matched the part's entity tag."},
    Entry{"InvalidPartOrder", 400,
          "The list of parts was not in ascending order. The parts list must be specified in "
          "order by part number."},
    Entry{"InvalidRange", 416, "The requested range is not satisfiable"},
    Entry{"InvalidRequest", 400, "Invalid Request"},
    Entry{"InvalidStorageClass", 400, "The storage class you specified is not valid"},
    Entry{"InvalidTag", 400,
          "Your request contains tag input that is not valid. For example, your request might "
          "contain duplicate keys, keys or values that are too long, or system tags."},
    Entry{"KeyTooLongError", 400, "Your key is too long"},
    Entry{"MalformedACLError", 400,
          "The XML you provided was not well-formed or did not validate against our published "
          "schema."},
    Entry{"MalformedXML", 400,
          "The XML you provided was not well-formed or did not validate against our published "
          "schema."},
    Entry{"MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."},
    Entry{"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
    Entry{"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
    Entry{"MissingRequestBodyError", 400, "Request Body is empty"},
    Entry{"MissingSecurityHeader", 400, "Your request is missing a required header."},
    Entry{"NoSuchBucket", 404, "The specified bucket does not exist"},
    Entry{"NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"},
    Entry{"NoSuchKey", 404, "The specified key does not exist."},
    Entry{"NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"},
    Entry{"NoSuchTagSet", 404, "The TagSet does not exist"},
    Entry{"NoSuchUpload", 404,
          "The specified upload does not exist. The upload ID may be invalid, or the upload may "
          "have been aborted or completed."},
    Entry{"NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."},
    Entry{"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."},
    Entry{"RequestTimeout", 400,
          "Your socket connection to the server was not read from or written to within the "
          "timeout period."},
    Entry{"RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large."},
    Entry{"ServiceUnavailable", 503, "Please reduce your request rate."},
    Entry{"SignatureDoesNotMatch", 403,
          "The request signature we calculated does not match the signature you provided. Check "
          "your key and signing method."},
    Entry{"SlowDown", 503, "Please reduce your request rate."},
    Entry{"UnresolvableGrantByEmailAddress", 400,
          "The email address you provided does not match any account on record."},
    Entry{"XAmzContentSHA256Mismatch", 400,
          "The provided 'x-amz-content-sha256' header does not match what was computed."},
    Entry{"IllegalLocationConstraintException", 400,
          "The unspecified location constraint is incompatible for the region specific "
          "endpoint this request was sent to."},
    Entry{"NotModified", 304, "Not Modified"},
    Entry{"AllAccessDisabled", 403, "All access to this Amazon S3 resource has been disabled."},
    Entry{"QuotaExceeded", 403, "The tenant's quota would be exceeded."},  // as Ceph RGW
    Entry{"TooManyBuckets", 400, "You have attempted to create more buckets than allowed."},
    Entry{"MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"},
    Entry{"NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
    Entry{"NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found"},
    Entry{"OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"},
    Entry{"AccessControlListNotSupported", 400, "The bucket does not allow ACLs"},
    Entry{"UnexpectedContent", 400, "This request does not support content"},
    Entry{"InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
    // Disk full (ENOSPC or the space reserve reached). AWS has no such
    // error; the code is the RFC 4918 reason phrase of 507, as restic's
    // rest-server answers (MinIO says XMinioStorageFull, also 507). SDKs
    // do not retry a 507: the disk stays full until someone frees space.
    Entry{"InsufficientStorage", 507,
          "The server does not have enough free storage to complete the request. Delete "
          "objects or free space, then retry."},
    Entry{"MalformedTrailerError", 400,
          "The request contained trailing data that was not well-formed or did not conform to our "
          "published schema."},
    Entry{"InvalidPolicyDocument", 400,
          "The content of the form does not meet the conditions specified in the policy document."},
    Entry{"MaxPostPreDataLengthExceeded", 400, "Your POST request fields preceding the upload file were too large."},
    Entry{"IncorrectNumberOfFilesInPostRequest", 400, "POST requires exactly one file upload per request."},
    Entry{"MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data."},
    Entry{"NoSuchVersion", 404, "The specified version does not exist."},
    Entry{"IllegalVersioningConfigurationException", 400,
          "The versioning configuration specified in the request is invalid."},
    Entry{"InvalidBucketState", 409, "The request is not valid with the current state of the bucket."},
    Entry{"ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket"},
    Entry{"NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration"},
    Entry{"InvalidRetentionPeriod", 400, "Default retention period must be a positive integer value."},
    // What S3 answers for an SSE-KMS key id it cannot find (the code is KMS's).
    Entry{"KMS.NotFoundException", 400, "Invalid keyId"},
    Entry{"InvalidBucketAclWithObjectOwnership", 400,
          "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
    Entry{"NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration"},
    Entry{"ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found"},
    Entry{"InvalidTargetBucketForLogging", 400, "The target bucket for logging does not exist"},
    Entry{"InvalidToken", 400, "The provided token is malformed or otherwise invalid."},
    Entry{"ExpiredToken", 400, "The provided token has expired."},
    Entry{"NoSuchConfiguration", 404, "The specified configuration does not exist."},
    Entry{"TooManyConfigurations", 400,
          "You are attempting to create a new configuration but have already reached the 1,000-configuration "
          "limit."},
    Entry{"OperationAborted", 409,
          "A conflicting conditional operation is currently in progress against this resource. Try again."},
};

static_assert(kTable.size() == static_cast<size_t>(S3ErrorCode::kOperationAborted) + 1,
              "every S3ErrorCode needs a table entry");

const Entry& Lookup(S3ErrorCode code) { return kTable[static_cast<size_t>(code)]; }

}  // namespace

std::string_view S3Error::CodeString() const { return Lookup(code).code; }
int S3Error::HttpStatus() const { return Lookup(code).status; }
std::string_view S3Error::Message() const {
  return message.empty() ? Lookup(code).message : std::string_view(message);
}

std::string ErrorCodeOfDocument(std::string_view body) {
  const size_t open = body.find("<Code>");
  const size_t close = body.find("</Code>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return "";
  return std::string(body.substr(open + 6, std::min<size_t>(close - open - 6, 64)));
}

S3Error MakeError(S3ErrorCode code, std::string message) {
  return S3Error{code, std::move(message), {}};
}

S3Error ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
      // A store turned read-only after an fsync error, a key provider down
      // or too slow: the server's state, not the request's; the detail is
      // in the server log, not for the client.
      return MakeError(S3ErrorCode::kServiceUnavailable, "The service cannot complete this request now; retry later.");
    case StatusCode::kResourceExhausted:
      return MakeError(S3ErrorCode::kInsufficientStorage);
    case StatusCode::kDeadlineExceeded:
      return MakeError(S3ErrorCode::kRequestTimeout);
    case StatusCode::kAborted:
      // Concurrent writers of one key or upload (the catalog's
      // compare-and-set retries ran out, or a completion is under way).
      return MakeError(S3ErrorCode::kOperationAborted);
    case StatusCode::kPermissionDenied:
      // The key hierarchy's refusals (catalog/tenant_keys.h) are meant for
      // the requester. Other PermissionDenied statuses (a wrapped key that
      // does not authenticate) are internal faults, as below.
      if (status.message().starts_with(catalog::kKeyAccessDenied)) {
        return MakeError(S3ErrorCode::kAccessDenied, status.message());
      }
      // A version that Object Lock protects (catalog/object_lock.h).
      if (status.message().starts_with(catalog::kObjectLocked)) {
        return MakeError(S3ErrorCode::kAccessDenied, status.message());
      }
      return MakeError(S3ErrorCode::kInternalError);
    case StatusCode::kNotFound:
      if (IsBucketDeleted(status)) return MakeError(S3ErrorCode::kNoSuchBucket);
      return MakeError(S3ErrorCode::kInternalError);
    case StatusCode::kAlreadyExists:
      // A replica whose version id names another version (catalog/version_id.h).
      if (status.message().starts_with(catalog::kVersionIdInUse)) {
        return MakeError(S3ErrorCode::kInvalidRequest, status.message());
      }
      return MakeError(S3ErrorCode::kInternalError);
    default:
      return MakeError(S3ErrorCode::kInternalError);
  }
}

bool IsBucketDeleted(const Status& status) {
  return status.code() == StatusCode::kNotFound && status.message() == catalog::kBucketDeleted;
}

}  // namespace confiance::s3

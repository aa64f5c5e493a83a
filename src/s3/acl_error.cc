// File: s3/acl_error.cc
#include "s3/acl_error.h"

#include <optional>

#include "iam/acl/acl_errors.h"

namespace confiance::s3 {

S3Error AclError(const Status& status) {
  std::optional<iam::acl::ErrorKind> kind = iam::acl::ErrorKindOf(status);
  if (!kind) {
    if (status.code() == StatusCode::kInvalidArgument) return MakeError(S3ErrorCode::kMalformedXML);
    return ErrorFromStatus(status);
  }
  using K = iam::acl::ErrorKind;
  switch (*kind) {
    case K::kInvalidCannedAcl: return MakeError(S3ErrorCode::kInvalidArgument);
    case K::kMalformedGrantHeader: return MakeError(S3ErrorCode::kInvalidArgument);
    case K::kInvalidGroupUri: return MakeError(S3ErrorCode::kInvalidArgument, "Invalid group uri");
    case K::kEmailGrantee: return MakeError(S3ErrorCode::kUnresolvableGrantByEmailAddress);
    case K::kCannedWithGrantHeaders:
      return MakeError(S3ErrorCode::kInvalidRequest,
                       "Specifying both Canned ACLs and Header Grants is not allowed");
    case K::kMalformedAcl: return MakeError(S3ErrorCode::kMalformedACLError);
    case K::kMalformedXml: return MakeError(S3ErrorCode::kMalformedXML);
  }
  return MakeError(S3ErrorCode::kInternalError);
}

}  // namespace confiance::s3

// File: s3/acl_error.h
// The S3 error for a failure of ACL parsing (canned ACL names, x-amz-grant-*
// headers, AccessControlPolicy bodies): the table of iam/acl/acl_errors.h,
// applied. Like SigV4Error (s3/auth.h), it is the one place that turns an
// acl::ErrorKind into an S3ErrorCode.
#pragma once

#include "common/status.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// The S3 error for `status`, a non-OK result of iam/acl/ or of
// s3/xml/acl_xml.h. A status without an acl::ErrorKind tag (an
// InvalidArgument "MalformedXML: ..." from the OwnershipControls or
// PublicAccessBlock parsers) is MalformedXML if InvalidArgument, else
// ErrorFromStatus(status).
S3Error AclError(const Status& status);

}  // namespace confiance::s3

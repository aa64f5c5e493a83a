// File: iam/acl/acl_errors.h
// The typed failure kinds of ACL parsing (canned ACL names, x-amz-grant-*
// headers, AccessControlPolicy bodies in s3/xml/acl_xml.h). Every such error
// is an InvalidArgument Status whose message starts with the stable tag
// "[acl:<Kind>] "; ErrorKindOf() recovers the kind, so that the S3 layer can
// answer the exact S3 error without parsing prose. The S3 code strings live
// only in s3/s3_error.cc (STYLE #5); this table is the contract it follows:
//
//   ErrorKind                 S3 error (HTTP)
//   ------------------------  ---------------------------------------------------
//   kInvalidCannedAcl         InvalidArgument 400 (unknown x-amz-acl value)
//   kMalformedGrantHeader     InvalidArgument 400 (x-amz-grant-* syntax, unknown
//                             grantee type, empty id, over 100 grants)
//   kInvalidGroupUri          InvalidArgument 400 "Invalid group uri"
//   kEmailGrantee             UnresolvableGrantByEmailAddress 400 "The email
//                             address you provided does not match any account on
//                             record." (Confiance has no e-mail directory)
//   kCannedWithGrantHeaders   InvalidRequest 400 "Specifying both Canned ACLs and
//                             Header Grants is not allowed"
//   kMalformedAcl             MalformedACLError 400 (well-formed XML that is not a
//                             valid AccessControlPolicy, unknown Permission)
//   kMalformedXml             MalformedXML 400 (a body that is not XML at all)
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"

namespace confiance::iam::acl {

enum class ErrorKind {
  kInvalidCannedAcl,
  kMalformedGrantHeader,
  kInvalidGroupUri,
  kEmailGrantee,
  kCannedWithGrantHeaders,
  kMalformedAcl,
  kMalformedXml,
};

// The stable name used in the message tag, e.g. "EmailGrantee".
std::string_view ErrorKindName(ErrorKind kind);

// An InvalidArgument Status tagged with `kind`; `detail` is human-readable
// prose (safe to show to the client: it only echoes the request).
Status MakeError(ErrorKind kind, std::string_view detail);

// The kind carried by `status`, or nullopt if `status` is OK or was not
// produced by MakeError().
std::optional<ErrorKind> ErrorKindOf(const Status& status);

}  // namespace confiance::iam::acl

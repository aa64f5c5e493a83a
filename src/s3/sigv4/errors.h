// File: s3/sigv4/errors.h
// The typed failure kinds of SigV4 verification and aws-chunked decoding.
// Every error returned by this folder is a Status whose message starts with a
// stable tag "[sigv4:<Kind>] "; ErrorKindOf() recovers the kind, so that the
// S3 layer can map it to an exact S3 error without parsing prose. The S3 code
// strings themselves live only in s3/s3_error.cc (STYLE #5); the table below
// is the contract that file implements.
//
//   ErrorKind                    StatusCode          S3 error (HTTP)
//   ---------------------------  ------------------  ------------------------------------------
//   kMissingAuth                 kUnauthenticated    (anonymous request: caller decides; else AccessDenied 403)
//   kUnsupportedAuth             kInvalidArgument    InvalidArgument 400 "Unsupported Authorization Type"
//   kAmbiguousAuth               kInvalidArgument    InvalidArgument 400 "Only one auth mechanism allowed"
//   kAuthorizationHeaderMalformed kInvalidArgument   AuthorizationHeaderMalformed 400
//   kAuthorizationQueryMalformed kInvalidArgument    AuthorizationQueryParametersError 400
//   kInvalidUri                  kInvalidArgument    InvalidURI 400
//   kMissingDate                 kPermissionDenied   AccessDenied 403 "AWS authentication requires a valid Date or x-amz-date header"
//   kInvalidAccessKeyId          kUnauthenticated    InvalidAccessKeyId 403
//   kSignatureDoesNotMatch       kUnauthenticated    SignatureDoesNotMatch 403
//   kRequestTimeTooSkewed        kPermissionDenied   RequestTimeTooSkewed 403
//   kRequestExpired              kPermissionDenied   AccessDenied 403 "Request has expired"
//   kRequestNotYetValid          kPermissionDenied   AccessDenied 403 "Request is not valid yet"
//   kHeadersNotSigned            kPermissionDenied   AccessDenied 403 "There were headers present in the
//                                                    request which were not signed" (also: host not signed)
//   kMissingContentSha256        kInvalidArgument    InvalidRequest 400 "Missing required header for this
//                                                    request: x-amz-content-sha256"
//   kInvalidContentSha256        kInvalidArgument    InvalidArgument 400 "x-amz-content-sha256 must be
//                                                    UNSIGNED-PAYLOAD, STREAMING-..., or a valid sha256 value"
//   kIncompleteBody              kOutOfRange         IncompleteBody 400
//   kMalformedChunk              kInvalidArgument    InvalidArgument 400 (bad aws-chunked framing or trailer)
//   kInternal                    kInternal           InternalError 500
//
// Bad chunk or trailer signatures are kSignatureDoesNotMatch.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::sigv4 {

enum class ErrorKind {
  kMissingAuth,
  kUnsupportedAuth,
  kAmbiguousAuth,
  kAuthorizationHeaderMalformed,
  kAuthorizationQueryMalformed,
  kInvalidUri,
  kMissingDate,
  kInvalidAccessKeyId,
  kSignatureDoesNotMatch,
  kRequestTimeTooSkewed,
  kRequestExpired,
  kRequestNotYetValid,
  kHeadersNotSigned,
  kMissingContentSha256,
  kInvalidContentSha256,
  kIncompleteBody,
  kMalformedChunk,
  kInternal,
};

// The stable name used in the message tag, e.g. "SignatureDoesNotMatch".
std::string_view ErrorKindName(ErrorKind kind);

// The canonical StatusCode of `kind` (table above).
StatusCode ErrorKindCode(ErrorKind kind);

// A non-OK Status tagged with `kind`; `detail` is human-readable prose.
Status MakeError(ErrorKind kind, std::string_view detail);

// The kind carried by `status`, or nullopt if `status` is OK or was not
// produced by MakeError().
std::optional<ErrorKind> ErrorKindOf(const Status& status);

}  // namespace confiance::sigv4

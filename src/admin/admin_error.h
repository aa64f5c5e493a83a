// File: admin/admin_error.h
// The admin API's one error table and its reply type. Every failure the
// admin API answers is a JSON document
//   {"error": {"code": "NoSuchTenant", "message": "..."}}
// with the HTTP status of its code; this file and admin_error.cc are the
// only places that know admin code strings and their statuses (the S3
// authentication failures keep their S3 codes, from s3/s3_error.h).
// Handlers map a Status to an AdminErrorCode on purpose (NotFound on a
// tenant is NoSuchTenant, on a user NoSuchUser); anything unmapped is an
// InternalError whose detail is logged, never sent.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::admin {

enum class AdminErrorCode {
  kInvalidRequest,          // 400: malformed JSON, wrong field types, bad names
  kMalformedPolicy,         // 400: an identity policy document that does not validate
  kAccessDenied,            // 403: the caller may not do this
  kAllAccessDisabled,       // 403: the caller's tenant is suspended
  kNoSuchResource,          // 404: no such path in the admin API
  kNoSuchTenant,            // 404
  kNoSuchUser,              // 404
  kNoSuchAccessKey,         // 404
  kNoSuchPolicy,            // 404
  kNoSuchAccessRequest,     // 404 (also another tenant's, or another operator's)
  kNoSuchKmsKey,            // 404: no named KMS key of that name
  kMethodNotAllowed,        // 405
  kTenantAlreadyExists,     // 409
  kUserAlreadyExists,       // 409
  kAccessKeyAlreadyExists,  // 409
  kOperatorAlreadyExists,   // 409
  kKmsKeyAlreadyExists,     // 409: the name is taken (destroyed keys' names too)
  kTenantNotEmpty,          // 409: the tenant still owns buckets
  kLimitExceeded,           // 409: e.g. a third access key for one user
  kConflict,                // 409: changed concurrently; retry
  kObjectLocked,            // 409: an Object Lock forbids it (docs/object-lock.md)
  kEntityTooLarge,          // 413: request body over the limit
  kInsufficientStorage,     // 507: the server's metadata disk is full
  kInternalError,           // 500
  kServiceUnavailable,      // 503
};

std::string_view AdminErrorCodeString(AdminErrorCode code);
int AdminErrorHttpStatus(AdminErrorCode code);

// One answer of the admin API: an HTTP status and a JSON body ("" for 204).
struct ApiReply {
  int status = 200;
  std::string body;

  bool ok() const { return status < 300; }
};

// `value` serialised as the body.
ApiReply JsonReply(int status, const nlohmann::json& value);
// 204 No Content.
ApiReply EmptyReply();
// The error document for `code`; `message` defaults to a generic sentence.
ApiReply ErrorReply(AdminErrorCode code, std::string_view message = {});
// An error document with a code that is not in the admin table (the S3
// authentication errors: InvalidAccessKeyId, SignatureDoesNotMatch, ...).
ApiReply ErrorReply(int http_status, std::string_view code, std::string_view message);

// The reply for a failed call into iam/ or catalog/: NotFound becomes
// `not_found`, AlreadyExists `exists`, InvalidArgument kInvalidRequest,
// Aborted and FailedPrecondition kConflict (with the Status message, which
// these layers write for users); ResourceExhausted (a full disk: the
// stores' ENOSPC) kInsufficientStorage; a reached limit (two keys, ten
// policies) is answered kLimitExceeded by its handler;
// Unavailable kServiceUnavailable; anything else kInternalError (the
// Status is logged, not sent). REQUIRES: !status.ok().
ApiReply StatusReply(const Status& status, AdminErrorCode not_found = AdminErrorCode::kNoSuchResource,
                     AdminErrorCode exists = AdminErrorCode::kConflict);

}  // namespace confiance::admin

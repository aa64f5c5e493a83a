// File: admin/admin_error.cc
#include "admin/admin_error.h"

#include "common/logging.h"

namespace confiance::admin {
namespace {

struct Entry {
  std::string_view code;
  int http_status;
  std::string_view message;
};

Entry EntryOf(AdminErrorCode code) {
  using C = AdminErrorCode;
  switch (code) {
    case C::kInvalidRequest: return {"InvalidRequest", 400, "The request is not valid."};
    case C::kMalformedPolicy: return {"MalformedPolicy", 400, "The policy document is not valid."};
    case C::kAccessDenied: return {"AccessDenied", 403, "Access Denied."};
    case C::kAllAccessDisabled: return {"AllAccessDisabled", 403, "All access to this tenant has been disabled."};
    case C::kNoSuchResource: return {"NoSuchResource", 404, "The admin API has no such resource."};
    case C::kNoSuchTenant: return {"NoSuchTenant", 404, "The tenant does not exist."};
    case C::kNoSuchUser: return {"NoSuchUser", 404, "The user does not exist."};
    case C::kNoSuchAccessKey: return {"NoSuchAccessKey", 404, "The access key does not exist."};
    case C::kNoSuchPolicy: return {"NoSuchPolicy", 404, "The policy does not exist."};
    case C::kNoSuchAccessRequest: return {"NoSuchAccessRequest", 404, "The access request does not exist."};
    case C::kNoSuchKmsKey:
      return {"NoSuchKmsKey", 404, "The tenant has no KMS key of that name."};
    case C::kMethodNotAllowed:
      return {"MethodNotAllowed", 405, "The method is not allowed on this resource."};
    case C::kTenantAlreadyExists: return {"TenantAlreadyExists", 409, "The tenant already exists."};
    case C::kUserAlreadyExists: return {"UserAlreadyExists", 409, "The user already exists."};
    case C::kAccessKeyAlreadyExists:
      return {"AccessKeyAlreadyExists", 409, "The access key id is already in use."};
    case C::kOperatorAlreadyExists: return {"OperatorAlreadyExists", 409, "The operator already exists."};
    case C::kKmsKeyAlreadyExists:
      return {"KmsKeyAlreadyExists", 409, "The tenant already has a KMS key of that name (names are never reused)."};
    case C::kTenantNotEmpty: return {"TenantNotEmpty", 409, "The tenant still owns buckets."};
    case C::kLimitExceeded: return {"LimitExceeded", 409, "A limit would be exceeded."};
    case C::kConflict: return {"Conflict", 409, "The resource changed concurrently; retry."};
    case C::kObjectLocked:
      return {"ObjectLocked", 409, "Object Lock protects data this operation would destroy."};
    case C::kEntityTooLarge: return {"EntityTooLarge", 413, "The request body is too large."};
    case C::kInsufficientStorage:
      return {"InsufficientStorage", 507, "The server has no room left to store this change; retry later."};
    case C::kInternalError: return {"InternalError", 500, "We encountered an internal error. Please try again."};
    case C::kServiceUnavailable: return {"ServiceUnavailable", 503, "Please reduce your request rate."};
  }
  return {"InternalError", 500, "We encountered an internal error. Please try again."};
}

}  // namespace

std::string_view AdminErrorCodeString(AdminErrorCode code) { return EntryOf(code).code; }
int AdminErrorHttpStatus(AdminErrorCode code) { return EntryOf(code).http_status; }

ApiReply JsonReply(int status, const nlohmann::json& value) {
  // Replace, not throw, on invalid UTF-8: names are validated ASCII, but a
  // display name is free text.
  return ApiReply{status, value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
}

ApiReply EmptyReply() { return ApiReply{204, ""}; }

ApiReply ErrorReply(int http_status, std::string_view code, std::string_view message) {
  nlohmann::json doc = {{"error", {{"code", code}, {"message", message}}}};
  return JsonReply(http_status, doc);
}

ApiReply ErrorReply(AdminErrorCode code, std::string_view message) {
  Entry e = EntryOf(code);
  return ErrorReply(e.http_status, e.code, message.empty() ? e.message : message);
}

ApiReply StatusReply(const Status& status, AdminErrorCode not_found, AdminErrorCode exists) {
  using C = AdminErrorCode;
  switch (status.code()) {
    case StatusCode::kNotFound: return ErrorReply(not_found, status.message());
    case StatusCode::kAlreadyExists: return ErrorReply(exists, status.message());
    case StatusCode::kInvalidArgument: return ErrorReply(C::kInvalidRequest, status.message());
    case StatusCode::kResourceExhausted:
      spdlog::warn("admin API: {}", status.ToString());
      return ErrorReply(C::kInsufficientStorage);
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition: return ErrorReply(C::kConflict, status.message());
    case StatusCode::kUnavailable: return ErrorReply(C::kServiceUnavailable);
    default: break;
  }
  spdlog::error("admin API: {}", status.ToString());
  return ErrorReply(C::kInternalError);
}

}  // namespace confiance::admin

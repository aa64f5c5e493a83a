// File: s3/log_api_handler.h
// The HTTP side of the transparency-log read API (audit/log_api.h),
// /_confiance/log/v1/...: SigV4 (or V2) authentication with the caller's
// own access keys, exactly as for S3 requests, then the caller's log:
//   - a tenant's principal (its root or any of its users) reads that
//     tenant's log, and only it;
//   - an operator reads the operator log, and only it;
//   - anonymous or unknown callers get AccessDenied.
// Errors are S3 XML error documents (docs/audit-log.md lists them). Reads
// of the log are not themselves logged: a poll would grow the log.
#pragma once

#include <utility>

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "audit/audit_log.h"
#include "common/blocking_pool.h"
#include "http/http.h"
#include "iam/credentials.h"
#include "iam/directory.h"

namespace confiance::s3 {

struct LogApiDeps {
  iam::CredentialStore& credentials;
  iam::Directory& directory;
  BlockingPool& pool;
  audit::AuditLog* audit_log;  // null: logging is off; the API answers NotImplemented
  std::string_view region;
};

// True if S3Service must hand `target` to ServeLogApiRequest.
bool IsLogApiTarget(std::string_view target);

// Answers one request of the API. `deps` and `request` outlive the call.
boost::asio::awaitable<void> ServeLogApiRequest(const LogApiDeps& deps, const http::Request& request,
                                                http::ResponseWriter& response);

}  // namespace confiance::s3

// File: s3/log_api_handler.cc
#include "s3/log_api_handler.h"

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "audit/log_api.h"
#include "common/logging.h"
#include "common/request_id.h"
#include "s3/auth.h"
#include "s3/router.h"
#include "s3/s3_error.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

boost::asio::awaitable<void> SendLogApiError(const http::Request& request, http::ResponseWriter& response,
                                             const S3Error& error, std::string_view path) {
  const std::string id = NewRequestId();
  if (error.HttpStatus() >= 500) {
    spdlog::warn("log API {} {}: {} {}", request.method, path, error.CodeString(), error.Message());
  }
  xml::XmlWriter w;
  w.Open("Error").Element("Code", error.CodeString()).Element("Message", error.Message());
  w.Element("Resource", path).Element("RequestId", id).Element("HostId", id);
  const std::string doc = w.Finish();
  std::vector<http::Header> headers = {{"Content-Type", "application/xml"}, {"x-amz-request-id", id}};
  (void)co_await response.Send(error.HttpStatus(), headers, doc);
}

// The error for a failed parse or read.
S3Error ErrorOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return MakeError(S3ErrorCode::kNoSuchKey, s.message());
    case StatusCode::kInvalidArgument: return MakeError(S3ErrorCode::kInvalidArgument, s.message());
    default: return ErrorFromStatus(s);
  }
}

}  // namespace

bool IsLogApiTarget(std::string_view target) { return audit::IsLogApiTarget(target); }

namespace {

// Authenticates the caller, picks its log and reads the answer; the error
// to send otherwise. Runs the store reads on the blocking pool.
boost::asio::awaitable<Result<audit::LogApiReply>> Answer(const LogApiDeps& deps, const http::Request& request,
                                                          const Route& route, S3Error* error) {
  // Who asks decides which log: authenticate before anything else, so that
  // an unauthenticated caller learns nothing (not even which paths exist).
  std::optional<Authenticated> auth =
      Authenticate(request, route, deps.credentials, std::string(deps.region), error);
  if (!auth) co_return PermissionDeniedError("not authenticated");
  if (request.method != "GET" && request.method != "HEAD") {
    *error = MakeError(S3ErrorCode::kMethodNotAllowed);
    co_return PermissionDeniedError("method");
  }
  if (deps.audit_log == nullptr) {
    *error = MakeError(S3ErrorCode::kNotImplemented, "The transparency log is off on this server.");
    co_return PermissionDeniedError("off");
  }
  Result<audit::LogApiRequest> parsed = audit::ParseLogApiRequest(route.raw_path, route.raw_query);
  if (!parsed.ok()) {
    *error = ErrorOf(parsed.status());
    co_return parsed.status();
  }
  const iam::Principal& who = auth->principal;
  std::string tenant;
  if (who.kind == iam::PrincipalKind::kTenant) {
    Result<iam::TenantRecord> record = deps.directory.GetTenant(who.tenant_id);
    if (!record.ok()) {
      *error = MakeError(S3ErrorCode::kAccessDenied);
      co_return PermissionDeniedError("no tenant");
    }
    if (!record->active) {
      *error = MakeError(S3ErrorCode::kAllAccessDisabled);
      co_return PermissionDeniedError("disabled");
    }
    tenant = who.tenant_id;
  }
  // Opening a log and reading tiles are store reads: off the network thread.
  audit::AuditLog& logs = *deps.audit_log;
  const audit::LogApiRequest& what = *parsed;
  Result<audit::LogApiReply> reply = co_await deps.pool.Run([&]() -> Result<audit::LogApiReply> {
    ASSIGN_OR_RETURN(audit::TransparencyLog * log, tenant.empty() ? logs.OperatorLog() : logs.TenantLog(tenant));
    return audit::ServeLogApi(*log, logs.signer().VerifierKey(), what);
  });
  if (!reply.ok()) *error = ErrorOf(reply.status());
  co_return reply;
}

}  // namespace

boost::asio::awaitable<void> ServeLogApiRequest(const LogApiDeps& deps, const http::Request& request,
                                                http::ResponseWriter& response) {
  const size_t q = request.target.find('?');
  Route route;
  route.raw_path = request.target.substr(0, q);
  route.raw_query = q == std::string::npos ? std::string() : request.target.substr(q + 1);
  S3Error error = MakeError(S3ErrorCode::kInternalError);
  Result<audit::LogApiReply> reply = co_await Answer(deps, request, route, &error);
  if (!reply.ok()) {
    co_await SendLogApiError(request, response, error, route.raw_path);
    co_return;
  }
  const std::string id = NewRequestId();
  std::vector<http::Header> headers = {{"Content-Type", reply->content_type},
                                       {"Cache-Control", reply->cache_control},
                                       {"x-amz-request-id", id}};
  (void)co_await response.Send(200, headers, reply->body);
}

}  // namespace confiance::s3

// File: admin/admin_service.cc
#include <chrono>
#include "admin/admin_service.h"

#include <span>
#include <vector>

#include "admin/admin_router.h"
#include "common/logging.h"
#include "common/request_id.h"
#include "s3/auth.h"
#include "s3/payload_reader.h"
#include "s3/router.h"

namespace confiance::admin {
namespace {

ApiReply FromS3Error(const s3::S3Error& e) { return ErrorReply(e.HttpStatus(), e.CodeString(), e.Message()); }

// The route S3's authentication needs: only the raw path and query.
s3::Route RawRoute(std::string_view target) {
  s3::Route route;
  size_t q = target.find('?');
  route.raw_path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) route.raw_query = std::string(target.substr(q + 1));
  return route;
}

// Admin requests must sign their body (see the header).
std::optional<ApiReply> CheckSignedPayload(const sigv4::AuthContext& auth) {
  if (auth.scheme != sigv4::AuthScheme::kHeader) {
    return ErrorReply(AdminErrorCode::kAccessDenied, "the admin API accepts only the Authorization header, "
                                                     "not presigned URLs");
  }
  if (auth.payload_mode != sigv4::PayloadMode::kSha256) {
    return ErrorReply(AdminErrorCode::kInvalidRequest,
                      "the admin API requires a signed payload: x-amz-content-sha256 must be the body's SHA-256");
  }
  return std::nullopt;
}

// Reads the whole body through `payload`, which checks its SHA-256 at the
// end; sets *error on failure.
asio::awaitable<Result<std::string>> ReadBody(s3::PayloadReader& payload, ApiReply* error) {
  std::string out;
  // A heap buffer: g++ 12 cannot keep a C array in a coroutine frame.
  std::vector<char> buf(16384);
  for (;;) {
    Result<size_t> n = co_await payload.Read(std::as_writable_bytes(std::span(buf)));
    if (!n.ok()) {
      *error = FromS3Error(payload.error());
      co_return n.status();
    }
    if (*n == 0) co_return out;
    if (out.size() + *n > kMaxAdminBody) {
      *error = ErrorReply(AdminErrorCode::kEntityTooLarge,
                          "admin request bodies are limited to " + std::to_string(kMaxAdminBody) + " bytes");
      co_return InvalidArgumentError("body too large");
    }
    out.append(buf.data(), *n);
  }
}

}  // namespace

std::string_view AdminService::MetricSlotName(size_t slot) {
  return slot < kAdminOpCount ? AdminOpName(static_cast<AdminOp>(slot)) : std::string_view("Unrouted");
}

asio::awaitable<void> AdminService::Handle(http::Request& request, http::BodyReader& body,
                                           http::ResponseWriter& response) {
  const auto started = std::chrono::steady_clock::now();
  AdminCall call;
  call.request_id = NewRequestId();
  ApiReply reply = co_await Serve(request, body, &call);
  if (deps_.audit_log != nullptr) {
    Status logged = co_await RecordAdminCall(*deps_.audit_log, call, reply, request);
    if (!logged.ok()) {
      spdlog::error("admin API: transparency log append failed, refusing the reply: {}", logged.ToString());
      reply = ErrorReply(AdminErrorCode::kServiceUnavailable,
                         "the action could not be recorded in the transparency log; it may or may not have "
                         "taken effect: check, then retry");
    }
  }
  std::vector<http::Header> headers;
  if (reply.status != 204) headers.push_back({"Content-Type", "application/json"});
  headers.push_back({"Cache-Control", "no-store"});  // replies may carry secrets
  headers.push_back({"x-amz-request-id", call.request_id});
  Status sent = co_await response.Send(reply.status, headers, reply.body);
  if (!sent.ok()) spdlog::debug("admin API: response not sent: {}", sent.ToString());
  if (deps_.request_metrics != nullptr) {
    const size_t slot = call.route ? static_cast<size_t>(call.route->op) : kAdminOpCount;
    deps_.request_metrics->Record(slot, sent.ok() ? reply.status : 0, std::chrono::steady_clock::now() - started);
  }
}

asio::awaitable<ApiReply> AdminService::Serve(http::Request& request, http::BodyReader& body, AdminCall* call) {
  s3::Route raw = RawRoute(request.target);
  Result<AdminRoute> route = RouteAdminRequest(request.method, raw.raw_path);
  if (route.ok()) call->route = *route;  // for the log entry, whatever the outcome
  s3::S3Error s3_error{s3::S3ErrorCode::kInternalError, {}, {}};
  call->credentials_presented =
      request.FindHeader("authorization").has_value() || raw.raw_query.find("X-Amz-") != std::string::npos;
  std::optional<s3::Authenticated> auth =
      s3::Authenticate(request, raw, deps_.credentials, region_, &s3_error);
  if (!auth) co_return FromS3Error(s3_error);
  call->caller = auth->principal;
  if (std::optional<ApiReply> refused = CheckSignedPayload(auth->auth)) co_return *refused;

  std::optional<s3::PayloadReader> payload = s3::PayloadReader::Create(body, request, auth->auth, &s3_error);
  if (!payload) co_return FromS3Error(s3_error);
  if (payload->expected_length() && *payload->expected_length() > kMaxAdminBody) {
    co_return ErrorReply(AdminErrorCode::kEntityTooLarge);
  }
  ApiReply error;
  Result<std::string> text = co_await ReadBody(*payload, &error);
  if (!text.ok()) co_return error;

  if (!route.ok()) {
    switch (route.status().code()) {
      case StatusCode::kUnimplemented: co_return ErrorReply(AdminErrorCode::kMethodNotAllowed);
      case StatusCode::kInvalidArgument:
        co_return ErrorReply(AdminErrorCode::kInvalidRequest, route.status().message());
      default: co_return ErrorReply(AdminErrorCode::kNoSuchResource, route.status().message());
    }
  }
  const iam::Principal& caller = auth->principal;
  const AdminRoute& r = *route;
  const std::string& b = *text;
  ApiReply reply = co_await deps_.pool.Run([&] { return deps_.api.Execute(caller, r, b); });
  co_return reply;
}

}  // namespace confiance::admin

// File: admin/admin_service.h
// AdminService: the http::Handler of the admin API, for every target
// IsAdminTarget() accepts (admin_router.h). For each request it
//   1. verifies the SigV4 signature (s3::Authenticate, the server's region,
//      service "s3"), with the Authorization header only (no presigned
//      URLs) and a signed payload (x-amz-content-sha256 = the body's
//      SHA-256), so that a mutation cannot be replayed with another body;
//   2. reads the body (at most kMaxAdminBody bytes) and checks its hash;
//   3. routes it, then runs AdminApi::Execute on the blocking pool;
//   4. records the request in the transparency logs (admin/admin_audit.h)
//      and, once that is durable, answers JSON: the document, or
//      {"error": {"code", "message"}} (503 if the log refused the entry).
// Authentication failures keep their S3 codes and statuses
// (InvalidAccessKeyId 403, SignatureDoesNotMatch 403, ...).
//
// Threads: Handle runs on a network thread; Execute (synced commits) on
// the BlockingPool. Safe for concurrent use.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <string>

#include "admin/admin_api.h"
#include "admin/admin_audit.h"
#include "common/blocking_pool.h"
#include "common/metrics.h"
#include "http/http.h"
#include "iam/credentials.h"

namespace confiance::admin {

namespace asio = boost::asio;

// Largest admin request body (policy documents are the largest).
inline constexpr size_t kMaxAdminBody = 64 * 1024;

struct AdminServiceDeps {
  AdminApi& api;
  iam::CredentialStore& credentials;
  BlockingPool& pool;
  // Every request is recorded here before its reply (admin/admin_audit.h);
  // null: not recorded (benchmarks only).
  audit::AuditLog* audit_log = nullptr;
  // Counts every answered request by op and status, with its latency
  // (AdminService::kMetricSlots slots: the ops, then "Unrouted"). Null:
  // not counted.
  metrics::RequestCounts* request_metrics = nullptr;
};

class AdminService {
 public:
  // The slots of AdminServiceDeps::request_metrics, and their names.
  static constexpr size_t kMetricSlots = kAdminOpCount + 1;
  static std::string_view MetricSlotName(size_t slot);

  // `region`: the region the server serves; signatures must be scoped to it.
  AdminService(AdminServiceDeps deps, std::string region) : deps_(deps), region_(std::move(region)) {}

  // REQUIRES: IsAdminTarget(request.target).
  asio::awaitable<void> Handle(http::Request& request, http::BodyReader& body, http::ResponseWriter& response);

 private:
  asio::awaitable<ApiReply> Serve(http::Request& request, http::BodyReader& body, AdminCall* call);

  AdminServiceDeps deps_;
  std::string region_;
};

}  // namespace confiance::admin

// File: admin/admin_audit.h
// The control-plane entries of the transparency logs: every admin API
// request (reads included: an operator reading a tenant's records is an
// access too) becomes one audit::Event of kind "control", made durable
// before its reply is sent. Which logs (docs/audit-log.md, "Which log"):
//   - an operator's request: the operator log, and the log of the tenant it
//     names (/tenants/{tenant}/...), so that a tenant sees every operator
//     action on it;
//   - a tenant principal's request: its own tenant's log;
//   - an unauthenticated one: the operator log.
// The event names the action and its target, never a body: replies carry
// new secrets and requests carry policies, neither belongs in the log.
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "admin/admin_error.h"
#include "admin/admin_router.h"
#include "audit/audit_log.h"
#include "http/http.h"
#include "iam/credentials.h"

namespace confiance::admin {

// What AdminService learned about one request, for its log entry.
struct AdminCall {
  std::string request_id;  // the reply's x-amz-request-id and the entry's request_id
  bool credentials_presented = false;
  std::optional<iam::Principal> caller;  // set once the signature verified
  std::optional<AdminRoute> route;       // set once routed
};

// Appends the event for `call` answered with `reply` (its error code read
// from the reply's JSON body) to the logs above and returns once durable,
// or the error.
boost::asio::awaitable<Status> RecordAdminCall(audit::AuditLog& log, const AdminCall& call, const ApiReply& reply,
                                               const http::Request& request);

}  // namespace confiance::admin

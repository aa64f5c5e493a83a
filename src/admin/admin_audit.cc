// File: admin/admin_audit.cc
#include "admin/admin_audit.h"

#include <chrono>
#include <initializer_list>

#include "common/await_callback.h"
#include "common/wall_clock.h"

namespace confiance::admin {
namespace {

// "tenant/acme", "tenant/acme/user/alice", ".../key/AKID", ".../policy/p",
// "tenant/acme/kms-key/payroll", "tenant/acme/bucket/photos/replication/dr"
// (main/replication_dispatcher.h reads the last one back).
std::string Target(const AdminRoute& r) {
  if (r.op == AdminOp::kCreateOperator && !r.user.empty()) return "operator/" + r.user;
  if (r.tenant.empty()) return r.access_request.empty() ? "" : "access-request/" + r.access_request;
  std::string t = "tenant/" + r.tenant;
  if (!r.access_request.empty()) t += "/access-request/" + r.access_request;
  if (!r.user.empty()) t += "/user/" + r.user;
  if (!r.access_key.empty()) t += "/key/" + r.access_key;
  if (!r.policy.empty()) t += "/policy/" + r.policy;
  if (!r.bucket.empty()) t += "/bucket/" + r.bucket;
  if (!r.destination.empty()) t += "/replication/" + r.destination;
  if (!r.kms_key.empty()) t += "/kms-key/" + r.kms_key;
  return t;
}

std::string ErrorCodeOf(const ApiReply& reply) {
  if (reply.ok()) return "";
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
      j["error"]["code"].is_string()) {
    return j["error"]["code"].get<std::string>();
  }
  return "";
}

// A string at `path` in `doc`, or "".
std::string StringAt(const nlohmann::json& doc, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &doc;
  for (const char* name : path) {
    if (!at->is_object() || !at->contains(name)) return "";
    at = &(*at)[name];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// The route with the names a create request carried in its body filled in
// from the reply (the new tenant's id, user's name or access key id), so
// that the entry names what was created. Never reads a secret.
AdminRoute NamedRoute(const AdminRoute& route, const ApiReply& reply) {
  AdminRoute named = route;
  if ((IsAccessRequestOp(route.op) || route.op == AdminOp::kCreateOperator) && reply.ok()) {
    // The request's tenant, known from the reply: an operator's request
    // about a tenant's data lands in that tenant's log too.
    nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (route.op == AdminOp::kCreateOperator) {
      named.user = StringAt(j, {"operator", "name"});
    } else if (route.op != AdminOp::kListAccessRequests) {
      named.tenant = StringAt(j, {"tenant"});
      named.access_request = StringAt(j, {"id"});
    }
    return named;
  }
  const bool create = route.op == AdminOp::kCreateTenant || route.op == AdminOp::kCreateUser ||
                      route.op == AdminOp::kCreateKey;
  if (!create || !reply.ok()) return named;
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  switch (route.op) {
    case AdminOp::kCreateTenant: named.tenant = StringAt(j, {"tenant", "id"}); break;
    case AdminOp::kCreateUser: named.user = StringAt(j, {"user", "name"}); break;
    case AdminOp::kCreateKey: named.access_key = StringAt(j, {"access_key"}); break;
    default: break;
  }
  return named;
}

// The event for `call` answered with `reply`; `named` is the call's route
// with the names from the reply filled in (NamedRoute), if it was routed.
audit::Event AdminEvent(const AdminCall& call, const ApiReply& reply, const std::optional<AdminRoute>& named,
                        const http::Request& request, uint64_t time_ms) {
  audit::Event e;
  e.kind = audit::EventKind::kControl;
  e.time_ms = time_ms;
  e.request_id = call.request_id;
  e.source = request.remote_address;
  if (call.caller) {
    e.principal.type = call.caller->kind == iam::PrincipalKind::kOperator ? "operator" : "user";
    e.principal.tenant = call.caller->tenant_id;
    e.principal.user = call.caller->user;
    e.principal.access_key_id = call.caller->access_key_id;
  } else {
    e.principal.type = call.credentials_presented ? "unauthenticated" : "anonymous";
  }
  e.status = reply.status;
  e.error = ErrorCodeOf(reply);
  if (named && IsTenantKeyRead(named->op) && reply.ok() && call.caller &&
      call.caller->kind == iam::PrincipalKind::kOperator) {
    // An operator's approved read of a tenant key (the lockbox).
    nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    e.approval_id = StringAt(j, {"approval_id"});
    if (!e.approval_id.empty()) e.justification = "OPERATOR_APPROVED";
  }
  if (named) {
    e.action = std::string(named->OpName());
    e.target = Target(*named);
  } else {
    e.action = "Unrouted";
    e.details["method"] = request.method;
  }
  if (named && named->op == AdminOp::kResidencyReport && reply.ok()) {
    // The report's summary and digest go into the tenant's log, whose
    // checkpoints are signed: a signed statement of where the bucket's
    // bytes were, which the full report (kept by the tenant) must match.
    nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("summary") && j["summary"].is_object()) {
      e.details["report_sha256"] = StringAt(j, {"summary_sha256"});
      e.details["objects"] = j["summary"].value("objects", nlohmann::json(0)).dump();
      e.details["misplaced"] = j["summary"].value("misplaced", nlohmann::json(0)).dump();
      std::string pools;
      if (j["summary"].contains("blobs_by_pool") && j["summary"]["blobs_by_pool"].is_object()) {
        for (const auto& [name, n] : j["summary"]["blobs_by_pool"].items()) {
          pools += (pools.empty() ? "" : ",") + name + "=" + n.dump();
        }
      }
      e.details["blobs_by_pool"] = pools;
    }
  }
  return e;
}

}  // namespace

boost::asio::awaitable<Status> RecordAdminCall(audit::AuditLog& log, const AdminCall& call, const ApiReply& reply,
                                               const http::Request& request) {
  const uint64_t now_ms = UnixMillisNow();
  std::optional<AdminRoute> named;
  if (call.route) named = NamedRoute(*call.route, reply);
  audit::Event event = AdminEvent(call, reply, named, request, now_ms);
  const bool tenant_caller = call.caller && call.caller->kind != iam::PrincipalKind::kOperator;
  // An operator's request also goes to the log of the tenant it names,
  // unless that tenant does not exist (404) or cannot name a log: no log is
  // made for a tenant that is not there, and unauthenticated callers cannot
  // make one either.
  std::string touched;
  if (call.caller && named && reply.status != 404 && audit::ValidLogTenantId(named->tenant)) touched = named->tenant;
  Result<uint64_t> index = co_await AwaitCallback<Result<uint64_t>>([&](auto done) {
    if (tenant_caller) {
      log.Append(call.caller->tenant_id, event, std::move(done));
    } else {
      log.AppendOperatorAction(touched, event, std::move(done));
    }
  });
  co_return index.status();
}

}  // namespace confiance::admin

// File: admin/access_request_handlers.cc
// The lockbox's admin resources (sovereignty/lockbox.h, docs/admin-api.md
// "Operator access requests"): operators ask, cancel and co-sign
// break-glass requests; a tenant's root approves, denies and revokes the
// requests concerning its tenant and sets its maximum approval. Also
// POST /operators (break-glass needs several operators).
//
// Visibility: a tenant's root sees its tenant's requests only; an operator
// sees its own and every break-glass request (co-signers must read what
// they sign). Anything else is NoSuchAccessRequest, whether or not it
// exists.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "common/wall_clock.h"
#include "sovereignty/access_request_json.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;
using sovereignty::AccessCategory;
using sovereignty::AccessOp;
using sovereignty::AccessRequest;

bool IsOperator(const iam::Principal& p) { return p.kind == iam::PrincipalKind::kOperator; }

std::string DecidedBy(const iam::Principal& p) {
  return IsOperator(p) ? "operator:" + p.user : "tenant:" + p.tenant_id + "/" + p.user;
}

json RequestJson(const AccessRequest& r, int quorum) {
  json ops = json::array();
  for (int i = 0; i < sovereignty::kAccessOpCount; ++i) {
    if (r.scope.Has(static_cast<AccessOp>(i))) ops.push_back(sovereignty::AccessOpName(static_cast<AccessOp>(i)));
  }
  json j = {{"id", r.id},
            {"operator", r.operator_name},
            {"tenant", r.tenant},
            {"buckets", r.scope.buckets},
            {"prefixes", r.scope.prefixes},
            {"operations", ops},
            {"reason", r.reason},
            {"category", sovereignty::AccessCategoryName(r.category)},
            {"duration_seconds", r.requested_seconds},
            {"state", sovereignty::AccessStateName(sovereignty::EffectiveState(r, UnixMillisNow()))},
            {"created", IsoTime(r.created_ms)}};
  if (!r.decided_by.empty()) j["decided_by"] = r.decided_by;
  if (!r.decision_note.empty()) j["decision_note"] = r.decision_note;
  if (r.decided_ms != 0) j["decided"] = IsoTime(r.decided_ms);
  if (r.approved_until_ms != 0) j["approved_until"] = IsoTime(r.approved_until_ms);
  if (r.category == AccessCategory::kBreakGlass) {
    j["signers"] = r.signers;
    j["quorum"] = quorum;
  }
  return j;
}

}  // namespace

std::optional<ApiReply> AdminApi::CheckOperatorKeyAccess(const iam::Principal& caller, const AdminRoute& route,
                                                         std::string* approval_id) {
  if (lockbox_ == nullptr || !IsOperator(caller)) return std::nullopt;
  sovereignty::AccessAttempt attempt{caller.user, route.tenant, "", "", AccessOp::kKeys};
  Result<std::string> approval = lockbox_->Authorize(attempt);
  if (approval.ok()) {
    *approval_id = std::move(approval).value();
    return std::nullopt;
  }
  if (approval.status().code() != StatusCode::kPermissionDenied) return StatusReply(approval.status());
  return ErrorReply(C::kAccessDenied, approval.status().message());
}

ApiReply AdminApi::CreateOperator(std::string_view body) {
  Result<json> doc = sovereignty::JsonParseObject(body, false);
  if (!doc.ok()) return ErrorReply(C::kInvalidRequest, doc.status().message());
  if (Status st = sovereignty::JsonOnlyFields(*doc, {"name", "access_key", "secret_key"}); !st.ok()) {
    return ErrorReply(C::kInvalidRequest, st.message());
  }
  Result<std::string> name = sovereignty::JsonText(*doc, "name");
  Result<std::string> ak = sovereignty::JsonText(*doc, "access_key");
  Result<std::string> sk = sovereignty::JsonText(*doc, "secret_key");
  if (!name.ok() || !ak.ok() || !sk.ok() || !iam::ValidUserName(*name)) {
    return ErrorReply(C::kInvalidRequest, "name: 1-64 characters of [A-Za-z0-9+=,.@_-] is required");
  }
  if (ak->empty() != sk->empty()) return ErrorReply(C::kInvalidRequest, "give both access_key and secret_key, or neither");
  Result<std::vector<iam::OperatorRecord>> ops = directory_.ListOperators();
  if (!ops.ok()) return StatusReply(ops.status());
  for (const iam::OperatorRecord& op : *ops) {
    if (op.name == *name) return ErrorReply(C::kOperatorAlreadyExists);
  }
  std::optional<iam::NewAccessKey> given;
  if (!ak->empty()) given = iam::NewAccessKey{*ak, *sk};
  Result<iam::NewAccessKey> key = directory_.CreateOperator(*name, given);
  if (!key.ok()) return StatusReply(key.status(), C::kNoSuchResource, C::kAccessKeyAlreadyExists);
  json creds = {{"access_key", key->access_key_id}, {"secret_key", key->secret}, {"operator", *name}, {"status", "Active"}};
  return JsonReply(201, json{{"operator", {{"name", *name}}}, {"credentials", creds}});
}

ApiReply AdminApi::CreateAccessRequest(const iam::Principal& caller, std::string_view body) {
  if (lockbox_ == nullptr) return ErrorReply(C::kNoSuchResource);
  Result<AccessRequest> draft = sovereignty::ParseAccessRequestDraft(body);
  if (!draft.ok()) return ErrorReply(C::kInvalidRequest, draft.status().message());
  if (Result<iam::TenantRecord> t = directory_.GetTenant(draft->tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  draft->operator_name = caller.user;
  Result<AccessRequest> r = lockbox_->Create(std::move(draft).value());
  if (!r.ok()) return StatusReply(r.status(), C::kNoSuchAccessRequest);
  return JsonReply(201, RequestJson(*r, lockbox_->options().break_glass_quorum));
}

ApiReply AdminApi::ListAccessRequests(const iam::Principal& caller) {
  if (lockbox_ == nullptr) return ErrorReply(C::kNoSuchResource);
  std::vector<AccessRequest> list = lockbox_->List([&](const AccessRequest& r) {
    if (!IsOperator(caller)) return r.tenant == caller.tenant_id;
    return r.operator_name == caller.user || r.category == AccessCategory::kBreakGlass;
  });
  json out = json::array();
  for (const AccessRequest& r : list) out.push_back(RequestJson(r, lockbox_->options().break_glass_quorum));
  return JsonReply(200, json{{"access_requests", out}});
}

Result<AccessRequest> AdminApi::VisibleRequest(const iam::Principal& caller, const AdminRoute& route,
                                               ApiReply* error) {
  Result<AccessRequest> r = lockbox_->Get(route.access_request);
  bool visible = r.ok() && (IsOperator(caller) ? (r->operator_name == caller.user ||
                                                  r->category == AccessCategory::kBreakGlass)
                                               : r->tenant == caller.tenant_id);
  if (r.ok() && visible) return r;
  if (!r.ok() && r.status().code() != StatusCode::kNotFound) {
    *error = StatusReply(r.status());
  } else {
    *error = ErrorReply(C::kNoSuchAccessRequest);
  }
  return NotFoundError("access request");
}

ApiReply AdminApi::GetAccessRequest(const iam::Principal& caller, const AdminRoute& route) {
  if (lockbox_ == nullptr) return ErrorReply(C::kNoSuchResource);
  ApiReply error;
  Result<AccessRequest> r = VisibleRequest(caller, route, &error);
  if (!r.ok()) return error;
  return JsonReply(200, RequestJson(*r, lockbox_->options().break_glass_quorum));
}

ApiReply AdminApi::DecideAccessRequest(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  using O = AdminOp;
  if (lockbox_ == nullptr) return ErrorReply(C::kNoSuchResource);
  Result<json> doc = sovereignty::JsonParseObject(body, true);
  if (!doc.ok()) return ErrorReply(C::kInvalidRequest, doc.status().message());
  const bool approve = route.op == O::kApproveAccessRequest;
  Status fields = approve ? sovereignty::JsonOnlyFields(*doc, {"duration_seconds"})
                          : sovereignty::JsonOnlyFields(*doc, {"note"});
  if (!fields.ok()) return ErrorReply(C::kInvalidRequest, fields.message());
  ApiReply error;
  Result<AccessRequest> current = VisibleRequest(caller, route, &error);
  if (!current.ok()) return error;
  if (IsOperator(caller) && route.op != O::kCoSignAccessRequest && current->operator_name != caller.user) {
    // Another operator's break-glass request: it can only be co-signed.
    return ErrorReply(C::kAccessDenied, "only the operator who made access request " + current->id +
                                            " may cancel or revoke it (its tenant may revoke it too)");
  }
  Result<std::string> note = sovereignty::JsonText(*doc, "note");
  Result<AccessRequest> r = NotFoundError("unreachable");
  switch (route.op) {
    case O::kApproveAccessRequest: {
      Result<std::optional<uint64_t>> seconds = sovereignty::JsonSeconds(*doc, "duration_seconds");
      if (!seconds.ok()) return ErrorReply(C::kInvalidRequest, seconds.status().message());
      r = lockbox_->Approve(current->id, DecidedBy(caller), *seconds);
      break;
    }
    case O::kDenyAccessRequest:
      if (!note.ok()) return ErrorReply(C::kInvalidRequest, note.status().message());
      r = lockbox_->Deny(current->id, DecidedBy(caller), *note);
      break;
    case O::kRevokeAccessRequest:
    case O::kCancelAccessRequest:
      if (!note.ok()) return ErrorReply(C::kInvalidRequest, note.status().message());
      r = lockbox_->Revoke(current->id, DecidedBy(caller), *note);
      break;
    case O::kCoSignAccessRequest:
      r = lockbox_->CoSign(current->id, caller.user);
      break;
    default:
      return ErrorReply(C::kNoSuchResource);
  }
  if (!r.ok()) return StatusReply(r.status(), C::kNoSuchAccessRequest);
  return JsonReply(200, RequestJson(*r, lockbox_->options().break_glass_quorum));
}

ApiReply AdminApi::AccessSettings(const AdminRoute& route, std::string_view body) {
  if (lockbox_ == nullptr) return ErrorReply(C::kNoSuchResource);
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (route.op == AdminOp::kPutAccessSettings) {
    Result<json> doc = sovereignty::JsonParseObject(body, false);
    if (!doc.ok()) return ErrorReply(C::kInvalidRequest, doc.status().message());
    if (Status st = sovereignty::JsonOnlyFields(*doc, {"max_approval_seconds"}); !st.ok()) {
      return ErrorReply(C::kInvalidRequest, st.message());
    }
    Result<std::optional<uint64_t>> seconds = sovereignty::JsonSeconds(*doc, "max_approval_seconds");
    if (!seconds.ok() || !*seconds) return ErrorReply(C::kInvalidRequest, "max_approval_seconds is required");
    if (Status st = lockbox_->SetMaxApprovalSeconds(route.tenant, **seconds); !st.ok()) return StatusReply(st);
  }
  Result<uint64_t> max = lockbox_->MaxApprovalSeconds(route.tenant);
  if (!max.ok()) return StatusReply(max.status());
  return JsonReply(200, json{{"tenant", route.tenant}, {"max_approval_seconds", *max}});
}

}  // namespace confiance::admin

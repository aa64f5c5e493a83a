// File: admin/tenant_key_handlers.cc
// A tenant's key (catalog/tenant_keys.h): its state and key policy (the
// key-access justifications the tenant allows), and its destruction
// (crypto-shredding). Reading is for the tenant's root and operators;
// changing the policy and destroying the key are the tenant root's alone
// (authorization.h). Documents: docs/admin-api.md, docs/keys.md.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "admin/deletion_receipt.h"
#include "kms/justification.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

json KeyJson(std::string_view tenant, const catalog::TenantKeyInfo* info) {
  json j = {{"tenant", tenant}};
  if (info == nullptr) {
    // No bucket was ever created: the key is made on first use, with every
    // justification allowed unless a policy is set before.
    j["state"] = "none";
    j["allowed_justifications"] = json::array();
    for (int i = 0; i < kms::kJustificationCount; ++i) {
      j["allowed_justifications"].push_back(kms::JustificationName(static_cast<kms::Justification>(i)));
    }
    return j;
  }
  j["state"] = info->destroyed ? "destroyed" : "active";
  j["provider_key_id"] = info->provider_key_id;
  j["created_ms"] = info->created_ms;
  j["version"] = info->version;
  if (info->rotated_ms != 0) j["rotated_ms"] = info->rotated_ms;
  j["previous_versions"] = info->previous_versions;
  if (info->destroyed) j["destroyed_ms"] = info->destroyed_ms;
  if (info->external) {
    j["external"] = {{"endpoint", info->external->endpoint}, {"key_id", info->external->key_id}};
    if (info->external->send_justification) j["external"]["send_justification"] = true;
  }
  j["allowed_justifications"] = json::array();
  for (int i = 0; i < kms::kJustificationCount; ++i) {
    auto why = static_cast<kms::Justification>(i);
    if (info->allowed.Contains(why)) j["allowed_justifications"].push_back(kms::JustificationName(why));
  }
  return j;
}

Result<json> ParseObject(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return doc;
}

}  // namespace

ApiReply AdminApi::GetTenantKey(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  Result<catalog::TenantKeyInfo> info = tenant_keys_.Info(route.tenant);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) return JsonReply(200, KeyJson(route.tenant, nullptr));
  if (!info.ok()) return StatusReply(info.status());
  return JsonReply(200, KeyJson(route.tenant, &*info));
}

ApiReply AdminApi::PutKeyPolicy(const AdminRoute& route, std::string_view body) {
  Result<json> doc = ParseObject(body);
  if (!doc.ok()) return ErrorReply(C::kInvalidRequest, doc.status().message());
  auto list = doc->find("allowed_justifications");
  if (list == doc->end() || !list->is_array() || doc->size() != 1) {
    return ErrorReply(C::kInvalidRequest, R"(expected {"allowed_justifications": ["TENANT_REQUEST", ...]})");
  }
  kms::JustificationSet allowed;
  for (const json& name : *list) {
    std::optional<kms::Justification> why =
        name.is_string() ? kms::ParseJustification(name.get<std::string>()) : std::nullopt;
    if (!why) {
      return ErrorReply(C::kInvalidRequest, "unknown justification " + name.dump() +
                                                " (TENANT_REQUEST, OPERATOR_APPROVED, SYSTEM_MAINTENANCE, LEGAL_ORDER)");
    }
    allowed.Add(*why);
  }
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  Result<catalog::TenantKeyInfo> info = tenant_keys_.SetAllowed(route.tenant, allowed);
  if (!info.ok() && info.status().code() == StatusCode::kFailedPrecondition) {
    return ErrorReply(C::kConflict, "the tenant's key was destroyed; its policy can no longer change");
  }
  if (!info.ok()) return StatusReply(info.status());
  return JsonReply(200, KeyJson(route.tenant, &*info));
}

ApiReply AdminApi::DestroyTenantKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  Result<json> doc = ParseObject(body);
  auto confirm = doc.ok() ? doc->find("confirm") : json::iterator();
  if (!doc.ok() || confirm == doc->end() || !confirm->is_string() || confirm->get<std::string>() != route.tenant) {
    return ErrorReply(C::kInvalidRequest, R"(destroying a tenant's key makes all its data unreadable, for good; )"
                                          R"(to confirm, send {"confirm": ")" + route.tenant + R"("})");
  }
  Result<iam::TenantRecord> tenant = directory_.GetTenant(route.tenant);
  if (!tenant.ok()) return StatusReply(tenant.status(), C::kNoSuchTenant);
  // Shredding destroys every version the tenant has: not while Object Lock
  // protects one (retention until a future date, or a legal hold), whoever
  // asks (docs/object-lock.md). A lock set after this check and before the
  // key is gone is the same tenant racing itself.
  const uint64_t now_ms = catalog::LockNowMs({});
  Result<std::optional<std::string>> locked = catalog_.FindLockedVersion(tenant->id, now_ms);
  if (!locked.ok()) return StatusReply(locked.status());
  if (*locked) {
    return ErrorReply(C::kObjectLocked, "the tenant's key cannot be destroyed while Object Lock protects its data: " +
                                            **locked + " (and perhaps others)");
  }
  Result<catalog::TenantKeyInfo> info = tenant_keys_.Destroy(route.tenant);
  if (!info.ok()) return StatusReply(info.status());
  json reply = KeyJson(route.tenant, &*info);
  // The data is then removed (catalog/reclaim.h); a failure to queue it
  // is reported, the key stays destroyed (destroy again to queue it).
  Status queued = reclaimer_ != nullptr ? reclaimer_->EnqueueTenant(route.tenant) : OkStatus();
  if (!queued.ok()) reply["reclamation_error"] = queued.ToString();
  if (reclaimer_ != nullptr && queued.ok()) reply["reclamation"] = "queued";
  if (receipt_signer_ != nullptr) {
    DeletionReceipt receipt;
    receipt.tenant = route.tenant;
    receipt.key_id = info->provider_key_id;
    receipt.destroyed_ms = info->destroyed_ms;
    receipt.by = ReceiptPrincipal(caller);
    if (reclaimer_ != nullptr && queued.ok()) receipt.reclamation = ReclamationNote("tenant");
    AddSignedReceipt(reply, receipt, *receipt_signer_);
  }
  return JsonReply(200, reply);
}

static json RotationJson(std::string_view tenant, const catalog::RotationProgress& p) {
  json j = {{"tenant", tenant},          {"state", p.state},
            {"from_version", p.from_version}, {"to_version", p.to_version},
            {"buckets_total", p.buckets_total}, {"buckets_done", p.buckets_done}};
  if (p.started_ms != 0) j["started_ms"] = p.started_ms;
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

ApiReply AdminApi::RotateTenantKey(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (key_rotation_ == nullptr) return ErrorReply(C::kConflict, "key rotation is not available in this process");
  Result<catalog::RotationProgress> started = key_rotation_->Start(route.tenant);
  if (!started.ok() && started.status().code() == StatusCode::kFailedPrecondition) {
    return ErrorReply(C::kConflict, started.status().message());
  }
  if (!started.ok() && started.status().code() == StatusCode::kNotFound) {
    return ErrorReply(C::kConflict, "tenant " + route.tenant + " has no key yet (it is made with its first bucket)");
  }
  if (!started.ok()) return StatusReply(started.status());
  return JsonReply(202, RotationJson(route.tenant, *started));
}

ApiReply AdminApi::GetKeyRotation(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (key_rotation_ == nullptr) return ErrorReply(C::kConflict, "key rotation is not available in this process");
  return JsonReply(200, RotationJson(route.tenant, key_rotation_->Progress(route.tenant)));
}

}  // namespace confiance::admin

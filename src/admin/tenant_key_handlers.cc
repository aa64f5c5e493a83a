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
#include "admin/key_state_json.h"
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
    j["allowed_justifications"] = AllJustificationNames();
    return j;
  }
  AddKeyState(j, *info);
  return j;
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
  Result<kms::JustificationSet> allowed = ParseKeyPolicy(body);
  if (!allowed.ok()) return ErrorReply(C::kInvalidRequest, allowed.status().message());
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  Result<catalog::TenantKeyInfo> info = tenant_keys_.SetAllowed(route.tenant, *allowed);
  if (!info.ok() && info.status().code() == StatusCode::kFailedPrecondition) {
    return ErrorReply(C::kConflict, "the tenant's key was destroyed; its policy can no longer change");
  }
  if (!info.ok()) return StatusReply(info.status());
  return JsonReply(200, KeyJson(route.tenant, &*info));
}

ApiReply AdminApi::DestroyTenantKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  Result<json> doc = ParseJsonObjectBody(body);
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
  // The tenant's named KMS keys go with it: no object can use them any
  // more (their KEKs need the bucket keys too), and none is left behind
  // wrapped under the root key. A failure is reported; destroy again.
  Result<std::vector<std::string>> named = tenant_keys_.ListNamed(route.tenant);
  Status named_gone = named.status();
  for (size_t i = 0; named_gone.ok() && i < named->size(); ++i) {
    named_gone = tenant_keys_.Destroy(catalog::KmsKeyRef{route.tenant, (*named)[i]}.RecordId()).status();
  }
  if (!named_gone.ok()) reply["kms_keys_error"] = named_gone.ToString();
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

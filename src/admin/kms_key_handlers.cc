// File: admin/kms_key_handlers.cc
// A tenant's named KMS keys (catalog/tenant_keys.h, docs/keys.md "Named KMS
// keys"): created, listed, read, their key policy set, rotated (new
// objects under a new version, older ones kept; on request or on a
// schedule), and destroyed, which
// crypto-shreds the SSE-KMS objects under the key and nothing else. Reading
// is for the tenant's root and operators; the rest is the tenant root's
// alone (authorization.cc). Documents: docs/admin-api.md.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "admin/deletion_receipt.h"
#include "admin/key_state_json.h"
#include "catalog/kms_key_ref.h"
#include "catalog/sse_kms_kek.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

constexpr size_t kMaxDescription = 256;

json NamedKeyJson(const catalog::KmsKeyRef& ref, const catalog::TenantKeyInfo& info) {
  json j = {{"tenant", ref.tenant}, {"name", ref.name}, {"key_id", ref.RecordId()}, {"arn", catalog::KmsKeyArn(ref)}};
  if (!info.description.empty()) j["description"] = info.description;
  AddKeyState(j, info);
  if (info.rotation_period_days != 0) j["rotation_period_days"] = info.rotation_period_days;
  return j;
}

// The key of `route`, or the reply refusing it: no such tenant, or a name
// no key can have.
std::optional<ApiReply> CheckRoute(iam::Directory& directory, const AdminRoute& route, catalog::KmsKeyRef* ref) {
  if (Result<iam::TenantRecord> t = directory.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (!route.kms_key.empty() && !catalog::ValidKmsKeyName(route.kms_key)) {
    return ErrorReply(C::kInvalidRequest, "a KMS key name is 1 to 64 of A-Z, a-z, 0-9, '-' and '_'");
  }
  *ref = catalog::KmsKeyRef{route.tenant, route.kms_key};
  return std::nullopt;
}

// The reply to a change of key `ref` that gave `info`: the key document,
// 409 Conflict (saying `refused`) for a destroyed key, 404 for none.
ApiReply ChangedKeyReply(const catalog::KmsKeyRef& ref, const Result<catalog::TenantKeyInfo>& info,
                         std::string_view refused) {
  if (!info.ok() && info.status().code() == StatusCode::kFailedPrecondition) {
    return ErrorReply(C::kConflict, "the KMS key was destroyed; " + std::string(refused));
  }
  if (!info.ok()) return StatusReply(info.status(), C::kNoSuchKmsKey);
  return JsonReply(200, NamedKeyJson(ref, *info));
}

}  // namespace

ApiReply AdminApi::ListKmsKeys(const AdminRoute& route) {
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  Result<std::vector<std::string>> names = tenant_keys_.ListNamed(route.tenant);
  if (!names.ok()) return StatusReply(names.status());
  json keys = json::array();
  for (const std::string& name : *names) {
    const catalog::KmsKeyRef key{route.tenant, name};
    Result<catalog::TenantKeyInfo> info = tenant_keys_.Info(key.RecordId());
    if (!info.ok()) return StatusReply(info.status());
    keys.push_back(NamedKeyJson(key, *info));
  }
  return JsonReply(200, json{{"tenant", route.tenant}, {"keys", std::move(keys)}});
}

ApiReply AdminApi::CreateKmsKey(const AdminRoute& route, std::string_view body) {
  std::string description;
  if (!body.empty()) {
    Result<json> doc = ParseJsonObjectBody(body);
    auto d = doc.ok() ? doc->find("description") : json::iterator();
    const bool only_description = doc.ok() && (doc->empty() || (doc->size() == 1 && d != doc->end()));
    if (!only_description || (d != doc->end() && !d->is_string())) {
      return ErrorReply(C::kInvalidRequest, R"(expected {} or {"description": "..."})");
    }
    if (d != doc->end()) description = d->get<std::string>();
    if (description.size() > kMaxDescription) {
      return ErrorReply(C::kInvalidRequest, "a description is at most 256 bytes");
    }
  }
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  Result<catalog::TenantKeyInfo> info = tenant_keys_.CreateNamed(ref, std::move(description));
  if (!info.ok()) return StatusReply(info.status(), C::kNoSuchKmsKey, C::kKmsKeyAlreadyExists);
  return JsonReply(201, NamedKeyJson(ref, *info));
}

ApiReply AdminApi::GetKmsKey(const AdminRoute& route) {
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  Result<catalog::TenantKeyInfo> info = tenant_keys_.Info(ref.RecordId());
  if (!info.ok()) return StatusReply(info.status(), C::kNoSuchKmsKey);
  return JsonReply(200, NamedKeyJson(ref, *info));
}

ApiReply AdminApi::PutKmsKeyPolicy(const AdminRoute& route, std::string_view body) {
  Result<kms::JustificationSet> allowed = ParseKeyPolicy(body);
  if (!allowed.ok()) return ErrorReply(C::kInvalidRequest, allowed.status().message());
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  return ChangedKeyReply(ref, tenant_keys_.SetAllowed(ref.RecordId(), *allowed), "its policy can no longer change");
}

ApiReply AdminApi::RotateKmsKey(const AdminRoute& route) {
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  return ChangedKeyReply(ref, tenant_keys_.RotateNamed(ref), "it can no longer be rotated");
}

ApiReply AdminApi::PutKmsKeyRotation(const AdminRoute& route, std::string_view body) {
  Result<json> doc = ParseJsonObjectBody(body);
  auto days = doc.ok() ? doc->find("period_days") : json::iterator();
  if (!doc.ok() || doc->size() != 1 || days == doc->end() || !days->is_number_unsigned() ||
      days->get<uint64_t>() > catalog::kMaxRotationPeriodDays) {
    return ErrorReply(C::kInvalidRequest, R"(expected {"period_days": N}, N from 1 to )" +
                                              std::to_string(catalog::kMaxRotationPeriodDays) +
                                              " days, or 0 to rotate on request only");
  }
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  return ChangedKeyReply(ref, tenant_keys_.SetRotationPeriod(ref, static_cast<uint32_t>(days->get<uint64_t>())),
                         "it can no longer be rotated");
}

ApiReply AdminApi::DestroyKmsKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  Result<json> doc = ParseJsonObjectBody(body);
  auto confirm = doc.ok() ? doc->find("confirm") : json::iterator();
  if (!doc.ok() || confirm == doc->end() || !confirm->is_string() || confirm->get<std::string>() != route.kms_key) {
    return ErrorReply(C::kInvalidRequest, R"(destroying a KMS key makes every object under it unreadable, for good; )"
                                          R"(to confirm, send {"confirm": ")" +
                                              route.kms_key + R"("})");
  }
  catalog::KmsKeyRef ref;
  if (std::optional<ApiReply> refused = CheckRoute(directory_, route, &ref)) return *refused;
  if (Result<catalog::TenantKeyInfo> exists = tenant_keys_.Info(ref.RecordId()); !exists.ok()) {
    return StatusReply(exists.status(), C::kNoSuchKmsKey);
  }
  // As a tenant key's destruction: not while Object Lock protects a
  // version under this key (docs/object-lock.md).
  Result<std::optional<std::string>> locked = catalog_.FindLockedVersion(
      route.tenant, catalog::LockNowMs({}), {},
      [&](const catalog::BucketRecord& bucket, const catalog::ObjectRecord& o) {
        return catalog::NamedKmsKeyOf(bucket, o.kms) == std::optional<catalog::KmsKeyRef>(ref);
      });
  if (!locked.ok()) return StatusReply(locked.status());
  if (*locked) {
    return ErrorReply(C::kObjectLocked, "the KMS key cannot be destroyed while Object Lock protects data under it: " +
                                            **locked + " (and perhaps others)");
  }
  Result<catalog::TenantKeyInfo> info = tenant_keys_.Destroy(ref.RecordId());
  if (!info.ok()) return StatusReply(info.status(), C::kNoSuchKmsKey);
  json reply = NamedKeyJson(ref, *info);
  if (receipt_signer_ != nullptr) {
    DeletionReceipt receipt;
    receipt.tenant = route.tenant;
    receipt.scope = "kms-key " + ref.name;
    receipt.key_id = info->provider_key_id;
    receipt.destroyed_ms = info->destroyed_ms;
    receipt.by = ReceiptPrincipal(caller);
    AddSignedReceipt(reply, receipt, *receipt_signer_);
  }
  return JsonReply(200, reply);
}

}  // namespace confiance::admin

// File: admin/external_key_handlers.cc
// Hold your own key (docs/keys.md): a tenant's root points its tenant key
// at a key in its own KMIP KMS (PUT .../key/external), or back at the
// server's provider (DELETE). Either is a rotation (catalog/key_rotation.h):
// a new tenant-key version wrapped by the new KMS key, then the job that
// rewraps every bucket key and retires the old version. The reply is the
// job's progress (202). The tenant root's alone (authorization.h).
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

constexpr size_t kMaxCaPemSize = 64 * 1024;

json ProgressJson(std::string_view tenant, const catalog::RotationProgress& p) {
  json j = {{"tenant", tenant},          {"state", p.state},
            {"from_version", p.from_version}, {"to_version", p.to_version},
            {"buckets_total", p.buckets_total}, {"buckets_done", p.buckets_done}};
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace

ApiReply AdminApi::PutExternalKey(const AdminRoute& route, std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto str = [&](const char* name) -> std::optional<std::string> {
    if (!doc.is_object()) return std::nullopt;
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  std::optional<std::string> endpoint = str("endpoint"), ca = str("ca_pem"), key_id = str("key_id"),
                             key_name = str("key_name");
  // Optional: tell the KMS the key-access justification (docs/kmip.md).
  bool send_justification = false;
  size_t fields = 3;
  if (doc.is_object() && doc.contains("send_justification")) {
    send_justification = doc["send_justification"].is_boolean() && doc["send_justification"].get<bool>();
    fields = doc["send_justification"].is_boolean() ? 4 : 0;
  }
  if (!endpoint || !ca || key_id.has_value() == key_name.has_value() || doc.size() != fields ||
      ca->size() > kMaxCaPemSize) {
    return ErrorReply(C::kInvalidRequest,
                      R"(expected {"endpoint": "HOST:PORT", "ca_pem": "-----BEGIN CERTIFICATE-----...", )"
                      R"("key_id": "ID"} (or "key_name" instead of "key_id"; optional "send_justification": true))");
  }
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (external_keys_ == nullptr) {
    return ErrorReply(C::kConflict, "this server is not set up for tenants' own KMSs (--hyok-client-cert)");
  }
  Result<kms::ExternalKey> resolved = external_keys_->Resolve(
      kms::ExternalKey{*endpoint, *ca, key_id.value_or(""), send_justification}, key_name.value_or(""));
  if (!resolved.ok()) {
    const Status& s = resolved.status();
    if (s.code() == StatusCode::kPermissionDenied) return ErrorReply(C::kAccessDenied, s.message());
    if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded) {
      return ErrorReply(C::kServiceUnavailable, "the KMS at " + *endpoint + " cannot be reached: " + s.message());
    }
    // The tenant's KMS's answer (unknown key, not Active, ...) is for the tenant.
    return ErrorReply(C::kInvalidRequest, "the KMS key cannot be used: " + s.message());
  }
  return SwitchExternalKey(route, *resolved);
}

ApiReply AdminApi::SwitchExternalKey(const AdminRoute& route, const std::optional<kms::ExternalKey>& target) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (key_rotation_ == nullptr) return ErrorReply(C::kConflict, "key rotation is not available in this process");
  Result<catalog::TenantKeyInfo> info = tenant_keys_.Info(route.tenant);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    // Made now, so that its first version is already under the new KMS key's rotation.
    if (Result<std::shared_ptr<const crypto::SecretBytes>> made =
            tenant_keys_.Get(route.tenant, kms::Justification::kTenantRequest);
        !made.ok()) {
      return StatusReply(made.status());
    }
  } else if (!info.ok()) {
    return StatusReply(info.status());
  } else if (info->external == target) {
    return ErrorReply(C::kConflict, target ? "the tenant's key is already wrapped by this KMS key"
                                           : "the tenant's key is already wrapped by the server's key provider");
  }
  Result<catalog::RotationProgress> started = key_rotation_->StartSwitch(route.tenant, target);
  if (!started.ok()) {
    const Status& s = started.status();
    if (s.code() == StatusCode::kPermissionDenied) return ErrorReply(C::kAccessDenied, s.message());
    if (s.code() == StatusCode::kFailedPrecondition) return ErrorReply(C::kConflict, s.message());
    return StatusReply(s);
  }
  return JsonReply(202, ProgressJson(route.tenant, *started));
}

}  // namespace confiance::admin

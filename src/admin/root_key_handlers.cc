// File: admin/root_key_handlers.cc
// The embedded root key's rotation (admin/root_key_rotation.h): operators
// only (authorization.h). POST /root-key/rotate answers 202 with the job's
// progress, GET /root-key/rotation the progress. With the root key in a
// KMIP KMS both answer 501 NotImplemented: the KMS rotates its own keys.
// Documents: docs/admin-api.md, docs/keys.md "Rotating the root key".
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

json ProgressJson(const RootRotationProgress& p) {
  json j = {{"state", p.state},
            {"to_key_id", p.to_key_id},
            {"from_key_ids", p.from_key_ids},
            {"records_total", p.records_total},
            {"records_done", p.records_done},
            {"records_rewrapped", p.records_rewrapped},
            {"passes", p.passes}};
  if (p.started_ms != 0) j["started_ms"] = p.started_ms;
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

constexpr std::string_view kKmsRotates =
    "the root key is in a KMIP KMS: rotate it in the KMS, which rotates its own keys (docs/kmip.md); "
    "Confiance rotates only the embedded keystore's root key";

}  // namespace

ApiReply AdminApi::RotateRootKey() {
  if (root_rotation_ == nullptr) {
    return ErrorReply(501, "NotImplemented", "root key rotation is not available in this process");
  }
  if (!root_rotation_->Available()) return ErrorReply(501, "NotImplemented", kKmsRotates);
  Result<RootRotationProgress> started = root_rotation_->Start();
  if (!started.ok() && started.status().code() == StatusCode::kFailedPrecondition) {
    return ErrorReply(AdminErrorCode::kConflict, started.status().message());
  }
  if (!started.ok()) return StatusReply(started.status());
  return JsonReply(202, ProgressJson(*started));
}

ApiReply AdminApi::GetRootKeyRotation() {
  if (root_rotation_ == nullptr) {
    return ErrorReply(501, "NotImplemented", "root key rotation is not available in this process");
  }
  if (!root_rotation_->Available()) return ErrorReply(501, "NotImplemented", kKmsRotates);
  return JsonReply(200, ProgressJson(root_rotation_->Progress()));
}

}  // namespace confiance::admin

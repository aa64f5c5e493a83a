// File: admin/backup_handlers.cc
// POST /backup starts an online backup (202 with its progress), GET /backup
// reports the last one's progress. Operators only. Without a backup service
// (tests, an embedder) both answer 501 NotImplemented. Documents:
// docs/admin-api.md, docs/backup.md.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

json ProgressJson(const BackupProgress& p) {
  json j = {{"state", p.state},
            {"path", p.path},
            {"include_root_key", p.include_root_key},
            {"blobs_done", p.blobs_done},
            {"blobs_linked", p.blobs_linked},
            {"blobs_copied", p.blobs_copied},
            {"blob_bytes", p.blob_bytes}};
  if (!p.base.empty()) {
    j["base"] = p.base;
    j["blobs_from_base"] = p.blobs_from_base;
    j["base_mismatches"] = p.base_mismatches;
  }
  if (!p.pools_not_copied.empty()) {
    j["pools_not_copied"] = p.pools_not_copied;
    j["blobs_not_copied"] = p.blobs_not_copied;
  }
  if (!p.phase.empty()) j["phase"] = p.phase;
  if (p.started_ms != 0) j["started_ms"] = p.started_ms;
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

constexpr std::string_view kNoBackups = "online backups are not available in this process";

}  // namespace

ApiReply AdminApi::StartBackup(std::string_view body) {
  if (backups_ == nullptr) return ErrorReply(501, "NotImplemented", kNoBackups);
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("path") || !doc["path"].is_string()) {
    return ErrorReply(
        AdminErrorCode::kInvalidRequest,
        R"(send {"path": "/absolute/new/directory"} and optionally "include_root_key": true, "base": "/earlier/backup")");
  }
  BackupRequest request{doc["path"].get<std::string>()};
  if (doc.contains("include_root_key")) {
    if (!doc["include_root_key"].is_boolean()) {
      return ErrorReply(AdminErrorCode::kInvalidRequest, "include_root_key must be true or false");
    }
    request.include_root_key = doc["include_root_key"].get<bool>();
  }
  if (doc.contains("base")) {
    if (!doc["base"].is_string() || doc["base"].get<std::string>().empty()) {
      return ErrorReply(AdminErrorCode::kInvalidRequest, "base must be the path of an earlier backup");
    }
    request.base = doc["base"].get<std::string>();
  }
  for (const auto& [name, value] : doc.items()) {
    if (name != "path" && name != "include_root_key" && name != "base") {
      return ErrorReply(AdminErrorCode::kInvalidRequest, "unknown field \"" + name + "\"");
    }
  }
  Result<BackupProgress> started = backups_->Start(request);
  if (!started.ok()) {
    const Status& st = started.status();
    if (st.code() == StatusCode::kFailedPrecondition || st.code() == StatusCode::kAlreadyExists) {
      return ErrorReply(AdminErrorCode::kConflict, st.message());
    }
    return StatusReply(st);
  }
  return JsonReply(202, ProgressJson(*started));
}

ApiReply AdminApi::GetBackup() {
  if (backups_ == nullptr) return ErrorReply(501, "NotImplemented", kNoBackups);
  return JsonReply(200, ProgressJson(backups_->Progress()));
}

}  // namespace confiance::admin

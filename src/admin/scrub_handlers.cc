// File: admin/scrub_handlers.cc
// POST /scrub starts an online scrub (202 with its progress), GET /scrub
// reports the last one's progress, DELETE /scrub stops the running one.
// Operators only. Without a scrub service (tests, an embedder) all three
// answer 501 NotImplemented. Documents: docs/admin-api.md,
// docs/operations.md ("Scrubbing").
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/scrub_json.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

constexpr std::string_view kNoScrubs = "online scrubs are not available in this process";

// The progress document, or the refusal (StatusReply answers the
// service's FailedPrecondition, a scrub running or none, with 409 Conflict).
ApiReply ScrubJobReply(int status, const Result<ScrubJobProgress>& r) {
  if (!r.ok()) return StatusReply(r.status());
  return JsonReply(status, ScrubProgressJson(*r));
}

}  // namespace

ApiReply AdminApi::StartScrub(const iam::Principal& caller, std::string_view body) {
  if (scrubs_ == nullptr) return ErrorReply(501, "NotImplemented", kNoScrubs);
  ScrubRequest request;
  request.started_by = "operator " + caller.user;
  if (!body.empty()) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
      return ErrorReply(AdminErrorCode::kInvalidRequest,
                        R"(send nothing (the server's --scrub-rate), or {"max_bytes_per_second": N} (0: unlimited))");
    }
    for (const auto& [name, value] : doc.items()) {
      if (name != "max_bytes_per_second") {
        return ErrorReply(AdminErrorCode::kInvalidRequest, "unknown field \"" + name + "\"");
      }
      if (!value.is_number_unsigned()) {
        return ErrorReply(AdminErrorCode::kInvalidRequest, "max_bytes_per_second must be a whole number of bytes");
      }
      request.max_bytes_per_second = value.get<uint64_t>();
    }
  }
  return ScrubJobReply(202, scrubs_->Start(request));
}

ApiReply AdminApi::GetScrub() {
  if (scrubs_ == nullptr) return ErrorReply(501, "NotImplemented", kNoScrubs);
  return JsonReply(200, ScrubProgressJson(scrubs_->Progress()));
}

ApiReply AdminApi::StopScrub() {
  if (scrubs_ == nullptr) return ErrorReply(501, "NotImplemented", kNoScrubs);
  return ScrubJobReply(202, scrubs_->Stop());
}

}  // namespace confiance::admin

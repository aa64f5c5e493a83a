// File: admin/key_state_json.cc
#include "admin/key_state_json.h"

namespace confiance::admin {

using json = nlohmann::json;

void AddKeyState(json& j, const catalog::TenantKeyInfo& info) {
  j["state"] = info.destroyed ? "destroyed" : "active";
  j["provider_key_id"] = info.provider_key_id;
  j["created_ms"] = info.created_ms;
  j["version"] = info.version;
  if (info.rotated_ms != 0) j["rotated_ms"] = info.rotated_ms;
  j["previous_versions"] = info.previous_versions;
  if (info.destroyed) j["destroyed_ms"] = info.destroyed_ms;
  if (info.external) {
    j["external"] = {{"endpoint", info.external->endpoint}, {"key_id", info.external->key_id}};
    if (info.external->send_justification) j["external"]["send_justification"] = true;
  }
  j["allowed_justifications"] = json::array();
  for (int i = 0; i < kms::kJustificationCount; ++i) {
    auto why = static_cast<kms::Justification>(i);
    if (info.allowed.Contains(why)) j["allowed_justifications"].push_back(kms::JustificationName(why));
  }
}

json AllJustificationNames() {
  json names = json::array();
  for (int i = 0; i < kms::kJustificationCount; ++i) {
    names.push_back(kms::JustificationName(static_cast<kms::Justification>(i)));
  }
  return names;
}

Result<json> ParseJsonObjectBody(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return doc;
}

Result<kms::JustificationSet> ParseKeyPolicy(std::string_view body) {
  ASSIGN_OR_RETURN(json doc, ParseJsonObjectBody(body));
  auto list = doc.find("allowed_justifications");
  if (list == doc.end() || !list->is_array() || doc.size() != 1) {
    return InvalidArgumentError(R"(expected {"allowed_justifications": ["TENANT_REQUEST", ...]})");
  }
  kms::JustificationSet allowed;
  for (const json& name : *list) {
    std::optional<kms::Justification> why =
        name.is_string() ? kms::ParseJustification(name.get<std::string>()) : std::nullopt;
    if (!why) {
      return InvalidArgumentError("unknown justification " + name.dump() +
                                  " (TENANT_REQUEST, OPERATOR_APPROVED, SYSTEM_MAINTENANCE, LEGAL_ORDER)");
    }
    allowed.Add(*why);
  }
  return allowed;
}

}  // namespace confiance::admin

// File: admin/key_state_json.h
// The JSON both kinds of tenant-held keys share in the admin API
// (docs/admin-api.md): a tenant key's and a named KMS key's state, and the
// key-policy document that sets the justifications one allows. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "catalog/tenant_keys.h"
#include "common/status.h"
#include "kms/justification.h"

namespace confiance::admin {

// Adds to `j` the key's state ("active" or "destroyed"), provider key,
// times, versions, hold-your-own-key wrapper and allowed justifications.
void AddKeyState(nlohmann::json& j, const catalog::TenantKeyInfo& info);
// Every justification's name, in order.
nlohmann::json AllJustificationNames();
// {"allowed_justifications": ["TENANT_REQUEST", ...]} and nothing else;
// InvalidArgument with a message for the client otherwise.
Result<kms::JustificationSet> ParseKeyPolicy(std::string_view body);
// A JSON object body; InvalidArgument otherwise.
Result<nlohmann::json> ParseJsonObjectBody(std::string_view body);

}  // namespace confiance::admin

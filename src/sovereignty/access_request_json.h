// File: sovereignty/access_request_json.h
// The admin API's access-request body (docs/admin-api.md, "Operator access
// requests") parsed into a draft AccessRequest, and the small JSON field
// readers the lockbox's resources share. Pure; never throws (nlohmann-json
// with allow_exceptions=false and checked types); unknown fields are an
// error; null counts as absent.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sovereignty/access_request.h"

namespace confiance::sovereignty {

// A JSON object ("" is {} when `empty_ok`), null members removed;
// InvalidArgument otherwise.
Result<nlohmann::json> JsonParseObject(std::string_view body, bool empty_ok);
// InvalidArgument naming the first member of `doc` not in `known`.
Status JsonOnlyFields(const nlohmann::json& doc, std::initializer_list<std::string_view> known);
// Optional members: absent gives the empty value; a wrong type is InvalidArgument.
Result<std::vector<std::string>> JsonStringList(const nlohmann::json& doc, const char* name);
Result<std::optional<uint64_t>> JsonSeconds(const nlohmann::json& doc, const char* name);
Result<std::string> JsonText(const nlohmann::json& doc, const char* name);

// POST /access-requests {tenant, buckets?, prefixes?, operations, reason,
// category, duration_seconds}: the draft's tenant, scope, reason, category
// and requested_seconds (the rest is the Lockbox's). InvalidArgument with a
// sentence for the client for a malformed body, an unknown field, operation
// or category, or a missing duration. ValidateNewRequest checks the values.
Result<AccessRequest> ParseAccessRequestDraft(std::string_view body);

}  // namespace confiance::sovereignty

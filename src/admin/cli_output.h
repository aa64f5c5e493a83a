// File: admin/cli_output.h
// The human output of `confiance admin ...`: the admin API's JSON replies
// rendered as short text and aligned tables. Pure. Fields missing from a
// reply print as empty, never as an error (an older or newer server may
// send fewer or more fields).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace confiance::admin {

// "unlimited" for 0; else the largest binary unit that divides it exactly
// ("10 GiB", "1536 KiB"), or bytes ("1000 B").
std::string FormatQuotaBytes(uint64_t bytes);
// "unlimited" for 0, else the number.
std::string FormatQuotaCount(uint64_t count);

// Rows aligned on columns of the widest cell; the first row is the header.
// Every line ends with '\n'; trailing blanks are trimmed.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

std::string FormatTenant(const nlohmann::json& tenant);
std::string FormatTenantList(const nlohmann::json& reply);     // {"tenants": [...]}
std::string FormatCreatedTenant(const nlohmann::json& reply);  // {"tenant", "credentials"}
std::string FormatUser(const nlohmann::json& user);
std::string FormatUserList(const nlohmann::json& reply);       // {"users": [...]}
std::string FormatCreatedUser(const nlohmann::json& reply);    // {"user", "credentials"}
std::string FormatKeyList(const nlohmann::json& reply);        // {"access_keys": [...]}
std::string FormatNewKey(const nlohmann::json& key);           // one key with its secret
std::string FormatKey(const nlohmann::json& key);              // one key, after enable/disable
std::string FormatPolicyNames(const nlohmann::json& reply);    // {"policies": [...]}
std::string FormatOperatorList(const nlohmann::json& reply);   // {"operators": [...]}
std::string FormatWhoAmI(const nlohmann::json& reply);
// One line from a backup document (GET /backup): state, phase, counts,
// bytes, the base of an incremental backup and its damaged files, the error.
std::string FormatBackupProgress(const nlohmann::json& reply);
// GET /scrub: the state and counts on one line, then one line per damaged
// object ("DAMAGED bucket=... key=... reason=...: detail", as the offline
// scrub prints them) and per bucket skipped.
std::string FormatScrubProgress(const nlohmann::json& reply);

// One line for stderr from an error reply: "NoSuchTenant: The tenant does
// not exist. (HTTP 404)"; the raw body when it is not an error document.
std::string FormatApiError(int http_status, std::string_view body);

}  // namespace confiance::admin

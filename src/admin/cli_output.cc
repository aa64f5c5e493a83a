// File: admin/cli_output.cc
#include "admin/cli_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/ascii.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

std::string Str(const json& j, std::string_view key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// A non-negative integer field (parsed JSON has it unsigned; a document
// built in code may hold it signed), else 0.
uint64_t Num(const json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer() && it->get<int64_t>() > 0) return static_cast<uint64_t>(it->get<int64_t>());
  return 0;
}

const json& Member(const json& j, std::string_view key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

const json& Array(const json& j, std::string_view key) {
  static const json kEmpty = json::array();
  const json& m = Member(j, key);
  return m.is_array() ? m : kEmpty;
}

std::string Join(const json& names) {
  std::string out;
  for (const json& n : names) {
    if (!n.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += n.get<std::string>();
  }
  return out.empty() ? "-" : out;
}

std::string KeySummary(const json& keys) {
  std::string out;
  for (const json& k : keys) {
    if (!out.empty()) out += ", ";
    out += Str(k, "access_key");
    if (Str(k, "status") == "Inactive") out += " (inactive)";
  }
  return out.empty() ? "-" : out;
}

// `whose` starts the sentence: "Credentials", "Root user credentials".
std::string Credentials(std::string_view whose, const json& c) {
  return fmt::format(
      "{} (the secret key is shown only now):\n"
      "  access key: {}\n"
      "  secret key: {}\n",
      whose, Str(c, "access_key"), Str(c, "secret_key"));
}

}  // namespace

std::string FormatQuotaBytes(uint64_t bytes) {
  if (bytes == 0) return "unlimited";
  static constexpr std::array<std::string_view, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (unit + 1 < kUnits.size() && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", bytes, kUnits[unit]);
}

std::string FormatQuotaCount(uint64_t count) { return count == 0 ? "unlimited" : std::to_string(count); }

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

// "unlimited", or "N/s" and "SIZE/s" joined: one class of rate limits.
std::string FormatRateClass(uint64_t ops, uint64_t bytes) {
  if (ops == 0 && bytes == 0) return "unlimited";
  std::string out;
  if (ops != 0) out = fmt::format("{} requests/s", ops);
  if (bytes != 0) out += fmt::format("{}{}/s", out.empty() ? "" : ", ", FormatQuotaBytes(bytes));
  return out;
}

// With the server's default rate limits, what the tenant is held to.
std::string FormatRatesInEffect(const json& t) {
  if (!t.is_object() || !t.contains("rate_limits_in_effect")) return "";
  const json& e = Member(t, "rate_limits_in_effect");
  return fmt::format("In effect:     reads {}; writes {} (the server's defaults where the tenant sets none)\n",
                     FormatRateClass(Num(e, "read_ops_per_second"), Num(e, "read_bytes_per_second")),
                     FormatRateClass(Num(e, "write_ops_per_second"), Num(e, "write_bytes_per_second")));
}

// The replication destinations the operator declared for the tenant.
std::string FormatReplicationDestinations(const json& t) {
  if (!t.is_object() || !t.contains("replication_destinations")) return "";
  std::string out;
  for (const json& d : Member(t, "replication_destinations")) {
    out += fmt::format("Replication:   {} -> {}/{} (jurisdiction {})\n", Str(d, "arn"), Str(d, "endpoint"),
                       Str(d, "bucket"), Str(d, "jurisdiction"));
  }
  return out;
}

std::string FormatTenant(const json& t) {
  const json& q = Member(t, "quotas");
  const json& r = Member(t, "rate_limits");
  const std::string own = fmt::format(
      "Tenant:        {}\n"
      "Display name:  {}\n"
      "Status:        {}\n"
      "Canonical id:  {}\n"
      "Created:       {}\n"
      "Quotas:        bytes {}, objects {}, buckets {}\n"
      "Rate limits:   reads {}; writes {}\n",
      Str(t, "id"), Str(t, "display_name"), Str(t, "status"), Str(t, "canonical_id"), Str(t, "created"),
      FormatQuotaBytes(Num(q, "max_bytes")), FormatQuotaCount(Num(q, "max_objects")),
      FormatQuotaCount(Num(q, "max_buckets")),
      FormatRateClass(Num(r, "read_ops_per_second"), Num(r, "read_bytes_per_second")),
      FormatRateClass(Num(r, "write_ops_per_second"), Num(r, "write_bytes_per_second")));
  return own + FormatRatesInEffect(t) + FormatReplicationDestinations(t);
}

std::string FormatTenantList(const json& reply) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATUS", "MAX BYTES", "MAX OBJECTS", "MAX BUCKETS", "DISPLAY NAME"}};
  for (const json& t : Array(reply, "tenants")) {
    const json& q = Member(t, "quotas");
    rows.push_back({Str(t, "id"), Str(t, "status"), FormatQuotaBytes(Num(q, "max_bytes")),
                    FormatQuotaCount(Num(q, "max_objects")), FormatQuotaCount(Num(q, "max_buckets")),
                    Str(t, "display_name")});
  }
  return FormatTable(rows);
}

std::string FormatCreatedTenant(const json& reply) {
  const json& t = Member(reply, "tenant");
  return fmt::format("Created tenant {}.\n", Str(t, "id")) + FormatTenant(t) +
         Credentials("Root user credentials", Member(reply, "credentials"));
}

std::string FormatUser(const json& u) {
  return fmt::format(
      "User:         {}\n"
      "Tenant:       {}\n"
      "ARN:          {}\n"
      "Created:      {}\n"
      "Access keys:  {}\n"
      "Policies:     {}\n",
      Str(u, "name"), Str(u, "tenant"), Str(u, "arn"), Str(u, "created"), KeySummary(Array(u, "access_keys")),
      Join(Array(u, "policies")));
}

std::string FormatUserList(const json& reply) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "ACCESS KEYS", "POLICIES", "CREATED"}};
  for (const json& u : Array(reply, "users")) {
    rows.push_back({Str(u, "name"), KeySummary(Array(u, "access_keys")), Join(Array(u, "policies")),
                    Str(u, "created")});
  }
  return FormatTable(rows);
}

std::string FormatCreatedUser(const json& reply) {
  const json& u = Member(reply, "user");
  return fmt::format("Created user {} in tenant {}.\n", Str(u, "name"), Str(u, "tenant")) +
         Credentials("Credentials", Member(reply, "credentials"));
}

std::string FormatKeyList(const json& reply) {
  std::vector<std::vector<std::string>> rows = {{"ACCESS KEY", "STATUS", "TENANT", "USER"}};
  for (const json& k : Array(reply, "access_keys")) {
    rows.push_back({Str(k, "access_key"), Str(k, "status"), Str(k, "tenant"), Str(k, "user")});
  }
  return FormatTable(rows);
}

std::string FormatNewKey(const json& key) {
  return fmt::format("Created an access key for user {} in tenant {}.\n", Str(key, "user"), Str(key, "tenant")) +
         Credentials("Credentials", key);
}

std::string FormatKey(const json& key) {
  return fmt::format("Access key {} of {}/{} is now {}.\n", Str(key, "access_key"), Str(key, "tenant"),
                     Str(key, "user"), Str(key, "status"));
}

std::string FormatPolicyNames(const json& reply) {
  std::string out;
  for (const json& p : Array(reply, "policies")) {
    if (p.is_string()) out += p.get<std::string>() + "\n";
  }
  return out;
}

std::string FormatOperatorList(const json& reply) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "CREATED"}};
  for (const json& op : Array(reply, "operators")) rows.push_back({Str(op, "name"), Str(op, "created")});
  return FormatTable(rows);
}

std::string FormatWhoAmI(const json& reply) {
  if (Str(reply, "kind") == "operator") {
    return fmt::format("Operator {} (access key {})\n", Str(reply, "name"), Str(reply, "access_key"));
  }
  return fmt::format("User {} of tenant {} ({}, access key {})\n", Str(reply, "user"), Str(reply, "tenant"),
                     Str(reply, "arn"), Str(reply, "access_key"));
}

std::string FormatApiError(int http_status, std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json& error = Member(doc, "error");
  std::string code = Str(error, "code");
  if (code.empty()) {
    const std::string text = TrimTrailingNewlines(std::string(body.substr(0, 200)));
    return fmt::format("HTTP {}{}{}", http_status, text.empty() ? "" : ": ", text);
  }
  return fmt::format("{}: {} (HTTP {})", code, Str(error, "message"), http_status);
}

std::string FormatBackupProgress(const json& j) {
  std::string out = fmt::format("backup {}", Str(j, "state"));
  if (j.contains("phase")) out += fmt::format(" ({})", Str(j, "phase"));
  out += fmt::format(": {}, {} blob(s) ({} linked, {} copied", Str(j, "path"), Num(j, "blobs_done"),
                     Num(j, "blobs_linked"), Num(j, "blobs_copied"));
  if (j.contains("base")) out += fmt::format(", {} from the base {}", Num(j, "blobs_from_base"), Str(j, "base"));
  out += fmt::format("), {} bytes, root key {}", Num(j, "blob_bytes"),
                     j.value("include_root_key", false) ? "included" : "not included");
  if (Num(j, "base_mismatches") > 0) {
    out += fmt::format("; {} file(s) of the base had the wrong size (damaged) and were copied from the server instead",
                       Num(j, "base_mismatches"));
  }
  if (j.contains("pools_not_copied")) {
    std::string names;
    for (const json& n : j["pools_not_copied"]) names += (names.empty() ? "" : ", ") + n.get<std::string>();
    out += fmt::format("; not copied: {} blob(s) of the RADOS pool(s) {} (back them up with Ceph's means)",
                       Num(j, "blobs_not_copied"), names);
  }
  if (j.contains("error")) out += fmt::format(" ({})", Str(j, "error"));
  return out + "\n";
}

std::string FormatScrubProgress(const json& j) {
  std::string out = fmt::format("scrub {}", Str(j, "state"));
  if (j.contains("bucket")) out += fmt::format(" (bucket {})", Str(j, "bucket"));
  out += fmt::format(": {} bucket(s), {} object(s), {} bytes verified, {} damaged", Num(j, "buckets"),
                     Num(j, "objects"), Num(j, "bytes_verified"), Num(j, "damaged_objects"));
  if (j.value("metadata_verified", false)) out += ", metadata checksums verified";
  if (Num(j, "changed_during_scrub") > 0) {
    out += fmt::format(", {} rewritten under every read (not checked)", Num(j, "changed_during_scrub"));
  }
  if (Num(j, "sse_c_size_only") > 0) {
    out += fmt::format(", {} SSE-C object(s) checked for presence and size only", Num(j, "sse_c_size_only"));
  }
  if (Num(j, "key_access_refused") > 0) {
    out += fmt::format(", {} object(s) skipped: their tenants refuse SYSTEM_MAINTENANCE", Num(j, "key_access_refused"));
  }
  if (j.contains("error")) out += fmt::format(" ({})", Str(j, "error"));
  out += "\n";
  const json damaged = j.value("damaged", json::array());
  for (const json& d : damaged) {
    out += fmt::format("DAMAGED bucket={} key={} reason={}: {}\n", Str(d, "bucket"), Str(d, "key"), Str(d, "kind"),
                       Str(d, "detail"));
  }
  if (Num(j, "damaged_objects") > damaged.size()) {
    out += fmt::format("... and {} more damaged object(s) (see the server's journal)\n",
                       Num(j, "damaged_objects") - damaged.size());
  }
  for (const json& b : j.value("refused_buckets", json::array())) {
    if (b.is_string()) out += fmt::format("SKIPPED bucket {}\n", b.get<std::string>());
  }
  return out;
}

}  // namespace confiance::admin

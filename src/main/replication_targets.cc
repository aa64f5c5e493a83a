// File: main/replication_targets.cc
#include "main/replication_targets.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "main/secret_file.h"
#include "s3/tenant_target_arn.h"
#include "sovereignty/residency/pools.h"

namespace confiance {
namespace {

Status Invalid(std::string_view target, std::string_view what) {
  return InvalidArgumentError("replication targets file: target '" + std::string(target) + "': " + std::string(what));
}

Result<std::string> Field(const toml::table& t, std::string_view key, std::string_view target, bool required = true) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) return Invalid(target, "missing " + std::string(key));
    return std::string();
  }
  if (!n->is_string()) return Invalid(target, std::string(key) + " must be a string");
  return std::string(n->as_string()->get());
}

Result<ReplicationTarget> ParseTarget(const toml::table& t) {
  static const std::set<std::string, std::less<>> kKnown = {"tenant", "name",       "endpoint",        "bucket",
                                                            "region", "access_key", "secret_key_file", "jurisdiction"};
  ReplicationTarget r;
  ASSIGN_OR_RETURN(r.destination.tenant, Field(t, "tenant", "?"));
  ASSIGN_OR_RETURN(r.destination.name, Field(t, "name", "?"));
  const std::string who = r.destination.tenant + ":" + r.destination.name;
  for (const auto& [key, value] : t) {
    if (!kKnown.contains(key.str())) return Invalid(who, "unknown field '" + std::string(key.str()) + "'");
  }
  if (r.destination.tenant.empty()) return Invalid(who, "tenant is empty");
  if (!s3::ValidTargetName(r.destination.name)) return Invalid(who, "the name must be 1-64 of A-Z a-z 0-9 _ -");
  ASSIGN_OR_RETURN(std::string endpoint, Field(t, "endpoint", who));
  if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
    return Invalid(who, "endpoint must start with http:// or https://");
  }
  Result<admin::Endpoint> parsed = admin::ParseEndpoint(endpoint);
  if (!parsed.ok()) return Invalid(who, parsed.status().message());
  r.endpoint = std::move(parsed).value();
  ASSIGN_OR_RETURN(r.bucket, Field(t, "bucket", who));
  if (r.bucket.empty() || r.bucket.find('/') != std::string::npos) return Invalid(who, "bucket must be a bucket name");
  ASSIGN_OR_RETURN(std::string region, Field(t, "region", who, /*required=*/false));
  if (!region.empty()) r.region = region;
  ASSIGN_OR_RETURN(r.access_key, Field(t, "access_key", who));
  if (r.access_key.empty()) return Invalid(who, "access_key is empty");
  ASSIGN_OR_RETURN(r.secret_key_file, Field(t, "secret_key_file", who));
  ASSIGN_OR_RETURN(r.destination.jurisdiction, Field(t, "jurisdiction", who));
  if (!sovereignty::IsValidJurisdiction(r.destination.jurisdiction)) {
    return Invalid(who,
                   "jurisdiction must be an ISO 3166 alpha-2 code or EU, not '" + r.destination.jurisdiction + "'");
  }
  return r;
}

}  // namespace

Result<std::vector<ReplicationTarget>> ParseReplicationTargets(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "replication targets file: " << e.description() << " (line " << e.source().begin.line << ")";
    return InvalidArgumentError(msg.str());
  }
  for (const auto& [key, node] : root) {
    if (key.str() != "target") {
      return InvalidArgumentError("replication targets file: unknown key '" + std::string(key.str()) +
                                  "' (expected [[target]] tables)");
    }
  }
  const toml::array* list = root["target"].as_array();
  if (list == nullptr || list->empty()) return InvalidArgumentError("replication targets file: no [[target]] table");
  std::vector<ReplicationTarget> targets;
  std::set<std::pair<std::string, std::string>> seen;
  for (const toml::node& node : *list) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return InvalidArgumentError("replication targets file: each target must be a [[target]] table");
    ASSIGN_OR_RETURN(ReplicationTarget target, ParseTarget(*t));
    if (!seen.emplace(target.destination.tenant, target.destination.name).second) {
      return Invalid(target.destination.tenant + ":" + target.destination.name, "declared twice");
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

Result<std::vector<ReplicationTarget>> LoadReplicationTargets(const std::string& path, const std::string& ca_file) {
  std::ifstream in(path);
  if (!in) return InvalidArgumentError("--replication-targets: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(std::vector<ReplicationTarget> targets, ParseReplicationTargets(text.str()));
  for (ReplicationTarget& t : targets) {
    t.endpoint.ca_file = ca_file;
    ASSIGN_OR_RETURN(t.secret_key, ReadSecretFile(t.secret_key_file, "--replication-targets secret_key_file"));
  }
  return targets;
}

}  // namespace confiance

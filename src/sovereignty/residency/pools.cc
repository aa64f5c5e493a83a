// File: sovereignty/residency/pools.cc
#include "sovereignty/residency/pools.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "blob/pools/pool_router.h"

namespace confiance::sovereignty {

const std::set<std::string>& EuMembers() {
  static const std::set<std::string> kEu = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
                                            "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
                                            "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
  return kEu;
}

bool IsValidJurisdiction(std::string_view code) {
  return code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z';
}

std::set<std::string> ExpandJurisdictions(const std::vector<std::string>& codes) {
  std::set<std::string> out;
  for (const std::string& c : codes) {
    if (c == "EU") {
      out.insert(EuMembers().begin(), EuMembers().end());
    } else {
      out.insert(c);
    }
  }
  return out;
}

bool IsValidStorageClass(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<PoolSpec> DefaultPools(std::string_view default_jurisdiction) {
  PoolSpec p;
  p.name = std::string(kDefaultPoolName);
  p.jurisdiction = std::string(default_jurisdiction);
  p.region = "";
  p.operator_name = "local";
  p.is_default = true;
  return {p};
}

namespace {

Result<std::string> StringField(const toml::table& t, std::string_view key, bool required, std::string_view pool) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) return InvalidArgumentError("pool '" + std::string(pool) + "': missing " + std::string(key));
    return std::string();
  }
  if (!n->is_string()) return InvalidArgumentError("pool '" + std::string(pool) + "': " + std::string(key) + " must be a string");
  return std::string(n->as_string()->get());
}

Result<int64_t> IntField(const toml::table& t, std::string_view key, int64_t fallback, int64_t min, int64_t max,
                         std::string_view pool) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  if (!n->is_integer() || n->as_integer()->get() < min || n->as_integer()->get() > max) {
    return InvalidArgumentError("pool '" + std::string(pool) + "': " + std::string(key) + " must be an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return n->as_integer()->get();
}

// The connection keys of a table that names `rados_pool`.
Result<blob::RadosConnection> ConnectionFields(const toml::table& t, const std::string& rados_pool,
                                               std::string_view pool) {
  blob::RadosConnection c;
  c.pool = rados_pool;
  ASSIGN_OR_RETURN(std::string conf, StringField(t, "ceph_conf", false, pool));
  if (!conf.empty()) c.ceph_conf = conf;
  ASSIGN_OR_RETURN(std::string user, StringField(t, "ceph_user", false, pool));
  if (!user.empty()) c.user = user;
  ASSIGN_OR_RETURN(c.keyring, StringField(t, "ceph_keyring", false, pool));
  ASSIGN_OR_RETURN(c.name_space, StringField(t, "rados_namespace", false, pool));
  ASSIGN_OR_RETURN(int64_t op_timeout, IntField(t, "rados_op_timeout", 30, 1, 600, pool));
  c.op_timeout_seconds = static_cast<uint32_t>(op_timeout);
  return c;
}

// The RADOS keys of a [[pool]] table; nullopt when it names no rados_pool.
Result<std::optional<blob::RadosOptions>> RadosFields(const toml::table& t, std::string_view pool) {
  ASSIGN_OR_RETURN(std::string rados_pool, StringField(t, "rados_pool", false, pool));
  if (rados_pool.empty()) {
    for (const char* key : {"ceph_conf", "ceph_user", "ceph_keyring", "rados_namespace", "rados_stripe_mib",
                            "rados_gc_delay", "rados_full_ratio", "rados_op_timeout"}) {
      if (t.contains(key))
        return InvalidArgumentError("pool '" + std::string(pool) + "': " + key + " needs rados_pool");
    }
    return std::optional<blob::RadosOptions>();
  }
  blob::RadosOptions o;
  ASSIGN_OR_RETURN(o.connection, ConnectionFields(t, rados_pool, pool));
  ASSIGN_OR_RETURN(int64_t stripe_mib, IntField(t, "rados_stripe_mib", 4, 1, 64, pool));
  o.stripe_size = static_cast<uint64_t>(stripe_mib) << 20;
  ASSIGN_OR_RETURN(int64_t gc_delay, IntField(t, "rados_gc_delay", 7200, 0, int64_t{30} * 86400, pool));
  o.gc_delay_seconds = static_cast<uint64_t>(gc_delay);
  if (const toml::node* n = t.get("rados_full_ratio")) {
    std::optional<double> r = n->value<double>();
    if (!r || *r < 0 || *r > 1) {
      return InvalidArgumentError("pool '" + std::string(pool) + "': rados_full_ratio must be a number in [0, 1]");
    }
    o.full_ratio = *r;
  }
  return std::optional<blob::RadosOptions>(std::move(o));
}

Result<bool> BoolField(const toml::table& t, std::string_view key, std::string_view pool) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return false;
  if (!n->is_boolean()) return InvalidArgumentError("pool '" + std::string(pool) + "': " + std::string(key) + " must be true or false");
  return n->as_boolean()->get();
}

}  // namespace

Result<std::vector<PoolSpec>> ParsePoolsToml(std::string_view text, std::string_view default_jurisdiction) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "pools file: " << e.description() << " (line " << e.source().begin.line << ")";
    return InvalidArgumentError(msg.str());
  }
  for (const auto& [key, node] : root) {
    if (key.str() != "pool") return InvalidArgumentError("pools file: unknown key '" + std::string(key.str()) + "' (expected [[pool]] tables)");
  }
  const toml::array* list = root["pool"].as_array();
  if (list == nullptr || list->empty()) return InvalidArgumentError("pools file: no [[pool]] table");
  std::vector<PoolSpec> pools;
  std::set<std::string> names;
  bool have_default = false;
  for (const toml::node& node : *list) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return InvalidArgumentError("pools file: each pool must be a [[pool]] table");
    for (const auto& [key, value] : *t) {
      static const std::set<std::string> kKnown = {"name",
                                                   "directory",
                                                   "jurisdiction",
                                                   "region",
                                                   "operator",
                                                   "ciphertext_only",
                                                   "storage_class",
                                                   "default",
                                                   "rados_pool",
                                                   "ceph_conf",
                                                   "ceph_user",
                                                   "ceph_keyring",
                                                   "rados_namespace",
                                                   "rados_stripe_mib",
                                                   "rados_gc_delay",
                                                   "rados_full_ratio",
                                                   "rados_op_timeout"};
      if (!kKnown.count(std::string(key.str()))) {
        return InvalidArgumentError("pools file: unknown pool key '" + std::string(key.str()) + "'");
      }
    }
    PoolSpec p;
    ASSIGN_OR_RETURN(p.name, StringField(*t, "name", true, "?"));
    if (!blob::IsValidPoolName(p.name)) {
      return InvalidArgumentError("pool '" + p.name + "': the name must be 1..32 of a-z 0-9 -");
    }
    if (!names.insert(p.name).second) return InvalidArgumentError("pool '" + p.name + "' is defined twice");
    ASSIGN_OR_RETURN(p.directory, StringField(*t, "directory", false, p.name));
    ASSIGN_OR_RETURN(p.rados, RadosFields(*t, p.name));
    ASSIGN_OR_RETURN(p.jurisdiction, StringField(*t, "jurisdiction", true, p.name));
    if (!IsValidJurisdiction(p.jurisdiction)) {
      return InvalidArgumentError("pool '" + p.name + "': jurisdiction must be an ISO 3166 alpha-2 code or EU, not '" +
                                  p.jurisdiction + "'");
    }
    ASSIGN_OR_RETURN(p.region, StringField(*t, "region", false, p.name));
    ASSIGN_OR_RETURN(p.operator_name, StringField(*t, "operator", false, p.name));
    ASSIGN_OR_RETURN(p.ciphertext_only, BoolField(*t, "ciphertext_only", p.name));
    ASSIGN_OR_RETURN(p.is_default, BoolField(*t, "default", p.name));
    ASSIGN_OR_RETURN(std::string storage_class, StringField(*t, "storage_class", false, p.name));
    if (!storage_class.empty()) p.storage_class = std::move(storage_class);
    if (!IsValidStorageClass(p.storage_class)) {
      return InvalidArgumentError("pool '" + p.name + "': storage_class must be 1..64 of A-Z 0-9 _, not '" +
                                  p.storage_class + "'");
    }
    if (p.is_default && p.storage_class != kStandardStorageClass) {
      // (small objects are kept inline with the metadata, i.e. with it)
      return InvalidArgumentError("pool '" + p.name + "': the default pool holds the STANDARD class");
    }
    if (p.rados) {
      if (p.is_default) {
        return InvalidArgumentError("pool '" + p.name +
                                    "': the default pool is the data directory's blobs/, not RADOS");
      }
      if (!p.directory.empty())
        return InvalidArgumentError("pool '" + p.name + "': give directory or rados_pool, not both");
    } else if (p.is_default) {
      if (have_default) return InvalidArgumentError("pool '" + p.name + "': only one pool may be the default");
      if (!p.directory.empty()) {
        return InvalidArgumentError("pool '" + p.name + "': the default pool is the data directory's blobs/; give it no directory");
      }
      have_default = true;
    } else if (p.directory.empty() || p.directory[0] != '/') {
      return InvalidArgumentError("pool '" + p.name + "': directory must be an absolute path");
    }
    pools.push_back(std::move(p));
  }
  if (!have_default) {
    if (names.count(std::string(kDefaultPoolName))) {
      return InvalidArgumentError("pool 'local' is the name of the implicit default pool: mark it default = true or rename it");
    }
    if (!IsValidJurisdiction(default_jurisdiction)) {
      return InvalidArgumentError("--jurisdiction must be an ISO 3166 alpha-2 code or EU");
    }
    std::vector<PoolSpec> d = DefaultPools(default_jurisdiction);
    pools.push_back(d[0]);
  }
  return pools;
}

Result<blob::RadosConnection> ParseRadosConnectionToml(std::string_view text, std::string_view what) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << what << ": " << e.description() << " (line " << e.source().begin.line << ")";
    return InvalidArgumentError(msg.str());
  }
  static const std::set<std::string> kKnown = {"rados_pool",   "ceph_conf",       "ceph_user",
                                               "ceph_keyring", "rados_namespace", "rados_op_timeout"};
  for (const auto& [key, value] : root) {
    if (!kKnown.contains(std::string(key.str()))) {
      return InvalidArgumentError(std::string(what) + ": unknown key '" + std::string(key.str()) + "'");
    }
  }
  ASSIGN_OR_RETURN(std::string rados_pool, StringField(root, "rados_pool", true, what));
  if (rados_pool.empty()) return InvalidArgumentError(std::string(what) + ": rados_pool is empty");
  return ConnectionFields(root, rados_pool, what);
}

}  // namespace confiance::sovereignty

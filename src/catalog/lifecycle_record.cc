// File: catalog/lifecycle_record.cc
// {"rules": [{"id", "on", "form", "f": {"p", "t": [[k, v]...], "gt", "lt"},
//   "ed", "edate", "eodm", "nd", "nnv", "abort",
//   "tr": [{"d" | "date", "sc"}...], "ntr": [{"nd", "nnv"?, "sc"}...]}...]};
// optional members are written only when set.
#include "catalog/lifecycle_record.h"

namespace confiance::catalog {
namespace {

using json = nlohmann::json;

void PutOpt(json& j, const char* name, const std::optional<int64_t>& v) {
  if (v) j[name] = *v;
}

Result<std::optional<int64_t>> GetOpt(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return DataLossError(std::string("lifecycle rule: bad ") + name);
  return std::optional<int64_t>(it->get<int64_t>());
}

json RuleJson(const LifecycleRule& r) {
  json f = json::object();
  if (!r.filter.prefix.empty()) f["p"] = r.filter.prefix;
  if (!r.filter.tags.empty()) {
    json tags = json::array();
    for (const auto& [k, v] : r.filter.tags) tags.push_back(json::array({k, v}));
    f["t"] = std::move(tags);
  }
  PutOpt(f, "gt", r.filter.size_greater_than);
  PutOpt(f, "lt", r.filter.size_less_than);
  json j = {{"id", r.id}, {"on", r.enabled}, {"form", static_cast<int>(r.form)}, {"f", std::move(f)}};
  PutOpt(j, "ed", r.expiration_days);
  PutOpt(j, "edate", r.expiration_date_ms);
  if (r.expired_object_delete_marker) j["eodm"] = *r.expired_object_delete_marker;
  PutOpt(j, "nd", r.noncurrent_days);
  PutOpt(j, "nnv", r.newer_noncurrent_versions);
  PutOpt(j, "abort", r.abort_days_after_initiation);
  if (!r.transitions.empty()) {
    json list = json::array();
    for (const LifecycleTransition& t : r.transitions) {
      json tj = {{"sc", t.storage_class}};
      PutOpt(tj, "d", t.days);
      PutOpt(tj, "date", t.date_ms);
      list.push_back(std::move(tj));
    }
    j["tr"] = std::move(list);
  }
  if (!r.noncurrent_transitions.empty()) {
    json list = json::array();
    for (const NoncurrentTransition& t : r.noncurrent_transitions) {
      json tj = {{"sc", t.storage_class}, {"nd", t.noncurrent_days}};
      PutOpt(tj, "nnv", t.newer_noncurrent_versions);
      list.push_back(std::move(tj));
    }
    j["ntr"] = std::move(list);
  }
  return j;
}

Result<std::string> StorageClassIn(const json& j) {
  auto sc = j.find("sc");
  if (!j.is_object() || sc == j.end() || !sc->is_string()) return DataLossError("lifecycle transition: no class");
  return sc->get<std::string>();
}

Result<LifecycleRule> RuleFrom(const json& j) {
  if (!j.is_object()) return DataLossError("lifecycle rule is not a map");
  LifecycleRule r;
  auto id = j.find("id");
  auto on = j.find("on");
  auto form = j.find("form");
  auto f = j.find("f");
  if (id == j.end() || !id->is_string() || on == j.end() || !on->is_boolean() || form == j.end() ||
      !form->is_number_integer() || f == j.end() || !f->is_object()) {
    return DataLossError("lifecycle rule without id, status, form or filter");
  }
  r.id = id->get<std::string>();
  r.enabled = on->get<bool>();
  int form_value = form->get<int>();
  if (form_value < 0 || form_value > static_cast<int>(LifecycleFilterForm::kAnd)) {
    return DataLossError("lifecycle rule: unknown filter form");
  }
  r.form = static_cast<LifecycleFilterForm>(form_value);
  if (auto p = f->find("p"); p != f->end() && p->is_string()) r.filter.prefix = p->get<std::string>();
  if (auto t = f->find("t"); t != f->end() && t->is_array()) {
    for (const json& pair : *t) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        return DataLossError("lifecycle rule: bad tag");
      }
      r.filter.tags.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(r.filter.size_greater_than, GetOpt(*f, "gt"));
  ASSIGN_OR_RETURN(r.filter.size_less_than, GetOpt(*f, "lt"));
  ASSIGN_OR_RETURN(r.expiration_days, GetOpt(j, "ed"));
  ASSIGN_OR_RETURN(r.expiration_date_ms, GetOpt(j, "edate"));
  if (auto e = j.find("eodm"); e != j.end() && e->is_boolean()) r.expired_object_delete_marker = e->get<bool>();
  ASSIGN_OR_RETURN(r.noncurrent_days, GetOpt(j, "nd"));
  ASSIGN_OR_RETURN(r.newer_noncurrent_versions, GetOpt(j, "nnv"));
  ASSIGN_OR_RETURN(r.abort_days_after_initiation, GetOpt(j, "abort"));
  if (auto list = j.find("tr"); list != j.end() && list->is_array()) {
    for (const json& tj : *list) {
      LifecycleTransition t;
      ASSIGN_OR_RETURN(t.storage_class, StorageClassIn(tj));
      ASSIGN_OR_RETURN(t.days, GetOpt(tj, "d"));
      ASSIGN_OR_RETURN(t.date_ms, GetOpt(tj, "date"));
      r.transitions.push_back(std::move(t));
    }
  }
  if (auto list = j.find("ntr"); list != j.end() && list->is_array()) {
    for (const json& tj : *list) {
      NoncurrentTransition t;
      ASSIGN_OR_RETURN(t.storage_class, StorageClassIn(tj));
      ASSIGN_OR_RETURN(std::optional<int64_t> days, GetOpt(tj, "nd"));
      t.noncurrent_days = days.value_or(0);
      ASSIGN_OR_RETURN(t.newer_noncurrent_versions, GetOpt(tj, "nnv"));
      r.noncurrent_transitions.push_back(std::move(t));
    }
  }
  return r;
}

}  // namespace

nlohmann::json LifecycleJson(const LifecycleConfiguration& config) {
  json rules = json::array();
  for (const LifecycleRule& r : config.rules) rules.push_back(RuleJson(r));
  return json{{"rules", std::move(rules)}};
}

Result<LifecycleConfiguration> LifecycleFromJson(const nlohmann::json& j) {
  auto rules = j.is_object() ? j.find("rules") : j.end();
  if (!j.is_object() || rules == j.end() || !rules->is_array()) return DataLossError("lifecycle without rules");
  LifecycleConfiguration config;
  for (const json& r : *rules) {
    ASSIGN_OR_RETURN(LifecycleRule rule, RuleFrom(r));
    config.rules.push_back(std::move(rule));
  }
  return config;
}

}  // namespace confiance::catalog

// File: sovereignty/access_request_json.cc
#include "sovereignty/access_request_json.h"

namespace confiance::sovereignty {

using json = nlohmann::json;

Result<json> JsonParseObject(std::string_view body, bool empty_ok) {
  if (body.empty() && empty_ok) return json::object();
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("the body must be a JSON object");
  for (auto it = doc.begin(); it != doc.end();) {  // null counts as absent
    if (it->is_null()) {
      it = doc.erase(it);
    } else {
      ++it;
    }
  }
  return doc;
}

// The fields of `doc` must all be in `known`.
Status JsonOnlyFields(const json& doc, std::initializer_list<std::string_view> known) {
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    bool ok = false;
    for (std::string_view k : known) ok |= it.key() == k;
    if (!ok) return InvalidArgumentError("unknown field \"" + it.key() + "\"");
  }
  return OkStatus();
}

Result<std::vector<std::string>> JsonStringList(const json& doc, const char* name) {
  std::vector<std::string> out;
  auto it = doc.find(name);
  if (it == doc.end()) return out;
  if (!it->is_array()) return InvalidArgumentError(std::string(name) + ": expected an array of strings");
  for (const json& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(std::string(name) + ": expected an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::optional<uint64_t>> JsonSeconds(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return std::optional<uint64_t>();
  if (!it->is_number_unsigned()) return InvalidArgumentError(std::string(name) + ": expected a positive integer");
  return std::optional<uint64_t>(it->get<uint64_t>());
}

Result<std::string> JsonText(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return std::string();
  if (!it->is_string()) return InvalidArgumentError(std::string(name) + ": expected a string");
  return it->get<std::string>();
}

// POST /access-requests body -> a draft (the operator set by the caller).
Result<AccessRequest> ParseAccessRequestDraft(std::string_view body) {
  ASSIGN_OR_RETURN(json doc, JsonParseObject(body, false));
  RETURN_IF_ERROR(JsonOnlyFields(doc, {"tenant", "buckets", "prefixes", "operations", "reason", "category",
                                   "duration_seconds"}));
  AccessRequest d;
  ASSIGN_OR_RETURN(d.tenant, JsonText(doc, "tenant"));
  ASSIGN_OR_RETURN(d.scope.buckets, JsonStringList(doc, "buckets"));
  ASSIGN_OR_RETURN(d.scope.prefixes, JsonStringList(doc, "prefixes"));
  ASSIGN_OR_RETURN(std::vector<std::string> ops, JsonStringList(doc, "operations"));
  for (const std::string& name : ops) {
    std::optional<AccessOp> op = sovereignty::ParseAccessOp(name);
    if (!op) return InvalidArgumentError("operations: unknown \"" + name + "\" (read, list, write, delete, keys)");
    d.scope.Add(*op);
  }
  ASSIGN_OR_RETURN(d.reason, JsonText(doc, "reason"));
  ASSIGN_OR_RETURN(std::string category, JsonText(doc, "category"));
  std::optional<AccessCategory> c = sovereignty::ParseAccessCategory(category);
  if (!c) {
    return InvalidArgumentError("category: one of support_case, incident, legal_order, break_glass");
  }
  d.category = *c;
  ASSIGN_OR_RETURN(std::optional<uint64_t> seconds, JsonSeconds(doc, "duration_seconds"));
  if (!seconds) return InvalidArgumentError("duration_seconds is required");
  d.requested_seconds = *seconds;
  return d;
}

}  // namespace confiance::sovereignty

// File: iam/policy/policy.cc
// Policy::Parse: JSON -> validated, compiled statements. Validation follows
// what S3's PutBucketPolicy accepts; every error is one sentence that the s3
// layer passes on as a MalformedPolicy message.
#include "iam/policy/policy.h"

#include <set>

#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "iam/policy/excerpt.h"
#include "iam/policy/matching.h"

namespace confiance::iam::policy {
namespace {

using json = nlohmann::json;

constexpr std::string_view kVersion2012 = "2012-10-17";
constexpr std::string_view kVersion2008 = "2008-10-17";
constexpr std::string_view kS3ArnPrefix = "arn:aws:s3:::";

Status Malformed(std::string message) { return InvalidArgumentError(std::move(message)); }

// A string, or a non-empty array of strings, as Action, Resource and their
// negations allow.
Result<std::vector<std::string>> StringList(const json& v, std::string_view field) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array() || v.empty()) {
    return Malformed(std::string(field) + " must be a string or a non-empty list of strings");
  }
  for (const json& item : v) {
    if (!item.is_string()) return Malformed(std::string(field) + " must be a string or a non-empty list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A condition value rendered as text: strings as they are, numbers as
// written, booleans as "true"/"false".
Result<std::string> ConditionValueText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number()) return v.dump();
  return Malformed("Invalid Condition value: expected a string, number or boolean, got " + Excerpt(v.dump()));
}

Status ParseActions(const json& v, std::string_view field, Statement& st) {
  ASSIGN_OR_RETURN(std::vector<std::string> patterns, StringList(v, field));
  for (std::string& p : patterns) {
    bool shaped = p == "*" || (StartsWithIgnoreCase(p, "s3:") && p.size() > 3 &&
                               p.find('\\') == std::string::npos);
    ActionSet covered = shaped ? ActionsMatching(p) : ActionSet();
    if (covered.none()) return Malformed("Policy has invalid action: " + Excerpt(p));
    st.actions |= covered;
    st.action_patterns.push_back(std::move(p));
  }
  return OkStatus();
}

Status CheckResource(std::string_view r, const ParseOptions& options) {
  if (options.kind == PolicyKind::kIdentity) {
    if (r == "*" || (r.substr(0, kS3ArnPrefix.size()) == kS3ArnPrefix && r.size() > kS3ArnPrefix.size())) {
      return OkStatus();
    }
    return Malformed("Policy has invalid resource: " + Excerpt(r));
  }
  std::string bucket_arn = std::string(kS3ArnPrefix) + std::string(options.bucket);
  bool in_bucket = !options.bucket.empty() && r.substr(0, bucket_arn.size()) == bucket_arn &&
                   (r.size() == bucket_arn.size() || r[bucket_arn.size()] == '/');
  if (!in_bucket) return Malformed("Policy has invalid resource: " + Excerpt(r));
  return OkStatus();
}

Status ParseResources(const json& v, std::string_view field, bool variables,
                      const ParseOptions& options, Statement& st) {
  ASSIGN_OR_RETURN(std::vector<std::string> resources, StringList(v, field));
  for (const std::string& r : resources) {
    RETURN_IF_ERROR(CheckResource(r, options));
    st.resources.push_back(PolicyString::Compile(r, variables, PolicyString::Use::kPattern));
  }
  return OkStatus();
}

// The actions that can apply to a resource written as `r`: an S3 ARN without
// a '/' names a bucket, with one an object; a wildcard may stand for either,
// and only "*" (or "arn:aws:s3:::*") can stand for "no resource".
ActionSet ActionsApplicableTo(std::string_view r) {
  ActionSet set;
  std::string_view path = r == "*" ? "*" : r.substr(std::min(r.size(), kS3ArnPrefix.size()));
  bool wildcard = path.find('*') != std::string_view::npos;
  bool slash = path.find('/') != std::string_view::npos;
  if (path.find_first_not_of('*') == std::string_view::npos) set |= ActionsOnResource(ResourceKind::kAccount);
  if (!slash) set |= ActionsOnResource(ResourceKind::kBucket);
  if (slash || wildcard) set |= ActionsOnResource(ResourceKind::kObject);
  return set;
}

Status CheckActionsApply(const Statement& st) {
  if (st.not_action || st.not_resource) return OkStatus();
  ActionSet applicable;
  for (const PolicyString& r : st.resources) applicable |= ActionsApplicableTo(r.source());
  if ((st.actions & applicable).none()) return Malformed("Action does not apply to any resource(s) in statement");
  return OkStatus();
}

Status ParseConditions(const json& block, bool variables, Statement& st) {
  if (!block.is_object()) return Malformed("Condition must be an object of operators");
  for (const auto& [op, keys] : block.items()) {
    if (!keys.is_object() || keys.empty()) {
      return Malformed("Invalid Condition block: " + Excerpt(op) + " must map condition keys to values");
    }
    for (const auto& [key, value] : keys.items()) {
      std::vector<std::string> texts;
      if (value.is_array()) {
        for (const json& item : value) {
          ASSIGN_OR_RETURN(std::string t, ConditionValueText(item));
          texts.push_back(std::move(t));
        }
      } else {
        ASSIGN_OR_RETURN(std::string t, ConditionValueText(value));
        texts.push_back(std::move(t));
      }
      ASSIGN_OR_RETURN(Condition c, Condition::Compile(op, key, texts, variables));
      st.conditions.push_back(std::move(c));
    }
  }
  return OkStatus();
}

Status ParsePrincipal(const json& s, const ParseOptions& options, Statement& st) {
  bool has_principal = s.contains("Principal");
  bool has_not_principal = s.contains("NotPrincipal");
  if (options.kind == PolicyKind::kIdentity) {
    if (has_principal || has_not_principal) {
      return Malformed("Policy document should not specify a principal (Principal is for bucket policies)");
    }
    st.principal_mode = Statement::PrincipalMode::kImplicit;
    return OkStatus();
  }
  if (has_principal == has_not_principal) {
    return Malformed(has_principal ? "Statement must not have both Principal and NotPrincipal"
                                   : "Missing required field Principal");
  }
  // AWS refuses NotPrincipal in an Allow statement: it would grant to every
  // principal in the world but the few named.
  if (has_not_principal && st.effect == Effect::kAllow) {
    return Malformed("NotPrincipal is only allowed with Effect Deny");
  }
  const json& element = has_principal ? s["Principal"] : s["NotPrincipal"];
  ASSIGN_OR_RETURN(st.principals, ParsePrincipalElement(element));
  st.principal_mode = has_principal ? Statement::PrincipalMode::kPrincipal : Statement::PrincipalMode::kNotPrincipal;
  return OkStatus();
}

// Exactly one of `field` and `not_field`; returns the one present and sets
// `negated` when it is `not_field`.
Result<const json*> OneOf(const json& s, const char* field, const char* not_field, bool& negated) {
  bool has = s.contains(field), has_not = s.contains(not_field);
  if (has && has_not) {
    return Malformed(std::string("Statement must not have both ") + field + " and " + not_field);
  }
  if (!has && !has_not) return Malformed(std::string("Missing required field ") + field);
  negated = has_not;
  return &s[has ? field : not_field];
}

Result<Statement> ParseStatement(const json& s, bool variables, const ParseOptions& options) {
  if (!s.is_object()) return Malformed("Statement must be an object");
  static const std::set<std::string, std::less<>> kFields = {
      "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
      "Resource", "NotResource", "Condition"};
  for (const auto& [name, unused] : s.items()) {
    if (!kFields.contains(name)) return Malformed("Unknown field " + Excerpt(name));
  }
  Statement st;
  if (s.contains("Sid")) {
    if (!s["Sid"].is_string()) return Malformed("Sid must be a string");
    st.sid = s["Sid"].get<std::string>();
  }
  if (!s.contains("Effect")) return Malformed("Missing required field Effect");
  const json& effect = s["Effect"];
  if (effect == "Allow") {
    st.effect = Effect::kAllow;
  } else if (effect == "Deny") {
    st.effect = Effect::kDeny;
  } else {
    return Malformed("Invalid effect: " + Excerpt(effect.is_string() ? effect.get<std::string>() : effect.dump()));
  }
  RETURN_IF_ERROR(ParsePrincipal(s, options, st));
  ASSIGN_OR_RETURN(const json* actions, OneOf(s, "Action", "NotAction", st.not_action));
  RETURN_IF_ERROR(ParseActions(*actions, st.not_action ? "NotAction" : "Action", st));
  ASSIGN_OR_RETURN(const json* resources, OneOf(s, "Resource", "NotResource", st.not_resource));
  RETURN_IF_ERROR(ParseResources(*resources, st.not_resource ? "NotResource" : "Resource", variables, options, st));
  RETURN_IF_ERROR(CheckActionsApply(st));
  if (s.contains("Condition")) RETURN_IF_ERROR(ParseConditions(s["Condition"], variables, st));
  return st;
}

}  // namespace

Result<Policy> Policy::Parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.max_bytes) {
    return Malformed("Policy exceeds the maximum allowed document size of " + std::to_string(options.max_bytes) +
                     " bytes");
  }
  if (options.kind == PolicyKind::kBucket && options.bucket.empty()) {
    return InvalidArgumentError("a bucket policy needs ParseOptions::bucket");
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  for (const auto& [name, unused] : doc.items()) {
    if (name != "Version" && name != "Id" && name != "Statement") return Malformed("Unknown field " + Excerpt(name));
  }
  Policy policy;
  policy.kind_ = options.kind;
  policy.version_ = std::string(kVersion2008);
  if (doc.contains("Version")) {
    const json& v = doc["Version"];
    if (!v.is_string() || (v != kVersion2012 && v != kVersion2008)) {
      return Malformed("The policy must contain a valid version string (\"2012-10-17\" or \"2008-10-17\")");
    }
    policy.version_ = v.get<std::string>();
  }
  if (doc.contains("Id")) {
    if (!doc["Id"].is_string()) return Malformed("Id must be a string");
    policy.id_ = doc["Id"].get<std::string>();
  }
  if (!doc.contains("Statement")) return Malformed("Missing required field Statement");
  const json& statements = doc["Statement"];
  if (statements.is_array() && statements.empty()) return Malformed("Statement is empty");
  bool variables = policy.version_ == kVersion2012;
  std::set<std::string, std::less<>> sids;
  auto add = [&](const json& s) -> Status {
    ASSIGN_OR_RETURN(Statement st, ParseStatement(s, variables, options));
    if (!st.sid.empty() && !sids.insert(st.sid).second) {
      return Malformed("Statement IDs (SID) in a single policy must be unique: " + Excerpt(st.sid));
    }
    policy.statements_.push_back(std::move(st));
    return OkStatus();
  };
  if (statements.is_array()) {
    for (const json& s : statements) RETURN_IF_ERROR(add(s));
  } else {
    RETURN_IF_ERROR(add(statements));
  }
  return policy;
}

}  // namespace confiance::iam::policy

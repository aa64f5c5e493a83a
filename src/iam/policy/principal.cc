// File: iam/policy/principal.cc
#include "iam/policy/principal.h"

#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "iam/policy/excerpt.h"

namespace confiance::iam::policy {
namespace {

using Kind = PrincipalPattern::Kind;
constexpr std::string_view kIamArnPrefix = "arn:aws:iam::";

bool IsTenantId(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// IAM user names (with an optional path): letters, digits and "+=,.@_-/".
bool IsUserName(std::string_view s) {
  if (s.empty() || s.size() > 512 || s.front() == '/' || s.back() == '/') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("+=,.@_-/").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsCanonicalId(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    char l = AsciiLower(c);
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return false;
  }
  return true;
}

bool IsServiceName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

Status Invalid(std::string_view what) {
  return InvalidArgumentError("Invalid principal in policy: " + Excerpt(what));
}

Result<PrincipalPattern> ParseAws(std::string_view v) {
  if (v == "*") return PrincipalPattern{Kind::kEveryone, ""};
  if (IsTenantId(v)) return PrincipalPattern{Kind::kAccount, std::string(v)};
  if (v.substr(0, kIamArnPrefix.size()) != kIamArnPrefix) return Invalid(v);
  std::string_view rest = v.substr(kIamArnPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || !IsTenantId(rest.substr(0, colon))) return Invalid(v);
  std::string_view account = rest.substr(0, colon);
  std::string_view resource = rest.substr(colon + 1);
  if (resource == "root") return PrincipalPattern{Kind::kAccount, std::string(account)};
  if (resource.substr(0, 5) == "user/" && IsUserName(resource.substr(5))) {
    return PrincipalPattern{Kind::kUser, std::string(v)};
  }
  return Invalid(v);
}

Result<PrincipalPattern> ParseCanonical(std::string_view v) {
  if (!IsCanonicalId(v)) return Invalid(v);
  return PrincipalPattern{Kind::kCanonicalUser, ToLower(v)};
}

Result<PrincipalPattern> ParseService(std::string_view v) {
  if (!IsServiceName(v)) return Invalid(v);
  return PrincipalPattern{Kind::kService, std::string(v)};
}

}  // namespace

bool PrincipalPattern::Matches(const Requester& requester) const {
  switch (kind) {
    case Kind::kEveryone: return true;
    case Kind::kAccount: return !requester.anonymous && requester.account == value;
    case Kind::kUser: return !requester.anonymous && requester.arn == value;
    case Kind::kCanonicalUser: return !requester.anonymous && requester.canonical_id == value;
    case Kind::kService: return !requester.service.empty() && requester.service == value;
  }
  return false;
}

Result<std::vector<PrincipalPattern>> ParsePrincipalElement(const nlohmann::json& element) {
  std::vector<PrincipalPattern> out;
  if (element.is_string()) {
    if (element.get_ref<const std::string&>() != "*") return Invalid(element.get_ref<const std::string&>());
    out.push_back({Kind::kEveryone, ""});
    return out;
  }
  if (!element.is_object() || element.empty()) return Invalid("expected \"*\" or an object");
  for (const auto& [type, values] : element.items()) {
    if (type != "AWS" && type != "CanonicalUser" && type != "Service") {
      return Invalid("unsupported principal type " + type);
    }
    const nlohmann::json* items = &values;
    nlohmann::json single = nlohmann::json::array();
    if (values.is_string()) {
      single.push_back(values);
      items = &single;
    }
    if (!items->is_array() || items->empty()) return Invalid(type + " must be a string or a list of strings");
    for (const auto& v : *items) {
      if (!v.is_string()) return Invalid(type + " must be a string or a list of strings");
      const std::string& s = v.get_ref<const std::string&>();
      ASSIGN_OR_RETURN(PrincipalPattern p, type == "AWS"       ? ParseAws(s)
                                           : type == "Service" ? ParseService(s)
                                                               : ParseCanonical(s));
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace confiance::iam::policy

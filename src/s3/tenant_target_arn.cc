// File: s3/tenant_target_arn.cc
#include "s3/tenant_target_arn.h"

#include <algorithm>

namespace confiance::s3 {

bool ValidTargetName(std::string_view n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string TenantTargetArn(std::string_view prefix, std::string_view tenant, std::string_view name) {
  std::string arn(prefix);
  arn.append(tenant).append(":").append(name);
  return arn;
}

std::optional<std::pair<std::string, std::string>> ParseTenantTargetArn(std::string_view prefix, std::string_view arn) {
  if (!arn.starts_with(prefix)) return std::nullopt;
  std::string_view rest = arn.substr(prefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || !ValidTargetName(rest.substr(colon + 1))) return std::nullopt;
  return std::make_pair(std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1)));
}

}  // namespace confiance::s3

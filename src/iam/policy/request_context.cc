// File: iam/policy/request_context.cc
#include "iam/policy/request_context.h"

#include "common/ascii.h"

namespace confiance::iam::policy {

std::string PrincipalArn(std::string_view account, std::string_view user) {
  std::string arn = "arn:aws:iam::";
  arn.append(account);
  if (user == "root") {
    arn.append(":root");
  } else {
    arn.append(":user/");
    arn.append(user);
  }
  return arn;
}

std::optional<std::string_view> RequestContext::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (EqualsIgnoreCase(e.key, key)) return e.value;
  }
  return std::nullopt;
}

}  // namespace confiance::iam::policy

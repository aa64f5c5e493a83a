// File: admin/identity_policy.cc
#include "admin/identity_policy.h"

#include <nlohmann/json.hpp>

#include <string>

namespace confiance::admin {

Status ValidateIdentityPolicy(std::string_view document) {
  if (document.size() > kMaxPolicySize) {
    return InvalidArgumentError("the policy document exceeds " + std::to_string(kMaxPolicySize) + " bytes");
  }
  nlohmann::json doc = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError("the policy document is not valid JSON");
  if (!doc.is_object()) return InvalidArgumentError("the policy document must be a JSON object");
  return OkStatus();
}

}  // namespace confiance::admin

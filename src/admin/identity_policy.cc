// File: admin/identity_policy.cc
#include "admin/identity_policy.h"

#include <string>

#include "iam/policy/policy.h"

namespace confiance::admin {

Status ValidateIdentityPolicy(std::string_view document) {
  if (document.size() > kMaxPolicySize) {
    return InvalidArgumentError("the policy document exceeds " + std::to_string(kMaxPolicySize) + " bytes");
  }
  iam::policy::ParseOptions options;
  options.kind = iam::policy::PolicyKind::kIdentity;
  options.max_bytes = kMaxPolicySize;
  // The engine's message is a sentence fit for the caller (MalformedPolicy style).
  return iam::policy::Policy::Parse(document, options).status();
}

}  // namespace confiance::admin

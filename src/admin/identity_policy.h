// File: admin/identity_policy.h
// The check an identity policy document passes before PutUserPolicy stores
// it. For now only the shape: a JSON object. The policy engine (issue 5,
// "Access control") replaces the body of ValidateIdentityPolicy with its
// parser; the admin API answers MalformedPolicy with the returned message.
#pragma once

#include <string_view>

#include "common/status.h"

namespace confiance::admin {

// Largest identity policy document accepted (AWS: 2,048 characters per
// inline user policy, without whitespace; we allow the managed-policy size).
inline constexpr size_t kMaxPolicySize = 6144;

// OK if `document` may be stored as an identity policy; InvalidArgument
// with a message for the client otherwise.
Status ValidateIdentityPolicy(std::string_view document);

}  // namespace confiance::admin

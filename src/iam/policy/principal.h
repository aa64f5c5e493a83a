// File: iam/policy/principal.h
// The Principal / NotPrincipal element of a bucket policy, in Confiance's
// identity model: accounts are tenants, principals are a tenant's root or one
// of its users.
//
// Accepted forms (strings or arrays of strings):
//   "*", {"AWS": "*"}                         everyone, anonymous included
//   {"AWS": "<tenant>"}, {"AWS": "arn:aws:iam::<tenant>:root"}
//                                             any principal of that tenant
//   {"AWS": "arn:aws:iam::<tenant>:user/<name>"}   that user
//   {"CanonicalUser": "<64 hex>"}             any principal of the tenant
//                                             with that S3 Owner ID
//   {"Service": "<name>"}                     a service of this server acting
//                                             for a tenant: only
//                                             "logging.s3.amazonaws.com",
//                                             server access log delivery
//                                             (docs/bucket-logging.md), ever
//                                             asks; other names parse, as
//                                             AWS's, and match nothing
// A tenant id is 1-63 lowercase letters, digits and '-'; a service name
// 1-128 lowercase letters, digits, '.' and '-'. Anything else (wildcards
// inside an ARN or a service name, other principal types) is an invalid
// principal.
//
// Thread-safety: immutable values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "iam/policy/request_context.h"

namespace confiance::iam::policy {

struct PrincipalPattern {
  enum class Kind { kEveryone, kAccount, kUser, kCanonicalUser, kService };
  Kind kind = Kind::kEveryone;
  std::string value;  // tenant id, user ARN, lowercase canonical id, or service name

  // kEveryone matches anyone, services included; kService only that
  // service; the others never match an anonymous requester (a service is
  // one: it signs nothing).
  bool Matches(const Requester& requester) const;
};

// Parses the value of a Principal or NotPrincipal element. InvalidArgument
// "Invalid principal in policy: ..." for any other shape.
Result<std::vector<PrincipalPattern>> ParsePrincipalElement(const nlohmann::json& element);

}  // namespace confiance::iam::policy

// File: s3/tenant_target_arn.h
// The ARNs of the places an operator declares for one tenant: webhooks for
// bucket notifications (arn:confiance:sqs::TENANT:NAME) and bucket
// replication destinations (arn:confiance:replication::TENANT:NAME). One
// form, so that a name valid for one is valid for the other.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace confiance::s3 {

// A target's name: 1-64 of A-Z a-z 0-9 _ -.
bool ValidTargetName(std::string_view name);

// `prefix` ("arn:confiance:sqs::") followed by "TENANT:NAME".
std::string TenantTargetArn(std::string_view prefix, std::string_view tenant, std::string_view name);

// (tenant, name) of an ARN of that form with a valid name; else nullopt.
std::optional<std::pair<std::string, std::string>> ParseTenantTargetArn(std::string_view prefix, std::string_view arn);

}  // namespace confiance::s3

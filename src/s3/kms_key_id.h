// File: s3/kms_key_id.h
// The pure parts of SSE-KMS requests (docs/encryption.md "SSE-KMS"): which
// tenant a KMS key id names, and whether an encryption context is well
// formed. No HTTP here, so that a fuzz target can build it alone.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace confiance::s3 {

// The prefix of the ARN form of a tenant key id: "arn:confiance:kms:::key/"
// then the tenant id.
inline constexpr std::string_view kTenantKeyArnPrefix = "arn:confiance:kms:::key/";
// The tenant whose key `key_id` names (the bare tenant id, [a-z0-9][a-z0-9-]{1,62},
// or its ARN form); nullopt if it is neither.
std::optional<std::string> TenantOfKmsKeyId(std::string_view key_id);
// The ARN form of `tenant`'s key id.
std::string TenantKeyArn(std::string_view tenant);
// x-amz-server-side-encryption-context: base64 of a JSON object whose values
// are strings (S3's rule), at most 4 KiB of base64.
bool ValidKmsContext(std::string_view b64);

}  // namespace confiance::s3

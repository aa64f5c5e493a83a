// File: s3/kms_key_id.cc
#include "s3/kms_key_id.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"

namespace confiance::s3 {

std::optional<std::string> TenantOfKmsKeyId(std::string_view key_id) {
  if (key_id.starts_with(kTenantKeyArnPrefix)) key_id.remove_prefix(kTenantKeyArnPrefix.size());
  // Tenant ids are [a-z0-9][a-z0-9-]{1,62} (iam/directory.h).
  if (key_id.size() < 2 || key_id.size() > 63) return std::nullopt;
  for (char c : key_id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
  }
  if (key_id.front() == '-') return std::nullopt;
  return std::string(key_id);
}

std::string TenantKeyArn(std::string_view tenant) { return std::string(kTenantKeyArnPrefix) + std::string(tenant); }

bool ValidKmsContext(std::string_view b64) {
  if (b64.size() > 4096) return false;
  Result<std::string> raw = crypto::Base64Decode(b64);
  if (!raw.ok()) return false;
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return false;
  }
  return true;
}

}  // namespace confiance::s3

// File: s3/kms_context.cc
#include "s3/kms_context.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"

namespace confiance::s3 {

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

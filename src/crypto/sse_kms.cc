// File: crypto/sse_kms.cc
#include "crypto/sse_kms.h"

#include <string>

#include "crypto/customer_key.h"

namespace confiance::crypto {

Result<SecretBytes> DeriveKmsKek(const SecretBytes& bucket_key, std::string_view key_id, std::string_view context) {
  if (bucket_key.empty()) return InvalidArgumentError("SSE-KMS: empty bucket key");
  if (key_id.empty()) return InvalidArgumentError("SSE-KMS: empty key id");
  std::string info = "confiance/sse-kms/kek/v1";
  info.push_back('\0');
  info.append(key_id);
  info.push_back('\0');
  info.append(context);
  return HkdfSha256(bucket_key, "", info, 32);
}

}  // namespace confiance::crypto

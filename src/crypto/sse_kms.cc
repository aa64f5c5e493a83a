// File: crypto/sse_kms.cc
#include "crypto/sse_kms.h"

#include <algorithm>
#include <string>

#include "crypto/customer_key.h"

namespace confiance::crypto {

namespace {

std::string KekInfo(std::string_view label, std::string_view key_id, std::string_view context) {
  std::string info(label);
  info.push_back('\0');
  info.append(key_id);
  info.push_back('\0');
  info.append(context);
  return info;
}

}  // namespace

Result<SecretBytes> DeriveKmsKek(const SecretBytes& bucket_key, std::string_view key_id, std::string_view context) {
  if (bucket_key.empty()) return InvalidArgumentError("SSE-KMS: empty bucket key");
  if (key_id.empty()) return InvalidArgumentError("SSE-KMS: empty key id");
  return HkdfSha256(bucket_key, "", KekInfo("confiance/sse-kms/kek/v1", key_id, context), 32);
}

Result<SecretBytes> DeriveNamedKmsKek(const SecretBytes& bucket_key, const SecretBytes& named_key,
                                      std::string_view key_id, std::string_view context) {
  if (bucket_key.empty() || named_key.empty()) return InvalidArgumentError("SSE-KMS: empty key");
  if (key_id.empty()) return InvalidArgumentError("SSE-KMS: empty key id");
  SecretBytes ikm(bucket_key.size() + named_key.size());
  std::copy(bucket_key.span().begin(), bucket_key.span().end(), reinterpret_cast<std::byte*>(ikm.mutable_data()));
  std::copy(named_key.span().begin(), named_key.span().end(),
            reinterpret_cast<std::byte*>(ikm.mutable_data()) + bucket_key.size());
  return HkdfSha256(ikm, "", KekInfo("confiance/sse-kms/kek/v2", key_id, context), 32);
}

}  // namespace confiance::crypto

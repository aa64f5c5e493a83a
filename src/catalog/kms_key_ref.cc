// File: catalog/kms_key_ref.cc
#include "catalog/kms_key_ref.h"

namespace confiance::catalog {

bool ValidKmsKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<KmsKeyRef> NamedKeyOfRecordId(std::string_view record_id) {
  const size_t slash = record_id.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  KmsKeyRef ref{std::string(record_id.substr(0, slash)), std::string(record_id.substr(slash + 1))};
  if (!ValidTenantId(ref.tenant) || !ValidKmsKeyName(ref.name)) return std::nullopt;
  return ref;
}

std::optional<KmsKeyRef> ParseKmsKeyId(std::string_view key_id, std::string_view owner) {
  if (key_id.starts_with(kKmsKeyAliasPrefix)) {
    key_id.remove_prefix(kKmsKeyAliasPrefix.size());
    if (!ValidKmsKeyName(key_id) || !ValidTenantId(owner)) return std::nullopt;
    return KmsKeyRef{std::string(owner), std::string(key_id)};
  }
  if (key_id.starts_with(kKmsKeyArnPrefix)) key_id.remove_prefix(kKmsKeyArnPrefix.size());
  if (key_id.find('/') != std::string_view::npos) return NamedKeyOfRecordId(key_id);
  if (!ValidTenantId(key_id)) return std::nullopt;
  return KmsKeyRef{std::string(key_id), {}};
}

std::string KmsKeyArn(const KmsKeyRef& ref) { return std::string(kKmsKeyArnPrefix) + ref.RecordId(); }

}  // namespace confiance::catalog

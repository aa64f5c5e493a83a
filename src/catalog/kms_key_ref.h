// File: catalog/kms_key_ref.h
// Which key an SSE-KMS key id names (docs/encryption.md "SSE-KMS", docs/keys.md
// "Named KMS keys"). A tenant's KMS keys are its tenant key (the default) and
// the named keys it creates; the forms accepted, for a bucket owned by `owner`:
//
//   acme                                  the tenant key of tenant acme
//   arn:confiance:kms:::key/acme          the same, as an ARN
//   acme/payroll                          tenant acme's named key "payroll"
//   arn:confiance:kms:::key/acme/payroll  the same, as an ARN
//   alias/payroll                         the owner's named key "payroll"
//
// The id is kept as sent in the object record and bound into the KEK
// (crypto/sse_kms.h), so an object names its key the way it was written.
// Whether the named tenant is the bucket's owner, and whether a named key
// exists, are the caller's checks. Pure: no store, no HTTP (a fuzz target
// builds it alone).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/tenant_id.h"

namespace confiance::catalog {

// The prefix of the ARN forms: "arn:confiance:kms:::key/" then the tenant id.
inline constexpr std::string_view kKmsKeyArnPrefix = "arn:confiance:kms:::key/";
inline constexpr std::string_view kKmsKeyAliasPrefix = "alias/";

struct KmsKeyRef {
  std::string tenant;
  std::string name;  // empty: the tenant key

  bool named() const { return !name.empty(); }
  // The key's id among TenantKeys' records: the tenant id, or
  // "<tenant>/<name>" for a named key (tenant ids hold no '/').
  std::string RecordId() const { return named() ? tenant + "/" + name : tenant; }
  bool operator==(const KmsKeyRef&) const = default;
};

// Named keys' names: [A-Za-z0-9_-]{1,64}.
bool ValidKmsKeyName(std::string_view name);
// The key `key_id` names in a bucket owned by `owner` (owner resolves the
// alias form); nullopt for any other form (an AWS ARN, an empty id, a bad
// tenant id or name).
std::optional<KmsKeyRef> ParseKmsKeyId(std::string_view key_id, std::string_view owner);
// The ARN form of `ref`.
std::string KmsKeyArn(const KmsKeyRef& ref);
// A TenantKeys record id that is a named key's ("<tenant>/<name>"), split;
// nullopt for a tenant's own key id.
std::optional<KmsKeyRef> NamedKeyOfRecordId(std::string_view record_id);

}  // namespace confiance::catalog

// File: common/tenant_id.h
// The one rule for tenant ids, shared by the directory that creates tenants
// (iam/directory.h) and the parsers that find a tenant inside other names
// (SSE-KMS key ids: catalog/kms_key_ref.h): 2-63 characters of [a-z0-9-],
// not starting with '-'. Header-only, so that fuzz targets built from their
// own sources get it too.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace confiance {

inline bool ValidTenantId(std::string_view id) {
  if (id.size() < 2 || id.size() > 63) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0))) return false;
  }
  return true;
}

}  // namespace confiance

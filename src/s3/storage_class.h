// File: s3/storage_class.h
// The storage class of a version or an upload as S3 names it
// (docs/storage-classes.md): records keep "" for STANDARD, the class of
// every write that names none.
#pragma once

#include <string_view>

#include "catalog/records.h"
#include "sovereignty/residency/pools.h"

namespace confiance::s3 {

inline std::string_view StorageClassOf(const catalog::ObjectRecord& r) {
  return r.storage_class.empty() ? sovereignty::kStandardStorageClass : std::string_view(r.storage_class);
}
inline std::string_view StorageClassOf(const catalog::UploadRecord& u) {
  return u.storage_class.empty() ? sovereignty::kStandardStorageClass : std::string_view(u.storage_class);
}
// The stored form of `storage_class`: "" for STANDARD.
inline std::string StoredStorageClass(std::string_view storage_class) {
  return storage_class == sovereignty::kStandardStorageClass ? std::string() : std::string(storage_class);
}

}  // namespace confiance::s3

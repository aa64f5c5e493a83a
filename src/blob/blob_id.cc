// File: blob/blob_id.cc
#include "blob/blob_id.h"

#include <openssl/rand.h>

#include <array>

namespace confiance::blob {

Result<std::string> NewBlobId() {
  std::array<unsigned char, kBlobIdLength / 2> raw;
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return InternalError("RAND_bytes failed to generate a blob id");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kBlobIdLength);
  for (unsigned char b : raw) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

bool IsValidBlobId(std::string_view id) {
  if (id.size() != kBlobIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status CheckBlobId(const std::string& id) {
  if (!IsValidBlobId(id)) return InvalidArgumentError("malformed blob id: " + id);
  return OkStatus();
}

}  // namespace confiance::blob

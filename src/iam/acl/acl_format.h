// File: iam/acl/acl_format.h
// The stored encoding of an Acl (docs/acl_format.md): a CBOR map with a
// version field, written through nlohmann-json like the catalog's records.
// Lower layers (catalog/) keep the encoded bytes opaque, so the format
// belongs to this folder. Every version ever written keeps a decoder.
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "iam/acl/acl.h"

namespace confiance::iam::acl {

// The version EncodeAcl writes. DO NOT reuse a number for another layout.
inline constexpr uint64_t kAclFormatVersion = 1;

// Stable wire codes (docs/acl_format.md), independent of enum order.
namespace wire {
inline constexpr uint64_t kGranteeUser = 0;
inline constexpr uint64_t kGranteeGroup = 1;
inline constexpr uint64_t kGranteeEmail = 2;

inline constexpr uint64_t kRead = 0;
inline constexpr uint64_t kWrite = 1;
inline constexpr uint64_t kReadAcp = 2;
inline constexpr uint64_t kWriteAcp = 3;
inline constexpr uint64_t kFullControl = 4;

inline constexpr uint64_t kAllUsers = 0;
inline constexpr uint64_t kAuthenticatedUsers = 1;
inline constexpr uint64_t kLogDelivery = 2;
}  // namespace wire

// The encoded record; DecodeAcl(EncodeAcl(a)) == a for every Acl.
std::string EncodeAcl(const Acl& acl);

// DataLoss for bytes that are not an ACL record of a known version, or that
// hold an unknown code or a field of the wrong type.
Result<Acl> DecodeAcl(std::string_view bytes);

}  // namespace confiance::iam::acl

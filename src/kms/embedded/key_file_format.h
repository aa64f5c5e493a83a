// File: kms/embedded/key_file_format.h
// The embedded keystore's root key file, key_dir/root.key (mode 0600),
// documented in docs/blob_format.md "Embedded root key file". DO NOT CHANGE
// these values; a new layout gets a new version and keeps this decoder.
//
// Version 1 (one key; still written whenever the keystore holds one key,
// so that a file without a rotation in progress opens in older releases):
//   "CNFK" | version=1 | key_len=32 | id_len | reserved=0 |
//   key id (id_len ASCII bytes, "root-" + 8 lowercase hex) | key (key_len) |
//   SHA-256 of every preceding byte (32)
// Version 2 (several key versions: a root key rotation in progress):
//   "CNFK" | version=2 | count (1..kMaxKeyVersions) | reserved=0 | reserved=0 |
//   count x (id_len | key_len=32 | key id | key) |
//   SHA-256 of every preceding byte (32)
//   The first entry is the current key (DefaultKeyId), the others older
//   versions kept until the rotation retires them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace confiance::kms {

inline constexpr char kKeyFileMagic[4] = {'C', 'N', 'F', 'K'};
inline constexpr uint8_t kKeyFileVersion = 1;
inline constexpr uint8_t kKeyFileVersionMulti = 2;
inline constexpr size_t kKeyFileFixedHeader = 8;  // magic, version, key_len|count, id_len|0, reserved
inline constexpr size_t kRootKeySize = 32;
inline constexpr size_t kKeyFileChecksumSize = 32;
inline constexpr size_t kMaxKeyIdSize = 64;
inline constexpr size_t kMaxKeyVersions = 8;
inline constexpr char kRootKeyFileName[] = "root.key";
inline constexpr char kRootKeyIdPrefix[] = "root-";

}  // namespace confiance::kms

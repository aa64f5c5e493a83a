// File: kms/kmip/kmip_wrap_format.h
// The wrapped-key blob KmipKeyProvider produces, documented in
// docs/blob_format.md "KMIP-wrapped keys". DO NOT CHANGE these values; a new
// layout gets a new version and keeps this decoder.
//
//   "CNKW" | version=1 | iv_len (1) | kms_len (BE16) |
//   iv (iv_len) | kms_ciphertext (kms_len) | sealed
//
// kms_ciphertext is the KMS's AES-256-CBC-PKCS5 encryption (KMIP Encrypt,
// under the named key, with its IV `iv`) of a fresh random 32-byte one-time
// key K. sealed is crypto::WrapKey(K, key, aad) (AES-256-GCM) with
//   aad = BE16(len(key_id)) | key_id | BE32(len(header)) | header | context
// where header is every byte before `sealed`. CBC alone is malleable; the
// GCM seal under K authenticates the key id, the caller's context, the KMS
// ciphertext and the key, and only the KMS can recover K.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::kms::kmip {

inline constexpr char kWrapMagic[4] = {'C', 'N', 'K', 'W'};
inline constexpr uint8_t kKmipWrapVersion = 1;
inline constexpr size_t kWrapFixedHeader = 8;  // magic, version, iv_len, kms_len
inline constexpr size_t kOneTimeKeySize = 32;
inline constexpr size_t kMaxIvSize = 32;
inline constexpr size_t kMaxKmsCiphertext = 1024;

struct ParsedWrap {
  std::string_view header;  // every byte before `sealed` (views into the input)
  std::string_view iv;
  std::string_view kms_ciphertext;
  std::string_view sealed;
};

// The header for (iv, kms_ciphertext). REQUIRES: sizes within the limits.
std::string EncodeWrapHeader(std::string_view iv, std::string_view kms_ciphertext);
// Splits a blob; the views point into `blob`. DataLoss if malformed
// (magic, sizes, truncation), Unimplemented for an unknown version.
Result<ParsedWrap> ParseWrap(std::string_view blob);
// The associated data of the GCM seal (see above).
std::string SealAad(std::string_view key_id, std::string_view header, std::string_view context);

}  // namespace confiance::kms::kmip

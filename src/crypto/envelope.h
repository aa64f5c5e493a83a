// File: crypto/envelope.h
// Envelope encryption of keys: a key-encryption key (KEK) seals a data key,
// with a caller context (e.g. "bucket=b/object=k/version=v") bound as
// associated data, so that a wrapped key moved to another record does not
// unwrap.
//
// Wire format (version 1), docs/blob_format.md "Wrapped keys":
//   0x01 | nonce(12, random) | AES-256-GCM(key) | tag(16)
//   AAD = 0x01 | context
// With random 96-bit nonces a KEK may wrap up to 2^32 keys (NIST SP 800-38D
// 8.3); rotate it well before that.
//
// Thread-safety: pure functions, safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

inline constexpr uint8_t kWrapVersion = 1;
inline constexpr size_t kWrapOverhead = 1 + 12 + 16;  // version, nonce, tag

// Wraps `key` (1..1024 bytes) under the 32-byte `kek`. InvalidArgument on a
// bad key size, Internal on an OpenSSL or randomness failure.
Result<std::string> WrapKey(const SecretBytes& kek, const SecretBytes& key, std::string_view context);

// Reverses WrapKey. DataLoss if `wrapped` is malformed (too short, unknown
// version); PermissionDenied if it does not authenticate under `kek` and
// `context` (wrong KEK, wrong context, or tampered bytes: indistinguishable
// by design). InvalidArgument on a bad KEK size.
Result<SecretBytes> UnwrapKey(const SecretBytes& kek, std::string_view wrapped, std::string_view context);

// As WrapKey with a caller-chosen nonce, for deterministic fakes and test
// vectors only. REQUIRES: a (kek, nonce) pair never wraps two different
// (key, context) pairs.
Result<std::string> TEST_WrapKeyWithNonce(const SecretBytes& kek, const SecretBytes& key,
                                          std::string_view context, std::span<const std::byte, 12> nonce);

}  // namespace confiance::crypto

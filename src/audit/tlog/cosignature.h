// File: audit/tlog/cosignature.h
// C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), Ed25519
// "cosignature/v1": a witness's signed statement that, as of a time, the
// checkpoint is the largest consistent tree it has seen for its origin.
//
//   signature line:  "— " <name> " " base64(key ID (4) || timestamp (8, BE) || Ed25519 signature (64)) "\n"
//   key ID:          SHA-256(name || "\n" || 0x04 || public key)[:4]
//   signed message:  "cosignature/v1\n" "time " <timestamp, decimal> "\n" <checkpoint note text>
//   verifier key:    <name> "+" <key ID hex> "+" base64(0x04 || public key)
//   private key:     "PRIVATE+KEY+" <name> "+" <key ID hex> "+" base64(0x04 || seed)
//
// Thread-safety: immutable objects, safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/ed25519.h"
#include "crypto/secret_bytes.h"

namespace confiance::audit::tlog {

inline constexpr uint8_t kCosignatureV1Ed25519 = 0x04;

class CosignatureSigner {
 public:
  // InvalidArgument for an invalid key name (see ValidKeyName).
  static Result<CosignatureSigner> Create(std::string name, crypto::Ed25519PrivateKey key);
  // Parses the private key string above; InvalidArgument if malformed.
  static Result<CosignatureSigner> FromPrivateKey(std::string_view private_key);

  const std::string& name() const { return name_; }
  crypto::SecretBytes PrivateKey() const;
  std::string VerifierKey() const;
  // The signature line (with its final newline) over checkpoint note text
  // `text` (ending in "\n", no signature lines) at POSIX time `timestamp`.
  Result<std::string> Cosign(std::string_view text, uint64_t timestamp) const;

 private:
  CosignatureSigner(std::string name, crypto::Ed25519PrivateKey key);
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_id_;
};

class CosignatureVerifier {
 public:
  // Parses a verifier key with algorithm 0x04. InvalidArgument otherwise.
  static Result<CosignatureVerifier> FromKey(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  // The timestamp of the valid cosignature of this key on signed note
  // `note`. InvalidArgument for a malformed note; NotFound if no signature
  // line is from this key; Unauthenticated if one from it does not verify.
  Result<uint64_t> Verify(std::string_view note) const;

 private:
  CosignatureVerifier(std::string name, const crypto::Ed25519PublicKey& key);
  std::string name_;
  crypto::Ed25519PublicKey key_;
  uint32_t key_id_;
};

}  // namespace confiance::audit::tlog

// File: crypto/ed25519.h
// Ed25519 signatures (RFC 8032, pure Ed25519 as OpenSSL 3 implements it):
// the transparency log signs its checkpoints with them (C2SP signed-note).
//
// Thread-safety: a key object is immutable after construction and safe for
// concurrent use; the free functions are safe for concurrent use.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

class Ed25519PrivateKey {
 public:
  // A new random key. Internal if the random generator or OpenSSL fails.
  static Result<Ed25519PrivateKey> Generate();
  // The key whose RFC 8032 private key (the 32-byte seed) is `seed`.
  // InvalidArgument unless seed.size() == kEd25519SeedSize.
  static Result<Ed25519PrivateKey> FromSeed(std::span<const std::byte> seed);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept;
  ~Ed25519PrivateKey();

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The seed, to persist the key (wiped when freed).
  const SecretBytes& seed() const { return seed_; }
  // Signs `message`. Internal only on an OpenSSL failure.
  Result<Ed25519Signature> Sign(std::string_view message) const;

 private:
  struct Impl;
  Ed25519PrivateKey(SecretBytes seed, std::unique_ptr<Impl> impl, const Ed25519PublicKey& pub);
  SecretBytes seed_;
  std::unique_ptr<Impl> impl_;
  Ed25519PublicKey public_key_{};
};

// True if `signature` is a valid signature of `message` by `public_key`.
// A malformed key or signature is simply not valid.
bool Ed25519Verify(const Ed25519PublicKey& public_key, std::string_view message,
                   std::span<const uint8_t> signature);

}  // namespace confiance::crypto

// File: audit/tlog/cosignature.cc
#include "audit/tlog/cosignature.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "audit/tlog/note.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::audit::tlog {
namespace {

std::string KeyIdHex(uint32_t h) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", h);
  return buf;
}

std::string KeyBlob(uint8_t alg, std::span<const uint8_t> key) {
  std::string blob(1, static_cast<char>(alg));
  blob.append(reinterpret_cast<const char*>(key.data()), key.size());
  return blob;
}

uint32_t KeyId(std::string_view name, const crypto::Ed25519PublicKey& key) {
  crypto::Sha256 h;
  h.Update(name);
  h.Update("\n");
  h.Update(KeyBlob(kCosignatureV1Ed25519, key));
  auto d = h.Finish();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

std::string SignedMessage(std::string_view text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(text);
}

// Splits "<prefix><name>+<hex>+<base64>" into its parts.
struct KeyParts {
  std::string name;
  std::string_view hex;
  std::string blob;
};
Result<KeyParts> SplitKey(std::string_view key, size_t material_size, const char* what) {
  size_t p1 = key.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : key.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return InvalidArgumentError(std::string(what) + ": expected name+hash+key");
  KeyParts parts{std::string(key.substr(0, p1)), key.substr(p1 + 1, p2 - p1 - 1), {}};
  if (!ValidKeyName(parts.name)) return InvalidArgumentError(std::string(what) + ": invalid name");
  auto blob = crypto::Base64Decode(key.substr(p2 + 1));
  if (!blob.ok() || blob->size() != 1 + material_size || static_cast<uint8_t>((*blob)[0]) != kCosignatureV1Ed25519) {
    return InvalidArgumentError(std::string(what) + ": not an Ed25519 cosignature/v1 key");
  }
  parts.blob = std::move(blob).value();
  return parts;
}

}  // namespace

CosignatureSigner::CosignatureSigner(std::string name, crypto::Ed25519PrivateKey key)
    : name_(std::move(name)), key_(std::move(key)), key_id_(KeyId(name_, key_.public_key())) {}

Result<CosignatureSigner> CosignatureSigner::Create(std::string name, crypto::Ed25519PrivateKey key) {
  if (!ValidKeyName(name)) return InvalidArgumentError("cosigner: invalid key name");
  return CosignatureSigner(std::move(name), std::move(key));
}

Result<CosignatureSigner> CosignatureSigner::FromPrivateKey(std::string_view private_key) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (!private_key.starts_with(kPrefix)) return InvalidArgumentError("cosigner key: missing prefix");
  ASSIGN_OR_RETURN(KeyParts parts, SplitKey(private_key.substr(kPrefix.size()), crypto::kEd25519SeedSize, "cosigner key"));
  crypto::SecretBytes seed(std::as_bytes(std::span(parts.blob.data() + 1, crypto::kEd25519SeedSize)));
  std::fill(parts.blob.begin(), parts.blob.end(), '\0');
  ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::FromSeed(seed.span()));
  CosignatureSigner signer(std::move(parts.name), std::move(key));
  if (KeyIdHex(signer.key_id_) != parts.hex) return InvalidArgumentError("cosigner key: hash does not match the key");
  return signer;
}

crypto::SecretBytes CosignatureSigner::PrivateKey() const {
  std::string blob(1, static_cast<char>(kCosignatureV1Ed25519));
  blob.append(reinterpret_cast<const char*>(key_.seed().data()), key_.seed().size());
  std::string text = "PRIVATE+KEY+" + name_ + "+" + KeyIdHex(key_id_) + "+" + crypto::Base64Encode(blob);
  crypto::SecretBytes out(std::as_bytes(std::span(text.data(), text.size())));
  std::fill(blob.begin(), blob.end(), '\0');
  std::fill(text.begin(), text.end(), '\0');
  return out;
}

std::string CosignatureSigner::VerifierKey() const {
  return name_ + "+" + KeyIdHex(key_id_) + "+" +
         crypto::Base64Encode(KeyBlob(kCosignatureV1Ed25519, key_.public_key()));
}

Result<std::string> CosignatureSigner::Cosign(std::string_view text, uint64_t timestamp) const {
  if (text.empty() || text.back() != '\n') return InvalidArgumentError("cosign: text must end in a newline");
  if (timestamp > (uint64_t{1} << 63) - 1) return InvalidArgumentError("cosign: timestamp too large");
  ASSIGN_OR_RETURN(crypto::Ed25519Signature sig, key_.Sign(SignedMessage(text, timestamp)));
  std::string blob;
  for (int i = 3; i >= 0; --i) blob.push_back(static_cast<char>(key_id_ >> (8 * i)));
  for (int i = 7; i >= 0; --i) blob.push_back(static_cast<char>(timestamp >> (8 * i)));
  blob.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  return std::string(kNoteSignaturePrefix) + name_ + " " + crypto::Base64Encode(blob) + "\n";
}

CosignatureVerifier::CosignatureVerifier(std::string name, const crypto::Ed25519PublicKey& key)
    : name_(std::move(name)), key_(key), key_id_(KeyId(name_, key_)) {}

Result<CosignatureVerifier> CosignatureVerifier::FromKey(std::string_view verifier_key) {
  ASSIGN_OR_RETURN(KeyParts parts, SplitKey(verifier_key, crypto::kEd25519PublicKeySize, "cosigner verifier key"));
  crypto::Ed25519PublicKey key;
  std::copy(parts.blob.begin() + 1, parts.blob.end(), reinterpret_cast<char*>(key.data()));
  CosignatureVerifier v(std::move(parts.name), key);
  if (KeyIdHex(v.key_id_) != parts.hex) return InvalidArgumentError("cosigner verifier key: hash does not match the key");
  return v;
}

Result<uint64_t> CosignatureVerifier::Verify(std::string_view note) const {
  ASSIGN_OR_RETURN(Note n, ParseNote(note));
  std::optional<uint64_t> found;
  for (const NoteSignature& sig : n.signatures) {
    if (sig.name != name_ || sig.key_hash != key_id_) continue;
    if (sig.signature.size() != 8 + crypto::kEd25519SignatureSize) {
      return UnauthenticatedError("cosignature by " + name_ + " is malformed");
    }
    uint64_t timestamp = 0;
    for (int i = 0; i < 8; ++i) timestamp = timestamp << 8 | static_cast<uint8_t>(sig.signature[i]);
    const auto* s = reinterpret_cast<const uint8_t*>(sig.signature.data()) + 8;
    if (!crypto::Ed25519Verify(key_, SignedMessage(n.text, timestamp), std::span(s, crypto::kEd25519SignatureSize))) {
      return UnauthenticatedError("invalid cosignature by " + name_);
    }
    found = timestamp;
  }
  if (!found) return NotFoundError("not cosigned by " + name_ + "+" + KeyIdHex(key_id_));
  return *found;
}

}  // namespace confiance::audit::tlog

// File: audit/tlog/note.cc
#include "audit/tlog/note.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::audit::tlog {
namespace {

std::string KeyHashHex(uint32_t h) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", h);
  return buf;
}

std::string KeyBlob(const crypto::Ed25519PublicKey& key) {
  std::string blob(1, static_cast<char>(kNoteSigEd25519));
  blob.append(reinterpret_cast<const char*>(key.data()), key.size());
  return blob;
}

bool ValidText(std::string_view text) {
  if (text.empty() || text.back() != '\n') return false;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return false;
  }
  return true;
}

Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kNoteSignaturePrefix.size()) != kNoteSignaturePrefix) {
    return InvalidArgumentError("note: signature line does not start with an em dash");
  }
  line.remove_prefix(kNoteSignaturePrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return InvalidArgumentError("note: malformed signature line");
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  if (!ValidKeyName(sig.name)) return InvalidArgumentError("note: invalid key name in a signature line");
  auto raw = crypto::Base64Decode(line.substr(space + 1));
  if (!raw.ok() || raw->size() < 5) return InvalidArgumentError("note: malformed signature encoding");
  const auto* b = reinterpret_cast<const uint8_t*>(raw->data());
  sig.key_hash = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
  sig.signature = raw->substr(4);
  return sig;
}

}  // namespace

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

uint32_t NoteKeyHash(std::string_view name, const crypto::Ed25519PublicKey& key) {
  crypto::Sha256 h;
  h.Update(name);
  h.Update("\n");
  h.Update(KeyBlob(key));
  auto d = h.Finish();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

Result<Note> ParseNote(std::string_view note) {
  // The signatures follow the last blank line (as Go's note.Open splits).
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return InvalidArgumentError("note: no blank line before signatures");
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  if (!ValidText(out.text)) return InvalidArgumentError("note: text has a control character");
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return InvalidArgumentError("note: signatures must end in a newline");
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');
    ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(sigs.substr(0, nl)));
    out.signatures.push_back(std::move(sig));
    if (out.signatures.size() > kMaxNoteSignatures) return InvalidArgumentError("note: too many signatures");
    sigs.remove_prefix(nl + 1);
  }
  if (out.signatures.empty()) return InvalidArgumentError("note: no signature");
  return out;
}

NoteSigner::NoteSigner(std::string name, crypto::Ed25519PrivateKey key)
    : name_(std::move(name)), key_(std::move(key)), key_hash_(NoteKeyHash(name_, key_.public_key())) {}

Result<NoteSigner> NoteSigner::Create(std::string name, crypto::Ed25519PrivateKey key) {
  if (!ValidKeyName(name)) return InvalidArgumentError("note: invalid key name");
  return NoteSigner(std::move(name), std::move(key));
}

// The transient std::string copies of the seed here are not wiped (as the
// text the caller read the key from is not): this runs once at start-up.
Result<NoteSigner> NoteSigner::FromPrivateKey(std::string_view private_key) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (private_key.substr(0, kPrefix.size()) != kPrefix) return InvalidArgumentError("signer key: missing prefix");
  std::string_view rest = private_key.substr(kPrefix.size());
  size_t p1 = rest.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : rest.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return InvalidArgumentError("signer key: expected name+hash+key");
  auto blob = crypto::Base64Decode(rest.substr(p2 + 1));
  if (!blob.ok() || blob->size() != 1 + crypto::kEd25519SeedSize || static_cast<uint8_t>((*blob)[0]) != kNoteSigEd25519) {
    return InvalidArgumentError("signer key: not an Ed25519 key");
  }
  crypto::SecretBytes seed(std::as_bytes(std::span(blob->data() + 1, crypto::kEd25519SeedSize)));
  ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::FromSeed(seed.span()));
  ASSIGN_OR_RETURN(NoteSigner signer, Create(std::string(rest.substr(0, p1)), std::move(key)));
  if (KeyHashHex(signer.key_hash_) != rest.substr(p1 + 1, p2 - p1 - 1)) {
    return InvalidArgumentError("signer key: hash does not match the key");
  }
  return signer;
}

crypto::SecretBytes NoteSigner::PrivateKey() const {
  std::string blob(1, static_cast<char>(kNoteSigEd25519));
  blob.append(reinterpret_cast<const char*>(key_.seed().data()), key_.seed().size());
  std::string text = "PRIVATE+KEY+" + name_ + "+" + KeyHashHex(key_hash_) + "+" + crypto::Base64Encode(blob);
  crypto::SecretBytes out(std::as_bytes(std::span(text.data(), text.size())));
  return out;
}

std::string NoteSigner::VerifierKey() const {
  return name_ + "+" + KeyHashHex(key_hash_) + "+" + crypto::Base64Encode(KeyBlob(key_.public_key()));
}

Result<std::string> NoteSigner::Sign(std::string_view text) const {
  if (!ValidText(text) || text.find("\n\n") != std::string_view::npos) {
    return InvalidArgumentError("note: text must end in a newline and hold no blank line or control character");
  }
  ASSIGN_OR_RETURN(crypto::Ed25519Signature sig, key_.Sign(text));
  std::string blob(4, '\0');
  for (int i = 0; i < 4; ++i) blob[i] = static_cast<char>(key_hash_ >> (24 - 8 * i));
  blob.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  std::string out(text);
  out += "\n";
  out += kNoteSignaturePrefix;
  out += name_ + " " + crypto::Base64Encode(blob) + "\n";
  return out;
}

NoteVerifier::NoteVerifier(std::string name, const crypto::Ed25519PublicKey& key)
    : name_(std::move(name)), key_(key), key_hash_(NoteKeyHash(name_, key_)) {}

NoteVerifier NoteVerifier::FromPublicKey(std::string name, const crypto::Ed25519PublicKey& key) {
  return NoteVerifier(std::move(name), key);
}

Result<NoteVerifier> NoteVerifier::FromKey(std::string_view verifier_key) {
  size_t p1 = verifier_key.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : verifier_key.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return InvalidArgumentError("verifier key: expected name+hash+key");
  std::string name(verifier_key.substr(0, p1));
  std::string_view hash_hex = verifier_key.substr(p1 + 1, p2 - p1 - 1);
  if (!ValidKeyName(name)) return InvalidArgumentError("verifier key: invalid name");
  auto hash = crypto::HexDecode(hash_hex);
  if (hash_hex.size() != 8 || !hash.ok()) return InvalidArgumentError("verifier key: hash must be 8 hex digits");
  auto blob = crypto::Base64Decode(verifier_key.substr(p2 + 1));
  if (!blob.ok()) return InvalidArgumentError("verifier key: key is not base64");
  if (blob->size() != 1 + crypto::kEd25519PublicKeySize || static_cast<uint8_t>((*blob)[0]) != kNoteSigEd25519) {
    return InvalidArgumentError("verifier key: not an Ed25519 key");
  }
  crypto::Ed25519PublicKey key;
  std::copy(blob->begin() + 1, blob->end(), reinterpret_cast<char*>(key.data()));
  NoteVerifier v(std::move(name), key);
  if (KeyHashHex(v.key_hash_) != hash_hex) return InvalidArgumentError("verifier key: hash does not match the key");
  return v;
}

Result<std::string> NoteVerifier::Open(std::string_view note) const {
  ASSIGN_OR_RETURN(Note n, ParseNote(note));
  bool found = false;
  for (const NoteSignature& sig : n.signatures) {
    if (sig.name != name_ || sig.key_hash != key_hash_) continue;
    if (!crypto::Ed25519Verify(key_, n.text, std::span(reinterpret_cast<const uint8_t*>(sig.signature.data()),
                                                        sig.signature.size()))) {
      return UnauthenticatedError("note: invalid signature by " + name_ + "+" + KeyHashHex(key_hash_));
    }
    found = true;
  }
  if (!found) return UnauthenticatedError("note: not signed by " + name_ + "+" + KeyHashHex(key_hash_));
  return std::move(n.text);
}

}  // namespace confiance::audit::tlog

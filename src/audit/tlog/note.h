// File: audit/tlog/note.h
// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys: the
// envelope of every checkpoint the log publishes.
//
//   <text, ending in "\n">
//   "\n"
//   "— " <key name> " " base64(key hash (4 bytes, big-endian) || signature) "\n"   (one per signer)
//
// The signature covers the text including its final newline. The key hash
// is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key), and a
// verifier key is shared as "<name>+<8 hex digits of the hash>+base64(0x01
// || public key)".
//
// Thread-safety: immutable objects, safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/ed25519.h"

namespace confiance::audit::tlog {

inline constexpr uint8_t kNoteSigEd25519 = 0x01;
// Every signature line of a note starts with U+2014 EM DASH and a space.
inline constexpr std::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";
// Go's note.Open refuses notes with more signatures; so do we.
inline constexpr size_t kMaxNoteSignatures = 100;

// True if `name` is a valid key name: non-empty, no whitespace, no '+'.
bool ValidKeyName(std::string_view name);
// The 4-byte key hash of an Ed25519 key named `name`, as a big-endian number.
uint32_t NoteKeyHash(std::string_view name, const crypto::Ed25519PublicKey& key);

struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string signature;  // the bytes after the key hash (64 for Ed25519)
};

struct Note {
  std::string text;  // ends in "\n"
  std::vector<NoteSignature> signatures;
};

// Splits a signed note into its text and signature lines. InvalidArgument
// if it is not well formed (no blank line before the signatures, a
// malformed signature line, no signature, too many, a text with a control
// character other than newline).
Result<Note> ParseNote(std::string_view note);

// Signs note texts with one Ed25519 key.
class NoteSigner {
 public:
  // InvalidArgument for an invalid name.
  static Result<NoteSigner> Create(std::string name, crypto::Ed25519PrivateKey key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  // Parses the signer key string of Go's sumdb/note and C2SP tooling:
  // "PRIVATE+KEY+<name>+<hash>+base64(0x01 || seed)". InvalidArgument if
  // malformed or if the hash does not match. (Persisting it, 0600, is the
  // caller's: the key file recipe of kms/embedded.)
  static Result<NoteSigner> FromPrivateKey(std::string_view private_key);
  // That string for this key (key material: keep it secret).
  crypto::SecretBytes PrivateKey() const;
  // The verifier key string that auditors pin.
  std::string VerifierKey() const;
  // The signed note: `text`, a blank line, one signature line.
  // InvalidArgument unless `text` is non-empty, ends in "\n" and contains no
  // blank line; Internal if signing fails.
  Result<std::string> Sign(std::string_view text) const;

 private:
  NoteSigner(std::string name, crypto::Ed25519PrivateKey key);
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_hash_;
};

// Checks notes against one pinned Ed25519 key.
class NoteVerifier {
 public:
  // Parses "<name>+<hash>+<base64(0x01 || key)>". InvalidArgument if it is
  // malformed, names another algorithm, or its hash does not match.
  static Result<NoteVerifier> FromKey(std::string_view verifier_key);
  static NoteVerifier FromPublicKey(std::string name, const crypto::Ed25519PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  const crypto::Ed25519PublicKey& public_key() const { return key_; }

  // Returns the text of `note` if it carries a valid signature by this key.
  // InvalidArgument if the note is malformed; Unauthenticated if no line is
  // from this key, or if a line from this key has a bad signature (any bad
  // signature from the pinned key rejects the note).
  Result<std::string> Open(std::string_view note) const;

 private:
  NoteVerifier(std::string name, const crypto::Ed25519PublicKey& key);
  std::string name_;
  crypto::Ed25519PublicKey key_;
  uint32_t key_hash_;
};

}  // namespace confiance::audit::tlog

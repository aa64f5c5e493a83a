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
// Thread-safety: safe for concurrent use. A KEK keeps the cipher context it
// was last keyed into (SecretBytes::schedule(), wiped with the KEK), so that
// wrapping and unwrapping under it set only a nonce; a call that finds it in
// use by another thread keys a context of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// The envelope itself, around any bytes, for sealers that choose their own
// nonces (RecordSealer's synthetic ones): writes the format above, for
// `plain` under `kek`, `context` and `nonce`, into `out`, which must be
// kWrapOverhead + plain.size() bytes. REQUIRES: a (kek, nonce) pair never
// seals two different (plain, context) pairs. InvalidArgument on a bad KEK
// or output size, Internal on an OpenSSL failure.
Status SealEnvelope(const SecretBytes& kek, std::span<const std::byte> plain, std::string_view context,
                    std::span<const std::byte, 12> nonce, std::span<std::byte> out);
// Reverses SealEnvelope into `out` (sealed.size() - kWrapOverhead bytes),
// which holds unauthenticated bytes on a failure: callers of secrets pass a
// SecretBytes' span. DataLoss if `sealed` is malformed; PermissionDenied if
// it does not authenticate under `kek` and `context`.
Status OpenEnvelope(const SecretBytes& kek, std::string_view sealed, std::string_view context,
                    std::span<std::byte> out);

// As WrapKey with a caller-chosen nonce, for deterministic fakes and test
// vectors only. REQUIRES: a (kek, nonce) pair never wraps two different
// (key, context) pairs.
Result<std::string> TEST_WrapKeyWithNonce(const SecretBytes& kek, const SecretBytes& key,
                                          std::string_view context, std::span<const std::byte, 12> nonce);

// EnvelopeMatcher: tells whether byte strings are envelopes (as WrapKey
// makes them) of a `key_size`-byte key under one KEK with one of a fixed
// list of contexts, many times over: the offline shred check
// (docs/keys.md "Checking a shred") tries every byte offset of a data
// directory. The KEK's key schedule is set up once in one cipher context
// (held inside OpenSSL and wiped when freed); each Match only sets the
// nonce. It never hands out what an envelope holds: it is an unwrap oracle
// without output.
//
// Thread-safety: not safe for concurrent use (one cipher context); use one
// matcher per thread.
class EnvelopeMatcher {
 public:
  // InvalidArgument on a bad KEK or key size (1..1024) or no context;
  // Internal on an OpenSSL failure.
  static Result<std::unique_ptr<EnvelopeMatcher>> Create(const SecretBytes& kek, std::vector<std::string> contexts,
                                                         size_t key_size = 32);
  ~EnvelopeMatcher();
  EnvelopeMatcher(const EnvelopeMatcher&) = delete;
  EnvelopeMatcher& operator=(const EnvelopeMatcher&) = delete;

  // kWrapOverhead + key_size: the only length Match accepts.
  size_t wrapped_size() const { return kWrapOverhead + key_size_; }
  const std::vector<std::string>& contexts() const { return contexts_; }
  // The index (in contexts()) of the context under which `candidate`
  // authenticates, or nullopt if none does (also for a wrong length or
  // version byte). Internal on an OpenSSL failure.
  Result<std::optional<size_t>> Match(std::string_view candidate);

 private:
  struct Impl;
  EnvelopeMatcher(std::unique_ptr<Impl> impl, std::vector<std::string> contexts, size_t key_size);
  std::unique_ptr<Impl> impl_;
  const std::vector<std::string> contexts_;
  const size_t key_size_;
};

}  // namespace confiance::crypto

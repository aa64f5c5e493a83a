// File: kms/embedded/embedded_key_provider.h
// EmbeddedKeyProvider: a KeyProvider whose single root key lives in a file
// of the server's own data directory (key_dir/root.key, mode 0600, format in
// kms/embedded/key_file_format.h). It is the default for a single node; an
// external KMS (kms/kmip/) replaces it where the root key must not sit next
// to the data.
//
// Wrap/Unwrap use crypto/envelope.h under the root key, with the key id and
// the caller's context bound together as associated data.
//
// Thread-safety: safe for concurrent use after Open (immutable state).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"

namespace confiance::kms {

class EmbeddedKeyProvider final : public KeyProvider {
 public:
  // Loads key_dir/root.key, or on first start creates key_dir (and parents)
  // and a fresh random root key in it, durably (written to a temporary
  // name, synced, then linked into place so that an existing root key is
  // never overwritten, and the directory synced) and with mode 0600 from
  // its creation on. Refuses to start with:
  //  - PermissionDenied: the file is readable or writable by group/others,
  //    owned by another user, or not a regular file (e.g. a symlink);
  //  - DataLoss: wrong size, magic or checksum (a corrupted key file: restore
  //    it from backup, never regenerate it, or all data becomes unreadable);
  //  - Unimplemented: an unknown file version;
  //  - the Env's errors for I/O failures.
  // Uses POSIX stat/chmod on the real path besides `env`: the Env seam has no
  // notion of permissions. Creation sets the process umask to 077 for the
  // duration of one file write (process-wide: call at startup, before
  // threads that create files run). `env` must outlive the provider.
  static Result<std::unique_ptr<EmbeddedKeyProvider>> Open(Env& env, const std::string& key_dir);

  ~EmbeddedKeyProvider() override = default;
  EmbeddedKeyProvider(const EmbeddedKeyProvider&) = delete;
  EmbeddedKeyProvider& operator=(const EmbeddedKeyProvider&) = delete;

  // "root-" followed by 8 lowercase hex characters, fixed at creation.
  std::string DefaultKeyId() const override { return key_id_; }
  // NotFound unless key_id == DefaultKeyId(); else as crypto::WrapKey.
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                           std::string_view context) override;
  // NotFound unless key_id == DefaultKeyId(); DataLoss for a malformed blob;
  // PermissionDenied if the blob does not authenticate with this key id and
  // context.
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                     std::string_view context) override;

 private:
  EmbeddedKeyProvider(std::string key_id, crypto::SecretBytes root_key)
      : key_id_(std::move(key_id)), root_key_(std::move(root_key)) {}

  const std::string key_id_;
  const crypto::SecretBytes root_key_;
};

namespace internal {
// The associated data of a wrap: BE16 length of key_id | key_id | context,
// so that (key id, context) pairs cannot collide.
std::string WrapAad(std::string_view key_id, std::string_view context);
// Key file codec (exposed for tests).
std::string EncodeKeyFile(std::string_view key_id, const crypto::SecretBytes& key);
struct DecodedKeyFile {
  std::string key_id;
  crypto::SecretBytes key;
};
Result<DecodedKeyFile> DecodeKeyFile(std::string_view data);
}  // namespace internal

}  // namespace confiance::kms

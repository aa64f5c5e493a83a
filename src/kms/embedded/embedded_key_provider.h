// File: kms/embedded/embedded_key_provider.h
// EmbeddedKeyProvider: a KeyProvider whose root key lives in a file of the
// server's own data directory (key_dir/root.key, mode 0600, format in
// kms/embedded/key_file_format.h). It is the default for a single node; an
// external KMS (kms/kmip/) replaces it where the root key must not sit next
// to the data.
//
// Wrap/Unwrap use crypto/envelope.h under the root key, with the key id and
// the caller's context bound together as associated data.
//
// Root key rotation (RootKeyVersions): the file holds the current version
// and, while a rotation runs, older ones, which only unwrap. Adding and
// retiring a version rewrite the file atomically (WriteFileDurably: staged,
// synced, renamed over root.key, directory synced) under umask 077.
//
// Thread-safety: safe for concurrent use after Open.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>
#include <string_view>

#include "common/env.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"
#include "kms/root_key_versions.h"
#include "kms/wrap_matching.h"

namespace confiance::kms {

class EmbeddedKeyProvider final : public KeyProvider, public RootKeyVersions, public WrapMatching {
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
  //  - Unimplemented: an unknown file version (version 1 and 2 files open);
  //  - the Env's errors for I/O failures.
  // Uses POSIX stat/chmod on the real path besides `env`: the Env seam has no
  // notion of permissions. Creation sets the process umask to 077 for the
  // duration of one file write (process-wide: call at startup, before
  // threads that create files run). `env` must outlive the provider.
  static Result<std::unique_ptr<EmbeddedKeyProvider>> Open(Env& env, const std::string& key_dir);

  ~EmbeddedKeyProvider() override = default;
  EmbeddedKeyProvider(const EmbeddedKeyProvider&) = delete;
  EmbeddedKeyProvider& operator=(const EmbeddedKeyProvider&) = delete;

  // The current version: "root-" followed by 8 lowercase hex characters,
  // fixed at creation and changed only by AddKeyVersion.
  std::string DefaultKeyId() const override;
  // NotFound for an unknown key id; FailedPrecondition for an older version
  // (it only unwraps, so that nothing new is wrapped under a version being
  // retired); else as crypto::WrapKey.
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                           std::string_view context) override;
  // NotFound unless key_id is a version held; DataLoss for a malformed blob;
  // PermissionDenied if the blob does not authenticate with this key id and
  // context.
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                     std::string_view context) override;

  // RootKeyVersions (see there). Each change rewrites the key file first;
  // memory changes only once the file is durable.
  std::vector<std::string> KeyVersionIds() const override;
  Result<std::string> AddKeyVersion() override;
  Status RetireKeyVersion(std::string_view key_id) override;

  // WrapMatching (see there): every version held, current first; matchers
  // bind the key id as Unwrap does (internal::WrapAad).
  std::vector<std::string> MatchableKeyIds() const override { return KeyVersionIds(); }
  Result<std::unique_ptr<crypto::EnvelopeMatcher>> NewWrapMatcher(std::string_view key_id,
                                                                  const std::vector<std::string>& contexts,
                                                                  size_t key_size) const override;

  struct Version {
    std::string id;
    std::shared_ptr<const crypto::SecretBytes> key;
  };

 private:
  EmbeddedKeyProvider(Env& env, std::string key_dir, std::vector<Version> versions)
      : env_(env), key_dir_(std::move(key_dir)), versions_(std::move(versions)) {}
  // The key of version `key_id`, and whether it is the current one.
  Result<std::pair<std::shared_ptr<const crypto::SecretBytes>, bool>> Find(std::string_view key_id) const;
  // Rewrites the key file with `versions` (current first). REQUIRES: write_mu_.
  Status WriteVersions(const std::vector<Version>& versions);

  Env& env_;
  const std::string key_dir_;
  std::mutex write_mu_;  // serialises file rewrites (held before mu_)
  mutable std::shared_mutex mu_;
  std::vector<Version> versions_;  // GUARDED_BY(mu_); current first, never empty
};

namespace internal {
// The associated data of a wrap: BE16 length of key_id | key_id | context,
// so that (key id, context) pairs cannot collide.
std::string WrapAad(std::string_view key_id, std::string_view context);
// Key file codec (exposed for tests). EncodeKeyFile writes version 1;
// EncodeKeyFileVersions writes version 1 for one key, else version 2.
std::string EncodeKeyFile(std::string_view key_id, const crypto::SecretBytes& key);
struct DecodedKeyVersion {
  std::string key_id;
  crypto::SecretBytes key;
};
std::string EncodeKeyFileVersions(const std::vector<DecodedKeyVersion>& versions);
struct DecodedKeyFile {
  std::string key_id;  // the current version's
  crypto::SecretBytes key;
  std::vector<DecodedKeyVersion> older;  // version 2 only: older versions, newest first
};
// Either version.
Result<DecodedKeyFile> DecodeKeyFile(std::string_view data);
}  // namespace internal

}  // namespace confiance::kms

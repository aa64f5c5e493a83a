// File: kms/wrapped_key_file.h
// A key kept in a small file beside the data it protects, wrapped under the
// key provider's root key: the metadata key, DIR/meta.key
// (docs/encryption.md, "Metadata at rest"). The file is useless without
// the root key, so it may sit in the data directory and in its backups.
//
// Format (text, one field per line):
//   confiance wrapped key v1
//   key-id <the root key version or KMS key id it is wrapped under>
//   wrapped <base64 of KeyProvider::Wrap's blob>
// `context` (e.g. "confiance/meta-key/v1") is bound into the wrap, so the
// blob opens for no other use.
//
// The key is the server's own, not a tenant's: its wraps and unwraps carry
// no key-access justification (as the access-key secrets and the log
// signing key, docs/kmip.md "Key-access justifications").
#pragma once

#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"

namespace confiance::kms {

// The context of the metadata key's wrap (DIR/meta.key).
inline constexpr char kMetadataKeyContext[] = "confiance/meta-key/v1";

// Makes a random key of `size` bytes, wraps it under keys.DefaultKeyId()
// and writes the file durably (WriteFileDurably). AlreadyExists if `path`
// exists: a key file is never replaced by a new key.
Result<crypto::SecretBytes> CreateWrappedKeyFile(Env& env, const std::string& path, KeyProvider& keys,
                                                 std::string_view context, size_t size);

// Reads and unwraps the key. NotFound if there is no file; DataLoss if it
// is malformed; the provider's error if the wrap does not open.
Result<crypto::SecretBytes> LoadWrappedKeyFile(Env& env, const std::string& path, KeyProvider& keys,
                                               std::string_view context);

// Wraps the same key under keys.DefaultKeyId() and replaces the file
// durably, if it is wrapped under another key (a root key rotation).
// Returns whether it rewrote the file.
Result<bool> RewrapKeyFileUnderDefaultKey(Env& env, const std::string& path, KeyProvider& keys,
                                          std::string_view context);

namespace internal {
// The file's codec (exposed for its fuzz target). Parse accepts exactly
// what Format writes: InvalidArgument on anything else.
struct WrappedKeyFields {
  std::string key_id;   // not empty
  std::string wrapped;  // the wrap blob, decoded
};
Result<WrappedKeyFields> ParseWrappedKeyFile(std::string_view text);
std::string FormatWrappedKeyFile(const WrappedKeyFields& fields);
}  // namespace internal

}  // namespace confiance::kms

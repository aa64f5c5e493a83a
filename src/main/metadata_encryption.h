// File: main/metadata_encryption.h
// The metadata key of a data directory (docs/encryption.md, "Metadata at
// rest"): the Env its metadata store goes through, the offline conversion
// of a directory whose metadata was written in the clear, and the offline
// re-encryption of encrypted metadata under a new key (`confiance admin
// encrypt-metadata [--new-key]`).
//
// Names in the data directory DIR:
//   DIR/meta.key              the metadata key, wrapped under the root key
//   DIR/meta/                 the metadata store
// and, only while a conversion runs or after one was interrupted:
//   DIR/meta.encrypted/       the encrypted copy being made
//   DIR/meta.encrypted.key    its key (wrapped), until it becomes meta.key
//   DIR/meta.encrypted.done   the copy is complete and synced
//   DIR/meta.plaintext-old/   the replaced store (in the clear), until removed
//   DIR/meta.old-key/         the replaced store (under the replaced key),
//                             until removed
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/status.h"
#include "crypto/encrypted_env.h"
#include "kms/key_provider.h"

namespace confiance {

// The file that holds the metadata key wrapped under the root key
// (kms/wrapped_key_file.h).
inline constexpr char kMetadataKeyFile[] = "meta.key";

// The Env the metadata store of the directory at `path` goes through: an
// EncryptedEnv under the key of path/meta.key. With `create`, a directory
// that has neither that file nor metadata yet gets a new key first. Null
// (the metadata is in the clear) for a directory whose metadata was written
// before metadata encryption existed, and without `create` for one that has
// no key file. FailedPrecondition if the metadata is encrypted but its key
// file is missing, or a conversion was interrupted half-way (run it again).
Result<std::unique_ptr<crypto::EncryptedEnv>> OpenMetadataEnv(Env& env, const std::string& path, kms::KeyProvider& keys,
                                                              bool create);

struct MetadataConversion {
  uint64_t records = 0;  // copied (0 if the directory was already encrypted)
  bool already_encrypted = false;
  bool resumed = false;  // an interrupted conversion was finished
  bool was_clear = false;  // the copied store was in the clear (else under the replaced key)
};

// Converts the metadata store of the directory at `path` (server stopped,
// its LOCK held by the caller) from clear text to encrypted: copies every
// record into a new store under a new metadata key, then swaps the two and
// removes the clear-text files. Every step is durable before the next, and
// a crash at any point leaves a directory that either opens as it was (in
// the clear), or is refused by OpenMetadataEnv until this runs again and
// finishes, or opens encrypted; running it again always finishes it (or an
// interrupted ReencryptMetadataUnderNewKey). Once the copy is complete
// (step 3) the server refuses the directory until the swap is done, so
// that no write lands in the store being replaced.
// `after_step` (tests): called after each durable step with its number
// (1, 2, ...); an error from it stops the conversion there, as a crash.
Result<MetadataConversion> EncryptMetadata(Env& env, const std::string& path, kms::KeyProvider& keys,
                                           const std::function<Status(int step)>& after_step = {});

// The same, for a store already encrypted: every record copied into a new
// store under a new metadata key, the two swapped and the files under the
// replaced key removed (a suspected leak of the key, or a key's lifetime
// ending by policy). On a store in the clear it is EncryptMetadata.
// Never `already_encrypted`; the same steps and guarantees.
Result<MetadataConversion> ReencryptMetadataUnderNewKey(Env& env, const std::string& path, kms::KeyProvider& keys,
                                                        const std::function<Status(int step)>& after_step = {});

}  // namespace confiance

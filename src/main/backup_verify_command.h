// File: main/backup_verify_command.h
// `confiance admin verify-backup PATH [--kms ...]`: checks that a backup
// (docs/backup.md) holds every blob its metadata names, each with the size
// its record gives (catalog::CheckSizes), decrypting no object: a nightly
// backup is checked before older ones are removed
// (packaging/confiance-backup). Reads PATH/BACKUP.json for the pools'
// directories and opens PATH/meta read-only; the server need not be
// stopped (the backup is not its data directory). Metadata encrypted at
// rest (PATH/meta.key, docs/encryption.md) needs the root key: where a
// restore finds it (PATH/keys/root.key, or the KMS of `kms`), or with
// `keys_of` that of the data directory `keys_of` (the server's, for a
// backup taken without --include-root-key); a backup of metadata in the
// clear needs no key.
#pragma once

#include <string>

#include "main/data_dir.h"

namespace confiance {

// Prints one line per damaged object and a summary to stdout. Returns 0 if
// every blob is there with its size, 1 if damage was found, 2 if the check
// could not run (not a backup, unreadable metadata, no root key).
int RunBackupVerify(const std::string& path, const KmsOptions& kms, const std::string& keys_of);

}  // namespace confiance

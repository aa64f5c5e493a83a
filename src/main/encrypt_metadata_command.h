// File: main/encrypt_metadata_command.h
// `confiance admin encrypt-metadata --data DIR [--new-key] [--kms ...]`
// (offline: the server stopped): converts a data directory whose metadata
// was written in the clear, before metadata encryption existed, to metadata
// encrypted at rest (main/metadata_encryption.h, docs/encryption.md
// "Metadata at rest"); with --new-key, re-encrypts encrypted metadata under
// a new metadata key. Run again after an interruption, it finishes what was
// interrupted; without --new-key, on a directory already encrypted it
// changes nothing.
#pragma once

#include <string>

#include "main/data_dir.h"

namespace confiance {

// Prints what it did; returns 0 on success, 1 on failure (the reason on
// stderr).
int RunEncryptMetadata(const std::string& data, bool new_key, const KmsOptions& kms);

}  // namespace confiance

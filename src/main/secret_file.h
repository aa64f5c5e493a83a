// File: main/secret_file.h
// Reads a secret the operator keeps in a file (--webhook-secret-file,
// --notify-secret-file, --metrics-token-file): the whole file, less
// trailing CR/LF, into a SecretBytes (wiped when freed).
#pragma once

#include <string>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance {

// InvalidArgument naming `path` (and `flag`, the option that named it) when
// the file cannot be read or holds nothing. The bytes read pass through
// no buffer of ours that is not wiped.
Result<crypto::SecretBytes> ReadSecretFile(const std::string& path, const std::string& flag);

}  // namespace confiance

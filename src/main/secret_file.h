// File: main/secret_file.h
// Reads a secret the operator keeps in a file (--webhook-secret-file,
// --metrics-token-file): the whole file, less trailing CR/LF.
#pragma once

#include <string>

#include "common/status.h"

namespace confiance {

// InvalidArgument naming `path` (and `flag`, the option that named it) when
// the file cannot be read or holds nothing. The caller wipes the result
// when done (OPENSSL_cleanse) or moves it into a SecretBytes.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& flag);

}  // namespace confiance

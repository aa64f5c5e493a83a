// File: crypto/owner_only_file.h
// Files that hold secrets (the embedded root key, the witness's signing
// key, the service's credentials file): mode 0600 from their creation, so
// that no other user can read them even for an instant, written durably
// through the Env (common/env.h's contract: data synced, then the entry).
#pragma once

#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace confiance::crypto {

// Creates `path` holding `data`, never replacing a file: `data` is written
// durably under a temporary name beside it, then hard-linked to `path`,
// which fails with AlreadyExists if `path` appeared meanwhile (or existed).
// The directory is synced before returning; the temporary name never stays.
Status CreateOwnerOnlyFile(Env& env, const std::string& path, std::string_view data);

// Replaces `path` (or creates it) with `data` through WriteFileDurably,
// with the new file created 0600.
Status ReplaceOwnerOnlyFile(Env& env, const std::string& path, std::string_view data);

}  // namespace confiance::crypto

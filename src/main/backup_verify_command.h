// File: main/backup_verify_command.h
// `confiance admin verify-backup PATH`: checks, without any key, that a
// backup (docs/backup.md) holds every blob its metadata names, each with
// the size its record gives (catalog::CheckSizes). So an operator can check
// a backup kept apart from its root key, and a nightly backup can be
// checked before older ones are removed (packaging/confiance-backup).
// Reads PATH/BACKUP.json for the pools' directories and opens PATH/meta
// read-only; the server need not be stopped (the backup is not its data
// directory).
#pragma once

#include <string>

namespace confiance {

// Prints one line per damaged object and a summary to stdout. Returns 0 if
// every blob is there with its size, 1 if damage was found, 2 if the check
// could not run (not a backup, unreadable metadata).
int RunBackupVerify(const std::string& path);

}  // namespace confiance

// File: main/move_metadata_command.h
// `confiance admin move-metadata --data DIR --to-rados FILE [--new-key] |
// --to-local [--kms ...]` (offline: the server stopped): moves a data directory's
// metadata from its local store (or the pool it is on) onto the RADOS pool
// that FILE (a metadata.toml, docs/rados.md) names, or back
// (main/metadata_move.h). Run again after an interruption, it finishes
// what was interrupted.
#pragma once

#include <string>

#include "main/data_dir.h"

namespace confiance {

// `to_rados_file` empty: to local. `new_key`: the target sealed under a
// new metadata key (from one pool to another). Prints what it did; returns
// 0 on success, 1 on failure (the reason on stderr).
int RunMoveMetadata(const std::string& data, const std::string& to_rados_file, bool new_key, const KmsOptions& kms);

}  // namespace confiance

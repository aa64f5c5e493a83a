// File: main/local_meta_store.h
// The files of a data directory's local metadata store (RocksDB: DIR/meta,
// and the copies the offline conversions make beside it): whether a
// directory holds one, removing one, opening one for an offline copy.
#pragma once

#include <string>

#include "common/env.h"
#include "common/status.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {

// Whether `dir` holds a store (its CURRENT file), not a leftover.
bool HasLocalMetaStore(Env& env, const std::string& dir);

// Removes the store in `dir` and `dir` itself (flat: RocksDB makes no
// subdirectories). OK if `dir` is absent.
Status RemoveLocalMetaStore(Env& env, const std::string& dir);

// Options for a store an offline command opens in `dir` through `env`:
// a small block cache (it reads each block once).
meta::RocksMetaStore::Options OfflineMetaStoreOptions(const std::string& dir, Env& env, bool read_only);

}  // namespace confiance

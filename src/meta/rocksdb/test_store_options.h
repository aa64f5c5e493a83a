// File: meta/rocksdb/test_store_options.h
// The options the RocksMetaStore tests open a store with: the real file
// system, as the server opens it (main/data_dir.cc), and a small block cache.
// For *_test.cc files only.
#pragma once

#include <string>

#include "common/env.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance::meta {

inline RocksMetaStore::Options TestStoreOptions(const std::string& path) {
  RocksMetaStore::Options options;
  options.path = path;
  options.env = Env::Default();
  options.block_cache_bytes = 1 << 20;
  return options;
}

}  // namespace confiance::meta

// File: meta/rocksdb/rocks_info_log.h
// RocksDB's info log, sent to the server's own log (spdlog) instead of a
// LOG file in the metadata directory: RocksDB writes that file through its
// own POSIX file system, past our Env, so it would be the one file of the
// store neither encrypted at rest (crypto/encrypted_env.h) nor seen by the
// fault-injecting Env. Only warnings and worse are kept ("rocksdb: ..."):
// RocksDB's informational lines (options, compaction statistics) are for
// its developers and would drown the operator's log.
#pragma once

#include <rocksdb/env.h>

#include <memory>

namespace confiance::meta {

std::shared_ptr<rocksdb::Logger> NewRocksInfoLogToSpdlog();

}  // namespace confiance::meta

// File: main/metadata_move.h
// Moving a data directory's metadata between its local store (DIR/meta,
// RocksDB) and a RADOS pool (DIR/metadata.toml; docs/rados.md, "Metadata on
// RADOS"), or from one pool to another (namespace, pool or cluster),
// offline: `confiance admin move-metadata --data DIR --to-rados FILE |
// --to-local`. The blobs stay where they are: only the records move.
//
// Every record is copied through the MetaStore contract
// (meta/copy_records.h) and the two copies compared before the directory
// switches over; the source is then removed (a local store's files are
// unlinked; a RADOS namespace's partitions dropped), so that no stale copy
// of the tenants' keys and records is left behind.
//
// Names in DIR, beyond meta/, meta.key and metadata.toml, only while a
// move runs or after one was interrupted:
//   DIR/metadata.to-rados     the target pool's connection (the future
//                             metadata.toml), while meta/ is copied
//   DIR/meta.moved-to-rados/  the local store, copied, until removed
//   DIR/metadata.to-local     the source pool's connection (the replaced
//                             metadata.toml), until its namespace is emptied
//   DIR/meta.from-rados/      the local store being filled
//   DIR/metadata.from-rados   from one pool to another: the source pool's
//                             connection, once the target's is in place,
//                             until the source namespace is emptied
//   DIR/meta.new.key          from one pool to another with a new key: the
//                             target's key, until it replaces meta.key
// While one of these is there the directory is refused
// (RefuseUnfinishedMetadataMove), and running the same move again finishes
// it: every step is durable before the next, and a crash at any point
// leaves a directory that either opens as before, or is refused until the
// move is run again, or opens with its metadata in the new place.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/status.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"

namespace confiance {

// The file in a data directory that puts its metadata on a RADOS pool.
inline constexpr char kMetadataLocationFile[] = "metadata.toml";

struct MetadataMove {
  uint64_t partitions = 0;  // copied
  uint64_t records = 0;     // copied
  uint64_t bytes = 0;       // copied: keys and values
  bool resumed = false;     // an interrupted move was finished
  // To local: the partitions dropped from the RADOS namespace it left.
  uint64_t dropped_partitions = 0;
};

// FailedPrecondition while a move of the directory's metadata is
// unfinished, saying how to finish it.
Status RefuseUnfinishedMetadataMove(Env& env, const std::string& path);

// The key a store opened for a move seals its values under.
enum class SealUnder {
  kMetadataKey,     // DIR/meta.key
  kNewMetadataKey,  // DIR/meta.new.key (a move with a new key)
  kNothing,         // none: only to drop the partitions of a namespace left
};

// The file of the new metadata key of a move with a new key, until it
// replaces meta.key.
inline constexpr char kNewMetadataKeyFile[] = "meta.new.key";

// Opens the store on the RADOS pool that a connection file's text names,
// sealed as `seal` says (OpenSealedRadosMeta; tests pass another store).
// Called only once the move's preconditions hold; from one pool to
// another, twice (both stores open at once).
using RadosMetaOpener =
    std::function<Result<std::unique_ptr<meta::MetaStore>>(const std::string& connection_toml, SealUnder seal)>;

// Moves the metadata of the directory at `path` (server stopped, its LOCK
// held by the caller) into the store on the RADOS pool that
// `connection_toml` names: from its local store, or from the pool its
// metadata.toml names (then that namespace is emptied once the directory
// has switched). With `new_key` (from a pool only: a local store gets a
// new key with `encrypt-metadata --new-key`), the target is sealed under a
// new metadata key (DIR/meta.new.key), which replaces meta.key when the
// directory switches: the old key then opens nothing the directory uses. The target must hold no partition, unless this
// finishes an interrupted move to the same connection (then it is emptied and the copy starts again). Refused for
// metadata in the clear (encrypt it first: `encrypt-metadata`). `after_step` (tests): called after each durable step
// with its number (from local: 1 the pending move recorded, 2 the copy complete and compared, 3 the local store set
// aside, 4 metadata.toml in place, 5 the local store removed; from a pool: 1, 2 as well, 3 the source's connection
// kept, 4 metadata.toml (and meta.key) replaced, 5 the source namespace emptied, 6 done); an error from it stops the
// move there, as a crash.
Result<MetadataMove> MoveMetadataToRados(Env& env, const std::string& path, kms::KeyProvider& keys,
                                         const std::string& connection_toml, const RadosMetaOpener& open,
                                         bool new_key = false, const std::function<Status(int step)>& after_step = {});

// Moves the metadata of the directory at `path` from the RADOS pool its
// metadata.toml names into a new local store encrypted under the
// directory's metadata key, then drops every partition of the namespace
// and removes metadata.toml. The same guarantees; its steps: 1 the pending
// move recorded, 2 metadata.toml removed, 3 the copy complete and
// compared, 4 the local store in place, 5 the namespace emptied, 6 done.
Result<MetadataMove> MoveMetadataToLocal(Env& env, const std::string& path, kms::KeyProvider& keys,
                                         const RadosMetaOpener& open,
                                         const std::function<Status(int step)>& after_step = {});

}  // namespace confiance

// File: main/metadata_move.cc
#include "main/metadata_move.h"

#include <memory>
#include <utility>

#include "kms/wrapped_key_file.h"
#include "main/local_meta_store.h"
#include "main/metadata_encryption.h"
#include "meta/copy_records.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {
namespace {

struct MoveNames {
  explicit MoveNames(const std::string& dir)
      : dir(dir),
        key(dir + "/" + kMetadataKeyFile),
        meta(dir + "/meta"),
        location(dir + "/" + kMetadataLocationFile),
        to_rados(dir + "/metadata.to-rados"),
        moved_local(dir + "/meta.moved-to-rados"),
        to_local(dir + "/metadata.to-local"),
        from_rados(dir + "/meta.from-rados"),
        previous_pool(dir + "/metadata.from-rados"),
        new_key(dir + "/" + kNewMetadataKeyFile) {}
  const std::string dir, key, meta, location, to_rados, moved_local, to_local, from_rados, previous_pool, new_key;
};

std::string FinishCommand(const std::string& path, bool to_rados) {
  return "`confiance admin move-metadata --data " + path + (to_rados ? " --to-rados FILE`" : " --to-local`");
}

// A local store of the directory (in `dir`), through its metadata key.
struct OpenedLocal {
  std::unique_ptr<crypto::EncryptedEnv> env;  // declared before the store, which uses it
  std::unique_ptr<meta::RocksMetaStore> store;
};

Result<OpenedLocal> OpenLocal(Env& env, const MoveNames& n, kms::KeyProvider& keys, const std::string& dir,
                              bool read_only) {
  OpenedLocal local;
  ASSIGN_OR_RETURN(local.env, OpenMetadataEnv(env, n.dir, keys, /*create=*/false));
  if (local.env == nullptr) {
    return FailedPreconditionError("the metadata of " + n.dir + " has no metadata key (" +
                                   std::string(kMetadataKeyFile) + ")");
  }
  ASSIGN_OR_RETURN(local.store, meta::RocksMetaStore::Open(OfflineMetaStoreOptions(dir, *local.env, read_only)));
  return local;
}

// Whether a move to RADOS (from local or from another pool) is unfinished.
bool MoveToRadosUnfinished(Env& env, const MoveNames& n) {
  return env.FileExists(n.to_rados) || env.FileExists(n.moved_local) || env.FileExists(n.previous_pool);
}

// An interrupted move is finished with the connection it was started with:
// FailedPrecondition unless `recorded` (the text of `file`) is
// `connection_toml`.
Status RefuseAnotherTarget(const MoveNames& n, const std::string& recorded, const std::string& file,
                           const std::string& connection_toml) {
  if (recorded == connection_toml) return OkStatus();
  return FailedPreconditionError("an interrupted move of " + n.dir + "'s metadata was to the pool " + file +
                                 " names, not this one: finish it with that file");
}

Status RefuseLocalAndRadosAtOnce(const MoveNames& n) {
  return FailedPreconditionError("data directory " + n.dir + " holds local metadata (meta/) and " + n.location +
                                 ": it is not clear which is its metadata");
}

// Copies every record of `from` into `to` and compares the two copies.
Status CopyAndCompare(meta::MetaStore& from, meta::MetaStore& to, MetadataMove& result) {
  ASSIGN_OR_RETURN(meta::CopyStats copied, meta::CopyAllRecords(from, to));
  result.partitions = copied.partitions;
  result.records = copied.records;
  result.bytes = copied.bytes;
  return meta::ExpectSameRecords(from, to);
}

// From the pool the directory's metadata.toml names to another (another
// namespace, pool or cluster): MoveMetadataToRados when its metadata is on
// RADOS already. Steps: 1 the pending move recorded, 2 the copy complete and
// compared, 3 the source's connection kept, 4 metadata.toml (and with a new
// key, meta.key) replaced, 5 the source namespace emptied, 6 done. Whether
// the move has a new key is `new_key` when it starts, then whether
// meta.new.key is there.
Result<MetadataMove> MoveBetweenPools(Env& env, const MoveNames& n, kms::KeyProvider& keys,
                                      const std::string& connection_toml, const RadosMetaOpener& open, bool new_key,
                                      const std::function<Status(int)>& stepped) {
  MetadataMove result;
  if (HasLocalMetaStore(env, n.meta)) return RefuseLocalAndRadosAtOnce(n);
  enum class From { kStart, kCopy, kSwitch, kEmptySource } from;
  const bool pending = env.FileExists(n.to_rados), previous = env.FileExists(n.previous_pool);
  ASSIGN_OR_RETURN(const std::string location, ReadSmallFile(env, n.location));
  if (pending) {
    ASSIGN_OR_RETURN(std::string target, ReadSmallFile(env, n.to_rados));
    RETURN_IF_ERROR(RefuseAnotherTarget(n, target, n.to_rados, connection_toml));
    from = previous ? From::kSwitch : From::kCopy;
    result.resumed = true;
  } else if (previous) {
    RETURN_IF_ERROR(RefuseAnotherTarget(n, location, n.location, connection_toml));
    from = From::kEmptySource;
    result.resumed = true;
  } else {
    if (location == connection_toml) {
      return FailedPreconditionError("the metadata of " + n.dir + " is on that RADOS pool already (" + n.location +
                                     ")");
    }
    from = From::kStart;
  }

  bool made_key = false;
  if (from == From::kStart && new_key && !env.FileExists(n.new_key)) {
    // (Kept if there: a run stopped before step 1 may have sealed the
    // target's check value under it.)
    RETURN_IF_ERROR(
        kms::CreateWrappedKeyFile(env, n.new_key, keys, kms::kMetadataKeyContext, crypto::EncryptedEnv::kKeySize)
            .status());
    made_key = true;
  } else if (from == From::kStart && !new_key && env.FileExists(n.new_key)) {
    RETURN_IF_ERROR(env.RemoveFile(n.new_key));  // a run with a new key stopped before step 1
  }
  const SealUnder target_seal = env.FileExists(n.new_key) ? SealUnder::kNewMetadataKey : SealUnder::kMetadataKey;
  std::unique_ptr<meta::MetaStore> source, target;
  if (from == From::kStart || from == From::kCopy) {
    // (The same namespace under another text is refused here: its lease is
    // the source's.)
    Status opened = [&]() -> Status {
      ASSIGN_OR_RETURN(source, open(location, SealUnder::kMetadataKey));
      ASSIGN_OR_RETURN(target, open(connection_toml, target_seal));
      if (from != From::kStart) return OkStatus();
      ASSIGN_OR_RETURN(std::vector<std::string> there, target->ListPartitions("", "", 1));
      if (there.empty()) return OkStatus();
      return FailedPreconditionError("the RADOS namespace already holds metadata (partition '" + there[0] +
                                     "'): give a namespace of its own (rados_namespace) to each data directory");
    }();
    if (!opened.ok()) {
      if (made_key) env.RemoveFile(n.new_key).IgnoreError();  // nothing was moved
      return opened;
    }
  }
  if (from == From::kStart) {
    RETURN_IF_ERROR(WriteFileDurably(env, n.to_rados, connection_toml));
    RETURN_IF_ERROR(stepped(1));
    from = From::kCopy;
  }
  if (from == From::kCopy) {
    if (result.resumed) RETURN_IF_ERROR(meta::DropAllPartitions(*target).status());
    RETURN_IF_ERROR(CopyAndCompare(*source, *target, result));
    RETURN_IF_ERROR(stepped(2));
    RETURN_IF_ERROR(WriteFileDurably(env, n.previous_pool, location));
    RETURN_IF_ERROR(stepped(3));
    from = From::kSwitch;
  }
  if (from == From::kSwitch) {
    RETURN_IF_ERROR(env.RenameFile(n.to_rados, n.location));
    RETURN_IF_ERROR(env.SyncDir(n.dir));
  }
  // (metadata.to-rados gone, meta.new.key there: stopped between the two.)
  if (env.FileExists(n.new_key)) {
    RETURN_IF_ERROR(env.RenameFile(n.new_key, n.key));
    RETURN_IF_ERROR(env.SyncDir(n.dir));
  }
  if (from == From::kSwitch) RETURN_IF_ERROR(stepped(4));
  // The source namespace's copy goes; its connection file last. (Opened
  // again, it is opened unsealed: with a new key, its key is gone.)
  if (source == nullptr) {
    ASSIGN_OR_RETURN(const std::string source_location, ReadSmallFile(env, n.previous_pool));
    ASSIGN_OR_RETURN(source, open(source_location, SealUnder::kNothing));
  }
  ASSIGN_OR_RETURN(result.dropped_partitions, meta::DropAllPartitions(*source));
  RETURN_IF_ERROR(stepped(5));
  RETURN_IF_ERROR(env.RemoveFile(n.previous_pool));
  RETURN_IF_ERROR(env.SyncDir(n.dir));
  RETURN_IF_ERROR(stepped(6));
  return result;
}

}  // namespace

Status RefuseUnfinishedMetadataMove(Env& env, const std::string& path) {
  const MoveNames n(path);
  if (MoveToRadosUnfinished(env, n)) {
    return FailedPreconditionError("the move of " + path + "'s metadata to RADOS was interrupted: run " +
                                   FinishCommand(path, true) + " again to finish it");
  }
  if (env.FileExists(n.to_local)) {
    return FailedPreconditionError("the move of " + path + "'s metadata from RADOS was interrupted: run " +
                                   FinishCommand(path, false) + " again to finish it");
  }
  return OkStatus();
}

Result<MetadataMove> MoveMetadataToRados(Env& env, const std::string& path, kms::KeyProvider& keys,
                                         const std::string& connection_toml, const RadosMetaOpener& open, bool new_key,
                                         const std::function<Status(int step)>& after_step) {
  const MoveNames n(path);
  MetadataMove result;
  auto stepped = [&](int step) -> Status { return after_step ? after_step(step) : OkStatus(); };
  if (env.FileExists(n.to_local)) return RefuseUnfinishedMetadataMove(env, path);
  // On RADOS already (and not the end of a move from local): to another pool.
  if (env.FileExists(n.location) && !env.FileExists(n.moved_local)) {
    return MoveBetweenPools(env, n, keys, connection_toml, open, new_key, stepped);
  }
  if (new_key) {
    return FailedPreconditionError(
        "a new metadata key comes with a move from one pool to another; the local "
        "metadata of " +
        path + " gets one with `confiance admin encrypt-metadata --new-key`, then moves");
  }

  // Where to start: the steps below, in order.
  enum class From { kStart, kCopy, kLocationInPlace, kCleanUp } from;
  if (env.FileExists(n.to_rados)) {
    ASSIGN_OR_RETURN(std::string pending, ReadSmallFile(env, n.to_rados));
    RETURN_IF_ERROR(RefuseAnotherTarget(n, pending, n.to_rados, connection_toml));
    if (HasLocalMetaStore(env, n.meta)) {
      from = From::kCopy;
    } else if (HasLocalMetaStore(env, n.moved_local)) {
      from = From::kLocationInPlace;
    } else {
      return FailedPreconditionError(path + ": an interrupted move of its metadata left " + n.to_rados +
                                     " with no local store to move");
    }
    result.resumed = true;
  } else if (env.FileExists(n.location)) {  // (and meta.moved-to-rados/: see above)
    from = From::kCleanUp;
    result.resumed = true;
  } else {
    if (!HasLocalMetaStore(env, n.meta)) return NotFoundError("no metadata store at " + n.meta);
    if (!env.FileExists(n.key)) {
      return FailedPreconditionError("the metadata of " + path +
                                     " is in the clear: encrypt it first (`confiance admin encrypt-metadata --data " +
                                     path + "`)");
    }
    from = From::kStart;
  }

  std::unique_ptr<meta::MetaStore> target;
  if (from == From::kStart || from == From::kCopy) {
    ASSIGN_OR_RETURN(target, open(connection_toml, SealUnder::kMetadataKey));
  }
  if (from == From::kStart) {
    ASSIGN_OR_RETURN(std::vector<std::string> there, target->ListPartitions("", "", 1));
    if (!there.empty()) {
      return FailedPreconditionError("the RADOS namespace already holds metadata (partition '" + there[0] +
                                     "'): give a namespace of its own (rados_namespace) to each data directory");
    }
    // From here on the server refuses the directory until the move is done.
    RETURN_IF_ERROR(WriteFileDurably(env, n.to_rados, connection_toml));
    RETURN_IF_ERROR(stepped(1));
    from = From::kCopy;
  }
  if (from == From::kCopy) {
    // A copy an earlier run began is not trusted: start again on an empty
    // namespace.
    if (result.resumed) RETURN_IF_ERROR(meta::DropAllPartitions(*target).status());
    ASSIGN_OR_RETURN(OpenedLocal local, OpenLocal(env, n, keys, n.meta, /*read_only=*/true));
    RETURN_IF_ERROR(CopyAndCompare(*local.store, *target, result));
    RETURN_IF_ERROR(stepped(2));
    local.store.reset();  // closed before its files are renamed
    RETURN_IF_ERROR(env.RenameFile(n.meta, n.moved_local));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped(3));
    from = From::kLocationInPlace;
  }
  if (from == From::kLocationInPlace) {
    RETURN_IF_ERROR(env.RenameFile(n.to_rados, n.location));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped(4));
  }
  // The local copy goes (its blocks are freed, not overwritten).
  RETURN_IF_ERROR(RemoveLocalMetaStore(env, n.moved_local));
  RETURN_IF_ERROR(env.SyncDir(path));
  RETURN_IF_ERROR(stepped(5));
  return result;
}

Result<MetadataMove> MoveMetadataToLocal(Env& env, const std::string& path, kms::KeyProvider& keys,
                                         const RadosMetaOpener& open,
                                         const std::function<Status(int step)>& after_step) {
  const MoveNames n(path);
  MetadataMove result;
  auto stepped = [&](int step) -> Status { return after_step ? after_step(step) : OkStatus(); };
  if (MoveToRadosUnfinished(env, n)) return RefuseUnfinishedMetadataMove(env, path);

  enum class From { kStart, kCopy, kEmptySource } from;
  if (env.FileExists(n.to_local)) {
    from = HasLocalMetaStore(env, n.meta) ? From::kEmptySource : From::kCopy;
    result.resumed = true;
  } else if (env.FileExists(n.location)) {
    if (HasLocalMetaStore(env, n.meta)) return RefuseLocalAndRadosAtOnce(n);
    if (!env.FileExists(n.key)) return FailedPreconditionError("no metadata key at " + n.key);
    from = From::kStart;
  } else {
    return FailedPreconditionError("the metadata of " + path + " is local already (no " + n.location + ")");
  }

  // The connection is kept until the end (it says which namespace to empty).
  ASSIGN_OR_RETURN(const std::string connection, ReadSmallFile(env, from == From::kStart ? n.location : n.to_local));
  ASSIGN_OR_RETURN(std::unique_ptr<meta::MetaStore> source, open(connection, SealUnder::kMetadataKey));
  if (from == From::kStart) {
    // From here on the server refuses the directory until the move is done.
    RETURN_IF_ERROR(WriteFileDurably(env, n.to_local, connection));
    RETURN_IF_ERROR(stepped(1));
    RETURN_IF_ERROR(env.RemoveFile(n.location));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped(2));
    from = From::kCopy;
  }
  if (from == From::kCopy) {
    if (env.FileExists(n.location)) {  // stopped between steps 1 and 2
      RETURN_IF_ERROR(env.RemoveFile(n.location));
      RETURN_IF_ERROR(env.SyncDir(path));
    }
    RETURN_IF_ERROR(RemoveLocalMetaStore(env, n.from_rados));  // an earlier run's unfinished copy
    RETURN_IF_ERROR(env.SyncDir(path));
    {
      ASSIGN_OR_RETURN(OpenedLocal local, OpenLocal(env, n, keys, n.from_rados, /*read_only=*/false));
      RETURN_IF_ERROR(CopyAndCompare(*source, *local.store, result));
    }  // closed (every batch was synced) before its directory is renamed
    RETURN_IF_ERROR(env.SyncDir(n.from_rados));
    RETURN_IF_ERROR(stepped(3));
    RETURN_IF_ERROR(env.RenameFile(n.from_rados, n.meta));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped(4));
  }
  // The namespace's copy goes; its connection file last.
  ASSIGN_OR_RETURN(result.dropped_partitions, meta::DropAllPartitions(*source));
  RETURN_IF_ERROR(stepped(5));
  RETURN_IF_ERROR(env.RemoveFile(n.to_local));
  RETURN_IF_ERROR(env.SyncDir(path));
  RETURN_IF_ERROR(stepped(6));
  return result;
}

}  // namespace confiance

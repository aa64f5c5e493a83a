// File: main/metadata_encryption.cc
#include "main/metadata_encryption.h"

#include <utility>

#include "kms/wrapped_key_file.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {
namespace {

struct Names {
  explicit Names(const std::string& dir)
      : key(dir + "/" + kMetadataKeyFile),
        meta(dir + "/meta"),
        encrypted(dir + "/meta.encrypted"),
        encrypted_key(dir + "/meta.encrypted.key"),
        done(dir + "/meta.encrypted.done"),
        old(dir + "/meta.plaintext-old") {}
  const std::string key, meta, encrypted, encrypted_key, done, old;
};

// Whether a store's CURRENT file is there: a store, not a leftover.
bool HasStore(Env& env, const std::string& dir) { return env.FileExists(dir + "/CURRENT"); }

// Removes a store's directory (flat: RocksDB makes no subdirectories).
Status RemoveStore(Env& env, const std::string& dir) {
  if (!env.FileExists(dir)) return OkStatus();
  ASSIGN_OR_RETURN(std::vector<std::string> children, env.GetChildren(dir));
  for (const std::string& c : children) RETURN_IF_ERROR(env.RemoveFile(dir + "/" + c));
  return env.RemoveDir(dir);
}

meta::RocksMetaStore::Options StoreOptions(const std::string& path, Env& env, bool read_only) {
  meta::RocksMetaStore::Options o;
  o.path = path;
  o.env = &env;
  o.read_only = read_only;
  o.block_cache_bytes = size_t{8} << 20;
  return o;
}

// FailedPrecondition if the store under DIR/meta is encrypted (its CURRENT
// is one of ours) although DIR/meta.key is missing (a backup restored
// without it): a store in the clear has a clear CURRENT.
Status RefuseEncryptedStoreWithoutKey(Env& env, const Names& n, const std::string& path) {
  ASSIGN_OR_RETURN(std::string current, ReadSmallFile(env, n.meta + "/CURRENT"));
  if (!crypto::EncryptedEnv::LooksEncrypted(current)) return OkStatus();
  return FailedPreconditionError("the metadata of " + path + " is encrypted but its key file " +
                                 std::string(kMetadataKeyFile) +
                                 " is missing: put back the one it was written with (docs/backup.md)");
}

}  // namespace

Result<std::unique_ptr<crypto::EncryptedEnv>> OpenMetadataEnv(Env& env, const std::string& path, kms::KeyProvider& keys,
                                                              bool create) {
  const Names n(path);
  if (!HasStore(env, n.meta) && (env.FileExists(n.old) || env.FileExists(n.done))) {
    return FailedPreconditionError("the conversion of " + path +
                                   "'s metadata to encrypted was interrupted: run `confiance admin "
                                   "encrypt-metadata --data " +
                                   path + "` again to finish it");
  }
  crypto::SecretBytes key;
  if (env.FileExists(n.key)) {
    ASSIGN_OR_RETURN(key, kms::LoadWrappedKeyFile(env, n.key, keys, kms::kMetadataKeyContext));
  } else if (HasStore(env, n.meta)) {
    // Metadata from before metadata encryption, in the clear.
    RETURN_IF_ERROR(RefuseEncryptedStoreWithoutKey(env, n, path));
    return std::unique_ptr<crypto::EncryptedEnv>();
  } else if (!create) {
    return std::unique_ptr<crypto::EncryptedEnv>();
  } else {
    ASSIGN_OR_RETURN(
        key, kms::CreateWrappedKeyFile(env, n.key, keys, kms::kMetadataKeyContext, crypto::EncryptedEnv::kKeySize));
  }
  return crypto::EncryptedEnv::Create(env, key);
}

Result<MetadataConversion> EncryptMetadata(Env& env, const std::string& path, kms::KeyProvider& keys,
                                           const std::function<Status(int step)>& after_step) {
  const Names n(path);
  MetadataConversion result;
  int step = 0;
  auto stepped = [&]() -> Status { return after_step ? after_step(++step) : OkStatus(); };

  // Where an earlier run stopped, if it did (the steps below, in order).
  enum class From { kCopy, kKeyInPlace, kStoreInPlace, kCleanUp, kNothing };
  From from;
  if (env.FileExists(n.key)) {
    if (HasStore(env, n.meta)) {
      from = env.FileExists(n.old) || env.FileExists(n.done) ? From::kCleanUp : From::kNothing;
    } else if (HasStore(env, n.encrypted)) {
      from = From::kStoreInPlace;
    } else {
      return FailedPreconditionError(path + " has a metadata key but no metadata store");
    }
  } else if (HasStore(env, n.meta)) {
    RETURN_IF_ERROR(RefuseEncryptedStoreWithoutKey(env, n, path));
    from = From::kCopy;
  } else if (env.FileExists(n.old) && env.FileExists(n.done) && env.FileExists(n.encrypted_key)) {
    from = From::kKeyInPlace;
  } else {
    return NotFoundError("no metadata store at " + n.meta);
  }
  if (from == From::kNothing) {
    result.already_encrypted = true;
    return result;
  }
  result.resumed = from != From::kCopy;

  if (from == From::kCopy) {
    // Leftovers of a run that stopped before its copy was complete.
    RETURN_IF_ERROR(RemoveStore(env, n.encrypted));
    if (env.FileExists(n.encrypted_key)) RETURN_IF_ERROR(env.RemoveFile(n.encrypted_key));
    if (env.FileExists(n.done)) RETURN_IF_ERROR(env.RemoveFile(n.done));
    RETURN_IF_ERROR(env.SyncDir(path));
    ASSIGN_OR_RETURN(crypto::SecretBytes key,
                     kms::CreateWrappedKeyFile(env, n.encrypted_key, keys, kms::kMetadataKeyContext,
                                               crypto::EncryptedEnv::kKeySize));
    RETURN_IF_ERROR(stepped());  // 1
    ASSIGN_OR_RETURN(std::unique_ptr<crypto::EncryptedEnv> encrypted_env, crypto::EncryptedEnv::Create(env, key));
    {
      ASSIGN_OR_RETURN(std::unique_ptr<meta::RocksMetaStore> clear,
                       meta::RocksMetaStore::Open(StoreOptions(n.meta, env, /*read_only=*/true)));
      ASSIGN_OR_RETURN(std::unique_ptr<meta::RocksMetaStore> sealed,
                       meta::RocksMetaStore::Open(StoreOptions(n.encrypted, *encrypted_env, /*read_only=*/false)));
      ASSIGN_OR_RETURN(result.records, clear->CopyInto(*sealed));
    }
    RETURN_IF_ERROR(stepped());  // 2
    RETURN_IF_ERROR(WriteFileDurably(env, n.done, "copy complete\n"));
    RETURN_IF_ERROR(stepped());  // 3
    // From here on the directory has no store under its name until the
    // encrypted one takes it: OpenMetadataEnv refuses it (n.old exists).
    RETURN_IF_ERROR(env.RenameFile(n.meta, n.old));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped());  // 4
    from = From::kKeyInPlace;
  }
  if (from == From::kKeyInPlace) {
    RETURN_IF_ERROR(env.RenameFile(n.encrypted_key, n.key));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped());  // 5
    from = From::kStoreInPlace;
  }
  if (from == From::kStoreInPlace) {
    RETURN_IF_ERROR(env.RenameFile(n.encrypted, n.meta));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped());  // 6
  }
  // The clear-text store goes (its blocks are freed, not overwritten).
  RETURN_IF_ERROR(RemoveStore(env, n.old));
  if (env.FileExists(n.done)) RETURN_IF_ERROR(env.RemoveFile(n.done));
  RETURN_IF_ERROR(env.SyncDir(path));
  RETURN_IF_ERROR(stepped());  // 7
  return result;
}

}  // namespace confiance

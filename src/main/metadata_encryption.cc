// File: main/metadata_encryption.cc
#include "main/metadata_encryption.h"

#include <utility>

#include "kms/wrapped_key_file.h"
#include "main/local_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {
namespace {

struct Names {
  explicit Names(const std::string& dir)
      : dir(dir),
        key(dir + "/" + kMetadataKeyFile),
        meta(dir + "/meta"),
        encrypted(dir + "/meta.encrypted"),
        encrypted_key(dir + "/meta.encrypted.key"),
        done(dir + "/meta.encrypted.done"),
        old_clear(dir + "/meta.plaintext-old"),
        old_keyed(dir + "/meta.old-key") {}
  const std::string dir, key, meta, encrypted, encrypted_key, done;
  // Where the replaced store waits for its removal: in the clear (a
  // conversion), or under the replaced key (a new key).
  const std::string old_clear, old_keyed;
};

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
  // No store under its name (mid-swap), or a finished copy waiting to take
  // its place (a store opened now would take writes the copy lacks).
  const bool mid_swap = !HasLocalMetaStore(env, n.meta) &&
                        (env.FileExists(n.old_clear) || env.FileExists(n.old_keyed) || env.FileExists(n.done));
  if (mid_swap || (env.FileExists(n.done) && HasLocalMetaStore(env, n.encrypted))) {
    return FailedPreconditionError("the encryption of " + path +
                                   "'s metadata under a new key was interrupted: run `confiance admin "
                                   "encrypt-metadata --data " +
                                   path + "` again to finish it");
  }
  crypto::SecretBytes key;
  if (env.FileExists(n.key)) {
    ASSIGN_OR_RETURN(key, kms::LoadWrappedKeyFile(env, n.key, keys, kms::kMetadataKeyContext));
  } else if (HasLocalMetaStore(env, n.meta)) {
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

namespace {

// Where an earlier run stopped, if it did (the steps of ConvertMetadata,
// in order): what to do next.
enum class From { kCopy, kSwapOut, kKeyInPlace, kStoreInPlace, kCleanUp, kNothing };

Result<From> WhereToStart(Env& env, const Names& n, const std::string& path, bool new_key) {
  const bool has_key = env.FileExists(n.key), has_meta = HasLocalMetaStore(env, n.meta);
  if (env.FileExists(n.done)) {  // the copy was complete
    const bool has_copy = HasLocalMetaStore(env, n.encrypted);
    if (has_copy && env.FileExists(n.encrypted_key)) return has_meta ? From::kSwapOut : From::kKeyInPlace;
    if (has_copy && has_key && !has_meta) return From::kStoreInPlace;
    if (!has_copy && has_key && has_meta) return From::kCleanUp;
    return FailedPreconditionError(path + ": an interrupted metadata conversion left names it cannot finish from (" +
                                   n.done + " with neither a copy to swap in nor a store in place)");
  }
  if (!has_meta) return NotFoundError("no metadata store at " + n.meta);
  if (env.FileExists(n.old_clear) || env.FileExists(n.old_keyed)) return From::kCleanUp;
  if (has_key) return new_key ? From::kCopy : From::kNothing;
  RETURN_IF_ERROR(RefuseEncryptedStoreWithoutKey(env, n, path));
  return From::kCopy;
}

// The store's current key (null: in the clear), to read it for the copy.
Result<std::unique_ptr<crypto::EncryptedEnv>> CurrentEnv(Env& env, const Names& n, kms::KeyProvider& keys) {
  if (!env.FileExists(n.key)) return std::unique_ptr<crypto::EncryptedEnv>();
  ASSIGN_OR_RETURN(crypto::SecretBytes key, kms::LoadWrappedKeyFile(env, n.key, keys, kms::kMetadataKeyContext));
  return crypto::EncryptedEnv::Create(env, key);
}

// Copies every record of DIR/meta (read through its current key, if any)
// into DIR/meta.encrypted under a new key kept in DIR/meta.encrypted.key.
// Steps 1 (the new key) and 2 (the copy).
Result<uint64_t> CopyUnderNewKey(Env& env, const Names& n, kms::KeyProvider& keys,
                                 const std::function<Status()>& stepped) {
  // Leftovers of a run that stopped before its copy was complete.
  RETURN_IF_ERROR(RemoveLocalMetaStore(env, n.encrypted));
  if (env.FileExists(n.encrypted_key)) RETURN_IF_ERROR(env.RemoveFile(n.encrypted_key));
  RETURN_IF_ERROR(env.SyncDir(n.dir));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::EncryptedEnv> current, CurrentEnv(env, n, keys));
  ASSIGN_OR_RETURN(
      crypto::SecretBytes key,
      kms::CreateWrappedKeyFile(env, n.encrypted_key, keys, kms::kMetadataKeyContext, crypto::EncryptedEnv::kKeySize));
  RETURN_IF_ERROR(stepped());  // 1
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::EncryptedEnv> sealed_env, crypto::EncryptedEnv::Create(env, key));
  ASSIGN_OR_RETURN(
      std::unique_ptr<meta::RocksMetaStore> source,
      meta::RocksMetaStore::Open(OfflineMetaStoreOptions(n.meta, current ? *current : env, /*read_only=*/true)));
  ASSIGN_OR_RETURN(std::unique_ptr<meta::RocksMetaStore> sealed,
                   meta::RocksMetaStore::Open(OfflineMetaStoreOptions(n.encrypted, *sealed_env, /*read_only=*/false)));
  return source->CopyInto(*sealed);
}

Result<MetadataConversion> ConvertMetadata(Env& env, const std::string& path, kms::KeyProvider& keys, bool new_key,
                                           const std::function<Status(int step)>& after_step) {
  const Names n(path);
  MetadataConversion result;
  int step = 0;
  auto stepped = [&]() -> Status { return after_step ? after_step(++step) : OkStatus(); };

  ASSIGN_OR_RETURN(From from, WhereToStart(env, n, path, new_key));
  if (from == From::kNothing) {
    result.already_encrypted = true;
    return result;
  }
  result.resumed = from != From::kCopy;

  if (from == From::kCopy) {
    result.was_clear = !env.FileExists(n.key);
    ASSIGN_OR_RETURN(result.records, CopyUnderNewKey(env, n, keys, [&] { return stepped(); }));
    RETURN_IF_ERROR(stepped());  // 2
    // From here on the server refuses the directory until the swap is done.
    RETURN_IF_ERROR(WriteFileDurably(env, n.done, "copy complete\n"));
    RETURN_IF_ERROR(stepped());  // 3
    from = From::kSwapOut;
  }
  if (from == From::kSwapOut) {
    // (The key file, if any, is still the replaced store's.)
    RETURN_IF_ERROR(env.RenameFile(n.meta, env.FileExists(n.key) ? n.old_keyed : n.old_clear));
    RETURN_IF_ERROR(env.SyncDir(path));
    RETURN_IF_ERROR(stepped());  // 4
    from = From::kKeyInPlace;
  }
  if (from == From::kKeyInPlace) {
    // Replaces the key of the old store, if it had one, in one rename.
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
  // The replaced store goes (its blocks are freed, not overwritten).
  RETURN_IF_ERROR(RemoveLocalMetaStore(env, n.old_clear));
  RETURN_IF_ERROR(RemoveLocalMetaStore(env, n.old_keyed));
  if (env.FileExists(n.done)) RETURN_IF_ERROR(env.RemoveFile(n.done));
  RETURN_IF_ERROR(env.SyncDir(path));
  RETURN_IF_ERROR(stepped());  // 7
  return result;
}

}  // namespace

Result<MetadataConversion> EncryptMetadata(Env& env, const std::string& path, kms::KeyProvider& keys,
                                           const std::function<Status(int step)>& after_step) {
  return ConvertMetadata(env, path, keys, /*new_key=*/false, after_step);
}

Result<MetadataConversion> ReencryptMetadataUnderNewKey(Env& env, const std::string& path, kms::KeyProvider& keys,
                                                        const std::function<Status(int step)>& after_step) {
  return ConvertMetadata(env, path, keys, /*new_key=*/true, after_step);
}

}  // namespace confiance

// File: main/data_dir.cc
#include "main/data_dir.h"

#include <chrono>

#include "audit/transparency_log.h"
#include "common/ascii.h"
#include "kms/embedded/embedded_key_provider.h"
#include "kms/embedded/key_file_format.h"
#include "kms/wrapped_key_file.h"
#include "main/malloc_tuning.h"

namespace confiance {
namespace {

constexpr char kKmipMarkerPrefix[] = "kmip ";

}  // namespace

Result<std::unique_ptr<kms::KeyProvider>> OpenKeyProvider(Env& env, const std::string& path, const KmsOptions& o) {
  const std::string marker = path + "/" + kKmsMarker;
  const std::string embedded_key = path + "/keys/" + kms::kRootKeyFileName;
  if (!o.kmip) {
    if (env.FileExists(marker)) {
      return FailedPreconditionError("the keys of data directory " + path +
                                     " are in a KMIP KMS (see its KMS file): start with --kms kmip");
    }
    // Metadata without its key file (a backup restored without the key, a
    // key file lost): a new root key would open none of the wrapped keys,
    // so say what is missing instead of making one.
    if (!env.FileExists(embedded_key) && env.FileExists(path + "/meta/CURRENT")) {
      return FailedPreconditionError("data directory " + path + " holds metadata but no root key file (keys/" +
                                     std::string(kms::kRootKeyFileName) +
                                     "): put back the key file it was written with (docs/backup.md)");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<kms::EmbeddedKeyProvider> p, kms::EmbeddedKeyProvider::Open(env, path + "/keys"));
    return std::unique_ptr<kms::KeyProvider>(std::move(p));
  }
  if (env.FileExists(embedded_key)) {
    return FailedPreconditionError("data directory " + path +
                                   " uses the embedded keystore (keys/root.key); it cannot switch to a KMIP KMS");
  }
  kms::KmipKeyProviderOptions ko = o.kmip_options;
  // Half of the lifetime here, half in TenantKeys (see Open).
  ko.cache_lifetime = o.kmip_options.cache_lifetime / 2;
  std::string recorded;
  if (env.FileExists(marker)) {
    ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, marker));
    if (text.rfind(kKmipMarkerPrefix, 0) != 0) return DataLossError(marker + " is malformed");
    recorded = TrimTrailingNewlines(text.substr(sizeof(kKmipMarkerPrefix) - 1));
    if (ko.root_key_id.empty()) ko.root_key_id = recorded;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<kms::KmipKeyProvider> p, kms::KmipKeyProvider::Open(ko));
  if (recorded != p->DefaultKeyId()) {
    RETURN_IF_ERROR(WriteFileDurably(env, marker, kKmipMarkerPrefix + p->DefaultKeyId() + "\n"));
  }
  return std::unique_ptr<kms::KeyProvider>(std::move(p));
}

Result<std::vector<sovereignty::PoolSpec>> LoadPools(Env& env, const std::string& pools_file,
                                                     const std::string& jurisdiction) {
  if (!sovereignty::IsValidJurisdiction(jurisdiction)) {
    return InvalidArgumentError("--jurisdiction must be an ISO 3166 alpha-2 code or EU, not '" + jurisdiction + "'");
  }
  if (pools_file.empty()) return sovereignty::DefaultPools(jurisdiction);
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, pools_file));
  return sovereignty::ParsePoolsToml(text, jurisdiction);
}

Result<std::unique_ptr<DataDir>> DataDir::OpenCore(Env& env, const std::string& path, const KmsOptions& kms,
                                                   bool read_only) {
  auto d = std::make_unique<DataDir>();
  d->path = path;
  Result<std::unique_ptr<FileLock>> lock = env.LockFile(path + "/LOCK");
  if (!lock.ok()) {
    return FailedPreconditionError("data directory " + path +
                                   " is in use by another process (" + lock.status().message() + ")");
  }
  d->lock = std::move(lock).value();
  RETURN_IF_ERROR(RefuseUnfinishedMetadataMove(env, path));
  ASSIGN_OR_RETURN(d->keys, OpenKeyProvider(env, path, kms));
  d->root_key_versions = dynamic_cast<kms::RootKeyVersions*>(d->keys.get());
  const std::string location_file = path + "/" + kMetadataLocationFile;
  if (!read_only && env.FileExists(location_file)) {
    RETURN_IF_ERROR(d->OpenRadosMeta(env, location_file));
    return d;
  }
  ASSIGN_OR_RETURN(d->meta_env, OpenMetadataEnv(env, path, *d->keys, /*create=*/!read_only));
  meta::RocksMetaStore::Options mo;
  mo.path = path + "/meta";
  mo.env = d->meta_env != nullptr ? d->meta_env.get() : &env;
  mo.read_only = read_only;
  // The transparency logs append: entries, node hashes and sizes grow.
  mo.append_partition_prefixes = {audit::TransparencyLog::PartitionName("")};
  mo.bind_memtable_arena = MemtableArenaBinder();
  ASSIGN_OR_RETURN(std::unique_ptr<meta::RocksMetaStore> rocks, meta::RocksMetaStore::Open(mo));
  d->rocks_meta = rocks.get();
  d->meta = std::move(rocks);
  return d;
}

Result<StoppedDataDir> OpenStoppedDataDir(Env& env, const std::string& path, const KmsOptions& kms) {
  StoppedDataDir d;
  Result<std::unique_ptr<FileLock>> lock = env.LockFile(path + "/LOCK");
  if (!lock.ok()) return Status(lock.status().code(), "in use by a running server? " + lock.status().message());
  d.lock = std::move(lock).value();
  ASSIGN_OR_RETURN(d.keys, OpenKeyProvider(env, path, kms));
  return d;
}

Result<std::unique_ptr<meta::RadosMetaStore>> OpenSealedRadosMeta(Env& env, kms::KeyProvider& keys,
                                                                  const std::string& connection_toml,
                                                                  const std::string& origin,
                                                                  const std::string& key_file,
                                                                  std::unique_ptr<crypto::RecordSealer>& sealer) {
  meta::RadosMetaStore::Options o;
  ASSIGN_OR_RETURN(o.connection, sovereignty::ParseRadosConnectionToml(connection_toml, origin));
  if (!key_file.empty()) {
    crypto::SecretBytes key;
    if (env.FileExists(key_file)) {
      ASSIGN_OR_RETURN(key, kms::LoadWrappedKeyFile(env, key_file, keys, kms::kMetadataKeyContext));
    } else {
      ASSIGN_OR_RETURN(key, kms::CreateWrappedKeyFile(env, key_file, keys, kms::kMetadataKeyContext,
                                                      crypto::EncryptedEnv::kKeySize));
    }
    ASSIGN_OR_RETURN(sealer, crypto::RecordSealer::Create(key));
    o.sealer = sealer.get();
  }
  Result<std::unique_ptr<meta::RadosMetaStore>> store = meta::RadosMetaStore::Open(o);
  if (!store.ok()) return Status(store.status().code(), "metadata: " + store.status().message());
  return store;
}

Status DataDir::OpenRadosMeta(Env& env, const std::string& location_file) {
  if (env.FileExists(path + "/meta/CURRENT")) {
    return FailedPreconditionError("data directory " + path + " holds local metadata (meta/), but " + location_file +
                                   " puts the metadata on RADOS: remove " + location_file +
                                   " to keep the local metadata, or move it there with `confiance admin "
                                   "move-metadata --data " +
                                   path + " --to-rados FILE` (docs/rados.md)");
  }
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, location_file));
  ASSIGN_OR_RETURN(std::unique_ptr<meta::RadosMetaStore> store,
                   OpenSealedRadosMeta(env, *keys, text, location_file, path + "/" + kMetadataKeyFile, meta_sealer));
  rados_meta = store.get();
  meta = std::move(store);
  return OkStatus();
}

Result<std::unique_ptr<DataDir>> DataDir::Open(Env& env, const std::string& path, const KmsOptions& kms,
                                               std::vector<sovereignty::PoolSpec> pools) {
  if (pools.empty()) pools = sovereignty::DefaultPools(sovereignty::kDefaultJurisdiction);
  RETURN_IF_ERROR(CreateDirsDurably(env, path));
  ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d, OpenCore(env, path, kms, /*read_only=*/false));
  ASSIGN_OR_RETURN(d->blobs, blob::LocalBlobStore::Open(env, path + "/blobs"));
  std::vector<std::pair<std::string, blob::BlobStore*>> stores;
  std::string default_pool;
  for (const sovereignty::PoolSpec& p : pools) {
    if (p.is_default) {
      default_pool = p.name;
      stores.emplace_back(p.name, d->blobs.get());
      d->local_pools.emplace_back(p.name, d->blobs.get());
      continue;
    }
    if (p.rados) {
      Result<std::unique_ptr<blob::RadosBlobStore>> store = blob::RadosBlobStore::Open(*p.rados);
      if (!store.ok()) return Status(store.status().code(), "pool " + p.name + ": " + store.status().message());
      stores.emplace_back(p.name, store->get());
      d->rados_pools.emplace_back(p.name, std::move(store).value());
      continue;
    }
    if (p.directory == path || p.directory == path + "/blobs" || p.directory.rfind(path + "/", 0) == 0) {
      return InvalidArgumentError("pool " + p.name + ": its directory must be outside the data directory");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<blob::LocalBlobStore> store, blob::LocalBlobStore::Open(env, p.directory));
    stores.emplace_back(p.name, store.get());
    d->local_pools.emplace_back(p.name, store.get());
    d->pool_stores.push_back(std::move(store));
  }
  ASSIGN_OR_RETURN(d->router, blob::PoolRouter::Create(default_pool, stores));
  d->catalog = std::make_unique<catalog::Catalog>(*d->meta);
  d->MakeKeys(kms);
  d->credentials = std::make_unique<iam::CredentialStore>(*d->meta, *d->keys);
  d->sessions = std::make_unique<iam::SessionTokens>(*d->meta, *d->keys, *d->credentials);
  d->directory = std::make_unique<iam::Directory>(*d->meta, *d->credentials);
  d->residency = std::make_unique<sovereignty::Residency>(std::move(pools), *d->router, *d->meta, *d->catalog);
  return d;
}

Result<std::unique_ptr<DataDir>> DataDir::OpenReadOnly(Env& env, const std::string& path, const KmsOptions& kms) {
  if (const std::string location_file = path + "/" + kMetadataLocationFile; env.FileExists(location_file)) {
    return FailedPreconditionError("the metadata of " + path + " is on RADOS (" + location_file +
                                   "): this offline command reads local metadata only");
  }
  if (!env.FileExists(path + "/meta")) return NotFoundError("no data directory at " + path);
  if (!kms.kmip && !env.FileExists(path + "/keys/" + kms::kRootKeyFileName)) {
    // Opening the embedded keystore would make a new root key.
    return NotFoundError("data directory " + path + " has no root key file (keys/" +
                         std::string(kms::kRootKeyFileName) + ")");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d, OpenCore(env, path, kms, /*read_only=*/true));
  d->catalog = std::make_unique<catalog::Catalog>(*d->meta);
  d->MakeKeys(kms);
  return d;
}

void DataDir::MakeKeys(const KmsOptions& kms) {
  // A key revoked in the KMS must stop serving within the configured
  // lifetime L. Each cache layer adds its own lifetime, so: the KMIP
  // provider keeps unwrapped keys L/2, tenant keys (read and checked on
  // every request, so they must be cached for speed) L/2, and bucket keys
  // are not cached (their unwrap under a cached tenant key is one local
  // AES-GCM open).
  if (kms.kmip) {
    const std::chrono::milliseconds half = kms.kmip_options.cache_lifetime / 2;
    tenant_keys = std::make_unique<catalog::TenantKeys>(*meta, *keys, half);
    bucket_keys = std::make_unique<catalog::BucketKeys>(*keys, *tenant_keys, std::chrono::milliseconds(0));
  } else {
    tenant_keys = std::make_unique<catalog::TenantKeys>(*meta, *keys);
    bucket_keys = std::make_unique<catalog::BucketKeys>(*keys, *tenant_keys);
  }
  if (kms.hyok) {
    external_keys = std::make_unique<kms::KmipExternalKeys>(*kms.hyok);
    tenant_keys->SetExternalKeys(external_keys.get());
  }
}

}  // namespace confiance

// File: main/data_dir.h
// DataDir: opens everything that lives in one data directory and builds the
// storage object graph:
//   DIR/LOCK    held while a process uses the directory
//   DIR/keys/   the embedded keystore (root key, mode 0600), unless...
//   DIR/KMS     ...the root key is in an external KMIP KMS: this file says
//               so ("kmip <root key id>"), so that the directory is never
//               opened with the other provider by mistake
//   DIR/meta.key the metadata key, wrapped under the root key
//   DIR/meta/   RocksDB (catalog and IAM records), encrypted under it
//               (crypto/encrypted_env.h), unless...
//   DIR/metadata.toml ...this file names a RADOS pool that holds them
//               instead (meta/rados/rados_meta_store.h; docs/rados.md,
//               "Metadata on RADOS"), their values sealed under keys
//               derived from the metadata key (crypto/record_sealer.h)
//   DIR/blobs/  encrypted blob files: the default storage pool; other pools
//               (--pools FILE, sovereignty/residency/pools.h) are
//               directories of their own, each used by one server only
#pragma once

#include <memory>
#include <string>

#include "blob/local/local_blob_store.h"
#include "blob/pools/pool_router.h"
#include "blob/rados/rados_blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/tenant_keys.h"
#include "common/env.h"
#include "crypto/encrypted_env.h"
#include "crypto/record_sealer.h"
#include "iam/credentials.h"
#include "iam/directory.h"
#include "iam/session_tokens.h"
#include "kms/key_provider.h"
#include "kms/kmip/kmip_external_keys.h"
#include "kms/kmip/kmip_key_provider.h"
#include "kms/root_key_versions.h"
#include "main/metadata_encryption.h"
#include "main/metadata_move.h"
#include "meta/rados/rados_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "sovereignty/residency/residency.h"

namespace confiance {

// The file in a data directory that names its root key in a KMIP KMS.
inline constexpr char kKmsMarker[] = "KMS";

// Which KeyProvider holds the root key.
struct KmsOptions {
  bool kmip = false;  // false: the embedded keystore in DIR/keys
  // With kmip: the KMS endpoint and TLS files, the root key, the lifetime
  // of unwrapped keys. An empty root_key_id takes the one DIR/KMS records.
  kms::KmipKeyProviderOptions kmip_options;
  // Hold your own key (docs/keys.md): set when the operator configured a
  // client certificate for tenants' own KMSs (--hyok-client-cert).
  std::optional<kms::KmipExternalKeysOptions> hyok;
};

// The key provider of the data directory (or backup) at `path`: the
// embedded keystore in path/keys, or the KMIP KMS that path/KMS names.
// FailedPrecondition if the directory was set up with the other provider,
// or holds metadata but no root key file (a new key would open nothing).
Result<std::unique_ptr<kms::KeyProvider>> OpenKeyProvider(Env& env, const std::string& path, const KmsOptions& kms);

// The storage pools: those of the TOML file `pools_file` ("" = none: the
// default pool alone), the implicit default pool labelled `jurisdiction`.
Result<std::vector<sovereignty::PoolSpec>> LoadPools(Env& env, const std::string& pools_file,
                                                     const std::string& jurisdiction);

// What an offline command that rewrites a stopped server's data directory
// holds: its LOCK (taken first; the error then says a server may hold it)
// and its key provider.
struct StoppedDataDir {
  std::unique_ptr<FileLock> lock;
  std::unique_ptr<kms::KeyProvider> keys;
};
Result<StoppedDataDir> OpenStoppedDataDir(Env& env, const std::string& path, const KmsOptions& kms);

// The metadata store on the RADOS pool that `connection_toml` (the text of
// the file `origin`: a metadata.toml) names, its values sealed by `sealer`,
// which this makes from the metadata key in `key_file` (created if missing;
// empty: no sealer, only to drop a namespace's partitions) and which must
// outlive the store. FailedPrecondition if another server holds the
// namespace's lease.
Result<std::unique_ptr<meta::RadosMetaStore>> OpenSealedRadosMeta(Env& env, kms::KeyProvider& keys,
                                                                  const std::string& connection_toml,
                                                                  const std::string& origin,
                                                                  const std::string& key_file,
                                                                  std::unique_ptr<crypto::RecordSealer>& sealer);

struct DataDir {
  // FailedPrecondition if the directory is in use, or was set up with the
  // other key provider (DIR/KMS present without kmip, or DIR/keys/root.key
  // with kmip: moving between providers needs a rewrap of every key).
  // `pools` (LoadPools): the storage pools; empty = the default pool alone.
  static Result<std::unique_ptr<DataDir>> Open(Env& env, const std::string& path, const KmsOptions& kms = {},
                                               std::vector<sovereignty::PoolSpec> pools = {});
  // For offline checks that must see the directory's files as they were
  // (the shred check; FailedPrecondition for a directory whose metadata is
  // on RADOS, which has no such files): the metadata store opened read-only
  // (RocksMetaStore::Options::read_only), and only `lock`, `keys`,
  // `root_key_versions`, `external_keys`, `meta`, `catalog`, `tenant_keys`
  // and `bucket_keys` set (no blob store: opening one removes its stale
  // temporary files). The directory must exist (NotFound otherwise).
  // Writes through it fail with FailedPrecondition.
  static Result<std::unique_ptr<DataDir>> OpenReadOnly(Env& env, const std::string& path, const KmsOptions& kms = {});

  std::string path;
  std::unique_ptr<FileLock> lock;
  std::unique_ptr<kms::KeyProvider> keys;
  // The root key's versions when `keys` is the embedded keystore (null
  // with a KMIP KMS, which rotates its own keys). Points into `keys`.
  kms::RootKeyVersions* root_key_versions = nullptr;
  // What the metadata store's files go through: encrypted under the key of
  // DIR/meta.key. Null for a directory whose metadata was written before
  // metadata encryption existed (in the clear; `meta` then uses the Env
  // given to Open). Declared before `meta`, which uses it until destroyed.
  std::unique_ptr<crypto::EncryptedEnv> meta_env;
  // What seals the values of metadata kept on RADOS; null otherwise.
  // Declared before `meta`, which uses it until destroyed.
  std::unique_ptr<crypto::RecordSealer> meta_sealer;
  std::unique_ptr<kms::ExternalKeys> external_keys;  // null without KmsOptions::hyok
  // RocksDB in DIR/meta, or the RADOS pool DIR/metadata.toml names.
  std::unique_ptr<meta::MetaStore> meta;
  meta::RocksMetaStore* rocks_meta = nullptr;   // `meta`, when it is RocksDB (tests, harnesses)
  meta::RadosMetaStore* rados_meta = nullptr;   // `meta`, when it is on RADOS (metrics)
  std::unique_ptr<blob::LocalBlobStore> blobs;  // the default pool's store
  std::vector<std::unique_ptr<blob::LocalBlobStore>> pool_stores;   // the other local pools'
  // The pools on Ceph (docs/rados.md) by name, owning their stores (metrics,
  // readiness).
  std::vector<std::pair<std::string, std::unique_ptr<blob::RadosBlobStore>>> rados_pools;
  // Every local pool by name with its store, the default pool's included
  // (backups, disk metrics).
  std::vector<std::pair<std::string, blob::LocalBlobStore*>> local_pools;
  // Every blob access goes through the router: it finds a blob in any pool.
  std::unique_ptr<blob::PoolRouter> router;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::TenantKeys> tenant_keys;
  std::unique_ptr<catalog::BucketKeys> bucket_keys;
  std::unique_ptr<iam::CredentialStore> credentials;
  std::unique_ptr<iam::SessionTokens> sessions;  // temporary credentials (docs/sts.md)
  std::unique_ptr<iam::Directory> directory;
  std::unique_ptr<sovereignty::Residency> residency;

 private:
  // What Open and OpenReadOnly share: the LOCK taken (FailedPrecondition
  // while another process holds it), the key provider and the metadata
  // store opened (read-only: the files as they are, no WAL replay).
  // The metadata on RADOS when DIR/metadata.toml says so.
  static Result<std::unique_ptr<DataDir>> OpenCore(Env& env, const std::string& path, const KmsOptions& kms,
                                                   bool read_only);
  // `meta` (and `meta_sealer`) on the RADOS pool that `location_file` names.
  Status OpenRadosMeta(Env& env, const std::string& location_file);
  // tenant_keys, bucket_keys and external_keys over `keys` and `meta`.
  void MakeKeys(const KmsOptions& kms);
};

}  // namespace confiance

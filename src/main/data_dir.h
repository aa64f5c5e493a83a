// File: main/data_dir.h
// DataDir: opens everything that lives in one data directory and builds the
// storage object graph:
//   DIR/LOCK    held while a process uses the directory
//   DIR/keys/   the embedded keystore (root key, mode 0600)
//   DIR/meta/   RocksDB (catalog and IAM records)
//   DIR/blobs/  encrypted blob files
#pragma once

#include <memory>
#include <string>

#include "blob/local/local_blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/tenant_keys.h"
#include "common/env.h"
#include "iam/credentials.h"
#include "iam/directory.h"
#include "kms/embedded/embedded_key_provider.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {

struct DataDir {
  static Result<std::unique_ptr<DataDir>> Open(Env& env, const std::string& path);

  std::string path;
  std::unique_ptr<FileLock> lock;
  std::unique_ptr<kms::EmbeddedKeyProvider> keys;
  std::unique_ptr<meta::RocksMetaStore> meta;
  std::unique_ptr<blob::LocalBlobStore> blobs;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::TenantKeys> tenant_keys;
  std::unique_ptr<catalog::BucketKeys> bucket_keys;
  std::unique_ptr<iam::CredentialStore> credentials;
  std::unique_ptr<iam::Directory> directory;
};

}  // namespace confiance

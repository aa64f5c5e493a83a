// File: main/data_dir.cc
#include "main/data_dir.h"

namespace confiance {

Result<std::unique_ptr<DataDir>> DataDir::Open(Env& env, const std::string& path) {
  auto d = std::make_unique<DataDir>();
  d->path = path;
  RETURN_IF_ERROR(CreateDirsDurably(env, path));
  Result<std::unique_ptr<FileLock>> lock = env.LockFile(path + "/LOCK");
  if (!lock.ok()) {
    return FailedPreconditionError("data directory " + path +
                                   " is in use by another process (" + lock.status().message() + ")");
  }
  d->lock = std::move(lock).value();
  ASSIGN_OR_RETURN(d->keys, kms::EmbeddedKeyProvider::Open(env, path + "/keys"));
  meta::RocksMetaStore::Options mo;
  mo.path = path + "/meta";
  mo.env = &env;
  ASSIGN_OR_RETURN(d->meta, meta::RocksMetaStore::Open(mo));
  ASSIGN_OR_RETURN(d->blobs, blob::LocalBlobStore::Open(env, path + "/blobs"));
  d->catalog = std::make_unique<catalog::Catalog>(*d->meta);
  d->tenant_keys = std::make_unique<catalog::TenantKeys>(*d->meta, *d->keys);
  d->bucket_keys = std::make_unique<catalog::BucketKeys>(*d->keys, *d->tenant_keys);
  d->credentials = std::make_unique<iam::CredentialStore>(*d->meta, *d->keys);
  d->directory = std::make_unique<iam::Directory>(*d->meta, *d->credentials);
  return d;
}

}  // namespace confiance

// File: main/backup_verify_command.cc
#include "main/backup_verify_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "audit/transparency_log.h"
#include "blob/local/local_blob_store.h"
#include "blob/pools/pool_router.h"
#include "catalog/catalog.h"
#include "catalog/scrub.h"
#include "common/env.h"
#include "main/data_dir.h"
#include "meta/rocksdb/rocksdb_meta_store.h"

namespace confiance {
namespace {

using json = nlohmann::json;

struct BackupPool {
  std::string name;
  std::string directory;  // under the backup
  bool is_default = false;
};

struct ManifestPools {
  std::vector<BackupPool> copied;
  std::set<std::string> not_copied;  // RADOS pools (docs/rados.md)
};

// The pools BACKUP.json names, with directories only of the forms
// BackupJob writes ("blobs", "pools/<name>"): the manifest is a file, not a
// source of paths.
Result<ManifestPools> ReadManifestPools(Env& env, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path + "/BACKUP.json"));
  json manifest = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || manifest.value("format", "") != "confiance-backup" || !manifest.contains("version") ||
      manifest["version"] != 1 || !manifest.contains("pools") || !manifest["pools"].is_array()) {
    return InvalidArgumentError(path + "/BACKUP.json is not a Confiance backup manifest");
  }
  ManifestPools pools;
  for (const json& name : manifest.value("pools_not_copied", json::array())) {
    if (!name.is_string()) return InvalidArgumentError(path + "/BACKUP.json has a malformed pools_not_copied");
    pools.not_copied.insert(name.get<std::string>());
  }
  for (const json& p : manifest["pools"]) {
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("directory") ||
        !p["directory"].is_string()) {
      return InvalidArgumentError(path + "/BACKUP.json has a malformed pool entry");
    }
    BackupPool pool{p["name"].get<std::string>(), p["directory"].get<std::string>(), p.value("default", false)};
    const bool plain_name =
        !pool.name.empty() && pool.name.find('/') == std::string::npos && pool.name != "." && pool.name != "..";
    if (!plain_name || pool.directory != (pool.is_default ? std::string("blobs") : "pools/" + pool.name)) {
      return InvalidArgumentError(path + "/BACKUP.json: pool '" + pool.name + "' has an unexpected directory '" +
                                  pool.directory + "'");
    }
    if (pools.not_copied.count(pool.name)) {  // (it would hide that pool's damage)
      return InvalidArgumentError(path + "/BACKUP.json: pool '" + pool.name + "' is both copied and not copied");
    }
    pools.copied.push_back(std::move(pool));
  }
  return pools;
}

}  // namespace

int RunBackupVerify(const std::string& path, const KmsOptions& kms, const std::string& keys_of) {
  Env& env = *Env::Default();
  auto fail = [&](const Status& s) {
    std::fprintf(stderr, "confiance: cannot verify backup %s: %s\n", path.c_str(), s.ToString().c_str());
    return 2;
  };
  Result<ManifestPools> pools = ReadManifestPools(env, path);
  if (!pools.ok()) return fail(pools.status());
  // Encrypted metadata (a backup with a meta.key) opens only with its root
  // key: the backup's own (keys/root.key, or the KMS), or that of the data
  // directory `keys_of`.
  std::unique_ptr<kms::KeyProvider> keys;
  std::unique_ptr<crypto::EncryptedEnv> meta_env;
  if (env.FileExists(path + "/" + kMetadataKeyFile)) {
    Result<std::unique_ptr<kms::KeyProvider>> provider = OpenKeyProvider(env, keys_of.empty() ? path : keys_of, kms);
    if (!provider.ok()) return fail(provider.status());
    keys = std::move(provider).value();
    Result<std::unique_ptr<crypto::EncryptedEnv>> opened = OpenMetadataEnv(env, path, *keys, /*create=*/false);
    if (!opened.ok()) return fail(opened.status());
    meta_env = std::move(opened).value();
  }
  meta::RocksMetaStore::Options mo;
  mo.path = path + "/meta";
  mo.env = meta_env != nullptr ? meta_env.get() : &env;
  mo.read_only = true;  // the checkpoint as it is
  mo.append_partition_prefixes = {audit::TransparencyLog::PartitionName("")};
  Result<std::unique_ptr<meta::RocksMetaStore>> meta = meta::RocksMetaStore::Open(mo);
  if (!meta.ok()) return fail(meta.status());

  std::vector<std::unique_ptr<blob::LocalBlobStore>> stores;
  std::vector<std::pair<std::string, blob::BlobStore*>> named;
  std::string default_pool;
  for (const BackupPool& p : pools->copied) {
    Result<std::unique_ptr<blob::LocalBlobStore>> store = blob::LocalBlobStore::Open(env, path + "/" + p.directory);
    if (!store.ok()) return fail(store.status());
    named.emplace_back(p.name, store->get());
    stores.push_back(std::move(store).value());
    if (p.is_default) default_pool = p.name;
  }
  Result<std::unique_ptr<blob::PoolRouter>> router = blob::PoolRouter::Create(default_pool, named);
  if (!router.ok()) return fail(router.status());
  catalog::Catalog catalog(**meta);

  const auto start = std::chrono::steady_clock::now();
  // Blobs of the pools the backup left in their own system cannot be here.
  Result<catalog::ScrubReport> report = catalog::CheckSizes(
      catalog, **router, {}, [&](const std::string& id) { return pools->not_copied.count((*router)->PoolOf(id)) > 0; });
  if (!report.ok()) return fail(report.status());
  for (const catalog::ScrubDamage& d : report->damaged) {
    std::printf("DAMAGED bucket=%s key=%s reason=%s: %s\n", d.bucket.c_str(), d.key.c_str(),
                std::string(catalog::ScrubKindName(d.kind)).c_str(), d.detail.c_str());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "verify-backup: %llu buckets, %llu objects, %llu segments present with their recorded sizes, checked in "
      "%.1f s without keys (nothing decrypted: `confiance admin scrub` with the root key authenticates the "
      "bytes), metadata checksums %s: %zu damaged\n",
      static_cast<unsigned long long>(report->buckets), static_cast<unsigned long long>(report->objects),
      static_cast<unsigned long long>(report->segments - report->segments_skipped), secs,
      report->metadata_verified ? "verified" : "not verified", report->damaged.size());
  if (report->segments_skipped > 0) {
    std::string names;
    for (const std::string& n : pools->not_copied) names += (names.empty() ? "" : ", ") + n;
    std::printf("verify-backup: %llu segments in pools the backup did not copy (%s) not checked\n",
                static_cast<unsigned long long>(report->segments_skipped), names.c_str());
  }
  std::fflush(stdout);
  return report->damaged.empty() ? 0 : 1;
}

}  // namespace confiance

// File: main/backup_job.cc
#include "main/backup_job.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "blob/local/blob_export.h"
#include "common/wall_clock.h"
#include "kms/embedded/key_file_format.h"
#include "main/data_dir.h"
#include "main/local_meta_store.h"
#include "meta/copy_records.h"

namespace confiance {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kPartialSuffix[] = ".partial";
constexpr char kManifestName[] = "BACKUP.json";
constexpr size_t kListPage = 1000;

// `path` with symlinks resolved as far as it exists, normalized.
std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  if (ec) p = fs::path(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool IsWithin(const std::string& path, const std::string& dir) { return path == dir || path.rfind(dir + "/", 0) == 0; }

// The root key file copied and synced, mode 0600 before any byte is
// written; the bytes that passed through memory are wiped.
Status CopyKeyFile(Env& env, const std::string& from, const std::string& to) {
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> in, env.NewSequentialFile(from));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, env.NewWritableFile(to));
  if (::chmod(to.c_str(), 0600) != 0) return ErrnoError(errno, "chmod " + to);
  std::array<std::byte, 4096> buffer;
  Status s = [&]() -> Status {
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, in->Read(buffer));
      if (n == 0) break;
      RETURN_IF_ERROR(out->Append(std::span<const std::byte>(buffer.data(), n)));
    }
    RETURN_IF_ERROR(out->Sync());
    return out->Close();
  }();
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return s;
}

Status CreatePrivateDir(Env& env, const std::string& dir) {
  RETURN_IF_ERROR(env.CreateDir(dir));
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoError(errno, "chmod " + dir);
  return OkStatus();
}

}  // namespace

BackupJob::BackupJob(Deps deps) : d_(std::move(deps)) {
  for (const std::string& name : d_.router->pool_names()) {
    const bool local = std::any_of(d_.pools.begin(), d_.pools.end(), [&](const auto& p) { return p.first == name; });
    if (!local) pools_not_copied_.push_back(name);
  }
}

BackupJob::~BackupJob() {
  std::jthread job;
  {
    std::lock_guard lock(mu_);
    job = std::move(job_);
  }
  if (job.joinable()) job.request_stop();
}

void BackupJob::Join() {
  std::jthread job;
  {
    std::lock_guard lock(mu_);
    job = std::move(job_);
  }
  if (job.joinable()) job.join();
}

admin::BackupProgress BackupJob::Progress() {
  std::lock_guard lock(mu_);
  return progress_;
}

std::string BackupJob::RootKeyState() const {
  if (d_.root_key_versions == nullptr) return d_.keys->DefaultKeyId();
  std::string ids;
  for (const std::string& id : d_.root_key_versions->KeyVersionIds()) ids += id + ",";
  return ids;
}

Result<BackupJob::Base> BackupJob::CheckBase(const std::string& requested, const std::string& path) const {
  if (requested.front() != '/') return InvalidArgumentError("the base must be an absolute path (an earlier backup)");
  Base base{Canonical(requested), {}};
  if (IsWithin(base.path, path) || IsWithin(path, base.path)) {
    return InvalidArgumentError("the base " + base.path + " overlaps the backup path " + path);
  }
  if (IsWithin(base.path, Canonical(d_.data_dir)) || IsWithin(Canonical(d_.data_dir), base.path)) {
    return InvalidArgumentError("the base " + base.path + " overlaps the data directory: name an earlier backup");
  }
  Result<std::string> text = ReadSmallFile(*d_.env, base.path + "/" + kManifestName);
  if (!text.ok()) {
    return InvalidArgumentError("the base " + base.path + " is not a complete backup: no readable " + kManifestName +
                                " (" + text.status().message() + ")");
  }
  json manifest = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || manifest.value("format", "") != "confiance-backup" || !manifest.contains("version") ||
      manifest["version"] != 1 || !manifest.contains("pools") || !manifest["pools"].is_array()) {
    return InvalidArgumentError("the base's " + std::string(kManifestName) + " is not a Confiance backup manifest");
  }
  // Only the directories this version writes, for the pools this server
  // has: the manifest is a file on disk, not a source of paths.
  for (const json& pool : manifest["pools"]) {
    if (!pool.is_object() || !pool.contains("name") || !pool["name"].is_string() || !pool.contains("directory") ||
        !pool["directory"].is_string()) {
      return InvalidArgumentError("the base's " + std::string(kManifestName) + " has a malformed pool entry");
    }
    const std::string name = pool["name"].get<std::string>();
    const std::string dir = pool["directory"].get<std::string>();
    const bool known = std::any_of(d_.pools.begin(), d_.pools.end(), [&](const auto& p) { return p.first == name; });
    if (known && (dir == "blobs" || dir == "pools/" + name)) base.pool_dirs[name] = base.path + "/" + dir;
  }
  struct stat base_st {};
  struct stat parent_st {};
  const std::string parent = fs::path(path).parent_path().string();
  if (::stat(base.path.c_str(), &base_st) != 0) return ErrnoError(errno, "stat " + base.path);
  if (::stat(parent.c_str(), &parent_st) != 0) return ErrnoError(errno, "stat " + parent);
  if (base_st.st_dev != parent_st.st_dev) {
    return InvalidArgumentError("the base " + base.path + " is on another file system than " + path +
                                ": an incremental backup hard-links the base's files, which needs one file system");
  }
  return base;
}

Result<admin::BackupProgress> BackupJob::Start(const admin::BackupRequest& request) {
  if (request.path.empty() || request.path.front() != '/') {
    return InvalidArgumentError("the backup path must be absolute (a directory on the server's host)");
  }
  const std::string path = Canonical(request.path);
  if (path == "/") return InvalidArgumentError("the backup path cannot be /");
  if (IsWithin(path, Canonical(d_.data_dir)) || IsWithin(Canonical(d_.data_dir), path)) {
    return InvalidArgumentError("the backup path " + path + " overlaps the data directory " + d_.data_dir);
  }
  for (const auto& [name, store] : d_.pools) {
    if (IsWithin(path, Canonical(store->root())) || IsWithin(Canonical(store->root()), path)) {
      return InvalidArgumentError("the backup path " + path + " overlaps storage pool " + name);
    }
  }
  if (request.include_root_key && d_.root_key_versions == nullptr) {
    return InvalidArgumentError(
        "the root key is in a KMIP KMS: back it up there; include_root_key is for the "
        "embedded keystore");
  }
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!fs::is_directory(parent, ec)) {
    return InvalidArgumentError("the backup path's parent " + parent.string() + " is not an existing directory");
  }
  Base base;
  if (!request.base.empty()) {
    ASSIGN_OR_RETURN(base, CheckBase(request.base, path));
  }
  std::lock_guard lock(mu_);
  if (progress_.state == "running") return FailedPreconditionError("a backup is running: " + progress_.path);
  if (d_.env->FileExists(path)) return AlreadyExistsError(path + " already exists");
  if (d_.env->FileExists(path + kPartialSuffix)) {
    return FailedPreconditionError(path + kPartialSuffix +
                                   " exists: left by a backup that did not finish; remove it first");
  }
  admin::BackupProgress p;
  p.state = "running";
  p.phase = "keys";
  p.path = path;
  p.include_root_key = request.include_root_key;
  p.base = base.path;
  p.pools_not_copied = pools_not_copied_;
  p.started_ms = UnixMillisNow();
  progress_ = p;
  if (job_.joinable()) job_.join();  // the previous job already ended
  admin::BackupRequest resolved = request;
  resolved.path = path;
  resolved.base = base.path;
  job_ = std::jthread([this, resolved, base](std::stop_token stop) {
    spdlog::info("backup: started into {}{}", resolved.path,
                 base.path.empty() ? "" : ", incremental from " + base.path);
    Status st = Run(stop, resolved, base);
    if (!st.ok()) {
      spdlog::error("backup into {} failed: {}", resolved.path, st.ToString());
      std::error_code ignored;
      fs::remove_all(resolved.path + kPartialSuffix, ignored);
    }
    if (d_.stats != nullptr) {
      (st.ok() ? d_.stats->backups : d_.stats->failed_backups).Add();
      if (st.ok()) d_.stats->last_backup_success_s.store(UnixMillisNow() / 1000, std::memory_order_relaxed);
    }
    std::lock_guard lock(mu_);
    progress_.finished_ms = UnixMillisNow();
    progress_.state = st.ok() ? "done" : "failed";
    progress_.phase.clear();
    if (!st.ok()) progress_.error = st.ToString();
    if (st.ok()) {
      spdlog::info("backup: done, {} ({} blobs, {} bytes, {} of the blobs from the base)", resolved.path,
                   progress_.blobs_done, progress_.blob_bytes, progress_.blobs_from_base);
    }
  });
  return p;
}

Status BackupJob::Run(const std::stop_token& stop, const admin::BackupRequest& request, const Base& base) {
  Env& env = *d_.env;
  const std::string partial = request.path + kPartialSuffix;
  auto phase = [this](const char* name) {
    std::lock_guard lock(mu_);
    progress_.phase = name;
  };
  RETURN_IF_ERROR(CreatePrivateDir(env, partial));

  // 1. From here on no blob file is deleted (see the header).
  std::unique_ptr<blob::DeferredDeletes::Hold> hold = d_.router->HoldDeletes();
  const std::string keys_before = RootKeyState();
  RETURN_IF_ERROR(CopyKeys(request, partial));

  // 2. The metadata as of one point of its commit order.
  phase("metadata");
  ASSIGN_OR_RETURN(const std::string metadata_copy, CopyMetadata(stop, partial));
  if (RootKeyState() != keys_before) {
    return AbortedError(
        "the root key was rotated during the backup: the copied key and metadata may not match; "
        "start the backup again");
  }

  // 3. Every blob file there is now.
  phase("blobs");
  RETURN_IF_ERROR(ExportBlobs(stop, partial, base));
  if (hold->broken()) {
    return AbortedError("more blobs were deleted during the backup than can be held back (" +
                        std::to_string(blob::PoolRouter::kMaxHeldDeletes) +
                        "); a blob the metadata names may be missing: start the backup again at a quieter time");
  }
  hold.reset();

  // 4. The manifest, then everything durable, then the name.
  phase("finishing");
  json pools = json::array();
  for (const auto& [name, store] : d_.pools) {
    const bool is_default = name == d_.router->default_pool();
    pools.push_back({{"name", name},
                     {"default", is_default},
                     {"directory", is_default ? "blobs" : "pools/" + name},
                     {"source", store->root()}});
  }
  json root_key = {{"provider", d_.root_key_versions != nullptr ? "embedded" : "kmip"},
                   {"included", request.include_root_key}};
  if (d_.root_key_versions != nullptr) {
    root_key["key_ids"] = d_.root_key_versions->KeyVersionIds();
  } else {
    root_key["key_ids"] = json::array({d_.keys->DefaultKeyId()});
  }
  json manifest;
  {
    std::lock_guard lock(mu_);
    manifest = {{"format", "confiance-backup"},
                {"version", 1},
                {"source", d_.data_dir},
                {"started_ms", progress_.started_ms},
                {"finished_ms", UnixMillisNow()},
                {"root_key", root_key},
                {"pools", pools},
                {"pools_not_copied", pools_not_copied_},
                {"metadata", metadata_copy},
                {"blobs", progress_.blobs_done},
                {"blob_bytes", progress_.blob_bytes}};
    if (!base.path.empty()) {
      manifest["base"] = base.path;
      manifest["blobs_from_base"] = progress_.blobs_from_base;
    }
  }
  RETURN_IF_ERROR(WriteFileDurably(env, partial + "/" + kManifestName, manifest.dump(2) + "\n"));
  if (env.FileExists(partial + "/keys")) RETURN_IF_ERROR(env.SyncDir(partial + "/keys"));
  if (env.FileExists(partial + "/pools")) RETURN_IF_ERROR(env.SyncDir(partial + "/pools"));
  RETURN_IF_ERROR(env.SyncDir(partial));
  if (stop.stop_requested()) return AbortedError("the server is shutting down");
  RETURN_IF_ERROR(env.RenameFile(partial, request.path));
  return env.SyncDir(fs::path(request.path).parent_path().string());
}

Result<std::string> BackupJob::CopyMetadata(const std::stop_token& stop, const std::string& into) {
  const std::string dir = into + "/meta";
  Status checkpoint = d_.meta->Checkpoint(dir);
  if (checkpoint.code() != StatusCode::kUnimplemented) {
    RETURN_IF_ERROR(checkpoint);
    return std::string("checkpoint");
  }
  // No files to checkpoint (metadata on RADOS): a snapshot, copied into a
  // local store under the metadata key whose file CopyKeys copied. Writes
  // go on meanwhile; the snapshot goes with the view.
  ASSIGN_OR_RETURN(std::unique_ptr<meta::MetaStore> snapshot, d_.meta->Snapshot());
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::EncryptedEnv> env,
                   OpenMetadataEnv(*d_.env, into, *d_.keys, /*create=*/false));
  if (env == nullptr) return FailedPreconditionError("no metadata key to encrypt the backup's metadata under");
  {
    ASSIGN_OR_RETURN(std::unique_ptr<meta::RocksMetaStore> copy,
                     meta::RocksMetaStore::Open(OfflineMetaStoreOptions(dir, *env, /*read_only=*/false)));
    Result<meta::CopyStats> copied =
        meta::CopyAllRecords(*snapshot, *copy, {}, [&stop] { return stop.stop_requested(); });
    if (copied.status().code() == StatusCode::kCancelled) return AbortedError("the server is shutting down");
    RETURN_IF_ERROR(copied.status());
    spdlog::info("backup: {} metadata records ({} partitions) copied from a snapshot", copied->records,
                 copied->partitions);
  }
  RETURN_IF_ERROR(d_.env->SyncDir(dir));
  return std::string("snapshot");
}

Status BackupJob::CopyKeys(const admin::BackupRequest& request, const std::string& into) {
  Env& env = *d_.env;
  // The checkpoint is encrypted under the metadata key: its file goes along
  // (wrapped under the root key, it opens nothing by itself).
  const std::string meta_key = d_.data_dir + "/" + kMetadataKeyFile;
  if (env.FileExists(meta_key)) {
    ASSIGN_OR_RETURN(std::string wrapped, ReadSmallFile(env, meta_key));
    RETURN_IF_ERROR(WriteFileDurably(env, into + "/" + kMetadataKeyFile, wrapped));
  }
  if (d_.root_key_versions == nullptr) {
    // The KMS holds the key; the marker names it, so that the restored
    // directory is opened with the KMS too (main/data_dir.h).
    ASSIGN_OR_RETURN(std::string marker, ReadSmallFile(env, d_.data_dir + "/" + kKmsMarker));
    return WriteFileDurably(env, into + "/" + kKmsMarker, marker);
  }
  if (!request.include_root_key) return OkStatus();
  RETURN_IF_ERROR(CreatePrivateDir(env, into + "/keys"));
  const std::string name = std::string("/keys/") + kms::kRootKeyFileName;
  return CopyKeyFile(env, d_.data_dir + name, into + name);
}

Status BackupJob::ExportBlobs(const std::stop_token& stop, const std::string& into, const Base& base) {
  Env& env = *d_.env;
  std::map<std::string, blob::LocalBlobStore*> stores(d_.pools.begin(), d_.pools.end());
  auto dest_of = [&](const std::string& pool) {
    return pool == d_.router->default_pool() ? into + "/blobs" : into + "/pools/" + pool;
  };
  RETURN_IF_ERROR(env.CreateDir(into + "/blobs"));
  if (stores.size() > 1) RETURN_IF_ERROR(env.CreateDir(into + "/pools"));
  for (const auto& [name, store] : stores) RETURN_IF_ERROR(env.CreateDir(dest_of(name)));

  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<blob::BlobInfo> page, d_.router->List(after, kListPage));
    if (page.empty()) break;
    after = page.back().id;
    for (const blob::BlobInfo& b : page) {
      if (stop.stop_requested()) return AbortedError("the server is shutting down");
      ASSIGN_OR_RETURN(blob::PoolRouter::Placement at, d_.router->PlacementOf(b.id));
      auto store = stores.find(at.pool);
      if (store == stores.end() &&
          std::find(pools_not_copied_.begin(), pools_not_copied_.end(), at.pool) != pools_not_copied_.end()) {
        std::lock_guard lock(mu_);
        ++progress_.blobs_not_copied;
        continue;
      }
      if (store == stores.end()) return InternalError("blob " + b.id + " of pool " + at.pool + " has no store");
      if (auto in_base = base.pool_dirs.find(at.pool); in_base != base.pool_dirs.end()) {
        ASSIGN_OR_RETURN(blob::ReuseOutcome reuse,
                         blob::ReuseExportedBlob(env, in_base->second, at.inner, b.size, dest_of(at.pool)));
        std::lock_guard lock(mu_);
        if (reuse == blob::ReuseOutcome::kLinked) {
          ++progress_.blobs_done;
          ++progress_.blobs_from_base;
          progress_.blob_bytes += b.size;
          continue;
        }
        if (reuse == blob::ReuseOutcome::kSizeDiffers && progress_.base_mismatches++ < 10) {
          spdlog::warn(
              "backup: the base's copy of blob {} (pool {}) has another size than the blob: damaged; "
              "copying the blob from the server instead",
              at.inner, at.pool);
        }
      }
      Result<blob::ExportKind> kind = blob::ExportBlob(env, *store->second, at.inner, dest_of(at.pool));
      // Gone: deleted before the hold began, so no metadata of the
      // checkpoint names it.
      if (!kind.ok() && kind.status().code() == StatusCode::kNotFound) continue;
      RETURN_IF_ERROR(kind.status());
      std::lock_guard lock(mu_);
      ++progress_.blobs_done;
      ++(*kind == blob::ExportKind::kLinked ? progress_.blobs_linked : progress_.blobs_copied);
      progress_.blob_bytes += b.size;
    }
  }
  for (const auto& [name, store] : stores) RETURN_IF_ERROR(blob::SyncExportedTree(env, dest_of(name)));
  return OkStatus();
}

}  // namespace confiance

// File: admin/root_key_rotation.h
// RootKeyRotation: rotates the embedded keystore's root key without
// rewriting any object (rewrap only, docs/keys.md "Rotating the root key").
//
// Start makes a new root key version the provider's DefaultKeyId()
// (kms::RootKeyVersions::AddKeyVersion; the old version then only unwraps)
// and runs a background job that reseals, under the new version, everything
// the provider wrapped directly, each record with one compare-and-set:
//   - tenant key records, every version the server's provider wraps
//     (catalog::TenantKeys::RewrapUnderDefaultProviderKey);
//   - bucket keys of buckets from before tenant keys
//     (catalog::BucketKeys::RewrapUnderDefaultProviderKey);
//   - access-key secrets (iam::CredentialStore::RewrapUnderDefaultKey);
//   - the transparency-log signing key (audit::RewrapLogSignerUnderDefaultKey);
//   - the metadata key's file (kms::RewrapKeyFileUnderDefaultKey).
// Bucket keys under tenant keys, object data keys and blobs do not change.
// The job passes over everything until a pass finds nothing left under an
// old version and at least `settle` has gone by since the new version was
// made (a write that wrapped under the old version just before may still be
// committing); then it purges those partitions (MetaStore::Purge, so that
// the old wrapped bytes leave the metadata files) and retires the old
// versions (gone from the key file for good).
//
// The state lives in the key file: while it holds more than one version a
// rotation is unfinished, and Start (or ResumeIfUnfinished at start-up)
// runs the job again instead of adding a version; every step is
// idempotent. Progress is kept in memory.
//
// Thread-safety: safe for concurrent use. One job thread at a time; the
// destructor stops and joins it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/tenant_keys.h"
#include "common/env.h"
#include "common/status.h"
#include "iam/credentials.h"
#include "iam/session_tokens.h"
#include "kms/key_provider.h"
#include "kms/root_key_versions.h"
#include "meta/meta_store.h"

namespace confiance::admin {

struct RootRotationProgress {
  std::string state = "idle";  // idle (no job ran in this process), running, done, failed
  std::string to_key_id;       // the current root key version
  std::vector<std::string> from_key_ids;  // the versions being retired (empty once done)
  uint64_t records_total = 0;      // records of the current pass that hold a provider-wrapped key
  uint64_t records_done = 0;       // of them, checked (and rewrapped if needed) in this pass
  uint64_t records_rewrapped = 0;  // rewrapped since the job started (all passes)
  uint32_t passes = 0;
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // when failed
};

class RootKeyRotation {
 public:
  struct Deps {
    kms::KeyProvider* keys = nullptr;
    kms::RootKeyVersions* versions = nullptr;  // null: the provider rotates its own keys (a KMS)
    meta::MetaStore* meta = nullptr;
    catalog::Catalog* catalog = nullptr;
    catalog::TenantKeys* tenant_keys = nullptr;
    catalog::BucketKeys* bucket_keys = nullptr;
    iam::CredentialStore* credentials = nullptr;
    iam::SessionTokens* sessions = nullptr;  // null: no session token key to rewrap
    // The metadata key's file (kms/wrapped_key_file.h, DIR/meta.key) read
    // and rewritten through `env`; "": none (metadata in the clear).
    Env* env = nullptr;
    std::string metadata_key_file;
  };
  // `deps` must outlive this object. `settle`: see the file comment.
  explicit RootKeyRotation(const Deps& deps, std::chrono::milliseconds settle = std::chrono::seconds(2))
      : d_(deps), settle_(settle) {}
  ~RootKeyRotation();
  RootKeyRotation(const RootKeyRotation&) = delete;
  RootKeyRotation& operator=(const RootKeyRotation&) = delete;

  // False when the provider keeps its keys in a KMS: then Start is refused.
  bool Available() const { return d_.versions != nullptr; }
  // Makes a new root key version (or, if a rotation is unfinished, keeps
  // the versions as they are) and starts the job. Unimplemented if
  // !Available(); FailedPrecondition while a job runs.
  Result<RootRotationProgress> Start();
  // At start-up: runs the job if the key file holds several versions.
  // Returns whether a job was started.
  Result<bool> ResumeIfUnfinished();
  RootRotationProgress Progress();
  // The job, in the calling thread (Start's job; tests). `hook`, if set, is
  // called after each record (tests: interruption, concurrent writes).
  Status RunJob(const std::stop_token& stop);
  void set_after_record_hook(std::function<void()> hook) { after_record_ = std::move(hook); }
  // Waits for the running job to end (tests and offline use).
  void Join();

 private:
  Result<RootRotationProgress> StartLocked(bool add_version);
  // One pass; returns how many records it rewrapped.
  Result<uint64_t> Pass(const std::stop_token& stop);
  void Set(const std::function<void(RootRotationProgress&)>& f);
  void AfterRecord();

  const Deps d_;
  const std::chrono::milliseconds settle_;
  std::function<void()> after_record_;
  std::mutex mu_;
  RootRotationProgress progress_;                 // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point added_;  // GUARDED_BY(mu_): when this process added the version
  std::jthread job_;                              // GUARDED_BY(mu_)
};

}  // namespace confiance::admin

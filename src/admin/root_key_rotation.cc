// File: admin/root_key_rotation.cc
#include "admin/root_key_rotation.h"

#include <spdlog/spdlog.h>

#include "audit/log_signing_key.h"
#include "common/wall_clock.h"
#include "kms/wrapped_key_file.h"

namespace confiance::admin {
namespace {

// The partitions that hold provider-wrapped keys, purged before the old
// versions are retired.
constexpr std::string_view kPurgedPartitions[] = {catalog::kTenantKeyPartition, catalog::kBucketsPartition, "iam",
                                                  audit::kAuditPartition};

// A record written under an old version after a pass (only a write that
// wrapped before the rotation and committed late can) makes the job pass
// again, at most this many times.
constexpr int kMaxPasses = 8;

}  // namespace

RootKeyRotation::~RootKeyRotation() {
  std::jthread job;
  {
    std::lock_guard lock(mu_);
    job = std::move(job_);
  }
  if (job.joinable()) job.request_stop();
  // joins when `job` is destroyed
}

void RootKeyRotation::Join() {
  std::jthread job;
  {
    std::lock_guard lock(mu_);
    job = std::move(job_);
  }
  if (job.joinable()) job.join();
}

void RootKeyRotation::Set(const std::function<void(RootRotationProgress&)>& f) {
  std::lock_guard lock(mu_);
  f(progress_);
}

void RootKeyRotation::AfterRecord() {
  Set([](RootRotationProgress& p) { ++p.records_done; });
  if (after_record_) after_record_();
}

Result<RootRotationProgress> RootKeyRotation::Start() {
  if (!Available()) {
    return UnimplementedError(
        "the root key is in a KMIP KMS: rotate it there (the KMS rotates its own keys, docs/kmip.md)");
  }
  std::lock_guard lock(mu_);
  return StartLocked(/*add_version=*/true);
}

Result<bool> RootKeyRotation::ResumeIfUnfinished() {
  if (!Available() || d_.versions->KeyVersionIds().size() < 2) return false;
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(StartLocked(/*add_version=*/false).status());
  return true;
}

Result<RootRotationProgress> RootKeyRotation::StartLocked(bool add_version) {
  if (progress_.state == "running") return FailedPreconditionError("a root key rotation is running");
  std::vector<std::string> ids = d_.versions->KeyVersionIds();
  if (ids.size() < 2) {
    if (!add_version) return progress_;
    ASSIGN_OR_RETURN(std::string added, d_.versions->AddKeyVersion());
    spdlog::info("root key rotation: new root key version {} (retiring {})", added, ids.front());
    added_ = std::chrono::steady_clock::now();
    ids = d_.versions->KeyVersionIds();
  }
  // Else an unfinished rotation (a failed job, or one from before a
  // restart, whose in-flight writes died with that process): resume it.
  RootRotationProgress p;
  p.state = "running";
  p.to_key_id = ids.front();
  p.from_key_ids.assign(ids.begin() + 1, ids.end());
  p.started_ms = UnixMillisNow();
  progress_ = p;
  if (job_.joinable()) job_.join();  // the previous job already ended (state not running)
  job_ = std::jthread([this](std::stop_token stop) {
    Status st = RunJob(stop);
    if (!st.ok()) spdlog::error("root key rotation failed: {}", st.ToString());
    Set([&](RootRotationProgress& q) {
      q.finished_ms = UnixMillisNow();
      q.state = st.ok() ? "done" : "failed";
      if (st.ok()) q.from_key_ids.clear();
      if (!st.ok()) q.error = st.ToString();
    });
  });
  return p;
}

Result<uint64_t> RootKeyRotation::Pass(const std::stop_token& stop) {
  const std::string current = d_.keys->DefaultKeyId();
  ASSIGN_OR_RETURN(std::vector<std::string> tenants, d_.tenant_keys->ListTenantsWithKeys());
  ASSIGN_OR_RETURN(std::vector<catalog::BucketRecord> all_buckets, d_.catalog->ListBuckets());
  std::vector<catalog::BucketRecord> buckets;  // those the provider wraps directly
  for (catalog::BucketRecord& b : all_buckets) {
    if (!catalog::TenantKeyVersionOf(b.key_id) && b.key_id != catalog::kShreddedKeyRef) buckets.push_back(std::move(b));
  }
  ASSIGN_OR_RETURN(std::vector<iam::Principal> access_keys, d_.credentials->ListAccessKeys());
  Set([&](RootRotationProgress& p) {
    ++p.passes;
    p.to_key_id = current;
    // + the log signing key, the session token key and the metadata key
    p.records_total = tenants.size() + buckets.size() + access_keys.size() + 3;
    p.records_done = 0;
  });
  uint64_t rewrapped = 0;
  auto count = [&](uint64_t n) {
    rewrapped += n;
    Set([&](RootRotationProgress& p) { p.records_rewrapped += n; });
  };
  for (const std::string& tenant : tenants) {
    if (stop.stop_requested()) return AbortedError("stopped");
    Result<int> n = d_.tenant_keys->RewrapUnderDefaultProviderKey(tenant);
    if (!n.ok() && n.status().code() != StatusCode::kNotFound) {
      return Status(n.status().code(), "tenant key of " + tenant + ": " + n.status().message());
    }
    if (n.ok()) count(static_cast<uint64_t>(*n));
    AfterRecord();
  }
  for (const catalog::BucketRecord& listed : buckets) {
    if (stop.stop_requested()) return AbortedError("stopped");
    if (listed.key_id != current) {
      bool done = false;
      Result<catalog::BucketRecord> updated =
          d_.catalog->UpdateBucket(listed.name, [&](catalog::BucketRecord& b) -> Status {
            done = false;
            if (b.id != listed.id) return OkStatus();  // deleted and re-created: its key is a new one
            ASSIGN_OR_RETURN(done, d_.bucket_keys->RewrapUnderDefaultProviderKey(b));
            return OkStatus();
          });
      if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) {
        return Status(updated.status().code(), "bucket " + listed.name + ": " + updated.status().message());
      }
      if (updated.ok() && done) count(1);
    }
    AfterRecord();
  }
  for (const iam::Principal& ak : access_keys) {
    if (stop.stop_requested()) return AbortedError("stopped");
    Result<bool> done = d_.credentials->RewrapUnderDefaultKey(ak.access_key_id);
    if (!done.ok()) {
      return Status(done.status().code(), "access key " + ak.access_key_id + ": " + done.status().message());
    }
    if (*done) count(1);
    AfterRecord();
  }
  Result<bool> signer = audit::RewrapLogSignerUnderDefaultKey(*d_.meta, *d_.keys);
  if (!signer.ok()) {
    return Status(signer.status().code(), "log signing key: " + signer.status().message());
  }
  if (*signer) count(1);
  AfterRecord();
  if (d_.sessions != nullptr) {
    Result<bool> token_key = d_.sessions->RewrapUnderDefaultKey();
    if (!token_key.ok()) {
      return Status(token_key.status().code(), "session token key: " + token_key.status().message());
    }
    if (*token_key) count(1);
  }
  AfterRecord();
  if (!d_.metadata_key_file.empty()) {
    Result<bool> meta_key =
        kms::RewrapKeyFileUnderDefaultKey(*d_.env, d_.metadata_key_file, *d_.keys, kms::kMetadataKeyContext);
    if (!meta_key.ok()) {
      return Status(meta_key.status().code(), "metadata key: " + meta_key.status().message());
    }
    if (*meta_key) count(1);
  }
  AfterRecord();
  return rewrapped;
}

Status RootKeyRotation::RunJob(const std::stop_token& stop) {
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    ASSIGN_OR_RETURN(uint64_t rewrapped, Pass(stop));
    if (rewrapped != 0) continue;
    // Nothing left under an old version. A write that wrapped under one
    // just before the rotation may still be committing: wait until `settle`
    // has gone by since the version was added, then check once more.
    std::chrono::steady_clock::time_point added;
    {
      std::lock_guard lock(mu_);
      added = added_;
    }
    const auto ready = added + settle_;
    if (std::chrono::steady_clock::now() < ready) {
      while (std::chrono::steady_clock::now() < ready) {
        if (stop.stop_requested()) return AbortedError("stopped");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      continue;
    }
    if (stop.stop_requested()) return AbortedError("stopped");
    // The rewrapped records' old bytes must leave the metadata files
    // before the key that opens them goes (purging is idempotent).
    for (std::string_view partition : kPurgedPartitions) {
      if (Status purged = d_.meta->Purge(partition); !purged.ok()) {
        return Status(purged.code(), "purge of partition " + std::string(partition) + ": " + purged.message());
      }
    }
    const std::vector<std::string> ids = d_.versions->KeyVersionIds();
    for (size_t i = 1; i < ids.size(); ++i) {
      RETURN_IF_ERROR(d_.versions->RetireKeyVersion(ids[i]));
      spdlog::info("root key rotation: root key version {} retired", ids[i]);
    }
    return OkStatus();
  }
  return AbortedError("records kept appearing under the old root key version; start the rotation again");
}

RootRotationProgress RootKeyRotation::Progress() {
  RootRotationProgress p;
  {
    std::lock_guard lock(mu_);
    p = progress_;
  }
  if (p.state == "idle" && Available()) {
    const std::vector<std::string> ids = d_.versions->KeyVersionIds();
    p.to_key_id = ids.front();
    p.from_key_ids.assign(ids.begin() + 1, ids.end());
  } else if (p.state == "idle") {
    p.to_key_id = d_.keys->DefaultKeyId();
  }
  return p;
}

}  // namespace confiance::admin

// File: catalog/key_rotation.cc
#include "catalog/key_rotation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "catalog/rotation_lease.h"
#include "common/wall_clock.h"

namespace confiance::catalog {
namespace {

// A bucket created while the job runs may take the older version (it read
// the version just before the rotation): the job passes over the buckets
// again until none is left behind, at most this many times.
constexpr int kMaxPasses = 5;

}  // namespace

Result<RotationProgress> KeyRotation::Start(const std::string& tenant) {
  ASSIGN_OR_RETURN(std::optional<RotationProgress> p, StartHere(tenant));
  if (!p) {
    return FailedPreconditionError("a rotation of the key of tenant " + tenant + " " +
                                   std::string(kRotationRunsElsewhere));
  }
  return *std::move(p);
}

Result<std::optional<RotationProgress>> KeyRotation::StartHere(const std::string& tenant) {
  std::unique_lock lock = jobs_.Lock();
  if (jobs_.RunningLocked(tenant)) {
    return FailedPreconditionError("a rotation of the key of tenant " + tenant + " is running");
  }
  ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(tenant));
  if (info.destroyed) return FailedPreconditionError("the key of tenant " + tenant + " was destroyed");
  // Before a new version is made: one rotation at a time across processes.
  std::unique_ptr<meta::WorkerLease> lease = TakeRotationLease(store_, "tenant", tenant);
  if (lease == nullptr) return std::optional<RotationProgress>();
  // Read again under the lease: the process that held it may have moved
  // the versions on.
  ASSIGN_OR_RETURN(info, tenant_keys_.Info(tenant));
  if (info.previous_versions.empty()) {
    // Nothing left over from an earlier rotation: make a new version.
    ASSIGN_OR_RETURN(info, tenant_keys_.Rotate(tenant));
  }
  RotationProgress p;
  p.state = "running";
  p.from_version = info.previous_versions.empty() ? info.version - 1 : info.previous_versions.front();
  p.to_version = info.version;
  p.started_ms = UnixMillisNow();
  jobs_.LaunchLocked(tenant, p, std::move(lease), [this, tenant](std::stop_token stop, meta::WorkerLease* held) {
    return RunJob(tenant, stop, held);
  });
  return std::optional<RotationProgress>(std::move(p));
}

Result<std::vector<std::string>> KeyRotation::ResumeUnfinished() {
  ASSIGN_OR_RETURN(std::vector<std::string> tenants, tenant_keys_.ListTenantsWithKeys());
  std::vector<std::string> resumed;
  for (const std::string& tenant : tenants) {
    // (A named key keeps its previous versions for good: not a rotation's.)
    if (NamedKeyOfRecordId(tenant)) continue;
    Result<TenantKeyInfo> info = tenant_keys_.Info(tenant);
    if (!info.ok() || info->destroyed || info->previous_versions.empty()) continue;
    if (jobs_.LeftToThisProcess(tenant)) continue;
    if (Result<std::optional<RotationProgress>> p = StartHere(tenant); p.ok() && p->has_value()) {
      resumed.push_back(tenant);
    } else if (p.ok()) {
      spdlog::info("tenant-key rotation of {}: another server runs it", tenant);
    } else {
      spdlog::warn("tenant-key rotation of {}: cannot resume: {}", tenant, p.status().ToString());
    }
  }
  return resumed;
}

Result<RotationProgress> KeyRotation::StartSwitch(const std::string& tenant,
                                                  const std::optional<kms::ExternalKey>& target) {
  if (jobs_.Get(tenant).state == "running") {
    return FailedPreconditionError("a rotation of the key of tenant " + tenant + " is running");
  }
  // The new version under `target`; then Start finds the previous version
  // still in place and runs the job that rewraps and retires it.
  RETURN_IF_ERROR(tenant_keys_.RotateTo(tenant, target).status());
  return Start(tenant);
}

Status KeyRotation::RunJob(const std::string& tenant, const std::stop_token& stop, meta::WorkerLease* lease) {
  const RotationStop until{stop, lease};
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys_.Info(tenant));
    if (info.destroyed) return FailedPreconditionError("the key was destroyed during the rotation");
    ASSIGN_OR_RETURN(std::vector<BucketRecord> all, catalog_.ListBuckets());
    std::vector<std::string> mine;
    uint64_t behind = 0;
    for (const BucketRecord& b : all) {
      if (b.owner != tenant) continue;
      // Every version of the bucket key (a bucket-key rotation may have
      // left one), not only the current.
      std::vector<uint32_t> versions = TenantKeyVersionsOf(b);
      if (versions.empty()) continue;  // wrapped by the provider directly (before tenant keys)
      mine.push_back(b.name);
      if (std::ranges::any_of(versions, [&](uint32_t v) { return v != info.version; })) ++behind;
    }
    jobs_.Update(tenant, [&](RotationProgress& p) {
      p.buckets_total = mine.size();
      p.buckets_done = mine.size() - behind;
    });
    if (behind == 0) {
      // Every bucket key is under the current version: retire the others.
      for (uint32_t old : info.previous_versions) {
        RETURN_IF_ERROR(until.Check());
        RETURN_IF_ERROR(tenant_keys_.Retire(tenant, old).status());
      }
      return OkStatus();
    }
    for (const std::string& name : mine) {
      RETURN_IF_ERROR(until.Check());
      bool rewrapped = false;
      Result<BucketRecord> updated = catalog_.UpdateBucket(name, [&](BucketRecord& b) -> Status {
        if (b.owner != tenant) return OkStatus();  // deleted and re-created by someone else
        ASSIGN_OR_RETURN(rewrapped, bucket_keys_.Rewrap(b, kms::Justification::kSystemMaintenance));
        return OkStatus();
      });
      if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) return updated.status();
      if (rewrapped) jobs_.Update(tenant, [](RotationProgress& p) { ++p.buckets_done; });
    }
  }
  return AbortedError("buckets kept appearing under the previous key version; start the rotation again");
}

RotationProgress KeyRotation::Progress(const std::string& tenant) {
  RotationProgress p = jobs_.Get(tenant);
  if (p.state == "idle") {
    if (Result<TenantKeyInfo> info = tenant_keys_.Info(tenant); info.ok()) {
      p.to_version = info->version;
      if (!info->previous_versions.empty()) p.from_version = info->previous_versions.front();
    }
  }
  return p;
}

}  // namespace confiance::catalog

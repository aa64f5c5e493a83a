// File: main/lifecycle_runner.cc
#include "main/lifecycle_runner.h"

#include "common/env.h"
#include "common/logging.h"
#include "main/kms_key_schedule.h"

namespace confiance {
namespace {

s3::LifecycleWorkerOptions WorkerOptions(DataDir& dir, const LifecycleRunnerOptions& o,
                                         s3::LifecycleOutcomes* outcomes) {
  s3::LifecycleWorkerOptions w;
  w.outcomes = outcomes;
  if (sovereignty::Residency* residency = dir.residency.get()) {
    w.transition = [residency](const catalog::BucketRecord& bucket, const std::string& key,
                               const std::string& version_id, std::string_view expected_op_tag,
                               std::string_view storage_class, const std::function<Status()>& before_move) {
      return residency->MoveToStorageClass(bucket, key, version_id, expected_op_tag, storage_class, before_move);
    };
  }
  w.day_ms = static_cast<int64_t>(std::max<uint64_t>(o.day_seconds, 1) * 1000);
  w.objects_per_tick = static_cast<size_t>(std::max<uint64_t>(o.objects_per_tick, 1));
  return w;
}

}  // namespace

LifecycleRunner::LifecycleRunner(DataDir& dir, audit::AuditLog* log, const LifecycleRunnerOptions& options,
                                 admin::BackgroundStats* stats, s3::LifecycleOutcomes* outcomes)
    : worker_(*dir.catalog, *dir.router, *dir.meta, log, WorkerOptions(dir, options, outcomes)),
      tenant_keys_(*dir.tenant_keys),
      log_(log),
      day_ms_(std::max<uint64_t>(options.day_seconds, 1) * 1000),
      stats_(stats),
      interval_(std::max<uint64_t>(options.interval_s, 1)),
      lease_(*dir.meta, "lifecycle", meta::WorkerLease::PeriodFor(interval_)),
      thread_(interval_, [this] { Tick(); }) {
  if (options.day_seconds != 86400) {
    spdlog::warn("lifecycle: a day lasts {} s (--lifecycle-day-seconds, a debug setting)", options.day_seconds);
  }
}

LifecycleRunner::~LifecycleRunner() { thread_.Stop(); }

void LifecycleRunner::Tick() {
  if (!lease_.Hold()) return;  // another gateway sharing the metadata runs it
  const auto now_ms = static_cast<int64_t>(Env::Default()->NowMicros() / 1000);
  RotateScheduledKmsKeys(tenant_keys_, log_, static_cast<uint64_t>(now_ms), day_ms_);
  Result<s3::LifecycleTickStats> st = worker_.Tick(now_ms);
  if (stats_ != nullptr) {
    if (st.ok()) {
      stats_->lifecycle_ticks.Add();
      stats_->lifecycle_expired.Add(st->expired);
      stats_->lifecycle_aborted.Add(st->aborted);
      stats_->lifecycle_transitioned.Add(st->transitioned);
    } else {
      stats_->lifecycle_failed_ticks.Add();
    }
  }
  if (st.ok() && st->unplaceable > 0) {
    // One line per tick, however many versions are stuck.
    spdlog::warn("lifecycle: {} versions stay in their storage class, for want of an allowed pool (last: {})",
                 st->unplaceable, st->unplaceable_reason);
  }
  if (!st.ok()) {
    spdlog::warn("lifecycle tick failed (retried next tick): {}", st.status().ToString());
  } else if (st->expired > 0 || st->aborted > 0 || st->transitioned > 0) {
    spdlog::info(
        "lifecycle: {} examined, {} expired, {} uploads aborted, {} moved to another storage class, {} "
        "skipped (changed)",
        st->examined, st->expired, st->aborted, st->transitioned, st->refused);
  }
}

}  // namespace confiance

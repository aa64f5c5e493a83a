// File: main/lifecycle_runner.h
// LifecycleRunner: the thread that runs the lifecycle worker
// (s3/lifecycle_worker.h) every `interval`, off the network threads, until
// destroyed, and on each tick first the named KMS keys' rotation schedules
// (main/kms_key_schedule.h), whose days are the lifecycle's. Of several
// gateways sharing the metadata, the one holding the worker lease
// "lifecycle" ticks (meta/worker_lease.h). Settings
// (README, "Lifecycle"):
//   --lifecycle-interval S        seconds between ticks (default 60)
//   --lifecycle-day-seconds N     length of a lifecycle "day" (default 86400;
//                                 a debug setting: tests use 10, as RGW's
//                                 rgw_lc_debug_interval)
//   --lifecycle-objects-per-tick  objects and uploads examined per tick
#pragma once

#include <chrono>

#include "admin/metrics_endpoint.h"
#include "common/periodic_thread.h"
#include "main/data_dir.h"
#include "meta/worker_lease.h"
#include "s3/lifecycle_worker.h"

namespace confiance {

struct LifecycleRunnerOptions {
  uint64_t interval_s = 60;
  uint64_t day_seconds = 86400;
  uint64_t objects_per_tick = 1000;
};

class LifecycleRunner {
 public:
  // `dir`, `log` (null: actions not recorded), `stats` (null: not
  // counted) and `outcomes` (null: not told, s3/lifecycle_outcomes.h) must
  // outlive the runner.
  LifecycleRunner(DataDir& dir, audit::AuditLog* log, const LifecycleRunnerOptions& options,
                  admin::BackgroundStats* stats = nullptr, s3::LifecycleOutcomes* outcomes = nullptr);
  ~LifecycleRunner();  // stops after the tick under way
  LifecycleRunner(const LifecycleRunner&) = delete;
  LifecycleRunner& operator=(const LifecycleRunner&) = delete;

 private:
  void Tick();

  s3::LifecycleWorker worker_;
  catalog::TenantKeys& tenant_keys_;
  audit::AuditLog* const log_;
  const uint64_t day_ms_;
  admin::BackgroundStats* const stats_;
  const std::chrono::seconds interval_;
  // Several gateways sharing the metadata: the one holding it ticks.
  meta::WorkerLease lease_;
  PeriodicThread thread_;  // last: starts once the members above exist
};

}  // namespace confiance

// File: main/scrub_job.h
// ScrubJob: the online scrub of a running server (admin::ScrubService;
// docs/operations.md, "Scrubbing"). It walks every object as the offline
// `confiance admin scrub --data` does (catalog/scrub.h: a failed read counts
// only if the object's record did not change under it), on its own thread,
// while the server serves:
//  - at a bounded rate (`max_bytes_per_second` of plaintext verified, the
//    request's or the server's --scrub-rate), so that clients keep the disk;
//  - each damaged object in the journal (error level) and in the progress
//    document (the first admin::kMaxDamagedListed), counted in the metrics;
//  - each bucket, once walked, an entry in its owner's transparency log (and
//    the operator's): action ScrubBucket, justification SYSTEM_MAINTENANCE,
//    the objects and bytes verified and the damaged count, so a tenant sees
//    both that its data was read and what was found. A bucket whose tenant
//    refuses that justification is logged as refused (403). An entry that
//    cannot be made durable fails the scrub;
//  - every `interval` as well when one is set (--scrub-interval-hours),
//    counted from the last completed scrub, across restarts: the last
//    completed scrub's document is kept in the metadata store
//    (main/scrub_record.h), so that GET /scrub and the damage gauge still
//    tell what it found after a restart. Of several gateways sharing the
//    metadata, the one holding the worker lease "scrub" scrubs on the
//    schedule, after reading the last completed scrub again (another
//    gateway's counts), and renews it while it scrubs.
// Thread-safety: safe for concurrent use; one scrub at a time; the
// destructor stops the scrub and the schedule and joins them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "admin/metrics_endpoint.h"
#include "admin/scrub_service.h"
#include "audit/audit_log.h"
#include "blob/blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/scrub.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"

namespace confiance {

class ScrubJob final : public admin::ScrubService {
 public:
  struct Deps {
    catalog::Catalog* catalog = nullptr;
    blob::BlobStore* blobs = nullptr;  // every pool (the router)
    catalog::BucketKeys* keys = nullptr;
    meta::MetaStore* store = nullptr;         // null: nothing kept across restarts
    audit::AuditLog* log = nullptr;           // null: buckets scrubbed are not logged (no log)
    admin::BackgroundStats* stats = nullptr;  // null: not counted
    uint64_t default_bytes_per_second = 0;    // 0: unlimited
    std::chrono::seconds interval{0};         // 0: no schedule
  };
  // `deps`' pointees must outlive this object.
  explicit ScrubJob(Deps deps);
  ~ScrubJob() override;
  ScrubJob(const ScrubJob&) = delete;
  ScrubJob& operator=(const ScrubJob&) = delete;

  Result<admin::ScrubJobProgress> Start(const admin::ScrubRequest& request) override;
  admin::ScrubJobProgress Progress() override;
  Result<admin::ScrubJobProgress> Stop() override;

 private:
  Status Run(const std::stop_token& stop, const admin::ScrubRequest& request);
  // Counts `bytes` more verified and sleeps until the rate allows them
  // (returns early when stopped).
  void Pace(const std::stop_token& stop, uint64_t rate, uint64_t bytes);
  Status LogBucket(const admin::ScrubRequest& request, const catalog::BucketRecord& bucket,
                   const catalog::ScrubReport& before, const catalog::ScrubReport& after);
  void Copy(const catalog::ScrubReport& report);  // REQUIRES: mu_ held
  void Schedule(const std::stop_token& stop);
  // The last completed scrub as the store holds it; nullopt (logged) when
  // there is none or it cannot be read. REQUIRES: d_.store set.
  std::optional<admin::ScrubJobProgress> ReadLast();
  // The last completed scrub from the store, into progress_ and the gauges.
  void LoadLast();
  // LoadLast if the store holds a scrub completed after the last one this
  // process knows of (another gateway's) and none is running here.
  void RefreshLast();
  // progress_ holds a completed scrub: the schedule's base and the gauges
  // follow it. REQUIRES: mu_ held.
  void NoteCompleted();
  void SaveLast(const admin::ScrubJobProgress& done);
  // The schedule's base (scrub_record.h NextScrubDueMs); reads or writes
  // the anchor.
  uint64_t ScheduleBaseMs();

  const Deps d_;
  std::mutex mu_;
  admin::ScrubJobProgress progress_;  // GUARDED_BY(mu_)
  uint64_t last_completed_ms_ = 0;    // GUARDED_BY(mu_): the end of the last completed scrub, 0: none
  uint64_t last_attempt_ms_ = 0;      // GUARDED_BY(mu_): the start of the last scrub in this process
  std::jthread job_;                  // GUARDED_BY(mu_)
  // The pacing of the running scrub (its thread only).
  std::chrono::steady_clock::time_point pace_start_;
  uint64_t paced_bytes_ = 0;
  // Several gateways sharing the metadata: the one holding it scrubs on
  // the schedule (and renews it while any scrub runs). Null without a
  // schedule.
  std::unique_ptr<meta::WorkerLease> lease_;
  std::jthread schedule_;  // last: stopped and joined first
};

}  // namespace confiance

// File: catalog/rotation_jobs.h
// RotationJobs<Progress>: the key-rotation jobs one kind of rotation runs
// in this process (catalog/key_rotation.h: per tenant;
// catalog/bucket_key_rotation.h: per bucket), by job key: each job's
// thread, its progress, and whether it failed here.
//
// A job holds its rotation lease (catalog/rotation_lease.h) while it runs.
// When it ends, the lease is released first, then its progress reads
// "done" or "failed". A job that failed while still holding its lease
// failed here, for a reason of its own: LeftToThisProcess keeps it from
// the sweeps' ResumeUnfinished until a Start (or a restart) runs it again;
// one whose lease another process took was handed over, and whichever
// process holds the lease next resumes it.
//
// `Progress` has `state` ("idle", "running", "done", "failed"),
// `finished_ms` and `error`.
//
// Thread-safety: safe for concurrent use. A Start decides under Lock() and
// calls LaunchLocked under the same lock.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "common/status.h"
#include "common/wall_clock.h"
#include "meta/worker_lease.h"

namespace confiance::catalog {

template <typename Progress>
class RotationJobs {
 public:
  using Run = std::function<Status(std::stop_token stop, meta::WorkerLease* lease)>;

  RotationJobs() = default;
  // Asks every job to stop and waits for it.
  ~RotationJobs() {
    std::map<std::string, std::jthread> jobs;
    {
      std::lock_guard lock(mu_);
      jobs.swap(jobs_);
    }
    for (auto& [key, job] : jobs) job.request_stop();
    // (jthreads join when `jobs` is destroyed; their last Update finds
    // the progress still there.)
  }
  RotationJobs(const RotationJobs&) = delete;
  RotationJobs& operator=(const RotationJobs&) = delete;

  std::unique_lock<std::mutex> Lock() { return std::unique_lock(mu_); }
  // With Lock() held: whether the job of `key` runs in this process.
  bool RunningLocked(const std::string& key) const {
    auto it = progress_.find(key);
    return it != progress_.end() && it->second.state == "running";
  }
  // With Lock() held: runs `run` for `key` on a thread of its own, holding
  // `lease` (not null), with `progress` (state "running") as its progress.
  // `ended` is called with a failure before it is recorded (to log it).
  void LaunchLocked(const std::string& key, Progress progress, std::unique_ptr<meta::WorkerLease> lease, Run run,
                    std::function<void(const Status&)> ended = nullptr) {
    progress_[key] = std::move(progress);
    failed_here_.erase(key);
    if (auto it = jobs_.find(key); it != jobs_.end()) {
      it->second.join();  // the previous job already ended (state not running)
      jobs_.erase(it);
    }
    jobs_.emplace(key, std::jthread([this, key, lease = std::move(lease), run = std::move(run),
                                     ended = std::move(ended)](std::stop_token stop) mutable {
                    Status st = run(stop, lease.get());
                    const bool handed_over = !lease->held();  // to whichever process resumes it
                    lease.reset();                            // released before the job reads as ended
                    if (!st.ok() && ended) ended(st);
                    std::lock_guard lock(mu_);
                    Progress& q = progress_[key];
                    q.finished_ms = UnixMillisNow();
                    q.state = st.ok() ? "done" : "failed";
                    if (!st.ok()) q.error = st.ToString();
                    if (!st.ok() && !handed_over) failed_here_.insert(key);
                  }));
  }
  // Changes the progress of `key` (the job's counters).
  void Update(const std::string& key, const std::function<void(Progress&)>& f) {
    std::lock_guard lock(mu_);
    f(progress_[key]);
  }
  // The progress of `key`: state "idle" if no job for it ran here.
  Progress Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = progress_.find(key);
    return it != progress_.end() ? it->second : Progress{};
  }
  // True while this process runs the job of `key`, and after it failed
  // here (see above): ResumeUnfinished leaves it to a Start (or a
  // restart), not to every sweep (a bucket's SSE-C objects would make each
  // sweep a full pass).
  bool LeftToThisProcess(const std::string& key) {
    std::lock_guard lock(mu_);
    return failed_here_.contains(key) || RunningLocked(key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, Progress> progress_;  // GUARDED_BY(mu_)
  std::map<std::string, std::jthread> jobs_;  // GUARDED_BY(mu_)
  std::set<std::string> failed_here_;         // GUARDED_BY(mu_)
};

}  // namespace confiance::catalog

// File: main/scrub_job.cc
#include "main/scrub_job.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <condition_variable>
#include <string>
#include <utility>

#include "common/wall_clock.h"
#include "kms/justification.h"
#include "main/scrub_record.h"

namespace confiance {

namespace {

// An overdue scheduled scrub waits this long after a start.
constexpr uint64_t kScheduleMinDelayMs = 60'000;
// The worker lease of scheduled scrubs: renewed every minute while one
// runs, so it lapses only if the process stalls or dies.
constexpr std::chrono::seconds kScrubLeasePeriod{600};

// Sleeps until `deadline` or until `stop` is requested, whichever is first.
template <typename Clock, typename Duration>
void SleepUntil(const std::stop_token& stop, std::chrono::time_point<Clock, Duration> deadline) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  cv.wait_until(lock, stop, deadline, [] { return false; });
}

}  // namespace

ScrubJob::ScrubJob(Deps deps) : d_(std::move(deps)) {
  LoadLast();
  if (d_.interval.count() > 0 && d_.store != nullptr) {
    // Renewed while a scrub runs: from Pace, asking the store once a minute.
    lease_ = std::make_unique<meta::WorkerLease>(*d_.store, "scrub", kScrubLeasePeriod, std::chrono::minutes(1));
  }
  if (d_.interval.count() > 0) {
    schedule_ = std::jthread([this](std::stop_token stop) { Schedule(stop); });
  }
}

ScrubJob::~ScrubJob() {
  schedule_ = std::jthread();  // stops and joins the schedule first: it may Start
  std::jthread job;
  {
    std::lock_guard lock(mu_);
    job = std::move(job_);
  }
  // Joined outside mu_: the job takes it to report progress.
}

std::optional<admin::ScrubJobProgress> ScrubJob::ReadLast() {
  Result<std::optional<std::string>> record = d_.store->Get(kScrubPartition, kLastScrubKey);
  if (!record.ok() || !record->has_value()) {
    if (!record.ok()) spdlog::warn("scrub: the last scrub's record cannot be read: {}", record.status().ToString());
    return std::nullopt;
  }
  Result<admin::ScrubJobProgress> last = DecodeScrubRecord(**record);
  if (!last.ok()) {
    spdlog::warn("scrub: the last scrub's record is damaged: {}", last.status().ToString());
    return std::nullopt;
  }
  return std::move(last).value();
}

void ScrubJob::LoadLast() {
  if (d_.store == nullptr) return;
  std::optional<admin::ScrubJobProgress> last = ReadLast();
  if (!last) return;
  std::lock_guard lock(mu_);
  progress_ = std::move(*last);
  NoteCompleted();
}

void ScrubJob::RefreshLast() {
  std::optional<admin::ScrubJobProgress> last = ReadLast();
  if (!last) return;
  std::lock_guard lock(mu_);
  if (progress_.state == "running" || last->finished_ms <= last_completed_ms_) return;
  progress_ = std::move(*last);
  last_attempt_ms_ = 0;  // the base is the newer completion
  NoteCompleted();
}

void ScrubJob::NoteCompleted() {
  last_completed_ms_ = progress_.finished_ms;
  if (d_.stats == nullptr) return;
  d_.stats->last_scrub_success_s.store(progress_.finished_ms / 1000, std::memory_order_relaxed);
  d_.stats->last_scrub_damaged_objects.store(progress_.damaged_objects, std::memory_order_relaxed);
}

void ScrubJob::SaveLast(const admin::ScrubJobProgress& done) {
  if (d_.store == nullptr) return;
  Status st = d_.store->Apply(kScrubPartition, meta::Batch().Put(std::string(kLastScrubKey), EncodeScrubRecord(done)));
  if (!st.ok()) spdlog::error("scrub: its result could not be kept for after a restart: {}", st.ToString());
}

uint64_t ScrubJob::ScheduleBaseMs() {
  {
    std::lock_guard lock(mu_);
    if (last_attempt_ms_ != 0) return last_attempt_ms_;
    if (last_completed_ms_ != 0) return last_completed_ms_;
  }
  const uint64_t now = UnixMillisNow();
  if (d_.store == nullptr) return now;
  Result<std::optional<std::string>> anchor = d_.store->Get(kScrubPartition, kScrubAnchorKey);
  if (anchor.ok() && anchor->has_value()) {
    uint64_t ms = 0;
    const std::string& text = **anchor;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size()) return ms;
  }
  Status st = d_.store->Apply(kScrubPartition, meta::Batch().Put(std::string(kScrubAnchorKey), std::to_string(now)));
  if (!st.ok()) spdlog::warn("scrub: the schedule's start could not be kept: {}", st.ToString());
  return now;
}

void ScrubJob::Schedule(const std::stop_token& stop) {
  const uint64_t interval_ms = static_cast<uint64_t>(d_.interval.count()) * 1000;
  for (;;) {
    const uint64_t now = UnixMillisNow();
    const uint64_t due = NextScrubDueMs(ScheduleBaseMs(), now, interval_ms, kScheduleMinDelayMs);
    SleepUntil(stop, std::chrono::steady_clock::now() + std::chrono::milliseconds(due - now));
    if (stop.stop_requested()) return;
    if (UnixMillisNow() < due) continue;  // the wall clock was set back: wait again
    if (lease_ != nullptr) {
      if (!lease_->Hold()) continue;  // another gateway scrubs on the schedule
      // A scrub that gateway completed meanwhile counts: due again?
      RefreshLast();
      if (NextScrubDueMs(ScheduleBaseMs(), UnixMillisNow(), interval_ms, 0) > UnixMillisNow()) continue;
    }
    Result<admin::ScrubJobProgress> started = Start(admin::ScrubRequest{std::nullopt, "schedule"});
    if (!started.ok()) spdlog::info("scrub: the scheduled scrub did not start: {}", started.status().message());
  }
}

Result<admin::ScrubJobProgress> ScrubJob::Start(const admin::ScrubRequest& request) {
  std::lock_guard lock(mu_);
  if (progress_.state == "running") {
    return FailedPreconditionError("a scrub is running (started by " + progress_.started_by + ")");
  }
  if (job_.joinable()) job_.join();  // the previous scrub already ended
  admin::ScrubRequest resolved = request;
  if (!resolved.max_bytes_per_second) resolved.max_bytes_per_second = d_.default_bytes_per_second;
  progress_ = admin::ScrubJobProgress{};
  progress_.state = "running";
  progress_.started_by = resolved.started_by;
  progress_.max_bytes_per_second = *resolved.max_bytes_per_second;
  progress_.started_ms = UnixMillisNow();
  last_attempt_ms_ = progress_.started_ms;
  job_ = std::jthread([this, resolved](std::stop_token stop) {
    spdlog::info(
        "scrub: started by {}, at most {} bytes/s", resolved.started_by,
        *resolved.max_bytes_per_second == 0 ? std::string("unlimited") : std::to_string(*resolved.max_bytes_per_second));
    Status st = Run(stop, resolved);
    std::unique_lock lock(mu_);
    progress_.finished_ms = UnixMillisNow();
    progress_.bucket.clear();
    if (st.ok()) {
      progress_.state = "done";
      spdlog::log(progress_.damaged_objects == 0 ? spdlog::level::info : spdlog::level::warn,
                  "scrub: done: {} objects, {} bytes verified, {} damaged, {} rewritten under every read",
                  progress_.objects, progress_.bytes_verified, progress_.damaged_objects,
                  progress_.changed_during_scrub);
    } else {
      progress_.state = st.code() == StatusCode::kCancelled ? "stopped" : "failed";
      progress_.error = st.ToString();
      // A stop is asked for (scrub stop, a shutdown); a failure is not.
      spdlog::log(st.code() == StatusCode::kCancelled ? spdlog::level::info : spdlog::level::err, "scrub: {}: {}",
                  progress_.state, st.ToString());
    }
    if (d_.stats != nullptr) (st.ok() ? d_.stats->scrubs : d_.stats->failed_scrubs).Add();
    if (!st.ok()) return;
    NoteCompleted();
    const admin::ScrubJobProgress done = progress_;
    lock.unlock();
    SaveLast(done);
  });
  return progress_;
}

admin::ScrubJobProgress ScrubJob::Progress() {
  std::lock_guard lock(mu_);
  return progress_;
}

Result<admin::ScrubJobProgress> ScrubJob::Stop() {
  std::lock_guard lock(mu_);
  if (progress_.state != "running") return FailedPreconditionError("no scrub is running");
  job_.request_stop();
  return progress_;
}

void ScrubJob::Pace(const std::stop_token& stop, uint64_t rate, uint64_t bytes) {
  if (lease_ != nullptr) lease_->Hold();  // (renewed once a minute at most; logs a loss)
  if (d_.stats != nullptr) d_.stats->scrub_bytes_verified.Add(bytes);
  paced_bytes_ += bytes;
  if (rate == 0) return;
  const auto due = pace_start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(static_cast<double>(paced_bytes_) / rate));
  SleepUntil(stop, due);
}

void ScrubJob::Copy(const catalog::ScrubReport& r) {
  progress_.metadata_verified = r.metadata_verified;
  progress_.buckets = r.buckets;
  progress_.objects = r.objects;
  progress_.bytes_verified = r.bytes_verified;
  progress_.sse_c_size_only = r.sse_c_size_only;
  progress_.key_access_refused = r.key_access_refused;
  progress_.changed_during_scrub = r.changed_during_scrub;
  progress_.damaged_objects = r.damaged_objects;
  // Refusals and damage are only ever appended: copy what is new.
  progress_.refused_buckets.insert(progress_.refused_buckets.end(),
                                   r.refused_buckets.begin() + progress_.refused_buckets.size(),
                                   r.refused_buckets.end());
  for (size_t i = progress_.damaged.size(); i < r.damaged.size(); ++i) {
    const catalog::ScrubDamage& d = r.damaged[i];
    progress_.damaged.push_back({d.bucket, d.key, std::string(catalog::ScrubKindName(d.kind)), d.detail});
  }
}

Status ScrubJob::Run(const std::stop_token& stop, const admin::ScrubRequest& request) {
  pace_start_ = std::chrono::steady_clock::now();
  paced_bytes_ = 0;
  catalog::ScrubReport before;  // the totals when the current bucket began
  Status log_error;
  catalog::ScrubOptions options;
  options.max_damaged_listed = admin::kMaxDamagedListed;
  options.stop_requested = [&] { return stop.stop_requested() || !log_error.ok(); };
  options.pace = [&](uint64_t bytes) { Pace(stop, request.max_bytes_per_second.value_or(0), bytes); };
  // Every damaged object goes to the journal, listed in the report or not.
  size_t journalled_listed = 0;
  uint64_t journalled = 0;
  auto journal = [&](const catalog::ScrubReport& r) {
    for (; journalled_listed < r.damaged.size(); ++journalled_listed, ++journalled) {
      const catalog::ScrubDamage& d = r.damaged[journalled_listed];
      spdlog::error("scrub: DAMAGED bucket={} key={} reason={}: {}", d.bucket, d.key, catalog::ScrubKindName(d.kind),
                    d.detail);
    }
    for (; journalled < r.damaged_objects; ++journalled) {
      spdlog::error("scrub: DAMAGED: one more damaged object, beyond the {} listed", admin::kMaxDamagedListed);
    }
  };
  options.progress = [&](const catalog::ScrubReport& r, const std::string& bucket, const std::string&) {
    journal(r);
    std::lock_guard lock(mu_);
    progress_.bucket = bucket;
    Copy(r);
  };
  options.bucket_done = [&](const catalog::BucketRecord& bucket, const catalog::ScrubReport& r) {
    journal(r);
    if (log_error.ok()) log_error = LogBucket(request, bucket, before, r);
    before = r;
    std::lock_guard lock(mu_);
    Copy(r);
  };
  Result<catalog::ScrubReport> report = catalog::Scrub(*d_.catalog, *d_.blobs, *d_.keys, options);
  if (!log_error.ok()) return log_error;
  RETURN_IF_ERROR(report.status());
  journal(*report);  // damage no hook saw (the metadata's, in a store without buckets)
  std::lock_guard lock(mu_);
  Copy(*report);
  return OkStatus();
}

Status ScrubJob::LogBucket(const admin::ScrubRequest& request, const catalog::BucketRecord& bucket,
                           const catalog::ScrubReport& before, const catalog::ScrubReport& after) {
  if (d_.log == nullptr) return OkStatus();
  const bool refused = after.refused_buckets.size() > before.refused_buckets.size();
  audit::Event e;
  e.kind = audit::EventKind::kControl;
  e.time_ms = UnixMillisNow();
  if (request.started_by.starts_with("operator ")) {
    e.principal.type = "operator";
    e.principal.user = request.started_by.substr(9);
  } else {
    e.principal.type = "system";
    e.principal.user = "scrub";
  }
  e.action = "ScrubBucket";
  e.target = "bucket/" + bucket.name;
  e.bucket = bucket.name;
  e.justification = std::string(kms::JustificationName(kms::Justification::kSystemMaintenance));
  e.status = refused ? 403 : 200;
  if (refused) {
    e.error = "KeyAccessDenied";
  } else {
    e.bytes = after.bytes_verified - before.bytes_verified;
    e.details["objects"] = std::to_string(after.objects - before.objects);
    e.details["damaged"] = std::to_string(after.damaged_objects - before.damaged_objects);
    if (after.changed_during_scrub > before.changed_during_scrub) {
      e.details["changed_during_scrub"] = std::to_string(after.changed_during_scrub - before.changed_during_scrub);
    }
  }
  Result<uint64_t> index = d_.log->AppendOperatorActionAndWait(bucket.owner, e);
  if (!index.ok()) {
    return UnavailableError("the scrub of bucket " + bucket.name + " could not be logged: " + index.status().message());
  }
  return OkStatus();
}

}  // namespace confiance

// File: tests/crash/power_loss_harness.cc
// The crash-point loop of one store lifetime, and the workers that run
// lifetimes until the requested number of crash points has fired.
#include "tests/crash/power_loss_harness.h"

#include <fmt/format.h>
#include <rocksdb/env.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "catalog/catalog.h"
#include "crypto/random.h"
#include "tests/crash/crash_verifier.h"
#include "tests/crash/deterministic_random.h"
#include "tests/crash/incarnation_env.h"
#include "tests/crash/reaper.h"
#include "tests/testutil/fault_injection_env.h"

namespace confiance::crashtest {
namespace {

using testutil::FaultInjectionEnv;

constexpr int kBuckets = 2;
constexpr int kMaxOpsPerCrashPoint = 100000;  // a crash point that never fires is forced
constexpr size_t kMaxReports = 5;
// One verification in this many reads every object back in full; the
// others read back only what was written since the previous one.
constexpr uint64_t kFullReadEvery = 8;
// A progress line at most this often (at the end of a store lifetime).
constexpr std::chrono::seconds kProgressEvery{30};

// The keys of every bucket: flat and nested names, so that listings cross
// shard and page boundaries.
std::vector<std::string> Keys() { return {"a", "b/1", "b/2", "c", "d/e/f", "g", "h", "z"}; }

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t LifetimeSeed(uint64_t seed, uint64_t lifetime) { return Mix(seed ^ Mix(lifetime + 1)); }

bool IsWrite(OpKind k) { return k != OpKind::kGet; }

// Operations that cannot be acknowledged without a metadata commit (a
// DELETE of an absent key included: Catalog::DeleteObject).
bool NeedsCommit(OpKind k) {
  switch (k) {
    case OpKind::kDelete:
    case OpKind::kPut:
    case OpKind::kPutIfAbsent:
    case OpKind::kPutIfMatch:
    case OpKind::kCreateUpload:
    case OpKind::kUploadPart:
    case OpKind::kComplete:
    case OpKind::kAbort:
    case OpKind::kRotateKey:
      return true;
    default:
      return false;
  }
}

const char* FaultOpName(uint32_t op) {
  switch (op) {
    case testutil::kFaultNewFile: return "open";
    case testutil::kFaultAppend: return "append";
    case testutil::kFaultFlush: return "flush";
    case testutil::kFaultSync: return "fdatasync";
    case testutil::kFaultRemove: return "remove";
    case testutil::kFaultCreateDir: return "mkdir";
    case testutil::kFaultRename: return "rename";
    case testutil::kFaultLink: return "link";
    case testutil::kFaultTruncate: return "truncate";
    case testutil::kFaultSyncDir: return "directory fsync";
  }
  return "?";
}

bool IsWalFault(const FaultInjectionEnv::InjectedFault& f) {
  return f.path.find("/meta/") != std::string::npos && f.path.ends_with(".log") &&
         (f.op == testutil::kFaultAppend || f.op == testutil::kFaultFlush || f.op == testutil::kFaultSync);
}

// Adds the time since construction to *total on destruction.
class PhaseTimer {
 public:
  explicit PhaseTimer(double* total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() { *total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  double* total_;
  std::chrono::steady_clock::time_point start_;
};

// Shared by the workers.
struct RunState {
  const HarnessOptions& options;
  std::chrono::steady_clock::time_point start;
  std::atomic<uint64_t> next_lifetime{0};
  uint64_t lifetimes = 0;  // to run
  std::atomic<bool> stop{false};
  std::mutex mu;
  HarnessReport report;  // GUARDED_BY(mu)
  std::chrono::steady_clock::time_point last_progress = start;  // GUARDED_BY(mu)

  std::mutex log_mu;  // one line (or block) at a time

  void Log(const std::string& line) {
    std::lock_guard lock(log_mu);
    if (options.log) options.log(line);
  }
  bool OutOfTime() const {
    return options.max_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > options.max_seconds;
  }
};

class Lifetime {
 public:
  Lifetime(RunState& run, uint64_t index, uint64_t crash_points)
      : run_(run),
        opt_(run.options),
        index_(index),
        seed_(LifetimeSeed(opt_.seed, index)),
        budget_(crash_points),
        path_(fmt::format("{}/store-{}", opt_.dir, index)),
        rng_(seed_),
        fault_(*Env::Default()),
        lying_(fault_, opt_.mutant),
        env_(opt_.mutant == Mutant::kNone ? static_cast<Env&>(fault_) : static_cast<Env&>(lying_)),
        model_(kBuckets, Keys()),
        workload_(model_, Mix(seed_ + 1)) {
    // Bucket-key rotations under power loss only. A rotation ends with a
    // purge (a flush and a compaction), whose errors in removing obsolete
    // files or closing an obsolete WAL RocksDB absorbs by design; the
    // I/O-error mode's rules (no acknowledgement after an error on the
    // operation's path, read-only after any WAL error) cannot tell those
    // from a lost write.
    workload_.set_rotations(opt_.mode == FaultMode::kPowerLoss);
  }

  // Runs the lifetime's crash points; merges its figures into the report.
  void Run();

 private:
  uint64_t Uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }
  Status Start();
  // Runs the workload until the armed crash point fires; returns the
  // operation that was in flight.
  OpOutcome RunUntilCrash();
  // kIoError: runs the workload until the armed error fired and a few
  // operations more; returns the operation the error hit.
  OpOutcome RunUntilIoError();
  // Power loss (or, with !power_loss, a process restart that keeps every
  // byte written), then reopen, crashing some reopens too in power-loss
  // mode. False if the store cannot be reopened (a violation was recorded).
  bool Recover(bool power_loss);
  // Ends an incarnation: nothing it does from now on reaches the disk, and
  // it winds down on the reaper's thread.
  void Abandon(std::unique_ptr<DataDir> dir, std::shared_ptr<IncarnationEnv> incarnation);
  void Violation(const std::string& what);
  void Trace(const OpOutcome& o) {
    if (!opt_.trace) return;
    run_.Log(fmt::format("    op: {} -> {}", o.detail,
                         o.verdict == OpOutcome::Verdict::kAcknowledged ? "acknowledged" : o.status.ToString()));
  }
  void ReportViolations();
  void Merge();

  RunState& run_;
  const HarnessOptions& opt_;
  const uint64_t index_;
  const uint64_t seed_;
  const uint64_t budget_;
  const std::string path_;
  std::mt19937_64 rng_;
  FaultInjectionEnv fault_;
  LyingEnv lying_;
  Env& env_;
  StoreModel model_;
  Workload workload_;
  // Declared after the Envs: destroyed (drained) before them.
  Reaper reaper_;
  std::shared_ptr<IncarnationEnv> incarnation_;  // the live incarnation's file system
  std::unique_ptr<DataDir> dir_;                 // the live incarnation
  std::vector<catalog::BucketRecord> buckets_;

  HarnessReport mine_;  // merged into the run's report at the end
  VerifyStats verify_;
  uint64_t fired_ = 0;
  uint64_t crash_after_ = 0;    // the current workload crash point, in Env calls
  std::string in_flight_;       // the operation it hit
  std::vector<std::string> violations_;
};

Status Lifetime::Start() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  SeedThreadRandom(seed_);
  incarnation_ = std::make_shared<IncarnationEnv>(env_);
  ASSIGN_OR_RETURN(dir_, DataDir::Open(*incarnation_, path_));
  // The store is driven as the server opens it: metadata encrypted at rest
  // (crypto/encrypted_env.h over the fault-injecting Env).
  if (dir_->meta_env == nullptr) return InternalError("harness: the metadata store is not encrypted");
  for (int b = 0; b < kBuckets; ++b) {
    catalog::BucketRecord bucket;
    bucket.name = fmt::format("crash-{}", b);
    ASSIGN_OR_RETURN(bucket.id, crypto::RandomHex(12));
    bucket.owner = "crash-tenant";
    bucket.created_ms = env_.NowMicros() / 1000;
    bucket.index_shards = b == 0 ? 1 : 4;  // one plain, one sharded bucket index
    RETURN_IF_ERROR(dir_->bucket_keys->CreateFor(bucket));
    RETURN_IF_ERROR(dir_->catalog->CreateBucket(bucket));
    buckets_.push_back(std::move(bucket));
  }
  return OkStatus();
}

OpOutcome Lifetime::RunUntilCrash() {
  PhaseTimer timer(&mine_.workload_seconds);
  crash_after_ = Uniform(1, opt_.max_workload_calls);
  fault_.CrashAfter(crash_after_);
  OpOutcome last;
  for (int ops = 0; fault_.filesystem_active(); ++ops) {
    if (ops == kMaxOpsPerCrashPoint) {
      fault_.SetFilesystemActive(false);  // a power cut between two operations
      last = OpOutcome{};
      last.detail = "none (between operations)";
      break;
    }
    last = workload_.RunOne(*dir_, buckets_, violations_);
    Trace(last);
    switch (last.verdict) {
      case OpOutcome::Verdict::kAcknowledged: ++mine_.ops_acknowledged; break;
      case OpOutcome::Verdict::kRefused: ++mine_.ops_refused; break;
      case OpOutcome::Verdict::kSkipped: break;
      case OpOutcome::Verdict::kFailed:
        if (fault_.filesystem_active()) {
          // No fault was injected: the store failed on its own.
          ++mine_.ops_failed;
          violations_.push_back(fmt::format("{}: failed with no fault injected: {}", last.detail,
                                            last.status.ToString()));
        }
        break;
    }
  }
  ++mine_.in_flight[static_cast<size_t>(last.kind)];
  in_flight_ = fmt::format("{} -> {}", last.detail,
                           last.verdict == OpOutcome::Verdict::kAcknowledged ? "acknowledged" : last.status.ToString());
  // The dead file system must refuse every write from now on; one that is
  // acknowledged anyway is in the model, so the verification will judge it.
  const uint64_t extra = Uniform(0, opt_.max_ops_after_crash);
  for (uint64_t i = 0; i < extra; ++i) {
    OpOutcome o = workload_.RunOne(*dir_, buckets_, violations_);
    const bool acked = o.verdict == OpOutcome::Verdict::kAcknowledged;
    if (acked && IsWrite(o.kind)) ++mine_.acked_after_crash;
    if (opt_.verbose) {
      run_.Log(fmt::format("  after the crash point: {} -> {}", o.detail, acked ? "acknowledged" : o.status.ToString()));
    }
  }
  return last;
}

OpOutcome Lifetime::RunUntilIoError() {
  PhaseTimer timer(&mine_.workload_seconds);
  crash_after_ = Uniform(1, opt_.max_workload_calls);
  const int err = Uniform(0, 1) == 0 ? EIO : ENOSPC;
  const int injected_before = fault_.injected_failures();
  fault_.FailAfter(static_cast<int>(crash_after_), err);
  int injected_at_ack = -1;
  workload_.set_on_acknowledged([&] { injected_at_ack = fault_.injected_failures(); });
  OpOutcome hit;
  hit.detail = "none (the error never fired)";
  std::string fault;
  bool fired = false;
  uint64_t more = 0;  // operations to run once it fired
  for (int ops = 0; ops < kMaxOpsPerCrashPoint && !(fired && more == 0); ++ops) {
    if (fired) --more;
    const int at_start = fault_.injected_failures();
    const bool read_only = dir_->rocks_meta->read_only();
    injected_at_ack = -1;
    OpOutcome o = workload_.RunOne(*dir_, buckets_, violations_);
    Trace(o);
    const bool acked = o.verdict == OpOutcome::Verdict::kAcknowledged;
    if (fired && opt_.verbose) {
      run_.Log(fmt::format("  after the error: {} -> {}", o.detail, acked ? "acknowledged" : o.status.ToString()));
    }
    if (acked) ++mine_.ops_acknowledged;
    if (o.verdict == OpOutcome::Verdict::kRefused) ++mine_.ops_refused;
    if (acked && injected_at_ack > at_start) {
      const auto f = fault_.last_injected_fault();
      violations_.push_back(fmt::format("{}: acknowledged although an injected error hit its path first ({} of {})",
                                        o.detail, f ? FaultOpName(f->op) : "?", f ? f->path : "?"));
    }
    if (acked && read_only && NeedsCommit(o.kind)) {
      violations_.push_back(o.detail + ": acknowledged by a metadata store that had turned read-only");
    }
    if (o.verdict == OpOutcome::Verdict::kFailed) {
      if (read_only) {
        ++mine_.read_only_refusals;
      } else if (fault_.injected_failures() == at_start) {
        ++mine_.ops_failed;
        violations_.push_back(fmt::format("{}: failed with no fault injected: {}", o.detail, o.status.ToString()));
      }
    }
    if (!fired && fault_.injected_failures() > injected_before) {
      fired = true;
      hit = o;
      more = Uniform(0, 4);
      ++mine_.io_errors;
      if (const auto f = fault_.last_injected_fault()) {
        fault = fmt::format("{} {} of {}", f->err == EIO ? "EIO" : "ENOSPC", FaultOpName(f->op), f->path);
        if (IsWalFault(*f)) {
          ++mine_.io_errors_on_wal;
          // fsyncgate: the WAL's durable content is unknown from now on.
          if (!dir_->rocks_meta->read_only()) {
            violations_.push_back(fmt::format("{}: {} failed but the metadata store still accepts writes", o.detail,
                                              fault));
          }
        }
      }
    }
  }
  fault_.ClearFailure();
  workload_.set_on_acknowledged(nullptr);
  ++mine_.in_flight[static_cast<size_t>(hit.kind)];
  in_flight_ = fmt::format("{} -> {} (injected: {})", hit.detail,
                           hit.verdict == OpOutcome::Verdict::kAcknowledged ? "acknowledged" : hit.status.ToString(),
                           fault.empty() ? "none" : fault);
  return hit;
}

bool Lifetime::Recover(bool power_loss) {
  for (;;) {
    fault_.CrashAfter(0);
    Status lost;
    if (power_loss) {
      PhaseTimer timer(&mine_.power_loss_seconds);
      lost = fault_.SimulatePowerLoss();
    } else {
      ++mine_.process_restarts;  // the page cache survives: nothing is dropped
    }
    if (!lost.ok()) {
      Violation("the simulated power loss failed: " + lost.ToString());
      return false;
    }
    fault_.SetFilesystemActive(true);
    const bool crash_recovery = opt_.mode == FaultMode::kPowerLoss && fired_ < budget_ &&
                                Uniform(0, 99) < static_cast<uint64_t>(opt_.recovery_crash_percent);
    const uint64_t after = crash_recovery ? Uniform(1, opt_.max_recovery_calls) : 0;
    PhaseTimer timer(&mine_.reopen_seconds);
    auto incarnation = std::make_shared<IncarnationEnv>(env_);
    // Only this thread's calls count: a compaction the recovery starts runs
    // beside the rest of the start-up and must not move the crash point.
    fault_.CrashAfter(after, std::this_thread::get_id());
    Result<std::unique_ptr<DataDir>> opened = DataDir::Open(*incarnation, path_);
    // As the server does before its first request (main/confiance.cc); a
    // crash point may fall inside it too.
    Status settled = OkStatus();
    if (opened.ok()) {
      catalog::Catalog::StartRecovery r = (*opened)->catalog->RecoverAtStart(Env::Default()->NowMicros() / 1000);
      if (r.completions.ok()) {
        mine_.completions_finished_at_start += r.completions->finished;
        mine_.completions_reopened_at_start += r.completions->reopened;
      }
      settled = !r.completions.ok() ? r.completions.status() : r.buckets_freed.status();
    }
    fault_.CrashAfter(0);
    // The workload's crash window opens once the background work the
    // recovery started (a compaction) is over, so that its crash points
    // count the same calls on every replay.
    if (opened.ok() && fault_.filesystem_active()) {
      (*opened)->rocks_meta->TEST_WaitForBackgroundWork().IgnoreError();
    }
    if (!fault_.filesystem_active()) {
      // Power lost again while recovering: abandon what opened and start over.
      Abandon(opened.ok() ? std::move(opened).value() : nullptr, std::move(incarnation));
      power_loss = true;
      ++fired_;
      ++mine_.recovery_crash_points;
      if (opt_.verbose) run_.Log(fmt::format("lifetime {} crash point {}: during recovery, after {} calls", index_, fired_, after));
      continue;
    }
    if (!opened.ok()) {
      Violation("the store does not reopen after the crash: " + opened.status().ToString());
      return false;
    }
    if (!settled.ok()) {
      Violation("the interrupted completions cannot be settled after the crash: " + settled.ToString());
      return false;
    }
    dir_ = std::move(opened).value();
    incarnation_ = std::move(incarnation);
    return true;
  }
}

void Lifetime::Abandon(std::unique_ptr<DataDir> dir, std::shared_ptr<IncarnationEnv> incarnation) {
  incarnation->Kill();
  std::shared_ptr<DataDir> shared(std::move(dir));  // std::function must be copyable
  reaper_.Add([dir = std::move(shared), incarnation = std::move(incarnation)]() mutable {
    dir.reset();  // RocksDB's close waits for its background jobs
    incarnation.reset();
  });
}

void Lifetime::Violation(const std::string& what) { violations_.push_back(what); }

void Lifetime::ReportViolations() {
  ++mine_.violations;
  std::string report = fmt::format(
      "VIOLATION seed={} lifetime={} {}={} (of {} in this store; {} after {} Env calls){}\n"
      "  in flight: {}\n",
      opt_.seed, index_, opt_.mode == FaultMode::kIoError ? "fault-point" : "crash-point", fired_, budget_,
      opt_.mode == FaultMode::kIoError ? "error" : "crash", crash_after_,
      opt_.mutant == Mutant::kNone ? "" : fmt::format(" mutant={}", MutantName(opt_.mutant)), in_flight_);
  for (const std::string& v : violations_) report += "  - " + v + "\n";
  report += fmt::format("  replay: power_loss_test{} --seed={} --lifetime={} --crash-points={}{}{}",
                        opt_.mode == FaultMode::kIoError ? " --io-errors" : "", opt_.seed, index_, fired_, opt_.mutant == Mutant::kNone ? "" : std::string(" --mutant=") + MutantName(opt_.mutant),
                        opt_.keep_failed_stores ? fmt::format("\n  store kept in {}", path_) : "");
  mine_.violation_reports.push_back(report);
  run_.Log(report);
}

void Lifetime::Merge() {
  mine_.env_calls += fault_.mutating_calls();
  mine_.skipped_syncs += lying_.skipped();
  mine_.keys_checked += verify_.keys_checked;
  mine_.objects_read += verify_.objects_read;
  mine_.bytes_read += verify_.bytes_read;
  mine_.uploads_checked += verify_.uploads_checked;
  mine_.completions_resolved += verify_.completions_resolved;
  mine_.crash_points += fired_;
  mine_.lifetimes = 1;
  std::lock_guard lock(run_.mu);
  HarnessReport& r = run_.report;
  r.crash_points += mine_.crash_points;
  r.recovery_crash_points += mine_.recovery_crash_points;
  r.lifetimes += mine_.lifetimes;
  r.ops_acknowledged += mine_.ops_acknowledged;
  r.ops_refused += mine_.ops_refused;
  r.ops_failed += mine_.ops_failed;
  r.acked_after_crash += mine_.acked_after_crash;
  for (size_t i = 0; i < r.in_flight.size(); ++i) r.in_flight[i] += mine_.in_flight[i];
  r.env_calls += mine_.env_calls;
  r.keys_checked += mine_.keys_checked;
  r.objects_read += mine_.objects_read;
  r.bytes_read += mine_.bytes_read;
  r.uploads_checked += mine_.uploads_checked;
  r.completions_resolved += mine_.completions_resolved;
  r.completions_finished_at_start += mine_.completions_finished_at_start;
  r.completions_reopened_at_start += mine_.completions_reopened_at_start;
  r.skipped_syncs += mine_.skipped_syncs;
  r.io_errors += mine_.io_errors;
  r.io_errors_on_wal += mine_.io_errors_on_wal;
  r.read_only_refusals += mine_.read_only_refusals;
  r.process_restarts += mine_.process_restarts;
  r.violations += mine_.violations;
  r.workload_seconds += mine_.workload_seconds;
  r.close_seconds += mine_.close_seconds;
  r.power_loss_seconds += mine_.power_loss_seconds;
  r.reopen_seconds += mine_.reopen_seconds;
  r.verify_seconds += mine_.verify_seconds;
  for (std::string& v : mine_.violation_reports) {
    if (r.violation_reports.size() < kMaxReports) r.violation_reports.push_back(std::move(v));
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - run_.last_progress >= kProgressEvery) {
    run_.last_progress = now;
    run_.Log(fmt::format("progress: {} of {} crash points, {} violations, {:.0f} s", r.crash_points,
                         opt_.crash_points, r.violations, std::chrono::duration<double>(now - run_.start).count()));
  }
}

void Lifetime::Run() {
  if (Status s = Start(); !s.ok()) {
    Violation("the new store does not open: " + s.ToString());
    ReportViolations();
  } else {
    while (fired_ < budget_ && !run_.stop.load() && !run_.OutOfTime()) {
      const bool io_error = opt_.mode == FaultMode::kIoError;
      if (io_error) {
        RunUntilIoError();
      } else {
        RunUntilCrash();
      }
      ++fired_;
      {
        PhaseTimer timer(&mine_.close_seconds);
        Abandon(std::move(dir_), std::move(incarnation_));
      }
      const bool power_loss = !io_error || Uniform(0, 1) == 0;
      if (opt_.verbose) {
        run_.Log(fmt::format("lifetime {} {} {}: [{} calls so far] after {} calls, in flight: {}{}", index_,
                             io_error ? "fault point" : "crash point", fired_, fault_.mutating_calls(), crash_after_, in_flight_,
                             io_error ? (power_loss ? "; restart through a power loss" : "; process restart") : ""));
      }
      if (Recover(power_loss)) {
        // After a rotation every data key was rewrapped: decrypt them all.
        const bool read_everything = workload_.TakeRotated() || Uniform(1, kFullReadEvery) == 1;
        PhaseTimer timer(&mine_.verify_seconds);
        VerifyAndSettle(*dir_, buckets_, model_, read_everything, violations_, verify_);
      }
      if (!violations_.empty()) {
        ReportViolations();
        if (opt_.stop_on_violation) run_.stop.store(true);
        break;  // the model no longer describes this store
      }
    }
  }
  dir_.reset();
  reaper_.Drain();
  Merge();
  if (mine_.violations == 0 || !opt_.keep_failed_stores) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

void Worker(RunState& run) {
  for (;;) {
    if (run.stop.load() || run.OutOfTime()) return;
    const uint64_t index = run.next_lifetime.fetch_add(1);
    uint64_t lifetime = index;
    uint64_t points = run.options.crash_points_per_store;
    if (run.options.only_lifetime) {
      if (index > 0) return;
      lifetime = *run.options.only_lifetime;
      points = std::min(points, run.options.crash_points);
    } else {
      if (index >= run.lifetimes) return;
      const uint64_t before = index * run.options.crash_points_per_store;
      points = std::min(points, run.options.crash_points - before);
    }
    Lifetime(run, lifetime, points).Run();
  }
}

}  // namespace

std::string HarnessReport::Summary() const {
  auto PerPoint = [&](double total) { return crash_points ? 1000.0 * total / crash_points : 0.0; };
  std::string inflight;
  for (size_t i = 0; i < in_flight.size(); ++i) {
    if (in_flight[i] == 0) continue;
    if (!inflight.empty()) inflight += ", ";
    inflight += fmt::format("{} {}", OpKindName(static_cast<OpKind>(i)), in_flight[i]);
  }
  std::string out = fmt::format(
      "crash points: {} ({} during recovery) in {} store lifetimes, {:.1f} s ({:.2f} ms per crash point)\n"
      "operations: {} acknowledged, {} refused as expected, {} failed without a fault; "
      "{} writes acknowledged after the crash point\n"
      "in flight at the crash point: {}\n"
      "verified: {} keys ({} objects, {:.1f} MiB read back), {} uploads, {} in-flight completions resolved\n"
      "interrupted completions settled at start-up: {} finished, {} back in progress\n"
      "mutating Env calls: {}{}\n"
      "time per crash point (ms, summed over workers): workload {:.2f}, close {:.2f}, power loss {:.2f}, "
      "reopen {:.2f}, verify {:.2f}\n"
      "violations: {}",
      crash_points, recovery_crash_points, lifetimes, seconds, crash_points ? 1000.0 * seconds / crash_points : 0.0,
      ops_acknowledged, ops_refused, ops_failed, acked_after_crash, inflight, keys_checked, objects_read,
      bytes_read / 1048576.0, uploads_checked, completions_resolved, completions_finished_at_start,
      completions_reopened_at_start, env_calls,
      skipped_syncs ? fmt::format(", syncs skipped by the mutant: {}", skipped_syncs) : "", PerPoint(workload_seconds),
      PerPoint(close_seconds), PerPoint(power_loss_seconds), PerPoint(reopen_seconds), PerPoint(verify_seconds),
      violations);
  if (io_errors > 0) {
    out += fmt::format(
        "\nio errors injected: {} ({} on the WAL); operations refused by the read-only metadata store: {}; "
        "restarts: {} keeping the page cache, the others through a power loss",
        io_errors, io_errors_on_wal, read_only_refusals, process_restarts);
  }
  if (!harness_error.empty()) out += "\nharness error: " + harness_error;
  return out;
}

HarnessReport RunHarness(const HarnessOptions& options) {
  HarnessOptions fixed = options;
  fixed.crash_points_per_store = std::max<uint64_t>(1, options.crash_points_per_store);
  RunState run{fixed, std::chrono::steady_clock::now()};
  if (!InstallDeterministicRandom()) {
    run.report.harness_error = "cannot install the deterministic RAND method";
    return run.report;
  }
  std::error_code ec;
  std::filesystem::create_directories(fixed.dir, ec);
  if (ec) {
    run.report.harness_error = "cannot create " + fixed.dir + ": " + ec.message();
    return run.report;
  }
  // Abandoned incarnations wind down concurrently, and RocksDB sleeps a
  // second in a pool thread after a compaction fails on the dead file
  // system: enough pool threads that live stores never queue behind them.
  const int pool_threads = 8 * std::max(1, fixed.jobs);
  rocksdb::Env::Default()->SetBackgroundThreads(pool_threads, rocksdb::Env::Priority::LOW);
  rocksdb::Env::Default()->SetBackgroundThreads(pool_threads, rocksdb::Env::Priority::HIGH);
  run.lifetimes = (fixed.crash_points + fixed.crash_points_per_store - 1) / fixed.crash_points_per_store;
  std::vector<std::thread> workers;
  for (int j = 0; j < std::max(1, fixed.jobs); ++j) workers.emplace_back([&run] { Worker(run); });
  for (std::thread& t : workers) t.join();
  run.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.start).count();
  std::filesystem::remove(fixed.dir, ec);  // only if empty: kept stores stay
  return run.report;
}

}  // namespace confiance::crashtest

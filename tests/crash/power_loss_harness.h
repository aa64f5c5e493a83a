// File: tests/crash/power_loss_harness.h
// The power-loss crash-point harness (issue 4, "Power-loss safety"): drives
// the whole store stack -- DataDir::Open as the server does it, i.e. the
// embedded keystore, RocksMetaStore, LocalBlobStore, Catalog and BucketKeys
// -- over ONE FaultInjectionEnv through a random mixed workload
// (crash_workload.h), and at seeded crash points cuts the power:
//
//   1. arm FaultInjectionEnv::CrashAfter(n), n drawn from the seed: the n-th
//      mutating Env call from now on (any thread, RocksDB's included) and
//      every later one fail; the operation in flight fails and is not
//      acknowledged; a few more operations are tried and must fail too;
//   2. abandon the stack (every object destroyed on the dead file system);
//   3. SimulatePowerLoss(): drop every unsynced byte, revert every creation,
//      rename and removal whose directory was not synced;
//   4. reopen the stack as the server starts (RocksDB WAL recovery, stale
//      temporary blobs removed); some reopens get a crash point of their
//      own, so crashes during recovery are covered, then reopen again;
//      a reopen that fails on a healthy file system is a violation;
//   5. verify against the model (crash_verifier.h) and go on from the
//      recovered store: many crash points per store lifetime.
//
// Seeds: each store lifetime L has its own seed, derived from the run's
// seed and L, which drives the workload, the crash points, and OpenSSL's
// random bytes (deterministic_random.h), so a lifetime replays alone
// (HarnessOptions::only_lifetime). What is not replayed exactly: RocksDB's
// background compactions run on their own threads, so a crash point can
// land in a slightly different place when one is running.
//
// Thread-safety: RunHarness runs `jobs` worker threads, each on its own
// stores; HarnessOptions::log is called from them, one call at a time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/crash/crash_workload.h"
#include "tests/crash/lying_env.h"

namespace confiance::crashtest {

// What ends each window of the workload.
enum class FaultMode {
  kPowerLoss,  // a crash point, then SimulatePowerLoss (the default)
  // An injected EIO or ENOSPC (FailAfter) at a random mutating call; a few
  // more operations on the store in its error state; then a restart, half
  // of them through a power loss. Checked besides the model: no operation
  // whose path hit the error before its acknowledgement is acknowledged,
  // a failed WAL write or sync turns the metadata store read-only, and a
  // read-only store acknowledges no commit until it is reopened.
  kIoError,
};

struct HarnessOptions {
  FaultMode mode = FaultMode::kPowerLoss;
  uint64_t seed = 1;
  uint64_t crash_points = 1000;  // the run stops once this many have fired
  int jobs = 1;                  // worker threads, each on its own stores
  // Stores live under this directory (tmpfs for speed), one
  // sub-directory per lifetime, removed when the lifetime passes.
  std::string dir = "/dev/shm/confiance-power-loss";
  uint64_t crash_points_per_store = 250;
  // A workload crash point falls on a mutating Env call drawn uniformly
  // from [1, max_workload_calls] after the previous recovery.
  uint64_t max_workload_calls = 150;
  int recovery_crash_percent = 20;  // share of reopens that crash too
  uint64_t max_recovery_calls = 80;
  int max_ops_after_crash = 2;  // operations tried on the dead file system
  std::optional<uint64_t> only_lifetime;  // replay one lifetime
  Mutant mutant = Mutant::kNone;
  bool keep_failed_stores = false;  // keep a lifetime's directory on a violation
  bool stop_on_violation = true;    // stop the whole run at the first violation
  double max_seconds = 0;           // 0: no time bound
  // Receives progress and violation reports (one line or block each).
  std::function<void(const std::string&)> log;
  bool verbose = false;  // one log line per crash point
  bool trace = false;    // and one per operation
};

struct HarnessReport {
  uint64_t crash_points = 0;           // fired: workload + recovery
  uint64_t recovery_crash_points = 0;  // fired while reopening
  uint64_t lifetimes = 0;
  uint64_t ops_acknowledged = 0;
  uint64_t ops_refused = 0;
  uint64_t ops_failed = 0;  // before the crash point: a violation each
  uint64_t acked_after_crash = 0;  // writes acknowledged on the dead file system
  std::array<uint64_t, static_cast<size_t>(OpKind::kCount)> in_flight{};  // op at each workload crash point
  uint64_t env_calls = 0;  // mutating Env calls made, all stores
  uint64_t keys_checked = 0;
  uint64_t objects_read = 0;
  uint64_t bytes_read = 0;
  uint64_t uploads_checked = 0;
  uint64_t completions_resolved = 0;
  // By Catalog::SettleInterruptedCompletions in each recovery.
  uint64_t completions_finished_at_start = 0;
  uint64_t completions_reopened_at_start = 0;
  uint64_t skipped_syncs = 0;  // by the mutant
  // kIoError mode.
  uint64_t io_errors = 0;            // injected errors that fired
  uint64_t io_errors_on_wal = 0;     // of which on RocksDB's WAL
  uint64_t read_only_refusals = 0;   // operations refused by the read-only store
  uint64_t process_restarts = 0;     // restarts that kept unsynced data
  uint64_t violations = 0;     // crash points that found at least one
  std::vector<std::string> violation_reports;  // the first few, in full
  std::string harness_error;   // set if the harness itself could not run
  double seconds = 0;
  // Thread time spent per phase, all workers (seconds).
  double workload_seconds = 0;  // operations up to the crash point and after it
  double close_seconds = 0;     // abandoning the stack on the dead file system
  double power_loss_seconds = 0;
  double reopen_seconds = 0;    // recovery, crashed ones included
  double verify_seconds = 0;

  // A multi-line human summary.
  std::string Summary() const;
};

HarnessReport RunHarness(const HarnessOptions& options);

}  // namespace confiance::crashtest

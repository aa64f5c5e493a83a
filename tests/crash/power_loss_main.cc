// File: tests/crash/power_loss_main.cc
// power_loss_test: the command line of the power-loss crash-point harness
// (power_loss_harness.h; tests/crash/README.md). Exit status: 0 when every
// crash point verified clean (with --expect-violation: when a violation
// was found), 1 otherwise, 2 for a usage or setup error.
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include "crypto/openssl_process.h"
#include "tests/crash/power_loss_harness.h"

namespace {

using confiance::crashtest::HarnessOptions;
using confiance::crashtest::HarnessReport;

constexpr char kUsage[] = R"(usage: power_loss_test [options]
  --crash-points=N     crash points to run (default 1000; env CONFIANCE_CRASH_POINTS)
  --io-errors          inject EIO/ENOSPC instead of cutting the power (each
                       error then counts as a crash point; see power_loss_harness.h)
  --seed=N             run seed (default: random, printed; env CONFIANCE_CRASH_SEED)
  --jobs=N             worker threads, each on its own stores (default: cores)
  --dir=PATH           where stores live (default /dev/shm/confiance-power-loss)
  --per-store=N        crash points per store lifetime (default 250)
  --max-calls=N        workload crash point drawn from [1, N] Env calls (default 150)
  --recovery-crash=P   percent of reopens that crash too (default 20)
  --lifetime=L         replay only store lifetime L of --seed (its first --crash-points)
  --mutant=NAME        skip one kind of sync to prove the harness catches it:
                       blob-dir-sync, blob-file-sync, wal-sync (default none)
  --expect-violation   succeed only if a violation is found (for --mutant)
  --keep               keep the store directory of a lifetime with a violation
  --no-stop            go on after a violation
  --max-seconds=S      stop after S seconds (0: no bound)
  --verbose            one line per crash point
  --trace              and one per operation
)";

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "--name=value": true and the value if `arg` is that flag.
bool Flag(std::string_view arg, std::string_view name, std::string_view* value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  *value = arg.substr(name.size() + 1);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (confiance::Status s = confiance::crypto::InitOpenSslForProcess(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  HarnessOptions options;
  options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool seed_given = false;
  bool expect_violation = false;
  if (const char* e = std::getenv("CONFIANCE_CRASH_POINTS"); e && !ParseU64(e, &options.crash_points)) {
    std::fprintf(stderr, "bad CONFIANCE_CRASH_POINTS\n");
    return 2;
  }
  if (const char* e = std::getenv("CONFIANCE_CRASH_SEED")) {
    if (!ParseU64(e, &options.seed)) {
      std::fprintf(stderr, "bad CONFIANCE_CRASH_SEED\n");
      return 2;
    }
    seed_given = true;
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view v;
    uint64_t n = 0;
    bool ok = true;
    if (Flag(arg, "--crash-points", &v)) {
      ok = ParseU64(v, &options.crash_points);
    } else if (Flag(arg, "--seed", &v)) {
      ok = ParseU64(v, &options.seed);
      seed_given = true;
    } else if (Flag(arg, "--jobs", &v)) {
      ok = ParseU64(v, &n) && n >= 1 && n <= 64;
      options.jobs = static_cast<int>(n);
    } else if (Flag(arg, "--dir", &v)) {
      options.dir = std::string(v);
    } else if (Flag(arg, "--per-store", &v)) {
      ok = ParseU64(v, &options.crash_points_per_store) && options.crash_points_per_store > 0;
    } else if (Flag(arg, "--max-calls", &v)) {
      ok = ParseU64(v, &options.max_workload_calls) && options.max_workload_calls > 0;
    } else if (Flag(arg, "--recovery-crash", &v)) {
      ok = ParseU64(v, &n) && n <= 100;
      options.recovery_crash_percent = static_cast<int>(n);
    } else if (Flag(arg, "--lifetime", &v)) {
      ok = ParseU64(v, &n);
      options.only_lifetime = n;
    } else if (Flag(arg, "--mutant", &v)) {
      ok = confiance::crashtest::ParseMutant(std::string(v), &options.mutant);
    } else if (Flag(arg, "--max-seconds", &v)) {
      ok = ParseU64(v, &n);
      options.max_seconds = static_cast<double>(n);
    } else if (arg == "--io-errors") {
      options.mode = confiance::crashtest::FaultMode::kIoError;
    } else if (arg == "--expect-violation") {
      expect_violation = true;
    } else if (arg == "--keep") {
      options.keep_failed_stores = true;
    } else if (arg == "--no-stop") {
      options.stop_on_violation = false;
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--trace") {
      options.verbose = options.trace = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "power_loss_test: bad argument %s\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (!seed_given) {
    options.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007;
  }
  if (options.only_lifetime) options.jobs = 1;
  options.log = [](const std::string& line) {
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
  };
  std::printf("power_loss_test: mode=%s seed=%llu crash-points=%llu jobs=%d per-store=%llu max-calls=%llu mutant=%s dir=%s\n",
              options.mode == confiance::crashtest::FaultMode::kIoError ? "io-errors" : "power-loss",
              static_cast<unsigned long long>(options.seed), static_cast<unsigned long long>(options.crash_points),
              options.jobs, static_cast<unsigned long long>(options.crash_points_per_store),
              static_cast<unsigned long long>(options.max_workload_calls),
              confiance::crashtest::MutantName(options.mutant), options.dir.c_str());
  std::fflush(stdout);
  HarnessReport report = confiance::crashtest::RunHarness(options);
  std::printf("%s\n", report.Summary().c_str());
  if (!report.harness_error.empty()) return 2;
  const bool violated = report.violations > 0;
  if (expect_violation) {
    std::printf(violated ? "the mutant was caught\n" : "the mutant was NOT caught\n");
    return violated ? 0 : 1;
  }
  return violated ? 1 : 0;
}

#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time (issue 4: "a script runs
# each for a bounded time"). CI runs the cheaper smoke form of the same
# targets (CTest label `fuzz`, docs/FUZZING.md); this is the real,
# coverage-guided fuzzing, on request:
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 60 s, all targets
#
# Installs clang if needed, builds ./build-fuzz (clang, ASan+UBSan,
# -DCONFIANCE_FUZZ=ON), then runs each target on a working copy of its seed
# corpus (build-fuzz/corpus/<target>; inputs that found new coverage stay
# there for the next run, the repository's seeds are never modified). A crash
# is saved as build-fuzz/crashes/<target>-crash-<sha1>: copy it into
# fuzz/corpus/<target>/ once fixed, so that CI replays it from then on.
# Prints one line per target and exits nonzero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true

if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  CONFIANCE_FUZZ=1 scripts/install-deps.sh
fi
build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCONFIANCE_FUZZ=ON -DCONFIANCE_TESTS=OFF -DCONFIANCE_BENCH=OFF -DCONFIANCE_WERROR=OFF >/dev/null

if (($# == 0)); then
  set -- $(cd fuzz && ls ./*_fuzz.cc | sed 's|^\./||; s|\.cc$||')
fi
cmake --build "$build" -j"$(nproc)" --target "$@"

mkdir -p "$build/crashes"
failed=0
printf '%-20s %8s %12s %8s %s\n' target seconds execs corpus result
for target in "$@"; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  cp -n fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  log="$build/crashes/$target.log"
  # -rss_limit_mb: every target must stay small; -timeout: a hang is a bug.
  if "$build/fuzz/$target" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" >"$log" 2>&1; then
    result=ok
  else
    result="CRASH (see $log)"
    failed=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-20s %8s %12s %8s %s\n' "$target" "$seconds" "${execs:-?}" "$(ls "$work" | wc -l)" "$result"
done
exit $failed

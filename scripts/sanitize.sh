#!/usr/bin/env bash
# Builds Confiance with sanitizers and runs the tests under them (issue 4:
# "sanitizer builds (ASan/UBSan, TSan) of the unit and end-to-end tests run
# clean"). Not part of scripts/test.sh: an instrumented build doubles the
# CI time. Run it on request:
#
#   scripts/sanitize.sh asan [ctest args...]   # AddressSanitizer + UBSan, ./build-asan
#   scripts/sanitize.sh tsan [ctest args...]   # ThreadSanitizer, ./build-tsan
#
# Default ctest args: -j2 -E 'crash|large' (the crash loops and the 2 GiB
# transfer are too slow instrumented). Any sanitizer report fails the test
# that triggered it: the options below make every report fatal, and the
# e2e fixtures assert the server's exit code 0 at SIGTERM (a leak report
# makes it nonzero).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
shift || true
case "$kind" in
  asan) sanitize=address,undefined ;;
  tsan) sanitize=thread ;;
  *) echo "usage: $0 asan|tsan [ctest args...]" >&2; exit 2 ;;
esac
build="build-$kind"
# -Werror off: g++ 12's flow analysis under -fsanitize reports
# maybe-uninitialized on std::optional<std::string> that the normal build
# (which keeps -Werror) does not; they are false positives of the
# instrumentation, not of the code. RocksDB from its shared library, as in
# the sanitizer runs ROBUSTNESS.md reports (neither form is instrumented).
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFIANCE_SANITIZE="$sanitize" -DCONFIANCE_STATIC_ROCKSDB=OFF \
  -DCONFIANCE_BENCH=OFF -DCONFIANCE_WERROR=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"

# Tests whose bounds an instrumented server cannot meet (absolute memory
# figures) read this to keep only the bounds that still mean something.
export CONFIANCE_SANITIZER="$kind"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# RocksDB and OpenSSL from Debian are not instrumented: TSan cannot see
# their internal synchronisation, so reports whose stack lies only in them
# are suppressed (tools/tsan.supp); ours are not.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"
if (($# == 0)); then set -- -j2 -E 'crash|large'; fi
ctest --test-dir "$build" --output-on-failure "$@"

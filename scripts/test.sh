#!/usr/bin/env bash
# README command 2 (and what CI runs): install what is needed, build
# everything, run every test (unit tests and end-to-end suites) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 --timeout 1500 "$@"

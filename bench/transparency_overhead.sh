#!/usr/bin/env bash
# File: bench/transparency_overhead.sh
# What the transparency log costs (issue 7: "4 KiB GET and PUT with logging
# on stay within 10% of the rate with logging off"). One Confiance (Release,
# --threads 1, core 0) on one data directory, restarted alternately with the
# log on (the default: every request's entry synced before its response)
# and off (--no-transparency-log), driven by s3load on core 1:
# 4 KiB GET at 16 connections, 4 KiB PUT at 16 and at 64 connections.
# Runs alternate (on, off, on, off, ...) so that drift affects both.
#
# Usage: bench/transparency_overhead.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS pairs of runs (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
start_server

s3_args tlog
seed_objects

# rate OP CONNECTIONS: ops/s of one bounded run.
rate() {
  local verify=()
  [[ "$1" == get ]] && verify=(--verify)
  timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op "$1" --connections "$2" \
    --requests 2000000 --max-seconds "$SECS" "${verify[@]}" | sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p'
}

echo "| round | log | GET c=16 | PUT c=16 | PUT c=64 |"
echo "|---|---|---:|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  start_server
  echo "| $r | on | $(rate get 16) | $(rate put 16) | $(rate put 64) |"
  start_server --no-transparency-log
  echo "| $r | off | $(rate get 16) | $(rate put 16) | $(rate put 64) |"
done

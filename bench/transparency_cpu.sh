#!/usr/bin/env bash
# File: bench/transparency_cpu.sh
# Server CPU per request with the transparency log on and off (issue 7):
# the robust figure on a shared machine, where rates swing with the load of
# other processes. One Confiance (Release, --threads 1, core 0, as in
# transparency_overhead.sh) serves a fixed number of 4 KiB GETs and PUTs at
# 16 connections from s3load on core 1; the server's utime+stime
# (/proc/PID/stat, all its threads) around each run, divided by the count.
#
# Usage: bench/transparency_cpu.sh [BUILD_DIR]   (default build-release)
#   REQUESTS per run (default 20000); ROUNDS pairs of runs (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
REQUESTS="${REQUESTS:-20000}"
start_server

s3_args tlog
seed_objects

# usec OP: server CPU µs per request of one bounded run, and its rate.
usec() {
  cpu_run "$1" 16 "$REQUESTS"
  echo "$RUN_CPU_US µs ($(s3load_field ops_s "$RUN_OUT")/s)"
}

# "on, no linger" (--log-linger-us 0) is how groups formed before the linger.
echo "| round | log | GET c=16 CPU/req | PUT c=16 CPU/req |"
echo "|---|---|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  start_server
  echo "| $r | on | $(usec get) | $(usec put) |"
  start_server --log-linger-us 0
  echo "| $r | on, no linger | $(usec get) | $(usec put) |"
  start_server --no-transparency-log
  echo "| $r | off | $(usec get) | $(usec put) |"
done

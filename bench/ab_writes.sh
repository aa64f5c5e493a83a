#!/usr/bin/env bash
# File: bench/ab_writes.sh
# A/B of two server binaries on durable writes: 4 KiB PUT at 1, 16 and 64
# connections and DELETE at 16, with the server's CPU per request
# (utime+stime from /proc/PID/stat) and its minor page faults per request
# ("pf": first touches of fresh memory, slow on these guests). Rounds
# alternate the binaries, each run on a fresh data directory (a reused one
# misleads: its memtable and WAL carry the previous run's writes). One
# Confiance (Release, --threads 1, core 0; s3load on core 1), as in
# run_server_bench.sh.
#
# Usage: A=/path/to/confiance-before B=/path/to/confiance-after \
#          bench/ab_writes.sh [BUILD_DIR]
#   SECONDS_PER (default 4 s per run), ROUNDS (default 3), WARMUP (seconds
#   of untimed PUT at 16 connections before the runs, default 0: 8 s fill
#   and flush a first memtable, the steady state of a server that has been
#   writing for a while), FLAGS (extra server flags, e.g.
#   --no-transparency-log)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
: "${A:?set A to the first server binary}" "${B:?set B to the second server binary}"
s3_args abwrites

# run OP CONNS: "rate/s, CPU µs per request, faults per request, p50"
run() {
  local before after faults_before faults_after out rate ops p50
  before=$(cpu_ticks)
  faults_before=$(minor_faults)
  out=$(timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op "$1" --connections "$2" \
    --requests 1000000 --max-seconds "$SECS")
  after=$(cpu_ticks)
  faults_after=$(minor_faults)
  rate=$(sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p' <<<"$out")
  ops=$(sed -n "s/.* requests=\([0-9]*\) .*/\1/p" <<<"$out")
  p50=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$out")
  awk -v t=$((after - before)) -v k="$TICK" -v n="$ops" -v r="$rate" -v p="$p50" \
    -v f=$((faults_after - faults_before)) \
    'BEGIN { printf "%s/s, %.0f µs, %.2f pf, p50 %s ms", r, t * 1e6 / k / n, f / n, p }'
}

echo "# A=$A"
echo "# B=$B"
echo "# flags: --threads 1 ${FLAGS:-}; $SECS s per run, ${WARMUP:-0} s warm-up; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| round | binary | PUT c=1 | PUT c=16 | PUT c=64 | DELETE c=16 |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for which in A B; do
    CONFIANCE="${!which}"
    stop_server
    rm -rf "$WORK/data"
    # shellcheck disable=SC2086
    start_server ${FLAGS:-}
    seed_objects
    if [[ "${WARMUP:-0}" != 0 ]]; then
      timeout $((WARMUP * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op put --connections 16 \
        --requests 1000000 --max-seconds "$WARMUP" >/dev/null
    fi
    echo "| $r | $which | $(run put 1) | $(run put 16) | $(run put 64) | $(run delete 16) |"
  done
done

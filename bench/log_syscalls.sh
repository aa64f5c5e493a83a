#!/usr/bin/env bash
# File: bench/log_syscalls.sh
# What the transparency log costs the kernel per request (issue 7): the
# server's fdatasync calls and context switches per 4 KiB GET and PUT at 16
# connections, with the log on and off, counted by `perf stat` on the
# server's process (tracepoint counts: unlike rates, they barely move with
# the load of other processes). Also the CPU one fdatasync costs on this
# disk, from a loop of 300-byte writes each followed by fdatasync (the
# shape of one log group's WAL write).
#
# Usage: bench/log_syscalls.sh [BUILD_DIR]   (default build-release)
#   REQUESTS (default 3000); OPS (default "get put"; "list" is ListObjectsV2
#   of the 1,000 keys). Needs perf (Debian `linux-perf`) and root, or
#   perf_event_paranoid <= 1. Only 127.0.0.1; every run is bounded.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
REQUESTS="${REQUESTS:-3000}"
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 2; }

s3_args tlog

count() {  # op -> "syncs/request switches/request rate"
  local out perf_out="$WORK/perf.txt" perf_pid
  perf stat -e syscalls:sys_enter_fdatasync,context-switches -p "$CONF_PID" -o "$perf_out" &
  perf_pid=$!
  sleep 0.5
  out=$(timeout 120 taskset -c 1 "$S3LOAD" "${S3[@]}" --op "$1" --connections 16 --requests "$REQUESTS" \
    --max-seconds 60)
  kill -INT "$perf_pid"
  wait "$perf_pid" 2>/dev/null || true
  local n syncs switches rate
  n=$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' <<<"$out")
  rate=$(sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p' <<<"$out")
  syncs=$(awk '/sys_enter_fdatasync/ {gsub(",", "", $1); print $1}' "$perf_out")
  switches=$(awk '/context-switches/ {gsub(",", "", $1); print $1}' "$perf_out")
  awk -v s="$syncs" -v c="$switches" -v n="$n" -v r="$rate" \
    'BEGIN { printf "%.3f | %.2f | %s", s / n, c / n, r }'
}

echo "| log | op | fdatasync per request | context switches per request | requests/s |"
echo "|---|---|---:|---:|---:|"
for mode in on off; do
  flags=()
  [[ "$mode" == off ]] && flags+=(--no-transparency-log)
  start_server "${flags[@]}"
  seed_objects
  for op in ${OPS:-get put}; do echo "| $mode | $op | $(count $op) |"; done
done
stop_server

/usr/bin/python3 - "$WORK" <<'EOF'
import os, resource, sys, time
path = os.path.join(sys.argv[1], "sync_cost.bin")
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, b"\0" * (1 << 20))
os.fsync(fd)
n = 2000
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
for i in range(n):
    os.pwrite(fd, b"x" * 300, (i * 300) % (1 << 20))
    os.fdatasync(fd)
t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
os.close(fd)
print("one 300-byte pwrite + fdatasync: %.0f us of wall time, %.0f us of CPU (%.0f us system)" % (
    (t1 - t0) / n * 1e6, ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) / n * 1e6,
    (r1.ru_stime - r0.ru_stime) / n * 1e6))
EOF

#!/usr/bin/env bash
# File: bench/large_put.sh
# Large PUTs at one connection (issue 4: 64 MiB PUT at least 70 % of one
# core's MD5 speed): rate, and the server's CPU per PUT from /proc/PID/stat
# (utime+stime of all its threads), so that what the request waits for
# (the disk) can be told apart from what it computes. One Confiance
# (Release, --threads 1, core 0; s3load on core 1), restarted for each round
# on the same data directory.
#
# Usage: bench/large_put.sh [BUILD_DIR]   (default build-release)
#   SIZE (default 64M), REQUESTS per round (default 16), ROUNDS (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
SIZE="${SIZE:-64M}"
REQUESTS="${REQUESTS:-16}"
S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket big --prefix m --keys 4 --size "$SIZE")

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), md5 on core 1:" \
  "$(taskset -c 1 openssl speed -seconds 1 -evp md5 2>/dev/null | awk '/^md5/ {print $NF}') (16 KiB blocks)"
echo "| round | PUT $SIZE c=1 MB/s | p50 ms | server CPU ms per PUT |"
echo "|---|---:|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  start_server
  setup=(); [[ $r == 1 ]] && setup=(--setup)
  # Untimed warm-up: the first PUTs fill the page cache's free lists.
  timeout 120 taskset -c 1 "$S3LOAD" "${S3[@]}" --op put --connections 1 --requests 4 \
    --max-seconds 60 "${setup[@]}" >/dev/null
  before=$(cpu_ticks)
  out=$(timeout 300 taskset -c 1 "$S3LOAD" "${S3[@]}" --op put --connections 1 \
    --requests "$REQUESTS" --max-seconds 120)
  after=$(cpu_ticks)
  mbs=$(sed -n 's/.*mb_s=\([0-9.]*\).*/\1/p' <<<"$out")
  p50=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$out")
  n=$(sed -n "s/.* requests=\([0-9]*\) .*/\1/p" <<<"$out")
  awk -v t=$((after - before)) -v k="$TICK" -v n="$n" -v r="$r" -v m="$mbs" -v p="$p50" \
    'BEGIN { printf "| %s | %s | %s | %.0f |\n", r, m, p, t * 1e3 / k / n }'
done

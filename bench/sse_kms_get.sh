#!/usr/bin/env bash
# File: bench/sse_kms_get.sh
# What SSE-KMS costs a 4 KiB GET (docs/encryption.md "SSE-KMS"): GET at 16
# connections on a fresh Confiance (--threads 1, core 0) driven by s3load
# (core 1), of 1,000 objects of 4 KiB under SSE-S3 (the bucket key wraps
# their data keys), under SSE-KMS with the tenant key (a KEK derived from
# the bucket key on every request), and under a named KMS key (derived from
# the bucket key and the named key; skipped by a server without named
# keys). Each bucket's default encryption makes s3load's plain PUTs what
# they are. Runs alternate between the kinds so that drift affects all;
# also reports the server's CPU per GET. CONFIANCE_BIN=... measures another
# build's server (an A/B of two builds, run one after the other).
#
# Usage: bench/sse_kms_get.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS rounds (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
start_server

ENCRYPT="$SRC/bench/encrypt_bucket.py"
export CONFIANCE
/usr/bin/python3 "$ENCRYPT" "$PORT" plain
/usr/bin/python3 "$ENCRYPT" "$PORT" kms default
KINDS=(plain kms)
if /usr/bin/python3 "$ENCRYPT" "$PORT" named alias/bench 2>/dev/null; then
  KINDS+=(named)
else
  echo "this server has no named KMS keys: SSE-S3 and the tenant key only"
fi
for kind in "${KINDS[@]}"; do
  s3_args "$kind"
  seed_objects
done

# run KIND: one GET run on KIND's bucket; prints "ops_s cpu_us".
run() {
  local before after out ops
  s3_args "$1"
  before=$(cpu_ticks)
  out=$(timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op get --connections 16 \
    --requests 2000000 --max-seconds "$SECS" --verify)
  after=$(cpu_ticks)
  ops=$(s3load_field requests "$out")
  awk -v o="$(s3load_field ops_s "$out")" -v t=$((after - before)) -v k="$TICK" -v n="$ops" \
    'BEGIN { printf "%s %.1f", o, t * 1e6 / k / n }'
}

echo "| round | $(printf '%s (GET/s, µs CPU) | ' "${KINDS[@]}")"
echo "|---|$(printf -- '---|%.0s' "${KINDS[@]}")"
for r in $(seq 1 "$ROUNDS"); do
  line="| $r |"
  for kind in "${KINDS[@]}"; do
    read -r ops cpu <<<"$(run "$kind")"
    line+=" $ops, $cpu |"
  done
  echo "$line"
done

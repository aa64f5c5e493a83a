#!/usr/bin/env bash
# File: bench/kmip_overhead.sh
# What keeping the root key in an external KMIP KMS costs on the read path
# (issue 6: "4 KiB GET with keys in the external KMS (warm cache) within 10%
# of the embedded keystore"). Two data directories, one per key provider:
# the embedded keystore, and PyKMIP (tests/kmip/pykmip_server.py, fresh
# certificates, 127.0.0.1) with a cache lifetime longer than the run, so
# that the cache is warm as in steady state. One Confiance (--threads 1,
# core 0) at a time, driven by s3load on core 1: 4 KiB GET at 16
# connections. Runs alternate (embedded, kmip, ...) so that drift affects
# both.
#
# Usage: bench/kmip_overhead.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS pairs of runs (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"

KMS_DIR="$WORK/pykmip"
mkdir -p "$KMS_DIR"
/usr/bin/python3 "$SRC/tests/kmip/pykmip_server.py" serve "$KMS_DIR" >"$WORK/pykmip.out" 2>&1 &
KMS_PID=$!
trap 'kill $KMS_PID 2>/dev/null || true; wait $KMS_PID 2>/dev/null || true; cleanup_bench' EXIT
for _ in $(seq 1 300); do [[ -f "$KMS_DIR/env.sh" ]] && break; sleep 0.1; done
[[ -f "$KMS_DIR/env.sh" ]] || { echo "PyKMIP did not start: $(cat "$WORK/pykmip.out")" >&2; exit 1; }
# shellcheck disable=SC1091
source "$KMS_DIR/env.sh"
KMIP=(--kms kmip --kmip-endpoint "$CONFIANCE_KMIP_ENDPOINT" --kmip-ca "$CONFIANCE_KMIP_CA"
      --kmip-cert "$CONFIANCE_KMIP_CERT" --kmip-key "$CONFIANCE_KMIP_KEY" --kmip-cache-lifetime 3600)

s3_args kms
# Each provider gets its own data directory (a directory never switches).
serve() {
  local dir="$1"
  shift
  mv "$WORK/data" "$WORK/data.parked" 2>/dev/null || true
  [[ -d "$WORK/$dir" ]] && mv "$WORK/$dir" "$WORK/data"
  start_server "$@"
}
park() {
  stop_server
  mv "$WORK/data" "$WORK/$1"
}
for p in embedded kmip; do
  if [[ $p == kmip ]]; then serve "$p" "${KMIP[@]}"; else serve "$p"; fi
  seed_objects
  park "$p"
done

rate() {
  timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op get --connections 16 \
    --requests 2000000 --max-seconds "$SECS" --verify | sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p'
}

echo "| round | key provider | GET 4 KiB c=16 (ops/s) |"
echo "|---|---|---:|"
for r in $(seq 1 "$ROUNDS"); do
  serve embedded
  echo "| $r | embedded | $(rate) |"
  park embedded
  serve kmip "${KMIP[@]}"
  echo "| $r | kmip (PyKMIP, warm cache) | $(rate) |"
  park kmip
done

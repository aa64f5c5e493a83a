#!/usr/bin/env bash
# File: bench/callgrind_get.sh
# Instructions the server executes per 4 KiB GET, with the transparency log
# on and off (issue 7): unlike rates or CPU time, an instruction count does
# not move with the load of other processes on a shared machine.
# One Confiance (`--threads 1`) runs under `valgrind --tool=callgrind` with
# collection off; s3load fills a bucket, collection is switched on for
# GETS bounded GETs at 16 connections, then the counts are dumped and the
# total is divided by the GETs. Needs valgrind (Debian `valgrind`).
#
# Usage: bench/callgrind_get.sh [BUILD_DIR] [on|off]   (default build, on)
#   GETS (default 2000): requests counted; OP=put counts 4 KiB PUTs (to the
#   same KEYS keys, default 100) instead of GETs, OP=list ListObjectsV2 of
#   them; CALLGRIND_OUT: keep the dump there
#   (callgrind_annotate)
#   KMS=kmip: the root key in PyKMIP (tests/kmip/pykmip_server.py, fresh
#   certificates, 127.0.0.1), cache lifetime longer than the run: the
#   warm-cache cost of an external KMS (issue 6), against KMS=embedded.
#   CONFIANCE_BIN: another server binary (e.g. built on an earlier commit),
#   for a before/after comparison with the same s3load.
#   RESTART=1: restart the server after filling the bucket, so that the
#   requests counted read their records from table files, not the memtable.
#   SSE=kms: the objects under SSE-KMS with the tenant key; SSE=named: under
#   a named KMS key (bench/encrypt_bucket.py sets the bucket's default).
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$SRC/build}"
MODE="${2:-on}"
GETS="${GETS:-2000}"
OP="${OP:-get}"
AK=BENCHAK
SK=SECRET12345
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
cmake --build "$BUILD" -j2 --target confiance s3load >/dev/null
WORK="$(mktemp -d /tmp/confiance-callgrind.XXXXXX)"
PID=""
KMS_PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  [[ -n "$KMS_PID" ]] && kill "$KMS_PID" 2>/dev/null && wait "$KMS_PID" 2>/dev/null
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
FLAGS=()
[[ "$MODE" == off ]] && FLAGS+=(--no-transparency-log)
if [[ "${KMS:-embedded}" == kmip ]]; then
  mkdir -p "$WORK/pykmip"
  /usr/bin/python3 "$SRC/tests/kmip/pykmip_server.py" serve "$WORK/pykmip" >"$WORK/pykmip.out" 2>&1 &
  KMS_PID=$!
  for _ in $(seq 1 300); do [[ -f "$WORK/pykmip/env.sh" ]] && break; sleep 0.1; done
  [[ -f "$WORK/pykmip/env.sh" ]] || { echo "PyKMIP did not start: $(cat "$WORK/pykmip.out")" >&2; exit 1; }
  # shellcheck disable=SC1091
  source "$WORK/pykmip/env.sh"
  FLAGS+=(--kms kmip --kmip-endpoint "$CONFIANCE_KMIP_ENDPOINT" --kmip-ca "$CONFIANCE_KMIP_CA"
          --kmip-cert "$CONFIANCE_KMIP_CERT" --kmip-key "$CONFIANCE_KMIP_KEY" --kmip-cache-lifetime 3600)
fi
# start_server: the server under callgrind (collection off), once healthy.
start_server() {
  CONFIANCE_ROOT_ACCESS_KEY=$AK CONFIANCE_ROOT_SECRET_KEY=$SK \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.out" \
    "${CONFIANCE_BIN:-$BUILD/src/main/confiance}" server --data "$WORK/data" --listen "127.0.0.1:$PORT" --threads 1 \
    "${FLAGS[@]}" >>"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/_confiance/health', timeout=1)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start: $(tail -5 "$WORK/server.log")" >&2
  exit 1
}
start_server
case "${SSE:-}" in
  kms) CONFIANCE="${CONFIANCE_BIN:-$BUILD/src/main/confiance}" /usr/bin/python3 "$SRC/bench/encrypt_bucket.py" "$PORT" callgrind default ;;
  named) CONFIANCE="${CONFIANCE_BIN:-$BUILD/src/main/confiance}" /usr/bin/python3 "$SRC/bench/encrypt_bucket.py" "$PORT" callgrind alias/bench ;;
esac
S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket callgrind --prefix k --keys "${KEYS:-100}" --size 4096)
timeout 300 "$BUILD/bench/s3load" "${S3[@]}" --op put --connections 4 \
  --requests "${KEYS:-100}" --setup --max-seconds 240 >/dev/null
if [[ -n "${RESTART:-}" ]]; then
  # A clean restart: recovery flushes the memtable, so the records are then
  # read from table files, as any object not written recently is.
  kill -TERM "$PID"
  wait "$PID" || true
  start_server
fi
callgrind_control -i on "$PID" >/dev/null
timeout 600 "$BUILD/bench/s3load" "${S3[@]}" --op "$OP" --connections 16 --requests "$GETS" --max-seconds 540 \
  >"$WORK/get.txt"
callgrind_control -d "$PID" >/dev/null
callgrind_control -i off "$PID" >/dev/null
sleep 1
DUMP="$(ls -t "$WORK"/callgrind.out* | grep -v '^$' | head -1)"
[[ -n "${CALLGRIND_OUT:-}" ]] && cp "$DUMP" "$CALLGRIND_OUT"
TOTAL="$(callgrind_annotate "$DUMP" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)"
DONE="$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' "$WORK/get.txt")"
[[ -n "$DONE" ]] || DONE=$GETS
echo "log $MODE, kms ${KMS:-embedded}${SSE:+, SSE $SSE}${RESTART:+, after a restart}: $TOTAL instructions over $DONE ${OP^^}s: $((TOTAL / DONE)) per ${OP^^}"

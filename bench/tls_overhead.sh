#!/usr/bin/env bash
# File: bench/tls_overhead.sh
# What HTTPS costs: the same workloads against one Confiance (Release,
# --threads 1, core 0; s3load on core 1) served over plain HTTP and over
# TLS (a fresh self-signed P-256 certificate; TLS 1.3, AES-256-GCM as
# OpenSSL negotiates it), alternated ROUNDS times on one data directory.
# Prints s3load's rate and the server's CPU per request for each.
#
# Usage: bench/tls_overhead.sh [BUILD_DIR]   (default build-release)
#   ROUNDS (default 3); OPS (default "get:4096:16 put:4096:16 get:64M:1 put:64M:1",
#   op:size:connections); REQUESTS_SMALL (30000), REQUESTS_LARGE (12).
# Needs the openssl command (Debian's openssl, as `openssl speed` in the
# other scripts). Only 127.0.0.1 is used; every run is bounded in requests
# and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
OPS="${OPS:-get:4096:16 put:4096:16 get:64M:1 put:64M:1}"
REQUESTS_SMALL="${REQUESTS_SMALL:-30000}"
REQUESTS_LARGE="${REQUESTS_LARGE:-12}"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
chmod 600 "$WORK/key.pem"
TLS_FLAGS=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")

# The objects every op reads: 1,000 of 4 KiB and 4 of 64 MiB, written once
# over plain HTTP.
start_server
s3_args small
seed_objects
timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket big --prefix m \
  --keys 4 --size 64M --op put --connections 1 --requests 4 --setup --max-seconds 120 >/dev/null

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| round | op | size | connections | transport | ops/s | MB/s | p50 ms | server CPU µs per request |"
echo "|---|---|---|---:|---|---:|---:|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  for transport in http https; do
    if [[ $transport == https ]]; then start_server "${TLS_FLAGS[@]}"; tls=(--tls); else start_server; tls=(); fi
    for spec in $OPS; do
      IFS=: read -r op size conns <<<"$spec"
      if [[ $size == 4096 ]]; then
        S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket small --prefix k --keys 1000 --size 4096 "${tls[@]}")
        n=$REQUESTS_SMALL
      else
        S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket big --prefix m --keys 4 --size "$size" "${tls[@]}")
        n=$REQUESTS_LARGE
      fi
      verify=(); [[ $op == get ]] && verify=(--verify)
      S3+=("${verify[@]}")
      cpu_run "$op" "$conns" "$n"
      echo "| $r | $op | $size | $conns | $transport | $(s3load_field ops_s "$RUN_OUT") | $(s3load_field mb_s "$RUN_OUT")" \
        "| $(s3load_field p50_ms "$RUN_OUT") | $RUN_CPU_US |"
    done
  done
done

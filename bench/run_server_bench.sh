#!/usr/bin/env bash
# File: bench/run_server_bench.sh
# Server benchmark: a fresh Confiance (Release, --threads 1, pinned to core 0)
# and nginx 1.22 (one worker, sendfile, pinned to core 0) serving the same
# bytes from disk, both driven over loopback by s3load pinned to core 1.
# Prints a markdown table and the ratios that issue 2 asks for; also records
# `openssl speed` (aes-256-gcm, md5) on core 1 in the same run.
#
# Usage: bench/run_server_bench.sh [BUILD_DIR]
#   BUILD_DIR    default build-release beside the sources (configured Release if missing)
#   SECONDS_PER  max seconds per run (default 3); the whole script stays
#                under about 5 minutes
#   KEEP=1       keep the work directory (data dir, nginx config, raw lines)
#   MICRO=1      also run crypto_bench and meta_bench (adds about a minute)
#   CONFIANCE_FLAGS  extra server flags, e.g. --no-transparency-log to see
#                what the transparency log (issue 7) costs each figure
#   PAIRS        GET c=16 pairs (default 3): Confiance then nginx, back to
#                back, after the main runs; the table gives each pair's
#                ratio and their median. On a guest whose speed drifts
#                within minutes, a pair run seconds apart says more about
#                the ratio than two runs minutes apart.
#
# Every s3load run is bounded by --requests and --max-seconds, and wrapped in
# `timeout`. Only 127.0.0.1 is used.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$SRC/build-release}"
SECS="${SECONDS_PER:-3}"
AK=BENCHAK  # the server wants 3-128 characters
SK=SECRET12345

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
TARGETS=(confiance s3load)
[[ "${MICRO:-0}" == 1 ]] && TARGETS+=(crypto_bench meta_bench)
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}" >/dev/null
CONFIANCE="$BUILD/src/main/confiance"
S3LOAD="$BUILD/bench/s3load"
# shellcheck source=bench/lib_nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nginx.sh"

if ! command -v nginx >/dev/null 2>&1; then
  echo "# installing nginx-light" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light >/dev/null
fi

# On disk, not tmpfs (/tmp is on the root disk on these machines).
WORK="$(mktemp -d /tmp/confiance-bench.XXXXXX)"
chmod 755 "$WORK"
RESULTS="$WORK/results.txt"
: >"$RESULTS"
CONF_PID=""
NGINX_PID=""
cleanup() {
  [[ -n "$CONF_PID" ]] && kill "$CONF_PID" 2>/dev/null && wait "$CONF_PID" 2>/dev/null || true
  [[ -n "$NGINX_PID" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
CPORT="$(free_port)"
NPORT="$(free_port)"

# ---------------------------------------------------------------- machine
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "# confiance: $CONFIANCE ($(grep -m1 CMAKE_BUILD_TYPE: "$BUILD/CMakeCache.txt" | cut -d= -f2)), port $CPORT; nginx $(nginx -v 2>&1 | cut -d/ -f2), port $NPORT"
echo "# confiance flags: --threads 1 ${CONFIANCE_FLAGS:-}"

# ---------------------------------------------------------------- openssl
openssl_16k() {  # prints GB/s at 16 KiB for `openssl speed -evp $1` on core 1
  taskset -c 1 openssl speed -seconds 1 -evp "$1" 2>/dev/null |
    awk -v alg="$1" 'tolower($1)==tolower(alg) || ($1 ~ /^[A-Za-z]/ && NF==7 && $NF ~ /k$/) {v=$NF} END {sub("k","",v); printf "%.2f", v*1000/1e9}'
}
AES_GBS="$(openssl_16k aes-256-gcm)"
MD5_GBS="$(openssl_16k md5)"
echo "# openssl speed (taskset -c 1, -seconds 1, 16 KiB blocks): aes-256-gcm ${AES_GBS} GB/s, md5 ${MD5_GBS} GB/s"

# ---------------------------------------------------------------- servers
mkdir -p "$WORK/data" "$WORK/www/4k" "$WORK/www/16m" "$WORK/nginx"
start_confiance() {
  CONFIANCE_ROOT_ACCESS_KEY=$AK CONFIANCE_ROOT_SECRET_KEY=$SK \
    taskset -c 0 "$CONFIANCE" server --data "$WORK/data" --listen "127.0.0.1:$CPORT" --threads 1 \
    ${CONFIANCE_FLAGS:-} >>"$WORK/confiance.log" 2>&1 &
  CONF_PID=$!
}
start_confiance

# nginx's files: the exact bytes s3load PUTs and verifies.
nginx_write_4k_files "$S3LOAD" "$WORK/www/4k"
"$S3LOAD" --size $((16 << 20)) --write-payload "$WORK/www/16m/f0"
cp "$WORK/www/16m/f0" "$WORK/www/16m/f1"
chmod -R a+rX "$WORK/www"
# The WebDAV PUT target: nginx's workers (user nobody) write there and
# in its body temp directory, renamed into place.
mkdir -p "$WORK/www/dav" "$WORK/nginx/body"
chmod 777 "$WORK/www/dav" "$WORK/nginx/body"
nginx_write_conf "$WORK/nginx/nginx.conf" "$WORK" "  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/www;
    # WebDAV PUT, the issue-4 reference for durable small PUTs (nginx does
    # not fsync: it writes a temporary file and renames it into place).
    location /dav/ {
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 1m;
    }
  }"
taskset -c 0 nginx -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$CPORT/_confiance/health" >/dev/null 2>&1 &&
    curl -sf "http://127.0.0.1:$NPORT/4k/f0" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$CPORT/_confiance/health" >/dev/null || { cat "$WORK/confiance.log"; exit 1; }
curl -sf "http://127.0.0.1:$NPORT/4k/f0" >/dev/null || { cat "$WORK/nginx/error.log"; exit 1; }

# ---------------------------------------------------------------- runs
# run LABEL s3load-args...: one bounded run on core 1; appends "LABEL line".
run() {
  local label="$1"; shift
  local line
  if ! line="$(timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" --max-seconds "$SECS" "$@" 2>"$WORK/err.txt")"; then
    echo "# $label: s3load reported errors: $(head -c 600 "$WORK/err.txt")" >&2
  fi
  [[ -z "$line" ]] && line="op=? errors=? ops_s=0 mb_s=0 p50_ms=0 p99_ms=0"
  echo "$label $line" >>"$RESULTS"
  echo "# $label $line" >&2
}
S3=(--port "$CPORT" --access-key $AK --secret-key $SK)

# 4 KiB: PUT (durable), GET and HEAD (verified) on keys small/0..999.
for c in 1 16 64; do
  setup=(); [[ $c == 1 ]] && setup=(--setup)
  run "put4k_c$c" "${S3[@]}" --op put --size 4096 --bucket small --prefix k --keys 1000 \
    --connections $c --requests 200000 "${setup[@]}"
done
for c in 1 16 64; do
  run "get4k_c$c" "${S3[@]}" --op get --size 4096 --bucket small --prefix k --keys 1000 \
    --connections $c --requests 1000000 --verify
done
for c in 1 16 64; do
  run "head4k_c$c" "${S3[@]}" --op head --size 4096 --bucket small --prefix k --keys 1000 \
    --connections $c --requests 1000000
done
# DELETE: each run deletes keys it wrote in its (untimed) setup phase.
for c in 1 16 64; do
  run "delete4k_c$c" "${S3[@]}" --op delete --size 4096 --bucket small --prefix "d$c" \
    --keys 3000 --connections $c --requests 3000 --setup
done
# ListObjectsV2, max-keys=1000, on a bucket holding exactly 1000 keys.
for c in 1 16 64; do
  setup=(); [[ $c == 1 ]] && setup=(--setup)
  run "list_c$c" "${S3[@]}" --op list --size 4096 --bucket listing --prefix l --keys 1000 \
    --connections $c --requests 100000 --verify "${setup[@]}"
done
# The same listing after a restart: recovery flushes the memtable, so the
# records are read from SST files, as in a store that has run for a while.
kill "$CONF_PID"; wait "$CONF_PID" 2>/dev/null || true
start_confiance
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$CPORT/_confiance/health" >/dev/null 2>&1 && break; sleep 0.1; done
for c in 1 16; do
  run "list_sst_c$c" "${S3[@]}" --op list --size 4096 --bucket listing --prefix l --keys 1000 \
    --connections $c --requests 100000 --verify
done
# Large objects.
run put64m_c1 "${S3[@]}" --op put --size 64M --bucket big --prefix m64 --keys 4 \
  --connections 1 --requests 40 --setup
run get64m_c1 "${S3[@]}" --op get --size 64M --bucket big --prefix m64 --keys 4 \
  --connections 1 --requests 200 --verify
run put16m_c2 "${S3[@]}" --op put --size 16M --bucket big --prefix m16 --keys 2 \
  --connections 2 --requests 2 --max-seconds $((SECS * 2))
run get16m_c2 "${S3[@]}" --op get --size 16M --bucket big --prefix m16 --keys 2 \
  --connections 2 --requests 1000 --verify
# nginx, same bytes, same client.
for c in 1 16 64; do
  run "nginx_get4k_c$c" --port "$NPORT" --no-auth --path-template '/4k/f{k}' --op get \
    --size 4096 --keys 1000 --connections $c --requests 2000000 --verify
done
run nginx_get16m_c2 --port "$NPORT" --no-auth --path-template '/16m/f{k}' --op get \
  --size 16M --keys 2 --connections 2 --requests 1000 --verify
run nginx_davput4k_c64 --port "$NPORT" --no-auth --path-template '/dav/f{k}' --op put \
  --size 4096 --keys 1000 --connections 64 --requests 200000
# GET c=16 pairs, each Confiance run right before its nginx run.
PAIRS="${PAIRS:-3}"
for i in $(seq 1 "$PAIRS"); do
  run "pair${i}_confiance" "${S3[@]}" --op get --size 4096 --bucket small --prefix k --keys 1000 \
    --connections 16 --requests 1000000 --verify
  run "pair${i}_nginx" --port "$NPORT" --no-auth --path-template '/4k/f{k}' --op get \
    --size 4096 --keys 1000 --connections 16 --requests 2000000 --verify
done

# ---------------------------------------------------------------- table
field() {  # field LABEL KEY
  awk -v l="$1" -v k="$2" '$1==l { for (i=2;i<=NF;i++) { split($i,a,"="); if (a[1]==k) print a[2] } }' "$RESULTS"
}
echo
echo "| workload | conns | ops/s | MB/s | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row() {  # row LABEL DESCRIPTION CONNS
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$3" "$(field "$1" ops_s)" "$(field "$1" mb_s)" \
    "$(field "$1" p50_ms)" "$(field "$1" p99_ms)" "$(field "$1" errors)"
}
for op in put get head delete; do
  up=$(echo "$op" | tr a-z A-Z)
  for c in 1 16 64; do row "${op}4k_c$c" "Confiance $up 4 KiB" $c; done
done
for c in 1 16 64; do row "list_c$c" "Confiance ListObjectsV2 (1,000 keys)" $c; done
for c in 1 16; do row "list_sst_c$c" "Confiance ListObjectsV2 (1,000 keys), after a restart" $c; done
row put64m_c1 "Confiance PUT 64 MiB" 1
row get64m_c1 "Confiance GET 64 MiB" 1
row put16m_c2 "Confiance PUT 16 MiB" 2
row get16m_c2 "Confiance GET 16 MiB" 2
for c in 1 16 64; do row "nginx_get4k_c$c" "nginx GET 4 KiB" $c; done
row nginx_get16m_c2 "nginx GET 16 MiB" 2
row nginx_davput4k_c64 "nginx WebDAV PUT 4 KiB" 64

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r + 0 >= t) ? "met" : "NOT met" }'; }
R1=$(ratio "$(field get4k_c16 ops_s)" "$(field nginx_get4k_c16 ops_s)")
R2=$(ratio "$(field get16m_c2 mb_s)" "$(field nginx_get16m_c2 mb_s)")
R3=$(ratio "$(field put4k_c64 ops_s)" "$(field put4k_c1 ops_s)")
echo
echo "| target (issue 2) | measured | target | verdict |"
echo "|---|---:|---:|---|"
echo "| 4 KiB GET c=16 / nginx 4 KiB GET c=16 | $R1 | >= 0.40 | $(verdict "$R1" 0.40) |"
echo "| 16 MiB GET / nginx 16 MiB GET (MB/s, c=2) | $R2 | >= 0.40 | $(verdict "$R2" 0.40) |"
echo "| 4 KiB PUT c=64 / 4 KiB PUT c=1 | $R3 | >= 5.0 | $(verdict "$R3" 5.0) |"
PAIR_RATIOS=()
for i in $(seq 1 "$PAIRS"); do
  PAIR_RATIOS+=("$(ratio "$(field "pair${i}_confiance" ops_s)" "$(field "pair${i}_nginx" ops_s)")")
done
if [[ "$PAIRS" -gt 0 ]]; then
  PAIR_MEDIAN=$(printf '%s\n' "${PAIR_RATIOS[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : sprintf("%.2f", (v[NR/2]+v[NR/2+1])/2)}')
  echo "| 4 KiB GET c=16 / nginx, $PAIRS back-to-back pairs (${PAIR_RATIOS[*]}): median | $PAIR_MEDIAN | >= 0.40 | $(verdict "$PAIR_MEDIAN" 0.40) |"
fi
R4=$(ratio "$(field get4k_c16 ops_s)" "$(field nginx_get4k_c16 ops_s)")
R5=$(ratio "$(field get16m_c2 mb_s)" "$(field nginx_get16m_c2 mb_s)")
R6=$(ratio "$(field put64m_c1 mb_s)" "$(awk -v g="$MD5_GBS" 'BEGIN { print g * 1000 }')")
R7=$(ratio "$(field put4k_c64 ops_s)" "$(field nginx_davput4k_c64 ops_s)")
LIST="$(field list_c1 ops_s)"
echo
echo "| target (issue 4) | measured | target | verdict |"
echo "|---|---:|---:|---|"
echo "| 4 KiB GET c=16 / nginx 4 KiB GET c=16 | $R4 | >= 0.60 | $(verdict "$R4" 0.60) |"
[[ "$PAIRS" -gt 0 ]] && echo "| 4 KiB GET c=16 / nginx, median of $PAIRS pairs | $PAIR_MEDIAN | >= 0.60 | $(verdict "$PAIR_MEDIAN" 0.60) |"
echo "| 16 MiB GET / nginx 16 MiB GET (MB/s, c=2) | $R5 | >= 0.70 | $(verdict "$R5" 0.70) |"
echo "| 64 MiB PUT MB/s / openssl md5 MB/s (one core) | $R6 | >= 0.70 | $(verdict "$R6" 0.70) |"
echo "| durable 4 KiB PUT c=64 / nginx WebDAV PUT c=64 | $R7 | >= 2.0 | $(verdict "$R7" 2.0) |"
echo "| ListObjectsV2 (1,000 keys) per second, c=1 | ${LIST:-0} | >= 2000 | $(verdict "${LIST:-0}" 2000) |"
LIST16="$(field list_c16 ops_s)"
LIST_SST="$(field list_sst_c16 ops_s)"
echo "| ListObjectsV2 (1,000 keys) per second, c=16 | ${LIST16:-0} | >= 2000 | $(verdict "${LIST16:-0}" 2000) |"
echo "| ListObjectsV2 (1,000 keys) per second, c=16, after a restart | ${LIST_SST:-0} | >= 2000 | $(verdict "${LIST_SST:-0}" 2000) |"
echo
echo "openssl speed (core 1, 16 KiB): aes-256-gcm ${AES_GBS} GB/s, md5 ${MD5_GBS} GB/s"

if [[ "${MICRO:-0}" == 1 ]]; then
  echo
  echo "## crypto_bench (taskset -c 1)"
  taskset -c 1 "$BUILD/bench/crypto_bench" --benchmark_min_time=0.5 2>&1 | grep -E '^(BM_|Benchmark|-)'
  echo "## meta_bench (META_BENCH_DIR on disk)"
  mkdir -p "$WORK/meta"
  META_BENCH_DIR="$WORK/meta" "$BUILD/bench/meta_bench" --benchmark_min_time=1 2>&1 | grep -E '^(BM_|Benchmark|-)'
fi

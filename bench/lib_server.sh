# File: bench/lib_server.sh
# Shared by the bench scripts that restart one Confiance on one data
# directory (policy_overhead.sh, transparency_overhead.sh, tls_overhead.sh). Source it with
# the build directory as its argument ("" = build-release):
#   - SRC, BUILD; SECS (SECONDS_PER, default 4 s per run) and ROUNDS
#     (default 3); AK/SK, the root credentials the server and s3load use;
#   - builds confiance and s3load into BUILD (configures a Release tree there
#     if none), sets CONFIANCE (or takes $CONFIANCE_BIN) and S3LOAD;
#   - WORK: a temporary directory, removed with the server at exit;
#   - PORT: a free loopback port;
#   - start_server [flags...]: (re)starts `confiance server --threads 1`
#     (SERVER_THREADS=N: N network threads) pinned to core 0 (SERVER_CPUS=0,1
#     gives it both cores) on WORK/data
#     and waits for its health check (over HTTPS when flags has --tls-cert);
#   - stop_server;
#   - cpu_ticks: the server's utime+stime so far, in TICKs (clock ticks
#     per second), from /proc/PID/stat: all its threads;
#   - minor_faults: the server's minor page faults so far (same file);
#   - cpu_run OP CONNECTIONS REQUESTS [PREFIX...]: one bounded s3load run
#     on core 1 with the caller's S3 arguments (array S3), under PREFIX if
#     given (e.g. perf stat ... --); sets RUN_OUT (s3load's result line),
#     RUN_OPS (requests done) and RUN_CPU_US (server CPU µs per request);
#   - s3load_field NAME LINE: the value of NAME= in an s3load result line.
#   - s3_args BUCKET: sets S3 to s3load's arguments for this server and
#     1,000 keys of 4 KiB, k/0 to k/999, in BUCKET;
#   - seed_objects: creates that bucket and writes those keys (bounded).
# Only 127.0.0.1 is used.

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$SRC/build-release}"
SECS="${SECONDS_PER:-4}"
ROUNDS="${ROUNDS:-3}"
AK=BENCHAK
SK=SECRET12345

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" -j2 --target confiance s3load >/dev/null
# CONFIANCE_BIN: another server binary (an A/B comparison of two builds).
CONFIANCE="${CONFIANCE_BIN:-$BUILD/src/main/confiance}"
S3LOAD="$BUILD/bench/s3load"

WORK="$(mktemp -d /tmp/confiance-bench.XXXXXX)"
CONF_PID=""
# stop_pid PID: SIGTERM and reap a process this shell started ("" is none).
stop_pid() {
  [[ -n "$1" ]] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
stop_server() {
  stop_pid "$CONF_PID"
  CONF_PID=""
}
cleanup_bench() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup_bench EXIT

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$CONF_PID/stat"; }
minor_faults() { awk '{print $10}' "/proc/$CONF_PID/stat"; }
s3load_field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
s3_args() { S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket "$1" --prefix k --keys 1000 --size 4096); }
seed_objects() {
  timeout 120 "$S3LOAD" "${S3[@]}" --op put --connections 16 --requests 1000 --setup --max-seconds 60 >/dev/null
}

cpu_run() {
  local op=$1 conns=$2 requests=$3 before after
  shift 3
  before=$(cpu_ticks)
  RUN_OUT=$("$@" timeout 300 taskset -c 1 "$S3LOAD" "${S3[@]}" --op "$op" --connections "$conns" \
    --requests "$requests" --max-seconds 240)
  after=$(cpu_ticks)
  RUN_OPS=$(s3load_field requests "$RUN_OUT")
  [[ -n "$RUN_OPS" ]] || RUN_OPS=$requests
  RUN_CPU_US=$(awk -v t=$((after - before)) -v k="$TICK" -v n="$RUN_OPS" 'BEGIN { printf "%.1f", t * 1e6 / k / n }')
}

start_server() {
  stop_server
  CONFIANCE_ROOT_ACCESS_KEY=$AK CONFIANCE_ROOT_SECRET_KEY=$SK \
    taskset -c "${SERVER_CPUS:-0}" "$CONFIANCE" server --data "$WORK/data" --listen "127.0.0.1:$PORT" \
    --threads "${SERVER_THREADS:-1}" "$@" \
    >>"$WORK/confiance.log" 2>&1 &
  CONF_PID=$!
  # python3 is there already; curl may not be. With --tls-cert the check
  # speaks HTTPS (the bench's own self-signed certificate, not verified).
  local scheme=http
  [[ " $* " == *" --tls-cert "* ]] && scheme=https
  for _ in $(seq 1 100); do
    /usr/bin/python3 -c "import ssl, urllib.request; urllib.request.urlopen('$scheme://127.0.0.1:$PORT/_confiance/health', timeout=1, context=ssl._create_unverified_context())" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start; log: $WORK/confiance.log" >&2
  exit 1
}

# File: bench/lib_server.sh
# Shared by the bench scripts that restart one Confiance on one data
# directory (policy_overhead.sh, transparency_overhead.sh). Source it with
# the build directory as its argument ("" = build-release):
#   - SRC, BUILD; SECS (SECONDS_PER, default 4 s per run) and ROUNDS
#     (default 3); AK/SK, the root credentials the server and s3load use;
#   - builds confiance and s3load into BUILD (configures a Release tree there
#     if none), sets CONFIANCE (or takes $CONFIANCE_BIN) and S3LOAD;
#   - WORK: a temporary directory, removed with the server at exit;
#   - PORT: a free loopback port;
#   - start_server [flags...]: (re)starts `confiance server --threads 1`
#     pinned to core 0 (SERVER_CPUS=0,1 gives it both cores) on WORK/data
#     and waits for its health check;
#   - stop_server;
#   - cpu_ticks: the server's utime+stime so far, in TICKs (clock ticks
#     per second), from /proc/PID/stat: all its threads;
#   - minor_faults: the server's minor page faults so far (same file).
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
stop_server() {
  if [[ -n "$CONF_PID" ]]; then
    kill "$CONF_PID" 2>/dev/null || true
    wait "$CONF_PID" 2>/dev/null || true
    CONF_PID=""
  fi
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

start_server() {
  stop_server
  CONFIANCE_ROOT_ACCESS_KEY=$AK CONFIANCE_ROOT_SECRET_KEY=$SK \
    taskset -c "${SERVER_CPUS:-0}" "$CONFIANCE" server --data "$WORK/data" --listen "127.0.0.1:$PORT" --threads 1 "$@" \
    >>"$WORK/confiance.log" 2>&1 &
  CONF_PID=$!
  # python3 is there already; curl may not be.
  for _ in $(seq 1 100); do
    /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/_confiance/health', timeout=1)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start; log: $WORK/confiance.log" >&2
  exit 1
}

#!/usr/bin/env bash
# File: bench/scrub.sh
# The online scrub (docs/operations.md, "Scrubbing"): how fast it verifies
# (MB/s of object data, and the server's CPU per MB from /proc/PID/stat),
# and what a scrub at the default rate costs clients (4 KiB GET at 16
# connections, without and during a scrub). One Confiance (Release,
# --threads 1, core 0; s3load and the admin CLI on core 1).
#
# Usage: bench/scrub.sh [BUILD_DIR]   (default build-release)
#   BIG (default 16): objects of 64 MiB; the 1,000 4 KiB objects of
#   lib_server.sh are there too (GET runs: 60,000 requests). RATE (default 64): MiB/s of the scrub
#   during the GET runs. ROUNDS (default 3), SECONDS_PER (default 4).
# The scrub reads past the page cache (RandomAccessFile::ReadUncached): the
# page cache growth column (/proc/meminfo Cached, the whole machine's) says
# whether it left its reads cached.
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
BIG="${BIG:-16}"
RATE="${RATE:-64}"
export CONFIANCE_OPERATOR_ACCESS_KEY=BENCHOPERATOR CONFIANCE_OPERATOR_SECRET_KEY=BENCHOPERATORSECRET
admin() {
  CONFIANCE_ENDPOINT="http://127.0.0.1:$PORT" CONFIANCE_ACCESS_KEY=$CONFIANCE_OPERATOR_ACCESS_KEY \
    CONFIANCE_SECRET_KEY=$CONFIANCE_OPERATOR_SECRET_KEY timeout 900 taskset -c 1 "$CONFIANCE" admin "$@"
}
json_field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

start_server --scrub-interval-hours 0
s3_args small
seed_objects
timeout 600 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket big --prefix m \
  --keys "$BIG" --size 64M --op put --connections 1 --requests "$BIG" --setup --max-seconds 500 >/dev/null

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $BIG x 64 MiB + 1,000 x 4 KiB"
echo "| round | scrub, unlimited: MB/s | objects/s | server CPU ms per MB | page cache growth MB | GET 4 KiB c=16 alone /s | during a scrub at $RATE MiB/s /s | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  before=$(cpu_ticks)
  cached_before=$(awk '/^Cached:/ {print $2}' /proc/meminfo)
  admin scrub start --rate 0 --wait >/dev/null
  cached_after=$(awk '/^Cached:/ {print $2}' /proc/meminfo)
  after=$(cpu_ticks)
  doc=$(admin --json scrub status)
  # The server's own start and end (--wait polls every 0.5 s).
  ms=$(( $(json_field finished_ms <<<"$doc") - $(json_field started_ms <<<"$doc") ))
  bytes=$(json_field bytes_verified <<<"$doc")
  objects=$(json_field objects <<<"$doc")
  [[ $(json_field damaged_objects <<<"$doc") == 0 ]] || { echo "damage found: $doc" >&2; exit 1; }

  cpu_run get 16 60000
  alone=$(s3load_field ops_s "$RUN_OUT")
  admin scrub start --rate "$RATE" >/dev/null
  cpu_run get 16 60000
  during=$(s3load_field ops_s "$RUN_OUT")
  state=$(admin --json scrub status | json_field state)
  [[ $state == running ]] || echo "# round $r: the scrub ended ($state) before the GET run did" >&2
  admin scrub stop >/dev/null || true

  awk -v b="$bytes" -v o="$objects" -v s="$(awk -v m="$ms" 'BEGIN {print m / 1000}')" \
    -v t=$((after - before)) -v k="$TICK" -v r="$r" -v g="$alone" -v d="$during" \
    -v c=$((cached_after - cached_before)) \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.0f | %s | %s | %.2f |\n", r, b / s / 1e6, o / s, t * 1e3 / k / (b / 1e6), c * 1024 / 1e6, g, d, d / g }'
done

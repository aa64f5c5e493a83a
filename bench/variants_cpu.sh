#!/usr/bin/env bash
# File: bench/variants_cpu.sh
# Server CPU per request, rate, requests per fdatasync and context switches
# per request for several variants of the server, alternated round by
# round on one data directory (transparency_cpu.sh's method, with the
# variants chosen by the caller). A variant is NAME:ENV=V,ENV2=V (the
# server starts with those environment variables, for experiments gated by
# one; CONFIANCE_BIN=PATH runs another server binary, e.g. one built on an
# earlier commit), NAME: (no change), or a name starting with "off" (the
# server runs with --no-transparency-log).
#
# Usage: VARIANTS="base: off:" bench/variants_cpu.sh [BUILD_DIR]
#   OPS       op:connections pairs (default "get:16 put:16")
#   REQUESTS  per run (default 10000); ROUNDS (default 3)
# Needs perf (Debian linux-perf) for the sync and switch counts. Only
# 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
REQUESTS="${REQUESTS:-10000}"
OPS="${OPS:-get:16 put:16}"
VARIANTS="${VARIANTS:-base: off:}"
start_server

S3=(--port "$PORT" --access-key $AK --secret-key $SK --bucket tlog --prefix k --keys 1000 --size 4096)
timeout 120 "$S3LOAD" "${S3[@]}" --op put --connections 16 --requests 1000 --setup --max-seconds 60 >/dev/null

# run OP CONNECTIONS: "<CPU µs>/req <rate>/s <requests>/sync <switches>/req".
run() {
  local before after out stat="$WORK/perf-stat.txt"
  before=$(cpu_ticks)
  out=$(perf stat -e syscalls:sys_enter_fdatasync,context-switches -p "$CONF_PID" -o "$stat" -- \
    timeout 300 taskset -c 1 "$S3LOAD" "${S3[@]}" --op "$1" --connections "$2" \
    --requests "$REQUESTS" --max-seconds 240)
  after=$(cpu_ticks)
  local rate ops syncs switches
  rate=$(sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p' <<<"$out")
  ops=$(sed -n "s/.* requests=\([0-9]*\) .*/\1/p" <<<"$out")
  [[ -n "$ops" ]] || ops=$REQUESTS
  syncs=$(awk '/fdatasync/ { gsub(",", "", $1); print $1 }' "$stat")
  switches=$(awk '/context-switches/ { gsub(",", "", $1); print $1 }' "$stat")
  awk -v t=$((after - before)) -v k="$TICK" -v n="$ops" -v r="$rate" -v s="$syncs" -v c="$switches" \
    'BEGIN { ps = s > 0 ? sprintf("%.1f", n / s) : "-"; printf "%.0f µs, %.0f/s, %s/sync, %.2f cs", t * 1e6 / k / n, r, ps, c / n }'
}

header="| round | variant |"
rule="|---|---|"
for o in $OPS; do
  header="$header ${o%%:*} c=${o#*:} |"
  rule="$rule---|"
done
echo "$header"
echo "$rule"
for r in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do
    name=${v%%:*}
    envs=${v#*:}
    flags=()
    [[ $name == off* ]] && flags=(--no-transparency-log)
    vars=()
    [[ -n "$envs" ]] && IFS=, read -r -a vars <<<"$envs"
    # The variables reach the server only (start_server's child).
    default_bin=$CONFIANCE
    envs_only=()
    for e in "${vars[@]}"; do
      if [[ $e == CONFIANCE_BIN=* ]]; then CONFIANCE=${e#CONFIANCE_BIN=}; else envs_only+=("$e"); fi
    done
    if ((${#envs_only[@]})); then
      export "${envs_only[@]}"
      start_server "${flags[@]}"
      for e in "${envs_only[@]}"; do unset "${e%%=*}"; done
    else
      start_server "${flags[@]}"
    fi
    CONFIANCE=$default_bin
    line="| $r | $name |"
    for o in $OPS; do line="$line $(run "${o%%:*}" "${o#*:}") |"; done
    echo "$line"
  done
done

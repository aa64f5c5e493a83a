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
#   FRESH=1   a fresh data directory (seeded again) for every variant's
#             run, for binaries that cannot open each other's directories
#             (e.g. before and after metadata encryption)
# Needs perf (Debian linux-perf) for the sync and switch counts. Only
# 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
REQUESTS="${REQUESTS:-10000}"
OPS="${OPS:-get:16 put:16}"
VARIANTS="${VARIANTS:-base: off:}"
start_server

s3_args tlog
seed_objects

# run OP CONNECTIONS: "<CPU µs>/req <rate>/s <requests>/sync <switches>/req".
run() {
  local stat="$WORK/perf-stat.txt" syncs switches
  cpu_run "$1" "$2" "$REQUESTS" perf stat -e syscalls:sys_enter_fdatasync,context-switches -p "$CONF_PID" -o "$stat" --
  syncs=$(awk '/fdatasync/ { gsub(",", "", $1); print $1 }' "$stat")
  switches=$(awk '/context-switches/ { gsub(",", "", $1); print $1 }' "$stat")
  awk -v u="$RUN_CPU_US" -v n="$RUN_OPS" -v r="$(s3load_field ops_s "$RUN_OUT")" -v s="$syncs" -v c="$switches" \
    'BEGIN { ps = s > 0 ? sprintf("%.1f", n / s) : "-"; printf "%.0f µs, %.0f/s, %s/sync, %.2f cs", u, r, ps, c / n }'
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
    # The variables reach this server only; CONFIANCE_BIN picks its binary.
    bin=$CONFIANCE
    for e in "${vars[@]}"; do [[ $e == CONFIANCE_BIN=* ]] && bin=${e#CONFIANCE_BIN=}; done
    ((${#vars[@]})) && export "${vars[@]}"
    if [[ "${FRESH:-0}" == 1 ]]; then
      stop_server
      rm -rf "$WORK/data"
    fi
    CONFIANCE=$bin start_server "${flags[@]}"
    for e in "${vars[@]}"; do unset "${e%%=*}"; done
    [[ "${FRESH:-0}" == 1 ]] && seed_objects
    line="| $r | $name |"
    for o in $OPS; do line="$line $(run "${o%%:*}" "${o#*:}") |"; done
    echo "$line"
  done
done

#!/usr/bin/env bash
# File: bench/backup_incremental.sh
# What an incremental backup saves (docs/backup.md, "Incremental backups"):
# a store of N objects of 1 MiB is backed up in full onto a tmpfs, M more
# objects are written, then a backup with --base the first and a second
# full one are taken. Prints each backup's time (from the server's
# "backup: started" and "backup: done" log lines) and its own space (du,
# which counts a file linked from the base once, under the base), then
# times `confiance admin verify-backup` of the incremental backup.
#
# Usage: bench/backup_incremental.sh [BUILD_DIR]   (default build-release)
#   N (default 2000), M (default 100), BACKUP_ROOT (default /dev/shm: needs
#   about 2.2 * N MiB free there). Only 127.0.0.1 is used; every load run is
#   bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
N="${N:-2000}"
M="${M:-100}"
OP_AK=BENCHOPERATORKEY00001
OP_SK=bench-operator-secret-0123456789
BACKUPS="$(mktemp -d "${BACKUP_ROOT:-/dev/shm}/confiance-backup-bench.XXXXXX")"
trap 'cleanup_bench; rm -rf "$BACKUPS"' EXIT

export CONFIANCE_OPERATOR_ACCESS_KEY=$OP_AK CONFIANCE_OPERATOR_SECRET_KEY=$OP_SK
start_server
admin() {
  CONFIANCE_ENDPOINT="http://127.0.0.1:$PORT" CONFIANCE_ACCESS_KEY=$OP_AK CONFIANCE_SECRET_KEY=$OP_SK \
    timeout 600 "$CONFIANCE" admin "$@"
}
put() {  # put PREFIX COUNT [--setup]
  timeout 600 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket backup-bench --prefix "$1" \
    --keys "$2" --requests "$2" --size 1048576 --connections 4 --op put --max-seconds 500 "${@:3}" >/dev/null
}
# backup NAME [flags...]: one backup, waited for; prints a table row.
backup() {
  local name=$1 started done
  shift
  admin backup start "$BACKUPS/$name" --wait "$@" >/dev/null
  started=$(grep "backup: started into $BACKUPS/$name" "$WORK/confiance.log" | tail -1 | cut -d' ' -f1)
  done=$(grep "backup: done, $BACKUPS/$name " "$WORK/confiance.log" | tail -1 | cut -d' ' -f1)
  local secs
  secs=$(/usr/bin/python3 -c "import datetime as d,sys; p=lambda s: d.datetime.fromisoformat(s.rstrip('Z'));
print('%.2f' % (p(sys.argv[2]) - p(sys.argv[1])).total_seconds())" "$started" "$done")
  echo "| $name | $(admin --json backup status | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin);
print("%d | %d | %d" % (j["blobs_done"], j["blobs_copied"], j.get("blobs_from_base", 0)))') | $secs |"
}

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); backups under $BACKUPS ($(df --output=fstype "$BACKUPS" | tail -1))"
put k "$N" --setup
echo "| backup | blobs | copied | from the base | seconds |"
echo "|---|---:|---:|---:|---:|"
backup full
put new "$M"
backup incremental --base "$BACKUPS/full"
backup full-again
echo
# The check of the incremental backup (docs/backup.md), with the server's
# root key: the backup's metadata is encrypted.
start=$(date +%s.%N)
verify=$(timeout 600 "$CONFIANCE" admin verify-backup --keys-of "$WORK/data" "$BACKUPS/incremental" | tail -1)
echo "verify-backup of the incremental one: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s wall: $verify"
echo
du -sh "$BACKUPS/full" "$BACKUPS/incremental" "$BACKUPS/full-again"

#!/usr/bin/env bash
# File: bench/metadata_move.sh
# How long `confiance admin move-metadata` (main/metadata_move.h) takes to
# move a data directory's metadata onto a RADOS pool and back: one server
# (Release, --threads 1) stores KEYS objects of 4 KiB (inline in their
# records, each PUT also a transparency-log entry), stops, and the
# directory's metadata moves to a single-node Ceph cluster on this machine
# (tests/ceph/ceph_cluster.py, as bench/rados_metadata.sh) and back. Each
# move copies every record, compares the two copies and removes the source.
# In between, with the metadata on RADOS, the server (8 network threads, as
# it starts with its metadata there) takes an online backup (a snapshot of
# the namespace copied into a local store) while s3load overwrites objects
# at 16 connections: the PUT rate without and during the backup, and how
# long writes were held for the snapshot (the server's log).
#
# Usage: bench/metadata_move.sh [BUILD_DIR]   (default build-release)
#        KEYS=20000 by default.
# Only 127.0.0.1 is used; the load is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
# shellcheck source=bench/lib_ceph.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_ceph.sh"

KEYS="${KEYS:-20000}"
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $KEYS objects of 4 KiB"
mkdir -p "$WORK/data"
SERVER_THREADS=1
export SERVER_THREADS
start_server
timeout 600 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket moving --prefix k --keys "$KEYS" \
  --size 4096 --op put --connections 16 --requests "$KEYS" --setup --max-seconds 540 >/dev/null
stop_server
cat >"$WORK/target.toml" <<EOF2
rados_pool = "$CONFIANCE_CEPH_POOL"
ceph_conf = "$CONFIANCE_CEPH_CONF"
ceph_user = "$CONFIANCE_CEPH_USER"
ceph_keyring = "$CONFIANCE_CEPH_KEYRING"
rados_namespace = "move-$$"
EOF2
export CONFIANCE_OPERATOR_ACCESS_KEY=BENCHOPERATOR CONFIANCE_OPERATOR_SECRET_KEY=BENCHOPSECRET12345
move() {  # how...
  local start end said
  start=$(date +%s.%N)
  said=$(timeout 900 "$CONFIANCE" admin move-metadata --data "$WORK/data" "$@" | head -1)
  end=$(date +%s.%N)
  MOVES+="| $1 | $(echo "$end - $start" | bc) | $said |"$'\n'
}
put_load() {  # seconds -> ops/s of overwrites at 16 connections
  s3load_field ops_s "$(timeout 120 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket moving \
    --prefix k --keys "$KEYS" --size 4096 --op put --connections 16 --requests 1000000 --max-seconds "$1")"
}
MOVES=""
move --to-rados "$WORK/target.toml"
SERVER_THREADS=8
start_server
before=$(put_load 10)
put_load 15 >"$WORK/during" &
load=$!
sleep 2
start=$(date +%s.%N)
timeout 600 "$CONFIANCE" admin --endpoint "http://127.0.0.1:$PORT" --access-key "$CONFIANCE_OPERATOR_ACCESS_KEY" \
  --secret-key "$CONFIANCE_OPERATOR_SECRET_KEY" backup start "$WORK/backup" --wait >/dev/null
end=$(date +%s.%N)
wait $load
stop_server
move --to-local
echo "| move | seconds | what it says |"
echo "|---|---:|---|"
printf "%s" "$MOVES"
echo
echo "| PUT c16 ops/s before | PUT c16 ops/s while the backup ran (15 s) | backup seconds | writes held |"
echo "|---:|---:|---:|---|"
echo "| $before | $(cat "$WORK/during") | $(echo "$end - $start" | bc) |" \
  "$(grep -o 'writes held [0-9.]* ms' "$WORK/confiance.log" | tail -1) |"

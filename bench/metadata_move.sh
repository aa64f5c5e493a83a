#!/usr/bin/env bash
# File: bench/metadata_move.sh
# How long `confiance admin move-metadata` (main/metadata_move.h) takes to
# move a data directory's metadata onto a RADOS pool and back: one server
# (Release, --threads 1) stores KEYS objects of 4 KiB (inline in their
# records, each PUT also a transparency-log entry), stops, and the
# directory's metadata moves to a single-node Ceph cluster on this machine
# (tests/ceph/ceph_cluster.py, as bench/rados_metadata.sh) and back. Each
# move copies every record, compares the two copies and removes the source.
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
echo "| move | seconds | what it says |"
echo "|---|---:|---|"
for how in "--to-rados $WORK/target.toml" "--to-local"; do
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  said=$(timeout 900 "$CONFIANCE" admin move-metadata --data "$WORK/data" $how | head -1)
  end=$(date +%s.%N)
  echo "| ${how%% *} | $(echo "$end - $start" | bc) | $said |"
done

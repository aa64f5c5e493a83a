#!/usr/bin/env bash
# File: bench/rados_pool.sh
# What a pool on a Ceph cluster costs against the local default pool
# (docs/rados.md): the same s3load runs against one Confiance (Release,
# --threads 1, core 0; s3load on core 1) whose writes go to its data
# directory, then to a RADOS pool of a single-node Ceph cluster on this
# machine (tests/ceph/ceph_cluster.py: one monitor, one manager, one
# BlueStore OSD on a sparse file, size 1; its daemons float over both
# cores). A 4 KiB object is inline in the metadata on the local pool and a
# blob (stripe + index entry) on the RADOS pool.
#
# Usage: bench/rados_pool.sh [BUILD_DIR]   (default build-release)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"

# shellcheck source=bench/lib_ceph.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_ceph.sh"
cat >"$WORK/pools.toml" <<EOF
[[pool]]
name = "ceph"
jurisdiction = "FR"
rados_pool = "$CONFIANCE_CEPH_POOL"
ceph_conf = "$CONFIANCE_CEPH_CONF"
ceph_user = "$CONFIANCE_CEPH_USER"
ceph_keyring = "$CONFIANCE_CEPH_KEYRING"
EOF

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| pool | op | size | c | requests | req/s | MB/s | p50 ms | p99 ms |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
run() {  # pool op size connections requests
  local out
  out=$(timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "b$3" \
    --prefix k --keys 32 --size "$3" --op "$2" --connections "$4" --requests "$5" --max-seconds 120)
  echo "| $1 | $2 | $3 | $4 | $(s3load_field requests "$out") | $(s3load_field ops_s "$out") |" \
    "$(s3load_field mb_s "$out") | $(s3load_field p50_ms "$out") | $(s3load_field p99_ms "$out") |"
}
for pool in local rados; do
  rm -rf "$WORK/data"
  if [[ $pool == rados ]]; then start_server --pools "$WORK/pools.toml"; else start_server; fi
  for spec in "4096 16 2000" "1048576 4 300" "67108864 1 8"; do
    read -r size conns requests <<<"$spec"
    # Untimed: the bucket and its 32 keys.
    timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "b$size" \
      --prefix k --keys 32 --size "$size" --op put --connections 1 --requests 32 --setup --max-seconds 240 >/dev/null
    run "$pool" put "$size" "$conns" "$requests"
    run "$pool" get "$size" "$conns" "$requests"
  done
  stop_server
done

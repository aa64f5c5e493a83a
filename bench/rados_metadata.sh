#!/usr/bin/env bash
# File: bench/rados_metadata.sh
# What keeping the metadata on a Ceph cluster costs against the embedded
# RocksDB (docs/rados.md, "Metadata on RADOS"): the same s3load runs against
# one Confiance (Release, --threads 1, core 0; s3load on core 1) on a fresh
# data directory, then on one whose metadata.toml names a RADOS pool of a
# single-node Ceph cluster on this machine (tests/ceph/ceph_cluster.py: one
# monitor, one manager, one BlueStore OSD on a sparse file, size 1; its
# daemons float over both cores). Blobs stay in the local default pool, so
# a 4 KiB object is inline in its record: a PUT is one record commit (and
# its transparency-log entry), a GET one record read.
#
# Usage: bench/rados_metadata.sh [BUILD_DIR]   (default build-release)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"

# shellcheck source=bench/lib_ceph.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_ceph.sh"

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| metadata | op | c | requests | req/s | p50 ms | p99 ms |"
echo "|---|---|---:|---:|---:|---:|---:|"
run() {  # where op connections requests [bucket keys]
  local out
  out=$(timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "${5:-small}" \
    --prefix k --keys "${6:-1000}" --size 4096 --op "$2" --connections "$3" --requests "$4" --max-seconds 60)
  echo "| $1 | $2 | $3 | $(s3load_field requests "$out") | $(s3load_field ops_s "$out") |" \
    "$(s3load_field p50_ms "$out") | $(s3load_field p99_ms "$out") |"
}
# rados-t8: eight network threads, as the server starts with the metadata
# on RADOS unless --threads says otherwise (metadata reads block them).
for where in local rados rados-t8; do
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  SERVER_THREADS=1
  [[ $where == rados-t8 ]] && SERVER_THREADS=8
  export SERVER_THREADS
  if [[ $where == rados* ]]; then
    cat >"$WORK/data/metadata.toml" <<EOF
rados_pool = "$CONFIANCE_CEPH_POOL"
ceph_conf = "$CONFIANCE_CEPH_CONF"
ceph_user = "$CONFIANCE_CEPH_USER"
ceph_keyring = "$CONFIANCE_CEPH_KEYRING"
rados_namespace = "bench-$$-$where"
EOF
  fi
  start_server
  # Untimed: the buckets and their keys (1,000 of 4 KiB each).
  for bucket in small listing; do
    timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "$bucket" \
      --prefix k --keys 1000 --size 4096 --op put --connections 16 --requests 1000 --setup --max-seconds 240 >/dev/null
  done
  run "$where" put 1 1000
  run "$where" put 16 5000
  run "$where" get 1 2000
  run "$where" get 16 10000
  run "$where" head 16 10000
  run "$where" list 1 200 listing 1000
  stop_server
done

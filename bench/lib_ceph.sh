# File: bench/lib_ceph.sh
# Shared by the bench scripts that need a Ceph cluster (rados_pool.sh,
# rados_metadata.sh). Source it after lib_server.sh: it starts a
# single-node cluster in WORK/ceph (tests/ceph/ceph_cluster.py: one monitor,
# one manager, one BlueStore OSD on a sparse file, size 1; its daemons
# float over both cores), exports CONFIANCE_CEPH_{CONF,USER,KEYRING,POOL},
# and at exit stops the server and the cluster and removes WORK.

CEPH_DIR="$WORK/ceph"
mkdir -p "$CEPH_DIR"
cleanup_all() {
  stop_server
  /usr/bin/python3 "$SRC/tests/ceph/ceph_cluster.py" stop "$CEPH_DIR" || true
  rm -rf "$WORK"
}
trap cleanup_all EXIT
eval "$(/usr/bin/python3 "$SRC/tests/ceph/ceph_cluster.py" start "$CEPH_DIR" | sed 's/^/export /')"

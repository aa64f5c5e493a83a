#!/usr/bin/env python3
"""Runs a test binary against a real single-node Ceph cluster.

    run_with_ceph.py BINARY [ARGS...]

Starts a monitor and a BlueStore OSD on 127.0.0.1 (tests/ceph/ceph_cluster.py),
runs BINARY with CONFIANCE_CEPH_{CONF,USER,KEYRING,POOL} in its environment,
then stops the cluster and removes its directory. Exit 77 (CTest: skipped)
only if the Ceph daemons are not installed.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ceph_cluster  # noqa: E402

SKIP = 77


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    if not ceph_cluster.installed():
        print("SKIP: ceph-mon/ceph-osd not installed (Debian ceph-mon, ceph-osd; scripts/install-deps.sh)")
        return SKIP
    workdir = tempfile.mkdtemp(prefix="confiance-ceph-")
    cluster = ceph_cluster.CephCluster(workdir)
    try:
        try:
            cluster.start()
        except RuntimeError as e:
            # Installed but not starting is a failure, not a skip.
            print("FAIL: the Ceph cluster did not start: %s" % e)
            return 1
        env = dict(os.environ)
        env.update(cluster.env())
        rc = subprocess.call(argv[1:], env=env, timeout=900)
        if rc != 0:
            print("FAIL: %s exited with %d; Ceph logs:\n%s" % (argv[1], rc, cluster.log_tail()))
        return rc
    finally:
        cluster.stop()
        ceph_cluster.remove(workdir)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

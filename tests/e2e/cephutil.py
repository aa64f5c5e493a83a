"""What the end-to-end tests on a Ceph cluster share: the module-scoped
cluster (tests/ceph/ceph_cluster.py: one monitor, manager and BlueStore OSD
on 127.0.0.1, cephx) and a view of one namespace of its test pool, read
with python3-rados (omaps with binary keys through tests/ceph/raw_omap.py,
since python3-rados decodes keys as UTF-8)."""

import os
import sys
import tempfile
import time

import pytest
import rados
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ceph"))
import ceph_cluster  # noqa: E402
import raw_omap  # noqa: E402


def serve_cluster(prefix):
    """The body of a module-scoped `cluster` fixture (`yield from
    serve_cluster("name")`): fails the test if Ceph is not installed."""
    if not ceph_cluster.installed():
        pytest.fail("the Ceph daemons are not installed (scripts/install-deps.sh)")
    workdir = tempfile.mkdtemp(prefix="confiance-e2e-%s-" % prefix)
    c = ceph_cluster.CephCluster(workdir)
    try:
        c.start()
        yield c
    finally:
        c.stop()
        ceph_cluster.remove(workdir)


class Namespace:
    """A RADOS namespace of the test pool."""

    def __init__(self, cluster, name):
        env = cluster.env()
        self.name = name
        self.handle = rados.Rados(conffile=env["CONFIANCE_CEPH_CONF"], rados_id=env["CONFIANCE_CEPH_USER"],
                                  conf={"keyring": env["CONFIANCE_CEPH_KEYRING"]})
        self.handle.connect(timeout=30)
        self.io = self.handle.open_ioctx(env["CONFIANCE_CEPH_POOL"])
        self.io.set_namespace(name)
        self.raw = raw_omap.RawOmap(env["CONFIANCE_CEPH_CONF"], env["CONFIANCE_CEPH_USER"],
                                    env["CONFIANCE_CEPH_KEYRING"], env["CONFIANCE_CEPH_POOL"], name)

    def objects(self):
        return sorted(o.key for o in self.io.list_objects())

    def omap(self, oid):
        """{key: value}, both bytes; empty if the object is missing."""
        try:
            return self.raw.omap(oid)
        except FileNotFoundError:
            return {}

    def omap_keys(self, oid):
        return [k.decode() for k in self.omap(oid)]

    def read(self, oid):
        return self.io.read(oid, length=64 << 20)

    def close(self):
        self.raw.close()
        self.io.close()
        self.handle.shutdown()

    def take_lease_from(self, srv, oid, timeout=20):
        """Takes the lease on `oid` behind `srv`'s back (as a misconfigured
        second server would once it lapsed) and waits until `srv` reports
        itself not ready; returns that answer. `release_lease` gives it back."""
        self.io.remove_object(oid)
        self.io.lock_exclusive(oid, "confiance", "intruder", desc="test", duration=120)
        deadline = time.time() + timeout
        while True:
            ready = requests.get(srv.endpoint + "/_confiance/ready", timeout=5)
            if ready.status_code == 503 or time.time() > deadline:
                return ready
            time.sleep(0.5)

    def release_lease(self, oid):
        self.io.unlock(oid, "confiance", "intruder")

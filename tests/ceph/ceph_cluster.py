"""A real single-node Ceph cluster (Debian's ceph-mon and ceph-osd) for the
RADOS tests: one monitor, one manager and one BlueStore OSD on 127.0.0.1, cephx on, in a
temporary directory, with a replicated pool of size 1 and a client key
limited to that pool (what an operator would give Confiance).

A manager daemon too: it is what reports the cluster's usage (the store's
space check reads it) and placement-group states. The OSD's block device is a sparse file; its caches are kept
small (the machines have 2 cores).

Used by tests/ceph/run_with_ceph.py (the C++ contract test) and by
tests/e2e/test_rados_pools.py (the server end to end).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

CEPH_MON = "/usr/bin/ceph-mon"
CEPH_OSD = "/usr/bin/ceph-osd"
CEPH_MGR = "/usr/bin/ceph-mgr"
CEPH = "/usr/bin/ceph"
CEPH_AUTHTOOL = "/usr/bin/ceph-authtool"
MONMAPTOOL = "/usr/bin/monmaptool"
RADOS = "/usr/bin/rados"
START_TIMEOUT = 120.0
POOL = "confiance-data"
# A pool the client key may not use: for the tests of cephx refusals.
FORBIDDEN_POOL = "confiance-forbidden"
CLIENT = "confiance"


class Unavailable(Exception):
    """The Ceph daemons are not installed."""


def installed():
    return all(os.access(p, os.X_OK) for p in (CEPH_MON, CEPH_OSD, CEPH_MGR, CEPH, CEPH_AUTHTOOL, MONMAPTOOL, RADOS))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CephCluster:
    """One monitor and one OSD. REQUIRES: a writable, empty `workdir`
    (deleted by the caller after stop())."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.conf = os.path.join(workdir, "ceph.conf")
        self.admin_keyring = os.path.join(workdir, "ceph.client.admin.keyring")
        self.client_keyring = os.path.join(workdir, "ceph.client.%s.keyring" % CLIENT)
        self.procs = []
        self.port = None

    # -- setup -----------------------------------------------------------

    def _write_conf(self):
        d = self.workdir
        for sub in ("run", "log", "mon/a", "osd/0", "mgr/x"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self.port = free_port()
        lines = [
            "[global]",
            "fsid = %s" % self.fsid,
            "mon host = [v2:127.0.0.1:%d]" % self.port,
            "public addr = 127.0.0.1",
            "cluster addr = 127.0.0.1",
            "public network = 127.0.0.0/8",
            "ms bind ipv4 = true",
            "ms bind ipv6 = false",
            "auth cluster required = cephx",
            "auth service required = cephx",
            "auth client required = cephx",
            "keyring = %s" % self.admin_keyring,
            "run dir = %s/run" % d,
            "admin socket = %s/run/$name.asok" % d,
            "pid file = %s/run/$name.pid" % d,
            "log file = %s/log/$name.log" % d,
            "osd pool default size = 1",
            "osd pool default min size = 1",
            "osd pool default pg autoscale mode = off",
            "mon allow pool size one = true",
            "mon allow pool delete = true",
            "osd crush chooseleaf type = 0",
            "mon warn on pool no redundancy = false",
            "[mon]",
            "mon data = %s/mon/$id" % d,
            "mon cluster log file = %s/log/cluster.log" % d,
            "mon data avail crit = 1",
            "mon data avail warn = 2",
            "[mgr]",
            "mgr data = %s/mgr/$id" % d,
            "keyring = %s/mgr/$id/keyring" % d,
            "[osd]",
            "osd data = %s/osd/$id" % d,
            "keyring = %s/osd/$id/keyring" % d,
            "osd objectstore = bluestore",
            "bluestore block path = %s/osd/$id.block" % d,
            "bluestore block create = true",
            "bluestore block size = 10737418240",
            "bluestore block db create = false",
            "bluestore block wal create = false",
            "bluestore fsck on mount = false",
            "osd memory target = 939524096",
            "bluestore cache autotune = false",
            "bluestore cache size = 134217728",
            "osd op num shards = 2",
            "osd op num threads per shard = 1",
            "",
        ]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines))

    def _run(self, *args, input_text=None):
        r = subprocess.run(list(args), input=input_text, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def ceph(self, *args, input_text=None):
        return self._run(CEPH, "-c", self.conf, "--connect-timeout", "30", *args, input_text=input_text)

    def _spawn(self, *args):
        out = open(os.path.join(self.workdir, "log", os.path.basename(args[0]) + ".stdout"), "ab")
        p = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        return p

    def start(self):
        if not installed():
            raise Unavailable("ceph-mon/ceph-osd not installed (Debian ceph-mon, ceph-osd; scripts/install-deps.sh)")
        self.fsid = str(uuid.uuid4())
        self._write_conf()
        d = self.workdir
        mon_keyring = os.path.join(d, "mon.keyring")
        self._run(CEPH_AUTHTOOL, "--create-keyring", mon_keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
        self._run(CEPH_AUTHTOOL, "--create-keyring", self.admin_keyring, "--gen-key", "-n", "client.admin",
                  "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *")
        self._run(CEPH_AUTHTOOL, mon_keyring, "--import-keyring", self.admin_keyring)
        monmap = os.path.join(d, "monmap")
        self._run(MONMAPTOOL, "--create", "--fsid", self.fsid, "--addv", "a", "[v2:127.0.0.1:%d]" % self.port, monmap)
        self._run(CEPH_MON, "-c", self.conf, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", mon_keyring)
        self._spawn(CEPH_MON, "-c", self.conf, "-i", "a", "-f")
        self._wait(lambda: self.ceph("mon", "stat"), "the monitor")
        # The manager: what reports usage (rados_cluster_stat) and pg states.
        self.ceph("auth", "get-or-create", "mgr.x", "mon", "allow profile mgr", "osd", "allow *",
                  "-o", os.path.join(d, "mgr/x/keyring"))
        self._spawn(CEPH_MGR, "-c", self.conf, "-i", "x", "-f")
        # The OSD: registered with its own cephx key, then made and started.
        osd_uuid = str(uuid.uuid4())
        secret = self._run(CEPH_AUTHTOOL, "--gen-print-key").strip()
        osd_id = self.ceph("osd", "new", osd_uuid, "-i", "-",
                           input_text=json.dumps({"cephx_secret": secret})).strip()
        if osd_id != "0":
            raise RuntimeError("unexpected osd id %r" % osd_id)
        self._run(CEPH_AUTHTOOL, "--create-keyring", os.path.join(d, "osd/0/keyring"), "--name", "osd.0",
                  "--add-key", secret)
        self._run(CEPH_OSD, "-c", self.conf, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid)
        self._spawn(CEPH_OSD, "-c", self.conf, "-i", "0", "-f")
        self._wait(lambda: self._osd_up(), "the OSD")
        self.ceph("osd", "pool", "create", POOL, "8", "8")
        self.ceph("osd", "pool", "set", POOL, "size", "1", "--yes-i-really-mean-it")
        self.ceph("osd", "pool", "application", "enable", POOL, "confiance")
        # The key Confiance gets: read and write in its pool, nothing else.
        self.ceph("auth", "get-or-create", "client.%s" % CLIENT, "mon", "allow r", "osd",
                  "allow rwx pool=%s" % POOL, "-o", self.client_keyring)
        self.ceph("osd", "pool", "create", FORBIDDEN_POOL, "1", "1")
        self.ceph("osd", "pool", "set", FORBIDDEN_POOL, "size", "1", "--yes-i-really-mean-it")
        self.ceph("osd", "pool", "application", "enable", FORBIDDEN_POOL, "confiance")
        self._wait(lambda: self._pool_writable(), "the pool's placement groups")
        self._wait(lambda: self._pool_writable(FORBIDDEN_POOL, as_client=False),
                   "the forbidden pool's placement group")
        self._wait(lambda: self._usage_reported(), "the manager's usage report")

    def _osd_up(self):
        stat = json.loads(self.ceph("osd", "stat", "--format", "json"))
        if stat.get("num_up_osds", 0) < 1:
            raise RuntimeError("osd not up yet: %s" % stat)

    def _usage_reported(self):
        df = json.loads(self.ceph("df", "--format", "json"))
        if df.get("stats", {}).get("total_bytes", 0) <= 0:
            raise RuntimeError("no usage reported yet: %s" % df.get("stats"))

    def _pool_writable(self, pool=POOL, as_client=True):
        """A probe object written and removed in `pool`, with the client's
        own key (what the tests will do) or with the admin key (for a pool
        the client may not use: its ops are then refused by its caps, not
        held back by a placement group still being created)."""
        key = ["--id", CLIENT, "--keyring", self.client_keyring] if as_client else []
        for op in (["put", "confiance-probe", "/dev/null"], ["rm", "confiance-probe"]):
            self._run(RADOS, "-c", self.conf, *key, "-p", pool, "--rados-osd-op-timeout", "5", *op)

    def _wait(self, probe, what):
        deadline = time.time() + START_TIMEOUT
        last = None
        while time.time() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError("%s exited with %d while waiting for %s; log:\n%s" % (
                        p.args[0], p.returncode, what, self.log_tail()))
            try:
                probe()
                return
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
                last = e
            time.sleep(0.5)
        raise RuntimeError("timed out waiting for %s: %s\n%s" % (what, last, self.log_tail()))

    # -- use -------------------------------------------------------------

    def env(self):
        """What the tests read: the config, the client and the pool."""
        return {
            "CONFIANCE_CEPH_CONF": self.conf,
            "CONFIANCE_CEPH_USER": CLIENT,
            "CONFIANCE_CEPH_KEYRING": self.client_keyring,
            "CONFIANCE_CEPH_POOL": POOL,
            "CONFIANCE_CEPH_FORBIDDEN_POOL": FORBIDDEN_POOL,
        }

    def log_tail(self, lines=20):
        out = []
        for name in ("mon.a.log", "osd.0.log", "ceph-mon.stdout", "ceph-osd.stdout"):
            path = os.path.join(self.workdir, "log", name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    out.append("== %s\n%s" % (name, "".join(f.readlines()[-lines:])))
        return "\n".join(out)

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in reversed(self.procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs = []


def remove(workdir):
    shutil.rmtree(workdir, ignore_errors=True)


def stop_by_pid_files(workdir):
    """Stops the daemons of a cluster started by `start` below (another
    process: their pid files say which)."""
    run = os.path.join(workdir, "run")
    for name in ("osd.0.pid", "mgr.x.pid", "mon.a.pid"):
        path = os.path.join(run, name)
        if not os.path.exists(path):
            continue
        try:
            pid = int(open(path).read().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass


if __name__ == "__main__":
    # For scripts (bench/rados_pool.sh):
    #   ceph_cluster.py start DIR   starts a cluster in DIR (empty), prints
    #                               its env() as KEY=VALUE lines, and leaves
    #                               the daemons running;
    #   ceph_cluster.py stop DIR    stops them.
    import sys
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: ceph_cluster.py start|stop DIR")
    if sys.argv[1] == "stop":
        stop_by_pid_files(sys.argv[2])
        sys.exit(0)
    c = CephCluster(sys.argv[2])
    try:
        c.start()
    except Exception:
        c.stop()
        raise
    for k, v in c.env().items():
        print("%s=%s" % (k, v))

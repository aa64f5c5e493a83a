"""Pools on a Ceph cluster (docs/rados.md), end to end: a real single-node
Ceph cluster (monitor, manager, BlueStore OSD, cephx; tests/ceph/ceph_cluster.py)
and the real server with a `rados_pool` pool in its --pools file. Objects
land in RADOS as stripes with one index entry each, never as plaintext, and
read back byte-identical, whole and by ranges across stripes, multipart
included; a deletion leaves the index; an online backup leaves the pool
out and says so; SIGKILL during concurrent PUTs loses no acknowledged
object and leaves no stripe that no index entry or gc bucket accounts for;
a second server on the same namespace is refused; a stalled OSD makes
writes fail with 503 after the op timeout, and they resume by themselves."""

import hashlib
import json
import os
import signal
import subprocess
import time

import pytest

import cephutil
from adminutil import AdminServer, admin_request, cli, kill_during_puts, s3, s3_code
from conftest import ServerDied
from metricsutil import samples, scrape, value, write_token
from test_residency import blob_files

ACME = ("ACMERADOSROOTKEY0001", "acme-rados-root-secret-0123456789abc")
MARKER = b"CONFIANCE-RADOS-PLAINTEXT-MARKER-7f3a"


@pytest.fixture(scope="module")
def cluster():
    yield from cephutil.serve_cluster("ceph")


class Namespace(cephutil.Namespace):
    """The blob store's objects in a namespace (blob/rados/rados_blob_store.h)."""

    def keys_under(self, prefix):
        """The omap keys of every object whose name starts with `prefix`."""
        ids = set()
        for oid in self.objects():
            if oid.startswith(prefix):
                ids.update(self.omap_keys(oid))
        return ids

    def index(self):
        """Every id with an index entry."""
        return self.keys_under("confiance.index.")

    def in_gc(self):
        """Every id waiting in a gc bucket."""
        return self.keys_under("confiance.gc.")

    def stripes(self):
        """{blob id: [stripe numbers]} of the data objects."""
        out = {}
        for oid in self.objects():
            if oid.startswith("confiance."):
                continue
            blob, n = oid.rsplit(".", 1)
            out.setdefault(blob, []).append(int(n))
        return out


def pools_file(tmp_path, cluster, namespace, **extra):
    env = cluster.env()
    lines = ['[[pool]]', 'name = "ceph-fr"', 'jurisdiction = "FR"', 'operator = "Example Ceph SAS"',
             'rados_pool = "%s"' % env["CONFIANCE_CEPH_POOL"], 'ceph_conf = "%s"' % env["CONFIANCE_CEPH_CONF"],
             'ceph_user = "%s"' % env["CONFIANCE_CEPH_USER"], 'ceph_keyring = "%s"' % env["CONFIANCE_CEPH_KEYRING"],
             'rados_namespace = "%s"' % namespace]
    lines += ['%s = %s' % (k, v) for k, v in extra.items()]
    path = os.path.join(str(tmp_path), "pools-%s.toml" % namespace)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def start(tmp_path, cluster, namespace, server_args=(), **extra):
    srv = AdminServer(os.path.join(str(tmp_path), "srv-" + namespace),
                      extra_args=["--pools", pools_file(tmp_path, cluster, namespace, **extra)] + list(server_args))
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    return srv


def test_objects_live_in_ceph_as_ciphertext_and_read_back(tmp_path, cluster):
    srv = start(tmp_path, cluster, "objects", rados_stripe_mib=1)
    ns = Namespace(cluster, "objects")
    try:
        a = s3(srv, ACME)
        a.create_bucket(Bucket="ceph")
        # Sizes: tiny (kept in the pool too: only the default pool's small
        # objects live inline in the metadata), one stripe, several.
        bodies = {"tiny": MARKER, "one": MARKER * 10000, "many": (MARKER + os.urandom(3000)) * 1200}
        for key, body in bodies.items():
            a.put_object(Bucket="ceph", Key=key, Body=body)
        up = a.create_multipart_upload(Bucket="ceph", Key="mp")["UploadId"]
        parts = [os.urandom(5 << 20), MARKER * 3]
        etags = [a.upload_part(Bucket="ceph", Key="mp", UploadId=up, PartNumber=n + 1, Body=p)["ETag"]
                 for n, p in enumerate(parts)]
        a.complete_multipart_upload(Bucket="ceph", Key="mp", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
        bodies["mp"] = b"".join(parts)

        # No blob file in the data directory: the bytes are in RADOS.
        assert blob_files(os.path.join(srv.data_dir, "blobs")) == set()
        index = ns.index()
        stripes = ns.stripes()
        assert len(index) == 5, index  # tiny, one, many, and the two parts
        assert set(stripes) == index, (sorted(stripes), sorted(index))
        assert max(len(s) for s in stripes.values()) >= 4, stripes  # 1 MiB stripes
        for blob, numbers in stripes.items():
            assert sorted(numbers) == list(range(len(numbers))), (blob, numbers)
            for n in numbers:
                assert MARKER not in ns.read("%s.%d" % (blob, n)), "plaintext in RADOS object %s.%d" % (blob, n)

        for key, body in bodies.items():
            assert a.get_object(Bucket="ceph", Key=key)["Body"].read() == body, key
        many = bodies["many"]
        for first, last in ((0, 0), ((1 << 20) - 7, (1 << 20) + 7), (2_000_000, 3_500_000), (len(many) - 9, len(many) - 1)):
            got = a.get_object(Bucket="ceph", Key="many", Range="bytes=%d-%d" % (first, last))["Body"].read()
            assert got == many[first:last + 1], (first, last)

        # The operator sees where the pool's bytes are.
        r = admin_request(srv, "GET", "/tenants/acme/residency")
        assert r.status == 200, r.body
        pools = {p["name"]: p for p in json.loads(r.body)["pools"]}
        assert pools["ceph-fr"]["backend"] == {"kind": "rados", "rados_pool": cluster.env()["CONFIANCE_CEPH_POOL"],
                                               "rados_namespace": "objects"}, pools
        assert pools["local"]["backend"] == {"kind": "local"}
        shown = cli(srv, "residency", "show", "--tenant", "acme").out
        assert "pool ceph-fr: FR, class STANDARD, RADOS pool %s namespace objects\n" % (
            cluster.env()["CONFIANCE_CEPH_POOL"]) in shown, shown
        assert "pool local: FR, class STANDARD, local directory, default\n" in shown, shown

        # An online backup copies the local pools; the RADOS pool's blobs
        # are left to Ceph, and the backup says so.
        backup = os.path.join(str(tmp_path), "backup-objects")
        done = cli(srv, "--json", "backup", "start", backup, "--wait").json()
        assert done["state"] == "done", done
        assert done["pools_not_copied"] == ["ceph-fr"] and done["blobs_not_copied"] == 5, done
        with open(os.path.join(backup, "BACKUP.json")) as f:
            assert json.load(f)["pools_not_copied"] == ["ceph-fr"]
        text = cli(srv, "backup", "status").out
        assert "not copied: 5 blob(s) of the RADOS pool(s) ceph-fr" in text, text
        # Its check passes, and says what it could not look at.
        ok = subprocess.run([srv.binary, "admin", "verify-backup", "--keys-of", srv.data_dir, backup], capture_output=True, text=True,
                            timeout=120)
        assert ok.returncode == 0 and ": 0 damaged" in ok.stdout, ok
        assert "5 segments in pools the backup did not copy (ceph-fr) not checked" in ok.stdout, ok.stdout
        # A manifest edited to skip a pool the backup holds is refused.
        manifest_path = os.path.join(backup, "BACKUP.json")
        with open(manifest_path) as f:
            manifest = json.load(f)
        manifest["pools_not_copied"].append("local")
        with open(manifest_path, "w") as f:
            json.dump(manifest, f)
        bad = subprocess.run([srv.binary, "admin", "verify-backup", "--keys-of", srv.data_dir, backup], capture_output=True, text=True,
                             timeout=120)
        assert bad.returncode == 2 and "both copied and not copied" in bad.stderr, bad

        # A deletion (the blob goes just after the answer) leaves the
        # index; its stripes wait in a gc
        # bucket for readers that opened it before (docs/rados.md).
        before = ns.index()
        a.delete_object(Bucket="ceph", Key="many")
        deadline = time.time() + 10
        while time.time() < deadline and ns.index() == before:
            time.sleep(0.1)
        gone = before - ns.index()
        assert len(gone) == 1, (before, ns.index())
        assert gone <= ns.in_gc()
        assert a.get_object(Bucket="ceph", Key="one")["Body"].read() == bodies["one"]
    finally:
        ns.close()
        srv.stop_clean()
    srv.check_transparency_log()


def test_sigkill_during_puts_loses_no_acknowledged_object(tmp_path, cluster):
    srv = start(tmp_path, cluster, "crash", rados_stripe_mib=1)
    ns = Namespace(cluster, "crash")
    try:
        s3(srv, ACME).create_bucket(Bucket="crash")
        acked, _ = kill_during_puts(srv, ACME, "crash", writers=4, sizes=(70_000, 900_000, 2_500_000))
        assert len(acked) >= 4, acked
        # The restart waits out the dead server's lease (15 s at most).
        srv.start()
        a = s3(srv, ACME)
        for key, md5 in sorted(acked.items()):
            body = a.get_object(Bucket="crash", Key=key)["Body"].read()
            assert hashlib.md5(body).hexdigest() == md5, key
        # What the dead server left half-written was removed at the start:
        # every stripe belongs to a committed blob (or one in a gc bucket).
        known = ns.index() | ns.in_gc()
        orphans = set(ns.stripes()) - known
        assert not orphans, sorted(orphans)[:10]
        # (The new run has written nothing yet: no intents at all.)
        assert not [o for o in ns.objects() if o.startswith("confiance.intents.")], ns.objects()
        assert len(ns.omap_keys("confiance.boots")) == 1
    finally:
        ns.close()
        if srv.alive():
            srv.stop_clean()


def test_a_second_server_on_the_namespace_is_refused(tmp_path, cluster):
    first = start(tmp_path, cluster, "shared")
    try:
        second = AdminServer(os.path.join(str(tmp_path), "second"),
                             extra_args=["--pools", pools_file(tmp_path, cluster, "shared")])
        os.makedirs(second.workdir, exist_ok=True)
        with pytest.raises(ServerDied) as e:
            second.start()
        assert "in use by another Confiance server" in str(e.value), str(e.value)[-2000:]
        a = s3(first, ACME)
        a.create_bucket(Bucket="still")
        a.put_object(Bucket="still", Key="k", Body=os.urandom(200_000))
        assert len(a.get_object(Bucket="still", Key="k")["Body"].read()) == 200_000
        # Another holder takes the lease behind the first server's back (as
        # a misconfigured server would once the lease lapsed): the first
        # notices at its next renewal, refuses writes and reports itself not
        # ready, naming the pool, until a restart.
        ns = Namespace(cluster, "shared")
        try:
            ready = ns.take_lease_from(first, "confiance.owner")
            assert ready.status_code == 503, ready.text
            assert "RADOS pool ceph-fr: another server took the lease" in ready.text, ready.text
            assert s3_code(a.put_object, Bucket="still", Key="refused", Body=b"x")[0] == 503
            assert len(a.get_object(Bucket="still", Key="k")["Body"].read()) == 200_000
            ns.release_lease("confiance.owner")
        finally:
            ns.close()
    finally:
        first.stop_clean()


def test_a_stalled_osd_fails_writes_cleanly_and_they_resume(tmp_path, cluster):
    # (Last in the file: it stops the shared cluster's OSD for a while.)
    token_file, token = write_token(str(tmp_path))
    srv = start(tmp_path, cluster, "stall", server_args=["--metrics-token-file", token_file], rados_op_timeout=3)
    osd_pid = int(open(os.path.join(cluster.workdir, "run", "osd.0.pid")).read().strip())
    try:
        a = s3(srv, ACME)
        a.create_bucket(Bucket="stall")
        a.put_object(Bucket="stall", Key="before", Body=b"b" * 100_000)
        os.kill(osd_pid, signal.SIGSTOP)
        try:
            started = time.time()
            r = srv.request("PUT", "/stall/during", body=os.urandom(100_000), access_key=ACME[0],
                            secret_key=ACME[1], timeout=60)
            took = time.time() - started
        finally:
            os.kill(osd_pid, signal.SIGCONT)
        # The op timeout, not a hang: 503, which clients retry.
        assert r.status == 503, (r.status, r.body)
        assert b"<Code>ServiceUnavailable</Code>" in r.body, r.body
        assert took < 30, took
        assert srv.alive()
        # Writes resume by themselves once the OSD is back.
        deadline = time.time() + 60
        while True:
            r = srv.request("PUT", "/stall/after", body=b"a" * 100_000, access_key=ACME[0], secret_key=ACME[1])
            if r.status == 200 or time.time() > deadline:
                break
            time.sleep(1)
        assert r.status == 200, (r.status, r.body, srv.log_tail(20))
        assert a.get_object(Bucket="stall", Key="after")["Body"].read() == b"a" * 100_000
        assert a.get_object(Bucket="stall", Key="before")["Body"].read() == b"b" * 100_000
        assert s3_code(a.head_object, Bucket="stall", Key="during")[0] == 404
        # The operator's metrics tell the stall apart from a local fault:
        # RADOS timeouts on this pool, the lease held again, the cluster's
        # space, the bytes that went to Ceph and came back.
        m = samples(scrape(srv, token))
        pool = {"pool": "ceph-fr"}
        assert value(m, "confiance_rados_errors_total", kind="timeout", **pool) >= 1, m
        assert value(m, "confiance_rados_errors_total", kind="denied", **pool) == 0
        assert value(m, "confiance_rados_lease_held", **pool) == 1
        assert value(m, "confiance_rados_written_bytes_total", **pool) >= 200_000
        assert value(m, "confiance_rados_read_bytes_total", **pool) >= 200_000
        assert 0 < value(m, "confiance_rados_cluster_used_bytes", **pool) < value(m, "confiance_rados_cluster_bytes",
                                                                                  **pool)
        # The calls' times: every kind the PUTs and GETs made was observed,
        # and the stalled call took its whole 3 s timeout (above the 2.5 s
        # bound): the stall shows as the cluster's latency.
        ops = ("write", "read", "omap_read", "omap_write")
        for op in ops:
            assert value(m, "confiance_rados_op_duration_seconds_count", op=op, **pool) >= 1, (op, m)
        slow = sum(value(m, "confiance_rados_op_duration_seconds_count", op=op, **pool)
                   - value(m, "confiance_rados_op_duration_seconds_bucket", op=op, le="2.5", **pool) for op in ops)
        assert slow >= 1, m
        assert srv.request("GET", "/_confiance/ready").status == 200
    finally:
        srv.stop_clean()

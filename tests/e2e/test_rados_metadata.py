"""Metadata on a Ceph cluster (docs/rados.md, "Metadata on RADOS"), end to
end: a real single-node Ceph cluster (tests/ceph/ceph_cluster.py) and the
real server whose data directory holds a `metadata.toml` naming a RADOS
pool. Every record (buckets, objects, users, the transparency log) is then
an omap entry there: the data directory has no `meta/`, the values on the
OSDs are sealed (no marker written in user metadata, tags or inline data
appears in them), S3 works as on the embedded store, a SIGKILL during
concurrent PUTs loses no acknowledged object, a second server on the
namespace and a data directory with another metadata key are refused, a
replacement gateway given only the lost one's keys serves what it stored,
an online backup taken during writes restores as one point of the commit
order, and a directory with local metadata and a re-sealing under a new
key are refused (no switch by mistake, no re-sealing yet). A directory's metadata moves from its local
store onto the pool, to another namespace under a new metadata key and
back (`admin move-metadata`) with every object, version, tag and
transparency-log entry, and leaves no copy behind. Background work waits
for its worker lease on the namespace. A change another gateway leaves
unacknowledged waits out that gateway's fence before it is answered."""

import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time

import pytest
import rados

import cephutil
import logcheck
from adminutil import AdminServer, cli, kill_during_puts, s3
from conftest import ServerDied
from metricsutil import samples, scrape, value, write_token
from test_residency import blob_files

ACME = ("ACMERADOSMETAKEY0001", "acme-rados-meta-secret-0123456789abc")
MARKER = b"CONFIANCE-META-PLAINTEXT-MARKER-51c2"


@pytest.fixture(scope="module")
def cluster():
    yield from cephutil.serve_cluster("ceph-meta")


def write_location(data_dir, cluster, namespace):
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "metadata.toml"), "w") as f:
        f.write(location_text(cluster, namespace))


def location_text(cluster, namespace):
    env = cluster.env()
    return ('rados_pool = "%s"\nceph_conf = "%s"\nceph_user = "%s"\nceph_keyring = "%s"\nrados_namespace = "%s"\n' % (
        env["CONFIANCE_CEPH_POOL"], env["CONFIANCE_CEPH_CONF"], env["CONFIANCE_CEPH_USER"],
        env["CONFIANCE_CEPH_KEYRING"], namespace))


def location_file(tmp_path, cluster, namespace):
    """A metadata.toml for `namespace`, outside any data directory."""
    path = os.path.join(str(tmp_path), namespace + ".toml")
    with open(path, "w") as f:
        f.write(location_text(cluster, namespace))
    return path


def server(tmp_path, cluster, namespace, name=None, extra_args=()):
    srv = AdminServer(os.path.join(str(tmp_path), name or ("srv-" + namespace)), extra_args=list(extra_args))
    os.makedirs(srv.workdir, exist_ok=True)
    write_location(srv.data_dir, cluster, namespace)
    return srv


def test_s3_on_metadata_in_ceph_with_sealed_values(tmp_path, cluster):
    token_file, token = write_token(str(tmp_path))
    srv = server(tmp_path, cluster, "s3", extra_args=["--metrics-token-file", token_file])
    srv.start()
    ns = cephutil.Namespace(cluster, "s3")
    try:
        with open(srv.log_path, "rb") as f:
            started = f.read().decode(errors="replace")
        assert "metadata in RADOS pool %s namespace 's3'" % cluster.env()["CONFIANCE_CEPH_POOL"] in started, started
        cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        a = s3(srv, ACME)
        a.create_bucket(Bucket="meta")
        a.put_bucket_versioning(Bucket="meta", VersioningConfiguration={"Status": "Enabled"})
        # Small objects live inline in the metadata: the marker is in a
        # record's value, as are the user metadata and the tags.
        bodies = {"docs/a.txt": MARKER, "docs/b.txt": MARKER * 3, "big.bin": os.urandom(300_000)}
        for key, body in bodies.items():
            a.put_object(Bucket="meta", Key=key, Body=body, Metadata={"note": MARKER.decode()},
                         Tagging="label=" + MARKER.decode())
        v1 = a.put_object(Bucket="meta", Key="docs/a.txt", Body=b"second")["VersionId"]
        for key, body in bodies.items():
            if key != "docs/a.txt":
                got = a.get_object(Bucket="meta", Key=key)
                assert got["Body"].read() == body, key
                assert got["Metadata"] == {"note": MARKER.decode()}
        assert a.get_object(Bucket="meta", Key="docs/a.txt")["Body"].read() == b"second"
        versions = a.list_object_versions(Bucket="meta", Prefix="docs/a.txt")["Versions"]
        assert [v["VersionId"] for v in versions if v["IsLatest"]] == [v1]
        listing = a.list_objects_v2(Bucket="meta", Prefix="docs/", Delimiter="/")
        assert [o["Key"] for o in listing["Contents"]] == ["docs/a.txt", "docs/b.txt"], listing
        # Many keys: listings merge partitions and page.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: a.put_object(Bucket="meta", Key="many/%04d" % i, Body=b"x"), range(300)))
        keys = []
        for page in a.get_paginator("list_objects_v2").paginate(Bucket="meta", Prefix="many/",
                                                               PaginationConfig={"PageSize": 70}):
            keys += [o["Key"] for o in page.get("Contents", [])]
        assert keys == ["many/%04d" % i for i in range(300)]
        a.delete_object(Bucket="meta", Key="big.bin")
        assert "Contents" not in a.list_objects_v2(Bucket="meta", Prefix="big")

        # No local metadata store: the records are omap entries in Ceph.
        assert not os.path.exists(os.path.join(srv.data_dir, "meta")), os.listdir(srv.data_dir)
        assert os.path.exists(os.path.join(srv.data_dir, "meta.key"))
        objects = ns.objects()
        assert "confiance.meta.owner" in objects, objects
        partitions = [o for o in objects if o.startswith("m.")]
        assert len(partitions) >= 5, objects
        values = 0
        for oid in partitions:
            for k, v in ns.omap(oid).items():
                values += 1
                assert MARKER not in v, "plaintext in %s %r" % (oid, k)
                assert v[:1] == b"\x01", (oid, k, v[:8])  # sealed, version 1
        assert values > 300, values

        # The operator sees the metadata's calls to the cluster, and the lease.
        m = samples(scrape(srv, token))
        assert value(m, "confiance_rados_metadata_lease_held") == 1
        # (Concurrent commits to one partition share one write: 8 at a time
        # above, so the 300 PUTs alone make at least 300 / 8.)
        assert value(m, "confiance_rados_metadata_op_duration_seconds_count", op="omap_write") >= 300 / 8, m
        assert value(m, "confiance_rados_metadata_op_duration_seconds_count", op="omap_read") > 300, m
        assert value(m, "confiance_rados_metadata_errors_total", kind="timeout") == 0

        # An online backup copies a snapshot of the metadata into a local
        # store while writes go on: the backup is a data directory with
        # local metadata, of one point of the commit order.
        backup = os.path.join(str(tmp_path), "backup")
        stop = threading.Event()
        during = []

        def writer():
            i = 0
            while not stop.is_set() and i < 2000:
                a.put_object(Bucket="meta", Key="during/%04d" % i, Body=b"during %d" % i)
                during.append(i)
                i += 1
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.3)
        try:
            done = cli(srv, "--json", "backup", "start", backup, "--include-root-key", "--wait").json()
        finally:
            time.sleep(0.3)
            stop.set()
            thread.join(timeout=60)
        assert done["state"] == "done", done
        assert len(during) > 5, during
        with open(os.path.join(backup, "BACKUP.json")) as f:
            assert json.load(f)["metadata"] == "snapshot"
        assert os.path.isfile(os.path.join(backup, "meta", "CURRENT"))
        assert not os.path.exists(os.path.join(backup, "metadata.toml"))
        for root, _, files in os.walk(os.path.join(backup, "meta")):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    assert MARKER not in f.read(), name  # encrypted under the metadata key
    finally:
        ns.close()
        srv.stop_clean()

    # The backup checks out (every blob its metadata names, at its size).
    verified = subprocess.run([srv.binary, "admin", "verify-backup", backup], capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0 and ": 0 damaged" in verified.stdout, verified

    # The backup, restored: everything from before it, and of the writes
    # during it a prefix (each listed key reads back).
    restored = AdminServer(os.path.join(str(tmp_path), "restored"), data_dir=backup)
    os.makedirs(restored.workdir, exist_ok=True)
    restored.start()
    try:
        r = s3(restored, ACME)
        assert r.get_object(Bucket="meta", Key="docs/b.txt")["Body"].read() == MARKER * 3
        assert r.get_object(Bucket="meta", Key="docs/a.txt")["Body"].read() == b"second"
        assert r.get_object_tagging(Bucket="meta", Key="docs/b.txt")["TagSet"] == [
            {"Key": "label", "Value": MARKER.decode()}]
        keys = []
        for page in r.get_paginator("list_objects_v2").paginate(Bucket="meta", Prefix="many/"):
            keys += [o["Key"] for o in page.get("Contents", [])]
        assert keys == ["many/%04d" % i for i in range(300)]
        got = [o["Key"] for o in r.list_objects_v2(Bucket="meta", Prefix="during/", MaxKeys=1000).get("Contents", [])]
        assert got == ["during/%04d" % i for i in range(len(got))], got
        assert 0 < len(got) < len(during) + 1, (len(got), len(during))
        for key in got:
            assert r.get_object(Bucket="meta", Key=key)["Body"].read() == b"during %d" % int(key[-4:])
    finally:
        restored.stop_clean()
    restored.check_transparency_log()

    # The transparency log, read back offline from Ceph, has every request.
    srv.check_transparency_log()

    # A restart finds everything again.
    srv.start()
    try:
        a = s3(srv, ACME)
        assert a.get_object(Bucket="meta", Key="docs/b.txt")["Body"].read() == MARKER * 3
        assert a.get_object_tagging(Bucket="meta", Key="docs/b.txt")["TagSet"] == [
            {"Key": "label", "Value": MARKER.decode()}]
    finally:
        srv.stop_clean()


def test_sigkill_during_puts_loses_no_acknowledged_object(tmp_path, cluster):
    srv = server(tmp_path, cluster, "crash")
    srv.start()
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        s3(srv, ACME).create_bucket(Bucket="crash")
        # Small and inline, or not; each key overwritten about every 40 PUTs.
        acked, unanswered = kill_during_puts(srv, ACME, "crash", writers=6, sizes=(100, 5_000, 200_000),
                                             keys_per_writer=40)
        assert len(acked) >= 6, acked
        # The restart waits out the dead server's lease (15 s at most).
        srv.start()
        a = s3(srv, ACME)
        for key, md5 in sorted(acked.items()):
            body = a.get_object(Bucket="crash", Key=key)["Body"].read()
            # The last acknowledged write of a key, or the one in flight at
            # the kill (its PUT may have landed without its answer).
            assert hashlib.md5(body).hexdigest() in (md5, unanswered.get(key)), key
        listed = {o["Key"] for o in a.list_objects_v2(Bucket="crash", MaxKeys=1000).get("Contents", [])}
        assert set(acked) <= listed, sorted(set(acked) - listed)[:5]
    finally:
        if srv.alive():
            srv.stop_clean()


def test_a_replacement_gateway_serves_what_the_lost_one_stored(tmp_path, cluster):
    # Everything on Ceph: the metadata, and the objects in a RADOS pool
    # listed first. The gateway dies (SIGKILL); another data directory with
    # only its keys, meta.key and metadata.toml takes over.
    env = cluster.env()
    pools = os.path.join(str(tmp_path), "pools.toml")
    with open(pools, "w") as f:
        f.write('[[pool]]\nname = "ceph-fr"\njurisdiction = "FR"\nrados_pool = "%s"\nceph_conf = "%s"\n'
                'ceph_user = "%s"\nceph_keyring = "%s"\nrados_namespace = "failover-data"\n' % (
                    env["CONFIANCE_CEPH_POOL"], env["CONFIANCE_CEPH_CONF"], env["CONFIANCE_CEPH_USER"],
                    env["CONFIANCE_CEPH_KEYRING"]))
    lost = server(tmp_path, cluster, "failover", name="lost", extra_args=["--pools", pools])
    lost.start()
    bodies = {"small": MARKER, "large": os.urandom(3_000_000), "dir/x": b"x" * 70_000}
    try:
        cli(lost, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        a = s3(lost, ACME)
        a.create_bucket(Bucket="kept")
        for key, body in bodies.items():
            a.put_object(Bucket="kept", Key=key, Body=body)
    finally:
        lost.kill()
    assert blob_files(os.path.join(lost.data_dir, "blobs")) == set(), "objects on the lost gateway's disk"

    replacement = server(tmp_path, cluster, "failover", name="replacement", extra_args=["--pools", pools])
    shutil.copytree(os.path.join(lost.data_dir, "keys"), os.path.join(replacement.data_dir, "keys"))
    shutil.copy2(os.path.join(lost.data_dir, "meta.key"), os.path.join(replacement.data_dir, "meta.key"))
    started = time.time()
    replacement.start()  # waits out the lost one's leases
    try:
        assert time.time() - started < 60
        a = s3(replacement, ACME)
        for key, body in bodies.items():
            assert a.get_object(Bucket="kept", Key=key)["Body"].read() == body, key
        assert sorted(o["Key"] for o in a.list_objects_v2(Bucket="kept")["Contents"]) == sorted(bodies)
        a.put_object(Bucket="kept", Key="after", Body=b"new")
        assert a.get_object(Bucket="kept", Key="after")["Body"].read() == b"new"
    finally:
        replacement.stop_clean()
    # Re-sealing in place under a new metadata key is refused, saying how.
    out = subprocess.run([replacement.binary, "admin", "encrypt-metadata", "--new-key", "--data", replacement.data_dir],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "its metadata is on RADOS" in out.stderr, out
    assert "--to-rados FILE --new-key" in out.stderr, out


def test_a_second_server_or_another_key_is_refused(tmp_path, cluster):
    first = server(tmp_path, cluster, "shared", name="first")
    first.start()
    try:
        second = server(tmp_path, cluster, "shared", name="second")
        with pytest.raises(ServerDied) as e:
            second.start()
        assert "in use by another Confiance server" in str(e.value), str(e.value)[-2000:]
        assert first.request("PUT", "/still").status == 200
    finally:
        first.stop_clean()
    # Once the first has stopped, a directory with another root key and
    # metadata key cannot open the namespace's sealed records.
    third = server(tmp_path, cluster, "shared", name="third")
    with pytest.raises(ServerDied) as e:
        third.start()
    assert "sealed under another metadata key" in str(e.value), str(e.value)[-2000:]


def test_a_server_whose_lease_was_taken_refuses_writes_and_says_so(tmp_path, cluster):
    token_file, token = write_token(str(tmp_path))
    srv = server(tmp_path, cluster, "taken", extra_args=["--metrics-token-file", token_file])
    srv.start()
    ns = cephutil.Namespace(cluster, "taken")
    try:
        assert srv.request("PUT", "/kept").status == 200
        assert srv.request("PUT", "/kept/k", body=b"v").status == 200
        # Another holder takes the lease behind the server's back (as a
        # misconfigured second server would once it lapsed): at its next
        # renewal the server refuses writes and reports itself not ready.
        ready = ns.take_lease_from(srv, "confiance.meta.owner")
        assert ready.status_code == 503, ready.text
        assert "another server took this server's lease" in ready.text, ready.text
        r = srv.request("PUT", "/kept/refused", body=b"x")
        assert r.status == 503 and r.error_code() == "ServiceUnavailable", r.body
        assert value(samples(scrape(srv, token)), "confiance_rados_metadata_lease_held") == 0
        ns.release_lease("confiance.meta.owner")
    finally:
        ns.close()
        srv.kill()


def test_background_work_waits_for_its_worker_lease(tmp_path, cluster):
    """Each kind of background work takes a worker lease on the namespace
    (docs/rados.md, "Several gateways"): while another gateway holds the
    lifecycle's, this server expires nothing; once that one lets it go, this
    server takes it over and does the work, and holds it until it stops."""
    ns = cephutil.Namespace(cluster, "workers")
    oid = "confiance.meta.worker.lifecycle"
    ns.io.lock_exclusive(oid, "confiance.worker", "other-gateway", desc="test", duration=120)
    token_file, token = write_token(str(tmp_path))
    srv = server(tmp_path, cluster, "workers",
                 extra_args=["--lifecycle-interval", "1", "--lifecycle-day-seconds", "1",
                             "--metrics-token-file", token_file])

    def lease_held(work):
        parsed = samples(scrape(srv, token))
        key = ("confiance_rados_metadata_worker_lease_held", frozenset({("work", work)}))
        assert key in parsed, sorted(k for k in parsed if "worker_lease" in k[0])
        return parsed[key]

    srv.start()
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        a = s3(srv, ACME)
        a.create_bucket(Bucket="expiring")
        a.put_object(Bucket="expiring", Key="old", Body=b"x")
        a.put_bucket_lifecycle_configuration(Bucket="expiring", LifecycleConfiguration={"Rules": [
            {"ID": "all", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]})

        def keys():
            return [o["Key"] for o in a.list_objects_v2(Bucket="expiring").get("Contents", [])]

        def logged(text):
            with open(srv.log_path, "rb") as f:
                return text in f.read().decode(errors="replace")

        # Due after a "day" of 1 s; ticks every second; for 6 s, not this
        # server's work.
        time.sleep(6)
        assert keys() == ["old"]
        assert logged("background work 'lifecycle': another server does it")
        assert lease_held("lifecycle") == 0
        ns.io.unlock(oid, "confiance.worker", "other-gateway")
        deadline = time.monotonic() + 30
        while keys() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert keys() == []
        assert logged("background work 'lifecycle': this server does it now")
        assert lease_held("lifecycle") == 1
        # Now the server's: another gateway cannot take it.
        with pytest.raises(rados.Error):
            ns.io.lock_exclusive(oid, "confiance.worker", "other-gateway", desc="test", duration=120)
        srv.stop_clean()
        # Released at a clean stop: free at once.
        ns.io.lock_exclusive(oid, "confiance.worker", "other-gateway", desc="test", duration=120)
        ns.io.unlock(oid, "confiance.worker", "other-gateway")
    finally:
        ns.close()
        if srv.alive():
            srv.kill()


def test_local_metadata_is_not_switched_over(tmp_path, cluster):
    srv = AdminServer(os.path.join(str(tmp_path), "local"))
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    srv.stop_clean()
    assert os.path.exists(os.path.join(srv.data_dir, "meta", "CURRENT"))
    write_location(srv.data_dir, cluster, "switch")
    with pytest.raises(ServerDied) as e:
        srv.start()
    assert "holds local metadata" in str(e.value), str(e.value)[-2000:]
    # A bad location file is refused with its problem.
    with open(os.path.join(srv.data_dir, "metadata.toml"), "w") as f:
        f.write('rados_pool = "x"\nrados_stripe_mib = 4\n')
    shutil.rmtree(os.path.join(srv.data_dir, "meta"))
    with pytest.raises(ServerDied) as e:
        srv.start()
    assert "unknown key 'rados_stripe_mib'" in str(e.value), str(e.value)[-2000:]
    # An offline command that reads the directory's files says it cannot.
    write_location(srv.data_dir, cluster, "switch")
    receipt = os.path.join(str(tmp_path), "receipt")
    with open(receipt, "w") as f:
        f.write("{}")
    out = subprocess.run([srv.binary, "admin", "shred-check", "--data", srv.data_dir, "--receipt", receipt],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "reads local metadata only" in out.stdout + out.stderr, out


def move_metadata(srv, *args):
    return subprocess.run([srv.binary, "admin", "move-metadata", "--data", srv.data_dir] + list(args),
                          capture_output=True, text=True, timeout=300)


def test_metadata_moves_onto_ceph_and_back(tmp_path, cluster):
    srv = AdminServer(os.path.join(str(tmp_path), "moving"))
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    big = os.urandom(2_000_000)
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        a = s3(srv, ACME)
        a.create_bucket(Bucket="moving")
        a.put_bucket_versioning(Bucket="moving", VersioningConfiguration={"Status": "Enabled"})
        first = a.put_object(Bucket="moving", Key="doc", Body=MARKER, Tagging="label=one")["VersionId"]
        second = a.put_object(Bucket="moving", Key="doc", Body=b"second", Metadata={"note": "kept"})["VersionId"]
        a.put_object(Bucket="moving", Key="big.bin", Body=big)
        # More than one page of a listing and of the copy's scans.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: a.put_object(Bucket="moving", Key="many/%04d" % i, Body=b"%d" % i), range(1200)))
    finally:
        srv.stop_clean()

    def expect_everything(a, more=()):
        assert a.get_object(Bucket="moving", Key="doc")["Body"].read() == b"second"
        assert a.get_object(Bucket="moving", Key="doc", VersionId=first)["Body"].read() == MARKER
        assert a.get_object_tagging(Bucket="moving", Key="doc", VersionId=first)["TagSet"] == [
            {"Key": "label", "Value": "one"}]
        assert a.head_object(Bucket="moving", Key="doc")["Metadata"] == {"note": "kept"}
        assert [v["VersionId"] for v in a.list_object_versions(Bucket="moving", Prefix="doc")["Versions"]] == [
            second, first]
        assert a.get_object(Bucket="moving", Key="big.bin")["Body"].read() == big
        keys = []
        for page in a.get_paginator("list_objects_v2").paginate(Bucket="moving", Prefix="many/"):
            keys += [o["Key"] for o in page.get("Contents", [])]
        assert keys == ["many/%04d" % i for i in range(1200)]
        for key, body in more:
            assert a.get_object(Bucket="moving", Key=key)["Body"].read() == body

    # Onto Ceph: the target file is the operator's; it becomes the
    # directory's metadata.toml.
    target = location_file(tmp_path, cluster, "moved")
    out = move_metadata(srv, "--to-rados", target)
    assert out.returncode == 0, out
    assert "copied onto RADOS and compared" in out.stdout, out
    assert sorted(os.listdir(srv.data_dir)) == ["LOCK", "blobs", "keys", "meta.key", "metadata.toml"], \
        os.listdir(srv.data_dir)
    ns = cephutil.Namespace(cluster, "moved")
    try:
        partitions = [o for o in ns.objects() if o.startswith("m.")]
        assert len(partitions) >= 5, partitions
        for oid in partitions:
            for k, v in ns.omap(oid).items():
                assert MARKER not in v and v[:1] == b"\x01", (oid, k)
        # Twice is refused, and so is another directory into the same
        # namespace (before it looks for partitions there: the namespace is
        # bound to this directory's metadata key).
        again = move_metadata(srv, "--to-rados", target)
        assert again.returncode != 0 and "is on that RADOS pool already" in again.stderr, again
        other = AdminServer(os.path.join(str(tmp_path), "other"))
        os.makedirs(other.workdir, exist_ok=True)
        other.start()
        other.stop_clean()
        refused = move_metadata(other, "--to-rados", target)
        assert refused.returncode != 0 and "sealed under another metadata key" in refused.stderr, refused
        assert os.path.exists(os.path.join(other.data_dir, "meta", "CURRENT"))

        srv.start()
        try:
            with open(srv.log_path, "rb") as f:
                assert b"namespace 'moved'" in f.read()
            a = s3(srv, ACME)
            expect_everything(a)
            a.put_object(Bucket="moving", Key="written-on-ceph", Body=b"ceph")
            a.delete_object(Bucket="moving", Key="many/0000")
            a.put_object(Bucket="moving", Key="many/0000", Body=b"0")
        finally:
            srv.stop_clean()
        # The transparency log continues across the move: every response
        # before and after it has its entry, in one tree.
        srv.check_transparency_log()

        # To another namespace (as to another pool or cluster), under a new
        # metadata key: the namespace it leaves is emptied, the old key gone.
        other_namespace = location_file(tmp_path, cluster, "moved-2")
        with open(os.path.join(srv.data_dir, "meta.key"), "rb") as f:
            old_key = f.read()
        out = move_metadata(srv, "--to-rados", other_namespace, "--new-key")
        assert out.returncode == 0, out
        assert "a new metadata key); " in out.stdout and "dropped from the namespace it left" in out.stdout, out
        with open(os.path.join(srv.data_dir, "meta.key"), "rb") as f:
            assert f.read() != old_key
        assert not os.path.exists(os.path.join(srv.data_dir, "meta.new.key"))
        assert [o for o in ns.objects() if o.startswith("m.")] == [], ns.objects()
        with open(os.path.join(srv.data_dir, "metadata.toml")) as f:
            assert 'rados_namespace = "moved-2"' in f.read()
        srv.start()
        try:
            with open(srv.log_path, "rb") as f:
                assert b"namespace 'moved-2'" in f.read()
            expect_everything(s3(srv, ACME), more=[("written-on-ceph", b"ceph")])
        finally:
            srv.stop_clean()
        ns2 = cephutil.Namespace(cluster, "moved-2")
        try:
            # And back: the namespace is emptied.
            out = move_metadata(srv, "--to-local")
            assert out.returncode == 0, out
            assert "copied into a local store and compared" in out.stdout, out
            assert [o for o in ns2.objects() if o.startswith("m.")] == [], ns2.objects()
        finally:
            ns2.close()
    finally:
        ns.close()
    assert sorted(os.listdir(srv.data_dir)) == ["LOCK", "blobs", "keys", "meta", "meta.key"], os.listdir(srv.data_dir)
    # Each move is in the operator's transparency log, where it went.
    operator_log = next(entries for origin, entries in logcheck.read_logs(srv.binary, srv.data_dir).items()
                        if origin.endswith("/operator"))
    moves = [(e["details"]["to"], e["details"].get("new_metadata_key")) for e in operator_log
             if e.get("action") == "MoveMetadata"]
    assert moves == [("rados pool %s namespace 'moved'" % cluster.env()["CONFIANCE_CEPH_POOL"], None),
                     ("rados pool %s namespace 'moved-2'" % cluster.env()["CONFIANCE_CEPH_POOL"], "true"),
                     ("local", None)], moves
    srv.start()
    try:
        expect_everything(s3(srv, ACME), more=[("written-on-ceph", b"ceph")])
    finally:
        srv.stop_clean()
    srv.check_transparency_log()

    # A move stopped half-way (as a crash after its first step leaves it):
    # the server refuses the directory, and the move run again finishes. (A
    # new namespace: "moved" stays bound to the metadata key of before.)
    third = location_file(tmp_path, cluster, "moved-3")
    refused = move_metadata(srv, "--to-rados", target)
    assert refused.returncode != 0 and "sealed under another metadata key" in refused.stderr, refused
    shutil.copy2(third, os.path.join(srv.data_dir, "metadata.to-rados"))
    with pytest.raises(ServerDied) as e:
        srv.start()
    assert "metadata to RADOS was interrupted" in str(e.value), str(e.value)[-2000:]
    out = move_metadata(srv, "--to-rados", third)
    assert out.returncode == 0 and "(started again)" in out.stdout, out
    srv.start()
    try:
        expect_everything(s3(srv, ACME), more=[("written-on-ceph", b"ceph")])
    finally:
        srv.stop_clean()


def test_a_change_a_silent_gateway_leaves_unanswered_waits_out_its_fence(tmp_path, cluster):
    """docs/rados.md, "Several gateways", item 1: a watcher of the change
    notices that does not acknowledge (here a python watch whose callback
    outlasts the notice's 5 s timeout, as a paused gateway) makes a bucket
    change wait until such a gateway can no longer use its caches (5 s,
    then the rest of the 10 s fence and a 1 s margin) before its 200; the
    metrics count it as fenced. With only answering watchers, a change is
    answered at once and counted as acknowledged."""
    ns = cephutil.Namespace(cluster, "fence")
    token_file, token = write_token(str(tmp_path))
    srv = server(tmp_path, cluster, "fence", extra_args=["--metrics-token-file", token_file])
    srv.start()
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
        a = s3(srv, ACME)
        a.create_bucket(Bucket="fenced")
        start = time.monotonic()
        a.put_bucket_tagging(Bucket="fenced", Tagging={"TagSet": [{"Key": "k", "Value": "answered"}]})
        assert time.monotonic() - start < 3
        notices = samples(scrape(srv, token))
        acknowledged = value(notices, "confiance_rados_metadata_notices_total", result="acknowledged")
        assert acknowledged >= 1
        assert value(notices, "confiance_rados_metadata_notices_total", result="fenced") == 0

        heard = []

        def silent(notify_id, notifier_id, watch_id, data):
            heard.append(data)
            time.sleep(7)  # (the acknowledgement goes after the callback)

        watch = ns.io.watch("confiance.meta.notices", silent)
        try:
            start = time.monotonic()
            a.put_bucket_tagging(Bucket="fenced", Tagging={"TagSet": [{"Key": "k", "Value": "fenced"}]})
            took = time.monotonic() - start
            assert took >= 10.5, took
            assert any(b"fenced" in d for d in heard), heard
            notices = samples(scrape(srv, token))
            assert value(notices, "confiance_rados_metadata_notices_total", result="fenced") == 1
            assert value(notices, "confiance_rados_metadata_notices_total", result="failed") == 0
            assert a.get_bucket_tagging(Bucket="fenced")["TagSet"] == [{"Key": "k", "Value": "fenced"}]
        finally:
            watch.close()
        with open(srv.log_path, "rb") as f:
            assert b"not acknowledged within 5000 ms by client." in f.read()
    finally:
        ns.close()
        srv.kill()

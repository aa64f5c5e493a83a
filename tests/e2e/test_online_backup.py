"""Online backup of a running server (docs/backup.md), end to end: a server
with two storage pools besides its own, a tenant, inline, packaged,
multipart and versioned objects, writes and deletes going on from another
thread, is backed up with `confiance admin backup start --wait`. Then more
objects are deleted and overwritten; the server stops; an offline scrub of
the backup finds nothing damaged; a second server started on the backup
(the restore: the backup is a data directory) serves every object as it was
when the backup started, versions and delete markers included; writes
acknowledged before the backup began are all there and those sent after it
ended are not; the backup holds the metadata, the blobs of every pool and
(on request) the root key, with private modes; a second backup into the
same path, one inside the data directory, a relative path and a tenant's
request are refused with clear errors."""

import hashlib
import json
import os
import stat
import subprocess
import threading
import tempfile
import time

import pytest

from adminutil import AdminServer, admin_request, cli, error_of, s3 as s3_for
from conftest import unique_bucket
from metricsutil import samples, scrape, value, write_token

ACME = ("ACMEROOTBACKUPKEY001", "acme-backup-secret-0123456789")
MiB = 1024 * 1024
POOLS = [("fr-paris", "FR", "eu-west-3"), ("de-frankfurt", "DE", "eu-central-1")]


def write_pools(root, base):
    """A pools file for pool directories under `base`; returns (file, {name: dir})."""
    dirs = {name: os.path.join(base, name) for name, _, _ in POOLS}
    text = "".join('[[pool]]\nname = "%s"\ndirectory = "%s"\njurisdiction = "%s"\nregion = "%s"\n'
                   'operator = "test operator"\nciphertext_only = false\n\n' % (name, dirs[name], jur, region)
                   for name, jur, region in POOLS)
    path = os.path.join(root, os.path.basename(base) + ".toml")
    with open(path, "w") as f:
        f.write(text)
    return path, dirs


@pytest.fixture
def other_file_system():
    """A directory on a file system of its own: a tmpfs mounted for the
    test (as root, as test_disk_full does), else /dev/shm when it has room."""
    if os.geteuid() == 0:
        mnt = tempfile.mkdtemp(prefix="confiance-backup-fs-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1g,mode=0755", "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode == 0:
            yield mnt
            subprocess.run(["umount", "-l", mnt], check=False)
            os.rmdir(mnt)
            return
        os.rmdir(mnt)
    st = os.statvfs("/dev/shm") if os.path.isdir("/dev/shm") else None
    if st is None or st.f_bavail * st.f_frsize < 1 << 30:
        pytest.skip("needs root to mount a tmpfs, or 1 GiB free in /dev/shm")
    d = tempfile.mkdtemp(prefix="confiance-backup-", dir="/dev/shm")
    yield d
    subprocess.run(["rm", "-rf", d], check=False)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read_all(s3, bucket, key, **kw):
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def versions_of(s3, bucket):
    r = s3.list_object_versions(Bucket=bucket)
    return ([(v["Key"], v["VersionId"], v["IsLatest"], v["ETag"]) for v in r.get("Versions", [])],
            [(m["Key"], m["VersionId"], m["IsLatest"]) for m in r.get("DeleteMarkers", [])])


class Churn:
    """PUTs new keys and DELETEs older ones in one bucket until stopped,
    recording when each was sent and acknowledged (bounded: at most 2,000
    operations)."""

    def __init__(self, s3, bucket):
        self.s3, self.bucket = s3, bucket
        self.puts = []     # (key, sha, sent, acked)
        self.deletes = []  # (key, sent, acked)
        self.stop = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            for i in range(1000):
                if self.stop.is_set():
                    return
                key = "churn/%04d" % i
                data = os.urandom(300 + (i % 5) * 40000)  # inline and blob-backed
                sent = time.monotonic()
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
                self.puts.append((key, sha(data), sent, time.monotonic()))
                if i % 3 == 2:
                    victim = "churn/%04d" % (i - 2)
                    sent = time.monotonic()
                    self.s3.delete_object(Bucket=self.bucket, Key=victim)
                    self.deletes.append((victim, sent, time.monotonic()))
        except Exception as e:  # noqa: BLE001
            self.error = e


def test_online_backup_restores_the_service_as_it_was(tmp_path):
    live_pools_file, live_pool_dirs = write_pools(str(tmp_path), str(tmp_path / "pools"))
    srv = AdminServer(str(tmp_path), extra_args=["--pools", live_pools_file, "--jurisdiction", "FR"])
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    acme = s3_for(srv, ACME)
    paris, frankfurt, versioned, churn_bucket = (unique_bucket(n) for n in ("paris", "frankfurt", "ver", "churn"))
    acme.create_bucket(Bucket=paris)
    acme.create_bucket(Bucket=frankfurt, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    acme.create_bucket(Bucket=versioned)
    acme.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})
    acme.create_bucket(Bucket=churn_bucket)

    expected = {}  # (bucket, key) -> sha256 of the body at backup time
    for bucket in (paris, frankfurt):
        for key, size in (("inline", 100), ("packaged", 300 * 1024), ("big", 5 * MiB + 3)):
            data = os.urandom(size)
            acme.put_object(Bucket=bucket, Key=key, Body=data)
            expected[(bucket, key)] = sha(data)
    parts = [os.urandom(5 * MiB), os.urandom(MiB + 7)]
    up = acme.create_multipart_upload(Bucket=frankfurt, Key="multipart")["UploadId"]
    etags = [acme.upload_part(Bucket=frankfurt, Key="multipart", UploadId=up, PartNumber=n + 1, Body=p)["ETag"]
             for n, p in enumerate(parts)]
    acme.complete_multipart_upload(Bucket=frankfurt, Key="multipart", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    expected[(frankfurt, "multipart")] = sha(b"".join(parts))
    old, new = os.urandom(200 * 1024), os.urandom(150)
    v_old = acme.put_object(Bucket=versioned, Key="doc", Body=old)["VersionId"]
    v_new = acme.put_object(Bucket=versioned, Key="doc", Body=new)["VersionId"]
    acme.put_object(Bucket=versioned, Key="deleted", Body=b"was here")
    acme.delete_object(Bucket=versioned, Key="deleted")
    versions_before = versions_of(acme, versioned)

    # The backup, while another client writes and deletes.
    churn = Churn(s3_for(srv, ACME), churn_bucket)
    churn.thread.start()
    time.sleep(0.5)
    backup = str(tmp_path / "backups" / "first")
    os.mkdir(str(tmp_path / "backups"))
    started = time.monotonic()
    r = cli(srv, "--json", "backup", "start", backup, "--include-root-key", "--wait")
    ended = time.monotonic()
    time.sleep(0.3)
    churn.stop.set()
    churn.thread.join(timeout=60)
    assert churn.error is None, churn.error
    done = r.json()
    assert done["state"] == "done", done
    assert done["path"] == backup and done["include_root_key"] is True, done
    assert done["blobs_done"] >= 8 and done["blobs_linked"] == done["blobs_done"], done
    assert not os.path.exists(backup + ".partial")
    assert sum(1 for _, _, s, a in churn.puts if s > ended) > 0, "no write followed the backup: churn too slow"

    # After the backup: objects deleted (their blob files go) and overwritten.
    for bucket in (paris, frankfurt):
        acme.delete_object(Bucket=bucket, Key="big")
        acme.put_object(Bucket=bucket, Key="packaged", Body=b"overwritten after the backup")
    acme.delete_object(Bucket=versioned, Key="doc", VersionId=v_old)
    acme.put_object(Bucket=paris, Key="after", Body=b"written after the backup")

    # The layout, the manifest and the modes.
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(backup, "keys", "root.key")).st_mode) == 0o600
    with open(os.path.join(backup, "keys", "root.key"), "rb") as a, \
            open(os.path.join(srv.data_dir, "keys", "root.key"), "rb") as b:
        assert a.read() == b.read()
    manifest = json.load(open(os.path.join(backup, "BACKUP.json")))
    assert manifest["format"] == "confiance-backup" and manifest["version"] == 1, manifest
    assert manifest["root_key"]["provider"] == "embedded" and manifest["root_key"]["included"] is True
    assert len(manifest["root_key"]["key_ids"]) == 1, manifest
    assert sorted((p["name"], p["directory"]) for p in manifest["pools"]) == [
        ("de-frankfurt", "pools/de-frankfurt"), ("fr-paris", "pools/fr-paris"), ("local", "blobs")], manifest
    assert manifest["blobs"] == done["blobs_done"]
    assert manifest["metadata"] == "checkpoint"  # (metadata on RADOS: "snapshot", test_rados_metadata.py)
    for name in ("fr-paris", "de-frankfurt"):
        assert os.listdir(os.path.join(backup, "pools", name)), name
    assert os.path.isfile(os.path.join(backup, "meta", "CURRENT"))

    # Refusals, each with its reason.
    again = cli(srv, "backup", "start", backup, expect=1)
    assert "already exists" in again.err, again
    inside = cli(srv, "backup", "start", os.path.join(srv.data_dir, "b"), expect=1)
    assert "overlaps the data directory" in inside.err, inside
    pool = cli(srv, "backup", "start", os.path.join(live_pool_dirs["fr-paris"], "b"), expect=1)
    assert "overlaps storage pool fr-paris" in pool.err, pool
    relative = admin_request(srv, "POST", "/backup", body=json.dumps({"path": "backups/x"}).encode())
    assert error_of(relative)[0] == 400 and b"absolute" in relative.body, relative.body
    orphan = admin_request(srv, "POST", "/backup", body=json.dumps({"path": "/nonexistent-dir/x"}).encode())
    assert error_of(orphan)[0] == 400 and b"not an existing directory" in orphan.body, orphan.body
    tenant = admin_request(srv, "POST", "/backup", body=json.dumps({"path": str(tmp_path / "t")}).encode(),
                           creds=ACME)
    assert error_of(tenant) == (403, "AccessDenied"), tenant.body
    status = cli(srv, "backup", "status")
    assert "backup done" in status.out and "root key included" in status.out, status
    srv.stop_clean()
    srv.check_transparency_log()

    # The restore: pools put where a pools file points, then a server on it.
    restored_pools_file, restored_dirs = write_pools(str(tmp_path), str(tmp_path / "restored-pools"))
    os.mkdir(str(tmp_path / "restored-pools"))
    for name, d in restored_dirs.items():
        os.rename(os.path.join(backup, "pools", name), d)
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", backup, "--pools", restored_pools_file],
                           capture_output=True, text=True, timeout=300)
    assert scrub.returncode == 0, scrub
    assert " 0 damaged" in scrub.stdout, scrub.stdout
    restored = AdminServer(str(tmp_path / "restored"), data_dir=backup,
                           extra_args=["--pools", restored_pools_file, "--jurisdiction", "FR"])
    os.makedirs(restored.workdir, exist_ok=True)
    restored.start()
    acme = s3_for(restored, ACME)
    for (bucket, key), digest in expected.items():
        assert sha(read_all(acme, bucket, key)) == digest, (bucket, key)
    assert read_all(acme, versioned, "doc", VersionId=v_old) == old
    assert read_all(acme, versioned, "doc") == new
    assert versions_of(acme, versioned) == versions_before
    assert v_new in [v[1] for v in versions_before[0]]
    listed = {o["Key"] for o in acme.list_objects_v2(Bucket=paris).get("Contents", [])}
    assert listed == {"inline", "packaged", "big"}, listed

    present = {o["Key"] for page in acme.get_paginator("list_objects_v2").paginate(Bucket=churn_bucket)
               for o in page.get("Contents", [])}
    deleted_before = {k for k, s, a in churn.deletes if a < started}
    for key, digest, sent, acked in churn.puts:
        if acked < started and key not in deleted_before and not any(k == key for k, s, a in churn.deletes):
            assert key in present, key
            assert sha(read_all(acme, churn_bucket, key)) == digest, key
        if sent > ended:
            assert key not in present, key
    assert not (deleted_before & present), deleted_before & present
    restored.stop_clean()
    restored.check_transparency_log()


def test_backup_onto_another_file_system_without_the_key(tmp_path, other_file_system):
    """A backup onto another file system (a tmpfs) copies the
    blob files instead of linking them; without --include-root-key it holds
    no key, and a server refuses to start on it until the key file it was
    written with is put back."""
    assert os.stat(other_file_system).st_dev != os.stat(str(tmp_path)).st_dev
    token_file, token = write_token(str(tmp_path))
    srv = AdminServer(str(tmp_path), extra_args=["--metrics-token-file", token_file])
    srv.start()
    m = samples(scrape(srv, token))
    assert value(m, "confiance_backup_last_success_timestamp_seconds") == 0
    s3 = srv.client()
    bucket = unique_bucket("shm")
    s3.create_bucket(Bucket=bucket)
    bodies = {"k%d" % i: os.urandom(200 * 1024 + i) for i in range(3)}
    for key, data in bodies.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    backup = os.path.join(other_file_system, "backup")
    done = cli(srv, "--json", "backup", "start", backup, "--wait").json()
    assert done["state"] == "done", done
    assert done["blobs_copied"] == done["blobs_done"] == len(bodies), done
    assert done["include_root_key"] is False
    assert not os.path.exists(os.path.join(backup, "keys")), os.listdir(backup)
    manifest = json.load(open(os.path.join(backup, "BACKUP.json")))
    assert manifest["root_key"]["included"] is False and len(manifest["root_key"]["key_ids"]) == 1, manifest
    # A request refused at once (the parent is a file) is no backup: the metrics count one.
    open(os.path.join(str(tmp_path), "a-file"), "w").close()
    failed = admin_request(srv, "POST", "/backup", body=json.dumps(
        {"path": os.path.join(str(tmp_path), "a-file", "b")}).encode())
    assert error_of(failed)[0] == 400, failed.body
    m = samples(scrape(srv, token))
    assert value(m, "confiance_backups_total", result="ok") == 1
    assert value(m, "confiance_backups_total", result="failed") == 0
    assert abs(value(m, "confiance_backup_last_success_timestamp_seconds") - time.time()) < 120
    srv.stop_clean()
    srv.check_transparency_log()

    restored = AdminServer(str(tmp_path / "restored"), data_dir=backup)
    os.makedirs(restored.workdir, exist_ok=True)
    cp = subprocess.run([restored.binary, "server", "--data", backup, "--listen", restored.hostport],
                        env=restored.env(), capture_output=True, text=True, timeout=60)
    assert cp.returncode != 0, cp
    assert "holds metadata but no root key file" in cp.stdout + cp.stderr, cp
    os.mkdir(os.path.join(backup, "keys"), 0o700)
    with open(os.path.join(srv.data_dir, "keys", "root.key"), "rb") as f:
        key = f.read()
    fd = os.open(os.path.join(backup, "keys", "root.key"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, key)
    os.close(fd)
    restored.start()
    s3 = restored.client()
    for key_name, data in bodies.items():
        assert s3.get_object(Bucket=bucket, Key=key_name)["Body"].read() == data, key_name
    restored.stop_clean()


def test_objects_deleted_during_a_backup_keep_their_data_in_it(tmp_path, other_file_system):
    """DELETEs while the backup copies blob files (slowly: onto a tmpfs):
    every object the backup's metadata still names has its data in the
    backup. This is what holding deletions buys (without the hold, blobs
    of objects deleted after the metadata checkpoint went missing)."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    s3 = srv.client()
    bucket = unique_bucket("del")
    s3.create_bucket(Bucket=bucket)
    count = 300
    payload = os.urandom(MiB)
    for i in range(count):
        s3.put_object(Bucket=bucket, Key="o%03d" % i, Body=payload[i:] + payload[:i])
    backup = os.path.join(other_file_system, "backup")
    deleted = []
    stop = threading.Event()

    def deleter():
        for i in range(count):
            if stop.is_set():
                return
            s3.delete_object(Bucket=bucket, Key="o%03d" % i)
            deleted.append((i, time.monotonic()))

    try:
        thread = threading.Thread(target=deleter, daemon=True)
        r = admin_request(srv, "POST", "/backup", body=json.dumps({"path": backup, "include_root_key": True}).encode())
        assert r.status == 202, r.body
        thread.start()
        deadline = time.monotonic() + 120
        copying_since = None  # when the blob phase was first seen
        while True:
            doc = json.loads(admin_request(srv, "GET", "/backup").body)
            if doc["state"] != "running" or time.monotonic() > deadline:
                break
            if doc.get("phase") == "blobs" and copying_since is None:
                copying_since = time.monotonic()
            time.sleep(0.05)
        copying_until = time.monotonic()
        stop.set()
        thread.join(timeout=60)
        assert doc["state"] == "done", doc
        during = [i for i, acked in deleted if copying_since is not None and copying_since < acked < copying_until]
        print("deleted while blobs were copied: %d of %d" % (len(during), count))
        assert during, "no deletion was acknowledged while the backup copied blobs"
        srv.stop_clean()

        scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", backup], capture_output=True, text=True,
                               timeout=300)
        assert scrub.returncode == 0, scrub
        assert " 0 damaged" in scrub.stdout, scrub.stdout
        restored = AdminServer(str(tmp_path / "restored"), data_dir=backup)
        os.makedirs(restored.workdir, exist_ok=True)
        restored.start()
        s3 = restored.client()
        keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])]
        assert count - len(deleted) <= len(keys) <= count, (len(keys), len(deleted))
        for key in keys:
            i = int(key[1:])
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == payload[i:] + payload[:i], key
        restored.stop_clean()
    finally:
        stop.set()  # the deleter, if an assertion ended the test early


def blob_inodes(backup):
    """{inode: relative path} of the blob files under a backup's blobs/."""
    root = os.path.join(backup, "blobs")
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            out[os.stat(os.path.join(d, f)).st_ino] = os.path.relpath(os.path.join(d, f), root)
    return out


def test_incremental_backup_links_what_the_base_holds_and_stands_alone(tmp_path, other_file_system):
    """`backup start --base EARLIER` onto another file system copies only
    the blobs written since EARLIER and hard-links the rest from it; a base
    file of the wrong size (damaged) is not used; a base that is no backup,
    or lies on another file system, is refused; the last backup of the
    chain restores every object with its two predecessors deleted."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    s3 = srv.client()
    bucket = unique_bucket("incr")
    s3.create_bucket(Bucket=bucket)
    bodies = {}
    for i in range(20):
        bodies["o%02d" % i] = os.urandom(100 * 1024 + i)
        s3.put_object(Bucket=bucket, Key="o%02d" % i, Body=bodies["o%02d" % i])
    b1, b2, b3 = (os.path.join(other_file_system, n) for n in ("b1", "b2", "b3"))
    first = cli(srv, "--json", "backup", "start", b1, "--wait").json()
    assert first["state"] == "done" and first["blobs_copied"] == first["blobs_done"] >= 20, first
    assert "base" not in first and "base" not in json.load(open(os.path.join(b1, "BACKUP.json")))
    local = str(tmp_path / "local-backup")  # on the data directory's file system
    assert cli(srv, "--json", "backup", "start", local, "--wait").json()["state"] == "done"

    for i in range(3):  # deleted
        s3.delete_object(Bucket=bucket, Key="o%02d" % i)
        del bodies["o%02d" % i]
    for i in range(3, 5):  # overwritten
        bodies["o%02d" % i] = os.urandom(90 * 1024)
        s3.put_object(Bucket=bucket, Key="o%02d" % i, Body=bodies["o%02d" % i])
    for i in range(20, 25):  # new
        bodies["o%02d" % i] = os.urandom(110 * 1024)
        s3.put_object(Bucket=bucket, Key="o%02d" % i, Body=bodies["o%02d" % i])

    # Refused: a base on another file system than the new backup, a
    # directory that is no backup, a base that is the path itself.
    not_a_backup = os.path.join(other_file_system, "empty")
    os.mkdir(not_a_backup)
    for base, why in ((local, "another file system"), (not_a_backup, "not a complete backup"),
                      (b2, "overlaps")):
        r = admin_request(srv, "POST", "/backup", body=json.dumps({"path": b2, "base": base}).encode())
        assert error_of(r)[0] == 400 and why in r.body.decode(), (base, r.body)
    assert not os.path.exists(b2)

    second = cli(srv, "--json", "backup", "start", b2, "--base", b1, "--wait").json()
    assert second["state"] == "done", second
    assert second["base"] == b1 and second["base_mismatches"] == 0, second
    assert second["blobs_copied"] == 7, second  # 2 overwritten + 5 new
    assert second["blobs_from_base"] == second["blobs_done"] - 7, second
    assert first["blobs_done"] - 5 <= second["blobs_from_base"] <= first["blobs_done"], (first, second)
    shared = set(blob_inodes(b1)) & set(blob_inodes(b2))
    assert len(shared) == second["blobs_from_base"], (len(shared), second)
    manifest = json.load(open(os.path.join(b2, "BACKUP.json")))
    assert manifest["base"] == b2[:-1] + "1" and manifest["blobs_from_base"] == second["blobs_from_base"]

    # b2 holds no root key: its metadata is encrypted under the server's, so
    # verify-backup needs that one (--keys-of), and says so without it.
    assert not os.path.exists(os.path.join(b2, "keys"))
    assert os.path.exists(os.path.join(b2, "meta.key"))
    keyless = subprocess.run([srv.binary, "admin", "verify-backup", b2], capture_output=True, text=True, timeout=120)
    assert keyless.returncode == 2 and "no root key file" in keyless.stderr, keyless
    verify = [srv.binary, "admin", "verify-backup", "--keys-of", srv.data_dir]
    ok = subprocess.run(verify + [b2], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ": 0 damaged" in ok.stdout, ok
    assert "%d objects" % len(bodies) in ok.stdout, ok.stdout
    assert subprocess.run(verify + [not_a_backup], capture_output=True, timeout=60).returncode == 2

    # One of b2's files cut short (the disk it lives on damaged it):
    # verify-backup names the object, and the next backup copies that blob
    # from the server instead of linking the damage.
    damaged = os.path.join(b2, "blobs", blob_inodes(b2)[sorted(shared)[0]])
    os.truncate(damaged, 10)
    bad = subprocess.run(verify + [b2], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and ": 1 damaged" in bad.stdout, bad
    assert "reason=short-blob" in bad.stdout and "bucket=" + bucket in bad.stdout, bad.stdout
    third = cli(srv, "--json", "backup", "start", b3, "--base", b2, "--include-root-key", "--wait").json()
    assert third["state"] == "done", third
    assert third["base_mismatches"] == 1 and third["blobs_copied"] == 1, third
    assert third["blobs_from_base"] == third["blobs_done"] - 1, third
    status = cli(srv, "backup", "status").out
    assert "from the base " + b2 in status and "wrong size (damaged)" in status, status
    srv.stop_clean()

    subprocess.run(["rm", "-rf", b1, b2], check=True)
    restored = AdminServer(str(tmp_path / "restored"), data_dir=b3)
    os.makedirs(restored.workdir, exist_ok=True)
    restored.start()
    s3 = restored.client()
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert keys == sorted(bodies), keys
    for key, data in bodies.items():
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data, key
    restored.stop_clean()

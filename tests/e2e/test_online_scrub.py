"""The online scrub (docs/operations.md, "Scrubbing"), end to end against
the real server: while a client keeps overwriting and deleting objects, an
operator's `confiance admin scrub start --wait` reads every object back and
reports exactly the two damaged on disk (a flipped byte in one blob file, one
blob file deleted), with their kinds, in its output, in the status document,
in the server's journal and in the metrics, and still after a restart;
objects rewritten under the scrub are never reported. A tenant whose key policy refuses SYSTEM_MAINTENANCE is
skipped and says so. Each bucket scrubbed is an entry in its owner's
transparency log (which verifies), the refused one as 403. The rate limit
holds a scrub to its rate; a second start while one runs is refused (409);
stop ends it as "stopped", as a shutdown does; tenants cannot start one.
A flipped byte in a metadata table file is found by the offline scrub and
by verify-backup of a backup that shares the file (with its root key)."""

import json
import os
import re
import subprocess
import threading
import time

from adminutil import AdminServer, admin_request, cli, error_of, s3
from conftest import unique_bucket
from metricsutil import samples, scrape, value, write_token

ACME = ("ACMEROOTSCRUBKEY0001", "acme-scrub-secret-0123456789")
KEEPER = ("KEEPERROOTSCRUBKEY01", "keeper-scrub-secret-0123456789")
KiB, MiB = 1024, 1024 * 1024


def blob_files(srv):
    """Every blob file of the default pool, as a set of paths."""
    root = os.path.join(srv.data_dir, "blobs")
    return {os.path.join(d, f) for d, _, files in os.walk(root) for f in files}


def put_new_blob(srv, client, bucket, key, size):
    """PUTs `size` bytes and returns the one blob file the PUT created."""
    before = blob_files(srv)
    client.put_object(Bucket=bucket, Key=key, Body=os.urandom(size))
    new = blob_files(srv) - before
    assert len(new) == 1, (key, new)
    return new.pop()


class Churn:
    """Overwrites and deletes keys `churn/*` until stopped (bounded: at most
    3,000 requests), so that the scrub reads objects replaced under it."""

    def __init__(self, client, bucket):
        self.client, self.bucket = client, bucket
        self.stop = threading.Event()
        self.done = 0
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            for i in range(3000):
                if self.stop.is_set():
                    return
                key = "churn/%d" % (i % 8)
                if i % 5 == 4:
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                else:
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=os.urandom(200 * KiB))
                self.done += 1
        except Exception as e:  # noqa: BLE001
            self.error = e


def export_log(srv, tenant):
    out = os.path.join(srv.workdir, tenant)
    cp = subprocess.run([srv.binary, "log", "export", "--data", srv.data_dir, "--tenant", tenant,
                         "--checkpoint-out", out + ".cp", "--key-out", out + ".key"],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    with open(out + ".jsonl", "w") as f:
        f.write(cp.stdout)
    verify = subprocess.run([srv.binary, "log", "verify", "--key-file", out + ".key", "--checkpoint2",
                             out + ".cp", "--entries", out + ".jsonl"], capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and verify.stdout.startswith("OK"), verify
    return [json.loads(line) for line in cp.stdout.splitlines()]


def wait_state(srv, want, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        doc = cli(srv, "--json", "scrub", "status").json()
        if doc["state"] == want or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def test_online_scrub_reports_exactly_the_damage_while_serving(tmp_path):
    token_file, token = write_token(str(tmp_path))
    srv = AdminServer(str(tmp_path), extra_args=["--metrics-token-file", token_file, "--sweep-interval", "1",
                                                 "--sweep-grace", "1"])
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    cli(srv, "tenant", "create", "keeper", "--access-key", KEEPER[0], "--secret-key", KEEPER[1])
    acme, keeper = s3(srv, ACME), s3(srv, KEEPER)
    bucket, busy, kept = unique_bucket("scrub"), unique_bucket("busy"), unique_bucket("kept")
    for c, b in ((acme, bucket), (acme, busy), (keeper, kept)):
        c.create_bucket(Bucket=b)

    # Inline, one-package and multi-package objects, and a multipart one.
    acme.put_object(Bucket=bucket, Key="inline", Body=os.urandom(2 * KiB))
    put_new_blob(srv, acme, bucket, "mid", 300 * KiB)
    put_new_blob(srv, acme, bucket, "big", 3 * MiB)
    flipped = put_new_blob(srv, acme, bucket, "flipped", 700 * KiB)
    missing = put_new_blob(srv, acme, bucket, "missing", 100 * KiB)
    mpu = acme.create_multipart_upload(Bucket=bucket, Key="multipart")
    parts = [{"PartNumber": n, "ETag": acme.upload_part(Bucket=bucket, Key="multipart", UploadId=mpu["UploadId"],
                                                         PartNumber=n, Body=os.urandom(5 * MiB if n == 1 else KiB))
              ["ETag"]} for n in (1, 2)]
    acme.complete_multipart_upload(Bucket=bucket, Key="multipart", UploadId=mpu["UploadId"],
                                   MultipartUpload={"Parts": parts})
    keeper.put_object(Bucket=kept, Key="k", Body=b"keeper's data")
    # keeper's key allows no maintenance: its bucket is skipped, not read.
    cli(srv, "tenant-key", "allow", "keeper", "TENANT_REQUEST", creds=KEEPER)

    # Bitrot in one blob file, another blob file gone.
    with open(flipped, "r+b") as f:
        f.seek(400 * KiB)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x20]))
    os.remove(missing)

    # Tenants cannot scrub.
    r = cli(srv, "scrub", "start", creds=ACME, expect=1)
    assert "AccessDenied" in r.err, r

    churn = Churn(acme, busy)
    churn.thread.start()
    try:
        time.sleep(0.5)
        r = cli(srv, "scrub", "start", "--rate", "0", "--wait", expect=1)  # damage found: exit 1
    finally:
        churn.stop.set()
        churn.thread.join(timeout=60)
    assert churn.error is None, churn.error
    assert churn.done > 0
    damaged = sorted(line for line in r.out.splitlines() if line.startswith("DAMAGED"))
    assert len(damaged) == 2, r.out
    assert damaged[0].startswith("DAMAGED bucket=%s key=flipped reason=authentication-failure" % bucket), damaged
    assert damaged[1].startswith("DAMAGED bucket=%s key=missing reason=missing-blob" % bucket), damaged
    assert "SKIPPED bucket %s" % kept in r.out, r.out

    doc = cli(srv, "--json", "scrub", "status").json()
    assert doc["state"] == "done" and doc["started_by"] == "operator operator", doc
    assert doc["damaged_objects"] == 2 and len(doc["damaged"]) == 2, doc
    assert doc["key_access_refused"] == 1 and len(doc["refused_buckets"]) == 1, doc
    assert doc["buckets"] == 3, doc
    # 6 objects of `bucket` and whatever `busy` held when it was listed.
    assert doc["objects"] >= 6, doc
    assert doc["bytes_verified"] >= 2 * KiB + 300 * KiB + 3 * MiB + 5 * MiB + KiB, doc

    # The journal names both, the metrics count them.
    journal = srv.log_tail(100000)
    assert "scrub: DAMAGED bucket=%s key=flipped reason=authentication-failure" % bucket in journal
    assert "scrub: DAMAGED bucket=%s key=missing reason=missing-blob" % bucket in journal
    m = samples(scrape(srv, token))
    assert value(m, "confiance_scrub_damaged_objects") == 2
    assert value(m, "confiance_scrubs_total", result="ok") == 1
    assert value(m, "confiance_scrub_verified_bytes_total") == doc["bytes_verified"]
    assert value(m, "confiance_scrub_last_success_timestamp_seconds") > 0

    # The undamaged objects still read back.
    assert acme.get_object(Bucket=bucket, Key="big")["ContentLength"] == 3 * MiB

    srv.stop_clean()
    events = [e for e in export_log(srv, "acme") if e.get("action") == "ScrubBucket"]
    by_bucket = {e["bucket"]: e for e in events}
    assert set(by_bucket) == {bucket, busy}, events
    e = by_bucket[bucket]
    assert e["justification"] == "SYSTEM_MAINTENANCE" and e["status"] == 200, e
    assert e["principal"] == {"type": "operator", "user": "operator"}, e
    assert e["details"]["damaged"] == "2" and e["details"]["objects"] == "6", e
    refused = [e for e in export_log(srv, "keeper") if e.get("action") == "ScrubBucket"]
    assert len(refused) == 1 and refused[0]["status"] == 403 and refused[0]["bucket"] == kept, refused

    # After a restart the last scrub's findings are still there: in the
    # status and in the gauge an alert watches.
    srv.start()
    after = cli(srv, "--json", "scrub", "status").json()
    assert after == doc, (after, doc)
    m = samples(scrape(srv, token))
    assert value(m, "confiance_scrub_damaged_objects") == 2
    assert value(m, "confiance_scrub_last_success_timestamp_seconds") == doc["finished_ms"] // 1000
    srv.stop_clean()


def started_with_objects(tmp_path, count, size):
    """A started AdminServer with one bucket of `count` random objects of
    `size` bytes."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    c = srv.client()
    bucket = unique_bucket("scrub")
    c.create_bucket(Bucket=bucket)
    for i in range(count):
        c.put_object(Bucket=bucket, Key="k%03d" % i, Body=os.urandom(size))
    return srv


def test_scrub_rate_stop_and_a_second_start(tmp_path):
    srv = started_with_objects(tmp_path, 4, MiB)

    # 4 MiB at 1 MiB/s: the last window is due 4 s after the start.
    t0 = time.monotonic()
    r = cli(srv, "scrub", "start", "--rate", "1", "--wait")
    elapsed = time.monotonic() - t0
    assert "scrub done: 1 bucket(s), 4 object(s), 4194304 bytes verified, 0 damaged" in r.out, r
    assert elapsed >= 3.0, elapsed

    # A slow one: a second start is refused while it runs; stop ends it.
    cli(srv, "scrub", "start", "--rate", "1")
    resp = admin_request(srv, "POST", "/scrub", b"{}")
    assert resp.status == 409 and error_of(resp)[1] == "Conflict", (resp.status, resp.body)
    resp = admin_request(srv, "POST", "/scrub", b'{"max_bytes_per_second": -1}')
    assert resp.status == 400, (resp.status, resp.body)
    cli(srv, "scrub", "stop")
    doc = wait_state(srv, "stopped")
    assert doc["state"] == "stopped" and doc["bytes_verified"] < 4 * MiB, doc
    r = cli(srv, "scrub", "stop", expect=1)
    assert "no scrub is running" in r.err, r

    # A shutdown does not wait for a running scrub: it stops it.
    cli(srv, "scrub", "start", "--rate", "1")
    srv.stop_clean()
    assert "scrub: stopped" in srv.log_tail(50), srv.log_tail(50)


def test_bitrot_in_the_metadata_is_found_offline_and_in_a_backup(tmp_path):
    srv = started_with_objects(tmp_path, 300, 3000)
    # The backup flushes the memtable: the records are now in table files,
    # which the backup hard-links (same file system).
    backup = os.path.join(str(tmp_path), "backup")
    cli(srv, "backup", "start", backup, "--include-root-key", "--wait")
    srv.stop_clean()
    meta = os.path.join(srv.data_dir, "meta")
    tables = sorted((os.path.getsize(os.path.join(meta, f)), f) for f in os.listdir(meta) if f.endswith(".sst"))
    assert tables, os.listdir(meta)
    size, name = tables[-1]
    table = os.path.join(meta, name)
    assert os.path.samefile(table, os.path.join(backup, "meta", name))
    with open(table, "r+b") as f:  # the middle of the largest table: a data block of object records
        f.seek(size // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x01]))

    cp = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir], capture_output=True, text=True,
                        timeout=300)
    assert cp.returncode == 1, cp
    assert re.search(r"^DAMAGED bucket= key= reason=metadata-checksum: .*%s" % re.escape(name), cp.stdout, re.M), cp
    assert "scrub: metadata checksums verified" in cp.stdout, cp
    cp = subprocess.run([srv.binary, "admin", "verify-backup", backup], capture_output=True, text=True, timeout=300)
    assert cp.returncode == 1, cp
    assert re.search(r"^DAMAGED bucket= key= reason=metadata-checksum: .*%s" % re.escape(name), cp.stdout, re.M), cp

"""Bucket shred, tenant shred and the reclamation that follows (issue 6,
docs/keys.md "Bucket shred", "Reclamation"), end to end, then a scan of
the whole data directory:

  - objects of every shape (inline, blob-sized, multipart, a noncurrent
    version, an upload in progress) in two tenants and three buckets;
  - `confiance admin bucket shred` (tenant root only, confirmation
    required, refused under an Object Lock legal hold) answers with a
    signed deletion receipt that verifies offline; from that moment every
    request on the bucket is refused naming the shred; the reclamation job
    removes its records and blobs and frees its name;
  - `tenant-key destroy` queues the same reclamation for a whole tenant;
    a PUT whose body was still arriving then is refused, not left behind
    in the emptied bucket;
  - in the data directory afterwards: no shredded object's plaintext
    marker in any file (blobs, metadata files, WAL), none of their blob
    files left, and an offline scrub (which unwraps every key still in the
    store) opens exactly the remaining objects;
  - the control events are in the tenant's transparency log."""

import os
import subprocess

from adminutil import AdminServer, cli, export_log, receipt_of, s3_code, tenant_clients, verify_receipt, wait_reclaimed
from conftest import unique_bucket
from s3util import put_with_a_pause, xml_text

ACME_ROOT = ("ACMESHREDROOTKEY0001", "acme-shred-root-secret-0123456789")
GLOBEX_ROOT = ("GLOBEXSHREDROOTKEY01", "globex-shred-root-secret-012345678")
MiB = 1024 * 1024


def blob_files(srv):
    out = set()
    for root, _, files in os.walk(srv.data_dir):
        if "meta" in root.split(os.sep) or "tlog" in root.split(os.sep):
            continue
        for f in files:
            out.add(os.path.join(root, f))
    return out


def body(marker, size):
    """`size` bytes made of `marker` repeated: any 64-byte window of the
    plaintext contains the marker."""
    m = marker.encode()
    return (m * (size // len(m) + 1))[:size]


def test_bucket_and_tenant_shred_leave_nothing_readable(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    acme, globex = tenant_clients(srv, (("acme", ACME_ROOT), ("globex", GLOBEX_ROOT)))
    kept, doomed, other = unique_bucket("kept"), unique_bucket("doomed"), unique_bucket("globex")

    # The data that stays (acme's kept bucket), then globex's and the doomed bucket's.
    acme.create_bucket(Bucket=kept)
    kept_objects = {"small": body("KEPT-MARKER-small-0001", 300), "big": body("KEPT-MARKER-big-0001", 200 * 1024)}
    for k, v in kept_objects.items():
        acme.put_object(Bucket=kept, Key=k, Body=v)
    before = blob_files(srv)

    markers = []
    def doomed_body(tag, size):
        markers.append(("SHRED-MARKER-%s-%s" % (tag, os.urandom(4).hex())).encode())
        return body(markers[-1].decode(), size)

    acme.create_bucket(Bucket=doomed)
    acme.put_bucket_versioning(Bucket=doomed, VersioningConfiguration={"Status": "Enabled"})
    acme.put_object(Bucket=doomed, Key="inline", Body=doomed_body("inline", 500))
    acme.put_object(Bucket=doomed, Key="blob", Body=doomed_body("blob-v1", 150 * 1024))
    acme.put_object(Bucket=doomed, Key="blob", Body=doomed_body("blob-v2", 150 * 1024))  # v1 noncurrent
    up = acme.create_multipart_upload(Bucket=doomed, Key="mp")
    parts = [doomed_body("part1", 5 * MiB), doomed_body("part2", 4321)]
    done = []
    for n, data in enumerate(parts, 1):
        r = acme.upload_part(Bucket=doomed, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)
        done.append({"PartNumber": n, "ETag": r["ETag"]})
    acme.complete_multipart_upload(Bucket=doomed, Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": done})
    pending = acme.create_multipart_upload(Bucket=doomed, Key="pending")
    acme.upload_part(Bucket=doomed, Key="pending", UploadId=pending["UploadId"], PartNumber=1,
                     Body=doomed_body("pending", 100 * 1024))
    doomed_blobs = blob_files(srv) - before
    assert len(doomed_blobs) >= 4, doomed_blobs  # v1, v2, the 5 MiB part, the pending part (+ the small part?)

    globex.create_bucket(Bucket=other)
    globex_body = doomed_body("globex", 120 * 1024)
    globex.put_object(Bucket=other, Key="g", Body=globex_body)
    globex.put_object(Bucket=other, Key="gi", Body=doomed_body("globex-inline", 200))
    globex_blobs = blob_files(srv) - before - doomed_blobs
    assert globex_blobs

    # Object Lock: a legal hold refuses the shred (as it does a tenant's).
    locked = unique_bucket("locked")
    acme.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    acme.put_object(Bucket=locked, Key="held", Body=b"held", ObjectLockLegalHoldStatus="ON")
    r = cli(srv, "bucket", "shred", locked, "--tenant", "acme", "--confirm", locked, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "ObjectLocked" in r.err + r.out and "legal hold" in r.err + r.out, r
    assert acme.get_object(Bucket=locked, Key="held")["Body"].read() == b"held"

    # The confirmation must name the bucket; an operator may not shred.
    r = cli(srv, "bucket", "shred", doomed, "--tenant", "acme", "--confirm", kept, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "makes all its objects unreadable" in r.err + r.out, r
    r = cli(srv, "bucket", "shred", doomed, "--tenant", "acme", "--confirm", doomed, expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    r = cli(srv, "bucket", "shred", other, "--tenant", "acme", "--confirm", other, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "NoSuchBucket" in r.err + r.out, r

    r = cli(srv, "bucket", "shred", doomed, "--tenant", "acme", "--confirm", doomed, creds=ACME_ROOT)
    assert "shredded (key destroyed)" in r.out, r
    receipt = receipt_of(r.out)
    assert "\ntenant acme\nscope bucket %s " % doomed in receipt, receipt
    assert "\nreclamation follows: " in receipt and ("\nby tenant acme/root access-key %s\n" % ACME_ROOT[0]) in receipt
    (tmp_path / "receipt").write_text(receipt)

    # At once: every request on the bucket names the shred.
    resp = srv.request("GET", "/%s/inline" % doomed, access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    assert resp.status in (403, 404), resp.status
    if resp.status == 403:
        assert b"bucket shredded" in resp.body, resp.body

    jobs = wait_reclaimed(srv, "acme", ACME_ROOT)
    [job] = [j for j in jobs if j.get("bucket") == doomed]
    assert job["objects_removed"] >= 4 and job["uploads_removed"] == 1, job
    assert job["blobs_freed"] >= len(doomed_blobs) - 1, job  # the completed upload's parts are the object's blobs
    assert not (doomed_blobs & blob_files(srv)), doomed_blobs & blob_files(srv)
    # The name is free again; the other bucket is untouched.
    assert s3_code(acme.head_bucket, Bucket=doomed) == (404, "404")
    # (by the same tenant: the log checker wants one log per bucket name)
    acme.create_bucket(Bucket=doomed)
    assert acme.list_objects_v2(Bucket=doomed)["KeyCount"] == 0
    acme.delete_bucket(Bucket=doomed)
    for k, v in kept_objects.items():
        assert acme.get_object(Bucket=kept, Key=k)["Body"].read() == v

    # Tenant shred: the tenant key destroyed, the reclamation queued; the
    # bucket records stay and answer that the key was destroyed.
    r = cli(srv, "tenant-key", "destroy", "globex", "--confirm", "globex", creds=GLOBEX_ROOT)
    assert "reclamation follows: " in r.out, r
    wait_reclaimed(srv, "globex", GLOBEX_ROOT)
    assert not (globex_blobs & blob_files(srv))
    resp = srv.request("GET", "/%s/g" % other, access_key=GLOBEX_ROOT[0], secret_key=GLOBEX_ROOT[1])
    assert resp.status == 403 and b"was destroyed (crypto-shredded)" in resp.body, resp.body
    assert s3_code(globex.list_objects_v2, Bucket=other) == (403, "AccessDenied")
    srv.stop_clean()

    # The data directory: no shredded plaintext anywhere, in any file.
    for root, _, files in os.walk(srv.data_dir):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                content = fh.read()
            for m in markers:
                assert m not in content, (m, f)
    # The keys still in the store (every tenant key, bucket key and data
    # key an offline scrub can unwrap) open exactly the remaining objects.
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert ", %d objects, " % (len(kept_objects) + 1) in scrub.stdout, scrub.stdout  # + the locked one
    assert "0 damaged" in scrub.stdout, scrub.stdout

    # The receipt verifies offline; the events are in acme's log.
    ok = verify_receipt(srv, tmp_path / "receipt")
    assert ok.returncode == 0 and ok.stdout.startswith("OK: signed by ") and "of bucket %s" % doomed in ok.stdout, ok
    assert "reclamation: follows" in ok.stdout, ok
    actions = [e.get("action") for e in export_log(srv, "acme") if e.get("kind") == "control"]
    assert "ShredBucket" in actions and "GetReclamation" in actions, actions
    srv.check_transparency_log()

    # After a restart the shredded tenant stays refused and nothing is queued.
    srv.start()
    assert s3_code(globex.get_object, Bucket=other, Key="g") == (403, "AccessDenied")
    r = cli(srv, "--json", "bucket", "reclamation", "--tenant", "acme", creds=ACME_ROOT).json()
    assert r["jobs"] == [], r
    srv.stop_clean()


def test_a_put_still_arriving_at_a_tenant_shred_is_refused_not_left_behind(tmp_path):
    # A PUT unwraps its data key as it starts and commits once its body is
    # in. One that commits after the reclamation emptied its bucket would
    # stay there, counted, and keep the bucket (and so the tenant) from
    # being deleted, since every request on it is refused. The reclamation
    # fences the bucket's key versions first: the late PUT gets 409.
    srv = AdminServer(str(tmp_path))
    srv.start()
    try:
        (acme,) = tenant_clients(srv, (("acme", ACME_ROOT),))
        b = unique_bucket("shredslow")
        acme.create_bucket(Bucket=b)
        acme.put_object(Bucket=b, Key="early", Body=b"x" * 5000)
        payload = os.urandom(200 * 1024)

        def shred():
            cli(srv, "tenant-key", "destroy", "acme", "--confirm", "acme", creds=ACME_ROOT)
            jobs = wait_reclaimed(srv, "acme", ACME_ROOT)
            assert jobs[0]["objects_removed"] == 1, jobs

        status, answer = put_with_a_pause(srv, b, "slow", payload, ACME_ROOT, shred)
        assert (status, xml_text(answer, "Code")) == (409, "OperationAborted"), answer
        # Its retry is refused as every request on the bucket is; the
        # emptied bucket can be deleted.
        assert s3_code(acme.put_object, Bucket=b, Key="slow", Body=payload) == (403, "AccessDenied")
        acme.delete_bucket(Bucket=b)
        assert s3_code(acme.head_bucket, Bucket=b) == (404, "404")
    finally:
        if srv.alive():
            srv.stop_clean()

"""Bucket-key rotation, rewrap only (docs/keys.md "Bucket-key rotation"),
end to end with boto3 and `confiance admin bucket-key`:
objects of many sizes and kinds (empty, inline, blob, multipart, SSE-KMS
with a context, SSE-C, noncurrent versions, an upload in progress across
the rotation) are written, the bucket's key is rotated and the job's
progress read. The SSE-C object's data key cannot be rewrapped without its
customer key: the job rewraps every other key and fails naming it, version
1 stays and every object stays readable, also after a restart (fresh
caches: each segment is opened under the version its record names). The
object is copied onto itself with its key; `rotate` (by an operator)
resumes the same rotation, which finishes and retires version 1. Every
object reads back byte-identical, every blob file is byte-identical, an
upload with parts from both sides of the rotation completes and reads
back, the other bucket's key is untouched, an offline scrub opens every
object, a shredded bucket is refused with 409, and both calls are in the
tenant's transparency log."""

import hashlib
import json
import os
import subprocess
import time

from adminutil import AdminServer, cli, export_log, s3 as s3_for
from conftest import unique_bucket
from s3util import put_with_a_pause, xml_text

ACME_ROOT = ("ACMEBKROTROOTKEY0001", "acme-bkrot-root-secret-0123456789")
MiB = 1024 * 1024


def rotation(srv, bucket, creds=ACME_ROOT):
    return cli(srv, "--json", "bucket-key", "rotation", bucket, "--tenant", "acme", creds=creds).json()


def wait_done(srv, bucket, timeout=120):
    deadline = time.time() + timeout
    while True:
        r = rotation(srv, bucket)
        if r["state"] != "running" or time.time() > deadline:
            return r
        time.sleep(0.2)


def blob_files(srv):
    """{path: sha256} of every file under the data directory but the metadata store."""
    out = {}
    for root, _, files in os.walk(srv.data_dir):
        if "meta" in root.split(os.sep):
            continue
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def read_all(acme, objects):
    for (b, k, vid), (body, extra) in objects.items():
        kw = dict(extra)
        if vid:
            kw["VersionId"] = vid
        got = acme.get_object(Bucket=b, Key=k, **kw)["Body"].read()
        assert got == body, (b, k, vid)
        if len(body) > 10:  # a range inside the object too
            got = acme.get_object(Bucket=b, Key=k, Range="bytes=3-%d" % (len(body) - 2), **kw)["Body"].read()
            assert got == body[3:len(body) - 1], (b, k, vid)


def test_bucket_key_rotation_rewraps_and_retires(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3_for(srv, ACME_ROOT)
    b = unique_bucket("bkrot")
    other = unique_bucket("bkother")
    acme.create_bucket(Bucket=b)
    acme.create_bucket(Bucket=other)
    acme.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    objects = {}
    for j, size in enumerate((0, 100, 70 * 1024 + 3, 3 * MiB + 17)):
        body = os.urandom(size)
        acme.put_object(Bucket=b, Key="s3-%d" % j, Body=body)
        objects[(b, "s3-%d" % j, None)] = (body, {})
        acme.put_object(Bucket=b, Key="kms-%d" % j, Body=body, ServerSideEncryption="aws:kms",
                        SSEKMSEncryptionContext="eyJwIjoicSJ9")
        objects[(b, "kms-%d" % j, None)] = (body, {})
    # A noncurrent version.
    old = os.urandom(5000)
    vid = acme.put_object(Bucket=b, Key="v", Body=old)["VersionId"]
    new = os.urandom(6000)
    acme.put_object(Bucket=b, Key="v", Body=new)
    objects[(b, "v", vid)] = (old, {})
    objects[(b, "v", None)] = (new, {})
    # SSE-C (small: inline in its record).
    cust = os.urandom(32)
    ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": cust}
    body = os.urandom(1000)
    ssec_vid = acme.put_object(Bucket=b, Key="ssec", Body=body, **ssec)["VersionId"]
    objects[(b, "ssec", None)] = (body, ssec)
    # A completed multipart object (SSE-KMS) and an upload left in progress.
    parts = [os.urandom(5 * MiB), os.urandom(1234)]
    up = acme.create_multipart_upload(Bucket=b, Key="mp", ServerSideEncryption="aws:kms")
    done = []
    for n, data in enumerate(parts, 1):
        r = acme.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)
        done.append({"PartNumber": n, "ETag": r["ETag"]})
    acme.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": done})
    objects[(b, "mp", None)] = (b"".join(parts), {})
    pending_parts = [os.urandom(5 * MiB), os.urandom(999)]
    pending = acme.create_multipart_upload(Bucket=b, Key="pending")["UploadId"]
    first = acme.upload_part(Bucket=b, Key="pending", UploadId=pending, PartNumber=1, Body=pending_parts[0])
    acme.put_object(Bucket=other, Key="o", Body=b"other bucket")
    objects[(other, "o", None)] = (b"other bucket", {})

    r = rotation(srv, b)
    assert (r["state"], r["from_version"], r["to_version"]) == ("idle", 1, 1), r
    before = blob_files(srv)
    assert len(before) >= 8, before  # 4 large objects, 3 parts (and the LOCK file)

    # A tenant whose key policy refuses SYSTEM_MAINTENANCE: refused, no version made.
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", creds=ACME_ROOT)
    r = cli(srv, "bucket-key", "rotate", b, "--tenant", "acme", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err + r.out and "SYSTEM_MAINTENANCE" in r.err + r.out, r
    assert rotation(srv, b)["to_version"] == 1
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)

    # Rotate: the SSE-C object keeps version 1, so the job fails naming it.
    r = cli(srv, "--json", "bucket-key", "rotate", b, "--tenant", "acme", creds=ACME_ROOT).json()
    assert (r["state"], r["from_version"], r["to_version"]) == ("running", 1, 2), r
    r = wait_done(srv, b)
    assert r["state"] == "failed" and "1 SSE-C object" in r["error"], r
    assert r["sse_c_pending"] == 1, r
    assert r["rewrapped"] >= 11, r  # every other object version and the pending part
    read_all(acme, objects)
    assert blob_files(srv) == before  # rewrap only

    # After a restart (no key cached), every object still opens: version 1
    # for the SSE-C one, version 2 for the others. The server resumed the
    # unfinished job by itself at start-up, which fails again on the SSE-C
    # object.
    srv.stop_clean()
    srv.start()
    acme = s3_for(srv, ACME_ROOT)
    r = wait_done(srv, b)
    assert (r["state"], r["from_version"], r["to_version"]) == ("failed", 1, 2), r
    assert "1 SSE-C object" in r["error"], r
    assert "bucket-key rotations: resumed 1 (acme/%s)" % b in srv.log_tail(400), srv.log_tail(40)
    read_all(acme, objects)

    # The tenant rewrites the SSE-C object with its key; an operator resumes.
    copied = acme.copy_object(Bucket=b, Key="ssec", CopySource={"Bucket": b, "Key": "ssec"},
                     CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=cust,
                     MetadataDirective="REPLACE", **ssec)
    acme.delete_object(Bucket=b, Key="ssec", VersionId=ssec_vid)  # the old version, still under version 1
    r = cli(srv, "--json", "bucket-key", "rotate", b, "--tenant", "acme").json()
    assert (r["from_version"], r["to_version"]) == (1, 2), r  # resumed, not version 3
    r = wait_done(srv, b)
    assert r["state"] == "done", r
    assert r["objects_total"] == r["objects_done"] == 12, r  # 8 + 2 versions of v + ssec + mp
    assert r["parts_done"] == 1, r
    out = cli(srv, "bucket-key", "rotation", b, "--tenant", "acme").out
    assert "rotation done, version 1 -> 2, 12 of 12 object(s)" in out, out
    read_all(acme, objects)
    # Every blob file is byte-identical (the SSE-C object is inline).
    after = blob_files(srv)
    assert {p: after.get(p) for p in before} == before

    # The pending upload gets a part under version 2, completes, reads back.
    second = acme.upload_part(Bucket=b, Key="pending", UploadId=pending, PartNumber=2, Body=pending_parts[1])
    acme.complete_multipart_upload(Bucket=b, Key="pending", UploadId=pending, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]}]})
    objects[(b, "pending", None)] = (b"".join(pending_parts), {})
    read_all(acme, objects)

    # Version 1 is retired: after a restart the record holds version 2 alone.
    srv.stop_clean()
    srv.start()
    acme = s3_for(srv, ACME_ROOT)
    r = rotation(srv, b)
    assert (r["state"], r["from_version"], r["to_version"]) == ("idle", 2, 2), r
    r = rotation(srv, other)
    assert (r["from_version"], r["to_version"]) == (1, 1), r  # another bucket: untouched
    read_all(acme, objects)

    # A second rotation makes version 3; the SSE-C object (now under 2)
    # holds it back again until it is gone.
    r = cli(srv, "--json", "bucket-key", "rotate", b, "--tenant", "acme", creds=ACME_ROOT).json()
    assert (r["from_version"], r["to_version"]) == (2, 3), r
    r = wait_done(srv, b)
    assert r["state"] == "failed" and r["sse_c_pending"] == 1, r
    read_all(acme, objects)
    acme.delete_object(Bucket=b, Key="ssec", VersionId=copied["VersionId"])
    del objects[(b, "ssec", None)]
    r = cli(srv, "--json", "bucket-key", "rotate", b, "--tenant", "acme", creds=ACME_ROOT).json()
    assert (r["from_version"], r["to_version"]) == (2, 3), r
    r = wait_done(srv, b)
    assert r["state"] == "done", r
    read_all(acme, objects)

    # Refusals: a bucket of no such name, and a shredded bucket.
    r = cli(srv, "bucket-key", "rotate", "no-such-bucket-x", "--tenant", "acme", expect=None)
    assert r.rc != 0 and "NoSuchBucket" in r.err + r.out, r
    cli(srv, "bucket", "shred", other, "--tenant", "acme", "--confirm", other, creds=ACME_ROOT)
    r = cli(srv, "bucket-key", "rotate", other, "--tenant", "acme", creds=ACME_ROOT, expect=None)
    # Refused naming the shred while its reclamation runs, as no such
    # bucket once the reclamation has removed the record (it has one object:
    # that can be at once). BucketKeyRotationTest covers the first case alone.
    out = r.err + r.out
    assert r.rc != 0 and (("Conflict" in out and "bucket shredded" in out) or "NoSuchBucket" in out), r
    del objects[(other, "o", None)]
    srv.stop_clean()

    # An offline scrub opens every object (SSE-C: size only).
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert "0 damaged" in scrub.stdout, scrub.stdout

    # Both calls are control events in the tenant's transparency log.
    events = json.dumps(export_log(srv, "acme"))
    assert events.count("RotateBucketKey") >= 4, events[-2000:]
    assert "GetBucketKeyRotation" in events


def test_a_put_that_outlives_the_rotation_is_refused_not_stored_unreadable(tmp_path):
    # A PUT wraps its data key under the bucket-key version its request
    # read as it started, and commits once its body is in. One that commits
    # after the rotation retired that version would store an object no key
    # opens; it is refused (409, retry) instead, and its retry lands.
    srv = AdminServer(str(tmp_path))
    srv.start()
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
        cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
        acme = s3_for(srv, ACME_ROOT)
        b = unique_bucket("bkslow")
        acme.create_bucket(Bucket=b)
        kept = os.urandom(3000)
        acme.put_object(Bucket=b, Key="kept", Body=kept)
        body = os.urandom(200 * 1024)

        def rotate():
            r = cli(srv, "--json", "bucket-key", "rotate", b, "--tenant", "acme", creds=ACME_ROOT).json()
            assert (r["from_version"], r["to_version"]) == (1, 2), r
            r = wait_done(srv, b)
            assert r["state"] == "done", r

        status, answer = put_with_a_pause(srv, b, "slow", body, ACME_ROOT, rotate)
        assert (status, xml_text(answer, "Code")) == (409, "OperationAborted"), answer
        assert [o["Key"] for o in acme.list_objects_v2(Bucket=b).get("Contents", [])] == ["kept"]
        assert acme.put_object(Bucket=b, Key="slow", Body=body)["ETag"].strip('"') == hashlib.md5(body).hexdigest()
        # After a restart (no key cached) both open under version 2 alone.
        srv.stop_clean()
        srv.start()
        acme = s3_for(srv, ACME_ROOT)
        r = rotation(srv, b)
        assert (r["from_version"], r["to_version"]) == (2, 2), r
        assert acme.get_object(Bucket=b, Key="slow")["Body"].read() == body
        assert acme.get_object(Bucket=b, Key="kept")["Body"].read() == kept
    finally:
        if srv.alive():
            srv.stop_clean()

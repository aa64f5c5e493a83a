"""Tenant key rotation, rewrap only (docs/keys.md "Rotation"), end to end:
objects of every encryption type (SSE-S3, SSE-KMS with a context, SSE-C,
multipart) in several buckets are written, the tenant key is rotated with
`confiance admin tenant-key rotate`, the background job's progress is read
until it is done, and then every object reads back byte-identical, before
and after a restart; the old version is retired (gone from the key record),
no object record or blob changed, and the rotation is in the tenant's
transparency log; an offline scrub decrypts every object but the SSE-C
ones (SSE-KMS through the KEK derived from the rotated bucket keys). A tenant that does not allow SYSTEM_MAINTENANCE makes the
job fail without losing anything; allowing it and starting again resumes
the same rotation."""

import hashlib
import json
import os
import subprocess
import time

from adminutil import AdminServer, cli, export_log, s3 as s3_for
from conftest import unique_bucket

ACME_ROOT = ("ACMEROTROOTKEY000001", "acme-rot-root-secret-0123456789")
MiB = 1024 * 1024


def wait_done(srv, tenant, creds, timeout=60):
    deadline = time.time() + timeout
    while True:
        r = cli(srv, "--json", "tenant-key", "rotation", tenant, creds=creds).json()
        if r["state"] != "running" or time.time() > deadline:
            return r
        time.sleep(0.2)


def data_files(srv):
    """(path, size, sha256) of every blob file under the data directory."""
    out = {}
    for root, _, files in os.walk(srv.data_dir):
        if "meta" in root.split(os.sep):
            continue
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def write_objects(acme, buckets):
    cust = os.urandom(32)
    objects = {}
    for i, b in enumerate(buckets):
        acme.create_bucket(Bucket=b)
        for j, size in enumerate((0, 100, 70 * 1024 + 3)):
            body = os.urandom(size)
            acme.put_object(Bucket=b, Key="s3-%d" % j, Body=body)
            objects[(b, "s3-%d" % j)] = (body, {})
            acme.put_object(Bucket=b, Key="kms-%d" % j, Body=body, ServerSideEncryption="aws:kms",
                            SSEKMSEncryptionContext="eyJwIjoicSJ9")
            objects[(b, "kms-%d" % j)] = (body, {})
        body = os.urandom(1000)
        ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": cust}
        acme.put_object(Bucket=b, Key="ssec", Body=body, **ssec)
        objects[(b, "ssec")] = (body, ssec)
        if i == 0:
            parts = [os.urandom(5 * MiB), os.urandom(1234)]
            up = acme.create_multipart_upload(Bucket=b, Key="mp", ServerSideEncryption="aws:kms")
            done = []
            for n, data in enumerate(parts, 1):
                r = acme.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)
                done.append({"PartNumber": n, "ETag": r["ETag"]})
            acme.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"],
                                           MultipartUpload={"Parts": done})
            objects[(b, "mp")] = (b"".join(parts), {})
    return objects


def read_all(acme, objects):
    for (b, k), (body, extra) in objects.items():
        got = acme.get_object(Bucket=b, Key=k, **extra)["Body"].read()
        assert got == body, (b, k)


def test_rotation_keeps_every_object_readable(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3_for(srv, ACME_ROOT)
    buckets = [unique_bucket("rot") for _ in range(3)]
    objects = write_objects(acme, buckets)
    before = data_files(srv)
    assert len(before) >= 7, before  # the 70 KiB objects and the parts are blobs
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert key["version"] == 1 and key["previous_versions"] == [], key

    r = cli(srv, "--json", "tenant-key", "rotate", "acme", creds=ACME_ROOT).json()
    assert r["from_version"] == 1 and r["to_version"] == 2, r
    r = wait_done(srv, "acme", ACME_ROOT)
    assert r["state"] == "done", r
    assert r["buckets_total"] == 3 and r["buckets_done"] == 3, r
    assert "3 of 3 bucket keys rewrapped" in cli(srv, "tenant-key", "rotation", "acme").out
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert key["version"] == 2 and key["previous_versions"] == [], key  # version 1 retired
    assert key["rotated_ms"] > 0, key

    read_all(acme, objects)
    assert data_files(srv) == before  # rewrap only: no blob written or changed
    # A bucket made after the rotation works too.
    nb = unique_bucket("rotnew")
    acme.create_bucket(Bucket=nb)
    acme.put_object(Bucket=nb, Key="n", Body=b"new", ServerSideEncryption="aws:kms")
    objects[(nb, "n")] = (b"new", {})

    # Fresh caches: the keys unwrap from the records alone.
    srv.stop_clean()
    srv.start()
    acme = s3_for(srv, ACME_ROOT)
    read_all(acme, objects)
    assert cli(srv, "--json", "tenant-key", "rotation", "acme").json()["state"] == "idle"

    # A tenant that refuses SYSTEM_MAINTENANCE: the job fails, nothing is lost.
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", creds=ACME_ROOT)
    r = cli(srv, "--json", "tenant-key", "rotate", "acme", creds=ACME_ROOT).json()
    assert r["to_version"] == 3, r
    r = wait_done(srv, "acme", ACME_ROOT)
    assert r["state"] == "failed" and "SYSTEM_MAINTENANCE" in r["error"], r
    assert cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()["previous_versions"] == [2]
    read_all(acme, objects)
    # Allowed again, "rotate" resumes the same rotation (no version 4).
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
    r = cli(srv, "--json", "tenant-key", "rotate", "acme").json()  # an operator may rotate too
    assert (r["from_version"], r["to_version"]) == (2, 3), r
    r = wait_done(srv, "acme", ACME_ROOT)
    assert r["state"] == "done" and r["buckets_done"] == 4, r
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert key["version"] == 3 and key["previous_versions"] == [], key
    read_all(acme, objects)
    srv.stop_clean()

    # An offline scrub decrypts every object (SSE-KMS ones through their
    # derived KEK, under the rotated keys); only SSE-C is size-checked.
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert "%d objects" % len(objects) in scrub.stdout, scrub.stdout
    assert "0 damaged" in scrub.stdout, scrub.stdout

    # Every rotation is an event in the tenant's transparency log.
    events = export_log(srv, "acme")
    rotations = [e for e in events if "RotateTenantKey" in json.dumps(e)]
    assert len(rotations) == 3, rotations

"""Named KMS keys (docs/keys.md "Named KMS keys"), end to end: the real
server driven by boto3 and the `confiance admin` CLI.

  - a tenant's root creates named keys; SSE-KMS objects name one (as
    tenant/name, its ARN or alias/name) through PutObject, multipart
    uploads, CopyObject and a bucket's default encryption, and read back;
  - a key id that names no key of the bucket's owner is 400
    KMS.NotFoundException, whoever asks;
  - a key's policy refusing a justification closes its objects alone;
  - a key under which Object Lock protects data cannot be destroyed;
  - destroying a named key (the tenant's root, confirmed, with a signed
    receipt) shreds exactly the objects under it, also after a restart;
    the rest of the tenant's data is untouched, and an offline scrub
    counts the shredded objects as refused, not damaged;
  - every step is a control event in the tenant's transparency log;
  - a rotated key (`kms-key rotate`) keeps every object readable, those
    written before it, after it and across it (a multipart upload begun
    before), also after a restart and a bucket-key rotation, until its
    destruction takes every version."""

import base64
import datetime
import hashlib
import subprocess
import time


from adminutil import AdminServer, cli, export_log, receipt_of, s3_code, tenant_clients, verify_receipt
from conftest import unique_bucket

ACME_ROOT = ("ACMEROOTKEY000000002", "acme-root-secret-0123456789")
GLOBEX_ROOT = ("GLOBEXROOTKEY0000002", "globex-root-secret-0123456789")
PART = 5 * 1024 * 1024


def read(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_named_kms_keys(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    acme, globex = tenant_clients(srv, (("acme", ACME_ROOT), ("globex", GLOBEX_ROOT)))
    bucket, other = unique_bucket("acme"), unique_bucket("globex")
    acme.create_bucket(Bucket=bucket)
    globex.create_bucket(Bucket=other)

    r = cli(srv, "kms-key", "create", "acme", "payroll", "--description", "salaries", creds=ACME_ROOT)
    assert "KMS key acme/payroll (arn:confiance:kms:::key/acme/payroll): active" in r.out, r
    cli(srv, "kms-key", "create", "acme", "archive", creds=ACME_ROOT)
    r = cli(srv, "kms-key", "create", "acme", "mine", expect=None)  # an operator
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    # An operator reads a tenant's keys only with its approval (the lockbox).
    r = cli(srv, "kms-key", "list", "acme", expect=None)
    assert r.rc == 1 and "AccessDenied" in r.err and "no approved access request" in r.err, r
    listed = cli(srv, "--json", "kms-key", "list", "acme", creds=ACME_ROOT).json()
    assert [k["name"] for k in listed["keys"]] == ["archive", "payroll"], listed
    assert listed["keys"][1]["description"] == "salaries", listed

    # Objects under each form of key id, and under the tenant key.
    sse = {"ServerSideEncryption": "aws:kms"}
    acme.put_object(Bucket=bucket, Key="pay.txt", Body=b"salary", SSEKMSKeyId="acme/payroll", **sse)
    acme.put_object(Bucket=bucket, Key="pay-arn.txt", Body=b"bonus",
                    SSEKMSKeyId="arn:confiance:kms:::key/acme/payroll", **sse)
    acme.put_object(Bucket=bucket, Key="old.txt", Body=b"archived", SSEKMSKeyId="alias/archive", **sse)
    acme.put_object(Bucket=bucket, Key="plain.txt", Body=b"tenant key", **sse)
    head = acme.head_object(Bucket=bucket, Key="pay.txt")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == "acme/payroll", head
    assert acme.head_object(Bucket=bucket, Key="old.txt")["SSEKMSKeyId"] == "alias/archive"
    assert read(acme, bucket, "pay.txt") == b"salary" and read(acme, bucket, "pay-arn.txt") == b"bonus"
    assert read(acme, bucket, "old.txt") == b"archived"
    # A multipart upload and a copy under the named key.
    up = acme.create_multipart_upload(Bucket=bucket, Key="big.bin", SSEKMSKeyId="acme/payroll", **sse)
    assert up["SSEKMSKeyId"] == "acme/payroll", up
    parts = []
    for n, fill in ((1, b"a"), (2, b"b")):
        etag = acme.upload_part(Bucket=bucket, Key="big.bin", UploadId=up["UploadId"], PartNumber=n,
                                Body=fill * (PART if n == 1 else 1000))["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    acme.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=up["UploadId"],
                                   MultipartUpload={"Parts": parts})
    assert read(acme, bucket, "big.bin") == b"a" * PART + b"b" * 1000
    acme.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "old.txt"},
                     SSEKMSKeyId="acme/payroll", **sse)
    assert acme.head_object(Bucket=bucket, Key="copy.txt")["SSEKMSKeyId"] == "acme/payroll"
    assert read(acme, bucket, "copy.txt") == b"archived"
    # A bucket default naming a named key; one naming no key is refused.
    acme.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/payroll"}}]})
    acme.put_object(Bucket=bucket, Key="default.txt", Body=b"by default")
    assert acme.head_object(Bucket=bucket, Key="default.txt")["SSEKMSKeyId"] == "alias/payroll"
    bad_default = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                                     "KMSMasterKeyID": "alias/nope"}}]}
    assert s3_code(acme.put_bucket_encryption, Bucket=bucket,
                   ServerSideEncryptionConfiguration=bad_default) == (400, "KMS.NotFoundException")
    acme.delete_bucket_encryption(Bucket=bucket)

    # Ids naming no key of the bucket's owner.
    for key_id in ("acme/nope", "alias/nope", "globex/payroll", "acme/a b"):
        assert s3_code(acme.put_object, Bucket=bucket, Key="x", Body=b"x", SSEKMSKeyId=key_id,
                       **sse) == (400, "KMS.NotFoundException"), key_id
    cli(srv, "kms-key", "create", "globex", "payroll", creds=GLOBEX_ROOT)
    assert s3_code(globex.put_object, Bucket=other, Key="x", Body=b"x", SSEKMSKeyId="acme/payroll",
                   **sse) == (400, "KMS.NotFoundException")
    assert s3_code(acme.put_object, Bucket=bucket, Key="x", Body=b"x", SSEKMSKeyId="globex/payroll",
                   **sse) == (400, "KMS.NotFoundException")

    # A policy refusing the tenant's own requests closes that key's objects only.
    r = cli(srv, "kms-key", "allow", "acme", "payroll", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
    assert "allowed justifications: SYSTEM_MAINTENANCE" in r.out, r
    resp = srv.request("GET", "/%s/pay.txt" % bucket, access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    refused = b"not allowed by the key policy of KMS key payroll of tenant acme"
    assert resp.status == 403 and refused in resp.body, resp.body
    assert s3_code(acme.put_object, Bucket=bucket, Key="y", Body=b"y", SSEKMSKeyId="acme/payroll",
                   **sse) == (403, "AccessDenied")
    assert read(acme, bucket, "old.txt") == b"archived" and read(acme, bucket, "plain.txt") == b"tenant key"
    cli(srv, "kms-key", "allow", "acme", "payroll", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
    assert read(acme, bucket, "pay.txt") == b"salary"

    # Not while Object Lock protects data under the key (any other key may go).
    locked = unique_bucket("acme-lock")
    acme.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    cli(srv, "kms-key", "create", "acme", "legal", creds=ACME_ROOT)
    cli(srv, "kms-key", "create", "acme", "scratch", creds=ACME_ROOT)
    body = b"held"
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(microsecond=0)
    acme.put_object(Bucket=locked, Key="held.txt", Body=body, SSEKMSKeyId="alias/legal",
                    ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),
                    ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until, **sse)
    acme.put_object(Bucket=locked, Key="loose.txt", Body=b"loose", SSEKMSKeyId="alias/scratch", **sse)
    r = cli(srv, "kms-key", "destroy", "acme", "legal", "--confirm", "legal", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "ObjectLocked" in r.err + r.out and "held.txt" in r.err + r.out, r
    cli(srv, "kms-key", "destroy", "acme", "scratch", "--confirm", "scratch", creds=ACME_ROOT)
    assert read(acme, locked, "held.txt") == body

    # Destruction: confirmed by the key's name, with a signed receipt.
    r = cli(srv, "kms-key", "destroy", "acme", "payroll", "--confirm", "acme", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "every object under it unreadable" in r.err + r.out, r
    r = cli(srv, "kms-key", "destroy", "acme", "payroll", "--confirm", "payroll", creds=ACME_ROOT)
    assert "KMS key acme/payroll (arn:confiance:kms:::key/acme/payroll): destroyed" in r.out, r
    receipt = receipt_of(r.out)
    assert "\ntenant acme\nscope kms-key payroll\n" in receipt, receipt
    (tmp_path / "receipt").write_text(receipt)
    shredded = ("pay.txt", "pay-arn.txt", "big.bin", "copy.txt", "default.txt")
    kept = {"old.txt": b"archived", "plain.txt": b"tenant key"}

    def check_shred():
        for key in shredded:
            resp = srv.request("GET", "/%s/%s" % (bucket, key), access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
            assert resp.status == 403 and b"KMS key payroll of tenant acme was destroyed" in resp.body, (key, resp.body)
        for key, body in kept.items():
            assert read(acme, bucket, key) == body, key
        assert s3_code(acme.put_object, Bucket=bucket, Key="z", Body=b"z", SSEKMSKeyId="acme/payroll",
                       **sse) == (403, "AccessDenied")
        assert read(globex, other, "x") == b"x"  # globex's own payroll key is another key

    globex.put_object(Bucket=other, Key="x", Body=b"x", SSEKMSKeyId="alias/payroll", **sse)
    check_shred()
    srv.stop_clean()
    srv.start()
    check_shred()
    # Listing and deleting need no key: the tenant can clear what is shredded.
    listed_keys = [o["Key"] for o in acme.list_objects_v2(Bucket=bucket)["Contents"]]
    assert set(shredded) <= set(listed_keys), listed_keys
    acme.delete_object(Bucket=bucket, Key="pay-arn.txt")
    srv.stop_clean()

    # An offline scrub: the shredded objects are refused (the tenant's act), not damage.
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert "0 damaged" in scrub.stdout, scrub.stdout
    assert "KMS key payroll of tenant acme was destroyed" in scrub.stdout, scrub.stdout
    assert "5 objects not examined" in scrub.stdout, scrub.stdout
    assert "SKIPPED bucket %s (objects under a named KMS key): Key access denied" % bucket in scrub.stdout, scrub.stdout

    # The receipt verifies offline against the server's log key.
    ok = verify_receipt(srv, tmp_path / "receipt")
    assert ok.returncode == 0 and "of kms-key payroll (tenant acme) was destroyed" in ok.stdout, ok

    # Every step is in acme's own log.
    events = export_log(srv, "acme")
    actions = [e.get("action") for e in events if e.get("kind") == "control"]
    for action in ("CreateKmsKey", "PutKmsKeyPolicy", "DestroyKmsKey"):
        assert action in actions, actions
    created = [e for e in events if e.get("action") == "CreateKmsKey" and e.get("status") == 201]
    names = ("payroll", "archive", "legal", "scratch")
    assert {e.get("target") for e in created} == {"tenant/acme/kms-key/" + n for n in names}, created
    srv.check_transparency_log()


def test_a_rotated_named_key_keeps_every_version(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    (acme,) = tenant_clients(srv, (("acme", ACME_ROOT),))
    bucket = unique_bucket("acme-rot")
    acme.create_bucket(Bucket=bucket)
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
    cli(srv, "kms-key", "create", "acme", "payroll", creds=ACME_ROOT)
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/payroll"}
    objects = {"before.txt": b"written under version 1"}
    acme.put_object(Bucket=bucket, Key="before.txt", Body=objects["before.txt"], **sse)
    # An upload begun before the rotation, its second part sent after it.
    up = acme.create_multipart_upload(Bucket=bucket, Key="across.bin", **sse)
    etag1 = acme.upload_part(Bucket=bucket, Key="across.bin", UploadId=up["UploadId"], PartNumber=1,
                             Body=b"1" * PART)["ETag"]

    r = cli(srv, "kms-key", "rotate", "acme", "payroll", expect=None)  # an operator
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    r = cli(srv, "kms-key", "rotate", "acme", "payroll", creds=ACME_ROOT)
    assert "version: 2 (older versions kept for the objects under them)" in r.out, r
    shown = cli(srv, "--json", "kms-key", "show", "acme", "payroll", creds=ACME_ROOT).json()
    assert shown["version"] == 2 and shown["previous_versions"] == [1], shown

    etag2 = acme.upload_part(Bucket=bucket, Key="across.bin", UploadId=up["UploadId"], PartNumber=2,
                             Body=b"2" * 1000)["ETag"]
    acme.complete_multipart_upload(Bucket=bucket, Key="across.bin", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag1}, {"PartNumber": 2, "ETag": etag2}]})
    objects["across.bin"] = b"1" * PART + b"2" * 1000
    objects["after.txt"] = b"written under version 2"
    acme.put_object(Bucket=bucket, Key="after.txt", Body=objects["after.txt"], **sse)
    acme.copy_object(Bucket=bucket, Key="copied.txt", CopySource={"Bucket": bucket, "Key": "before.txt"}, **sse)
    objects["copied.txt"] = objects["before.txt"]
    cli(srv, "kms-key", "rotate", "acme", "payroll", creds=ACME_ROOT)
    objects["third.txt"] = b"written under version 3"
    acme.put_object(Bucket=bucket, Key="third.txt", Body=objects["third.txt"], **sse)

    def check_all():
        for key, body in objects.items():
            assert read(acme, bucket, key) == body, key
            assert acme.head_object(Bucket=bucket, Key=key)["SSEKMSKeyId"] == "alias/payroll", key

    check_all()
    srv.stop_clean()
    srv.start()  # nothing cached: every version unwrapped from the store
    check_all()
    # A bucket-key rotation rewraps objects under every version of the named key.
    cli(srv, "bucket-key", "rotate", bucket, "--tenant", "acme", creds=ACME_ROOT)
    for _ in range(200):
        rot = cli(srv, "--json", "bucket-key", "rotation", bucket, "--tenant", "acme", creds=ACME_ROOT).json()
        if rot["state"] != "running":
            break
        time.sleep(0.1)
    assert rot["state"] == "done", rot
    check_all()
    # An offline scrub opens every object, each under its version.
    srv.stop_clean()
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert ", %d objects, " % len(objects) in scrub.stdout and "0 damaged" in scrub.stdout, scrub.stdout
    srv.start()

    # The destruction takes every version.
    cli(srv, "kms-key", "destroy", "acme", "payroll", "--confirm", "payroll", creds=ACME_ROOT)
    for key in objects:
        resp = srv.request("GET", "/%s/%s" % (bucket, key), access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
        assert resp.status == 403 and b"KMS key payroll of tenant acme was destroyed" in resp.body, (key, resp.body)
    r = cli(srv, "kms-key", "rotate", "acme", "payroll", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "Conflict" in r.err + r.out, r
    srv.stop_clean()
    actions = [e.get("action") for e in export_log(srv, "acme") if e.get("kind") == "control"]
    assert actions.count("RotateKmsKey") == 4, actions  # the operator's and the destroyed key's refusals too


def test_a_named_key_rotates_on_its_schedule(tmp_path):
    # A lifecycle "day" of one second (a debug setting), ticks every second.
    srv = AdminServer(str(tmp_path), extra_args=["--lifecycle-day-seconds", "1", "--lifecycle-interval", "1"])
    srv.start()
    (acme,) = tenant_clients(srv, (("acme", ACME_ROOT),))
    bucket = unique_bucket("acme-sched")
    acme.create_bucket(Bucket=bucket)
    cli(srv, "kms-key", "create", "acme", "payroll", creds=ACME_ROOT)
    cli(srv, "kms-key", "create", "acme", "manual", creds=ACME_ROOT)
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/payroll"}
    acme.put_object(Bucket=bucket, Key="first.txt", Body=b"first", **sse)
    r = cli(srv, "kms-key", "schedule", "acme", "payroll", "--every-days", "2561", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "InvalidRequest" in r.err + r.out, r
    r = cli(srv, "kms-key", "schedule", "acme", "payroll", "--every-days", "2", expect=None)  # an operator
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    r = cli(srv, "kms-key", "schedule", "acme", "payroll", "--every-days", "2", creds=ACME_ROOT)
    assert "rotated every 2 days" in r.out, r
    deadline = time.time() + 30
    while True:
        shown = cli(srv, "--json", "kms-key", "show", "acme", "payroll", creds=ACME_ROOT).json()
        if shown["version"] >= 3:
            break
        assert time.time() < deadline, shown
        time.sleep(0.5)
    assert shown["rotation_period_days"] == 2 and shown["previous_versions"][:2] == [1, 2], shown
    acme.put_object(Bucket=bucket, Key="later.txt", Body=b"later", **sse)
    assert read(acme, bucket, "first.txt") == b"first" and read(acme, bucket, "later.txt") == b"later"
    # Off again: the key stays at its version; a key without a schedule never moved.
    cli(srv, "kms-key", "schedule", "acme", "payroll", "--every-days", "0", creds=ACME_ROOT)
    stopped_at = cli(srv, "--json", "kms-key", "show", "acme", "payroll", creds=ACME_ROOT).json()["version"]
    time.sleep(3)
    assert cli(srv, "--json", "kms-key", "show", "acme", "payroll", creds=ACME_ROOT).json()["version"] == stopped_at
    assert cli(srv, "--json", "kms-key", "show", "acme", "manual", creds=ACME_ROOT).json()["version"] == 1
    srv.stop_clean()
    events = [e for e in export_log(srv, "acme") if e.get("action") == "RotateKmsKey"]
    scheduled = [e for e in events if e.get("principal", {}).get("type") == "system"]
    assert len(scheduled) == stopped_at - 1, events
    assert all(e["target"] == "tenant/acme/kms-key/payroll" and e["status"] == 200 for e in scheduled), scheduled
    assert [e["details"]["version"] for e in scheduled] == [str(v) for v in range(2, stopped_at + 1)], scheduled

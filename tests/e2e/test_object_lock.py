"""S3 Object Lock (WORM) end to end (issue 9; docs/object-lock.md), with
boto3 against the real server:

  - the bucket configuration: creation with Object Lock, Put/Get with
    S3's errors, versioning that cannot be suspended;
  - default retention applied to new versions; explicit retention needing
    Content-MD5 or a checksum;
  - GOVERNANCE: a delete by version refused, allowed with the bypass for
    the tenant root and for a user granted s3:BypassGovernanceRetention,
    refused for a user without it;
  - COMPLIANCE: refused for the tenant root even with the bypass, for
    DeleteObject and DeleteObjects alike; retention can only grow;
  - legal hold blocks deletion until released;
  - an operator credential cannot delete (S3 refuses operators outright);
  - lifecycle expiry writes a delete marker and never removes a locked
    version;
  - a tenant's key cannot be destroyed (shredding) while its data is
    locked."""

import base64
import datetime
import hashlib
import json
import time

import pytest

from adminutil import OPERATOR, cli, s3, s3_code, serve_module
from conftest import unique_bucket

DAY = 2  # seconds in a lifecycle "day" (--lifecycle-day-seconds)
ACME_ROOT = ("LOCKACMEROOTKEY00001", "lock-acme-root-secret-0123456789")
SHRED_ROOT = ("LOCKSHREDROOTKEY0001", "lock-shred-root-secret-012345678")
NOBYPASS = ("LOCKNOBYPASSKEY00001", "lock-nobypass-secret-0123456789")
BYPASS = ("LOCKBYPASSUSERKEY001", "lock-bypass-secret-01234567890")

# Everything a writer needs, but not s3:BypassGovernanceRetention.
NO_BYPASS_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Resource": "*", "Action": [
        "s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
        "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions",
        "s3:PutObjectRetention", "s3:GetObjectRetention"]}]})
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve_module(tmp_path_factory, "objlock", extra_args=["--lifecycle-day-seconds", str(DAY), "--lifecycle-interval", "1"])


@pytest.fixture(scope="module")
def root(server):
    return server.client()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def until(seconds):
    # Whole seconds: what the server returns compares equal.
    return (utcnow() + datetime.timedelta(seconds=seconds)).replace(microsecond=0)


def md5(body):
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def lock_bucket(client, prefix="lock"):
    name = unique_bucket(prefix)
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def put_locked(client, bucket, key, mode, seconds, body=b"locked data"):
    r = client.put_object(Bucket=bucket, Key=key, Body=body, ContentMD5=md5(body),
                          ObjectLockMode=mode, ObjectLockRetainUntilDate=until(seconds))
    return r["VersionId"]


def versions(client, bucket, key):
    r = client.list_object_versions(Bucket=bucket, Prefix=key)
    return ([v["VersionId"] for v in r.get("Versions", [])],
            [m["VersionId"] for m in r.get("DeleteMarkers", [])])


def test_configuration_round_trip_and_errors(root):
    bucket = lock_bucket(root)
    assert root.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    got = root.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert got == {"ObjectLockEnabled": "Enabled"}
    conf = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 2}}}
    root.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    assert root.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
    both = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}}
    assert s3_code(root.put_object_lock_configuration, Bucket=bucket,
                   ObjectLockConfiguration=both) == (400, "MalformedXML")
    zero = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}}
    assert s3_code(root.put_object_lock_configuration, Bucket=bucket,
                   ObjectLockConfiguration=zero) == (400, "InvalidRetentionPeriod")
    assert s3_code(root.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Suspended"}) == (409, "InvalidBucketState")
    # A bucket without Object Lock: 404 on Get, 409 on Put until versioned.
    plain = unique_bucket("plain")
    root.create_bucket(Bucket=plain)
    assert s3_code(root.get_object_lock_configuration, Bucket=plain) == (
        404, "ObjectLockConfigurationNotFoundError")
    assert s3_code(root.put_object_lock_configuration, Bucket=plain,
                   ObjectLockConfiguration=conf) == (409, "InvalidBucketState")
    root.put_object(Bucket=plain, Key="k", Body=b"x")
    assert s3_code(root.put_object_legal_hold, Bucket=plain, Key="k",
                   LegalHold={"Status": "ON"}) == (400, "InvalidRequest")
    root.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    root.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=conf)
    assert root.get_object_lock_configuration(Bucket=plain)["ObjectLockConfiguration"] == conf


def test_default_retention_applied(root):
    bucket = lock_bucket(root)
    root.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    before = utcnow()
    v = root.put_object(Bucket=bucket, Key="d", Body=b"default")["VersionId"]
    head = root.head_object(Bucket=bucket, Key="d")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    delta = head["ObjectLockRetainUntilDate"] - before
    assert datetime.timedelta(hours=23, minutes=59) < delta < datetime.timedelta(days=1, minutes=1), delta
    ret = root.get_object_retention(Bucket=bucket, Key="d", VersionId=v)["Retention"]
    assert ret["Mode"] == "GOVERNANCE"
    assert s3_code(root.delete_object, Bucket=bucket, Key="d", VersionId=v) == (403, "AccessDenied")
    # Copies and multipart completions get it too.
    root.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "d"})
    assert root.head_object(Bucket=bucket, Key="copy")["ObjectLockMode"] == "GOVERNANCE"
    up = root.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    part = root.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"part")
    root.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                   MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})
    assert root.head_object(Bucket=bucket, Key="mp")["ObjectLockMode"] == "GOVERNANCE"


def test_explicit_retention_needs_an_integrity_header(server, root):
    bucket = lock_bucket(root)
    # (boto3 adds Content-MD5 itself when it sends lock headers: a raw request.)
    date = until(3600).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = server.request("PUT", "/%s/k" % bucket, body=b"x", headers={
        "x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": date})
    assert r.status == 400 and b"<Code>InvalidRequest</Code>" in r.body, r.body
    assert s3_code(root.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5=md5(b"x"),
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until(-10)) == (400, "InvalidArgument")
    assert s3_code(root.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5=md5(b"x"),
                   ObjectLockMode="GOVERNANCE") == (400, "InvalidArgument")
    # An additional checksum instead of Content-MD5 will do.
    body = b"x"
    crc = base64.b64encode(__import__("zlib").crc32(body).to_bytes(4, "big")).decode()
    r = server.request("PUT", "/%s/k" % bucket, body=body, headers={
        "x-amz-checksum-crc32": crc, "x-amz-object-lock-mode": "GOVERNANCE",
        "x-amz-object-lock-retain-until-date": date})
    assert r.status == 200, r.body
    assert root.head_object(Bucket=bucket, Key="k")["ObjectLockMode"] == "GOVERNANCE"


def test_governance_delete_refused_then_bypassed_by_root(root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "g", "GOVERNANCE", 3600)
    assert s3_code(root.delete_object, Bucket=bucket, Key="g", VersionId=v) == (403, "AccessDenied")
    r = root.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "g", "VersionId": v}]})
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("g", "AccessDenied")]
    assert v in versions(root, bucket, "g")[0]
    r = root.delete_object(Bucket=bucket, Key="g", VersionId=v, BypassGovernanceRetention=True)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert versions(root, bucket, "g")[0] == []


def test_governance_bypass_needs_the_permission(server):
    cli(server, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    for user, creds, policy in (("nobypass", NOBYPASS, NO_BYPASS_POLICY), ("bypass", BYPASS, ALLOW_ALL)):
        cli(server, "user", "create", "--tenant", "acme", user, "--access-key", creds[0], "--secret-key", creds[1])
        cli(server, "policy", "put", "--tenant", "acme", "--user", user, "p", stdin=policy, creds=ACME_ROOT)
    acme = s3(server, ACME_ROOT)
    bucket = lock_bucket(acme, "acme")
    v = put_locked(acme, bucket, "g", "GOVERNANCE", 3600)
    weak = s3(server, NOBYPASS)
    assert weak.get_object(Bucket=bucket, Key="g")["Body"].read() == b"locked data"
    assert s3_code(weak.delete_object, Bucket=bucket, Key="g", VersionId=v,
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    # Nor can it shorten the retention with the bypass.
    assert s3_code(weak.put_object_retention, Bucket=bucket, Key="g", VersionId=v, BypassGovernanceRetention=True,
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until(60)}) == (403, "AccessDenied")
    assert v in versions(acme, bucket, "g")[0]
    strong = s3(server, BYPASS)
    assert s3_code(strong.delete_object, Bucket=bucket, Key="g", VersionId=v) == (403, "AccessDenied")
    strong.delete_object(Bucket=bucket, Key="g", VersionId=v, BypassGovernanceRetention=True)
    assert versions(acme, bucket, "g")[0] == []


def test_compliance_refused_for_root_even_with_bypass(root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "c", "COMPLIANCE", 3600)
    assert s3_code(root.delete_object, Bucket=bucket, Key="c", VersionId=v,
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    r = root.delete_objects(Bucket=bucket, BypassGovernanceRetention=True,
                            Delete={"Objects": [{"Key": "c", "VersionId": v}]})
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("c", "AccessDenied")]
    # A delete without a version id only adds a delete marker.
    marker = root.delete_object(Bucket=bucket, Key="c")
    assert marker["DeleteMarker"] is True
    assert v in versions(root, bucket, "c")[0]
    assert root.get_object(Bucket=bucket, Key="c", VersionId=v)["Body"].read() == b"locked data"
    # Retention only grows: no shortening, no change of mode, no bypass.
    current = root.get_object_retention(Bucket=bucket, Key="c", VersionId=v)["Retention"]["RetainUntilDate"]
    for mode, when in (("COMPLIANCE", current - datetime.timedelta(seconds=60)),
                       ("GOVERNANCE", current + datetime.timedelta(seconds=60))):
        assert s3_code(root.put_object_retention, Bucket=bucket, Key="c", VersionId=v,
                       BypassGovernanceRetention=True,
                       Retention={"Mode": mode, "RetainUntilDate": when}) == (403, "AccessDenied")
    later = current + datetime.timedelta(days=1)
    root.put_object_retention(Bucket=bucket, Key="c", VersionId=v,
                              Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later})
    got = root.get_object_retention(Bucket=bucket, Key="c", VersionId=v)["Retention"]
    assert got == {"Mode": "COMPLIANCE", "RetainUntilDate": later}


def test_compliance_ends_at_its_date(root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "short", "COMPLIANCE", 3)
    assert s3_code(root.delete_object, Bucket=bucket, Key="short", VersionId=v) == (403, "AccessDenied")
    time.sleep(4.5)
    root.delete_object(Bucket=bucket, Key="short", VersionId=v)
    assert versions(root, bucket, "short")[0] == []


def test_governance_retention_shortening(root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "s", "GOVERNANCE", 7200)
    shorter = {"Mode": "GOVERNANCE", "RetainUntilDate": until(3600)}
    assert s3_code(root.put_object_retention, Bucket=bucket, Key="s", VersionId=v,
                   Retention=shorter) == (403, "AccessDenied")
    root.put_object_retention(Bucket=bucket, Key="s", VersionId=v, Retention=shorter,
                              BypassGovernanceRetention=True)
    assert root.get_object_retention(Bucket=bucket, Key="s", VersionId=v)["Retention"] == shorter


def test_legal_hold_blocks_delete_until_released(root):
    bucket = lock_bucket(root)
    v = root.put_object(Bucket=bucket, Key="h", Body=b"held")["VersionId"]
    root.put_object_legal_hold(Bucket=bucket, Key="h", LegalHold={"Status": "ON"})
    assert root.get_object_legal_hold(Bucket=bucket, Key="h")["LegalHold"] == {"Status": "ON"}
    assert root.head_object(Bucket=bucket, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    assert s3_code(root.delete_object, Bucket=bucket, Key="h", VersionId=v,
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    root.put_object_legal_hold(Bucket=bucket, Key="h", LegalHold={"Status": "OFF"})
    root.delete_object(Bucket=bucket, Key="h", VersionId=v)
    assert versions(root, bucket, "h")[0] == []


def test_operator_credential_cannot_delete(server, root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "op", "COMPLIANCE", 3600)
    g = put_locked(root, bucket, "gov", "GOVERNANCE", 3600)
    operator = s3(server, OPERATOR)
    for key, version in (("op", v), ("gov", g)):
        assert s3_code(operator.delete_object, Bucket=bucket, Key=key, VersionId=version,
                       BypassGovernanceRetention=True) == (403, "AccessDenied")
        assert version in versions(root, bucket, key)[0]


def test_lifecycle_does_not_expire_a_locked_version(root):
    bucket = lock_bucket(root)
    v = put_locked(root, bucket, "lc/a", "COMPLIANCE", 3600)
    # A control without a lock: its old version must go, proving the
    # noncurrent pass ran over the bucket.
    old = root.put_object(Bucket=bucket, Key="lc/b", Body=b"old")["VersionId"]
    root.put_object(Bucket=bucket, Key="lc/b", Body=b"new")
    root.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "all", "Status": "Enabled", "Filter": {"Prefix": "lc/"}, "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    deadline = time.monotonic() + 60
    while not versions(root, bucket, "lc/a")[1] or old in versions(root, bucket, "lc/b")[0]:
        assert time.monotonic() < deadline, "lifecycle never ran: %r %r" % (
            versions(root, bucket, "lc/a"), versions(root, bucket, "lc/b"))
        time.sleep(0.5)
    # Expiry wrote a delete marker over lc/a; the locked version, now
    # noncurrent and past NoncurrentDays, is intact.
    time.sleep(2 * DAY)
    live, markers = versions(root, bucket, "lc/a")
    assert v in live and len(markers) >= 1, (live, markers)
    assert root.get_object(Bucket=bucket, Key="lc/a", VersionId=v)["Body"].read() == b"locked data"


def test_tenant_key_destroy_refused_while_locked(server):
    cli(server, "tenant", "create", "shred", "--access-key", SHRED_ROOT[0], "--secret-key", SHRED_ROOT[1])
    shred = s3(server, SHRED_ROOT)
    bucket = lock_bucket(shred, "shred")
    v = shred.put_object(Bucket=bucket, Key="held", Body=b"evidence")["VersionId"]
    shred.put_object_legal_hold(Bucket=bucket, Key="held", LegalHold={"Status": "ON"})
    r = cli(server, "tenant-key", "destroy", "shred", "--confirm", "shred", creds=SHRED_ROOT, expect=None)
    assert r.rc != 0 and "ObjectLocked" in r.err + r.out and "held" in r.err + r.out, r
    assert shred.get_object(Bucket=bucket, Key="held")["Body"].read() == b"evidence"
    # Released and deleted: shredding goes ahead.
    shred.put_object_legal_hold(Bucket=bucket, Key="held", LegalHold={"Status": "OFF"})
    shred.delete_object(Bucket=bucket, Key="held", VersionId=v)
    r = cli(server, "tenant-key", "destroy", "shred", "--confirm", "shred", creds=SHRED_ROOT)
    assert "key destroyed" in r.out, r

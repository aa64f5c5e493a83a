"""Key-access justifications sent to the KMS (docs/kmip.md "Key-access
justifications", issue 6): the tenant's own KMS is told why each of its
key's wraps and unwraps is done, and decides too.

PyKMIP cannot read the KMIP Message Extension that carries the reason, so
the tenant's KMS here is tests/kmip/justification_proxy.py (mutual TLS, in
front of a real PyKMIP server): it records the justification of every
Encrypt/Decrypt, strips it and forwards to PyKMIP, or refuses a reason
(Operation Failed, Permission Denied) as the tenant's KMS deciding.

- send_justification on: the switch (a rotation) wraps and rewraps under
  SYSTEM_MAINTENANCE; an S3 GET with cold caches is a Decrypt with
  TENANT_REQUEST; the KMS refusing TENANT_REQUEST makes GETs 403
  AccessDenied naming the refusal (the transparency log has the
  justification, the server log the KMS's answer), while a rotation
  (SYSTEM_MAINTENANCE) still works; allowing it again restores reads.
- send_justification off: the KMS sees no extension, and PyKMIP behind
  the same proxy (or directly, as tests/e2e/test_hyok.py) works.
- The operator's root KMS (--kms kmip --kmip-send-justification) is told
  the reason of the tenant keys' unwraps the same way.
- An operator's access through the lockbox reaches the tenant's KMS as
  OPERATOR_APPROVED carrying the approval's id, once per approval: a
  second approval is asked for again although the key is cached; the KMS
  refusing OPERATOR_APPROVED refuses the approved access.

Skipped only when pykmip-server is not installed."""

import os
import sys
import tempfile
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "kmip"))

import conftest  # noqa: E402
import justification_proxy  # noqa: E402
import pykmip_server  # noqa: E402
from adminutil import AdminServer, OPERATOR, cli, export_log, s3 as s3_for, s3_code  # noqa: E402
from conftest import unique_bucket  # noqa: E402

LIFETIME = 2.0
ACME_ROOT = ("ACMEJUSTROOTKEY00001", "acme-just-root-secret-0123456789")
INITECH_ROOT = ("INITECHJUSTROOTKEY01", "initech-just-root-secret-01234567")
UMBRELLA_ROOT = ("UMBRELLAJUSTROOTKEY1", "umbrella-just-root-secret-0123456")
HOOLI_ROOT = ("HOOLIJUSTROOTKEY0001", "hooli-just-root-secret-0123456789")


@pytest.fixture(scope="module")
def kms():
    if not os.access(pykmip_server.PYKMIP_SERVER, os.X_OK):
        pytest.skip("pykmip-server not installed (Debian python3-pykmip)")
    workdir = tempfile.mkdtemp(prefix="confiance-e2e-kmsreason-")
    srv = pykmip_server.PyKmipServer(workdir)
    proxy = None
    try:
        srv.start()
        proxy = justification_proxy.JustificationProxy(srv).start()
        yield srv, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        srv.stop()
        pykmip_server.cleanup(workdir)


def tenant_key(kms, name):
    """An Active AES-256 key in the tenant's KMS, created with Confiance's
    certificate (PyKMIP lets only the creator's common name use a key)."""
    from kmip.core import enums
    with kms.client() as c:
        uid = c.create(enums.CryptographicAlgorithm.AES, 256, name=name)
        c.activate(uid)
    return uid


def wait_done(srv, tenant, creds, timeout=60):
    deadline = time.time() + timeout
    while True:
        r = cli(srv, "--json", "tenant-key", "rotation", tenant, creds=creds).json()
        if r["state"] != "running" or time.time() > deadline:
            return r
        time.sleep(0.2)


def get_error(s3, bucket, key):
    try:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


def reasons(records, operation):
    return [r["justification"] for r in records if r["operation"] == operation]


def hyok_server(tmp_path, pykmip, proxy, extra=()):
    c = pykmip.certs
    srv = AdminServer(str(tmp_path), extra_args=[
        "--hyok-client-cert", c["client_cert"], "--hyok-client-key", c["client_key"],
        "--hyok-allow", proxy.endpoint, "--hyok-cache-lifetime", str(LIFETIME),
        "--kmip-timeout", "10", "--kmip-connect-timeout", "2", *extra])
    srv.start()
    return srv


def fresh_caches(srv, creds):
    """Restarts the server: no key is cached, the next use asks the KMS."""
    srv.stop_clean()
    srv.start()
    return s3_for(srv, creds)


def test_tenant_kms_is_told_and_decides(kms, tmp_path):
    pykmip, proxy = kms
    srv = hyok_server(tmp_path, pykmip, proxy)
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3_for(srv, ACME_ROOT)
    bucket = unique_bucket("kmsreason")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="a", Body=b"alpha", ServerSideEncryption="AES256")
    acme.put_object(Bucket=bucket, Key="k", Body=b"kappa", ServerSideEncryption="aws:kms")
    uid = tenant_key(pykmip, "acme-" + uuid.uuid4().hex[:8])
    proxy.take()

    # The switch to the tenant's KMS, telling it the reasons.
    r = cli(srv, "--json", "tenant-key", "external", "acme", "--endpoint", proxy.endpoint,
            "--ca", pykmip.certs["ca_cert"], "--key-id", uid, "--send-justification", creds=ACME_ROOT).json()
    assert r["to_version"] == 2, r
    assert wait_done(srv, "acme", ACME_ROOT)["state"] == "done"
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert key["external"] == {"endpoint": proxy.endpoint, "key_id": uid, "send_justification": True}, key
    seen = proxy.take()
    # The new version wrapped (Encrypt), then unwrapped by the job that
    # rewraps the bucket key (Decrypt): maintenance, not a tenant request.
    assert reasons(seen, "Encrypt") == ["SYSTEM_MAINTENANCE"], seen
    assert reasons(seen, "Decrypt") and set(reasons(seen, "Decrypt")) == {"SYSTEM_MAINTENANCE"}, seen
    # The extension's header as docs/kmip.md says: ours, not critical.
    for rec in seen:
        if rec["extension"]:
            assert rec["vendor"] == "confiance" and rec["critical"] is False and rec["approval_id"] is None, rec
    # Only Encrypt/Decrypt carry it (Locate/Get Attributes check the key).
    assert all(rec["operation"] in ("Encrypt", "Decrypt") for rec in seen if rec["extension"]), seen
    assert "Get" not in [rec["operation"] for rec in seen], seen

    # A tenant's GET with cold caches: one Decrypt, for TENANT_REQUEST.
    acme = fresh_caches(srv, ACME_ROOT)
    proxy.take()
    assert acme.get_object(Bucket=bucket, Key="a")["Body"].read() == b"alpha"
    assert acme.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kappa"
    seen = proxy.take()
    assert reasons(seen, "Decrypt") == ["TENANT_REQUEST"], seen

    # The tenant's KMS refuses tenant requests: GETs fail with 403 naming
    # the refusal, PUTs too; maintenance is still allowed by it.
    proxy.refuse("TENANT_REQUEST")
    acme = fresh_caches(srv, ACME_ROOT)
    refusals = proxy.refusals
    code, message = get_error(acme, bucket, "a")
    assert code == "AccessDenied", (code, message)
    assert "refused to unwrap" in message and "refuses key access for TENANT_REQUEST" in message, message
    assert proxy.refusals > refusals
    with pytest.raises(ClientError) as e:
        acme.put_object(Bucket=bucket, Key="b", Body=b"beta")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert "for justification TENANT_REQUEST" in srv.log_tail(400), srv.log_tail(40)
    proxy.take()
    r = cli(srv, "--json", "tenant-key", "rotate", "acme", creds=ACME_ROOT).json()
    assert r["to_version"] == 3, r
    assert wait_done(srv, "acme", ACME_ROOT)["state"] == "done"
    seen = proxy.take()
    assert set(reasons(seen, "Encrypt")) == {"SYSTEM_MAINTENANCE"}, seen
    assert set(reasons(seen, "Decrypt")) == {"SYSTEM_MAINTENANCE"}, seen
    # Still refused after the maintenance the KMS allowed.
    acme = fresh_caches(srv, ACME_ROOT)
    assert get_error(acme, bucket, "k")[0] == "AccessDenied"

    # Allowed again: reads work.
    proxy.refuse()
    acme = fresh_caches(srv, ACME_ROOT)
    assert acme.get_object(Bucket=bucket, Key="a")["Body"].read() == b"alpha"
    assert acme.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kappa"
    srv.stop_clean()

    # The refused GETs are in acme's transparency log with their reason.
    events = export_log(srv, "acme")
    refused = [e for e in events if e.get("operation") == "GetObject" and e.get("status") == 403]
    assert refused and all(e.get("justification") == "TENANT_REQUEST" for e in refused), refused
    assert not proxy.errors, proxy.errors


def test_without_send_justification_the_kms_sees_no_extension(kms, tmp_path):
    pykmip, proxy = kms
    proxy.refuse()
    srv = hyok_server(tmp_path, pykmip, proxy)
    cli(srv, "tenant", "create", "initech", "--access-key", INITECH_ROOT[0], "--secret-key", INITECH_ROOT[1])
    initech = s3_for(srv, INITECH_ROOT)
    bucket = unique_bucket("kmsnoreason")
    initech.create_bucket(Bucket=bucket)
    initech.put_object(Bucket=bucket, Key="a", Body=b"alpha")
    uid = tenant_key(pykmip, "initech-" + uuid.uuid4().hex[:8])
    proxy.take()
    cli(srv, "tenant-key", "external", "initech", "--endpoint", proxy.endpoint,
        "--ca", pykmip.certs["ca_cert"], "--key-id", uid, creds=INITECH_ROOT)
    assert wait_done(srv, "initech", INITECH_ROOT)["state"] == "done"
    key = cli(srv, "--json", "tenant-key", "show", "initech", creds=INITECH_ROOT).json()
    assert "send_justification" not in key["external"], key
    initech = fresh_caches(srv, INITECH_ROOT)
    assert initech.get_object(Bucket=bucket, Key="a")["Body"].read() == b"alpha"
    seen = proxy.take()
    ops = [r["operation"] for r in seen]
    assert "Encrypt" in ops and "Decrypt" in ops, seen
    assert not any(r["extension"] for r in seen), seen
    srv.stop_clean()
    assert not proxy.errors, proxy.errors


def test_root_kms_is_told(kms, tmp_path):
    """--kms kmip --kmip-send-justification: the operator's KMS, which
    wraps the tenant keys, is told why each is unwrapped."""
    pykmip, proxy = kms
    proxy.refuse()
    c = pykmip.certs
    args = ["--kms", "kmip", "--kmip-endpoint", proxy.endpoint, "--kmip-ca", c["ca_cert"],
            "--kmip-cert", c["client_cert"], "--kmip-key", c["client_key"],
            "--kmip-root-key-name", "root-" + uuid.uuid4().hex[:8],
            "--kmip-cache-lifetime", str(LIFETIME), "--kmip-send-justification"]
    srv = conftest.Server(str(tmp_path), extra_args=args)
    srv.start()
    try:
        s3 = srv.client()
        bucket = unique_bucket("rootreason")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a", Body=b"alpha")
        srv.stop_clean()
        proxy.take()
        srv.start()
        s3 = srv.client()
        assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"alpha"
        seen = proxy.take()
        # The tenant key's unwrap names the tenant's request; the server's
        # own secrets unwrapped at start (access-key secrets, the log
        # signing key) are no use of a tenant's key and carry none.
        told = [r for r in seen if r["extension"]]
        assert reasons(told, "Decrypt") == ["TENANT_REQUEST"], seen
        assert all(r["vendor"] == "confiance" and r["critical"] is False for r in told), seen
        # The root KMS refusing tenant requests: the GET is refused.
        proxy.refuse("TENANT_REQUEST")
        srv.stop_clean()
        srv.start()
        code, message = get_error(srv.client(), bucket, "a")
        assert code == "AccessDenied", (code, message)
    finally:
        proxy.refuse()
        if srv.alive():
            srv.stop()
    assert not proxy.errors, proxy.errors


def decrypts(proxy):
    """(justification, approval id) of each Decrypt the KMS saw since the
    last take."""
    return [(r["justification"], r["approval_id"]) for r in proxy.take() if r["operation"] == "Decrypt"]


def tenant_with_external_key(srv, pykmip, proxy, name, creds, bucket_prefix, objects):
    """Creates tenant `name` and a bucket holding `objects` (key -> bytes),
    then moves the tenant key into the tenant's KMS behind `proxy`, told the
    justifications: the tenant's client and the bucket."""
    cli(srv, "tenant", "create", name, "--access-key", creds[0], "--secret-key", creds[1])
    tenant = s3_for(srv, creds)
    bucket = unique_bucket(bucket_prefix)
    tenant.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        tenant.put_object(Bucket=bucket, Key=key, Body=body)
    uid = tenant_key(pykmip, name + "-" + uuid.uuid4().hex[:8])
    cli(srv, "tenant-key", "external", name, "--endpoint", proxy.endpoint, "--ca", pykmip.certs["ca_cert"],
        "--key-id", uid, "--send-justification", creds=creds)
    assert wait_done(srv, name, creds)["state"] == "done"
    return tenant, bucket


def approve(srv, tenant, creds, bucket, prefix):
    """An operator's read request on `bucket`/`prefix`, approved by the
    tenant: its id."""
    req = cli(srv, "--json", "access", "request", "--tenant", tenant, "--bucket", bucket, "--prefix", prefix,
              "--operation", "read", "--reason", "support ticket", "--category", "support_case",
              "--duration", "600", creds=OPERATOR).json()
    r = cli(srv, "--json", "access", "approve", req["id"], creds=creds).json()
    assert r["state"] == "approved", r
    return req["id"]


def test_operator_approval_reaches_the_tenant_kms(kms, tmp_path):
    pykmip, proxy = kms
    proxy.refuse()
    srv = hyok_server(tmp_path, pykmip, proxy)
    tenant, bucket = tenant_with_external_key(srv, pykmip, proxy, "umbrella", UMBRELLA_ROOT, "kmsapproval",
                                              {"logs/a": b"alpha", "other/b": b"beta"})
    ops = s3_for(srv, OPERATOR)

    # First approval: one Decrypt naming it; a second read under it is
    # served from the cached tenant key.
    first = approve(srv, "umbrella", UMBRELLA_ROOT, bucket, "logs/")
    proxy.take()
    assert ops.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"alpha"
    assert ops.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"alpha"
    seen = decrypts(proxy)
    assert seen == [("OPERATOR_APPROVED", first)], seen

    # Another approval: the tenant's KMS is asked again, with its id,
    # although the key is in the cache.
    second = approve(srv, "umbrella", UMBRELLA_ROOT, bucket, "other/")
    assert second != first
    assert ops.get_object(Bucket=bucket, Key="other/b")["Body"].read() == b"beta"
    seen = decrypts(proxy)
    assert seen == [("OPERATOR_APPROVED", second)], seen

    # The tenant's own requests carry no approval id.
    tenant = fresh_caches(srv, UMBRELLA_ROOT)
    ops = s3_for(srv, OPERATOR)
    assert tenant.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"alpha"
    seen = decrypts(proxy)
    assert seen == [("TENANT_REQUEST", None)], seen

    # The tenant's KMS refuses approved operator access: the approval alone
    # is not enough; the tenant's reads go on.
    proxy.refuse("OPERATOR_APPROVED")
    third = approve(srv, "umbrella", UMBRELLA_ROOT, bucket, "logs/")
    assert s3_code(ops.get_object, Bucket=bucket, Key="logs/a") == (403, "AccessDenied")
    seen = decrypts(proxy)
    assert ("OPERATOR_APPROVED", third) in seen, seen
    assert tenant.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"alpha"
    proxy.refuse()
    srv.stop_clean()
    assert not proxy.errors, proxy.errors


def test_a_slow_tenant_kms_does_not_stall_other_requests(kms, tmp_path):
    """The first access under an approval asks the tenant's KMS
    (OPERATOR_APPROVED). That round trip is made on the blocking pool, not
    on the network thread: with one network thread and a KMS that answers
    5 s late, a tenant's listing sent meanwhile is answered at once, and
    the operator's read completes once the KMS answers."""
    pykmip, proxy = kms
    proxy.refuse()
    srv = hyok_server(tmp_path, pykmip, proxy, extra=("--threads", "1"))
    tenant, bucket = tenant_with_external_key(srv, pykmip, proxy, "hooli", HOOLI_ROOT, "kmsslow",
                                              {"logs/a": b"alpha"})
    ops = s3_for(srv, OPERATOR)
    approve(srv, "hooli", HOOLI_ROOT, bucket, "logs/")
    proxy.take()
    proxy.delay("OPERATOR_APPROVED", 5.0)
    got = {}

    def operator_read():
        try:
            got["body"] = ops.get_object(Bucket=bucket, Key="logs/a")["Body"].read()
        except Exception as e:  # reported by the assertion below
            got["error"] = repr(e)

    reader = threading.Thread(target=operator_read)
    reader.start()
    try:
        deadline = time.monotonic() + 10
        while not proxy.seen("OPERATOR_APPROVED") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proxy.seen("OPERATOR_APPROVED"), "the operator's read never reached the tenant's KMS"
        start = time.monotonic()
        listed = tenant.list_objects_v2(Bucket=bucket)
        waited = time.monotonic() - start
        assert [o["Key"] for o in listed["Contents"]] == ["logs/a"]
        # The KMS still holds the operator's request (5 s): a listing that
        # had to wait for the network thread would take about that long.
        assert waited < 2.5, "the tenant's listing waited %.1f s behind the operator's KMS call" % waited
    finally:
        reader.join(timeout=30)
        proxy.delay("OPERATOR_APPROVED", 0)
    assert got.get("body") == b"alpha", got
    srv.stop_clean()
    assert not proxy.errors, proxy.errors

"""Hold your own key (docs/keys.md "Hold your own key"), end to end against
a real PyKMIP server that stands for the tenant's own KMS (separate from
the server's embedded root key), started with fresh certificates on
loopback. The tenant's root creates a key in its KMS and points its tenant
key at it (`confiance admin tenant-key external`): a rotation whose job
rewraps every bucket key; objects (SSE-S3 and SSE-KMS) written before and
after read back, also after a restart; the KMS's own log shows Encrypt and
Decrypt and never a Get. Stopping the tenant's KMS makes reads fail within
the cache lifetime and starting it again makes them work (the restorable
cut); switching to a fresh key works; revoking the key in the KMS makes
reads fail within the lifetime (measured), as 403 AccessDenied naming the
refusal, logged in the tenant's transparency log. Another tenant switches
to its KMS and back to the server's provider. Endpoints the operator did
not allow are refused, and only the tenant's root may switch.

Skipped only when pykmip-server is not installed."""

import os
import sys
import tempfile
import time
import uuid

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "kmip"))

import pykmip_server  # noqa: E402
from adminutil import AdminServer, cli, export_log, s3 as s3_for  # noqa: E402
from conftest import unique_bucket  # noqa: E402
from metricsutil import samples, scrape, value, write_token  # noqa: E402

LIFETIME = 2.0
ACME_ROOT = ("ACMEHYOKROOTKEY00001", "acme-hyok-root-secret-0123456789")
GLOBEX_ROOT = ("GLOBEXHYOKROOTKEY001", "globex-hyok-root-secret-012345678")


@pytest.fixture(scope="module")
def kms():
    if not os.access(pykmip_server.PYKMIP_SERVER, os.X_OK):
        pytest.skip("pykmip-server not installed (Debian python3-pykmip)")
    workdir = tempfile.mkdtemp(prefix="confiance-e2e-hyok-")
    srv = pykmip_server.PyKmipServer(workdir)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()
        pykmip_server.cleanup(workdir)


def tenant_key(kms, name):
    """The tenant, as its KMS's administrator, creates an AES-256 key and
    activates it. PyKMIP lets only the creator's certificate (common name)
    use a key: the tenant's KMS authorises Confiance's certificate, so the
    test creates it with that certificate."""
    from kmip.core import enums
    with kms.client() as c:
        uid = c.create(enums.CryptographicAlgorithm.AES, 256, name=name)
        c.activate(uid)
    return uid


def revoke(kms, uid):
    from kmip.core import enums
    with kms.client() as c:
        c.revoke(enums.RevocationReasonCode.KEY_COMPROMISE, uid,
                 compromise_occurrence_date=int(time.time()))


def wait_done(srv, tenant, creds, timeout=60):
    deadline = time.time() + timeout
    while True:
        r = cli(srv, "--json", "tenant-key", "rotation", tenant, creds=creds).json()
        if r["state"] != "running" or time.time() > deadline:
            return r
        time.sleep(0.2)


def error_code(s3, bucket, key):
    try:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


def wait_for(fn, budget):
    """Polls fn() until it returns a true value; (value, seconds waited)."""
    t0 = time.monotonic()
    while True:
        v = fn()
        if v or time.monotonic() - t0 > budget:
            return v, time.monotonic() - t0
        time.sleep(0.1)


def read_all(s3, objects):
    for (b, k), body in objects.items():
        assert s3.get_object(Bucket=b, Key=k)["Body"].read() == body, (b, k)


def write(s3, objects, bucket, tag):
    for enc in ("AES256", "aws:kms"):
        body = os.urandom(3000)
        key = "%s-%s" % (tag, enc.replace(":", ""))
        s3.put_object(Bucket=bucket, Key=key, Body=body, ServerSideEncryption=enc)
        objects[(bucket, key)] = body


def server(tmp_path, kms):
    c = kms.certs
    token_file, token = write_token(str(tmp_path))
    srv = AdminServer(str(tmp_path), extra_args=[
        "--hyok-client-cert", c["client_cert"], "--hyok-client-key", c["client_key"],
        "--hyok-allow", kms.endpoint + ",127.0.0.1:1",
        "--hyok-cache-lifetime", str(LIFETIME), "--kmip-timeout", "2", "--kmip-connect-timeout", "1",
        "--metrics-token-file", token_file])
    srv.metrics_token = token
    srv.start()
    return srv


def test_hold_your_own_key(kms, tmp_path):
    srv = server(tmp_path, kms)
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3_for(srv, ACME_ROOT)
    buckets = [unique_bucket("hyok") for _ in range(2)]
    objects = {}
    for b in buckets:
        acme.create_bucket(Bucket=b)
        write(acme, objects, b, "before")
    ca = kms.certs["ca_cert"]
    name1 = "acme-" + uuid.uuid4().hex[:8]
    uid1 = tenant_key(kms, name1)

    # Refusals before anything changes: an endpoint the operator did not
    # allow (no connection is even tried), a KMS that is allowed but does
    # not answer, an operator (only the tenant's root chooses), a key the
    # KMS does not have.
    r = cli(srv, "tenant-key", "external", "acme", "--endpoint", "127.0.0.2:5696", "--ca", ca,
            "--key-id", uid1, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err and "--hyok-allow" in r.err, r
    r = cli(srv, "tenant-key", "external", "acme", "--endpoint", "127.0.0.1:1", "--ca", ca,
            "--key-id", uid1, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "ServiceUnavailable" in r.err, r
    r = cli(srv, "tenant-key", "external", "acme", "--endpoint", kms.endpoint, "--ca", ca,
            "--key-id", uid1, expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err, r
    r = cli(srv, "tenant-key", "external", "acme", "--endpoint", kms.endpoint, "--ca", ca,
            "--key-name", "no-such-key-" + name1, creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "InvalidRequest" in r.err, r
    assert cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()["version"] == 1

    # The switch, by name: a rotation to version 2 wrapped in the tenant's KMS.
    r = cli(srv, "--json", "tenant-key", "external", "acme", "--endpoint", kms.endpoint, "--ca", ca,
            "--key-name", name1, creds=ACME_ROOT).json()
    assert (r["from_version"], r["to_version"]) == (1, 2), r
    r = wait_done(srv, "acme", ACME_ROOT)
    assert r["state"] == "done" and r["buckets_done"] == 2, r
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert key["version"] == 2 and key["previous_versions"] == [], key  # version 1 retired
    assert key["external"] == {"endpoint": kms.endpoint, "key_id": uid1}, key
    assert "in the tenant's KMS at " + kms.endpoint in cli(srv, "tenant-key", "show", "acme", creds=ACME_ROOT).out
    read_all(acme, objects)
    write(acme, objects, buckets[0], "after")
    nb = unique_bucket("hyoknew")
    acme.create_bucket(Bucket=nb)
    write(acme, objects, nb, "new")
    read_all(acme, objects)

    # Fresh caches: the key unwraps through the tenant's KMS.
    decrypts = kms.operations().count("Decrypt")
    srv.stop_clean()
    srv.start()
    acme = s3_for(srv, ACME_ROOT)
    read_all(acme, objects)
    ops = kms.operations()
    assert ops.count("Decrypt") > decrypts, ops
    assert "Encrypt" in ops and "Get" not in ops, ops

    # The restorable cut: the tenant stops its KMS -> reads fail within the
    # lifetime; it starts it again -> reads work again.
    probe = (buckets[0], "before-AES256")
    kms.stop()
    code, waited = wait_for(lambda: error_code(acme, *probe)[0], LIFETIME + 8)
    assert code == "ServiceUnavailable", code
    assert waited <= LIFETIME + 1.0, waited
    print("KMS stopped: reads failed after %.2fs (lifetime %.1fs)" % (waited, LIFETIME))
    # The operator sees tenants' KMSs failing, summed, no tenant named.
    m = samples(scrape(srv, srv.metrics_token))
    assert value(m, "confiance_kms_unreachable_total", kms="tenant") >= 1
    assert value(m, "confiance_kms_calls_total", kms="root") == 0  # no --kms kmip here
    kms.restart()
    ok, waited_back = wait_for(lambda: error_code(acme, *probe)[0] is None, 15)
    assert ok, "reads still fail %.1fs after the KMS came back" % waited_back
    read_all(acme, objects)

    # A fresh key in the tenant's KMS (by id): rotation again; the first
    # key is then not needed any more, and revoking it changes nothing.
    uid2 = tenant_key(kms, "acme2-" + uuid.uuid4().hex[:8])
    r = cli(srv, "--json", "tenant-key", "external", "acme", "--endpoint", kms.endpoint, "--ca", ca,
            "--key-id", uid2, creds=ACME_ROOT).json()
    assert r["to_version"] == 3, r
    assert wait_done(srv, "acme", ACME_ROOT)["state"] == "done"
    assert cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()["external"]["key_id"] == uid2
    revoke(kms, uid1)
    time.sleep(LIFETIME + 0.5)
    read_all(acme, objects)

    # The tenant revokes its key: every read fails within the lifetime, as
    # AccessDenied naming the KMS's refusal; writes fail too.
    revoke(kms, uid2)
    t0 = time.monotonic()
    code, waited = wait_for(lambda: error_code(acme, *probe)[0], LIFETIME + 8)
    assert code == "AccessDenied", code
    assert waited <= LIFETIME + 1.0, waited
    print("key revoked: reads failed after %.2fs (lifetime %.1fs)" % (waited, LIFETIME))
    assert value(samples(scrape(srv, srv.metrics_token)), "confiance_kms_refusals_total", kms="tenant") >= 1
    code, message = error_code(acme, buckets[1], "before-awskms")
    assert code == "AccessDenied" and "refused to unwrap" in message and kms.endpoint in message, message
    with pytest.raises(ClientError) as e:
        acme.put_object(Bucket=nb, Key="x", Body=b"x")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert time.monotonic() - t0 < 30
    ops = kms.operations()
    assert "Get" not in ops and "Revoke" in ops, ops
    srv.stop_clean()

    # The refusals and the switches are in acme's own transparency log.
    events = export_log(srv, "acme")
    refused = [e for e in events if e.get("operation") == "GetObject" and e.get("status") == 403]
    assert refused and all(e.get("justification") == "TENANT_REQUEST" for e in refused), refused
    actions = [e.get("action") for e in events if e.get("kind") == "control"]
    assert actions.count("PutTenantExternalKey") >= 2, actions


def test_switch_back_to_the_server(kms, tmp_path):
    srv = server(tmp_path, kms)
    cli(srv, "tenant", "create", "globex", "--access-key", GLOBEX_ROOT[0], "--secret-key", GLOBEX_ROOT[1])
    globex = s3_for(srv, GLOBEX_ROOT)
    bucket = unique_bucket("hyokback")
    globex.create_bucket(Bucket=bucket)
    objects = {}
    write(globex, objects, bucket, "one")
    uid = tenant_key(kms, "globex-" + uuid.uuid4().hex[:8])
    cli(srv, "tenant-key", "external", "globex", "--endpoint", kms.endpoint, "--ca", kms.certs["ca_cert"],
        "--key-id", uid, creds=GLOBEX_ROOT)
    assert wait_done(srv, "globex", GLOBEX_ROOT)["state"] == "done"
    write(globex, objects, bucket, "two")
    # Already there: a conflict, not a second rotation.
    r = cli(srv, "tenant-key", "external", "globex", "--endpoint", kms.endpoint, "--ca", kms.certs["ca_cert"],
            "--key-id", uid, creds=GLOBEX_ROOT, expect=None)
    assert r.rc != 0 and "Conflict" in r.err, r
    # Back to the server's provider (the tenant's root only).
    assert cli(srv, "tenant-key", "external", "globex", "--off", expect=None).rc != 0
    r = cli(srv, "--json", "tenant-key", "external", "globex", "--off", creds=GLOBEX_ROOT).json()
    assert r["to_version"] == 3, r
    assert wait_done(srv, "globex", GLOBEX_ROOT)["state"] == "done"
    key = cli(srv, "--json", "tenant-key", "show", "globex", creds=GLOBEX_ROOT).json()
    assert "external" not in key and key["previous_versions"] == [], key
    # The tenant's KMS key no longer matters: revoked, everything still reads.
    revoke(kms, uid)
    srv.stop_clean()
    srv.start()
    globex = s3_for(srv, GLOBEX_ROOT)
    read_all(globex, objects)
    srv.stop_clean()


class BlackHole:
    """A loopback listener that accepts connections and never answers: a
    tenant KMS that hangs (each KMS call then costs the timeouts)."""

    def __init__(self, port):
        import socket
        import threading
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.held = []
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                pass

    def close(self):
        self.stopping = True
        self.thread.join(timeout=5)
        for c in self.held:
            c.close()
        self.sock.close()


def test_slow_tenant_kms_does_not_hold_the_network_thread(kms, tmp_path):
    """With one network thread, a GET whose bucket key must come from a
    tenant KMS that hangs waits on the blocking pool, not on the network
    thread: another tenant's GET (its keys cached) is served meanwhile."""
    import threading
    srv = server(tmp_path, kms)
    srv.stop_clean()
    srv.extra_args += ["--threads", "1"]
    srv.start()
    slow_creds = ("SLOWHYOKROOTKEY00001", "slow-hyok-root-secret-0123456789")
    fast_creds = ("FASTHYOKROOTKEY00001", "fast-hyok-root-secret-0123456789")
    for name, creds in (("slowco", slow_creds), ("fastco", fast_creds)):
        cli(srv, "tenant", "create", name, "--access-key", creds[0], "--secret-key", creds[1])
    slow, fast = s3_for(srv, slow_creds), s3_for(srv, fast_creds)
    sb, fb = unique_bucket("slow"), unique_bucket("fast")
    slow.create_bucket(Bucket=sb)
    fast.create_bucket(Bucket=fb)
    slow.put_object(Bucket=sb, Key="k", Body=b"slow")
    fast.put_object(Bucket=fb, Key="k", Body=b"fast")
    uid = tenant_key(kms, "slowco-" + uuid.uuid4().hex[:8])
    cli(srv, "tenant-key", "external", "slowco", "--endpoint", kms.endpoint, "--ca", kms.certs["ca_cert"],
        "--key-id", uid, creds=slow_creds)
    assert wait_done(srv, "slowco", slow_creds)["state"] == "done"
    assert slow.get_object(Bucket=sb, Key="k")["Body"].read() == b"slow"
    assert fast.get_object(Bucket=fb, Key="k")["Body"].read() == b"fast"  # warm

    kms.stop()
    hole = BlackHole(kms.port)
    try:
        time.sleep(LIFETIME + 0.3)  # slowco's cached keys expire
        slow_result = {}

        def slow_get():
            t0 = time.monotonic()
            slow_result["code"] = error_code(slow, sb, "k")[0]
            slow_result["seconds"] = time.monotonic() - t0

        t = threading.Thread(target=slow_get)
        t.start()
        time.sleep(0.3)  # the slow GET is waiting for the KMS now
        fast_times = []
        for _ in range(5):
            t0 = time.monotonic()
            assert fast.get_object(Bucket=fb, Key="k")["Body"].read() == b"fast"
            fast_times.append(time.monotonic() - t0)
        t.join(timeout=60)
        print("hanging tenant KMS: slow GET %s after %.2fs; other tenant's GETs %s" % (
            slow_result.get("code"), slow_result.get("seconds", -1), ["%.3f" % x for x in fast_times]))
        # The slow GET really waited on the KMS (else this proves nothing)...
        assert slow_result["code"] == "ServiceUnavailable", slow_result
        assert slow_result["seconds"] >= 1.5, slow_result
        # ...while the other tenant was served at once, each GET well
        # within the time the slow one waited.
        assert max(fast_times) < 0.5, fast_times
    finally:
        hole.close()
        kms.restart()
    ok, _ = wait_for(lambda: error_code(slow, sb, "k")[0] is None, 20)
    assert ok
    srv.stop_clean()

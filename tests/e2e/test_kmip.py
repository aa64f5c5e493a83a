"""The root key in an external KMIP KMS: a real PyKMIP server (Debian
python3-pykmip) with fresh certificates, and `confiance server --kms kmip`.
Writes and reads work; the data directory holds no root key; a restart
finds the key the directory recorded; revoking, then destroying the key in
the KMS makes reads fail once the cache lifetime has passed; and the KMS's
own log shows Encrypt/Decrypt and never a Get.

Skipped only when pykmip-server is not installed."""

import os
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "kmip"))

import conftest  # noqa: E402
from adminutil import AdminServer, admin_request, error_of  # noqa: E402
from metricsutil import samples, scrape, value, write_token  # noqa: E402
import pykmip_server  # noqa: E402

CACHE_LIFETIME = 2.0


@pytest.fixture(scope="module")
def kms():
    if not os.access(pykmip_server.PYKMIP_SERVER, os.X_OK):
        pytest.skip("pykmip-server not installed (Debian python3-pykmip)")
    workdir = tempfile.mkdtemp(prefix="confiance-e2e-pykmip-")
    srv = pykmip_server.PyKmipServer(workdir)
    try:
        srv.start()  # installed but not starting: the test fails
        yield srv
    finally:
        srv.stop()
        pykmip_server.cleanup(workdir)


def kmip_args(kms, *extra):
    c = kms.certs
    return ["--kms", "kmip", "--kmip-endpoint", kms.endpoint,
            "--kmip-ca", c["ca_cert"], "--kmip-cert", c["client_cert"],
            "--kmip-key", c["client_key"],
            "--kmip-cache-lifetime", str(CACHE_LIFETIME)] + list(extra)


@pytest.fixture
def servers(tmp_path_factory):
    started = []

    def make(args, data_dir=None):
        # With operator credentials (adminutil), for the admin API.
        srv = AdminServer(str(tmp_path_factory.mktemp("kmip")),
                          extra_args=args, data_dir=data_dir)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        if srv.alive():
            srv.stop()


def get_fails(s3, bucket, key):
    try:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def wait_for_failure(srv, s3, bucket, key, budget):
    """Polls GET until it fails; returns (error code, seconds waited)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < budget:
        code = get_fails(s3, bucket, key)
        if code:
            return code, time.monotonic() - t0
        time.sleep(0.2)
    return None, time.monotonic() - t0


def test_root_key_in_kms_write_read_revoke_destroy(kms, servers):
    root_name = "confiance-root-" + uuid.uuid4().hex[:8]
    srv = servers(kmip_args(kms, "--kmip-root-key-name", root_name))
    srv.start()
    s3 = srv.client()
    bucket = conftest.unique_bucket()
    s3.create_bucket(Bucket=bucket)
    bodies = {"small": b"hello kms", "big": os.urandom(300 * 1024)}
    for k, v in bodies.items():
        s3.put_object(Bucket=bucket, Key=k, Body=v)
    for k, v in bodies.items():
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == v

    # The root key is in the KMS, not in the data directory.
    assert not os.path.exists(os.path.join(srv.data_dir, "keys", "root.key"))
    with open(os.path.join(srv.data_dir, "KMS")) as f:
        marker = f.read().split()
    assert marker[0] == "kmip"
    uid = marker[1]
    with kms.client() as c:
        _, attrs = c.get_attributes(uid, ["Name", "State"])
    assert root_name in str(attrs) and "ACTIVE" in str(attrs), attrs

    # The KMS rotates its own keys: a root key rotation is refused, clearly.
    r = admin_request(srv, "POST", "/root-key/rotate")
    assert error_of(r) == (501, "NotImplemented"), r.body
    assert b"rotates its own keys" in r.body, r.body

    # Restart without naming the key: the recorded id is used.
    srv.stop_clean()
    srv.extra_args = kmip_args(kms, "--kmip-root-key-name", "not-" + root_name)
    srv.start()
    s3 = srv.client()
    assert s3.get_object(Bucket=bucket, Key="small")["Body"].read() == b"hello kms"

    # The embedded keystore is refused on this directory.
    srv.stop_clean()
    wrong = servers([], data_dir=srv.data_dir)
    with pytest.raises(conftest.ServerDied) as died:
        wrong.start()
    assert "--kms kmip" in str(died.value)

    # Offline tools take the same flags.
    kms_flags = kmip_args(kms)[:-2]  # no cache lifetime needed
    out = subprocess.run([srv.binary, "log", "list", "--data", srv.data_dir] + kms_flags,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir] + kms_flags,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    out = subprocess.run([srv.binary, "log", "list", "--data", srv.data_dir],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "--kms kmip" in out.stderr, out.stderr

    token_file, token = write_token(srv.workdir)
    srv.extra_args = kmip_args(kms, "--metrics-token-file", token_file)
    srv.start()
    s3 = srv.client()
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == bodies["big"]
    m = samples(scrape(srv, token))
    assert value(m, "confiance_kms_calls_total", kms="root") >= 1
    assert value(m, "confiance_kms_refusals_total", kms="root") == 0
    assert value(m, "confiance_kms_unreachable_total", kms="root") == 0

    # Revoke the root key in the KMS (as its administrator): reads fail
    # once the cache lifetime has passed, with the KMS's reason logged.
    from kmip.core import enums
    with kms.client() as c:
        c.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
    code, waited = wait_for_failure(srv, s3, bucket, "small",
                                    CACHE_LIFETIME + 5)
    assert code is not None, "GET still works %.1fs after revocation" % waited
    # The bucket key is under the tenant key, which the KMS no longer
    # unwraps: refused, naming the refusal (docs/keys.md).
    assert code == "AccessDenied", code
    assert waited <= CACHE_LIFETIME + 1.5, waited
    assert get_fails(s3, bucket, "big") is not None
    log = srv.log_tail(400)
    assert "KMIP Decrypt" in log and "Active state" in log, log
    # The operator's metrics show the KMS refusing (docs/monitoring.md).
    m = samples(scrape(srv, token))
    assert value(m, "confiance_kms_refusals_total", kms="root") >= 1
    assert value(m, "confiance_kms_unreachable_total", kms="root") == 0

    # New writes fail too (bucket keys unwrap through the KMS).
    with pytest.raises(ClientError):
        s3.put_object(Bucket=bucket, Key="after", Body=b"x")

    # Destroyed: still unreadable, now "not found" in the KMS.
    with kms.client() as c:
        c.destroy(uid)
    assert get_fails(s3, bucket, "small") is not None
    assert "Could not locate object" in srv.log_tail(400)

    # A restart with the key gone fails cleanly (the transparency log's
    # signing key no longer unwraps).
    srv.stop()
    with pytest.raises((conftest.ServerDied, AssertionError)):
        srv.start()

    ops = kms.operations()
    assert "Get" not in ops, ops
    assert "Encrypt" in ops and "Decrypt" in ops, ops


def test_no_get_check_detects_a_get(kms):
    """The KMS-log check above can fail: a Get (made here by PyKMIP's own
    client, never by Confiance) shows up in it."""
    with kms.client() as c:
        uid = c.create(
            pykmip_enums().CryptographicAlgorithm.AES, 256,
            name="probe-" + uuid.uuid4().hex[:8])
        before = kms.operations().count("Get")
        c.get(uid)
    assert kms.operations().count("Get") == before + 1


def pykmip_enums():
    from kmip.core import enums
    return enums


def test_bad_kms_settings_refuse_to_start(kms, servers):
    # Missing TLS files: a usage error before anything is opened.
    srv = servers(["--kms", "kmip", "--kmip-endpoint", kms.endpoint])
    with pytest.raises(conftest.ServerDied):
        srv.start()
    assert srv.proc.returncode == 2
    # A client certificate the KMS does not trust: the server does not start.
    c = kms.certs
    srv = servers(["--kms", "kmip", "--kmip-endpoint", kms.endpoint,
                   "--kmip-ca", c["ca_cert"], "--kmip-cert", c["rogue-client_cert"],
                   "--kmip-key", c["rogue-client_key"]])
    with pytest.raises(conftest.ServerDied) as died:
        srv.start()
    assert "TLS" in str(died.value) or "KMS" in str(died.value)

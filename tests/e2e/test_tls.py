"""HTTPS on the server's own listener (`--tls-cert`, `--tls-key`): boto3,
aws-cli and the `confiance admin` CLI over TLS against a certificate
issued here by a throwaway CA (tlsutil.py);
clients that do not trust that CA refuse the server; plain HTTP on the
TLS port gets a 400 that says to use https; `aws:SecureTransport` is true only over TLS;
SIGHUP loads a renewed certificate without a restart; bad TLS settings
stop the server at start with a clear message, before it creates
anything."""

import os
import signal
import ssl
import subprocess
import time

import pytest
import requests
from botocore.exceptions import ClientError, SSLError

import conftest
from adminutil import AdminServer, OPERATOR_AK, OPERATOR_SK
from tlsutil import Pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("pki"))
    p = Pki(d)
    p.cert_file = os.path.join(d, "server.pem")
    p.key_file = os.path.join(d, "server.key")
    p.first = p.issue("first", p.cert_file, p.key_file)
    return p


@pytest.fixture(scope="module")
def tls_server(pki, tmp_path_factory):
    srv = AdminServer(str(tmp_path_factory.mktemp("tls")),
                      extra_args=["--tls-cert", pki.cert_file, "--tls-key", pki.key_file])
    srv.tls_ca = pki.ca_file
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


def peer_common_name(port, ca_file):
    ctx = ssl.create_default_context(cafile=ca_file)
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            cert = tls.getpeercert()
    return dict(x[0] for x in cert["subject"])["commonName"]


def test_boto3_over_https(tls_server):
    assert "serving S3 on https://" in tls_server.log_tail()
    # Issued for one day: the start warns that it expires soon.
    assert "TLS certificate CN=first" in tls_server.log_tail()
    assert "renew it, then send SIGHUP" in tls_server.log_tail()
    s3 = tls_server.client()
    bucket = conftest.unique_bucket()
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(3 * 1024 * 1024 + 17)  # many TLS records each way
    s3.put_object(Bucket=bucket, Key="k", Body=body)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body
    part = s3.get_object(Bucket=bucket, Key="k", Range="bytes=1000-1999")["Body"].read()
    assert part == body[1000:2000]
    # Multipart through the client's own transfer manager.
    import io
    from boto3.s3.transfer import TransferConfig
    big = os.urandom(12 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(big), bucket, "mp",
                      Config=TransferConfig(multipart_threshold=5 * 1024 * 1024,
                                            multipart_chunksize=5 * 1024 * 1024))
    assert s3.head_object(Bucket=bucket, Key="mp")["ETag"].endswith('-3"')
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == big
    # SSE-C, which S3 accepts only over TLS.
    key = os.urandom(32)
    s3.put_object(Bucket=bucket, Key="c", Body=b"customer", SSECustomerAlgorithm="AES256",
                  SSECustomerKey=key)
    got = s3.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert got["Body"].read() == b"customer"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["c", "k", "mp"]
    for k in keys:
        s3.delete_object(Bucket=bucket, Key=k)
    s3.delete_bucket(Bucket=bucket)


def test_awscli_over_https(tls_server, tmp_path):
    bucket = conftest.unique_bucket()
    tls_server.aws("s3", "mb", "s3://" + bucket)
    src = tmp_path / "up.bin"
    src.write_bytes(os.urandom(9 * 1024 * 1024))  # multipart at aws-cli's 8 MiB threshold
    tls_server.aws("s3", "cp", str(src), "s3://%s/up.bin" % bucket)
    dst = tmp_path / "down.bin"
    tls_server.aws("s3", "cp", "s3://%s/up.bin" % bucket, str(dst))
    assert dst.read_bytes() == src.read_bytes()
    tls_server.aws("s3", "rb", "--force", "s3://" + bucket)


def test_clients_that_do_not_trust_the_issuer_refuse(tls_server):
    # The system's trust store does not hold the test CA.
    s3 = tls_server.client(access_key=None)
    s3_untrusting = conftest.boto3.session.Session(
        aws_access_key_id=tls_server.access_key, aws_secret_access_key=tls_server.secret_key,
        region_name=conftest.REGION).client(
            "s3", endpoint_url=tls_server.endpoint,
            config=conftest.botocore.config.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(SSLError):
        s3_untrusting.list_buckets()
    assert "Buckets" in s3.list_buckets()
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_server.endpoint + "/_confiance/health", timeout=10)


def test_plain_http_on_the_tls_port_gets_a_400_saying_https(tls_server):
    r = requests.get("http://%s/_confiance/health" % tls_server.hostport, timeout=10)
    assert r.status_code == 400
    assert "https://" in r.text
    # aws-cli pointed at http:// fails with that status instead of hanging.
    res = conftest.run_aws("http://%s" % tls_server.hostport, tls_server.access_key,
                           tls_server.secret_key, ["s3", "ls"], check=False, timeout=60)
    assert res.returncode != 0 and "400" in res.stderr, res
    assert tls_server.alive()


def test_admin_cli_over_https(tls_server):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **conftest.sanitizer_env(),
           "CONFIANCE_ENDPOINT": tls_server.endpoint,
           "CONFIANCE_ACCESS_KEY": OPERATOR_AK, "CONFIANCE_SECRET_KEY": OPERATOR_SK}
    cmd = [tls_server.binary, "admin", "tenant", "list"]
    cp = subprocess.run(cmd + ["--json"], env=dict(env, CONFIANCE_CA_BUNDLE=tls_server.tls_ca),
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp.stderr
    assert "default" in cp.stdout
    # Without the CA the certificate does not verify: exit 3 (unreachable).
    cp = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 3, (cp.stdout, cp.stderr)
    assert "TLS handshake" in cp.stderr and "certificate verify failed" in cp.stderr


def test_log_tail_over_https(tls_server, tmp_path):
    """`confiance log tail` fetches and proves the tenant's log over TLS."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    bucket = conftest.unique_bucket()
    tls_server.client().create_bucket(Bucket=bucket)
    url = tls_server.endpoint + "/_confiance/log/v1/key"
    req = AWSRequest(method="GET", url=url)
    S3SigV4Auth(Credentials(tls_server.access_key, tls_server.secret_key), "s3",
                conftest.REGION).add_auth(req)
    key = requests.get(url, headers=dict(req.headers), timeout=30, verify=tls_server.tls_ca)
    assert key.status_code == 200, key.text
    key_file = tmp_path / "key"
    key_file.write_text(key.text.strip() + "\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **conftest.sanitizer_env(), "CONFIANCE_ENDPOINT": tls_server.endpoint,
           "CONFIANCE_ACCESS_KEY": tls_server.access_key,
           "CONFIANCE_SECRET_KEY": tls_server.secret_key}
    cmd = [tls_server.binary, "log", "tail", "--once", "--key-file", str(key_file)]
    # Checkpoints are published at least every second.
    deadline = time.monotonic() + 15
    while True:
        cp = subprocess.run(cmd + ["--ca-bundle", tls_server.tls_ca], env=env,
                            capture_output=True, text=True, timeout=60)
        assert cp.returncode == 0, cp.stderr
        if bucket in cp.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert bucket in cp.stdout
    cp = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 3 and "certificate verify failed" in cp.stderr, (cp.stdout, cp.stderr)


def test_secure_transport_is_true_only_over_tls(pki, tmp_path):
    """One data directory served over HTTPS, then over plain HTTP: a bucket
    policy that denies reads without secure transport lets the first
    through and refuses the second."""
    srv = conftest.Server(str(tmp_path), extra_args=["--tls-cert", pki.cert_file,
                                                     "--tls-key", pki.key_file])
    srv.tls_ca = pki.ca_file
    srv.start()
    try:
        s3 = srv.client()
        bucket = conftest.unique_bucket()
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"data")
        import json
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": "arn:aws:s3:::%s/*" % bucket,
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
        srv.stop_clean()
        srv.extra_args = []
        srv.tls_ca = None
        srv.start()
        plain = srv.client()
        with pytest.raises(ClientError) as ei:
            plain.get_object(Bucket=bucket, Key="k")
        assert ei.value.response["Error"]["Code"] == "AccessDenied"
        assert plain.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        if srv.alive():
            srv.stop_clean()


def test_sighup_reloads_a_renewed_certificate(pki, tmp_path):
    cert = str(tmp_path / "s.pem")
    key = str(tmp_path / "s.key")
    pki.issue("before-renewal", cert, key)
    srv = conftest.Server(str(tmp_path), extra_args=["--tls-cert", cert, "--tls-key", key])
    srv.tls_ca = pki.ca_file
    srv.start()
    try:
        assert peer_common_name(srv.port, pki.ca_file) == "before-renewal"
        # A broken renewal: the reload fails, the old certificate stays.
        with open(cert, "w") as f:
            f.write("garbage\n")
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "not reloaded" not in srv.log_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "not reloaded" in srv.log_tail()
        assert peer_common_name(srv.port, pki.ca_file) == "before-renewal"
        pki.issue("after-renewal", cert, key, days=90)
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "certificate reloaded" not in srv.log_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.alive()
        assert peer_common_name(srv.port, pki.ca_file) == "after-renewal"
        assert "TLS certificate CN=after-renewal" in srv.log_tail() and "valid until" in srv.log_tail()
        assert "Buckets" in srv.client().list_buckets()
    finally:
        if srv.alive():
            srv.stop_clean()


def test_a_key_others_can_read_is_warned_about(pki, tmp_path, tls_server):
    assert "readable by others" not in tls_server.log_tail(200)  # its key is 0600
    cert = str(tmp_path / "w.pem")
    key = str(tmp_path / "w.key")
    pki.issue("world-readable", cert, key)
    os.chmod(key, 0o644)
    srv = conftest.Server(str(tmp_path), extra_args=["--tls-cert", cert, "--tls-key", key])
    srv.tls_ca = pki.ca_file
    srv.start()
    try:
        assert "readable by others (mode 644)" in srv.log_tail(200)
    finally:
        srv.stop_clean()


def test_an_expired_certificate_is_warned_about(pki, tmp_path):
    cert = str(tmp_path / "x.pem")
    key = str(tmp_path / "x.key")
    pki.issue("expired", cert, key, days=-1)
    log_path = str(tmp_path / "server.log")
    # Started by hand: clients refuse the certificate, so no health check.
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([conftest.server_binary(), "server", "--data", str(tmp_path / "data"),
                                 "--listen", "127.0.0.1:%d" % conftest.free_port(),
                                 "--tls-cert", cert, "--tls-key", key],
                                env=dict(os.environ, CONFIANCE_ROOT_ACCESS_KEY=conftest.ROOT_ACCESS_KEY,
                                         CONFIANCE_ROOT_SECRET_KEY=conftest.ROOT_SECRET_KEY),
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        text = ""
        while "serving S3" not in text and time.monotonic() < deadline:
            time.sleep(0.05)
            with open(log_path) as f:
                text = f.read()
        assert "TLS certificate CN=expired" in text and "EXPIRED at" in text, text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def test_bad_tls_settings_stop_the_server_at_start(pki, tmp_path):
    binary = conftest.server_binary()
    other_key = str(tmp_path / "other.key")
    other_cert = str(tmp_path / "other.pem")
    pki.issue("other", other_cert, other_key)
    cases = [
        (["--tls-cert", pki.cert_file], "--tls-key"),  # one without the other
        (["--tls-cert", pki.cert_file, "--tls-key", other_key], "does not match"),
        (["--tls-cert", pki.cert_file, "--tls-key", str(tmp_path / "absent.key")], "absent.key"),
    ]
    for args, expected in cases:
        cp = subprocess.run([binary, "server", "--data", str(tmp_path / "data"), "--listen",
                             "127.0.0.1:%d" % conftest.free_port()] + args,
                            env=dict(os.environ, CONFIANCE_ROOT_ACCESS_KEY=conftest.ROOT_ACCESS_KEY,
                                     CONFIANCE_ROOT_SECRET_KEY=conftest.ROOT_SECRET_KEY),
                            capture_output=True, text=True, timeout=60)
        assert cp.returncode != 0, args
        assert expected in cp.stdout + cp.stderr, (args, cp.stdout, cp.stderr)
        # Refused before anything was created or printed.
        assert not os.path.exists(str(tmp_path / "data")), args
        assert "secret key" not in cp.stdout, args

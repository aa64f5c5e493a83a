"""The operator's monitoring endpoints: Prometheus metrics at
/_confiance/metrics (behind the bearer token of --metrics-token-file) and
readiness at /_confiance/ready.

The exposition is parsed by the Prometheus project's own Python parser
(Debian's python3-prometheus-client) and scraped by a real Prometheus
server (Debian's prometheus), so the format is checked by the tools that
will read it, not by our writer's idea of it. The counts must match the
requests boto3 made, exactly; no bucket or key name may appear. Readiness
turns 503 when an fsync error (injected with strace into the running
server) has turned the metadata store read-only, and back to 200 after a
restart."""

import os
import signal
import socket
import subprocess
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import client_error
from metricsutil import epoch_seconds, samples, scrape, value, write_token
from tlsutil import Pki

PROMETHEUS = "/usr/bin/prometheus"


@pytest.fixture
def token_server(server_factory, tmp_path):
    path, token = write_token(str(tmp_path))
    srv = server_factory(extra_args=["--metrics-token-file", path, "--sweep-interval", "1",
                                     "--lifecycle-interval", "1"])
    srv.metrics_token = token
    return srv


def test_counts_match_the_requests_made_and_name_no_bucket_or_key(token_server):
    srv = token_server
    s3 = srv.client()
    bucket = "metrics-private-bucket-name"
    key = "a-secret-object-key"
    s3.create_bucket(Bucket=bucket)
    for i in range(3):
        s3.put_object(Bucket=bucket, Key="%s-%d" % (key, i), Body=b"x" * (1000 + i))
    for i in range(5):
        assert s3.get_object(Bucket=bucket, Key="%s-%d" % (key, i % 3))["Body"].read()
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key=key + "-missing")
    assert client_error(e) == (404, "NoSuchKey")
    s3.head_object(Bucket=bucket, Key=key + "-0")
    bad = srv.client(secret_key="wrong-secret-key-wrong-secret-key-00000")
    with pytest.raises(ClientError) as e:
        bad.list_objects_v2(Bucket=bucket)
    assert client_error(e) == (403, "SignatureDoesNotMatch")

    # An admin API request without credentials: refused, and counted apart.
    assert requests.get(srv.endpoint + "/_confiance/admin/v1/tenants", timeout=10).status_code == 403

    text = scrape(srv, srv.metrics_token)
    assert bucket not in text and key not in text
    assert "CONFIANCE" not in text  # no access key id either
    m = samples(text)
    total = "confiance_s3_requests_total"
    assert value(m, total, operation="CreateBucket", code="200") == 1
    assert value(m, total, operation="PutObject", code="200") == 3
    assert value(m, total, operation="GetObject", code="200") == 5
    assert value(m, total, operation="GetObject", code="404") == 1
    assert value(m, total, operation="HeadObject", code="200") == 1
    assert value(m, total, operation="ListObjectsV2", code="403") == 1
    assert value(m, "confiance_admin_requests_total", operation="ListTenants", code="403") == 1
    assert value(m, total, operation="Unrouted", code="403") == 0  # not an S3 request
    hist = "confiance_s3_request_duration_seconds"
    assert value(m, hist + "_count", operation="GetObject") == 6
    assert value(m, hist + "_bucket", operation="GetObject", le="+Inf") == 6
    assert 0 < value(m, hist + "_sum", operation="GetObject") < 60
    # The three PUT bodies arrived, the five GET bodies left.
    assert value(m, "confiance_http_request_body_bytes_total") >= 3000 + 0 + 1 + 2
    assert value(m, "confiance_http_response_body_bytes_total") >= 5 * 1000
    assert value(m, "confiance_http_connections_open") >= 1
    assert value(m, "confiance_http_connections_accepted_total") >= 1
    assert value(m, "confiance_store_writable") == 1
    # Every request above has its log entry (the failed signature's too).
    entries = value(m, "confiance_audit_log_entries_total")
    groups = value(m, "confiance_audit_log_groups_total")
    assert entries >= 11 and 1 <= groups <= entries
    assert value(m, "confiance_audit_log_commit_duration_seconds_count") >= groups
    disk = value(m, "confiance_pool_disk_bytes", pool="local")
    avail = value(m, "confiance_pool_disk_available_bytes", pool="local")
    assert 0 < avail <= disk
    assert value(m, "confiance_pool_space_reserve_bytes", pool="local") > 0
    assert value(m, "process_resident_memory_bytes") > 1 << 20
    assert value(m, "process_open_fds") > 3
    assert abs(value(m, "process_start_time_seconds") - time.time()) < 3600
    # The background jobs ran (every second here) without failing.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            value(m, "confiance_sweeper_passes_total", result="ok") >= 1 and
            value(m, "confiance_lifecycle_ticks_total", result="ok") >= 1):
        time.sleep(0.2)
        m = samples(scrape(srv, srv.metrics_token))
    assert value(m, "confiance_sweeper_passes_total", result="ok") >= 1
    assert value(m, "confiance_lifecycle_ticks_total", result="ok") >= 1
    assert value(m, "confiance_sweeper_passes_total", result="failed") == 0
    assert value(m, "confiance_lifecycle_ticks_total", result="failed") == 0
    # A second scrape: the counters only grow, and the scrape itself is no
    # S3 request.
    m2 = samples(scrape(srv, srv.metrics_token))
    assert value(m2, total, operation="GetObject", code="200") == 5
    assert value(m2, "process_cpu_seconds_total") >= value(m, "process_cpu_seconds_total")


def test_metrics_need_the_token_and_are_off_without_one(token_server, server_factory):
    srv = token_server
    url = srv.endpoint + "/_confiance/metrics"
    r = requests.get(url, timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.get(url, headers={"Authorization": "Bearer " + srv.metrics_token[:-1] + "x"}, timeout=10)
    assert r.status_code == 401
    # SigV4 credentials are not the metrics token.
    r = srv.request("GET", "/_confiance/metrics")
    assert r.status == 401
    plain = server_factory()
    r = requests.get(plain.endpoint + "/_confiance/metrics",
                     headers={"Authorization": "Bearer " + srv.metrics_token}, timeout=10)
    assert r.status_code == 404
    assert "--metrics-token-file" in r.text
    assert requests.get(plain.endpoint + "/_confiance/ready", timeout=10).text == "ready\n"


def test_a_weak_token_stops_the_start_before_anything_is_created(server_factory, tmp_path):
    short, _ = write_token(str(tmp_path), token="too-short")
    spaced = os.path.join(str(tmp_path), "spaced.token")
    with open(spaced, "w") as f:
        f.write("a" * 20 + " " + "b" * 20 + "\n")
    for path, message in ((short, "fewer than 32 characters"), (spaced, "one word")):
        srv = server_factory(start=False)
        cp = subprocess.run([srv.binary, "server", "--data", srv.data_dir, "--listen", srv.hostport,
                             "--metrics-token-file", path], env=srv.env(), capture_output=True,
                            text=True, timeout=60)
        assert cp.returncode == 2, cp
        assert message in cp.stderr, cp.stderr
        assert not os.path.exists(srv.data_dir)  # nothing created


def test_a_world_readable_token_file_gets_a_warning(server_factory, tmp_path):
    path, token = write_token(str(tmp_path), mode=0o644)
    srv = server_factory(extra_args=["--metrics-token-file", path])
    scrape(srv, token)
    with open(srv.log_path) as f:
        assert "readable by others" in f.read()


def test_tls_certificate_expiry_is_reported(server_factory, tmp_path):
    pki = Pki(str(tmp_path))
    cert_file = os.path.join(str(tmp_path), "server.pem")
    key_file = os.path.join(str(tmp_path), "server.key")
    cert = pki.issue("metrics", cert_file, key_file, days=3)
    path, token = write_token(str(tmp_path))
    srv = server_factory(extra_args=["--metrics-token-file", path, "--tls-cert", cert_file,
                                     "--tls-key", key_file], start=False)
    srv.tls_ca = pki.ca_file
    srv.start()
    m = samples(scrape(srv, token))
    expected = epoch_seconds(cert.not_valid_after)
    assert value(m, "confiance_tls_certificate_expiry_timestamp_seconds") == expected
    # Plain HTTP on the TLS port counts as a failed handshake.
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
    m = samples(scrape(srv, token))
    assert value(m, "confiance_http_tls_handshake_failures_total") >= 1
    # A renewed certificate (SIGHUP) is reported at once.
    renewed = pki.issue("metrics", cert_file, key_file, days=30)
    os.kill(srv.pid, signal.SIGHUP)
    want = epoch_seconds(renewed.not_valid_after)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        m = samples(scrape(srv, token))
        if value(m, "confiance_tls_certificate_expiry_timestamp_seconds") == want:
            break
        time.sleep(0.1)
    assert value(m, "confiance_tls_certificate_expiry_timestamp_seconds") == want


def test_an_fsync_error_makes_the_server_unready_until_a_restart(token_server):
    """fsyncgate: after a failed sync the store refuses writes until it is
    reopened. EIO is injected into every fsync and fdatasync of the running
    server by strace; readiness and confiance_store_writable report it."""
    srv = token_server
    assert requests.get(srv.endpoint + "/_confiance/ready", timeout=10).status_code == 200
    srv.client().create_bucket(Bucket="ready")
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-p", str(srv.pid),
         "-e", "trace=fsync,fdatasync", "-e", "inject=fsync,fdatasync:error=EIO"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # strace attaches within a moment; until then a PUT may still succeed.
        failed = None
        deadline = time.monotonic() + 30
        i = 0
        while time.monotonic() < deadline:
            i += 1
            r = srv.request("PUT", "/ready/k%d" % i, body=b"v" * 100)
            if r.status >= 500:
                failed = r
                break
            time.sleep(0.05)
        assert failed is not None, "no PUT failed under the injected EIO"
    finally:
        tracer.send_signal(signal.SIGINT)  # detaches; the server runs on
        tracer.wait(timeout=30)
    r = requests.get(srv.endpoint + "/_confiance/ready", timeout=10)
    assert r.status_code == 503, r.text
    assert "read-only" in r.text
    assert value(samples(scrape(srv, srv.metrics_token)), "confiance_store_writable") == 0
    # No retry-then-acknowledge: the next PUT is refused with the sync working again.
    assert srv.request("PUT", "/ready/after", body=b"v").status >= 500
    srv.restart()
    assert requests.get(srv.endpoint + "/_confiance/ready", timeout=10).status_code == 200
    assert value(samples(scrape(srv, srv.metrics_token)), "confiance_store_writable") == 1


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_prometheus_scrapes_the_server(token_server, tmp_path):
    srv = token_server
    s3 = srv.client()
    s3.create_bucket(Bucket="scraped")
    s3.put_object(Bucket="scraped", Key="k", Body=b"hello")
    token_file = os.path.join(str(tmp_path), "prom.token")
    with open(token_file, "w") as f:
        f.write(srv.metrics_token)
    port = _free_port()
    config = os.path.join(str(tmp_path), "prometheus.yml")
    with open(config, "w") as f:
        f.write("""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: confiance
    metrics_path: /_confiance/metrics
    authorization:
      credentials_file: %s
    static_configs:
      - targets: ['%s']
""" % (token_file, srv.hostport))
    prom = subprocess.Popen(
        [PROMETHEUS, "--config.file", config, "--storage.tsdb.path", os.path.join(str(tmp_path), "tsdb"),
         "--web.listen-address", "127.0.0.1:%d" % port],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(str(tmp_path), "prometheus.log"), "wb"))
    api = "http://127.0.0.1:%d/api/v1/query" % port

    def query(q):
        r = requests.get(api, params={"query": q}, timeout=5)
        r.raise_for_status()
        return r.json()["data"]["result"]

    try:
        deadline = time.monotonic() + 60
        up = put = None
        while time.monotonic() < deadline:
            try:
                up = query('up{job="confiance"}')
                put = query('confiance_s3_requests_total{operation="PutObject",code="200"}')
            except requests.RequestException:
                up = put = None
            if up and put and up[0]["value"][1] == "1":
                break
            time.sleep(0.5)
        assert up and up[0]["value"][1] == "1", (up, open(os.path.join(str(tmp_path), "prometheus.log")).read()[-3000:])
        assert put and put[0]["value"][1] == "1", put
        # A rate over the histogram works as dashboards use it.
        assert query('sum(confiance_s3_request_duration_seconds_count{operation="PutObject"})')[0]["value"][1] == "1"
    finally:
        prom.terminate()
        prom.wait(timeout=30)

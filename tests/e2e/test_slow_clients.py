"""Slow and broken clients (issue 4): the server frees what they hold and
stays responsive.

- slowloris: a header sent one byte a second is cut after --header-timeout;
- a body that stops mid-way is dropped after --body-timeout, leaving no
  object, no blob and no temporary file (inline-sized and blob-sized);
- a connection reset (RST) during an upload leaves nothing either;
- a reset during a download frees the connection (its descriptor);
- an idle keep-alive connection is closed after --idle-timeout;
- many idle connections (10,000 if RLIMIT_NOFILE allows): every one is
  accepted, a normal request is still answered promptly, the server's RSS
  stays bounded (under 300 MiB at 1,000 connections, issue 4), and every
  descriptor is released once the clients go.

Figures (RSS, latency) are printed; run with -s to see them:
  CONFIANCE_BIN=build/src/main/confiance python3 -m pytest -s -q \
      tests/e2e/test_slow_clients.py
"""

import hashlib
import os
import resource
import socket
import struct
import time

import pytest

from s3util import object_path, sign_headers

HEADER_TIMEOUT = 3
BODY_TIMEOUT = 3
IDLE_TIMEOUT = 4
TIMEOUT_ARGS = ["--header-timeout", str(HEADER_TIMEOUT), "--body-timeout",
                str(BODY_TIMEOUT), "--idle-timeout", str(IDLE_TIMEOUT)]
RSS_LIMIT_1000 = 300 << 20   # issue 4: under 300 MiB with 1,000 connections
WANTED_IDLE = 10000


# ------------------------------------------------------------------ helpers

def server_fds(srv):
    return len(os.listdir("/proc/%d/fd" % srv.pid))


def server_rss(srv):
    with open("/proc/%d/status" % srv.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def wait_for(pred, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def data_files(srv):
    """(temp files, committed blob files) under the data dir."""
    root = os.path.join(srv.data_dir, "blobs")
    tmp, blobs = [], []
    for d, _dirs, files in os.walk(root):
        for f in files:
            (tmp if os.path.basename(d) == "tmp" else blobs).append(
                os.path.join(d, f))
    return tmp, blobs


def put_head(srv, bucket, key, length):
    """A signed PUT head (UNSIGNED-PAYLOAD) announcing `length` bytes."""
    path = object_path(bucket, key)
    h = {"Host": srv.hostport, "Content-Length": str(length)}
    h = sign_headers("PUT", path, None, h, "UNSIGNED-PAYLOAD",
                     srv.access_key, srv.secret_key).headers
    lines = ["PUT %s HTTP/1.1" % path] + ["%s: %s" % kv for kv in h.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def closed_by_peer(sock, timeout):
    """Waits up to `timeout` s for the server to close `sock` (EOF or RST);
    returns (closed, bytes received)."""
    sock.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            d = sock.recv(65536)
            if not d:
                return True, got
            got += d
    except socket.timeout:
        return False, got
    except (ConnectionResetError, BrokenPipeError):
        return True, got
    return False, got


def reset(sock):
    """Close with RST (SO_LINGER 0), as a crashed client or a middlebox."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def assert_nothing_left(srv, s3, bucket, key, blobs_before):
    r = srv.request("HEAD", object_path(bucket, key))
    assert r.status == 404, "a partial object is visible: %r" % (r.status,)
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert key not in [o["Key"] for o in listed]
    ok = wait_for(lambda: data_files(srv)[0] == [], 5)
    assert ok, "temporary files left: %r" % (data_files(srv)[0],)
    assert sorted(data_files(srv)[1]) == sorted(blobs_before), \
        "a blob was left behind"


@pytest.fixture(scope="module")
def tsrv(tmp_path_factory):
    from conftest import Server
    srv = Server(str(tmp_path_factory.mktemp("slow")), extra_args=TIMEOUT_ARGS)
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()


@pytest.fixture(scope="module")
def ts3(tsrv):
    return tsrv.client()


@pytest.fixture
def tbucket(tsrv, ts3):
    from conftest import unique_bucket
    name = unique_bucket()
    ts3.create_bucket(Bucket=name)
    return name


# ------------------------------------------------------------------ tests

def test_slowloris_header_cut_after_header_timeout(tsrv):
    head = ("GET /_confiance/health HTTP/1.1\r\nHost: %s\r\n"
            "X-Slow: %s\r\n\r\n" % (tsrv.hostport, "a" * 64)).encode()
    s = socket.create_connection((tsrv.host, tsrv.port), 5)
    t0 = time.monotonic()
    sent = 0
    cut = None
    try:
        # One byte a second: the deadline covers the whole header block, so
        # steady trickling must not keep pushing it back.
        while sent < len(head) and time.monotonic() - t0 < HEADER_TIMEOUT + 6:
            try:
                s.sendall(head[sent:sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic() - t0
                break
            sent += 1
            closed, got = closed_by_peer(s, 1.0)
            if closed:
                cut = time.monotonic() - t0
                assert b"200" not in got
                break
    finally:
        s.close()
    print("\nslowloris: %d header bytes sent, cut after %.1f s "
          "(--header-timeout %d)" % (sent, cut or -1, HEADER_TIMEOUT))
    assert cut is not None, "slowloris connection still open after %.0f s" % (
        time.monotonic() - t0)
    assert HEADER_TIMEOUT - 0.5 <= cut <= HEADER_TIMEOUT + 3
    assert sent < len(head)


@pytest.mark.parametrize("size", [30000, 3 << 20], ids=["inline", "blob"])
def test_body_stopping_midway_is_dropped(tsrv, ts3, tbucket, size):
    key = "stalled-%d" % size
    before = data_files(tsrv)[1]
    s = socket.create_connection((tsrv.host, tsrv.port), 5)
    try:
        s.sendall(put_head(tsrv, tbucket, key, size))
        s.sendall(os.urandom(size // 2))
        t0 = time.monotonic()
        if size > 1 << 20:
            # The blob-sized body has started spilling to a temp file.
            assert wait_for(lambda: data_files(tsrv)[0] != [], 5), \
                "no temp file while the body streams"
        closed, got = closed_by_peer(s, BODY_TIMEOUT + 5)
        waited = time.monotonic() - t0
    finally:
        s.close()
    print("\nstalled body (%d of %d B): dropped after %.1f s, answer %r" %
          (size // 2, size, waited, got[:40]))
    assert closed, "stalled upload still open after %.1f s" % waited
    assert waited >= BODY_TIMEOUT - 0.5
    assert b" 200 " not in got
    assert_nothing_left(tsrv, ts3, tbucket, key, before)


@pytest.mark.parametrize("size", [30000, 3 << 20], ids=["inline", "blob"])
def test_reset_during_upload_leaves_nothing(tsrv, ts3, tbucket, size):
    key = "reset-%d" % size
    before = data_files(tsrv)[1]
    s = socket.create_connection((tsrv.host, tsrv.port), 5)
    s.sendall(put_head(tsrv, tbucket, key, size))
    s.sendall(os.urandom(size * 2 // 3))
    if size > 1 << 20:
        assert wait_for(lambda: data_files(tsrv)[0] != [], 5)
    reset(s)
    # Freed at once (the read fails with ECONNRESET), not after a timeout.
    t0 = time.monotonic()
    assert wait_for(lambda: data_files(tsrv)[0] == [], BODY_TIMEOUT - 1,
                    0.02), "temp file kept after the reset"
    print("\nreset upload (%d B): temp space freed after %.2f s" %
          (size, time.monotonic() - t0))
    assert_nothing_left(tsrv, ts3, tbucket, key, before)


def test_reset_during_download_frees_connection(tsrv, ts3, tbucket):
    body = os.urandom(16 << 20)
    ts3.put_object(Bucket=tbucket, Key="big", Body=body)
    base = server_fds(tsrv)
    for _ in range(5):
        path = object_path(tbucket, "big")
        h = sign_headers("GET", path, None, {"Host": tsrv.hostport},
                         hashlib.sha256(b"").hexdigest(), tsrv.access_key,
                         tsrv.secret_key).headers
        req = ["GET %s HTTP/1.1" % path] + ["%s: %s" % kv for kv in h.items()]
        s = socket.create_connection((tsrv.host, tsrv.port), 5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(("\r\n".join(req) + "\r\n\r\n").encode())
        got = s.recv(65536)
        assert got.startswith(b"HTTP/1.1 200"), got[:100]
        reset(s)
    # The server's sends fail with EPIPE/ECONNRESET: the descriptors go
    # well before --write-timeout would have closed them.
    t0 = time.monotonic()
    assert wait_for(lambda: server_fds(tsrv) <= base, 60 // 2, 0.05), \
        "server holds %d descriptors, %d before" % (server_fds(tsrv), base)
    print("\nreset downloads: descriptors back to %d after %.2f s" %
          (server_fds(tsrv), time.monotonic() - t0))
    assert ts3.get_object(Bucket=tbucket, Key="big")["Body"].read() == body


def test_idle_keep_alive_connection_closed_after_idle_timeout(tsrv):
    s = socket.create_connection((tsrv.host, tsrv.port), 5)
    try:
        s.sendall(("GET /_confiance/health HTTP/1.1\r\nHost: %s\r\n\r\n" %
                   tsrv.hostport).encode())
        t0 = time.monotonic()
        closed, got = closed_by_peer(s, IDLE_TIMEOUT + 5)
        waited = time.monotonic() - t0
    finally:
        s.close()
    assert got.startswith(b"HTTP/1.1 200"), got[:100]
    assert closed, "idle connection still open after %.1f s" % waited
    assert IDLE_TIMEOUT - 0.5 <= waited <= IDLE_TIMEOUT + 3, waited


def raise_nofile(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def timed_request(srv, s3, bucket, i):
    t0 = time.monotonic()
    s3.put_object(Bucket=bucket, Key="during-%d" % i, Body=b"x" * 4096)
    assert s3.get_object(Bucket=bucket, Key="during-%d" % i)["Body"].read() \
        == b"x" * 4096
    return time.monotonic() - t0


def test_many_idle_connections(server_factory):
    # The clients and the server each need a descriptor per connection; the
    # server raises its own soft limit to the hard one (RaiseFileLimit).
    limit = raise_nofile(WANTED_IDLE + 200)
    n_max = min(WANTED_IDLE, limit - 200)
    assert n_max >= 1000, "RLIMIT_NOFILE %d too low for 1,000 connections" % limit
    srv = server_factory(["--idle-timeout", "300", "--threads", "2"])
    s3 = srv.client()
    s3.create_bucket(Bucket="idle")
    timed_request(srv, s3, "idle", 0)  # warm up
    fds0, rss0 = server_fds(srv), server_rss(srv)
    socks = []
    figures = []
    try:
        for target in sorted({1000, n_max}):
            t0 = time.monotonic()
            while len(socks) < target:
                socks.append(socket.create_connection((srv.host, srv.port), 10))
            assert wait_for(lambda: server_fds(srv) >= fds0 + target, 30), \
                "server accepted %d of %d connections" % (
                    server_fds(srv) - fds0, target)
            opened = time.monotonic() - t0
            lat = max(timed_request(srv, s3, "idle", i) for i in range(5))
            rss = server_rss(srv)
            figures.append((target, rss, lat))
            print("\n%d idle connections (opened in %.1f s): server RSS %.1f "
                  "MiB (%.1f MiB before, %.1f KiB per connection), "
                  "PUT+GET 4 KiB max %.0f ms" %
                  (target, opened, rss / 2**20, rss0 / 2**20,
                   (rss - rss0) / 1024 / target, lat * 1000))
            assert lat < 2.0, "server slow with %d idle connections" % target
            # A sanitized server's shadow memory and quarantine put its
            # baseline above the absolute limit (ASan: 367 MiB before any
            # connection); the growth bound below still applies to it.
            if target == 1000 and not os.environ.get("CONFIANCE_SANITIZER"):
                assert rss < RSS_LIMIT_1000, "RSS %d MiB" % (rss >> 20)
            # Bounded: measured 4.2 KiB per idle connection (12.2 KiB
            # before the drain buffer became lazy). ThreadSanitizer's
            # shadow and its allocator's caches raise the figure (174 KiB
            # measured, session 12): a looser bound there, which still
            # catches a connection that holds a body-sized buffer.
            per_connection = 256 if os.environ.get("CONFIANCE_SANITIZER") == "tsan" else 16
            assert rss - rss0 < target * per_connection * 1024
            assert srv.alive()
    finally:
        for s in socks:
            s.close()
    assert wait_for(lambda: server_fds(srv) <= fds0 + 2, 30), \
        "descriptors not released: %d, %d before" % (server_fds(srv), fds0)
    timed_request(srv, s3, "idle", 99)

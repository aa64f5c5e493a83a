"""HTTP/1.1 layer, over raw sockets: health endpoint, keep-alive,
Expect: 100-continue (and an early final answer on refused auth),
Transfer-Encoding: chunked uploads, header size/count limits (431),
malformed requests, and graceful shutdown on SIGTERM with a slow upload in
flight (it completes; new connections are refused; exit code 0)."""

import hashlib
import http.client
import random
import signal
import socket
import threading
import time

import pytest
import requests

import s3util
from s3util import md5_hex, object_path, sign_headers, te_chunked


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def read_response(sock, timeout=10):
    """Read one HTTP response (head + Content-Length or chunked body)."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(65536)
        if not d:
            raise ConnectionError("closed before response head: %r" % buf)
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for ln in lines[1:]:
        k, v = ln.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if status in (100, 204, 304) or 100 <= status < 200:
        return status, headers, b"", rest
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += sock.recv(65536)
            line, rest = rest.split(b"\r\n", 1)
            n = int(line.split(b";")[0], 16)
            while len(rest) < n + 2:
                rest += sock.recv(65536)
            body += rest[:n]
            rest = rest[n + 2:]
            if n == 0:
                return status, headers, body, rest
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        d = sock.recv(65536)
        if not d:
            break
        rest += d
    return status, headers, rest[:n], rest[n:]


def raw_head(method, path, headers):
    lines = ["%s %s HTTP/1.1" % (method, path)]
    lines += ["%s: %s" % kv for kv in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def send_until_response(server, payload, piece=4096):
    """Send `payload` piecewise, stopping as soon as the server answers
    (it may answer and close before reading everything); return the
    status code of the answer."""
    import select
    with socket.create_connection((server.host, server.port), 10) as s:
        for i in range(0, len(payload), piece):
            r, _, _ = select.select([s], [], [], 0)
            if r:
                break
            try:
                s.sendall(payload[i:i + piece])
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            st, _, _, _ = read_response(s)
        except ConnectionResetError as e:
            raise AssertionError("connection reset without an HTTP answer")\
                from e
        return st


def signed(server, method, path, body=b"", headers=None, payload=None,
           secret=None, query=None):
    h = {"Host": server.hostport}
    h.update(headers or {})
    ph = payload or hashlib.sha256(body).hexdigest()
    return sign_headers(method, path, query, h, ph, server.access_key,
                        secret or server.secret_key).headers


def test_health_unauthenticated(server):
    r = requests.get(server.endpoint + "/_confiance/health", timeout=5)
    assert r.status_code == 200


def test_keep_alive_many_requests_one_connection(server, bucket):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        sock = None
        for i in range(20):
            path = object_path(bucket, "ka-%d" % i)
            body = b"x" * i
            conn.request("PUT", path, body=body,
                         headers=signed(server, "PUT", path, body))
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            if sock is None:
                sock = conn.sock
            assert conn.sock is sock, "connection was not kept alive"
            conn.request("GET", path, headers=signed(server, "GET", path))
            r = conn.getresponse()
            assert r.read() == body
            # errors keep the connection alive too
            p2 = object_path(bucket, "missing-%d" % i)
            conn.request("GET", p2, headers=signed(server, "GET", p2))
            r = conn.getresponse()
            r.read()
            assert r.status == 404
            assert conn.sock is sock
    finally:
        conn.close()


def test_keep_alive_empty_put_then_put_with_body(server, bucket):
    """Regression: on one keep-alive connection, a 0-byte PUT followed by a
    PUT with a body must both be answered."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for i, body in enumerate([b"", b"x", b"", b"", b"yz" * 1000, b""]):
            path = object_path(bucket, "ka-empty-%d" % i)
            h = signed(server, "PUT", path, body)
            h["Content-Length"] = str(len(body))
            conn.request("PUT", path, body=body, headers=h)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, (i, r.status)
            assert r.getheader("ETag") == '"%s"' % md5_hex(body)
    finally:
        conn.close()


def test_pipelined_requests(server, bucket):
    path = object_path(bucket, "pipe")
    server.request("PUT", path, body=b"pipelined")
    reqs = b"".join(raw_head("GET", path, signed(server, "GET", path))
                    for _ in range(3))
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(reqs)
        rest = b""
        for _ in range(3):
            # feed leftover bytes back through a tiny wrapper
            st, h, body, rest = _read_with_prefix(s, rest)
            assert st == 200 and body == b"pipelined"


def _read_with_prefix(sock, prefix):
    class Pre:
        def __init__(self, s, p):
            self.s, self.p = s, p

        def settimeout(self, t):
            self.s.settimeout(t)

        def recv(self, n):
            if self.p:
                d, self.p = self.p, b""
                return d
            return self.s.recv(n)
    return read_response(Pre(sock, prefix))


def test_expect_100_continue(server, bucket):
    data = rnd(300_000, 1)
    path = object_path(bucket, "expect")
    h = signed(server, "PUT", path, data)
    h["Expect"] = "100-continue"
    h["Content-Length"] = str(len(data))
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h))
        st, _, _, rest = read_response(s, timeout=5)
        assert st == 100, "expected 100 Continue, got %d" % st
        s.sendall(data)
        st, hd, body, rest = _read_with_prefix(s, rest)
        while st == 100:   # tolerate a repeated interim response
            st, hd, body, rest = _read_with_prefix(s, rest)
        assert st == 200, body
        assert hd.get("etag") == '"%s"' % md5_hex(data)
    assert server.request("GET", path).body == data


def test_expect_100_continue_refused_early(server, bucket):
    """With bad credentials the final 403 comes without the body being
    sent (no 100 Continue first)."""
    data = rnd(1_000_000, 2)
    path = object_path(bucket, "expect-denied")
    h = signed(server, "PUT", path, data, secret="wrong")
    h["Expect"] = "100-continue"
    h["Content-Length"] = str(len(data))
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h))
        st, _, body, _ = read_response(s, timeout=5)
        assert st == 403, (st, body)
        assert s3util.parse_error(body).get("Code") == \
            "SignatureDoesNotMatch"


def test_chunked_transfer_encoding_upload(server, bucket):
    data = rnd(250_000, 3)
    path = object_path(bucket, "te-chunked")
    h = signed(server, "PUT", path, data)
    h["Transfer-Encoding"] = "chunked"
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h) + te_chunked(data))
        st, hd, body, _ = read_response(s)
        assert st == 200, body
        assert hd.get("etag") == '"%s"' % md5_hex(data)
    g = server.client().get_object(Bucket=bucket, Key="te-chunked")
    assert g["Body"].read() == data
    assert g["ContentLength"] == len(data)


def test_chunked_transfer_encoding_unsigned_payload(server, bucket):
    data = rnd(70_000, 4)
    path = object_path(bucket, "te-unsigned")
    h = signed(server, "PUT", path, payload=s3util.UNSIGNED_PAYLOAD)
    h["Transfer-Encoding"] = "chunked"
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h) + te_chunked(data, (1, 4096)))
        st, _, body, _ = read_response(s)
        assert st == 200, body
    assert server.request("GET", path).body == data


def test_chunked_transfer_encoding_sha_mismatch(server, bucket):
    data = rnd(10_000, 5)
    path = object_path(bucket, "te-bad")
    h = signed(server, "PUT", path, data + b"!")
    h["Transfer-Encoding"] = "chunked"
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h) + te_chunked(data))
        st, _, body, _ = read_response(s)
        assert st == 400
        assert s3util.parse_error(body).get("Code") == \
            "XAmzContentSHA256Mismatch"


def test_huge_header_431(server, bucket):
    path = object_path(bucket)
    h = signed(server, "GET", path)
    h["X-Big"] = "a" * 200_000
    st = send_until_response(server, raw_head("GET", path, h))
    assert st == 431
    assert requests.get(server.endpoint + "/_confiance/health",
                        timeout=5).status_code == 200


def test_too_many_headers_431(server, bucket):
    path = object_path(bucket)
    h = signed(server, "GET", path)
    for i in range(5000):
        h["X-H%d" % i] = "v"
    st = send_until_response(server, raw_head("GET", path, h))
    assert st == 431


@pytest.mark.parametrize("garbage", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\n",
])
def test_malformed_requests_do_not_hurt(server, garbage):
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(garbage)
        s.settimeout(10)
        try:
            d = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            d = b""
        if d:
            assert d.startswith(b"HTTP/1.1 4") or d.startswith(b"HTTP/1.0 4")\
                or d.startswith(b"HTTP/1.1 5"), d[:100]
    assert requests.get(server.endpoint + "/_confiance/health",
                        timeout=5).status_code == 200


def test_request_body_too_short_then_close(server, bucket):
    """Client announces 100 KB, sends 10 KB and closes: no object."""
    path = object_path(bucket, "short")
    data = rnd(100_000, 6)
    h = signed(server, "PUT", path, data)
    h["Content-Length"] = str(len(data))
    with socket.create_connection((server.host, server.port), 10) as s:
        s.sendall(raw_head("PUT", path, h) + data[:10_000])
    time.sleep(0.5)
    r = server.request("HEAD", path)
    assert r.status == 404, r


def test_graceful_shutdown_finishes_inflight_upload(server_factory):
    srv = server_factory()
    c = srv.client()
    c.create_bucket(Bucket="graceful")
    data = rnd(4 * 1024 * 1024, 7)
    path = object_path("graceful", "slow")
    h = signed(srv, "PUT", path, data)
    h["Content-Length"] = str(len(data))
    s = socket.create_connection((srv.host, srv.port), 10)
    try:
        s.sendall(raw_head("PUT", path, h))
        half = len(data) // 2
        s.sendall(data[:half])
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert srv.alive(), "server exited with a request in flight"
        # New connections are refused (or answered 503).
        try:
            r = requests.get(srv.endpoint + "/_confiance/health", timeout=3)
            assert r.status_code == 503, r.status_code
        except requests.ConnectionError:
            pass
        # Trickle the rest slowly, then expect a normal answer.
        rest = data[half:]
        step = len(rest) // 10
        for i in range(0, len(rest), step):
            s.sendall(rest[i:i + step])
            time.sleep(0.1)
        st, hd, body, _ = read_response(s, timeout=30)
        assert st == 200, body
        assert hd.get("etag") == '"%s"' % md5_hex(data)
    finally:
        s.close()
    rc = srv.proc.wait(timeout=30)
    assert rc == 0, "exit code %s; log:\n%s" % (rc, srv.log_tail())
    srv.start()
    g = srv.client().get_object(Bucket="graceful", Key="slow")
    assert g["Body"].read() == data


def test_graceful_shutdown_idle_connections(server_factory):
    """Idle keep-alive connections must not hold shutdown back."""
    srv = server_factory()
    conns = []
    for _ in range(5):
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        conn.request("GET", "/_confiance/health")
        conn.getresponse().read()
        conns.append(conn)
    t0 = time.monotonic()
    rc = srv.stop()
    took = time.monotonic() - t0
    for c in conns:
        c.close()
    assert rc == 0
    assert took < 10, "shutdown took %.1fs with idle connections" % took


def test_concurrent_connections(server, bucket):
    """64 clients in parallel, each a few PUT/GET pairs."""
    errors = []

    def worker(i):
        try:
            c = http.client.HTTPConnection(server.host, server.port,
                                           timeout=30)
            for j in range(5):
                path = object_path(bucket, "cc-%d-%d" % (i, j))
                body = rnd(1000 + i * 10 + j, i * 100 + j)
                c.request("PUT", path, body=body,
                          headers=signed(server, "PUT", path, body))
                r = c.getresponse()
                r.read()
                if r.status != 200:
                    errors.append((i, j, r.status))
                c.request("GET", path, headers=signed(server, "GET", path))
                r = c.getresponse()
                if r.read() != body:
                    errors.append((i, j, "mismatch"))
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(64)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors[:10]

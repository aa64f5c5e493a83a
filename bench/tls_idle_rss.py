#!/usr/bin/env python3
# File: bench/tls_idle_rss.py
"""Memory of idle connections: starts one Confiance (--threads 1, a fresh
data directory, over HTTPS with a fresh self-signed certificate, or plain
HTTP with --plain), opens N keep-alive connections, sends one health check
on each, leaves them idle, and prints the server's RSS before and after
(VmRSS from /proc, after SETTLE seconds) and the difference per connection.

Usage: bench/tls_idle_rss.py CONFIANCE_BINARY N [--plain]
Only 127.0.0.1 is used; N is at most 20,000 and every step has a timeout.
Needs the openssl command for the certificate."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main():
    binary, n = sys.argv[1], int(sys.argv[2])
    plain = "--plain" in sys.argv[3:]
    if not 1 <= n <= 20000:
        sys.exit("N must be 1..20000")
    settle = float(os.environ.get("SETTLE", "2"))
    work = tempfile.mkdtemp(prefix="confiance-tls-idle-")
    port = free_port()
    args = [binary, "server", "--data", work + "/data", "--listen", "127.0.0.1:%d" % port, "--threads", "1"]
    if not plain:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", work + "/key.pem", "-out", work + "/cert.pem"],
                       check=True, capture_output=True, timeout=60)
        args += ["--tls-cert", work + "/cert.pem", "--tls-key", work + "/key.pem"]
    env = dict(os.environ, CONFIANCE_ROOT_ACCESS_KEY="BENCHAK", CONFIANCE_ROOT_SECRET_KEY="SECRET12345")
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conns = []
    try:
        ctx = None if plain else ssl.create_default_context(cafile=work + "/cert.pem")
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        time.sleep(settle)
        before = rss_kib(server.pid)
        request = b"GET /_confiance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            if ctx is not None:
                s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
            conns.append(s)
        for s in conns:
            s.sendall(request)
        for s in conns:
            if not s.recv(4096).startswith(b"HTTP/1.1 200"):
                raise RuntimeError("health check failed")
        time.sleep(settle)
        after = rss_kib(server.pid)
        print("transport=%s connections=%d rss_before_kib=%d rss_after_kib=%d per_connection_kib=%.1f" %
              ("http" if plain else "https", n, before, after, (after - before) / n))
    finally:
        for s in conns:
            s.close()
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

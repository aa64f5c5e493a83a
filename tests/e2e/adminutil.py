"""Helpers shared by the suites that need tenants: a server started with
fixed operator credentials, the `confiance admin` CLI runner, boto3 clients
for given credentials, and the admin API's JSON errors."""

import concurrent.futures
import hashlib
import json
import os
import random
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Server, client_error, sanitizer_env

OPERATOR_AK = "CONFIANCEOPERATORKEY1"
OPERATOR_SK = "confiance/operator/test/secret0123456789"
OPERATOR = (OPERATOR_AK, OPERATOR_SK)
ADMIN = "/_confiance/admin/v1"


class AdminServer(Server):
    """The conftest server with operator credentials in its environment."""

    def env(self):
        env = super().env()
        env["CONFIANCE_OPERATOR_ACCESS_KEY"] = OPERATOR_AK
        env["CONFIANCE_OPERATOR_SECRET_KEY"] = OPERATOR_SK
        return env


def serve_module(tmp_path_factory, name, extra_args=()):
    """The body of a module-scoped `server` fixture: an AdminServer on a
    fresh directory, stopped at the end and its transparency log checked
    (`yield from serve_module(tmp_path_factory, "name")`)."""
    srv = AdminServer(str(tmp_path_factory.mktemp(name)), extra_args=list(extra_args))
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


class Cli:
    def __init__(self, cp):
        self.rc = cp.returncode
        self.out = cp.stdout
        self.err = cp.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "<cli rc=%d out=%r err=%r>" % (self.rc, self.out[-1500:],
                                              self.err[-1500:])


def cli(srv, *args, creds=OPERATOR, endpoint=None, expect=0, stdin=None):
    """Runs `confiance admin ARGS` with the endpoint and credentials in the
    environment (CONFIANCE_*), asserting the exit code `expect`."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **sanitizer_env()}
    env["CONFIANCE_ENDPOINT"] = endpoint or srv.endpoint
    if creds:
        env["CONFIANCE_ACCESS_KEY"], env["CONFIANCE_SECRET_KEY"] = creds
    cp = subprocess.run([srv.binary, "admin"] + list(args), env=env,
                        capture_output=True, text=True, timeout=60,
                        input=stdin)
    res = Cli(cp)
    if expect is not None:
        assert res.rc == expect, "admin %s: %r" % (" ".join(args), res)
    return res


def s3(srv, creds):
    """A boto3 client signing with `creds` (access key, secret key)."""
    return srv.client(access_key=creds[0], secret_key=creds[1])


def kill_during_puts(srv, creds, bucket, writers, sizes, keys_per_writer=1000):
    """Runs `writers` threads that PUT random bodies of `sizes` into `bucket`
    (writer t writes keys "t<t>/<i % keys_per_writer>": overwrites when
    fewer keys than PUTs, each key one writer's), SIGKILLs the server after
    2-4 s (seeded by CONFIANCE_E2E_SEED) and returns (acked, unanswered):
    {key: md5 of its last acknowledged body} and {key: md5 of the body in
    flight at the kill, which may or may not have landed}."""
    rnd = random.Random(int(os.environ.get("CONFIANCE_E2E_SEED", str(int(time.time())))))
    acked, unanswered = {}, {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(t):
        c = s3(srv, creds)
        for i in range(100_000):
            if stop.is_set():
                return
            body = os.urandom(rnd.choice(sizes))
            key = "t%d/%d" % (t, i % keys_per_writer)
            try:
                c.put_object(Bucket=bucket, Key=key, Body=body)
            except Exception:  # the kill: unacknowledged
                with lock:
                    unanswered[key] = hashlib.md5(body).hexdigest()
                return
            with lock:
                acked[key] = hashlib.md5(body).hexdigest()

    with concurrent.futures.ThreadPoolExecutor(writers) as pool:
        futures = [pool.submit(writer, t) for t in range(writers)]
        time.sleep(rnd.uniform(2.0, 4.0))
        srv.kill()
        stop.set()
        for f in futures:
            f.result(timeout=120)
    return acked, unanswered


def tenant_clients(srv, tenants):
    """Creates each tenant of `tenants` ((id, root credentials) pairs) with
    those root credentials; returns a boto3 client of each root, in order."""
    for name, creds in tenants:
        cli(srv, "tenant", "create", name, "--access-key", creds[0], "--secret-key", creds[1])
    return [s3(srv, creds) for _, creds in tenants]


def s3_code(fn, *args, **kw):
    """(HTTP status, S3 code) of the ClientError that fn(*args, **kw)
    must raise."""
    with pytest.raises(ClientError) as ei:
        fn(*args, **kw)
    return client_error(ei)


def admin_request(srv, method, path, body=b"", creds=OPERATOR, **kw):
    return srv.request(method, ADMIN + path, body=body, access_key=creds[0],
                       secret_key=creds[1], **kw)


def error_of(resp):
    """(HTTP status, code) of an admin API error reply, checking its shape."""
    doc = json.loads(resp.body)
    assert set(doc) == {"error"}, doc
    assert set(doc["error"]) == {"code", "message"}, doc
    assert doc["error"]["message"], doc
    return resp.status, doc["error"]["code"]


def export_log(srv, tenant):
    """The tenant's transparency-log entries, through `confiance log export`
    on the (stopped or running) server's data directory."""
    cp = subprocess.run([srv.binary, "log", "export", "--data", srv.data_dir, "--tenant", tenant],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    return [json.loads(line) for line in cp.stdout.splitlines()]


def wait_reclaimed(srv, tenant, creds, timeout=60):
    """The reclamation jobs of `tenant` once every one is done (after a
    shred), failing after `timeout` seconds."""
    deadline = time.time() + timeout
    while True:
        jobs = cli(srv, "--json", "bucket", "reclamation", "--tenant", tenant, creds=creds).json()["jobs"]
        if jobs and all(j["state"] == "done" for j in jobs):
            return jobs
        assert time.time() < deadline, jobs
        time.sleep(0.2)


def receipt_of(out):
    """The signed deletion receipt in the CLI's output of a shred."""
    return out.split("`confiance log verify-receipt`):\n\n", 1)[1]


def verify_receipt(srv, receipt_path):
    """Runs `confiance log verify-receipt` on the deletion receipt at
    `receipt_path` against the server's log key, exported (from the stopped
    server's data directory) beside the receipt as log.vkey."""
    key_file = receipt_path.parent / "log.vkey"
    if not key_file.exists():
        cp = subprocess.run([srv.binary, "log", "export", "--data", srv.data_dir, "--operator",
                             "--key-out", str(key_file)], capture_output=True, text=True, timeout=120)
        assert cp.returncode == 0, cp
    return subprocess.run([srv.binary, "log", "verify-receipt", "--key-file", str(key_file), str(receipt_path)],
                          capture_output=True, text=True, timeout=60)

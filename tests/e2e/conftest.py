"""Fixtures for the end-to-end suites: a real `confiance server` per test
module (fresh data dir, free port, fixed root credentials), boto3 clients,
aws-cli runner, restart/kill helpers.

The server binary comes from $CONFIANCE_BIN (CTest sets it to
$<TARGET_FILE:confiance>).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import logcheck  # noqa: E402
import s3util  # noqa: E402

ROOT_ACCESS_KEY = "CONFIANCEROOTTESTKEY1"
ROOT_SECRET_KEY = "confiance/root/test/secret+key0123456789"
REGION = "us-east-1"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 60.0

# Keep any user or machine AWS configuration out of boto3 in this process.
_AWS_SANDBOX = tempfile.mkdtemp(prefix="confiance-e2e-aws-")
_AWS_CONFIG = os.path.join(_AWS_SANDBOX, "config")
with open(_AWS_CONFIG, "w") as _f:
    _f.write("[default]\nregion = us-east-1\ncli_pager =\n"
             "s3 =\n    addressing_style = path\n")
os.environ["AWS_CONFIG_FILE"] = _AWS_CONFIG
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(_AWS_SANDBOX,
                                                         "credentials")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _v in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
           "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
           "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_v, None)
os.environ["NO_PROXY"] = "*"

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import requests  # noqa: E402

AWS_CLI = shutil.which("aws", path="/usr/bin:/bin") or "/usr/bin/aws"


def sanitizer_env():
    """The sanitizers' options of this run (scripts/sanitize.sh), for a
    child process started with an environment of its own: without them an
    instrumented binary runs with the defaults, reports races inside
    uninstrumented libraries that tools/tsan.supp suppresses, and exits 66."""
    return {k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS")}


def server_binary():
    b = os.environ.get("CONFIANCE_BIN")
    if not b:
        pytest.fail("CONFIANCE_BIN is not set (path of the confiance binary)")
    if not os.access(b, os.X_OK):
        pytest.fail("CONFIANCE_BIN=%s is not an executable file" % b)
    return b


def build_dir():
    """The build tree of CONFIANCE_BIN (BUILD/src/main/confiance)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(server_binary()))))


def assert_serves_objects(srv, tag, body):
    """A bucket created, `body` stored and read back through `srv`'s root
    client: the short proof that a server started as a test configured it
    works."""
    s3 = srv.client()
    bucket = unique_bucket(tag)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=body)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


unique_bucket = s3util.unique_bucket


class ServerDied(AssertionError):
    pass


# Every server process any test started: those still running when the
# session ends (a test that failed before it stopped its own) are killed
# then, so that no server outlives the test run.
_STARTED = []


def pytest_sessionfinish(session, exitstatus):
    for srv in _STARTED:
        srv.kill()


class Server:
    """One `confiance server` process on a data dir. Can be stopped,
    killed and restarted on the same data dir and port."""

    def __init__(self, workdir, extra_args=(), access_key=ROOT_ACCESS_KEY,
                 secret_key=ROOT_SECRET_KEY, data_dir=None):
        self.binary = server_binary()
        self.workdir = workdir
        self.data_dir = data_dir or os.path.join(workdir, "data")
        self.extra_args = list(extra_args)
        # A command prefix (e.g. strace ...): the server runs under it.
        self.wrapper = []
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = free_port()
        self.host = "127.0.0.1"
        self.proc = None
        self.generation = 0
        self.log_path = None
        self._log = None
        # The CA file clients trust when the server serves HTTPS (its
        # extra_args carry --tls-cert/--tls-key); None: plain HTTP. The raw
        # request() helper speaks plain HTTP only.
        self.tls_ca = None
        # Every response a client of this server received (logcheck.py).
        self.ledger = logcheck.ResponseLedger()

    # -------------------------------------------------------- lifecycle
    @property
    def endpoint(self):
        scheme = "https" if self.tls_ca else "http"
        return "%s://%s:%d" % (scheme, self.host, self.port)

    @property
    def hostport(self):
        return "%s:%d" % (self.host, self.port)

    @property
    def pid(self):
        return self.proc.pid

    def env(self):
        env = dict(os.environ)
        env["CONFIANCE_ROOT_ACCESS_KEY"] = self.access_key
        env["CONFIANCE_ROOT_SECRET_KEY"] = self.secret_key
        return env

    def start(self):
        assert self.proc is None or self.proc.poll() is not None
        self.generation += 1
        self.log_path = os.path.join(self.workdir,
                                     "server-%d.log" % self.generation)
        self._log = open(self.log_path, "wb")
        cmd = self.wrapper + [self.binary, "server", "--data", self.data_dir, "--listen",
               self.hostport] + self.extra_args
        self.proc = subprocess.Popen(cmd, env=self.env(),
                                     stdout=self._log, stderr=self._log,
                                     stdin=subprocess.DEVNULL)
        if self not in _STARTED:
            _STARTED.append(self)
        self.wait_ready()
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerDied("server exited with %s before becoming "
                                 "ready; log:\n%s" % (self.proc.returncode,
                                                      self.log_tail()))
            try:
                r = requests.get(self.endpoint + "/_confiance/health",
                                 timeout=1, verify=self.tls_ca or True)
                if r.status_code == 200:
                    return
                last = "status %d" % r.status_code
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        raise AssertionError("server not ready after %ss (%s); log:\n%s" %
                             (timeout, last, self.log_tail()))

    def log_tail(self, n=60):
        try:
            if self._log:
                self._log.flush()
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return "<no log>"

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not exit within %ss of SIGTERM;"
                                 " log:\n%s" % (timeout, self.log_tail()))
        finally:
            self._close_log()
        return rc

    def stop_clean(self):
        rc = self.stop()
        assert rc == 0, "server exit code %s after SIGTERM; log:\n%s" % (
            rc, self.log_tail())

    def kill(self):
        """SIGKILL (crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._close_log()

    def _close_log(self):
        if self._log:
            self._log.close()
            self._log = None

    def restart(self, kill=False):
        """Stop (cleanly, asserting exit 0; or SIGKILL) and start again on
        the same data dir and port."""
        if kill:
            self.kill()
        else:
            self.stop_clean()
        return self.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -------------------------------------------------------- clients
    def client(self, access_key=None, secret_key=None, addressing_style="path",
               endpoint_url=None, session_token=None, region=REGION,
               **config_kw):
        cfg = dict(signature_version="s3v4",
                   s3={"addressing_style": addressing_style},
                   retries={"total_max_attempts": 1, "mode": "standard"},
                   connect_timeout=10, read_timeout=120)
        cfg.update(config_kw)
        session = boto3.session.Session(
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=session_token,
            region_name=region)
        client = session.client("s3", endpoint_url=endpoint_url or self.endpoint,
                                config=botocore.config.Config(**cfg),
                                verify=self.tls_ca if self.tls_ca else None)
        return self.ledger.attach(client)

    def check_transparency_log(self):
        """Every response received has exactly one log entry (server
        stopped; see logcheck.py)."""
        if "--no-transparency-log" in self.extra_args or not os.path.isdir(self.data_dir):
            return
        logcheck.check_server_log(self.binary, self.data_dir, self.ledger)

    def request(self, method, path, query=None, headers=None, body=b"",
                payload="signed", access_key=None, secret_key=None,
                now=None, host_header=None, timeout=60, sign=True):
        """Hand-signed raw request. payload: 'signed' (sha256 of body),
        'unsigned' (UNSIGNED-PAYLOAD) or an explicit hash string."""
        host = host_header or self.hostport
        qitems = s3util._query_items(query)
        h = {"Host": host}
        h.update(headers or {})
        if sign:
            if payload == "signed":
                ph = hashlib_sha256_hex(body)
            elif payload == "unsigned":
                ph = s3util.UNSIGNED_PAYLOAD
            else:
                ph = payload
            h = s3util.sign_headers(method, path, qitems, h, ph,
                                    access_key or self.access_key,
                                    secret_key or self.secret_key,
                                    now=now).headers
        full = path + ("?" + s3util.canonical_query(qitems) if qitems else "")
        return s3util.http_request(self.host, self.port, method, full, h,
                                   body, timeout=timeout)

    def presigned_url(self, method, path, expires=300, now=None,
                      access_key=None, secret_key=None, query=None):
        q = s3util.presign(method, self.hostport, path,
                           access_key or self.access_key,
                           secret_key or self.secret_key, expires=expires,
                           now=now, extra_query=query)
        return "%s%s?%s" % (self.endpoint, path, q)

    def aws(self, *args, check=True, timeout=600, access_key=None,
            secret_key=None, input=None):
        return run_aws(self.endpoint, access_key or self.access_key,
                       secret_key or self.secret_key, list(args), check=check,
                       timeout=timeout, input=input, ca_bundle=self.tls_ca)

    def data_files(self):
        out = []
        for root, _dirs, files in os.walk(self.data_dir):
            for f in files:
                out.append(os.path.join(root, f))
        return out


def hashlib_sha256_hex(b):
    import hashlib
    return hashlib.sha256(b).hexdigest()


class AwsResult:
    def __init__(self, cp):
        self.returncode = cp.returncode
        self.stdout = cp.stdout
        self.stderr = cp.stderr

    def __repr__(self):
        return "<aws rc=%d stdout=%r stderr=%r>" % (
            self.returncode, self.stdout[-2000:], self.stderr[-2000:])


def run_aws(endpoint, access_key, secret_key, args, check=True, timeout=600,
            input=None, ca_bundle=None, session_token=None):
    """Run aws-cli against the server with an isolated config."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": _AWS_SANDBOX,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": _AWS_CONFIG,
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(_AWS_SANDBOX,
                                                    "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "NO_PROXY": "*",
    }
    if session_token:
        env["AWS_SESSION_TOKEN"] = session_token
    cmd = [AWS_CLI, "--endpoint-url", endpoint, "--no-cli-pager"]
    if ca_bundle:
        cmd += ["--ca-bundle", ca_bundle]
    cmd += args
    cp = subprocess.run(cmd, env=env, capture_output=True, text=True,
                        timeout=timeout, input=input)
    res = AwsResult(cp)
    if check:
        assert cp.returncode == 0, "aws %s failed: %r" % (" ".join(args), res)
    return res


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server for the whole test module, stopped with SIGTERM at the
    end (exit code 0 asserted)."""
    workdir = str(tmp_path_factory.mktemp("srv"))
    srv = Server(workdir)
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()
    shutil.rmtree(srv.data_dir, ignore_errors=True)


@pytest.fixture
def server_factory(tmp_path_factory):
    """Start extra servers (own data dir / args); all stopped at the end."""
    started = []

    def make(extra_args=(), start=True, **kw):
        workdir = str(tmp_path_factory.mktemp("srvf"))
        srv = Server(workdir, extra_args=extra_args, **kw)
        started.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    errors = []
    for srv in started:
        if srv.alive():
            rc = srv.stop()
            if rc != 0:
                errors.append("server exit code %s; log:\n%s" %
                              (rc, srv.log_tail()))
        try:
            srv.check_transparency_log()
        except AssertionError as e:
            errors.append(str(e))
        shutil.rmtree(srv.data_dir, ignore_errors=True)
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def s3(server):
    return server.client()


@pytest.fixture
def bucket(server, s3):
    """A fresh empty bucket (emptied and deleted afterwards, best effort)."""
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    yield name
    try:
        token = None
        while True:
            kw = {"Bucket": name}
            if token:
                kw["ContinuationToken"] = token
            r = s3.list_objects_v2(**kw)
            for o in r.get("Contents", []):
                s3.delete_object(Bucket=name, Key=o["Key"])
            if not r.get("IsTruncated"):
                break
            token = r["NextContinuationToken"]
        s3.delete_bucket(Bucket=name)
    except Exception:
        pass


client_error = s3util.client_error


@pytest.fixture(autouse=True)
def _server_liveness(request):
    """If the module's server died during a test, fail that test with the
    exit status and log tail, and restart the server on the same data dir
    so that the following tests still give an independent signal."""
    yield
    if "server" not in request.fixturenames:
        return
    srv = request.getfixturevalue("server")
    if srv.proc is None or srv.proc.poll() is None:
        return
    rc = srv.proc.returncode
    tail = srv.log_tail(40)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        tail += "\n(restart failed too: %r)" % e
    pytest.fail("SERVER CRASHED during this test (exit status %s); log "
                "tail:\n%s" % (rc, tail), pytrace=False)

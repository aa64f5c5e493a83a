#!/usr/bin/python3
"""Crash-test harness: a mixed S3 workload against the real `confiance
server`, SIGKILL at a random moment, restart on the same data dir, verify.

Each round:
  1. concurrent workers run a mixed workload on a shared key space (so that
     keys are overwritten, also concurrently): PUT of 0 B, inline-sized
     (1-60 KiB) and multi-package (100 KiB-3 MiB) bodies, DELETE, and
     multipart uploads (5 MiB parts plus a small last part) that are
     completed or aborted;
  2. after a random 0.2-1.5 s (--min-load/--max-load) the server gets SIGKILL;
  3. the server is restarted on the same data dir and must answer
     GET /_confiance/health with 200 within --start-timeout seconds;
  4. every key ever used is read back and checked against the model:
       - the content (size + MD5 of the whole body) must be one of the
         key's acceptable states, or the key absent if that is acceptable.
         Acceptable: every version whose write (PUT, CompleteMultipartUpload
         or DELETE) was acknowledged and not provably superseded (no other
         acknowledged write to the key *started* after it was acknowledged),
         every unacknowledged (in flight at the kill) write, and the state
         observed at the previous verification if no write of this round
         was acknowledged. So an acknowledged write must be there
         byte-identical, an acknowledged DELETE must not be undone, and a
         torn object (any other content) is always a failure;
       - a GET must never fail with an error (a 500 means the server
         detected damage);
       - ListObjectsV2 must list exactly the keys GET finds, with the same
         size and ETag;
       - an upload whose Complete or Abort was acknowledged must not be
         listed by ListMultipartUploads;
     and any request that failed *before* the kill (the server was healthy)
     is a failure too.
  The observed state becomes the baseline for the next round: what one
  restart showed must still be there after the next.

Usage:
  crash_harness.py [--rounds 50] [--seed S] [--binary PATH] [--workers 4]
                   [--max-seconds 3600] [--keep]
The binary defaults to $CONFIANCE_BIN. Prints one line per round, then
"N passed, N failed" and the figures. Exit status 0 only if no round failed.

Importable: run(Config(...)) returns a Summary.
"""

import argparse
import atexit
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# Keep any user or machine AWS configuration out of boto3.
_AWS_SANDBOX = tempfile.mkdtemp(prefix="confiance-crash-aws-")
atexit.register(shutil.rmtree, _AWS_SANDBOX, True)
with open(os.path.join(_AWS_SANDBOX, "config"), "w") as _f:
    _f.write("[default]\nregion = us-east-1\n")
os.environ["AWS_CONFIG_FILE"] = os.path.join(_AWS_SANDBOX, "config")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(_AWS_SANDBOX, "credentials")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _v in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
           "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
           "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_v, None)
os.environ["NO_PROXY"] = "*"

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ACCESS_KEY = "CONFIANCECRASHHARNESS"
SECRET_KEY = "confiance/crash/harness/secret0123456789"
BUCKET = "crash"
HOST = "127.0.0.1"
KiB = 1024
MiB = 1024 * 1024
ABSENT = ("absent",)


# ---------------------------------------------------------------- server
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def health_ok(port, timeout=1.0):
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET /_confiance/health HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            data = s.recv(64)
            return data.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Server:
    """One `confiance server` on a data dir; SIGKILL and restart."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "server.log")
        self.port = free_port()
        self.proc = None
        self.generation = 0

    @property
    def endpoint(self):
        return "http://%s:%d" % (HOST, self.port)

    def start(self, timeout):
        """Starts and waits for health 200; returns seconds taken."""
        self.generation += 1
        env = dict(os.environ)
        env["CONFIANCE_ROOT_ACCESS_KEY"] = ACCESS_KEY
        env["CONFIANCE_ROOT_SECRET_KEY"] = SECRET_KEY
        with open(self.log_path, "ab") as log:
            log.write(b"\n===== harness: start generation %d =====\n" % self.generation)
            log.flush()
            t0 = time.monotonic()
            self.proc = subprocess.Popen(
                [self.binary, "server", "--data", self.data_dir, "--listen",
                 "%s:%d" % (HOST, self.port), "--log-level", "warn"],
                env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s while starting (log %s)"
                                   % (self.proc.returncode, self.log_path))
            if health_ok(self.port):
                return time.monotonic() - t0
            time.sleep(0.01)
        raise RuntimeError("server not healthy within %.0f s (log %s)"
                           % (timeout, self.log_path))

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "timeout"

    def client(self, read_timeout=20):
        cfg = botocore.config.Config(
            signature_version="s3v4", s3={"addressing_style": "path"},
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5, read_timeout=read_timeout,
            max_pool_connections=4)
        session = boto3.session.Session(aws_access_key_id=ACCESS_KEY,
                                        aws_secret_access_key=SECRET_KEY,
                                        region_name="us-east-1")
        return session.client("s3", endpoint_url=self.endpoint, config=cfg)


# ---------------------------------------------------------------- model
def body(seed, size):
    return random.Random(seed).randbytes(size)


class Version:
    """One write to a key: content (md5, size) or ABSENT for a delete."""
    __slots__ = ("state", "start", "ack", "what")

    def __init__(self, state, start, what):
        self.state = state        # (md5, size) or ABSENT
        self.start = start        # monotonic time the request was sent
        self.ack = None           # monotonic time the 2xx was received
        self.what = what

    def __repr__(self):
        return "%s%s" % (self.what, "" if self.ack is not None else "(unacked)")


class Model:
    def __init__(self):
        self.lock = threading.Lock()
        self.baseline = {}        # key -> state observed at the last verification
        self.writes = {}          # key -> [Version] of this round
        self.finished_uploads = {}  # upload id -> "completed"/"aborted" (acknowledged)
        self.keys = set()

    def begin(self, key, state, what):
        v = Version(state, time.monotonic(), what)
        with self.lock:
            self.keys.add(key)
            self.writes.setdefault(key, []).append(v)
        return v

    @staticmethod
    def ack(v):
        v.ack = time.monotonic()

    def acceptable(self, key):
        """The states `key` may be in now, with a description of each."""
        vs = self.writes.get(key, [])
        acked_starts = [w.start for w in vs if w.ack is not None]
        latest_acked_start = max(acked_starts) if acked_starts else None
        out = {}
        if latest_acked_start is None:
            out[self.baseline.get(key, ABSENT)] = "baseline"
        for v in vs:
            if v.ack is not None and latest_acked_start > v.ack:
                continue  # an acknowledged write started after this one's ack
            out.setdefault(v.state, repr(v))
        return out

    def new_round(self, observed):
        self.baseline = observed
        self.writes = {}


# ---------------------------------------------------------------- workload
class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {}

    def add(self, name, n=1):
        with self.lock:
            self.ops[name] = self.ops.get(name, 0) + n


def pick_put_size(rng, zero=0.08, small=0.55, large_max=3 * MiB):
    """A PUT body size: 0 B with probability `zero`, 1-60 KiB (one blob
    package at most) up to `small`, else 100 KiB to `large_max`."""
    r = rng.random()
    if r < zero:
        return 0
    if r < small:
        return rng.randrange(1 * KiB, 60 * KiB + 1)
    return rng.randrange(100 * KiB, large_max + 1)


def upload_parts(c, bucket, key, sizes, rng, stop):
    """Creates a multipart upload of `key` and uploads parts of `sizes`
    (bodies from `rng`). Returns (upload id, parts for Complete, MD5 of the
    whole), or None if `stop` was set between parts."""
    uid = c.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    h = hashlib.md5()
    parts = []
    for i, size in enumerate(sizes):
        if stop.is_set():
            return None
        data = body(rng.getrandbits(64), size)
        h.update(data)
        r = c.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i + 1, Body=data)
        parts.append({"PartNumber": i + 1, "ETag": r["ETag"]})
    return uid, parts, h.hexdigest()


class LoadWorker(threading.Thread):
    """One client of a round's load: calls self.one(client) until the round
    stops, the deadline passes or a request fails. A failure while the
    server was up is a server bug (recorded in `errors`); once the kill has
    begun, requests are expected to fail. Subclasses set self.op_name."""

    def __init__(self, cfg, server, model, counters, rng_seed, stop, kill_time, errors):
        super().__init__(daemon=True)
        self.cfg, self.server, self.model = cfg, server, model
        self.counters = counters
        self.rng = random.Random(rng_seed)
        self.stop = stop
        self.kill_time = kill_time   # [monotonic time of the kill], set later
        self.errors = errors
        self.op_name = ""
        # Made before the load timer starts: boto3 client setup is slow.
        self.client = server.client(read_timeout=15)

    def run(self):
        deadline = time.monotonic() + self.cfg.max_load + 30
        for _ in range(self.cfg.max_ops_per_worker):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            try:
                self.one(self.client)
            except Exception as e:  # noqa: BLE001
                if self.kill_time[0] is None:
                    self.errors.append("request failed while the server was up: %s: %r"
                                       % (self.op_name, e))
                return

    def one(self, c):
        raise NotImplementedError


class Worker(LoadWorker):
    def key(self):
        return "k/%03d" % self.rng.randrange(self.cfg.keys)

    def one(self, c):
        r = self.rng.random()
        self.op_start = time.monotonic()
        if r < 0.10:
            self.op_name = "delete"
            key = self.key()
            v = self.model.begin(key, ABSENT, "delete")
            c.delete_object(Bucket=BUCKET, Key=key)
            Model.ack(v)
            self.counters.add("delete")
        elif r < 0.10 + self.cfg.multipart_share:
            self.op_name = "multipart"
            self.multipart(c)
        else:
            self.op_name = "put"
            key = self.key()
            size = pick_put_size(self.rng)
            seed = self.rng.getrandbits(64)
            data = body(seed, size)
            md5 = hashlib.md5(data).hexdigest()
            v = self.model.begin(key, (md5, size), "put %d B" % size)
            resp = c.put_object(Bucket=BUCKET, Key=key, Body=data)
            Model.ack(v)
            if resp["ETag"].strip('"') != md5:
                self.errors.append("PUT %s: ETag %s, want %s" % (key, resp["ETag"], md5))
            self.counters.add("put")

    def multipart(self, c):
        key = self.key()
        nfull = self.rng.randrange(1, self.cfg.max_full_parts + 1)
        sizes = [5 * MiB] * nfull + [self.rng.randrange(1, 200 * KiB)]
        started = upload_parts(c, BUCKET, key, sizes, self.rng, self.stop)
        if started is None:
            return
        uid, parts, md5 = started
        if self.rng.random() < 0.3:
            c.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid)
            with self.model.lock:
                self.model.finished_uploads[uid] = "aborted"
            self.counters.add("multipart-abort")
            return
        v = self.model.begin(key, (md5, sum(sizes)), "multipart %d parts" % len(sizes))
        c.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid,
                                    MultipartUpload={"Parts": parts})
        Model.ack(v)
        with self.model.lock:
            self.model.finished_uploads[uid] = "completed"
        self.counters.add("multipart-complete")


# ---------------------------------------------------------------- verify
def observe(c, key):
    """Returns ((md5, size) or ABSENT, etag) as the server serves it."""
    try:
        r = c.get_object(Bucket=BUCKET, Key=key)
    except ClientError as e:
        if e.response["Error"]["Code"] == "NoSuchKey":
            return ABSENT, None
        raise
    data = r["Body"].read()
    return (hashlib.md5(data).hexdigest(), len(data)), r["ETag"]


def list_current(c, bucket, problems):
    """ListObjectsV2 of the whole bucket (pages of 100, bounded): key ->
    (ETag as served, size). A failed request is added to `problems`."""
    listed = {}
    token = None
    for _ in range(1000):
        kw = {"Bucket": bucket, "MaxKeys": 100}
        if token:
            kw["ContinuationToken"] = token
        try:
            r = c.list_objects_v2(**kw)
        except Exception as e:  # noqa: BLE001
            problems.append("ListObjectsV2 failed: %r" % e)
            break
        for o in r.get("Contents", []):
            listed[o["Key"]] = (o["ETag"], o["Size"])
        if not r.get("IsTruncated"):
            break
        token = r["NextContinuationToken"]
    return listed


def verify(server, model, problems):
    """Checks every key; returns (observed states, checked write count)."""
    c = server.client(read_timeout=60)
    observed, etags = {}, {}
    checked = 0
    for key in sorted(model.keys):
        ok_states = model.acceptable(key)
        checked += sum(1 for v in model.writes.get(key, []) if v.ack is not None)
        try:
            state, etag = observe(c, key)
        except Exception as e:  # noqa: BLE001
            problems.append("GET %s failed: %r" % (key, e))
            continue
        observed[key] = state
        if state != ABSENT:
            etags[key] = (etag, state[1])
        if state not in ok_states:
            desc = "absent" if state == ABSENT else "%d B md5 %s" % (state[1], state[0])
            problems.append("%s: got %s; acceptable: %s" % (
                key, desc, ", ".join(sorted(set(ok_states.values())))))
    # The listing agrees with the GETs.
    listed = list_current(c, BUCKET, problems)
    for key in sorted(set(listed) | set(etags)):
        if listed.get(key) != etags.get(key):
            problems.append("listing disagrees with GET for %s: listed %s, GET %s"
                            % (key, listed.get(key), etags.get(key)))
    # Finished uploads stay finished; clean up the rest (bounded).
    try:
        r = c.list_multipart_uploads(Bucket=BUCKET)
        for u in r.get("Uploads", []):
            uid = u["UploadId"]
            if uid in model.finished_uploads:
                problems.append("upload %s of %s was acknowledged %s but is listed again"
                                % (uid, u["Key"], model.finished_uploads[uid]))
            try:
                c.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=uid)
            except ClientError as e:
                # The start-up settled every completion the kill cut short:
                # a listed upload is in progress, so it can be aborted.
                problems.append("upload %s of %s is listed but cannot be aborted: %s"
                                % (uid, u["Key"], e.response["Error"]["Code"]))
    except Exception as e:  # noqa: BLE001
        problems.append("ListMultipartUploads failed: %r" % e)
    return observed, checked


# ---------------------------------------------------------------- driver
def kill_round(server, makers, load, start_timeout):
    """One round's load, kill and restart: starts a worker thread from each
    of `makers` (called with the round's stop event, kill-time cell and
    error list), lets them run `load` seconds, SIGKILLs the server, joins
    them and restarts it. Returns (problems, seconds the restart took), or
    (problems, None) if it did not restart (the reason is the last problem)."""
    stop, kill_time, errors = threading.Event(), [None], []
    workers = [make(stop, kill_time, errors) for make in makers]
    for w in workers:
        w.start()
    time.sleep(load)
    kill_time[0] = time.monotonic()
    server.kill()
    stop.set()
    for w in workers:
        w.join(timeout=60)
    problems = list(errors)
    if any(w.is_alive() for w in workers):
        problems.append("a worker did not stop within 60 s of the kill")
    try:
        return problems, server.start(start_timeout)
    except RuntimeError as e:
        problems.append("restart: %s" % e)
        return problems, None


class Config:
    def __init__(self, rounds=50, seed=None, binary=None, workers=4,
                 max_seconds=3600.0, keys=48, min_load=0.2, max_load=1.5,
                 multipart_share=0.04, max_full_parts=2, max_ops_per_worker=2000,
                 start_timeout=30.0, keep=False, workdir=None, out=sys.stdout):
        self.rounds = rounds
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self.binary = binary or os.environ.get("CONFIANCE_BIN")
        self.workers = workers
        self.max_seconds = max_seconds
        self.keys = keys
        self.min_load, self.max_load = min_load, max_load
        self.multipart_share = multipart_share
        self.max_full_parts = max_full_parts
        self.max_ops_per_worker = max_ops_per_worker
        self.start_timeout = start_timeout
        self.keep = keep
        self.workdir = workdir
        self.out = out


class Summary:
    def __init__(self):
        self.rounds = 0
        self.passed = 0
        self.failed = 0
        self.acked_checked = 0
        self.keys_checked = 0
        self.restarts = 0
        self.max_restart = 0.0
        self.ops = {}
        self.failures = []       # (round, [problems])
        self.time_bounded = False
        self.seconds = 0.0
        self.workdir = None

    def ok(self):
        return self.failed == 0 and self.rounds > 0


def run(cfg):
    if not cfg.binary or not os.access(cfg.binary, os.X_OK):
        raise SystemExit("no confiance binary: pass --binary or set CONFIANCE_BIN")
    out = cfg.out
    summary = Summary()
    workdir = cfg.workdir or tempfile.mkdtemp(prefix="confiance-crash-")
    summary.workdir = workdir
    server = Server(cfg.binary, workdir)
    model = Model()
    counters = Counters()
    t_begin = time.monotonic()
    print("crash harness: seed %d, %d rounds, %d workers, workdir %s"
          % (cfg.seed, cfg.rounds, cfg.workers, workdir), file=out, flush=True)
    master = random.Random(cfg.seed)
    try:
        first = server.start(cfg.start_timeout)
        summary.max_restart = first
        server.client().create_bucket(Bucket=BUCKET)
        for rnd in range(1, cfg.rounds + 1):
            if time.monotonic() - t_begin > cfg.max_seconds:
                summary.time_bounded = True
                break
            load = master.uniform(cfg.min_load, cfg.max_load)
            before = dict(counters.ops)
            seeds = [master.getrandbits(64) for _ in range(cfg.workers)]
            problems, took = kill_round(
                server, [lambda stop, kill_time, errors, seed=seed:
                         Worker(cfg, server, model, counters, seed, stop, kill_time, errors) for seed in seeds],
                load, cfg.start_timeout)
            if took is None:
                summary.rounds += 1
                summary.failed += 1
                summary.failures.append((rnd, problems))
                print("round %d FAIL: %s" % (rnd, problems[-1]), file=out, flush=True)
                break  # the data dir cannot be served any more
            summary.restarts += 1
            summary.max_restart = max(summary.max_restart, took)
            observed, checked = verify(server, model, problems)
            summary.acked_checked += checked
            summary.keys_checked += len(model.keys)
            ops_round = {k: v - before.get(k, 0) for k, v in counters.ops.items()}
            nops = sum(ops_round.values())
            summary.rounds += 1
            if problems:
                summary.failed += 1
                summary.failures.append((rnd, problems))
            else:
                summary.passed += 1
            present = sum(1 for s in observed.values() if s != ABSENT)
            print("round %d %s: load %.2fs, %d acked ops (%s), %d acked writes checked, "
                  "%d keys (%d present), restart %.2fs%s"
                  % (rnd, "FAIL" if problems else "ok", load, nops,
                     " ".join("%s=%d" % kv for kv in sorted(ops_round.items())),
                     checked, len(model.keys), present, took,
                     "" if not problems else "\n    " + "\n    ".join(problems[:20])),
                  file=out, flush=True)
            model.new_round(observed)
    finally:
        server.kill()
    summary.ops = dict(counters.ops)
    summary.seconds = time.monotonic() - t_begin
    print("%d passed, %d failed" % (summary.passed, summary.failed), file=out)
    print("figures: rounds %d%s, acknowledged ops %d (%s), acknowledged writes checked "
          "after a crash %d, key checks %d, restarts %d, max restart-to-healthy %.2fs, "
          "total %.0fs, seed %d"
          % (summary.rounds,
             " (stopped by --max-seconds)" if summary.time_bounded else "",
             sum(summary.ops.values()),
             " ".join("%s=%d" % kv for kv in sorted(summary.ops.items())),
             summary.acked_checked, summary.keys_checked, summary.restarts,
             summary.max_restart, summary.seconds, cfg.seed), file=out, flush=True)
    if summary.ok() and not cfg.keep and cfg.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print("data dir and server log kept in %s" % workdir, file=out, flush=True)
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--binary", default=None, help="confiance binary (default $CONFIANCE_BIN)")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=3600.0,
                   help="overall time bound: no round starts after it")
    p.add_argument("--keys", type=int, default=48, help="size of the key space")
    p.add_argument("--min-load", type=float, default=0.2)
    p.add_argument("--max-load", type=float, default=1.5)
    p.add_argument("--start-timeout", type=float, default=30.0,
                   help="seconds a restart may take to become healthy")
    p.add_argument("--keep", action="store_true", help="keep the data dir and log")
    a = p.parse_args(argv)
    cfg = Config(rounds=a.rounds, seed=a.seed, binary=a.binary, workers=a.workers,
                 max_seconds=a.max_seconds, keys=a.keys, min_load=a.min_load,
                 max_load=a.max_load, start_timeout=a.start_timeout, keep=a.keep)
    s = run(cfg)
    return 0 if s.ok() else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Soak test (issue 4): mixed S3 traffic at 32 connections against the real
server for a bounded time, then checks that
  - no request got an unexpected answer: no 5xx at all, and 4xx only where
    the workload allows it (NoSuchKey on a key another thread deleted);
  - memory is flat after warm-up: the server's peak RSS (VmHWM) at the end
    is at most 5 % above its peak at the end of the warm-up. The peak, not
    the current RSS: freed memory goes back to the kernel by jemalloc's
    decay timers, so RSS moves up and down, and two single readings would
    compare arbitrary points of it; a leak or an unbounded cache raises the
    peaks. (The memtable's own blocks stay with the process: the thread
    that writes them has an arena that never purges, main/malloc_tuning.h;
    what it keeps is bounded by two memtables.) The warm-up first
    writes a burst of small objects with bench/s3load, several times
    RocksDB's memtable budget, so that memtables have been filled and
    flushed, and reads them back, so that the block cache is full (it grows
    to its capacity and stays there) before the measurement starts; then it
    runs the mixed traffic for --warmup seconds;
  - file descriptors are back to baseline once the clients have closed their
    connections: the same number of sockets as before the load, and no other
    descriptor beyond those of RocksDB's own files (SST/WAL, which come and
    go with compactions).
Prints one line of figures. Only 127.0.0.1 is used; every loop is bounded in
time and count.

Usage: soak.py [--seconds 300] [--warmup 60] [--connections 32]
Needs CONFIANCE_BIN, CONFIANCE_S3LOAD (bench/s3load), python3-boto3."""

import argparse
import os
import random
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from botocore.exceptions import ClientError  # noqa: E402

from conftest import Server  # noqa: E402

MAX_OPS_PER_THREAD = 10_000_000  # the time bound stops the loop first
KEYS = 400
BURST_KEYS = 12000  # x 16 KiB: 192 MB, several times the memtables and the block cache


def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no " + field)


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def peak_kib(pid):
    """The largest RSS the process has had (kernel-tracked, not sampled)."""
    return status_kib(pid, "VmHWM")


def fds(pid, data_dir):
    """(sockets, RocksDB files, other descriptors) of the process."""
    sockets = rocks = other = 0
    meta = os.path.join(data_dir, "meta")
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:"):
            sockets += 1
        elif target.startswith(meta):
            rocks += 1
        else:
            other += 1
    return sockets, rocks, other


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.unexpected = []

    def ok(self):
        with self.lock:
            self.ops += 1

    def bad(self, what):
        with self.lock:
            self.ops += 1
            if len(self.unexpected) < 50:
                self.unexpected.append(what)


def worker(srv, bucket, seed, deadline, stats):
    rng = random.Random(seed)
    c = srv.client(connect_timeout=10, read_timeout=60)
    for _ in range(MAX_OPS_PER_THREAD):
        if time.monotonic() >= deadline:
            return
        key = "k%03d" % rng.randrange(KEYS)
        r = rng.random()
        try:
            if r < 0.30:
                size = rng.choice((0, 100, 4096, 65536, 300_000))
                c.put_object(Bucket=bucket, Key=key, Body=rng.randbytes(size))
            elif r < 0.65:
                if rng.random() < 0.3:
                    c.get_object(Bucket=bucket, Key=key, Range="bytes=0-99")["Body"].read()
                else:
                    c.get_object(Bucket=bucket, Key=key)["Body"].read()
            elif r < 0.75:
                c.head_object(Bucket=bucket, Key=key)
            elif r < 0.85:
                c.delete_object(Bucket=bucket, Key=key)
            elif r < 0.95:
                c.list_objects_v2(Bucket=bucket, Prefix="k0", MaxKeys=100)
            else:
                c.copy_object(Bucket=bucket, Key="copy-" + key, CopySource={"Bucket": bucket, "Key": key})
            stats.ok()
        except ClientError as e:
            status = e.response["ResponseMetadata"].get("HTTPStatusCode", 0)
            code = e.response.get("Error", {}).get("Code", "")
            # A key another thread deleted: 404 NoSuchKey (HEAD has no body);
            # a range of an empty object: 416 InvalidRange.
            if (status == 404 and code in ("NoSuchKey", "404")) or (status == 416 and code == "InvalidRange"):
                stats.ok()
            else:
                stats.bad("%s %s: %s %s" % (e.operation_name, key, status, code))
        except Exception as e:  # noqa: BLE001 connection errors are failures too
            stats.bad("%s: %r" % (key, e))


def run_phase(srv, bucket, seconds, connections, stats, seed, samples=None):
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=worker, args=(srv, bucket, seed * 1000 + i, deadline, stats))
               for i in range(connections)]
    for t in threads:
        t.start()
    while samples is not None and time.monotonic() < deadline:
        samples.append((round(seconds - (deadline - time.monotonic())), rss_kib(srv.pid)))
        time.sleep(min(5, max(0.1, deadline - time.monotonic())))
    for t in threads:
        t.join(timeout=seconds + 120)
        assert not t.is_alive(), "a worker did not stop"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("CONFIANCE_SOAK_SECONDS", "300")))
    ap.add_argument("--warmup", type=float, default=60)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--server-arg", action="append", default=[], help="extra server flag (repeatable)")
    args = ap.parse_args()
    workdir = os.environ.get("CONFIANCE_SOAK_DIR") or os.path.join("/tmp", "confiance-soak-%d" % os.getpid())
    os.makedirs(workdir, exist_ok=True)
    srv = Server(workdir, extra_args=args.server_arg)
    srv.start()
    try:
        pid = srv.pid
        bucket = "soak"
        srv.client().create_bucket(Bucket=bucket)
        time.sleep(0.5)
        base_fds = fds(pid, srv.data_dir)
        # Metadata burst: 16 KiB objects are stored inline, in RocksDB.
        # Request i writes key i % BURST_KEYS.
        load = [os.environ["CONFIANCE_S3LOAD"], "--port", str(srv.port), "--access-key", srv.access_key,
                "--secret-key", srv.secret_key, "--bucket", "burst", "--size", "16384", "--connections", "16"]
        burst = subprocess.run(load + ["--op", "put", "--setup", "--keys", str(BURST_KEYS), "--requests", "40000",
                                       "--max-seconds", "60"], capture_output=True, text=True, timeout=180)
        assert burst.returncode == 0, burst
        print("warm-up burst:", burst.stdout.strip())
        # Then read those objects back: all but the newest (still in the
        # memtables) come from table files through the block cache, so the
        # cache (64 MiB, always filled to its capacity) is full before the
        # measurement.
        written = int(burst.stdout.split("requests=")[1].split()[0])
        keys = min(written, BURST_KEYS) - 100  # the last ones may not have completed
        assert keys > 1000, burst.stdout
        fill = subprocess.run(load + ["--op", "get", "--keys", str(keys), "--requests", str(keys),
                                      "--max-seconds", "90"], capture_output=True, text=True, timeout=180)
        assert fill.returncode == 0, fill
        print("warm-up cache fill:", fill.stdout.strip())
        stats = Stats()
        run_phase(srv, bucket, args.warmup, args.connections, stats, 1)
        rss_warm = rss_kib(pid)
        peak_warm = peak_kib(pid)
        t0 = time.monotonic()
        samples = []
        run_phase(srv, bucket, args.seconds - args.warmup, args.connections, stats, 2, samples)
        print("RSS samples (s, KiB):", samples)
        elapsed = time.monotonic() - t0
        rss_end = rss_kib(pid)
        peak_end = peak_kib(pid)
        # Clients are gone: give the server a moment to see the closes.
        end_fds = fds(pid, srv.data_dir)
        for _ in range(50):
            if end_fds[0] <= base_fds[0] and end_fds[2] <= base_fds[2]:
                break
            time.sleep(0.1)
            end_fds = fds(pid, srv.data_dir)
        growth = (peak_end - peak_warm) / peak_warm
        print("soak: %d ops in %.0f s (%d connections), %d unexpected; peak RSS after warm-up %d KiB, at end %d KiB "
              "(%+.1f %%); RSS after warm-up %d KiB, at end %d KiB, lowest/highest sample %d/%d KiB; "
              "fds sockets/rocksdb/other before %s after %s"
              % (stats.ops, args.seconds, args.connections, len(stats.unexpected), peak_warm, peak_end,
                 100 * growth, rss_warm, rss_end, min(s[1] for s in samples), max(s[1] for s in samples),
                 base_fds, end_fds))
        problems = []
        if stats.unexpected:
            problems.append("unexpected answers: %r" % stats.unexpected[:10])
        if growth > 0.05:
            problems.append("peak RSS grew %.1f %% after warm-up" % (100 * growth))
        if end_fds[0] > base_fds[0] or end_fds[2] > base_fds[2]:
            problems.append("descriptors not back to baseline: %s -> %s" % (base_fds, end_fds))
        if stats.ops < 1000:
            problems.append("too little traffic to mean anything (%d ops)" % stats.ops)
        del elapsed
        srv.stop_clean()
        if problems:
            print("FAIL:\n  " + "\n  ".join(problems))
            return 1
        print("OK")
        return 0
    finally:
        if srv.alive():
            srv.kill()


if __name__ == "__main__":
    sys.exit(main())

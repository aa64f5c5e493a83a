"""`aws s3 cp` of a 2 GiB file up and down (aws-cli switches to multipart
by itself), byte-identical (sha256), while the server's RSS is sampled from
/proc/PID/status every 0.2 s: peak VmRSS (and VmHWM) must stay under
200 MiB. CONFIANCE_E2E_LARGE_BYTES overrides the size for quick local
runs."""

import hashlib
import os
import threading
import time


from s3util import multipart_etag, sha256_file, unique_bucket

MiB = 1024 * 1024
SIZE = int(os.environ.get("CONFIANCE_E2E_LARGE_BYTES", 2 * 1024 * MiB))
RSS_LIMIT = 200 * MiB
CLI_CHUNK = 8 * MiB      # aws-cli default multipart_chunksize


class RssSampler(threading.Thread):
    def __init__(self, pid, period=0.2, max_seconds=1800):
        super().__init__(daemon=True)
        self.pid = pid
        self.period = period
        self.max_seconds = max_seconds
        self.stop_ev = threading.Event()
        self.max_rss = 0
        self.samples = 0
        self.errors = 0

    def read(self, field):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self):
        deadline = time.monotonic() + self.max_seconds
        while not self.stop_ev.is_set() and time.monotonic() < deadline:
            try:
                self.max_rss = max(self.max_rss, self.read("VmRSS"))
                self.samples += 1
            except OSError:
                self.errors += 1
            self.stop_ev.wait(self.period)

    def stop(self):
        self.stop_ev.set()
        self.join(10)


def _generator():
    """Fast pseudo-random bytes: AES-CTR keystream if available."""
    try:
        from cryptography.hazmat.primitives.ciphers import (Cipher,
                                                            algorithms, modes)
        enc = Cipher(algorithms.AES(os.urandom(32)),
                     modes.CTR(os.urandom(16))).encryptor()
        zeros = bytes(8 * MiB)
        return lambda n: enc.update(zeros[:n])
    except ImportError:
        return os.urandom


def make_file(path, size):
    gen = _generator()
    sha = hashlib.sha256()
    part_md5s = []
    left = size
    with open(path, "wb") as f:
        while left:
            n = min(CLI_CHUNK, left)
            blk = gen(n)
            f.write(blk)
            sha.update(blk)
            part_md5s.append(hashlib.md5(blk).hexdigest())
            left -= n
    return sha.hexdigest(), part_md5s


def test_aws_cp_2gib_up_and_down_bounded_rss(server, tmp_path):
    src = tmp_path / "big.src"
    dst = tmp_path / "big.dst"
    b = unique_bucket("large")
    t0 = time.monotonic()
    want_sha, part_md5s = make_file(src, SIZE)
    t_gen = time.monotonic() - t0
    server.aws("s3", "mb", "s3://" + b)

    sampler = RssSampler(server.pid)
    sampler.start()
    try:
        t0 = time.monotonic()
        server.aws("s3", "cp", str(src), "s3://%s/big" % b, "--only-show-errors",
                   timeout=1800)
        t_up = time.monotonic() - t0
        peak_up = sampler.max_rss
        c = server.client()
        h = c.head_object(Bucket=b, Key="big")
        assert h["ContentLength"] == SIZE
        if SIZE > CLI_CHUNK:
            assert h["ETag"] == multipart_etag(part_md5s)

        t0 = time.monotonic()
        server.aws("s3", "cp", "s3://%s/big" % b, str(dst), "--only-show-errors",
                   timeout=1800)
        t_down = time.monotonic() - t0

        # A ranged read deep inside the object.
        off = SIZE // 2 + 12345
        g = c.get_object(Bucket=b, Key="big", Range="bytes=%d-%d" % (
            off, off + 99_999))
        chunk = g["Body"].read()
        with open(src, "rb") as f:
            f.seek(off)
            assert chunk == f.read(100_000)
    finally:
        sampler.stop()
    hwm = sampler.read("VmHWM")
    print("size %d MiB: gen %.1fs up %.1fs down %.1fs; max VmRSS %.1f MiB "
          "(upload %.1f MiB), VmHWM %.1f MiB, %d samples" % (
              SIZE // MiB, t_gen, t_up, t_down, sampler.max_rss / MiB,
              peak_up / MiB, hwm / MiB, sampler.samples))
    assert os.path.getsize(dst) == SIZE
    got_sha = sha256_file(dst)
    os.unlink(dst)
    os.unlink(src)
    assert got_sha == want_sha, "downloaded file differs"
    assert sampler.samples > 10
    assert sampler.max_rss < RSS_LIMIT, \
        "server max VmRSS %.1f MiB >= 200 MiB" % (sampler.max_rss / MiB)
    assert hwm < RSS_LIMIT, "server VmHWM %.1f MiB >= 200 MiB" % (hwm / MiB)
    server.aws("s3", "rm", "s3://%s/big" % b)
    server.aws("s3", "rb", "s3://" + b)

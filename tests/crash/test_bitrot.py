"""Bitrot, end to end: a flipped byte in a blob file is detected, never
served, logged, and found by `confiance admin scrub`.

A large object (stored as a blob) and a small one (inline in RocksDB) are
written; the server is stopped; one byte of the large object's blob file is
flipped; after a restart:
  - GET of the damaged object is HTTP 500 InternalError whose message names
    the integrity failure, and the server log names the damaged object;
  - the other objects are still served byte-identical;
  - `confiance admin scrub` (server stopped) reports exactly the damaged
    object and exits 1; before the damage it reported nothing and exited 0.
Inline values cannot be edited in RocksDB by hand: their corruption is
covered by src/catalog/scrub_test.cc and object_data_test.cc.
"""

import hashlib
import os
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import crash_harness as h  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

BUCKET = "rot"


def binary():
    b = os.environ.get("CONFIANCE_BIN")
    if not b or not os.access(b, os.X_OK):
        pytest.fail("CONFIANCE_BIN must name the confiance binary")
    return b


def blob_files(data_dir):
    out = []
    root = os.path.join(data_dir, "blobs")
    for d in sorted(os.listdir(root)):
        p = os.path.join(root, d)
        if d == "tmp" or not os.path.isdir(p):
            continue
        out += [os.path.join(p, f) for f in sorted(os.listdir(p))]
    return out


def scrub(data_dir):
    return subprocess.run([binary(), "admin", "scrub", "--data", data_dir],
                          capture_output=True, text=True, timeout=120)


def test_flipped_blob_byte_is_refused_logged_and_scrubbed():
    work = tempfile.mkdtemp(prefix="confiance-bitrot-")
    srv = h.Server(binary(), work)
    srv.start(30)
    try:
        c = srv.client()
        c.create_bucket(Bucket=BUCKET)
        big = h.body(1, 300 * 1024)       # 5 packages: a blob
        big2 = h.body(2, 200 * 1024)      # another blob, left intact
        small = h.body(3, 3000)           # inline
        c.put_object(Bucket=BUCKET, Key="big", Body=big)
        c.put_object(Bucket=BUCKET, Key="dir/big2", Body=big2)
        c.put_object(Bucket=BUCKET, Key="small", Body=small)
        before = set(blob_files(srv.data_dir))
        assert len(before) == 2, before
        c.delete_object(Bucket=BUCKET, Key="dir/big2")
        c.put_object(Bucket=BUCKET, Key="dir/big2", Body=big2)
        after = set(blob_files(srv.data_dir))
    finally:
        assert srv.stop() == 0
    # The blob of "big" is the one that has not changed.
    old = before & after
    assert len(old) == 1, (before, after)
    victim = old.pop()

    r = scrub(srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 damaged" in r.stdout, r.stdout

    with open(victim, "r+b") as f:      # inside the first package
        f.seek(1000)
        b = f.read(1)
        f.seek(1000)
        f.write(bytes([b[0] ^ 0x04]))

    srv.start(30)
    try:
        c = srv.client()
        with pytest.raises(ClientError) as e:
            c.get_object(Bucket=BUCKET, Key="big")["Body"].read()
        err = e.value.response
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert err["Error"]["Code"] == "InternalError"
        assert "integrity" in err["Error"]["Message"], err["Error"]
        # A range inside an intact package of the same object is fine; one
        # touching the damaged package is refused.
        with pytest.raises(ClientError):
            c.get_object(Bucket=BUCKET, Key="big", Range="bytes=0-99")["Body"].read()
        part = c.get_object(Bucket=BUCKET, Key="big", Range="bytes=131072-140000")["Body"].read()
        assert part == big[131072:140001]
        for key, want in (("small", small), ("dir/big2", big2)):
            got = c.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            assert hashlib.sha256(got).digest() == hashlib.sha256(want).digest(), key
    finally:
        assert srv.stop() == 0
    with open(srv.log_path, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    assert any("big" in line and ("DATA_LOSS" in line.upper() or "authent" in line.lower()
                                  or "integrity" in line.lower())
               for line in log.splitlines()), log[-3000:]

    r = scrub(srv.data_dir)
    assert r.returncode == 1, r.stdout + r.stderr
    damaged = [l for l in r.stdout.splitlines() if l.startswith("DAMAGED")]
    assert len(damaged) == 1, r.stdout
    assert "bucket=rot key=big " in damaged[0], damaged
    assert "authentication-failure" in damaged[0], damaged
    assert "1 damaged" in r.stdout, r.stdout

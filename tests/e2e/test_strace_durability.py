"""Durability of the real binary, seen from the kernel (issue 4): the server
runs under `strace -f -tt -e trace=desc,file,network,io_submit`; each mutating S3
operation is sent alone, and for each, in the system calls between reading
its request line and writing its response status line:

- every data-dir file written (blob temp file, RocksDB WAL, ...) was
  fsync'd or fdatasync'd after its last write;
- every directory entry created (O_CREAT, mkdir) or renamed into place,
  and still there, had its parent directory fsync'd afterwards (a new
  fan-out directory included, hence its parent);
- the RocksDB WAL (meta/*.log) was written and synced: every operation
  commits metadata;
- large bodies: a blob file was renamed into blobs/XX/ and made durable.

`network` is traced too: Asio answers with sendmsg. The parser
(strace_check.py) follows fds through openat/close/dup and paths through
rename/mkdir/unlink. To see the per-operation summary:
  CONFIANCE_BIN=build/src/main/confiance python3 -m pytest -s -q \
      tests/e2e/test_strace_durability.py
"""

import base64
import copy
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import strace_check
from s3util import canonical_query, object_path

STRACE = shutil.which("strace", path="/usr/bin:/bin")
BUCKET = "strace-bucket"
SMALL = b"small inline object\n" * 50          # 1 KB: inline in RocksDB
LARGE = os.urandom(3 << 20)                     # 3 MiB: a blob file
PART1 = os.urandom(5 << 20)
PART2 = b"last part" * 100

pytestmark = pytest.mark.skipif(STRACE is None, reason="strace not installed "
                                "(scripts/install-deps.sh installs it)")


def target_of(path, query):
    items = list(query.items()) if query else []
    return path + ("?" + canonical_query(items) if items else "")


class Ops:
    """Sends each operation alone and remembers its request target."""

    def __init__(self, srv):
        self.srv = srv
        self.done = []  # (label, method, target, expected status, kind)

    def run(self, label, method, path, query=None, headers=None, body=b"",
                expect=200, kind=None):
        r = self.srv.request(method, path, query=query, headers=headers,
                             body=body)
        assert r.status == expect, "%s: %r" % (label, r)
        self.done.append((label, method, target_of(path, query), expect, kind))
        return r


def server_pid_under(strace_pid):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/task/%d/children" % (strace_pid, strace_pid)) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("no server process under strace")


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """Runs every operation under strace, stops the server, parses."""
    from conftest import Server
    work = str(tmp_path_factory.mktemp("strace"))
    log = os.path.join(work, "strace.log")
    srv = Server(work)
    srv.data_dir = os.path.realpath(srv.data_dir)
    srv.wrapper = [STRACE, "-f", "-tt", "-s", "96", "-e",
                   "trace=desc,file,network,io_submit", "-o", log]
    srv.start()
    ops = Ops(srv)
    try:
        b = "/" + BUCKET
        ops.run("CreateBucket", "PUT", b)
        ops.run("PutObject inline", "PUT", object_path(BUCKET, "small"),
                body=SMALL, kind="inline")
        ops.run("PutObject large", "PUT", object_path(BUCKET, "large"),
                body=LARGE, kind="blob")
        ops.run("PutObject overwrite", "PUT", object_path(BUCKET, "large"),
                body=LARGE[::-1], kind="blob")
        ops.run("CopyObject large", "PUT", object_path(BUCKET, "copy-large"),
                headers={"x-amz-copy-source": "/%s/large" % BUCKET},
                kind="blob")
        ops.run("CopyObject inline", "PUT", object_path(BUCKET, "copy-small"),
                headers={"x-amz-copy-source": "/%s/small" % BUCKET})
        ops.run("PutObjectAcl", "PUT", object_path(BUCKET, "small"),
                query={"acl": ""}, headers={"x-amz-acl": "public-read"})
        tagging = (b'<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>'
                   b'</TagSet></Tagging>')
        ops.run("PutObjectTagging", "PUT", object_path(BUCKET, "small"),
                query={"tagging": ""}, body=tagging)
        ops.run("PutBucketTagging", "PUT", b, query={"tagging": ""},
                body=tagging, expect=204)
        ops.run("PutBucketAcl", "PUT", b, query={"acl": ""},
                headers={"x-amz-acl": "private"})
        r = ops.run("CreateMultipartUpload", "POST",
                    object_path(BUCKET, "mp"), query={"uploads": ""})
        up = re.search(rb"<UploadId>([^<]+)</UploadId>", r.body).group(1)
        up = up.decode()
        etags = []
        for n, part in ((1, PART1), (2, PART2)):
            r = ops.run("UploadPart %d" % n, "PUT", object_path(BUCKET, "mp"),
                        query={"partNumber": str(n), "uploadId": up},
                        body=part, kind="blob" if n == 1 else "inline")
            etags.append(r.header("ETag"))
        done = "".join("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>"
                       % (i + 1, e) for i, e in enumerate(etags))
        ops.run("CompleteMultipartUpload", "POST", object_path(BUCKET, "mp"),
                query={"uploadId": up},
                body=("<CompleteMultipartUpload>%s</CompleteMultipartUpload>"
                      % done).encode())
        r = ops.run("CreateMultipartUpload 2", "POST",
                    object_path(BUCKET, "mp2"), query={"uploads": ""})
        up2 = re.search(rb"<UploadId>([^<]+)</UploadId>", r.body).group(1)
        up2 = up2.decode()
        ops.run("UploadPart for abort", "PUT", object_path(BUCKET, "mp2"),
                query={"partNumber": "1", "uploadId": up2}, body=PART2,
                kind="inline")
        ops.run("AbortMultipartUpload", "DELETE", object_path(BUCKET, "mp2"),
                query={"uploadId": up2}, expect=204)
        for key in ("small", "large", "copy-large", "copy-small", "mp"):
            ops.run("DeleteObject %s" % key, "DELETE",
                    object_path(BUCKET, key), expect=204)
        # DeleteObjects commits each key without a sync of its own when the
        # response's log entry syncs after them: the WAL must still be
        # synced after its last write.
        ops.run("PutObject bulk-small", "PUT", object_path(BUCKET, "bulk-small"),
                body=SMALL, kind="inline")
        ops.run("PutObject bulk-large", "PUT", object_path(BUCKET, "bulk-large"),
                body=LARGE, kind="blob")
        bulk = (b"<Delete><Object><Key>bulk-small</Key></Object>"
                b"<Object><Key>bulk-large</Key></Object></Delete>")
        ops.run("DeleteObjects", "POST", b, query={"delete": ""}, body=bulk,
                headers={"Content-MD5": base64.b64encode(
                    hashlib.md5(bulk).digest()).decode()})
        ops.run("DeleteBucket", "DELETE", b, expect=204)
    finally:
        # SIGTERM to strace would only detach it: stop the server itself.
        if srv.proc.poll() is None:
            os.kill(server_pid_under(srv.proc.pid), signal.SIGTERM)
            try:
                srv.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                srv.proc.kill()
                srv.proc.wait()
        srv._close_log()
    events = strace_check.parse(log)
    assert len(events) > 1000, "trace too short: %d calls" % len(events)
    yield srv, ops.done, events
    shutil.rmtree(work, ignore_errors=True)


def labels():
    # The operation list, for parametrisation (the fixture runs them all).
    return ["CreateBucket", "PutObject inline", "PutObject large",
            "PutObject overwrite", "CopyObject large", "CopyObject inline",
            "PutObjectAcl", "PutObjectTagging", "PutBucketTagging",
            "PutBucketAcl", "CreateMultipartUpload", "UploadPart 1",
            "UploadPart 2", "CompleteMultipartUpload",
            "CreateMultipartUpload 2", "UploadPart for abort",
            "AbortMultipartUpload", "DeleteObject small",
            "DeleteObject large", "DeleteObject copy-large",
            "DeleteObject copy-small", "DeleteObject mp",
            "PutObject bulk-small", "PutObject bulk-large", "DeleteObjects",
            "DeleteBucket"]


@pytest.mark.parametrize("label", labels())
def test_synced_before_response(traced, label):
    srv, done, events = traced
    match = [d for d in done if d[0] == label]
    assert match, "operation %s did not run" % label
    _, method, target, expect, kind = match[0]
    start, resp = strace_check.request_window(events, method, target)
    rep = strace_check.Report(events, start, resp, srv.data_dir)
    print("\n%s: %s" % (label, rep.summary()))
    assert rep.status == expect
    assert not rep.violations, "\n".join(rep.violations)
    assert rep.wal_synced, "%s: no synced RocksDB WAL write before the " \
        "response" % label
    if kind == "blob":
        blobs = [p for p in rep.published
                 if re.search(r"/blobs/[0-9a-f]{2}/[0-9a-f]+$", p)]
        assert blobs, "%s: no blob renamed into place durably" % label
        assert any("/blobs/tmp/" in p for p in rep.synced_files), \
            "%s: blob temp file not synced" % label


def test_checker_catches_a_missing_sync(traced):
    """The checker itself can fail: drop the fdatasync calls of one large
    PUT from the trace and it must report the blob file and the WAL."""
    srv, done, events = traced
    _, method, target, _, _ = [d for d in done if d[0] == "PutObject large"][0]
    start, resp = strace_check.request_window(events, method, target)
    kept = [copy.copy(e) for e in events
            if not (start.index < e.index < resp.index and
                    e.name in ("fdatasync", "fsync") and
                    e.path and "/blobs/" in e.path)]
    for i, e in enumerate(kept):
        e.index = i
    start, resp = strace_check.request_window(kept, method, target)
    rep = strace_check.Report(kept, start, resp, srv.data_dir)
    assert any("/blobs/tmp/" in v for v in rep.violations), rep.violations
    assert any("directory" in v for v in rep.violations), rep.violations

"""Disk full (issue 4), on a 64 MiB tmpfs mounted by the test (root only;
skipped with the reason otherwise):

- a PUT that does not fit gets 507 InsufficientStorage (the code is the
  RFC 4918 reason phrase; AWS has none, MinIO says XMinioStorageFull),
  whether refused up front (Content-Length) or mid-stream (chunked, no
  length): no partial object is visible and the temp file is gone at
  once (its space is back before the response);
- the server keeps a space reserve (--space-reserve, default 5 % of the
  disk): new data stops at it, so that RocksDB's WAL always has room and
  DELETE and AbortMultipartUpload still succeed on the full disk;
- inline PUTs, CopyObject and UploadPart are refused too;
- once space is freed, writes resume by themselves, without a restart,
  and every object written before reads back byte-identical.
"""

import hashlib
import os
import select
import socket
import subprocess
import tempfile
import time

import pytest

from s3util import object_path, parse_error, sign_headers

MIB = 1 << 20
FS_SIZE = 64 * MIB


def available(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def temp_files(srv):
    d = os.path.join(srv.data_dir, "blobs", "tmp")
    return os.listdir(d) if os.path.isdir(d) else []


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a 64 MiB tmpfs")
    mnt = tempfile.mkdtemp(prefix="confiance-diskfull-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % FS_SIZE,
                        "tmpfs", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(mnt)
        pytest.skip("cannot mount a tmpfs (%s): %s" % (r.returncode,
                                                       r.stderr.strip()))
    yield mnt
    subprocess.run(["umount", "-l", mnt], check=False)
    os.rmdir(mnt)


def put(srv, bucket, key, body):
    return srv.request("PUT", object_path(bucket, key), body=body,
                       payload="unsigned")


def chunked_put_until_answer(srv, bucket, key, total, piece=256 * 1024):
    """PUT `total` bytes with Transfer-Encoding: chunked (no length known in
    advance), stopping as soon as the server answers; returns (status,
    body, bytes sent)."""
    path = object_path(bucket, key)
    h = {"Host": srv.hostport, "Transfer-Encoding": "chunked"}
    h = sign_headers("PUT", path, None, h, "UNSIGNED-PAYLOAD", srv.access_key,
                     srv.secret_key).headers
    head = ["PUT %s HTTP/1.1" % path] + ["%s: %s" % kv for kv in h.items()]
    data = os.urandom(piece)
    sent = 0
    with socket.create_connection((srv.host, srv.port), 10) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        while sent < total:
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(data)
        if sent >= total:
            s.sendall(b"0\r\n\r\n")
        s.settimeout(30)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                d = s.recv(65536)
                if not d:
                    break
                buf += d
            head_, _, rest = buf.partition(b"\r\n\r\n")
            n = 0
            for line in head_.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            while len(rest) < n:
                d = s.recv(65536)
                if not d:
                    break
                rest += d
        except ConnectionResetError:
            raise AssertionError("connection reset without an answer after "
                                 "%d bytes" % sent)
    status = int(buf.split(b" ")[1]) if buf.startswith(b"HTTP/1.1") else None
    return status, rest, sent


def assert_storage_full(r, what):
    assert r.status == 507, "%s: %r" % (what, r)
    assert r.error_code() == "InsufficientStorage", "%s: %r" % (what, r)


def test_disk_full(small_disk, server_factory):
    srv = server_factory(start=False)
    srv.data_dir = os.path.join(small_disk, "data")
    srv.start()
    s3 = srv.client()
    s3.create_bucket(Bucket="full")
    # An upload started before the disk fills, with one part.
    up = s3.create_multipart_upload(Bucket="full", Key="mp")["UploadId"]
    s3.upload_part(Bucket="full", Key="mp", UploadId=up, PartNumber=1,
                   Body=os.urandom(MIB))
    written = {}
    for i in range(20):
        body = os.urandom(MIB)
        r = put(srv, "full", "obj-%03d" % i, body)
        assert r.status == 200, r
        written["obj-%03d" % i] = hashlib.md5(body).hexdigest()

    # 1. A body larger than the disk, length unknown: refused mid-stream.
    before = available(small_disk)
    status, body, sent = chunked_put_until_answer(srv, "full", "huge",
                                                  100 * MIB)
    after = available(small_disk)
    print("\nchunked PUT: %d MiB sent, answer %s %r; available %.1f MiB "
          "before, %.1f MiB after" % (sent >> 20, status,
                                      parse_error(body).get("Code"),
                                      before / MIB, after / MIB))
    assert status == 507, body
    assert parse_error(body).get("Code") == "InsufficientStorage"
    assert sent >= (before >> 20) * MIB // 2, \
        "refused before writing much: %d bytes" % sent
    assert temp_files(srv) == [], "temp file kept: %r" % temp_files(srv)
    # Space freed at once (before the answer), give or take a few pages of
    # metadata.
    assert after >= before - MIB, (before, after)
    assert srv.request("HEAD", object_path("full", "huge")).status == 404

    # 2. Fill to the reserve with 1 MiB PUTs (Content-Length: refused up
    # front once they no longer fit).
    n_ok = 0
    for i in range(20, 120):
        body = os.urandom(MIB)
        r = put(srv, "full", "obj-%03d" % i, body)
        if r.status != 200:
            assert_storage_full(r, "PUT obj-%03d" % i)
            failed_key = "obj-%03d" % i
            break
        written["obj-%03d" % i] = hashlib.md5(body).hexdigest()
        n_ok += 1
    else:
        raise AssertionError("the 64 MiB disk never filled")
    # Then smaller ones: the disk counts as full once less than 1 MiB is
    # left above the reserve, whatever the write's size.
    for i in range(20):
        body = os.urandom(100 * 1024)
        r = put(srv, "full", "small-%03d" % i, body)
        if r.status != 200:
            assert_storage_full(r, "PUT small-%03d" % i)
            break
        written["small-%03d" % i] = hashlib.md5(body).hexdigest()
    else:
        raise AssertionError("100 KiB PUTs still accepted past the reserve")
    reserve_left = available(small_disk)
    print("filled: %d objects, %.2f MiB left (the reserve)" %
          (len(written), reserve_left / MIB))
    assert temp_files(srv) == []
    assert srv.request("HEAD", object_path("full", failed_key)).status == 404
    keys = [o["Key"] for o in
            s3.list_objects_v2(Bucket="full", MaxKeys=1000).get("Contents", [])]
    assert sorted(keys) == sorted(written), "listing differs from writes"

    # 3. Every kind of new data is refused cleanly on the full disk.
    assert_storage_full(put(srv, "full", "inline", b"x" * 1000), "inline PUT")
    r = srv.request("PUT", object_path("full", "copy"),
                    headers={"x-amz-copy-source": "/full/obj-000"})
    assert_storage_full(r, "CopyObject")
    r = srv.request("PUT", object_path("full", "mp"),
                    query={"partNumber": "2", "uploadId": up},
                    body=os.urandom(MIB), payload="unsigned")
    assert_storage_full(r, "UploadPart")
    assert temp_files(srv) == []

    # 4. DELETE and AbortMultipartUpload still work on the full disk.
    r = srv.request("DELETE", object_path("full", "mp"),
                    query={"uploadId": up})
    assert r.status == 204, r
    deleted = sorted(written)[:8]
    for key in deleted:
        r = srv.request("DELETE", object_path("full", key))
        assert r.status == 204, r
        del written[key]

    # 5. Writes resume by themselves once the space is back (the blobs of
    # deleted objects are removed just after each 204).
    t0 = time.monotonic()
    resumed = None
    while time.monotonic() - t0 < 10:
        body = os.urandom(MIB)
        r = put(srv, "full", "after", body)
        if r.status == 200:
            resumed = time.monotonic() - t0
            written["after"] = hashlib.md5(body).hexdigest()
            break
        assert_storage_full(r, "PUT after deletes")
        time.sleep(0.2)
    assert resumed is not None, "writes did not resume after freeing space"
    print("writes resumed %.2f s after the deletes, without a restart; "
          "available %.1f MiB" % (resumed, available(small_disk) / MIB))
    for key, md5 in sorted(written.items()):
        got = s3.get_object(Bucket="full", Key=key)["Body"].read()
        assert hashlib.md5(got).hexdigest() == md5, key
    assert srv.alive()

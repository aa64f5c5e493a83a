"""Object operations: PutObject / GetObject / HeadObject / DeleteObject with
boto3 and raw signed requests. Ranges (every form, 416), metadata and
standard headers, Content-MD5 (BadDigest / InvalidDigest), overwrite
(last writer wins, never torn), empty objects, awkward keys."""

import base64
import hashlib
import os
import random
import threading
import time

import pytest
from botocore.exceptions import ClientError

from s3util import (assert_s3_error, client_error, md5_hex, object_path,
                    unique_bucket)


def rnd(n, seed=1):
    return random.Random(seed).randbytes(n)


def test_put_get_roundtrip_etag(server, s3, bucket):
    for size in (1, 100, 4096, 65535, 65536, 65537, 200_000, 3 * 1024 * 1024 + 7):
        data = rnd(size, size)
        key = "obj-%d" % size
        r = s3.put_object(Bucket=bucket, Key=key, Body=data)
        assert r["ETag"] == '"%s"' % md5_hex(data), (size, r["ETag"])
        g = s3.get_object(Bucket=bucket, Key=key)
        body = g["Body"].read()
        assert len(body) == size
        assert body == data, "content mismatch for size %d" % size
        assert g["ETag"] == '"%s"' % md5_hex(data)
        assert g["ContentLength"] == size
        h = s3.head_object(Bucket=bucket, Key=key)
        assert h["ContentLength"] == size
        assert h["ETag"] == '"%s"' % md5_hex(data)
        assert h["LastModified"] is not None


def test_empty_object(server, s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert r["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    g = s3.get_object(Bucket=bucket, Key="empty")
    assert g["Body"].read() == b""
    assert g["ContentLength"] == 0
    h = s3.head_object(Bucket=bucket, Key="empty")
    assert h["ContentLength"] == 0
    assert h["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    lst = s3.list_objects_v2(Bucket=bucket, Prefix="empty")
    assert [(o["Key"], o["Size"]) for o in lst["Contents"]] == [("empty", 0)]


def test_get_missing_key(server, s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="nope")
    assert client_error(ei) == (404, "NoSuchKey")
    r = server.request("GET", object_path(bucket, "nope"))
    err = assert_s3_error(r, 404, "NoSuchKey")
    assert err.get("Key") in (None, "nope")


def test_head_missing_key_no_body(server, s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="nope")
    assert client_error(ei)[0] == 404
    r = server.request("HEAD", object_path(bucket, "nope"))
    assert r.status == 404
    assert r.body == b""


def test_object_ops_on_missing_bucket(server, s3):
    b = unique_bucket("missing")
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=b, Key="k", Body=b"x")
    assert client_error(ei) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=b, Key="k")
    assert client_error(ei) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.delete_object(Bucket=b, Key="k")
    assert client_error(ei) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.list_objects_v2(Bucket=b)
    assert client_error(ei) == (404, "NoSuchBucket")


def test_delete_object_idempotent(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="d", Body=b"data")
    r = s3.delete_object(Bucket=bucket, Key="d")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="d")
    assert client_error(ei) == (404, "NoSuchKey")
    r = s3.delete_object(Bucket=bucket, Key="d")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    r = s3.delete_object(Bucket=bucket, Key="never-existed")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def blob_file_names(server):
    """The blob files of the default pool (not the temporary ones)."""
    root = os.path.join(server.data_dir, "blobs")
    return {os.path.join(d, f) for d, _, files in os.walk(root)
            if os.path.basename(d) != "tmp" for f in files}


def test_delete_objects_frees_the_blob_files(server, s3, bucket):
    # Each key's delete commits without a sync of its own; what it removed
    # is freed once the response's log entry made the deletes durable.
    before = blob_file_names(server)
    keys = ["bulk/%d" % i for i in range(3)]
    for i, key in enumerate(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=rnd(200 << 10, seed=i))
    assert len(blob_file_names(server) - before) == 3
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in r["Deleted"]) == keys
    assert not r.get("Errors")
    deadline = time.monotonic() + 10
    while blob_file_names(server) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not blob_file_names(server) - before
    assert s3.list_objects_v2(Bucket=bucket, Prefix="bulk/")["KeyCount"] == 0


def test_overwrite_last_writer_wins(server, s3, bucket):
    a, b = rnd(100_000, 1), rnd(10, 2)
    s3.put_object(Bucket=bucket, Key="ow", Body=a)
    s3.put_object(Bucket=bucket, Key="ow", Body=b)
    g = s3.get_object(Bucket=bucket, Key="ow")
    assert g["Body"].read() == b
    assert g["ETag"] == '"%s"' % md5_hex(b)
    s3.put_object(Bucket=bucket, Key="ow", Body=a, ContentType="x/y")
    g = s3.get_object(Bucket=bucket, Key="ow")
    assert g["Body"].read() == a
    assert g["ContentType"] == "x/y"
    lst = s3.list_objects_v2(Bucket=bucket)
    assert [(o["Key"], o["Size"]) for o in lst["Contents"]] == [("ow", 100_000)]


def test_concurrent_overwrites_never_torn(server, bucket):
    """8 writers overwrite one key with distinct bodies while 2 readers
    check that every GET returns exactly one of the written bodies."""
    bodies = [rnd(150_000 + i * 1000, 100 + i) for i in range(8)]
    etags = {'"%s"' % md5_hex(b): b for b in bodies}
    errors = []
    stop = threading.Event()
    deadline = time.monotonic() + 20

    def writer(i):
        c = server.client()
        try:
            for _ in range(10):
                if time.monotonic() > deadline:
                    break
                c.put_object(Bucket=bucket, Key="hot", Body=bodies[i])
        except Exception as e:  # noqa: BLE001
            errors.append("writer %d: %r" % (i, e))

    def reader():
        c = server.client()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    g = c.get_object(Bucket=bucket, Key="hot")
                except ClientError as e:
                    if e.response["Error"]["Code"] == "NoSuchKey":
                        continue
                    raise
                data = g["Body"].read()
                if g["ETag"] not in etags:
                    errors.append("unknown ETag %s" % g["ETag"])
                elif etags[g["ETag"]] != data:
                    errors.append("torn read: ETag %s len %d" % (g["ETag"],
                                                                 len(data)))
        except Exception as e:  # noqa: BLE001
            errors.append("reader: %r" % e)

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    for t in readers:
        t.join(60)
    assert not errors, errors[:10]
    g = server.client().get_object(Bucket=bucket, Key="hot")
    data = g["Body"].read()
    assert data in bodies
    assert g["ETag"] == '"%s"' % md5_hex(data)


# ------------------------------------------------------------------ ranges

RANGE_SIZE = 200_003  # spans several 64 KiB packages, odd length


@pytest.fixture(scope="module")
def ranged(server, s3):
    b = unique_bucket("ranges")
    s3.create_bucket(Bucket=b)
    data = rnd(RANGE_SIZE, 77)
    s3.put_object(Bucket=b, Key="r", Body=data)
    s3.put_object(Bucket=b, Key="small", Body=b"0123456789")
    return b, data


@pytest.mark.parametrize("spec,start,end", [
    ("bytes=0-0", 0, 0),
    ("bytes=0-9", 0, 9),
    ("bytes=10-19", 10, 19),
    ("bytes=65530-65545", 65530, 65545),            # package boundary
    ("bytes=65536-131071", 65536, 131071),          # exactly one package
    ("bytes=131000-", 131000, RANGE_SIZE - 1),      # open-ended
    ("bytes=0-", 0, RANGE_SIZE - 1),
    ("bytes=-1", RANGE_SIZE - 1, RANGE_SIZE - 1),   # suffix
    ("bytes=-70000", RANGE_SIZE - 70000, RANGE_SIZE - 1),
    ("bytes=-999999999", 0, RANGE_SIZE - 1),        # suffix longer than object
    ("bytes=199990-999999999", 199990, RANGE_SIZE - 1),  # end clamped
    ("bytes=%d-%d" % (RANGE_SIZE - 1, RANGE_SIZE - 1), RANGE_SIZE - 1,
     RANGE_SIZE - 1),
])
def test_range_forms(server, s3, ranged, spec, start, end):
    b, data = ranged
    g = s3.get_object(Bucket=b, Key="r", Range=spec)
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    body = g["Body"].read()
    assert body == data[start:end + 1], spec
    assert g["ContentLength"] == end - start + 1
    assert g["ContentRange"] == "bytes %d-%d/%d" % (start, end, RANGE_SIZE)
    assert g["ETag"] == '"%s"' % md5_hex(data)
    # Raw request too: status line and headers.
    r = server.request("GET", object_path(b, "r"), headers={"Range": spec})
    assert r.status == 206, r
    assert r.body == data[start:end + 1]
    assert r.header("Content-Range") == "bytes %d-%d/%d" % (start, end,
                                                           RANGE_SIZE)
    assert int(r.header("Content-Length")) == end - start + 1


@pytest.mark.parametrize("spec", [
    "bytes=%d-" % RANGE_SIZE,
    "bytes=%d-%d" % (RANGE_SIZE, RANGE_SIZE + 10),
    "bytes=999999999-",
])
def test_range_unsatisfiable(server, s3, ranged, spec):
    b, _ = ranged
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=b, Key="r", Range=spec)
    assert client_error(ei) == (416, "InvalidRange")
    r = server.request("GET", object_path(b, "r"), headers={"Range": spec})
    assert_s3_error(r, 416, "InvalidRange")
    assert r.header("Content-Range") in (None, "bytes */%d" % RANGE_SIZE), r


@pytest.mark.parametrize("spec", [
    "bytes=5-2",        # syntactically invalid: S3 ignores and sends all
    "items=0-5",        # unknown unit: ignored
    "bytes=abc",
])
def test_range_invalid_syntax_ignored(server, ranged, spec):
    b, data = ranged
    r = server.request("GET", object_path(b, "small"), headers={"Range": spec})
    assert r.status == 200, r
    assert r.body == b"0123456789"


def test_random_ranges(server, s3, ranged):
    b, data = ranged
    rng = random.Random(5)
    for _ in range(25):
        a = rng.randrange(RANGE_SIZE)
        e = rng.randrange(a, min(RANGE_SIZE, a + rng.choice([1, 100, 70000,
                                                               200000])))
        g = s3.get_object(Bucket=b, Key="r", Range="bytes=%d-%d" % (a, e))
        assert g["Body"].read() == data[a:e + 1], (a, e)


def test_range_on_small_object(server, s3, ranged):
    b, _ = ranged
    g = s3.get_object(Bucket=b, Key="small", Range="bytes=3-5")
    assert g["Body"].read() == b"345"
    assert g["ContentRange"] == "bytes 3-5/10"
    g = s3.get_object(Bucket=b, Key="small", Range="bytes=-3")
    assert g["Body"].read() == b"789"


def test_head_with_range(server, ranged):
    b, _ = ranged
    r = server.request("HEAD", object_path(b, "small"),
                       headers={"Range": "bytes=2-4"})
    assert r.status == 206, r
    assert r.body == b""
    assert r.header("Content-Range") == "bytes 2-4/10"
    assert r.header("Content-Length") == "3"


# ------------------------------------------------------------------ headers

def test_metadata_and_standard_headers(server, s3, bucket):
    expires = "Wed, 21 Oct 2037 07:28:00 GMT"
    s3.put_object(
        Bucket=bucket, Key="meta", Body=b"hello",
        Metadata={"color": "blue", "Multi-Word-Key": "Some Value",
                  "empty": ""},
        ContentType="text/plain; charset=utf-8",
        ContentEncoding="identity",
        ContentDisposition='attachment; filename="hello.txt"',
        ContentLanguage="fr-FR",
        CacheControl="max-age=3600, public",
        Expires=expires)
    for op in (s3.get_object, s3.head_object):
        r = op(Bucket=bucket, Key="meta")
        assert r["Metadata"].get("color") == "blue", r["Metadata"]
        assert r["Metadata"].get("multi-word-key") == "Some Value", \
            r["Metadata"]
        assert r["ContentType"] == "text/plain; charset=utf-8"
        assert r["ContentEncoding"] == "identity"
        assert r["ContentDisposition"] == 'attachment; filename="hello.txt"'
        assert r["ContentLanguage"] == "fr-FR"
        assert r["CacheControl"] == "max-age=3600, public"
        hdrs = r["ResponseMetadata"]["HTTPHeaders"]
        assert hdrs.get("expires") == expires, hdrs
        assert hdrs.get("last-modified"), hdrs
        assert hdrs.get("etag") == '"%s"' % md5_hex(b"hello")
    r = server.request("HEAD", object_path(bucket, "meta"))
    assert r.header("x-amz-meta-color") == "blue"
    assert r.header("Content-Length") == "5"


@pytest.mark.parametrize("sent,stored", [
    ("gzip", "gzip"),
    ("deflate, gzip", "deflate, gzip"),   # kept as sent, spaces included
    ("deflate,gzip", "deflate,gzip"),
    ("gzip, aws-chunked", "gzip"),
    ("aws-chunked, deflate,gzip", "deflate, gzip"),
    ("aws-chunked", None),                # framing only: no encoding stored
    ("aws-chunked, aws-chunked", None),
])
def test_content_encoding_stored_without_aws_chunked(s3, bucket, sent, stored):
    s3.put_object(Bucket=bucket, Key="enc", Body=b"x", ContentEncoding=sent)
    for op in (s3.get_object, s3.head_object):
        assert op(Bucket=bucket, Key="enc").get("ContentEncoding") == stored


def test_default_content_type(server, bucket):
    r = server.request("PUT", object_path(bucket, "noct"), body=b"abc")
    assert r.status == 200, r
    r = server.request("GET", object_path(bucket, "noct"))
    assert r.status == 200
    assert r.header("Content-Type") in ("binary/octet-stream",
                                        "application/octet-stream"), r


def test_metadata_replaced_on_overwrite(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="m2", Body=b"1", Metadata={"a": "1"})
    s3.put_object(Bucket=bucket, Key="m2", Body=b"2", Metadata={"b": "2"})
    h = s3.head_object(Bucket=bucket, Key="m2")
    assert h["Metadata"] == {"b": "2"}


# ------------------------------------------------------------------ Content-MD5

def b64md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_content_md5_ok(server, s3, bucket):
    data = b"payload with md5"
    r = s3.put_object(Bucket=bucket, Key="md5ok", Body=data,
                      ContentMD5=b64md5(data))
    assert r["ETag"] == '"%s"' % md5_hex(data)
    r = server.request("PUT", object_path(bucket, "md5ok-raw"), body=data,
                       headers={"Content-MD5": b64md5(data)})
    assert r.status == 200, r


def test_content_md5_mismatch_bad_digest(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="md5bad", Body=b"original")
    data = rnd(300_000, 9)
    r = server.request("PUT", object_path(bucket, "md5bad"), body=data,
                       headers={"Content-MD5": b64md5(b"something else")})
    assert_s3_error(r, 400, "BadDigest")
    # Previous version untouched.
    g = s3.get_object(Bucket=bucket, Key="md5bad")
    assert g["Body"].read() == b"original"
    # And a new key must not be created.
    r = server.request("PUT", object_path(bucket, "md5bad-new"), body=b"x",
                       headers={"Content-MD5": b64md5(b"y")})
    assert_s3_error(r, 400, "BadDigest")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="md5bad-new")
    assert client_error(ei)[0] == 404


@pytest.mark.parametrize("value", [
    "not-base64!!",
    base64.b64encode(b"short").decode(),          # valid base64, not 16 bytes
    base64.b64encode(b"\x00" * 17).decode(),
])
def test_content_md5_malformed_invalid_digest(server, s3, bucket, value):
    r = server.request("PUT", object_path(bucket, "md5inv"), body=b"data",
                       headers={"Content-MD5": value})
    assert_s3_error(r, 400, "InvalidDigest")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="md5inv")
    assert client_error(ei)[0] == 404


# ------------------------------------------------------------------ keys

AWKWARD_KEYS = [
    "dir/sub dir/file with spaces.txt",
    "plus+sign+key",
    "percent%20literal%2F",
    "unicode/éèà-日本語-🙂",
    "query?like=1&x#frag",
    "~tilde/!$'()*,;:@",
    "double//slash",
    "trailing/",
    "a" * 1024,
    "equals=and,comma",
    "tab\tand\x01ctl",
]


@pytest.mark.parametrize("key", AWKWARD_KEYS)
def test_awkward_keys(server, s3, bucket, key):
    data = ("content of %r" % key).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(data)
    lst = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in lst.get("Contents", [])] == [key]
    # Raw path form too (our own encoding).
    r = server.request("GET", object_path(bucket, key))
    assert r.status == 200 and r.body == data, r
    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key=key)
    assert client_error(ei)[0] == 404


def test_keys_distinct_by_encoding(server, s3, bucket):
    # "a b", "a+b" and "a%20b" are three different keys.
    for k in ("a b", "a+b", "a%20b"):
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    for k in ("a b", "a+b", "a%20b"):
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == sorted(["a b", "a+b", "a%20b"])


def test_key_too_long(server, bucket):
    r = server.request("PUT", object_path(bucket, "k" * 1025), body=b"x")
    assert_s3_error(r, 400, "KeyTooLongError")


def test_read_after_write_and_restart(server, s3, bucket):
    data = rnd(70_000, 3)
    s3.put_object(Bucket=bucket, Key="persist", Body=data)
    s3.put_object(Bucket=bucket, Key="tiny", Body=b"t")
    server.restart()
    c = server.client()
    assert c.get_object(Bucket=bucket, Key="persist")["Body"].read() == data
    assert c.get_object(Bucket=bucket, Key="tiny")["Body"].read() == b"t"


def test_boto3_empty_put_then_put_same_connection(server, bucket):
    """boto3 sends 'Expect: 100-continue' with every PutObject. If the
    server answers a 0-byte PUT with its final 200 without a 100 Continue
    (legal HTTP), botocore keeps that status line for the pooled
    connection and the next request on it hangs or reads a bogus bare 200.
    The server must keep boto3 working: e.g. send 100 Continue whenever
    Expect: 100-continue is present."""
    c = server.client(read_timeout=10, max_pool_connections=1)
    for i, body in enumerate([b"", b"x", b"", b"yz"]):
        r = c.put_object(Bucket=bucket, Key="seq-%d" % i, Body=body)
        assert r.get("ETag") == '"%s"' % md5_hex(body), (i, r)
    for i, body in enumerate([b"", b"x", b"", b"yz"]):
        assert c.get_object(Bucket=bucket,
                            Key="seq-%d" % i)["Body"].read() == body

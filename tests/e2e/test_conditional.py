"""Conditional requests: If-Match / If-None-Match / If-Modified-Since /
If-Unmodified-Since on GetObject and HeadObject with the RFC 7232 precedence
(304 without a body, 412 PreconditionFailed), conditional PutObject
(If-None-Match: * and If-Match, atomic with the commit), and
x-amz-storage-class on PUT."""

import datetime
import threading

import pytest
from botocore.exceptions import ClientError

from s3util import assert_s3_error, client_error, md5_hex, object_path

OLD = "Sat, 29 Oct 1994 19:43:31 GMT"
FUTURE = "Fri, 29 Oct 2100 19:43:31 GMT"


def http_date(dt):
    return dt.strftime("%a, %d %b %Y %H:%M:%S GMT")


@pytest.fixture
def obj(s3, bucket):
    data = b"conditional body"
    s3.put_object(Bucket=bucket, Key="k", Body=data)
    h = s3.head_object(Bucket=bucket, Key="k")
    return bucket, "k", h["ETag"], h["LastModified"], data


def get(server, bucket, key, headers, method="GET"):
    return server.request(method, object_path(bucket, key), headers=headers)


# ------------------------------------------------------------- GET / HEAD

def test_if_match(server, s3, obj):
    bucket, key, etag, _, data = obj
    assert s3.get_object(Bucket=bucket, Key=key, IfMatch=etag)["Body"].read() == data
    assert s3.get_object(Bucket=bucket, Key=key, IfMatch=etag.strip('"'))["Body"].read() == data
    assert s3.get_object(Bucket=bucket, Key=key, IfMatch="*")["Body"].read() == data
    assert get(server, bucket, key, {"If-Match": '"x", %s' % etag}).status == 200
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key=key, IfMatch='"bogus"')
    assert client_error(ei) == (412, "PreconditionFailed")
    assert_s3_error(get(server, bucket, key, {"If-Match": '"bogus"'}), 412, "PreconditionFailed")
    r = get(server, bucket, key, {"If-Match": '"bogus"'}, method="HEAD")
    assert r.status == 412 and r.body == b""


def test_if_none_match(server, s3, obj):
    bucket, key, etag, last_modified, data = obj
    for method in ("GET", "HEAD"):
        for value in (etag, "*", '"x", %s' % etag, "W/%s" % etag):
            r = get(server, bucket, key, {"If-None-Match": value}, method=method)
            assert r.status == 304, (method, value, r)
            assert r.body == b""
            assert r.header("ETag") == etag
            assert r.header("Last-Modified") == http_date(last_modified)
        r = get(server, bucket, key, {"If-None-Match": '"other"'}, method=method)
        assert r.status == 200
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key=key, IfNoneMatch=etag)
    assert client_error(ei)[0] == 304
    assert s3.get_object(Bucket=bucket, Key=key, IfNoneMatch='"other"')["Body"].read() == data


def test_if_modified_since(server, s3, obj):
    bucket, key, _, last_modified, data = obj
    assert s3.get_object(Bucket=bucket, Key=key, IfModifiedSince=OLD)["Body"].read() == data
    for when in (http_date(last_modified), FUTURE,
                 http_date(last_modified + datetime.timedelta(seconds=1))):
        for method in ("GET", "HEAD"):
            r = get(server, bucket, key, {"If-Modified-Since": when}, method=method)
            assert r.status == 304, (when, method, r)
            assert r.body == b""
    before = http_date(last_modified - datetime.timedelta(seconds=1))
    assert get(server, bucket, key, {"If-Modified-Since": before}).status == 200
    # Invalid dates are ignored.
    assert get(server, bucket, key, {"If-Modified-Since": "not a date"}).status == 200


def test_if_unmodified_since(server, s3, obj):
    bucket, key, _, last_modified, data = obj
    assert s3.get_object(Bucket=bucket, Key=key, IfUnmodifiedSince=FUTURE)["Body"].read() == data
    assert get(server, bucket, key, {"If-Unmodified-Since": http_date(last_modified)}).status == 200
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key=key, IfUnmodifiedSince=OLD)
    assert client_error(ei) == (412, "PreconditionFailed")
    r = get(server, bucket, key, {"If-Unmodified-Since": OLD}, method="HEAD")
    assert r.status == 412
    assert get(server, bucket, key, {"If-Unmodified-Since": "garbage"}).status == 200


def test_other_date_formats(server, obj):
    bucket, key, _, _, _ = obj
    # RFC 850 and asctime forms of a date long before the object.
    assert get(server, bucket, key, {"If-Unmodified-Since": "Saturday, 29-Oct-94 19:43:31 GMT"}).status == 412
    assert get(server, bucket, key, {"If-Unmodified-Since": "Sat Oct 29 19:43:31 1994"}).status == 412
    assert get(server, bucket, key, {"If-Modified-Since": "Fri Oct 29 19:43:31 2100"}).status == 304


def test_precedence(server, obj):
    bucket, key, etag, _, _ = obj
    # If-Match true wins over If-Unmodified-Since false: 200.
    assert get(server, bucket, key, {"If-Match": etag, "If-Unmodified-Since": OLD}).status == 200
    # If-Match false: 412 whatever the date says.
    r = get(server, bucket, key, {"If-Match": '"bogus"', "If-Unmodified-Since": FUTURE})
    assert_s3_error(r, 412, "PreconditionFailed")
    # If-None-Match false (tag matches) with If-Modified-Since true: 304.
    assert get(server, bucket, key, {"If-None-Match": etag, "If-Modified-Since": OLD}).status == 304
    # If-None-Match true with If-Modified-Since false: 200.
    assert get(server, bucket, key, {"If-None-Match": '"other"', "If-Modified-Since": FUTURE}).status == 200
    # 412 beats 304.
    r = get(server, bucket, key, {"If-Match": '"bogus"', "If-None-Match": etag})
    assert r.status == 412
    r = get(server, bucket, key, {"If-Unmodified-Since": OLD, "If-Modified-Since": FUTURE})
    assert r.status == 412


def test_conditions_with_range(server, obj):
    bucket, key, etag, _, data = obj
    r = get(server, bucket, key, {"If-Match": etag, "Range": "bytes=0-3"})
    assert r.status == 206 and r.body == data[:4]
    assert get(server, bucket, key, {"If-None-Match": etag, "Range": "bytes=0-3"}).status == 304


def test_conditions_on_missing_key(server, bucket):
    assert_s3_error(get(server, bucket, "missing", {"If-Match": "*"}), 404, "NoSuchKey")
    assert_s3_error(get(server, bucket, "missing", {"If-None-Match": "*"}), 404, "NoSuchKey")


def test_conditional_get_large_object(server, s3, bucket):
    data = bytes(range(256)) * 8192  # 2 MiB: a blob, not inline
    etag = s3.put_object(Bucket=bucket, Key="big", Body=data)["ETag"]
    assert get(server, bucket, "big", {"If-None-Match": etag}).status == 304
    r = get(server, bucket, "big", {"If-Match": etag})
    assert r.status == 200 and r.body == data


# ------------------------------------------------------------------ PUT

def put(server, bucket, key, body, headers=None):
    return server.request("PUT", object_path(bucket, key), headers=headers or {}, body=body)


def test_put_if_none_match_star(server, s3, bucket):
    r = put(server, bucket, "new", b"first", {"If-None-Match": "*"})
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % md5_hex(b"first")
    r = put(server, bucket, "new", b"second", {"If-None-Match": "*"})
    assert_s3_error(r, 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"first"
    # A large body that loses its condition leaves nothing behind.
    big = b"x" * (2 << 20)
    assert_s3_error(put(server, bucket, "new", big, {"If-None-Match": "*"}), 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"first"
    s3.delete_object(Bucket=bucket, Key="new")
    assert put(server, bucket, "new", big, {"If-None-Match": "*"}).status == 200
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == big


def test_put_if_match(server, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="m", Body=b"v1")["ETag"]
    r = put(server, bucket, "m", b"v2", {"If-Match": etag})
    assert r.status == 200, r
    etag2 = r.header("ETag")
    # The old tag no longer matches.
    assert_s3_error(put(server, bucket, "m", b"v3", {"If-Match": etag}), 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"v2"
    # Unquoted tags are accepted too.
    assert put(server, bucket, "m", b"v4", {"If-Match": etag2.strip('"')}).status == 200
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"v4"
    # No object: NoSuchKey, as S3 answers.
    assert_s3_error(put(server, bucket, "absent", b"x", {"If-Match": etag}), 404, "NoSuchKey")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="absent")


def test_put_unsupported_conditions(server, bucket):
    r = put(server, bucket, "u", b"x", {"If-None-Match": '"abc"'})
    assert_s3_error(r, 501, "NotImplemented")


def test_put_if_none_match_is_atomic(server, s3, bucket):
    n = 12
    results = [None] * n
    barrier = threading.Barrier(n)

    def worker(i):
        barrier.wait()
        results[i] = put(server, bucket, "race", b"writer-%d" % i, {"If-None-Match": "*"}).status

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [412] * (n - 1), results
    winner = results.index(200)
    assert s3.get_object(Bucket=bucket, Key="race")["Body"].read() == b"writer-%d" % winner


def test_put_if_match_is_atomic(server, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="cas", Body=b"base")["ETag"]
    n = 12
    results = [None] * n
    barrier = threading.Barrier(n)

    def worker(i):
        barrier.wait()
        results[i] = put(server, bucket, "cas", b"writer-%d" % i, {"If-Match": etag}).status

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [412] * (n - 1), results


# -------------------------------------------------------- storage class

def test_storage_class_standard_accepted(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="sc", Body=b"x", StorageClass="STANDARD")
    assert s3.get_object(Bucket=bucket, Key="sc")["Body"].read() == b"x"
    lst = s3.list_objects_v2(Bucket=bucket)
    assert [o["StorageClass"] for o in lst["Contents"]] == ["STANDARD"]


@pytest.mark.parametrize("sc", ["GLACIER", "REDUCED_REDUNDANCY", "standard", "BOGUS"])
def test_storage_class_others_rejected(server, s3, bucket, sc):
    r = put(server, bucket, "sc", b"x", {"x-amz-storage-class": sc})
    assert_s3_error(r, 400, "InvalidStorageClass")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="sc")
    assert client_error(ei)[0] == 404

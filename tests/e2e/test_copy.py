"""CopyObject: metadata directive COPY/REPLACE, x-amz-copy-source-if-*
conditions, copy onto itself, across buckets, URL-encoded source keys,
?versionId=null, multipart and large sources (re-encrypted by streaming),
and the errors S3 gives."""

import datetime
import random

import pytest
from botocore.exceptions import ClientError

from s3util import (assert_s3_error, client_error, md5_hex, object_path,
                    uri_encode, xml_text)

OLD = "Sat, 29 Oct 1994 19:43:31 GMT"
FUTURE = "Fri, 29 Oct 2100 19:43:31 GMT"


def rnd(n, seed=1):
    return random.Random(seed).randbytes(n)


def raw_copy(server, bucket, key, source, headers=None):
    h = {"x-amz-copy-source": source}
    h.update(headers or {})
    return server.request("PUT", object_path(bucket, key), headers=h, body=b"")


def test_copy_keeps_metadata(server, s3, bucket):
    data = rnd(1000)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ContentType="text/plain",
                  Metadata={"colour": "blue"}, CacheControl="max-age=60")
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % md5_hex(data)
    assert isinstance(r["CopyObjectResult"]["LastModified"], datetime.datetime)
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert g["Body"].read() == data
    assert g["ContentType"] == "text/plain"
    assert g["Metadata"] == {"colour": "blue"}
    assert g["CacheControl"] == "max-age=60"
    assert g["ETag"] == '"%s"' % md5_hex(data)
    # The source is untouched.
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == data


def test_copy_replace_metadata(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"abc", ContentType="text/plain",
                  Metadata={"colour": "blue"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", ContentType="application/json",
                   Metadata={"shape": "round"})
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert g["Body"].read() == b"abc"
    assert g["ContentType"] == "application/json"
    assert g["Metadata"] == {"shape": "round"}


def test_copy_says_encrypted(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="sse-src", Body=b"x")
    r = s3.copy_object(Bucket=bucket, Key="sse-dst",
                       CopySource={"Bucket": bucket, "Key": "sse-src"})
    assert r["ServerSideEncryption"] == "AES256"


def test_copy_response_xml(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"hello")
    r = raw_copy(server, bucket, "dst", "/%s/src" % bucket)
    assert r.status == 200, r
    assert xml_text(r.body, "ETag") == '"%s"' % md5_hex(b"hello")
    lm = xml_text(r.body, "LastModified")
    assert lm and lm.endswith("Z") and "T" in lm


def test_copy_onto_itself(server, s3, bucket):
    data = rnd(200_000, 3)
    s3.put_object(Bucket=bucket, Key="self", Body=data, Metadata={"a": "1"})
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert client_error(ei) == (400, "InvalidRequest")
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"a": "2"})
    g = s3.get_object(Bucket=bucket, Key="self")
    assert g["Body"].read() == data
    assert g["Metadata"] == {"a": "2"}
    assert g["ETag"] == '"%s"' % md5_hex(data)


def test_copy_across_buckets(server, s3, bucket):
    other = bucket + "-dst"
    s3.create_bucket(Bucket=other)
    try:
        data = rnd(300_000, 4)
        s3.put_object(Bucket=bucket, Key="x", Body=data)
        s3.copy_object(Bucket=other, Key="y", CopySource={"Bucket": bucket, "Key": "x"})
        assert s3.get_object(Bucket=other, Key="y")["Body"].read() == data
        s3.delete_object(Bucket=bucket, Key="x")
        # The copy owns its data: deleting the source leaves it readable.
        assert s3.get_object(Bucket=other, Key="y")["Body"].read() == data
    finally:
        s3.delete_object(Bucket=other, Key="y")
        s3.delete_bucket(Bucket=other)


@pytest.mark.parametrize("key", ["with space", "plus+sign", "q?mark&amp=1", "üñí/çødé", "a%2Fb", "~tilde"])
def test_copy_encoded_keys(server, s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    s3.copy_object(Bucket=bucket, Key=key + ".copy", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key=key + ".copy")["Body"].read() == key.encode()
    # Raw header, fully encoded, without the leading slash.
    r = raw_copy(server, bucket, key + ".raw", "%s/%s" % (bucket, uri_encode(key, encode_slash=False)))
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key=key + ".raw")["Body"].read() == key.encode()


def test_copy_version_id(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="v", Body=b"ver")
    s3.copy_object(Bucket=bucket, Key="v2", CopySource={"Bucket": bucket, "Key": "v", "VersionId": "null"})
    assert s3.get_object(Bucket=bucket, Key="v2")["Body"].read() == b"ver"
    r = raw_copy(server, bucket, "v3", "/%s/v?versionId=null" % bucket)
    assert r.status == 200, r
    r = raw_copy(server, bucket, "v4", "/%s/v?versionId=3HL4kqtJlcpXroDTDmJ" % bucket)
    assert_s3_error(r, 400, "InvalidArgument")


def test_copy_source_conditions(server, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"cond")["ETag"]
    src = {"Bucket": bucket, "Key": "c"}
    ok = [dict(CopySourceIfMatch=etag), dict(CopySourceIfNoneMatch='"other"'),
          dict(CopySourceIfModifiedSince=OLD), dict(CopySourceIfUnmodifiedSince=FUTURE),
          # If-Match true wins over If-Unmodified-Since false.
          dict(CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=OLD)]
    for kw in ok:
        s3.copy_object(Bucket=bucket, Key="c2", CopySource=src, **kw)
    failing = [dict(CopySourceIfMatch='"bogus"'), dict(CopySourceIfNoneMatch=etag),
               dict(CopySourceIfModifiedSince=FUTURE), dict(CopySourceIfUnmodifiedSince=OLD),
               # If-None-Match false and If-Modified-Since true: 412.
               dict(CopySourceIfNoneMatch=etag, CopySourceIfModifiedSince=OLD)]
    for kw in failing:
        with pytest.raises(ClientError) as ei:
            s3.copy_object(Bucket=bucket, Key="c3", CopySource=src, **kw)
        assert client_error(ei) == (412, "PreconditionFailed"), kw
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="c3")
    assert client_error(ei)[0] == 404


def test_copy_multipart_source(server, s3, bucket):
    part = 5 * 1024 * 1024
    chunks = [rnd(part, 10), rnd(part, 11), rnd(1234, 12)]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="video/mp4")
    parts = []
    for i, c in enumerate(chunks, 1):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=i, Body=c)
        parts.append({"PartNumber": i, "ETag": r["ETag"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    whole = b"".join(chunks)
    r = s3.copy_object(Bucket=bucket, Key="mp-copy", CopySource={"Bucket": bucket, "Key": "mp"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % md5_hex(whole)
    g = s3.get_object(Bucket=bucket, Key="mp-copy")
    assert g["Body"].read() == whole
    assert g["ContentType"] == "video/mp4"
    rng = s3.get_object(Bucket=bucket, Key="mp-copy", Range="bytes=%d-%d" % (part - 5, part + 5))
    assert rng["Body"].read() == whole[part - 5:part + 6]


def test_copy_empty_and_small(server, s3, bucket):
    for size in (0, 1, 65535, 65600, 70000):
        data = rnd(size, size)
        s3.put_object(Bucket=bucket, Key="s%d" % size, Body=data)
        r = s3.copy_object(Bucket=bucket, Key="d%d" % size, CopySource={"Bucket": bucket, "Key": "s%d" % size})
        assert r["CopyObjectResult"]["ETag"] == '"%s"' % md5_hex(data)
        assert s3.get_object(Bucket=bucket, Key="d%d" % size)["Body"].read() == data


def test_copy_replaces_existing_destination(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="dst", Body=rnd(500_000, 7))
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"new"


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _public_read(acl):
    return any(g["Grantee"].get("URI") == ALL_USERS and
               g["Permission"] == "READ" for g in acl["Grants"])


def test_copy_acl_comes_from_the_request(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="acl-src", Body=b"shared", ACL="public-read")
    # x-amz-acl on the copy applies to the copy.
    s3.copy_object(Bucket=bucket, Key="acl-pub", ACL="public-read",
                   CopySource={"Bucket": bucket, "Key": "acl-src"})
    assert _public_read(s3.get_object_acl(Bucket=bucket, Key="acl-pub"))
    r = server.request("GET", object_path(bucket, "acl-pub"), sign=False)
    assert r.status == 200 and r.body == b"shared", r
    # Without one the copy is private: the source's ACL is not copied.
    s3.copy_object(Bucket=bucket, Key="acl-priv",
                   CopySource={"Bucket": bucket, "Key": "acl-src"})
    assert not _public_read(s3.get_object_acl(Bucket=bucket, Key="acl-priv"))
    r = server.request("GET", object_path(bucket, "acl-priv"), sign=False)
    assert_s3_error(r, 403, "AccessDenied")
    # An invalid ACL header refuses the copy.
    r = raw_copy(server, bucket, "acl-bad", "/%s/acl-src" % bucket,
                 headers={"x-amz-acl": "no-such-canned-acl"})
    assert r.status == 400, r


def test_copy_errors(server, s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket, "Key": "missing"})
    assert client_error(ei) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket + "-nope", "Key": "k"})
    assert client_error(ei) == (404, "NoSuchBucket")
    s3.put_object(Bucket=bucket, Key="k", Body=b"k")
    assert_s3_error(raw_copy(server, bucket, "d", "/%s/k" % bucket, {"x-amz-metadata-directive": "MERGE"}),
                    400, "InvalidArgument")
    assert_s3_error(raw_copy(server, bucket, "d", "/%s" % bucket), 400, "InvalidArgument")
    assert_s3_error(raw_copy(server, bucket, "d", "/%s/k" % bucket, {"x-amz-storage-class": "GLACIER"}),
                    400, "InvalidStorageClass")
    assert raw_copy(server, bucket, "d", "/%s/k" % bucket, {"x-amz-storage-class": "STANDARD"}).status == 200
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="nope")
    assert client_error(ei)[0] == 404

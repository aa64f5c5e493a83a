"""S3's size limits (issue 4, "Limits as S3 has them"), at their exact
boundaries: key length 1024 bytes (KeyTooLongError), user metadata 2 KiB
(MetadataTooLarge), a single PUT or part over 5 GiB (EntityTooLarge,
decided from the declared length before any body byte is sent), part
numbers 1..10000 (InvalidArgument), and a copy source over 5 GiB
(InvalidRequest) for CopyObject and UploadPartCopy. The 5 GiB rules are
tested on the real limit where the body need not be sent, and on a server
started with a lowered --max-object-size where bytes must flow."""

import random
import time

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import (assert_s3_error, client_error, md5_hex, object_path,
                    te_chunked)

MiB = 1024 * 1024
GiB = 1024 * MiB
FIVE_GIB = 5 * GiB


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def _gone(s3, bucket, key):
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key=key)
    return client_error(ei)[0] == 404


# ------------------------------------------------------------ key length

def test_key_length_1024_bytes(server, s3, bucket):
    # Bytes of UTF-8, not characters: 512 two-byte characters are 1024.
    fits = "é" * 512
    over = fits + "x"
    assert len(fits.encode()) == 1024
    s3.put_object(Bucket=bucket, Key=fits, Body=b"fits")
    assert s3.get_object(Bucket=bucket, Key=fits)["Body"].read() == b"fits"
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=bucket, Key=over, Body=b"x")
    assert client_error(ei) == (400, "KeyTooLongError")
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key=over,
                       CopySource={"Bucket": bucket, "Key": fits})
    assert client_error(ei) == (400, "KeyTooLongError")
    with pytest.raises(ClientError) as ei:
        s3.create_multipart_upload(Bucket=bucket, Key=over)
    assert client_error(ei) == (400, "KeyTooLongError")
    s3.copy_object(Bucket=bucket, Key=fits[:-1] + "e",
                   CopySource={"Bucket": bucket, "Key": fits})
    uid = s3.create_multipart_upload(Bucket=bucket, Key=fits)["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key=fits, UploadId=uid)
    assert _gone(s3, bucket, over)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


# ------------------------------------------------------------ metadata

def test_user_metadata_2_kib(server, s3, bucket):
    # S3 counts the bytes of each name (without x-amz-meta-) and value.
    fits = {"a": "x" * 1000, "bb": "y" * 1045}   # 1 + 1000 + 2 + 1045 = 2048
    over = {"a": "x" * 1000, "bb": "y" * 1046}   # 2049
    s3.put_object(Bucket=bucket, Key="fits", Body=b"m", Metadata=fits)
    assert s3.head_object(Bucket=bucket, Key="fits")["Metadata"] == fits
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=bucket, Key="over", Body=b"m", Metadata=over)
    assert client_error(ei) == (400, "MetadataTooLarge")
    assert _gone(s3, bucket, "over")
    with pytest.raises(ClientError) as ei:
        s3.create_multipart_upload(Bucket=bucket, Key="over", Metadata=over)
    assert client_error(ei) == (400, "MetadataTooLarge")
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="over", Metadata=over,
                       MetadataDirective="REPLACE",
                       CopySource={"Bucket": bucket, "Key": "fits"})
    assert client_error(ei) == (400, "MetadataTooLarge")
    assert _gone(s3, bucket, "over")
    # Copying the metadata along (COPY) keeps it as it is.
    s3.copy_object(Bucket=bucket, Key="copy",
                   CopySource={"Bucket": bucket, "Key": "fits"})
    assert s3.head_object(Bucket=bucket, Key="copy")["Metadata"] == fits
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp",
                                     Metadata=fits)["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid)


# ------------------------------------------------------------ 5 GiB PUT

def _declared_put(server, path, length, query=None, streaming=False):
    """A signed PUT whose head declares `length` body bytes, sent without
    its body: the answer must come before any byte is sent."""
    headers = {"Content-Length": str(length)}
    payload = "unsigned"
    if streaming:
        headers = {"Content-Length": str(length + 4096),
                   "Content-Encoding": "aws-chunked",
                   "x-amz-decoded-content-length": str(length)}
        payload = s3util.STREAMING_PAYLOAD
    start = time.monotonic()
    r = server.request("PUT", path, query=query, headers=headers, body=b"",
                       payload=payload, timeout=20)
    return r, time.monotonic() - start


@pytest.mark.parametrize("streaming", [False, True])
def test_put_over_5_gib_refused_before_the_body(server, s3, bucket, streaming):
    r, took = _declared_put(server, object_path(bucket, "huge"), FIVE_GIB + 1,
                            streaming=streaming)
    err = assert_s3_error(r, 400, "EntityTooLarge")
    assert err["ProposedSize"] == str(FIVE_GIB + 1), r
    assert err["MaxSizeAllowed"] == str(FIVE_GIB), r
    assert took < 10, took
    assert _gone(s3, bucket, "huge")


def test_part_over_5_gib_refused_before_the_body(server, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="huge")["UploadId"]
    r, took = _declared_put(server, object_path(bucket, "huge"), FIVE_GIB + 1,
                            query=[("partNumber", "1"), ("uploadId", uid)])
    assert_s3_error(r, 400, "EntityTooLarge")
    assert took < 10, took
    assert s3.list_parts(Bucket=bucket, Key="huge",
                         UploadId=uid).get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="huge", UploadId=uid)


# ------------------------------------------------------------ part numbers

def test_part_numbers_1_to_10000(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    uid = s3.create_multipart_upload(Bucket=bucket, Key="pn")["UploadId"]
    path = object_path(bucket, "pn")
    for pn in ("0", "10001", "-1", "99999999999"):
        q = [("partNumber", pn), ("uploadId", uid)]
        assert_s3_error(server.request("PUT", path, query=q, body=b"x"),
                        400, "InvalidArgument")
        r = server.request("PUT", path, query=q, body=b"",
                           headers={"x-amz-copy-source": "/%s/src" % bucket})
        assert_s3_error(r, 400, "InvalidArgument")
    e1 = s3.upload_part(Bucket=bucket, Key="pn", UploadId=uid, PartNumber=1,
                        Body=b"one")["ETag"]
    e2 = s3.upload_part_copy(Bucket=bucket, Key="pn", UploadId=uid,
                             PartNumber=10000,
                             CopySource={"Bucket": bucket, "Key": "src"})[
        "CopyPartResult"]["ETag"]
    parts = s3.list_parts(Bucket=bucket, Key="pn", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"]) for p in parts] == [
        (1, e1), (10000, e2)]
    s3.abort_multipart_upload(Bucket=bucket, Key="pn", UploadId=uid)


# --------------------------------------- 5 GiB, with a lowered limit

LIMIT = 1 * MiB


@pytest.fixture
def limited(server_factory):
    """A server whose objects were written under S3's limit and that then
    restarted with --max-object-size 1 MiB: it holds a source over its
    limit, which a server with the real limit would need 5 GiB for."""
    srv = server_factory()
    c = srv.client()
    c.create_bucket(Bucket="lim")
    c.put_object(Bucket="lim", Key="big", Body=rnd(LIMIT + 1, 1))
    c.put_object(Bucket="lim", Key="fits", Body=rnd(LIMIT, 2))
    srv.extra_args = ["--max-object-size", str(LIMIT)]
    srv.restart()
    return srv


def test_copy_source_over_the_limit(limited):
    c = limited.client()
    message = ("The specified copy source is larger than the maximum "
               "allowable size for a copy source: %d" % LIMIT)
    with pytest.raises(ClientError) as ei:
        c.copy_object(Bucket="lim", Key="copy",
                      CopySource={"Bucket": "lim", "Key": "big"})
    assert client_error(ei) == (400, "InvalidRequest")
    assert ei.value.response["Error"]["Message"] == message
    assert _gone(c, "lim", "copy")
    c.copy_object(Bucket="lim", Key="copy",
                  CopySource={"Bucket": "lim", "Key": "fits"})
    uid = c.create_multipart_upload(Bucket="lim", Key="mp")["UploadId"]
    src = {"Bucket": "lim", "Key": "big"}
    for kw in ({}, {"CopySourceRange": "bytes=0-%d" % LIMIT}):
        with pytest.raises(ClientError) as ei:
            c.upload_part_copy(Bucket="lim", Key="mp", UploadId=uid,
                               PartNumber=1, CopySource=src, **kw)
        assert client_error(ei) == (400, "InvalidRequest"), kw
        assert ei.value.response["Error"]["Message"] == message
    # A range of the big source up to the limit is a valid part.
    big = c.get_object(Bucket="lim", Key="big")["Body"].read()
    r = c.upload_part_copy(Bucket="lim", Key="mp", UploadId=uid, PartNumber=1,
                           CopySource=src,
                           CopySourceRange="bytes=1-%d" % LIMIT)
    assert r["CopyPartResult"]["ETag"] == '"%s"' % md5_hex(big[1:])
    c.abort_multipart_upload(Bucket="lim", Key="mp", UploadId=uid)


def test_put_over_the_limit(limited):
    c = limited.client()
    c.put_object(Bucket="lim", Key="at-limit", Body=rnd(LIMIT, 3))
    with pytest.raises(ClientError) as ei:
        c.put_object(Bucket="lim", Key="over", Body=rnd(LIMIT + 1, 4))
    assert client_error(ei) == (400, "EntityTooLarge")
    # Without a declared length (chunked transfer), the count of bytes
    # received decides.
    path = object_path("lim", "over")
    r = limited.request("PUT", path, payload="unsigned",
                        headers={"Transfer-Encoding": "chunked"},
                        body=te_chunked(rnd(LIMIT + 1, 5),
                                        sizes=(65536, 1000, 7)))
    err = assert_s3_error(r, 400, "EntityTooLarge")
    assert err["MaxSizeAllowed"] == str(LIMIT)
    assert _gone(c, "lim", "over")

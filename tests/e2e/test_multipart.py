"""Multipart uploads with boto3: Create/UploadPart/Complete/Abort, the
"<md5 of part md5s>-N" ETag computed independently, ranges across parts,
part re-upload, and the errors InvalidPart, InvalidPartOrder,
EntityTooSmall, NoSuchUpload (and MalformedXML). UploadPartCopy: whole
sources and x-amz-copy-source-range, copy-source conditions, encoded source
keys, and another tenant's bucket refused as a source unless granted."""

import collections
import concurrent.futures
import datetime
import hashlib
import io
import json
import random

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from adminutil import cli, serve_module
from adminutil import s3 as s3_for
from s3util import (assert_s3_error, client_error, md5_hex, multipart_etag,
                    object_path, uri_encode, xml_text)

MiB = 1024 * 1024
OLD = "Sat, 29 Oct 1994 19:43:31 GMT"
FUTURE = "Fri, 29 Oct 2100 19:43:31 GMT"
BETA_ROOT = ("MPBETAROOTKEY0000001", "mp-beta-root-secret-0123456789")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """This module's server has operator credentials, to make a second
    tenant for the cross-tenant UploadPartCopy test."""
    yield from serve_module(tmp_path_factory, "mp")


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


@pytest.fixture(scope="module")
def parts():
    return [rnd(5 * MiB, 1), rnd(5 * MiB, 2), rnd(1 * MiB + 123, 3)]


def _upload(s3, bucket, key, parts, **create_kw):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, **create_kw)
    uid = up["UploadId"]
    assert uid
    assert up["Bucket"] == bucket and up["Key"] == key
    etags = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i,
                           Body=p)
        assert r["ETag"] == '"%s"' % md5_hex(p), "part %d ETag" % i
        etags.append(r["ETag"])
    return uid, etags


def _complete(s3, bucket, key, uid, etags, numbers=None):
    numbers = numbers or list(range(1, len(etags) + 1))
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e}
                                   for n, e in zip(numbers, etags)]})


def _at_once(calls):
    """Runs `calls` at once; each one's (HTTP status, S3 code or None)."""
    def status(call):
        try:
            return call()["ResponseMetadata"]["HTTPStatusCode"], None
        except ClientError as e:
            return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(status, c) for c in calls]]


def test_concurrent_completions_and_aborts_of_one_upload(s3, bucket):
    # One completion wins; the others are told that it did (the upload is
    # gone: 404 NoSuchUpload) or that it is under way (409 OperationAborted),
    # never 500, and the object is whole. An abort racing with a completion:
    # exactly one of them took effect.
    small = [rnd(5 * MiB, 7), rnd(1000, 8)]
    for round_ in range(6):
        key = "race/complete-%d" % round_
        uid, etags = _upload(s3, bucket, key, small)
        got = _at_once([lambda: _complete(s3, bucket, key, uid, etags)] * 4)
        assert (200, None) in got and set(got) <= {(200, None), (404, "NoSuchUpload"),
                                                    (409, "OperationAborted")}, got
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(small)
        key = "race/abort-%d" % round_
        uid, etags = _upload(s3, bucket, key, small[1:])
        got = _at_once([lambda: _complete(s3, bucket, key, uid, etags),
                        lambda: s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)])
        completed, aborted = got[0] == (200, None), got[1] == (204, None)
        assert completed != aborted and set(got) <= {(200, None), (204, None), (404, "NoSuchUpload"),
                                                      (409, "OperationAborted")}, got
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0)
        assert listed == (1 if completed else 0), got
        s3.delete_object(Bucket=bucket, Key=key)
        s3.delete_object(Bucket=bucket, Key="race/complete-%d" % round_)


def test_a_part_uploaded_again_during_the_completion_never_breaks_the_object(s3, bucket):
    # A part uploaded again (the same bytes, as a retry sends them) while
    # the upload completes: the new part used to replace the one the
    # completed object was made of, and its UploadPart released that blob,
    # so the acknowledged object could not be read. Four uploads race at
    # once, for a busier server.
    data = rnd(300 * 1024, 9)
    outcomes = collections.Counter()
    for round_ in range(15):
        keys = ["race/part-%d-%d" % (round_, i) for i in range(4)]
        uploads = [_upload(s3, bucket, key, [data]) for key in keys]
        calls = []
        for key, (uid, etags) in zip(keys, uploads):
            calls.append(lambda key=key, uid=uid, etags=etags: _complete(s3, bucket, key, uid, etags))
            calls.append(lambda key=key, uid=uid: s3.upload_part(Bucket=bucket, Key=key, UploadId=uid,
                                                                 PartNumber=1, Body=data))
        got = _at_once(calls)
        for i, (key, (uid, etags)) in enumerate(zip(keys, uploads)):
            completed, part = got[2 * i], got[2 * i + 1]
            assert completed in {(200, None), (409, "OperationAborted")}, got
            assert part in {(200, None), (404, "NoSuchUpload"), (409, "OperationAborted")}, got
            if completed != (200, None):
                _complete(s3, bucket, key, uid, etags)  # a retry completes it
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data, (round_, key, got)
            s3.delete_object(Bucket=bucket, Key=key)
            outcomes[(completed, part)] += 1
    print(dict(outcomes))


def test_multipart_roundtrip(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "mp", parts, ContentType="video/x-test",
                         Metadata={"origin": "multipart"})
    r = _complete(s3, bucket, "mp", uid, etags)
    expected_etag = multipart_etag(parts)
    assert r["ETag"] == expected_etag
    assert r["Key"] == "mp" and r["Bucket"] == bucket
    whole = b"".join(parts)
    g = s3.get_object(Bucket=bucket, Key="mp")
    body = g["Body"].read()
    assert len(body) == len(whole)
    assert hashlib.sha256(body).digest() == hashlib.sha256(whole).digest()
    assert g["ETag"] == expected_etag
    assert g["ContentType"] == "video/x-test"
    assert g["Metadata"] == {"origin": "multipart"}
    h = s3.head_object(Bucket=bucket, Key="mp")
    assert h["ContentLength"] == len(whole)
    assert h["ETag"] == expected_etag
    lst = s3.list_objects_v2(Bucket=bucket)
    assert [(o["Key"], o["Size"], o["ETag"]) for o in lst["Contents"]] == [
        ("mp", len(whole), expected_etag)]


def test_ranges_across_parts(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "mpr", parts)
    _complete(s3, bucket, "mpr", uid, etags)
    whole = b"".join(parts)
    b1 = len(parts[0])
    b2 = b1 + len(parts[1])
    for a, e in [(b1 - 10, b1 + 10), (b1, b1), (b1 - 1, b1 - 1),
                 (b1 - 100, b2 + 100), (0, len(whole) - 1),
                 (b2 + 5, len(whole) - 1), (65535, 65537)]:
        g = s3.get_object(Bucket=bucket, Key="mpr", Range="bytes=%d-%d" % (a, e))
        assert g["Body"].read() == whole[a:e + 1], (a, e)
        assert g["ContentRange"] == "bytes %d-%d/%d" % (a, e, len(whole))
    g = s3.get_object(Bucket=bucket, Key="mpr", Range="bytes=-1000")
    assert g["Body"].read() == whole[-1000:]


def test_get_and_head_by_part_number(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "mpn", parts)
    etag = _complete(s3, bucket, "mpn", uid, etags)["ETag"]
    total = sum(len(p) for p in parts)
    first = 0
    for n, p in enumerate(parts, 1):
        last = first + len(p) - 1
        for op in (s3.get_object, s3.head_object):
            r = op(Bucket=bucket, Key="mpn", PartNumber=n)
            assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
            assert r["PartsCount"] == len(parts)
            assert r["ETag"] == etag          # the object's, not the part's
            assert r["ContentLength"] == len(p)
            # (botocore 1.29 models no ContentRange for HeadObject)
            assert r["ResponseMetadata"]["HTTPHeaders"]["content-range"] == \
                "bytes %d-%d/%d" % (first, last, total)
        body = s3.get_object(Bucket=bucket, Key="mpn", PartNumber=n)["Body"]
        assert body.read() == p, "part %d" % n
        first = last + 1
    # Past the last part: 416 InvalidPartNumber, as S3 answers.
    r = server.request("GET", object_path(bucket, "mpn"),
                       query=[("partNumber", str(len(parts) + 1))])
    assert_s3_error(r, 416, "InvalidPartNumber")
    for bad in ("0", "10001", "x", ""):
        r = server.request("GET", object_path(bucket, "mpn"),
                           query=[("partNumber", bad)])
        assert_s3_error(r, 400, "InvalidArgument")
    r = server.request("GET", object_path(bucket, "mpn"),
                       query=[("partNumber", "1")],
                       headers={"Range": "bytes=0-1"})
    assert_s3_error(r, 400, "InvalidRequest")


def test_part_number_of_a_single_part_object(server, s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="plain", Body=b"body")
    r = s3.get_object(Bucket=bucket, Key="plain", PartNumber=1)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["Body"].read() == b"body"
    assert r["ETag"] == put["ETag"]
    assert "PartsCount" not in r
    r = server.request("GET", object_path(bucket, "plain"),
                       query=[("partNumber", "2")])
    assert_s3_error(r, 416, "InvalidPartNumber")


def test_single_small_part(server, s3, bucket):
    p = b"only part, small is fine for the last part"
    uid, etags = _upload(s3, bucket, "one", [p])
    r = _complete(s3, bucket, "one", uid, etags)
    assert r["ETag"] == multipart_etag([p])
    assert s3.get_object(Bucket=bucket, Key="one")["Body"].read() == p


def test_part_reupload_last_wins(server, s3, bucket, parts):
    up = s3.create_multipart_upload(Bucket=bucket, Key="re")
    uid = up["UploadId"]
    s3.upload_part(Bucket=bucket, Key="re", UploadId=uid, PartNumber=1,
                   Body=rnd(5 * MiB, 99))
    e1 = s3.upload_part(Bucket=bucket, Key="re", UploadId=uid, PartNumber=1,
                        Body=parts[0])["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="re", UploadId=uid, PartNumber=2,
                        Body=b"tail")["ETag"]
    r = _complete(s3, bucket, "re", uid, [e1, e2])
    assert r["ETag"] == multipart_etag([parts[0], b"tail"])
    assert s3.get_object(Bucket=bucket, Key="re")["Body"].read() == \
        parts[0] + b"tail"


def test_non_contiguous_part_numbers(server, s3, bucket, parts):
    up = s3.create_multipart_upload(Bucket=bucket, Key="gap")
    uid = up["UploadId"]
    e3 = s3.upload_part(Bucket=bucket, Key="gap", UploadId=uid, PartNumber=3,
                        Body=parts[0])["ETag"]
    e7 = s3.upload_part(Bucket=bucket, Key="gap", UploadId=uid, PartNumber=7,
                        Body=b"end")["ETag"]
    r = _complete(s3, bucket, "gap", uid, [e3, e7], numbers=[3, 7])
    assert r["ETag"] == multipart_etag([parts[0], b"end"])
    assert s3.get_object(Bucket=bucket, Key="gap")["Body"].read() == \
        parts[0] + b"end"


def test_multipart_overwrites_existing_object(server, s3, bucket, parts):
    s3.put_object(Bucket=bucket, Key="ovr", Body=b"old")
    uid, etags = _upload(s3, bucket, "ovr", parts[:2])
    # Until completion the old object is still served.
    assert s3.get_object(Bucket=bucket, Key="ovr")["Body"].read() == b"old"
    _complete(s3, bucket, "ovr", uid, etags)
    assert s3.head_object(Bucket=bucket, Key="ovr")["ContentLength"] == \
        10 * MiB


def test_abort(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "ab", parts[:1])
    r = s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=2,
                       Body=b"x")
    assert client_error(ei) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "ab", uid, etags)
    assert client_error(ei) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="ab")
    assert client_error(ei)[0] == 404
    # Abort again: S3 answers NoSuchUpload.
    with pytest.raises(ClientError) as ei:
        s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    assert client_error(ei) == (404, "NoSuchUpload")


def test_complete_twice_no_such_upload(server, s3, bucket):
    uid, etags = _upload(s3, bucket, "twice", [b"abc"])
    _complete(s3, bucket, "twice", uid, etags)
    with pytest.raises(ClientError) as ei:
        s3.upload_part(Bucket=bucket, Key="twice", UploadId=uid,
                       PartNumber=1, Body=b"x")
    assert client_error(ei) == (404, "NoSuchUpload")


def test_complete_repeated_gets_same_answer(server, s3, bucket, parts):
    # A client whose CompleteMultipartUpload reply was lost retries it: S3
    # answers as the first time while the object it made is current.
    uid, etags = _upload(s3, bucket, "again", parts[:2])
    first = _complete(s3, bucket, "again", uid, etags)
    again = _complete(s3, bucket, "again", uid, etags)
    assert again["ETag"] == first["ETag"] == multipart_etag(parts[:2])
    assert again["Key"] == "again" and again["Bucket"] == bucket
    body = s3.get_object(Bucket=bucket, Key="again")["Body"].read()
    assert body == parts[0] + parts[1]
    # Another part list is not what that completion made.
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "again", uid, etags[:1])
    assert client_error(ei) == (404, "NoSuchUpload")
    # Once the object is replaced the upload is simply gone.
    s3.put_object(Bucket=bucket, Key="again", Body=b"newer")
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "again", uid, etags)
    assert client_error(ei) == (404, "NoSuchUpload")


def test_uploads_and_parts_name_initiator_and_owner(server, s3, bucket):
    me = s3.list_buckets()["Owner"]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="who")["UploadId"]
    try:
        s3.upload_part(Bucket=bucket, Key="who", UploadId=uid, PartNumber=1,
                       Body=b"x")
        ups = [u for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
               if u["UploadId"] == uid]
        assert len(ups) == 1
        parts = s3.list_parts(Bucket=bucket, Key="who", UploadId=uid)
        for found in (ups[0], parts):
            for element in ("Initiator", "Owner"):
                assert found[element] == {"ID": me["ID"],
                                          "DisplayName": me["DisplayName"]}
    finally:
        s3.abort_multipart_upload(Bucket=bucket, Key="who", UploadId=uid)


def test_list_multipart_uploads_pages_with_markers_prefix_and_delimiter(server, s3, bucket):
    """ListMultipartUploads as S3 pages it: max-uploads, NextKeyMarker and
    NextUploadIdMarker (boto3's paginator follows them), key-marker alone
    and with upload-id-marker, prefix, and a delimiter's CommonPrefixes."""
    created = []
    for key in ("dir/a", "dir/a", "dir/b", "top", "top", "deep/x/y"):
        uid = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        created.append((key, uid))
    try:
        everything = sorted(created)
        pages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": 2})
        seen, page_count = [], 0
        for page in pages:
            page_count += 1
            assert len(page.get("Uploads", [])) <= 2
            if page["IsTruncated"]:
                last = page["Uploads"][-1]
                assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == (
                    last["Key"], last["UploadId"])
            seen += [(u["Key"], u["UploadId"]) for u in page.get("Uploads", [])]
        assert seen == everything
        assert page_count == 3

        first_a = min(uid for key, uid in created if key == "dir/a")
        after_key = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="dir/a")
        assert [(u["Key"], u["UploadId"]) for u in after_key["Uploads"]] == [
            c for c in everything if c[0] > "dir/a"]
        after_upload = s3.list_multipart_uploads(
            Bucket=bucket, KeyMarker="dir/a", UploadIdMarker=first_a)
        assert [(u["Key"], u["UploadId"]) for u in after_upload["Uploads"]] == [
            c for c in everything if c > ("dir/a", first_a)]

        prefixed = s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/")
        assert [u["Key"] for u in prefixed["Uploads"]] == ["dir/a", "dir/a", "dir/b"]

        rolled = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
        assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["deep/", "dir/"]
        assert [u["Key"] for u in rolled["Uploads"]] == ["top", "top"]

        with pytest.raises(ClientError) as ei:
            s3.list_multipart_uploads(Bucket=bucket, MaxUploads=-1)
        assert client_error(ei) == (400, "InvalidArgument")
    finally:
        for key, uid in created:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)


def test_upload_says_encrypted(server, s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="sse")
    assert up["ServerSideEncryption"] == "AES256"
    part = s3.upload_part(Bucket=bucket, Key="sse", UploadId=up["UploadId"],
                          PartNumber=1, Body=b"x")
    assert part["ServerSideEncryption"] == "AES256"
    done = _complete(s3, bucket, "sse", up["UploadId"], [part["ETag"]])
    assert done["ServerSideEncryption"] == "AES256"
    again = _complete(s3, bucket, "sse", up["UploadId"], [part["ETag"]])
    assert again["ServerSideEncryption"] == "AES256"


def test_no_such_upload(server, s3, bucket):
    bogus = "bogus-upload-id-0000"
    with pytest.raises(ClientError) as ei:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=bogus, PartNumber=1,
                       Body=b"x")
    assert client_error(ei) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "k", bogus, ['"%s"' % md5_hex(b"x")])
    assert client_error(ei) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as ei:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=bogus)
    assert client_error(ei) == (404, "NoSuchUpload")
    r = server.request("PUT", object_path(bucket, "k"),
                       query=[("partNumber", "1"), ("uploadId", bogus)],
                       body=b"x")
    assert_s3_error(r, 404, "NoSuchUpload")


def test_upload_id_bound_to_key(server, s3, bucket):
    uid, etags = _upload(s3, bucket, "key-a", [b"abc"])
    with pytest.raises(ClientError) as ei:
        s3.upload_part(Bucket=bucket, Key="key-b", UploadId=uid, PartNumber=1,
                       Body=b"x")
    assert client_error(ei) == (404, "NoSuchUpload")
    s3.abort_multipart_upload(Bucket=bucket, Key="key-a", UploadId=uid)


def test_invalid_part_wrong_etag(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "ip", [parts[0], b"tail"])
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "ip", uid, [etags[0], '"%s"' % md5_hex(b"other")])
    assert client_error(ei) == (400, "InvalidPart")
    # Part never uploaded (part 2 listed but only 1 and 2 exist: ask for 3;
    # every listed non-last part is >= 5 MiB so only InvalidPart applies).
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "ip", uid, [etags[0], etags[0]],
                  numbers=[1, 3])
    assert client_error(ei) == (400, "InvalidPart")
    # The upload is still usable after a failed completion.
    r = _complete(s3, bucket, "ip", uid, etags)
    assert r["ETag"] == multipart_etag([parts[0], b"tail"])


def test_invalid_part_order(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "ord", [parts[0], parts[1]])
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "ord", uid, [etags[1], etags[0]],
                  numbers=[2, 1])
    assert client_error(ei) == (400, "InvalidPartOrder")
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "ord", uid, [etags[0], etags[0]],
                  numbers=[1, 1])
    assert client_error(ei)[0] == 400
    assert client_error(ei)[1] in ("InvalidPartOrder", "InvalidPart")
    s3.abort_multipart_upload(Bucket=bucket, Key="ord", UploadId=uid)


def test_entity_too_small(server, s3, bucket):
    small = rnd(1 * MiB, 5)
    uid, etags = _upload(s3, bucket, "small", [small, b"last"])
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "small", uid, etags)
    assert client_error(ei) == (400, "EntityTooSmall")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="small")
    assert client_error(ei)[0] == 404
    # Exactly 5 MiB is fine.
    uid2, etags2 = _upload(s3, bucket, "small5", [rnd(5 * MiB, 6), b"last"])
    _complete(s3, bucket, "small5", uid2, etags2)
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)


def test_complete_malformed_xml(server, s3, bucket):
    uid, _ = _upload(s3, bucket, "mx", [b"abc"])
    r = server.request("POST", object_path(bucket, "mx"),
                       query=[("uploadId", uid)], body=b"<Complete")
    assert_s3_error(r, 400, "MalformedXML")
    s3.abort_multipart_upload(Bucket=bucket, Key="mx", UploadId=uid)


def test_invalid_part_number(server, s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="pn")
    uid = up["UploadId"]
    for pn in ("0", "10001"):
        r = server.request("PUT", object_path(bucket, "pn"),
                           query=[("partNumber", pn), ("uploadId", uid)],
                           body=b"x")
        assert r.status == 400, (pn, r)
        assert r.error_code() in ("InvalidArgument",), (pn, r)
    s3.abort_multipart_upload(Bucket=bucket, Key="pn", UploadId=uid)


def test_boto3_managed_transfer(server, s3, bucket):
    data = rnd(17 * MiB + 5, 11)
    cfg = TransferConfig(multipart_threshold=5 * MiB,
                         multipart_chunksize=5 * MiB, max_concurrency=4)
    s3.upload_fileobj(io.BytesIO(data), bucket, "managed", Config=cfg)
    chunks = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert len(chunks) == 4
    h = s3.head_object(Bucket=bucket, Key="managed")
    assert h["ETag"] == multipart_etag(chunks)
    assert h["ContentLength"] == len(data)
    out = io.BytesIO()
    s3.download_fileobj(bucket, "managed", out, Config=cfg)
    assert hashlib.sha256(out.getvalue()).digest() == \
        hashlib.sha256(data).digest()


def test_parts_survive_restart(server, s3, bucket, parts):
    uid, etags = _upload(s3, bucket, "rs", parts[:2])
    server.restart()
    c = server.client()
    e3 = c.upload_part(Bucket=bucket, Key="rs", UploadId=uid, PartNumber=3,
                       Body=parts[2])["ETag"]
    r = _complete(c, bucket, "rs", uid, etags + [e3])
    assert r["ETag"] == multipart_etag(parts)
    body = c.get_object(Bucket=bucket, Key="rs")["Body"].read()
    assert body == b"".join(parts)


# ------------------------------------------------------------ UploadPartCopy

def _copy_part(s3, bucket, key, uid, n, src_bucket, src_key, rng=None, **kw):
    if rng is not None:
        kw["CopySourceRange"] = "bytes=%d-%d" % rng
    return s3.upload_part_copy(Bucket=bucket, Key=key, UploadId=uid,
                               PartNumber=n, CopySource={"Bucket": src_bucket,
                                                         "Key": src_key},
                               **kw)


def _raw_copy_part(server, bucket, key, uid, n, source, headers=None):
    h = {"x-amz-copy-source": source}
    h.update(headers or {})
    return server.request("PUT", object_path(bucket, key),
                          query=[("partNumber", str(n)), ("uploadId", uid)],
                          headers=h, body=b"")


def _parts_listed(s3, bucket, key, uid):
    return [(p["PartNumber"], p["ETag"], p["Size"]) for p in
            s3.list_parts(Bucket=bucket, Key=key, UploadId=uid).get("Parts", [])]


def test_upload_part_copy_ranges_and_whole(server, s3, bucket, parts):
    # Sources: a plain 12 MiB object, and a multipart one whose range
    # crosses its own part boundary; the copied parts then complete, list
    # and read back (by range and by partNumber) like uploaded ones.
    plain = rnd(12 * MiB + 7, 20)
    s3.put_object(Bucket=bucket, Key="src", Body=plain)
    uid0, etags0 = _upload(s3, bucket, "mpsrc", parts)
    _complete(s3, bucket, "mpsrc", uid0, etags0)
    mpsrc = b"".join(parts)
    tail = b"small whole object as the last part"
    s3.put_object(Bucket=bucket, Key="tail", Body=tail)

    up = s3.create_multipart_upload(Bucket=bucket, Key="pc")
    uid = up["UploadId"]
    b1 = len(parts[0])
    expected = [plain[0:5 * MiB],                      # range of a plain object
                mpsrc[b1 - 3 * MiB:b1 + 3 * MiB],      # across two parts
                plain[7 * MiB:],                       # up to the last byte
                tail]                                  # whole object, no range
    r1 = _copy_part(s3, bucket, "pc", uid, 1, bucket, "src", (0, 5 * MiB - 1))
    r2 = _copy_part(s3, bucket, "pc", uid, 2, bucket, "mpsrc",
                    (b1 - 3 * MiB, b1 + 3 * MiB - 1))
    r3 = _copy_part(s3, bucket, "pc", uid, 3, bucket, "src",
                    (7 * MiB, len(plain) - 1))
    r4 = _copy_part(s3, bucket, "pc", uid, 4, bucket, "tail")
    etags = []
    for r, data in zip((r1, r2, r3, r4), expected):
        res = r["CopyPartResult"]
        assert res["ETag"] == '"%s"' % md5_hex(data)
        assert isinstance(res["LastModified"], datetime.datetime)
        assert r["ServerSideEncryption"] == "AES256"
        etags.append(res["ETag"])
    assert _parts_listed(s3, bucket, "pc", uid) == [
        (i, e, len(d)) for i, (e, d) in enumerate(zip(etags, expected), 1)]
    done = _complete(s3, bucket, "pc", uid, etags)
    assert done["ETag"] == multipart_etag(expected)
    whole = b"".join(expected)
    g = s3.get_object(Bucket=bucket, Key="pc")
    assert hashlib.sha256(g["Body"].read()).digest() == \
        hashlib.sha256(whole).digest()
    for n, data in enumerate(expected, 1):
        assert s3.get_object(Bucket=bucket, Key="pc", PartNumber=n)[
            "Body"].read() == data, n
    # The sources are untouched.
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == plain


def test_upload_part_copy_response_xml_and_replace(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"first")
    s3.put_object(Bucket=bucket, Key="b", Body=b"second")
    uid = s3.create_multipart_upload(Bucket=bucket, Key="x")["UploadId"]
    r = _raw_copy_part(server, bucket, "x", uid, 1, "/%s/a" % bucket)
    assert r.status == 200, r
    assert xml_text(r.body, "ETag") == '"%s"' % md5_hex(b"first")
    assert b"<CopyPartResult" in r.body
    lm = xml_text(r.body, "LastModified")
    assert lm and lm.endswith("Z") and "T" in lm
    # Copying onto an existing part number replaces it, as UploadPart does.
    e = _copy_part(s3, bucket, "x", uid, 1, bucket, "b")[
        "CopyPartResult"]["ETag"]
    assert _parts_listed(s3, bucket, "x", uid) == [(1, e, 6)]
    _complete(s3, bucket, "x", uid, [e])
    assert s3.get_object(Bucket=bucket, Key="x")["Body"].read() == b"second"


def test_upload_part_copy_small_parts_fail_completion(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=rnd(2 * MiB, 21))
    uid = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    e1 = _copy_part(s3, bucket, "small", uid, 1, bucket, "src",
                    (0, MiB - 1))["CopyPartResult"]["ETag"]
    e2 = _copy_part(s3, bucket, "small", uid, 2, bucket, "src",
                    (MiB, 2 * MiB - 1))["CopyPartResult"]["ETag"]
    with pytest.raises(ClientError) as ei:
        _complete(s3, bucket, "small", uid, [e1, e2])
    assert client_error(ei) == (400, "EntityTooSmall")
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)


def test_upload_part_copy_invalid_ranges(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="five", Body=b"12345")
    uid = s3.create_multipart_upload(Bucket=bucket, Key="r")["UploadId"]
    src = "/%s/five" % bucket
    # Not of the form bytes=first-last (s3-tests' improper ranges and more).
    for bad in ("0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar",
                "bytes=hello-", "bytes=0-2,3-5", "bytes=-2", "bytes=2-"):
        r = _raw_copy_part(server, bucket, "r", uid, 1, src,
                           {"x-amz-copy-source-range": bad})
        err = assert_s3_error(r, 400, "InvalidArgument")
        assert err["ArgumentName"] == "x-amz-copy-source-range", r
        assert err["ArgumentValue"] == bad, r
    # Well formed but outside the 5-byte source (or reversed).
    for bad in ((0, 21), (0, 5), (5, 5), (3, 2)):
        with pytest.raises(ClientError) as ei:
            _copy_part(s3, bucket, "r", uid, 1, bucket, "five", bad)
        assert client_error(ei) == (400, "InvalidArgument"), bad
        assert ei.value.response["Error"]["Message"] == \
            "Range specified is not valid for source object of size: 5"
    # Nothing was stored; the last byte alone is fine.
    assert _parts_listed(s3, bucket, "r", uid) == []
    e = _copy_part(s3, bucket, "r", uid, 1, bucket, "five", (4, 4))[
        "CopyPartResult"]["ETag"]
    assert e == '"%s"' % md5_hex(b"5")
    s3.abort_multipart_upload(Bucket=bucket, Key="r", UploadId=uid)


def test_upload_part_copy_conditions(server, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"cond")["ETag"]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="cd")["UploadId"]
    ok = [dict(CopySourceIfMatch=etag), dict(CopySourceIfNoneMatch='"other"'),
          dict(CopySourceIfModifiedSince=OLD),
          dict(CopySourceIfUnmodifiedSince=FUTURE),
          dict(CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=OLD)]
    for kw in ok:
        _copy_part(s3, bucket, "cd", uid, 1, bucket, "c", **kw)
    failing = [dict(CopySourceIfMatch='"bogus"'),
               dict(CopySourceIfNoneMatch=etag),
               dict(CopySourceIfModifiedSince=FUTURE),
               dict(CopySourceIfUnmodifiedSince=OLD),
               dict(CopySourceIfNoneMatch=etag, CopySourceIfModifiedSince=OLD)]
    for kw in failing:
        with pytest.raises(ClientError) as ei:
            _copy_part(s3, bucket, "cd", uid, 2, bucket, "c", **kw)
        assert client_error(ei) == (412, "PreconditionFailed"), kw
    assert [p[0] for p in _parts_listed(s3, bucket, "cd", uid)] == [1]
    s3.abort_multipart_upload(Bucket=bucket, Key="cd", UploadId=uid)


@pytest.mark.parametrize("key", ["with space", "plus+sign", "q?mark&amp=1",
                                 "üñí/çødé", "a%2Fb", "~tilde", "%00x"])
def test_upload_part_copy_encoded_source_keys(server, s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    uid = s3.create_multipart_upload(Bucket=bucket, Key=key + ".mp")["UploadId"]
    e1 = _copy_part(s3, bucket, key + ".mp", uid, 1, bucket, key)[
        "CopyPartResult"]["ETag"]
    # Raw header, fully encoded, without the leading slash; ?versionId=null.
    r = _raw_copy_part(server, bucket, key + ".mp", uid, 2,
                       "%s/%s?versionId=null" % (
                           bucket, uri_encode(key, encode_slash=False)))
    assert r.status == 200, r
    e2 = xml_text(r.body, "ETag")
    assert e1 == e2 == '"%s"' % md5_hex(key.encode())
    # (Two small parts cannot complete together: the copy made part 2 alone.)
    _complete(s3, bucket, key + ".mp", uid, [e2], numbers=[2])
    assert s3.get_object(Bucket=bucket, Key=key + ".mp")["Body"].read() == \
        key.encode()


def test_upload_part_copy_errors(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"k")
    uid = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    with pytest.raises(ClientError) as ei:
        _copy_part(s3, bucket, "e", uid, 1, bucket, "missing")
    assert client_error(ei) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as ei:
        _copy_part(s3, bucket, "e", uid, 1, bucket + "-nope", "k")
    assert client_error(ei) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        _copy_part(s3, bucket, "e", "bogus-upload-id", 1, bucket, "k")
    assert client_error(ei) == (404, "NoSuchUpload")
    for pn in ("0", "10001", "x"):
        r = _raw_copy_part(server, bucket, "e", uid, pn, "/%s/k" % bucket)
        assert_s3_error(r, 400, "InvalidArgument")
    for source in ("/%s" % bucket, "/%s/" % bucket, ""):
        r = _raw_copy_part(server, bucket, "e", uid, 1, source)
        assert_s3_error(r, 400, "InvalidArgument")
    r = _raw_copy_part(server, bucket, "e", uid, 1,
                       "/%s/k?versionId=3HL4kqtJlcpXroDTDmJ" % bucket)
    assert_s3_error(r, 400, "InvalidArgument")
    assert _parts_listed(s3, bucket, "e", uid) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="e", UploadId=uid)


def test_upload_part_copy_across_tenants(server, s3, bucket):
    cli(server, "tenant", "create", "mpbeta", "--access-key", BETA_ROOT[0],
        "--secret-key", BETA_ROOT[1])
    beta = s3_for(server, BETA_ROOT)
    own = bucket + "-beta"
    beta.create_bucket(Bucket=own)
    s3.put_object(Bucket=bucket, Key="secret", Body=b"default's data")
    beta.put_object(Bucket=own, Key="theirs", Body=b"beta's data")
    uid = beta.create_multipart_upload(Bucket=own, Key="stolen")["UploadId"]
    mine = s3.create_multipart_upload(Bucket=bucket, Key="mine")["UploadId"]
    try:
        # Another tenant's bucket as the source: refused, missing key or not.
        for key in ("secret", "never-written"):
            with pytest.raises(ClientError) as ei:
                _copy_part(beta, own, "stolen", uid, 1, bucket, key)
            assert client_error(ei) == (403, "AccessDenied"), key
        # Its upload as the destination: refused too, whatever the source.
        with pytest.raises(ClientError) as ei:
            _copy_part(beta, bucket, "mine", mine, 1, own, "theirs")
        assert client_error(ei) == (403, "AccessDenied")
        assert _parts_listed(beta, own, "stolen", uid) == []
        assert _parts_listed(s3, bucket, "mine", mine) == []
        # Once the owner grants s3:GetObject on the key, the copy works.
        canonical = cli(server, "--json", "tenant", "show", "mpbeta").json()[
            "canonical_id"]
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"CanonicalUser": canonical},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::%s/secret" % bucket}]}))
        # x-amz-source-expected-bucket-owner names the source's tenant.
        with pytest.raises(ClientError) as ei:
            _copy_part(beta, own, "stolen", uid, 1, bucket, "secret",
                       ExpectedSourceBucketOwner="mpbeta")
        assert client_error(ei) == (403, "AccessDenied")
        e = _copy_part(beta, own, "stolen", uid, 1, bucket, "secret",
                       ExpectedSourceBucketOwner="default")[
            "CopyPartResult"]["ETag"]
        _complete(beta, own, "stolen", uid, [e])
        assert beta.get_object(Bucket=own, Key="stolen")["Body"].read() == \
            b"default's data"
        with pytest.raises(ClientError) as ei:
            _copy_part(beta, bucket, "mine", mine, 1, own, "theirs")
        assert client_error(ei) == (403, "AccessDenied")
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
        s3.abort_multipart_upload(Bucket=bucket, Key="mine", UploadId=mine)
        for k in ("stolen", "theirs"):
            beta.delete_object(Bucket=own, Key=k)
        for u in beta.list_multipart_uploads(Bucket=own).get("Uploads", []):
            beta.abort_multipart_upload(Bucket=own, Key=u["Key"],
                                        UploadId=u["UploadId"])
        beta.delete_bucket(Bucket=own)

"""Object and bucket tagging: Put/Get/DeleteObjectTagging, x-amz-tagging on
PutObject, CreateMultipartUpload and CopyObject (x-amz-tagging-directive),
x-amz-tagging-count on GET/HEAD, Put/Get/DeleteBucketTagging, S3's limits
and error codes, and tag changes racing with overwrites."""

import base64
import hashlib
import random
import threading
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from s3util import assert_s3_error, client_error, md5_hex, object_path

MIB = 1024 * 1024


def tagset(pairs):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs]}


def numbered(n):
    return tagset([(str(i), str(i)) for i in range(n)])


def get_tags(s3, bucket, key):
    return [(t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]]


def tagging_xml(pairs):
    tags = "".join("<Tag><Key>%s</Key><Value>%s</Value></Tag>" % kv for kv in pairs)
    return ("<Tagging><TagSet>%s</TagSet></Tagging>" % tags).encode()


def raw_put_tagging(server, bucket, key, body, headers=None):
    h = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
    h.update(headers or {})
    path = object_path(bucket, key) if key is not None else "/" + bucket
    return server.request("PUT", path, query={"tagging": ""}, headers=h, body=body)


def assert_absent(s3, bucket, key):
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key=key)
    assert client_error(ei)[0] == 404


def expect_error(status, code, fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    assert client_error(ei) == (status, code)
    return ei.value.response


# ------------------------------------------------------------ object tags

def test_object_tagging_roundtrip(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert get_tags(s3, bucket, "k") == []
    assert "x-amz-tagging-count" not in s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]
    r = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("b", "2"), ("a", "1")]))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert get_tags(s3, bucket, "k") == [("a", "1"), ("b", "2")]  # key order
    for method in (s3.head_object, s3.get_object):
        h = method(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]
        assert h["x-amz-tagging-count"] == "2"
    # A new tag set replaces the old one whole.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("c", "3")]))
    assert get_tags(s3, bucket, "k") == [("c", "3")]
    r = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert get_tags(s3, bucket, "k") == []
    assert "x-amz-tagging-count" not in s3.get_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]
    # An empty tag set clears the tags too.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("d", "4")]))
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": []})
    assert get_tags(s3, bucket, "k") == []


def test_get_tagging_response_document(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("a b", "c+d"), ("e", "")]))
    r = server.request("GET", object_path(bucket, "k"), query={"tagging": ""})
    assert r.status == 200
    assert r.header("Content-Type") == "application/xml"
    assert b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' in r.body
    assert (b"<Tag><Key>a b</Key><Value>c+d</Value></Tag><Tag><Key>e</Key><Value></Value></Tag>"
            b"</TagSet></Tagging>") in r.body


def test_tagging_keeps_data_etag_and_last_modified(server, s3, bucket):
    small, large = b"small object", random.Random(3).randbytes(3 * MIB)
    for key, data in (("small", small), ("large", large)):
        s3.put_object(Bucket=bucket, Key=key, Body=data, Metadata={"m": "1"})
        before = s3.head_object(Bucket=bucket, Key=key)
        s3.put_object_tagging(Bucket=bucket, Key=key, Tagging=tagset([("t", "v")]))
        g = s3.get_object(Bucket=bucket, Key=key)
        assert g["Body"].read() == data
        assert g["ETag"] == before["ETag"] == '"%s"' % md5_hex(data)
        assert g["LastModified"] == before["LastModified"]
        assert g["Metadata"] == {"m": "1"}
        s3.delete_object_tagging(Bucket=bucket, Key=key)
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


def test_overwrite_starts_without_tags(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="a=1")
    assert get_tags(s3, bucket, "k") == [("a", "1")]
    s3.put_object(Bucket=bucket, Key="k", Body=b"2")
    assert get_tags(s3, bucket, "k") == []


def test_tagging_limits_accepted(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    big = [("".join(rng.choice(letters) for _ in range(128)), "".join(rng.choice(letters) for _ in range(256)))
           for _ in range(10)]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset(big))
    assert get_tags(s3, bucket, "k") == sorted(big)
    # Letters, digits and spaces beyond ASCII, the allowed symbols, empty values.
    odd = [("caf\u00e9 \u4e2d\u6587", "\u0661\u0662"), ("sym_.:/=+-@", ""), ("k", " spaced value ")]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset(odd))
    assert get_tags(s3, bucket, "k") == sorted(odd)
    # 128 characters that are 256 UTF-8 bytes.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("\u00e9" * 128, "\u00e9" * 256)]))


@pytest.mark.parametrize("tags,status,code", [
    (numbered(11), 400, "BadRequest"),
    (tagset([("k" * 129, "v")]), 400, "InvalidTag"),
    (tagset([("k", "v" * 257)]), 400, "InvalidTag"),
    (tagset([("\u00e9" * 129, "v")]), 400, "InvalidTag"),
    (tagset([("a<b", "v")]), 400, "InvalidTag"),
    (tagset([("k", "v#")]), 400, "InvalidTag"),
    (tagset([("k", "\u20ac")]), 400, "InvalidTag"),
    (tagset([("aws:reserved", "v")]), 400, "InvalidTag"),
    (tagset([("k", "1"), ("k", "2")]), 400, "InvalidTag"),
])
def test_tagging_limits_refused(server, s3, bucket, tags, status, code):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="kept=yes")
    expect_error(status, code, s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=tags)
    assert get_tags(s3, bucket, "k") == [("kept", "yes")]


def test_too_many_tags_message(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    r = expect_error(400, "BadRequest", s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=numbered(11))
    assert r["Error"]["Message"] == "Object tags cannot be greater than 10"


def test_empty_key_refused(server, s3, bucket):
    # boto3 refuses an empty key itself: sent raw.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert_s3_error(raw_put_tagging(server, bucket, "k", tagging_xml([("", "v")])), 400, "InvalidTag")


@pytest.mark.parametrize("body", [
    b"<Tagging><TagSet>",
    b"not xml",
    b"<Tagging/>",
    b"<Other><TagSet/></Other>",
    b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
    b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
])
def test_malformed_tagging_document(server, s3, bucket, body):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert_s3_error(raw_put_tagging(server, bucket, "k", body), 400, "MalformedXML")
    assert_s3_error(raw_put_tagging(server, bucket, None, body), 400, "MalformedXML")


def test_tagging_body_digest(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    body = tagging_xml([("a", "1")])
    r = raw_put_tagging(server, bucket, "k", body, {"Content-MD5": base64.b64encode(b"0" * 16).decode()})
    assert_s3_error(r, 400, "BadDigest")
    r = raw_put_tagging(server, bucket, "k", body, {"Content-MD5": "not base64!"})
    assert_s3_error(r, 400, "InvalidDigest")
    assert get_tags(s3, bucket, "k") == []
    # The namespace is optional, and so is Content-MD5.
    ns = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>'
          b'<Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>')
    r = server.request("PUT", object_path(bucket, "k"), query={"tagging": ""}, body=ns)
    assert r.status == 200, r
    assert get_tags(s3, bucket, "k") == [("a", "1")]


def test_tagging_missing_object_or_bucket(server, s3, bucket):
    expect_error(404, "NoSuchKey", s3.get_object_tagging, Bucket=bucket, Key="absent")
    expect_error(404, "NoSuchKey", s3.put_object_tagging, Bucket=bucket, Key="absent", Tagging=tagset([("a", "1")]))
    expect_error(404, "NoSuchKey", s3.delete_object_tagging, Bucket=bucket, Key="absent")
    expect_error(404, "NoSuchBucket", s3.get_object_tagging, Bucket=bucket + "-none", Key="k")
    # Tagging never creates the object.
    assert_absent(s3, bucket, "absent")


def test_tagging_method_not_allowed(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    r = server.request("POST", object_path(bucket, "k"), query={"tagging": ""}, body=b"")
    assert_s3_error(r, 405, "MethodNotAllowed")


# ------------------------------------------------------------ x-amz-tagging

def test_put_object_with_tagging_header(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"A" * 100, Tagging="foo=bar&bar")
    assert get_tags(s3, bucket, "k") == [("bar", ""), ("foo", "bar")]
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    enc = urllib.parse.urlencode({"with space": "caf\u00e9 +/=", "b": "2"})
    s3.put_object(Bucket=bucket, Key="enc", Body=b"x", Tagging=enc)
    assert get_tags(s3, bucket, "enc") == [("b", "2"), ("with space", "caf\u00e9 +/=")]


@pytest.mark.parametrize("header,status,code", [
    ("a=1&a=2", 400, "InvalidArgument"),
    ("a=b=c", 400, "InvalidArgument"),
    ("a=%zz", 400, "InvalidArgument"),
    ("&".join("k%d=v" % i for i in range(11)), 400, "BadRequest"),
    ("k=%3C", 400, "InvalidTag"),
    ("%s=v" % ("k" * 129), 400, "InvalidTag"),
])
def test_put_object_tagging_header_refused(server, s3, bucket, header, status, code):
    expect_error(status, code, s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging=header)
    assert_absent(s3, bucket, "k")
    expect_error(status, code, s3.create_multipart_upload, Bucket=bucket, Key="m", Tagging=header)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_multipart_tags_applied_at_completion(server, s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="Hello=World&foo=bar")
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"p" * 10)
    # Not visible before completion.
    expect_error(404, "NoSuchKey", s3.get_object_tagging, Bucket=bucket, Key="mp")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert get_tags(s3, bucket, "mp") == [("Hello", "World"), ("foo", "bar")]
    s3.delete_object_tagging(Bucket=bucket, Key="mp")
    assert get_tags(s3, bucket, "mp") == []
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"p" * 10


def test_copy_tagging_directive(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source", Tagging="a=1&b=2")
    src = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=src)
    assert get_tags(s3, bucket, "copy") == [("a", "1"), ("b", "2")]
    s3.copy_object(Bucket=bucket, Key="explicit", CopySource=src, TaggingDirective="COPY", Tagging="ignored=1")
    assert get_tags(s3, bucket, "explicit") == [("a", "1"), ("b", "2")]
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=src, TaggingDirective="REPLACE", Tagging="c=3")
    assert get_tags(s3, bucket, "replaced") == [("c", "3")]
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource=src, TaggingDirective="REPLACE")
    assert get_tags(s3, bucket, "cleared") == []
    assert s3.get_object(Bucket=bucket, Key="replaced")["Body"].read() == b"source"
    expect_error(400, "InvalidArgument", s3.copy_object, Bucket=bucket, Key="bad", CopySource=src,
                 TaggingDirective="MERGE")
    expect_error(400, "BadRequest", s3.copy_object, Bucket=bucket, Key="bad", CopySource=src,
                 TaggingDirective="REPLACE", Tagging="&".join("k%d=v" % i for i in range(11)))
    assert_absent(s3, bucket, "bad")
    # The source keeps its tags.
    assert get_tags(s3, bucket, "src") == [("a", "1"), ("b", "2")]


def test_tags_survive_restart(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("durable", "yes")]))
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tagset([("team", "storage")]))
    server.restart()
    s3 = server.client()
    assert get_tags(s3, bucket, "k") == [("durable", "yes")]
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "storage"}]


def test_tagging_races_with_overwrites(server, s3, bucket):
    """PutObjectTagging re-commits the object record with a compare-and-set:
    racing with PUTs of the same key it never brings back an older body, and
    the object always reads whole."""
    bodies = [("body-%d-" % i).encode() * (2000 + i) for i in range(12)]
    s3.put_object(Bucket=bucket, Key="k", Body=bodies[0])
    errors = []
    stop = threading.Event()

    def tagger():
        c = server.client()
        i = 0
        while not stop.is_set():
            i += 1
            try:
                c.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset([("n", str(i))]))
            except Exception as e:  # noqa: BLE001
                errors.append(e)
                return

    t = threading.Thread(target=tagger)
    t.start()
    try:
        for i, body in enumerate(bodies[1:], 1):
            s3.put_object(Bucket=bucket, Key="k", Body=body)
            g = s3.get_object(Bucket=bucket, Key="k")
            got = g["Body"].read()
            # Nothing older than this PUT can come back.
            assert got == body, "after PUT %d read a body of %d bytes" % (i, len(got))
            assert g["ETag"] == '"%s"' % md5_hex(body)
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == bodies[-1]


# ------------------------------------------------------------ bucket tags

def test_bucket_tagging_roundtrip(server, s3, bucket):
    r = expect_error(404, "NoSuchTagSet", s3.get_bucket_tagging, Bucket=bucket)
    assert r["Error"].get("BucketName") == bucket
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tagset([("Hello", "World")]))
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "Hello", "Value": "World"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging=numbered(50))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    r = s3.delete_bucket_tagging(Bucket=bucket)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error(404, "NoSuchTagSet", s3.get_bucket_tagging, Bucket=bucket)
    # Bucket tags are not object tags.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tagset([("b", "1")]))
    assert get_tags(s3, bucket, "k") == []


@pytest.mark.parametrize("tags,code", [
    (numbered(51), "BadRequest"),
    (tagset([("k" * 129, "v")]), "InvalidTag"),
    (tagset([("k", "1"), ("k", "2")]), "InvalidTag"),
    (tagset([("k", "a*b")]), "InvalidTag"),
])
def test_bucket_tagging_refused(server, s3, bucket, tags, code):
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tagset([("kept", "yes")]))
    expect_error(400, code, s3.put_bucket_tagging, Bucket=bucket, Tagging=tags)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "kept", "Value": "yes"}]


def test_bucket_tagging_missing_bucket(server, s3):
    expect_error(404, "NoSuchBucket", s3.get_bucket_tagging, Bucket="no-such-bucket-tagging")
    expect_error(404, "NoSuchBucket", s3.put_bucket_tagging, Bucket="no-such-bucket-tagging",
                 Tagging=tagset([("a", "1")]))
    expect_error(404, "NoSuchBucket", s3.delete_bucket_tagging, Bucket="no-such-bucket-tagging")


def test_awscli_object_tagging(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    server.aws("s3api", "put-object-tagging", "--bucket", bucket, "--key", "k",
               "--tagging", "TagSet=[{Key=cli,Value=yes}]")
    out = server.aws("s3api", "get-object-tagging", "--bucket", bucket, "--key", "k").stdout
    assert '"cli"' in out and '"yes"' in out

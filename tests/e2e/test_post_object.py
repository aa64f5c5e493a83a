"""POST object: browser form uploads (POST /bucket, multipart/form-data)
signed with boto3's generate_presigned_post (SigV4 policy), Signature V2
policies as older clients and ceph s3-tests send them, and anonymous forms
to a public-write bucket. Covers the success answers (204, 200, 201 with
PostResponse, 303 redirect), policy expiry and conditions, extra fields,
content-length-range, ${filename}, object settings carried by the form
(Content-Type, metadata, ACL, tagging) and a multi-MiB file streamed."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

import pytest
import requests

from s3util import md5_hex, parse_error

BOUNDARY = "----confiance-e2e-7MA4YWxkTrZu0gW"


def form_body(parts, boundary=BOUNDARY):
    """multipart/form-data from ordered (name, value) pairs; a value that is
    a (filename, bytes) tuple is a file part."""
    out = []
    for name, value in parts:
        out.append(b"--" + boundary.encode() + b"\r\n")
        if isinstance(value, tuple):
            filename, data = value
            out.append(('Content-Disposition: form-data; name="%s"; filename="%s"\r\n'
                        "Content-Type: application/octet-stream\r\n\r\n" % (name, filename)).encode())
        else:
            out.append(('Content-Disposition: form-data; name="%s"\r\n\r\n' % name).encode())
            data = value.encode() if isinstance(value, str) else value
        out.append(data + b"\r\n")
    out.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(out)


def post_form(url, fields, file=("f.bin", b"hello"), after=(), **kw):
    """POSTs `fields` (a dict or pair list) then the file, then `after`."""
    parts = list(fields.items()) if isinstance(fields, dict) else list(fields)
    if file is not None:
        parts.append(("file", file))
    parts.extend(after)
    headers = {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY}
    return requests.post(url, data=form_body(parts), headers=headers, allow_redirects=False,
                         timeout=120, **kw)


def error_of(r):
    err = parse_error(r.content)
    return r.status_code, err.get("Code"), err.get("Message")


def presigned(s3, bucket, key, fields=None, conditions=None, expires=600):
    p = s3.generate_presigned_post(Bucket=bucket, Key=key, Fields=fields, Conditions=conditions,
                                   ExpiresIn=expires)
    return p["url"], dict(p["fields"])


def test_presigned_post_stores_the_file_and_answers_204(server, s3, bucket):
    url, fields = presigned(s3, bucket, "docs/a.txt")
    assert set(fields) >= {"key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
                           "x-amz-signature"}
    r = post_form(url, fields, file=("a.txt", b"hello form"))
    assert r.status_code == 204, r.content
    assert r.content == b""
    assert r.headers["ETag"] == '"%s"' % md5_hex(b"hello form")
    assert r.headers["Location"].endswith("/%s/docs/a.txt" % bucket)
    got = s3.get_object(Bucket=bucket, Key="docs/a.txt")
    assert got["Body"].read() == b"hello form"
    assert got["ETag"] == r.headers["ETag"]


def test_success_action_status_201_and_200(server, s3, bucket):
    url, fields = presigned(s3, bucket, "k201", fields={"success_action_status": "201"},
                            conditions=[{"success_action_status": "201"}])
    r = post_form(url, fields, file=("x", b"abc"))
    assert r.status_code == 201, r.content
    doc = ET.fromstring(r.content)
    assert doc.tag == "PostResponse"
    assert doc.find("Bucket").text == bucket
    assert doc.find("Key").text == "k201"
    assert doc.find("ETag").text == '"%s"' % md5_hex(b"abc")
    assert doc.find("Location").text.endswith("/%s/k201" % bucket)

    url, fields = presigned(s3, bucket, "k200", fields={"success_action_status": "200"},
                            conditions=[{"success_action_status": "200"}])
    r = post_form(url, fields)
    assert r.status_code == 200 and r.content == b""
    # Any other value is the default, 204.
    url, fields = presigned(s3, bucket, "k404", fields={"success_action_status": "404"},
                            conditions=[{"success_action_status": "404"}])
    assert post_form(url, fields).status_code == 204


def test_success_action_redirect(server, s3, bucket):
    target = "http://app.example/done?from=form"
    url, fields = presigned(s3, bucket, "dir/r k.txt", fields={"success_action_redirect": target},
                            conditions=[["starts-with", "$success_action_redirect", "http://app.example/"]])
    r = post_form(url, fields, file=("r.txt", b"redirected"))
    assert r.status_code == 303, r.content
    etag = md5_hex(b"redirected")
    loc = r.headers["Location"]
    assert loc.startswith(target + "&")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    assert q == {"from": ["form"], "bucket": [bucket], "key": ["dir/r k.txt"], "etag": ['"%s"' % etag]}
    assert "etag=%22" + etag + "%22" in loc
    assert s3.get_object(Bucket=bucket, Key="dir/r k.txt")["Body"].read() == b"redirected"


def test_expired_policy_is_refused(server, s3, bucket):
    url, fields = presigned(s3, bucket, "late", expires=-60)
    r = post_form(url, fields)
    assert error_of(r) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_condition_failure_and_extra_fields(server, s3, bucket):
    url, fields = presigned(s3, bucket, "allowed")
    tampered = dict(fields, key="elsewhere")
    status, code, message = error_of(post_form(url, tampered))
    assert (status, code) == (403, "AccessDenied")
    assert message == 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "allowed"]'

    extra = dict(fields, **{"x-amz-meta-color": "blue"})
    assert error_of(post_form(url, extra)) == (
        403, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-color")
    # x-ignore-* fields need no condition; the unchanged form still works.
    ignored = dict(fields, **{"x-ignore-note": "anything"})
    assert post_form(url, ignored).status_code == 204
    assert "Contents" in s3.list_objects_v2(Bucket=bucket, Prefix="allowed")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="elsewhere")


def test_bad_signature_and_unknown_key(server, s3, bucket):
    url, fields = presigned(s3, bucket, "sig")
    sig = fields["x-amz-signature"]
    bad = dict(fields, **{"x-amz-signature": ("0" if sig[0] != "0" else "1") + sig[1:]})
    assert error_of(post_form(url, bad))[:2] == (403, "SignatureDoesNotMatch")
    stranger = server.client(access_key="NOSUCHACCESSKEY00001", secret_key="x" * 40)
    url, fields = presigned(stranger, bucket, "sig")
    assert error_of(post_form(url, fields))[:2] == (403, "InvalidAccessKeyId")


def test_content_length_range(server, s3, bucket):
    url, fields = presigned(s3, bucket, "sized", conditions=[["content-length-range", 5, 10]])
    status, code, _ = error_of(post_form(url, fields, file=("s", b"abc")))
    assert (status, code) == (400, "EntityTooSmall")
    status, code, _ = error_of(post_form(url, fields, file=("s", b"x" * 11)))
    assert (status, code) == (400, "EntityTooLarge")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert post_form(url, fields, file=("s", b"x" * 10)).status_code == 204
    assert s3.head_object(Bucket=bucket, Key="sized")["ContentLength"] == 10


def test_disjoint_content_length_ranges_refuse_every_size(server, s3, bucket):
    # Each condition must hold (S3 checks them one by one), so ranges that do
    # not overlap admit no file: every size is too small for one or too large
    # for the other, and nothing is stored.
    url, fields = presigned(s3, bucket, "never", conditions=[["content-length-range", 11, 20],
                                                              ["content-length-range", 2, 10]])
    assert error_of(post_form(url, fields, file=("s", b"x" * 10)))[:2] == (400, "EntityTooSmall")
    assert error_of(post_form(url, fields, file=("s", b"x" * 11)))[:2] == (400, "EntityTooLarge")
    assert error_of(post_form(url, fields, file=("s", b"x" * 2)))[:2] == (400, "EntityTooSmall")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_key_from_filename(server, s3, bucket):
    url, fields = presigned(s3, bucket, "uploads/${filename}")
    r = post_form(url, fields, file=("photo 1.png", b"\x89PNG"))
    assert r.status_code == 204, r.content
    assert s3.get_object(Bucket=bucket, Key="uploads/photo 1.png")["Body"].read() == b"\x89PNG"


def test_form_fields_set_object_settings(server, s3, bucket):
    tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
    extra = {"Content-Type": "text/plain", "x-amz-meta-color": "blue", "acl": "public-read",
             "tagging": tagging, "x-amz-storage-class": "STANDARD", "Cache-Control": "max-age=60"}
    conditions = [["starts-with", "$Content-Type", "text/"], {"x-amz-meta-color": "blue"}, {"acl": "public-read"},
                  {"tagging": tagging}, {"x-amz-storage-class": "STANDARD"}, ["eq", "$Cache-Control", "max-age=60"]]
    url, fields = presigned(s3, bucket, "settings", fields=extra, conditions=conditions)
    # A field after the file is ignored, as S3 does (it needs no condition).
    r = post_form(url, fields, file=("s.txt", b"set"), after=[("x-amz-meta-late", "ignored")])
    assert r.status_code == 204, r.content
    head = s3.head_object(Bucket=bucket, Key="settings")
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"color": "blue"}
    assert head["CacheControl"] == "max-age=60"
    assert s3.get_object_tagging(Bucket=bucket, Key="settings")["TagSet"] == [{"Key": "k", "Value": "v"}]
    grants = s3.get_object_acl(Bucket=bucket, Key="settings")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in grants)
    # The public-read ACL took effect: an anonymous GET succeeds.
    assert requests.get("%s/%s/settings" % (server.endpoint, bucket), timeout=30).content == b"set"

    bad_conditions = conditions[:4] + [{"x-amz-storage-class": "GLACIER"}, conditions[5]]
    url, bad = presigned(s3, bucket, "settings2", fields=dict(extra, **{"x-amz-storage-class": "GLACIER"}),
                         conditions=bad_conditions)
    assert error_of(post_form(url, bad))[:2] == (400, "InvalidStorageClass")


def test_large_file_is_streamed(server, s3, bucket):
    data = os.urandom(3 * 1024 * 1024 + 12345)
    url, fields = presigned(s3, bucket, "big.bin", conditions=[["content-length-range", 0, 5 * 1024 * 1024]])
    r = post_form(url, fields, file=("big.bin", data))
    assert r.status_code == 204, r.content
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data


def test_anonymous_form_needs_public_write(server, s3):
    public = "post-public-%s" % os.urandom(4).hex()
    private = "post-private-%s" % os.urandom(4).hex()
    s3.create_bucket(Bucket=public, ACL="public-read-write")
    s3.create_bucket(Bucket=private)
    url = "%s/%s" % (server.endpoint, public)
    r = post_form(url, {"key": "anon.txt", "Content-Type": "text/plain"}, file=("anon.txt", b"anon"))
    assert r.status_code == 204, r.content
    assert s3.get_object(Bucket=public, Key="anon.txt")["Body"].read() == b"anon"
    r = post_form("%s/%s" % (server.endpoint, private), {"key": "anon.txt"})
    assert error_of(r)[:2] == (403, "AccessDenied")
    assert "Contents" not in s3.list_objects_v2(Bucket=private)


def test_signature_v2_policy(server, s3, bucket):
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10))
    policy = base64.b64encode(json.dumps({
        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [{"bUcKeT": bucket}, ["StArTs-WiTh", "$KeY", "v2/"], {"acl": "private"},
                       ["content-length-range", 0, 1024]]}).encode())
    signature = base64.b64encode(hmac.new(server.secret_key.encode(), policy, hashlib.sha1).digest())
    fields = [("kEy", "v2/obj"), ("AWSAccessKeyId", server.access_key), ("acl", "private"),
              ("signature", signature), ("Policy", policy)]
    r = post_form("%s/%s" % (server.endpoint, bucket), fields, file=("x", b"v2 body"))
    assert r.status_code == 204, r.content
    assert s3.get_object(Bucket=bucket, Key="v2/obj")["Body"].read() == b"v2 body"
    wrong = [(n, v if n != "signature" else base64.b64encode(b"\0" * 20)) for n, v in fields]
    assert error_of(post_form("%s/%s" % (server.endpoint, bucket), wrong))[:2] == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("case", ["no_file", "no_key", "not_multipart", "fields_too_large", "bad_policy",
                                  "policy_without_signature", "no_bucket"])
def test_malformed_forms(server, s3, bucket, case):
    url, fields = presigned(s3, bucket, "m")
    if case == "no_file":
        r = post_form(url, fields, file=None)
        assert error_of(r)[:2] == (400, "IncorrectNumberOfFilesInPostRequest")
    elif case == "no_key":
        r = post_form(url, {k: v for k, v in fields.items() if k != "key"})
        status, code, message = error_of(r)
        assert (status, code) == (400, "InvalidArgument") and "'key'" in message
    elif case == "not_multipart":
        r = requests.post(url, data=fields, timeout=30)
        assert error_of(r)[:2] == (412, "PreconditionFailed")
    elif case == "fields_too_large":
        r = post_form(url, dict(fields, **{"x-ignore-pad": "p" * (21 * 1024)}))
        assert error_of(r)[:2] == (400, "MaxPostPreDataLengthExceeded")
    elif case == "bad_policy":
        # A validly signed policy whose expiration is not ISO 8601.
        doc = {"expiration": "tomorrow", "conditions": [{"bucket": bucket}]}
        r = post_form(url, sign_v2(server, doc, [("key", "m")]))
        assert error_of(r)[:2] == (400, "InvalidPolicyDocument")
    elif case == "policy_without_signature":
        r = post_form(url, {k: v for k, v in fields.items() if k != "x-amz-signature"})
        status, code, message = error_of(r)
        assert (status, code) == (400, "InvalidArgument") and "x-amz-signature" in message
    elif case == "no_bucket":
        r = post_form("%s/%s" % (server.endpoint, "no-such-bucket-post"), fields)
        assert error_of(r)[:2] == (404, "NoSuchBucket")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def sign_v2(server, doc, fields):
    policy = base64.b64encode(json.dumps(doc).encode())
    signature = base64.b64encode(hmac.new(server.secret_key.encode(), policy, hashlib.sha1).digest())
    return list(fields) + [("AWSAccessKeyId", server.access_key), ("signature", signature), ("policy", policy)]


def test_file_checksum_field(server, s3, bucket):
    data = b"checked " * 1000
    url, fields = presigned(s3, bucket, "ck")
    good = base64.b64encode(hashlib.sha256(data).digest()).decode()
    r = post_form(url, dict(fields, **{"x-amz-checksum-sha256": good}), file=("c", data))
    assert r.status_code == 204, r.content
    good1 = base64.b64encode(hashlib.sha1(data).digest()).decode()
    assert post_form(url, dict(fields, **{"x-amz-checksum-sha1": good1}), file=("c", data)).status_code == 204
    s3.delete_object(Bucket=bucket, Key="ck")
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert error_of(post_form(url, dict(fields, **{"x-amz-checksum-sha256": wrong}), file=("c", data)))[:2] == (
        400, "BadDigest")
    assert error_of(post_form(url, dict(fields, **{"x-amz-checksum-sha256": "sailorjerry"})))[:2] == (
        400, "InvalidRequest")
    # The CRCs too: CRC32 (zlib) and CRC64NVME, right and wrong.
    crc32 = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    assert post_form(url, dict(fields, **{"x-amz-checksum-crc32": crc32}), file=("c", data)).status_code == 204
    s3.delete_object(Bucket=bucket, Key="ck")
    c = 0xFFFFFFFFFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x9A6C9329AC4BC9B5 if c & 1 else c >> 1
    crc64 = (c ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
    assert post_form(url, dict(fields, **{"x-amz-checksum-crc64nvme": base64.b64encode(crc64).decode()}),
                     file=("c", data)).status_code == 204
    s3.delete_object(Bucket=bucket, Key="ck")
    flipped = base64.b64encode(bytes([crc64[0] ^ 1]) + crc64[1:]).decode()
    assert error_of(post_form(url, dict(fields, **{"x-amz-checksum-crc64nvme": flipped}), file=("c", data)))[:2] == (
        400, "BadDigest")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)

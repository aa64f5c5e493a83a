"""Server-side encryption interfaces (docs/encryption.md): SSE-C with boto3
on PutObject, GetObject (ranges, parts), HeadObject, multipart uploads and
CopyObject (both directions, re-keying); the S3 errors for a missing (400),
wrong (403) or malformed (400) customer key; SSE-S3 (AES256) on every
response; aws:kms:dsse refused with 501 NotImplemented (SSE-KMS itself is
in test_sse_kms.py); Put/Get/Delete
BucketEncryption. Last, a server run at trace log level must never write a
customer key (raw, base64 or hex) or its MD5 to its log or anywhere under
its data directory, and an SSE-C object stays unreadable without its key
after a restart."""

import base64
import hashlib
import os

import pytest
from botocore.exceptions import ClientError

from s3util import assert_s3_error, client_error, object_path

MiB = 1024 * 1024
SSE_PREFIX = "x-amz-server-side-encryption-customer-"


def new_key():
    return os.urandom(32)


def ssec(key):
    """boto3 parameters of an SSE-C request (boto3 base64-encodes the key
    and computes its MD5)."""
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def copy_ssec(key):
    return {"CopySourceSSECustomerAlgorithm": "AES256",
            "CopySourceSSECustomerKey": key}


def key_md5(key):
    return base64.b64encode(hashlib.md5(key).digest()).decode()


def raw_ssec_headers(key, md5=None):
    return {SSE_PREFIX + "algorithm": "AES256",
            SSE_PREFIX + "key": base64.b64encode(key).decode(),
            SSE_PREFIX + "key-MD5": md5 or key_md5(key)}


def assert_ssec_response(resp, key):
    h = resp["ResponseMetadata"]["HTTPHeaders"]
    assert resp.get("SSECustomerAlgorithm") == "AES256", h
    assert resp.get("SSECustomerKeyMD5") == key_md5(key), h
    assert "x-amz-server-side-encryption" not in h, h


def assert_sse_s3_response(resp):
    h = resp["ResponseMetadata"]["HTTPHeaders"]
    assert resp.get("ServerSideEncryption") == "AES256", h
    assert SSE_PREFIX + "algorithm" not in h, h


def error_of(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return client_error(ei)


def head_status(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return ei.value.response["ResponseMetadata"]["HTTPStatusCode"]


# ------------------------------------------------------------------ SSE-C

def test_put_get_head_with_customer_key(s3, bucket):
    key = new_key()
    body = os.urandom(200 * 1024 + 17)  # several packages, a blob
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, **ssec(key))
    assert_ssec_response(put, key)
    got = s3.get_object(Bucket=bucket, Key="k", **ssec(key))
    assert_ssec_response(got, key)
    assert got["Body"].read() == body
    head = s3.head_object(Bucket=bucket, Key="k", **ssec(key))
    assert_ssec_response(head, key)
    assert head["ContentLength"] == len(body)
    rng = s3.get_object(Bucket=bucket, Key="k", Range="bytes=70000-140000",
                        **ssec(key))
    assert rng["Body"].read() == body[70000:140001]
    # A small (inline) object too.
    s3.put_object(Bucket=bucket, Key="small", Body=b"tiny secret",
                  **ssec(key))
    assert s3.get_object(Bucket=bucket, Key="small",
                         **ssec(key))["Body"].read() == b"tiny secret"


def test_missing_key_is_400_invalid_request(server, s3, bucket):
    key = new_key()
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret data", **ssec(key))
    assert error_of(s3.get_object, Bucket=bucket, Key="k") == (
        400, "InvalidRequest")
    assert head_status(s3.head_object, Bucket=bucket, Key="k") == 400
    resp = server.request("GET", object_path(bucket, "k"))
    err = assert_s3_error(resp, 400, "InvalidRequest")
    assert err["Message"] == (
        "The object was stored using a form of Server Side Encryption. "
        "The correct parameters must be provided to retrieve the object.")
    assert b"secret data" not in resp.body


def test_wrong_key_is_403_access_denied(s3, bucket):
    key = new_key()
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret data", **ssec(key))
    wrong = new_key()
    assert error_of(s3.get_object, Bucket=bucket, Key="k",
                    **ssec(wrong)) == (403, "AccessDenied")
    assert head_status(s3.head_object, Bucket=bucket, Key="k",
                       **ssec(wrong)) == 403
    # A key differing in one bit only.
    near = bytes([key[0] ^ 1]) + key[1:]
    assert error_of(s3.get_object, Bucket=bucket, Key="k",
                    **ssec(near)) == (403, "AccessDenied")


def test_key_for_a_plain_object_is_400(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert error_of(s3.get_object, Bucket=bucket, Key="plain",
                    **ssec(new_key())) == (400, "InvalidRequest")


def test_malformed_customer_headers_are_400_invalid_argument(server, bucket):
    key = new_key()
    path = object_path(bucket, "bad")
    cases = [
        raw_ssec_headers(key, md5=key_md5(b"something else")),
        {SSE_PREFIX + "algorithm": "AES256",
         SSE_PREFIX + "key": base64.b64encode(key).decode()},
        {SSE_PREFIX + "algorithm": "AES128",
         SSE_PREFIX + "key": base64.b64encode(key).decode(),
         SSE_PREFIX + "key-MD5": key_md5(key)},
        raw_ssec_headers(key[:16]),
        dict(raw_ssec_headers(key), **{"x-amz-server-side-encryption":
                                       "AES256"}),
    ]
    for headers in cases:
        resp = server.request("PUT", path, headers=headers, body=b"data")
        assert_s3_error(resp, 400, "InvalidArgument")
    assert server.request("HEAD", path).status == 404


def test_sse_c_multipart(s3, bucket):
    key = new_key()
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", **ssec(key))
    assert_ssec_response(up, key)
    uid = up["UploadId"]
    p1 = os.urandom(5 * MiB)
    p2 = os.urandom(123457)
    r1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1,
                        Body=p1, **ssec(key))
    assert_ssec_response(r1, key)
    # Every part needs the upload's key.
    assert error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=uid,
                    PartNumber=2, Body=p2) == (400, "InvalidRequest")
    assert error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=uid,
                    PartNumber=2, Body=p2, **ssec(new_key())) == (
        403, "AccessDenied")
    r2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2,
                        Body=p2, **ssec(key))
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r1["ETag"]},
                                   {"PartNumber": 2, "ETag": r2["ETag"]}]})
    assert done["ResponseMetadata"]["HTTPHeaders"][
        SSE_PREFIX + "algorithm"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="mp", **ssec(key))
    assert_ssec_response(got, key)
    assert got["Body"].read() == p1 + p2
    part2 = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, **ssec(key))
    assert part2["Body"].read() == p2
    assert error_of(s3.get_object, Bucket=bucket, Key="mp") == (
        400, "InvalidRequest")
    assert error_of(s3.get_object, Bucket=bucket, Key="mp",
                    **ssec(new_key())) == (403, "AccessDenied")


def test_plain_multipart_refuses_a_customer_key_on_parts(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="plainmp")
    assert_sse_s3_response(up)
    uid = up["UploadId"]
    assert error_of(s3.upload_part, Bucket=bucket, Key="plainmp",
                    UploadId=uid, PartNumber=1, Body=b"x",
                    **ssec(new_key())) == (400, "InvalidRequest")
    r = s3.upload_part(Bucket=bucket, Key="plainmp", UploadId=uid,
                       PartNumber=1, Body=b"x")
    assert_sse_s3_response(r)
    s3.abort_multipart_upload(Bucket=bucket, Key="plainmp", UploadId=uid)


def test_copy_between_encryption_types(s3, bucket):
    k1, k2 = new_key(), new_key()
    body = os.urandom(300 * 1024)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **ssec(k1))
    # The source key is required, and must be right.
    assert error_of(s3.copy_object, Bucket=bucket, Key="dst",
                    CopySource={"Bucket": bucket, "Key": "src"}) == (
        400, "InvalidRequest")
    assert error_of(s3.copy_object, Bucket=bucket, Key="dst",
                    CopySource={"Bucket": bucket, "Key": "src"},
                    **copy_ssec(k2)) == (403, "AccessDenied")
    # SSE-C -> SSE-C under another key.
    r = s3.copy_object(Bucket=bucket, Key="c2c",
                       CopySource={"Bucket": bucket, "Key": "src"},
                       **copy_ssec(k1), **ssec(k2))
    assert_ssec_response(r, k2)
    assert s3.get_object(Bucket=bucket, Key="c2c",
                         **ssec(k2))["Body"].read() == body
    assert error_of(s3.get_object, Bucket=bucket, Key="c2c",
                    **ssec(k1)) == (403, "AccessDenied")
    # SSE-C -> SSE-S3.
    r = s3.copy_object(Bucket=bucket, Key="c2s",
                       CopySource={"Bucket": bucket, "Key": "src"},
                       **copy_ssec(k1))
    assert_sse_s3_response(r)
    got = s3.get_object(Bucket=bucket, Key="c2s")
    assert_sse_s3_response(got)
    assert got["Body"].read() == body
    # SSE-S3 -> SSE-C.
    r = s3.copy_object(Bucket=bucket, Key="s2c",
                       CopySource={"Bucket": bucket, "Key": "c2s"},
                       **ssec(k1))
    assert_ssec_response(r, k1)
    assert s3.get_object(Bucket=bucket, Key="s2c",
                         **ssec(k1))["Body"].read() == body
    assert error_of(s3.get_object, Bucket=bucket, Key="s2c") == (
        400, "InvalidRequest")
    # Re-keying in place is a copy that changes the encryption.
    s3.copy_object(Bucket=bucket, Key="src",
                   CopySource={"Bucket": bucket, "Key": "src"},
                   **copy_ssec(k1), **ssec(k2))
    assert s3.get_object(Bucket=bucket, Key="src",
                         **ssec(k2))["Body"].read() == body
    assert error_of(s3.get_object, Bucket=bucket, Key="src",
                    **ssec(k1)) == (403, "AccessDenied")


# ------------------------------------------------------------------ SSE-S3 / KMS

def test_every_plain_response_says_aes256(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="p", Body=b"x",
                      ServerSideEncryption="AES256")
    assert_sse_s3_response(r)
    assert_sse_s3_response(s3.put_object(Bucket=bucket, Key="q", Body=b"y"))
    assert_sse_s3_response(s3.get_object(Bucket=bucket, Key="p"))
    assert_sse_s3_response(s3.head_object(Bucket=bucket, Key="p"))
    assert_sse_s3_response(s3.copy_object(
        Bucket=bucket, Key="p2", CopySource={"Bucket": bucket, "Key": "p"}))


def test_sse_kms_dsse_is_refused_not_ignored(s3, bucket):
    algorithm = "aws:kms:dsse"
    assert error_of(s3.put_object, Bucket=bucket, Key="kms", Body=b"x",
                    ServerSideEncryption=algorithm) == (501, "NotImplemented")
    assert error_of(s3.head_object, Bucket=bucket, Key="kms") == (
        404, "404")
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="kms",
                    ServerSideEncryption=algorithm) == (501, "NotImplemented")
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    assert error_of(s3.copy_object, Bucket=bucket, Key="kms",
                    CopySource={"Bucket": bucket, "Key": "src"},
                    ServerSideEncryption=algorithm) == (501, "NotImplemented")
    # An AWS key ARN names no key here.
    assert error_of(s3.put_object, Bucket=bucket, Key="kms", Body=b"x",
                    ServerSideEncryption="aws:kms",
                    SSEKMSKeyId="arn:aws:kms:us-east-1:1:key/k") == (
        400, "KMS.NotFoundException")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="kms")["KeyCount"] == 0


def test_unknown_algorithm_is_400_invalid_argument(server, bucket):
    resp = server.request("PUT", object_path(bucket, "u"), body=b"x",
                          headers={"x-amz-server-side-encryption": "AES512"})
    assert_s3_error(resp, 400, "InvalidArgument")


# ------------------------------------------------------------------ policy before SSE errors
# A bucket policy that denies SSE header values answers 403 before the
# values' own errors (400 InvalidArgument, 501 for KMS), as RGW and the
# ceph s3-tests have it (test_bucket_policy_put_obj_s3_incorrect_algo_sse_s3,
# test_bucket_policy_put_obj_s3_kms,
# test_encryption_sse_c_deny_algo_with_bucket_policy).

def _deny_put_unless(s3, bucket, condition):
    import json
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*",
                       "Action": "s3:PutObject",
                       "Resource": "arn:aws:s3:::%s/*" % bucket,
                       "Condition": condition}]}))


def test_policy_deny_comes_before_a_bad_sse_algorithm(server, s3, bucket):
    # Without a policy the bad value is the answer.
    resp = server.request("PUT", object_path(bucket, "o"), body=b"x",
                          headers={"x-amz-server-side-encryption": "AES192"})
    assert_s3_error(resp, 400, "InvalidArgument")
    _deny_put_unless(s3, bucket, {"StringNotEquals": {
        "s3:x-amz-server-side-encryption": "AES256"}})
    resp = server.request("PUT", object_path(bucket, "o"), body=b"x",
                          headers={"x-amz-server-side-encryption": "AES192"})
    assert_s3_error(resp, 403, "AccessDenied")
    assert error_of(s3.put_object, Bucket=bucket, Key="o", Body=b"x",
                    ServerSideEncryption="aws:kms") == (403, "AccessDenied")
    # A deny does not hide the error of a request it does not deny.
    s3.delete_bucket_policy(Bucket=bucket)
    _deny_put_unless(s3, bucket, {"StringEquals": {
        "s3:x-amz-server-side-encryption": "AES256"}})
    resp = server.request("PUT", object_path(bucket, "o"), body=b"x",
                          headers={"x-amz-server-side-encryption": "AES192"})
    assert_s3_error(resp, 400, "InvalidArgument")
    assert s3.put_object(Bucket=bucket, Key="o", Body=b"x",
                         ServerSideEncryption="aws:kms")[
        "ServerSideEncryption"] == "aws:kms"
    s3.delete_bucket_policy(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="o", Body=b"x",
                        ServerSideEncryption="AES256")
    assert_sse_s3_response(put)


def test_policy_deny_comes_before_kms(s3, bucket):
    _deny_put_unless(s3, bucket, {"StringNotEquals": {
        "s3:x-amz-server-side-encryption": "AES256"}})
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                    ServerSideEncryption="aws:kms",
                    SSEKMSKeyId="fool-me-twice") == (403, "AccessDenied")
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k",
                    ServerSideEncryption="aws:kms") == (403, "AccessDenied")
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[0] == 404


def test_policy_deny_comes_before_a_bad_customer_algorithm(server, s3,
                                                           bucket):
    # AES192 without a key: InvalidArgument unless the policy denies it.
    headers = {SSE_PREFIX + "algorithm": "AES192"}
    assert_s3_error(server.request("PUT", object_path(bucket, "foo"),
                                   body=b"x", headers=headers),
                    400, "InvalidArgument")
    _deny_put_unless(s3, bucket, {"StringNotEquals": {
        "s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}})
    assert_s3_error(server.request("PUT", object_path(bucket, "foo"),
                                   body=b"x", headers=headers),
                    403, "AccessDenied")
    assert error_of(s3.put_object, Bucket=bucket, Key="foo", Body=b"bar",
                    SSECustomerAlgorithm="AES192",
                    SSECustomerKey=new_key()) == (403, "AccessDenied")
    key = new_key()
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar", **ssec(key))
    assert s3.get_object(Bucket=bucket, Key="foo",
                         **ssec(key))["Body"].read() == b"bar"


# ------------------------------------------------------------------ bucket encryption

def test_bucket_encryption_put_get_delete(server, s3, bucket):
    # Unset: the SSE-S3 default, as S3 reports it since 2023.
    got = s3.get_bucket_encryption(Bucket=bucket)
    rules = got["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"][
        "SSEAlgorithm"] == "AES256"
    assert rules[0]["BucketKeyEnabled"] is False
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": True}]})
    rules = s3.get_bucket_encryption(
        Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault":
                      {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
    # Objects are still SSE-S3 (and SSE-C when asked).
    assert_sse_s3_response(s3.put_object(Bucket=bucket, Key="o", Body=b"x"))
    s3.delete_bucket_encryption(Bucket=bucket)
    rules = s3.get_bucket_encryption(
        Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["BucketKeyEnabled"] is False
    # SSE-KMS as a default naming no key of the owner, and DSSE: refused.
    assert error_of(s3.put_bucket_encryption, Bucket=bucket,
                    ServerSideEncryptionConfiguration={"Rules": [{
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": "k"}}]}) == (
        400, "KMS.NotFoundException")
    assert error_of(s3.put_bucket_encryption, Bucket=bucket,
                    ServerSideEncryptionConfiguration={"Rules": [{
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms:dsse"}}]}) == (
        501, "NotImplemented")
    # Malformed documents.
    for body in (b"<ServerSideEncryptionConfiguration/>",
                 b"not xml",
                 b"<ServerSideEncryptionConfiguration><Rule>"
                 b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>DES"
                 b"</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                 b"</Rule></ServerSideEncryptionConfiguration>"):
        resp = server.request("PUT", "/" + bucket, query={"encryption": ""},
                              body=body)
        assert_s3_error(resp, 400, "MalformedXML")
    assert error_of(s3.get_bucket_encryption, Bucket="no-such-bucket-x1") == (
        404, "NoSuchBucket")


# ------------------------------------------------------------------ key custody

def _needles(key):
    md5 = hashlib.md5(key).digest()
    return [key, base64.b64encode(key), key.hex().encode(),
            key.hex().upper().encode(), md5, base64.b64encode(md5),
            md5.hex().encode()]


def _scan(paths, needles):
    hits = []
    for p in paths:
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for n in needles:
            if n in data:
                hits.append((p, n))
    return hits


def test_customer_key_never_logged_or_stored(server_factory):
    srv = server_factory(extra_args=("--log-level", "trace"))
    c = srv.client()
    b = "ssec-custody"
    c.create_bucket(Bucket=b)
    key, other = new_key(), new_key()
    secret = b"CUSTODY-PLAINTEXT-" + os.urandom(8).hex().encode()
    c.put_object(Bucket=b, Key="inline", Body=secret, **ssec(key))
    c.put_object(Bucket=b, Key="blob", Body=secret * 20000, **ssec(key))
    up = c.create_multipart_upload(Bucket=b, Key="mp", **ssec(key))
    r1 = c.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"],
                       PartNumber=1, Body=secret, **ssec(key))
    c.complete_multipart_upload(
        Bucket=b, Key="mp", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r1["ETag"]}]})
    c.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b,
                                                    "Key": "inline"},
                  **copy_ssec(key), **ssec(other))
    r = _post_form(c, b, "posted", _ssec_fields(key), secret)
    assert r.status_code == 204, r.content
    # Refusals too (a wrong key, a bad MD5) must not log what was sent.
    error_of(c.get_object, Bucket=b, Key="inline", **ssec(other))
    _post_form(c, b, "bad-post", _ssec_fields(key, md5=key_md5(b"x")), b"x")
    srv.request("PUT", object_path(b, "bad"), body=b"x",
                headers=raw_ssec_headers(key, md5=key_md5(b"x")))
    for k in ("inline", "blob", "mp", "posted"):
        assert secret in c.get_object(Bucket=b, Key=k,
                                      **ssec(key))["Body"].read()
    needles = _needles(key) + _needles(other)
    assert _scan(srv.data_files() + [srv.log_path], needles) == []
    # After a clean shutdown (memtables flushed to SST files), and a restart:
    # still nowhere, and the objects still need their key.
    srv.stop_clean()
    assert _scan(srv.data_files() + [srv.log_path], needles) == []
    assert _scan(srv.data_files(), [secret]) == []
    srv.start()
    c = srv.client()
    assert error_of(c.get_object, Bucket=b, Key="blob") == (
        400, "InvalidRequest")
    assert error_of(c.get_object, Bucket=b, Key="copy",
                    **ssec(key)) == (403, "AccessDenied")
    assert c.get_object(Bucket=b, Key="copy",
                        **ssec(other))["Body"].read() == secret
    assert c.get_object(Bucket=b, Key="mp",
                        **ssec(key))["Body"].read() == secret
    assert _scan([srv.log_path], needles) == []


def ssec_b64(key):
    """SSE-C parameters for operations botocore 1.29 does not encode the key
    for (GetObjectAttributes): base64 key and its MD5, as sent."""
    return {"SSECustomerAlgorithm": "AES256",
            "SSECustomerKey": base64.b64encode(key).decode(),
            "SSECustomerKeyMD5": key_md5(key)}


def test_object_attributes_of_an_sse_c_object_need_its_key(s3, bucket):
    key = new_key()
    s3.put_object(Bucket=bucket, Key="a", Body=b"A" * 1000, **ssec(key))
    attrs = ["ETag", "ObjectSize", "StorageClass"]
    assert error_of(s3.get_object_attributes, Bucket=bucket, Key="a",
                    ObjectAttributes=attrs) == (400, "InvalidRequest")
    assert error_of(s3.get_object_attributes, Bucket=bucket, Key="a",
                    ObjectAttributes=attrs, **ssec_b64(new_key())) == (
        403, "AccessDenied")
    got = s3.get_object_attributes(Bucket=bucket, Key="a",
                                   ObjectAttributes=attrs, **ssec_b64(key))
    assert got["ObjectSize"] == 1000
    s3.put_object(Bucket=bucket, Key="p", Body=b"p")
    assert error_of(s3.get_object_attributes, Bucket=bucket, Key="p",
                    ObjectAttributes=attrs, **ssec_b64(key)) == (
        400, "InvalidRequest")
    assert s3.get_object_attributes(Bucket=bucket, Key="p",
                                    ObjectAttributes=attrs)["ObjectSize"] == 1


def test_upload_part_copy_with_customer_keys(s3, bucket):
    """UploadPartCopy into an SSE-C upload needs the upload's key, and from
    an SSE-C source the source's (copy-source headers): the two may
    differ. Missing keys are 400, a wrong one 403, and nothing is stored
    by a refused copy."""
    up_key, src_key = new_key(), new_key()
    plain = os.urandom(5 * MiB + 11)
    secret = os.urandom(70 * 1024 + 5)
    s3.put_object(Bucket=bucket, Key="src-plain", Body=plain)
    s3.put_object(Bucket=bucket, Key="src-ssec", Body=secret, **ssec(src_key))
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp-ssec",
                                    **ssec(up_key))["UploadId"]
    plain_src = {"Bucket": bucket, "Key": "src-plain"}
    ssec_src = {"Bucket": bucket, "Key": "src-ssec"}
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp-ssec",
                    UploadId=up, PartNumber=1, CopySource=plain_src) == (
        400, "InvalidRequest")
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp-ssec",
                    UploadId=up, PartNumber=1, CopySource=plain_src,
                    **ssec(src_key)) == (403, "AccessDenied")
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp-ssec",
                    UploadId=up, PartNumber=2, CopySource=ssec_src,
                    **ssec(up_key)) == (400, "InvalidRequest")
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp-ssec",
                    UploadId=up, PartNumber=2, CopySource=ssec_src,
                    **ssec(up_key), **copy_ssec(up_key)) == (
        403, "AccessDenied")
    assert s3.list_parts(Bucket=bucket, Key="mp-ssec",
                         UploadId=up).get("Parts", []) == []
    r1 = s3.upload_part_copy(Bucket=bucket, Key="mp-ssec", UploadId=up,
                             PartNumber=1, CopySource=plain_src,
                             **ssec(up_key))
    assert_ssec_response(r1, up_key)
    r2 = s3.upload_part_copy(Bucket=bucket, Key="mp-ssec", UploadId=up,
                             PartNumber=2, CopySource=ssec_src,
                             **ssec(up_key), **copy_ssec(src_key))
    assert_ssec_response(r2, up_key)
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp-ssec", UploadId=up,
        MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]},
            {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp-ssec",
                         **ssec(up_key))["Body"].read() == plain + secret
    assert error_of(s3.get_object, Bucket=bucket, Key="mp-ssec") == (
        400, "InvalidRequest")
    assert error_of(s3.get_object, Bucket=bucket, Key="mp-ssec",
                    **ssec(src_key)) == (403, "AccessDenied")

    # From an SSE-C source into a plain upload: the part is SSE-S3.
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp-plain")["UploadId"]
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp-plain",
                    UploadId=up, PartNumber=1, CopySource=ssec_src,
                    **ssec(src_key)) == (400, "InvalidRequest")
    r = s3.upload_part_copy(Bucket=bucket, Key="mp-plain", UploadId=up,
                            PartNumber=1, CopySource=ssec_src,
                            CopySourceRange="bytes=10-1033",
                            **copy_ssec(src_key))
    assert_sse_s3_response(r)
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp-plain", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1,
                                    "ETag": r["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket,
                         Key="mp-plain")["Body"].read() == secret[10:1034]


# ------------------------------------------------------------------ POST object

def _post_form(s3, bucket, key, fields, body, status=None):
    import requests
    fields = dict(fields)
    if status:
        fields["success_action_status"] = status
    conditions = [{k: v} for k, v in fields.items()]
    post = s3.generate_presigned_post(bucket, key, Fields=fields,
                                      Conditions=conditions)
    return requests.post(post["url"], data=post["fields"],
                         files={"file": ("f", body)}, timeout=30)


def _ssec_fields(key, md5=None):
    return {SSE_PREFIX + "algorithm": "AES256",
            SSE_PREFIX + "key": base64.b64encode(key).decode(),
            SSE_PREFIX + "key-md5": md5 or key_md5(key)}


@pytest.mark.parametrize("status", [None, "201"])
def test_post_object_with_customer_key(s3, bucket, status):
    """A browser form with SSE-C fields stores an SSE-C object, as a
    PutObject with the same headers: it then needs its key."""
    key = new_key()
    body = os.urandom(100 * 1024 + 3)  # over the inline limit: a blob
    r = _post_form(s3, bucket, "posted", _ssec_fields(key), body, status)
    assert r.status_code == (201 if status else 204), r.content
    assert r.headers[SSE_PREFIX + "algorithm"] == "AES256"
    assert r.headers[SSE_PREFIX + "key-MD5"] == key_md5(key)
    assert "x-amz-server-side-encryption" not in r.headers
    got = s3.get_object(Bucket=bucket, Key="posted", **ssec(key))
    assert_ssec_response(got, key)
    assert got["Body"].read() == body
    assert_ssec_response(s3.head_object(Bucket=bucket, Key="posted",
                                        **ssec(key)), key)
    assert error_of(s3.get_object, Bucket=bucket, Key="posted") == (
        400, "InvalidRequest")
    assert error_of(s3.get_object, Bucket=bucket, Key="posted",
                    **ssec(new_key())) == (403, "AccessDenied")
    assert head_status(s3.head_object, Bucket=bucket, Key="posted") == 400
    # A copy with the key as copy source key decrypts it.
    s3.copy_object(Bucket=bucket, Key="plain-copy",
                   CopySource={"Bucket": bucket, "Key": "posted"},
                   **copy_ssec(key))
    assert s3.get_object(Bucket=bucket,
                         Key="plain-copy")["Body"].read() == body


def test_post_object_customer_key_errors_store_nothing(s3, bucket):
    key = new_key()
    r = _post_form(s3, bucket, "bad-md5",
                   _ssec_fields(key, md5=key_md5(new_key())), b"x")
    assert r.status_code == 400 and b"InvalidArgument" in r.content, r.content
    short = {SSE_PREFIX + "algorithm": "AES256",
             SSE_PREFIX + "key": base64.b64encode(b"k" * 16).decode(),
             SSE_PREFIX + "key-md5": key_md5(b"k" * 16)}
    r = _post_form(s3, bucket, "short", short, b"x")
    assert r.status_code == 400 and b"InvalidArgument" in r.content, r.content
    both = dict(_ssec_fields(key))
    both["x-amz-server-side-encryption"] = "AES256"
    r = _post_form(s3, bucket, "both", both, b"x")
    assert r.status_code == 400 and b"InvalidArgument" in r.content, r.content
    for k in ("bad-md5", "short", "both"):
        assert error_of(s3.head_object, Bucket=bucket, Key=k)[0] == 404
    # Without SSE-C fields a form still makes an SSE-S3 object.
    r = _post_form(s3, bucket, "plain", {}, b"p")
    assert r.status_code == 204, r.content
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"p"

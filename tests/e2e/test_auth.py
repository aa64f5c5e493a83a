"""Authentication: SigV4 header (bad key, bad secret, tampered signature,
tampered or unsigned headers, wrong region, skew), anonymous access,
presigned URLs (GET/PUT, expired, > 7 days, tampered), payload modes
(UNSIGNED-PAYLOAD, signed SHA-256 and its mismatch,
STREAMING-AWS4-HMAC-SHA256-PAYLOAD with chained chunk signatures), and a
second access key created with `confiance admin create-access-key`.

The first tests check our own signer (s3util) against botocore and the AWS
documented chunked-upload example, without a server."""

import datetime
import hashlib
import random
import re
import subprocess
import time

import pytest
import requests
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import logcheck
import s3util
from s3util import (STREAMING_PAYLOAD, assert_s3_error, aws_chunked_body,
                    aws_chunked_length, client_error, md5_hex, object_path,
                    sign_headers, streaming_put)

AWS_AK = "AKIAIOSFODNN7EXAMPLE"
AWS_SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


# ------------------------------------------------------- signer self-checks

def test_signer_matches_aws_chunked_example():
    """AWS docs, 'Signature Calculations for the Authorization Header:
    Transferring Payload in Multiple Chunks', Example: PUT Object."""
    now = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
    h = {"Host": "s3.amazonaws.com",
         "x-amz-storage-class": "REDUCED_REDUNDANCY",
         "Content-Encoding": "aws-chunked",
         "x-amz-decoded-content-length": "66560",
         "Content-Length": "66824"}
    s = sign_headers("PUT", "/examplebucket/chunkObject.txt", None, h,
                     STREAMING_PAYLOAD, AWS_AK, AWS_SK, now=now)
    assert s.signature == ("4f232c4386841ef735655705268965c4"
                           "4a0e4690baa4adea153f7db9fa80a0a9")
    data = b"a" * 66560
    sigs = list(s3util.chunk_signatures(
        s.signing_key, s.timestamp, s.scope, s.signature,
        [data[:65536], data[65536:], b""]))
    assert sigs == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]
    body = aws_chunked_body(s.signing_key, s.timestamp, s.scope, s.signature,
                            data, 65536)
    assert len(body) == 66824 == aws_chunked_length(66560, 65536)
    assert body.startswith(b"10000;chunk-signature=ad80c730")


def test_signer_matches_botocore():
    creds = Credentials(AWS_AK, AWS_SK)
    body = b"hello world"
    req = AWSRequest(method="PUT",
                     url="http://127.0.0.1:9000/b%20x/k%2Bey/%C3%A9?"
                         "uploads=&b=2&a=1%2F",
                     data=body,
                     headers={"x-amz-content-sha256":
                              hashlib.sha256(body).hexdigest(),
                              "x-amz-meta-foo": "  spaced   value ",
                              "Content-Type": "text/plain"})
    S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    ts = req.headers["X-Amz-Date"]
    now = datetime.datetime.strptime(ts, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    m = re.search(r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)",
                  req.headers["Authorization"])
    names = m.group(1).split(";")
    s = sign_headers("PUT", "/b%20x/k%2Bey/%C3%A9",
                     [("uploads", ""), ("b", "2"), ("a", "1/")],
                     {"host": "127.0.0.1:9000",
                      "x-amz-meta-foo": "  spaced   value ",
                      "content-type": "text/plain"},
                     hashlib.sha256(body).hexdigest(), AWS_AK, AWS_SK,
                     now=now, signed_names=names)
    assert s.signature == m.group(2), s.canonical_request


# ------------------------------------------------------- header auth errors

def test_valid_signed_request(server, bucket):
    r = server.request("PUT", object_path(bucket, "ok"), body=b"ok")
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % md5_hex(b"ok")
    r = server.request("GET", object_path(bucket, "ok"))
    assert r.status == 200 and r.body == b"ok"


def test_unknown_access_key(server, bucket):
    r = server.request("GET", object_path(bucket), access_key="AKIDUNKNOWN00000")
    assert_s3_error(r, 403, "InvalidAccessKeyId")
    c = server.client(access_key="AKIDUNKNOWN00000")
    with pytest.raises(ClientError) as ei:
        c.list_buckets()
    assert client_error(ei) == (403, "InvalidAccessKeyId")


def test_wrong_secret(server, bucket):
    r = server.request("GET", object_path(bucket), secret_key="wrong-secret")
    assert_s3_error(r, 403, "SignatureDoesNotMatch")
    c = server.client(secret_key="wrong-secret")
    with pytest.raises(ClientError) as ei:
        c.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert client_error(ei) == (403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as ei:
        server.client().head_object(Bucket=bucket, Key="x")
    assert client_error(ei)[0] == 404


def _send(server, method, path, headers, body=b""):
    return s3util.http_request(server.host, server.port, method, path,
                               headers, body)


def test_tampered_signature(server, bucket):
    path = object_path(bucket, "t")
    s = sign_headers("PUT", path, None, {"Host": server.hostport},
                     hashlib.sha256(b"data").hexdigest(), server.access_key,
                     server.secret_key)
    h = dict(s.headers)
    sig = s.signature
    bad = sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]
    h["Authorization"] = h["Authorization"].replace(sig, bad)
    r = _send(server, "PUT", path, h, b"data")
    assert_s3_error(r, 403, "SignatureDoesNotMatch")


def test_tampered_signed_header(server, bucket):
    path = object_path(bucket, "t2")
    s = sign_headers("PUT", path, None,
                     {"Host": server.hostport, "x-amz-meta-a": "1"},
                     hashlib.sha256(b"data").hexdigest(), server.access_key,
                     server.secret_key)
    h = dict(s.headers)
    h["x-amz-meta-a"] = "2"
    r = _send(server, "PUT", path, h, b"data")
    assert_s3_error(r, 403, "SignatureDoesNotMatch")


def test_tampered_path_and_method(server, bucket):
    path = object_path(bucket, "t3")
    s = sign_headers("GET", path, None, {"Host": server.hostport},
                     s3util.EMPTY_SHA256, server.access_key, server.secret_key)
    r = _send(server, "GET", object_path(bucket, "t4"), s.headers)
    assert_s3_error(r, 403, "SignatureDoesNotMatch")
    r = _send(server, "DELETE", path, s.headers)
    assert_s3_error(r, 403, "SignatureDoesNotMatch")


def test_unsigned_amz_header_refused(server, bucket):
    path = object_path(bucket, "unsignedhdr")
    s = sign_headers("PUT", path, None, {"Host": server.hostport},
                     hashlib.sha256(b"data").hexdigest(), server.access_key,
                     server.secret_key)
    h = dict(s.headers)
    h["x-amz-meta-sneaky"] = "injected"   # present but not in SignedHeaders
    r = _send(server, "PUT", path, h, b"data")
    assert_s3_error(r, 403, "AccessDenied")
    with pytest.raises(ClientError):
        server.client().head_object(Bucket=bucket, Key="unsignedhdr")


def test_host_must_be_signed(server, bucket):
    path = object_path(bucket)
    s = sign_headers("GET", path, None, {"Host": server.hostport},
                     s3util.EMPTY_SHA256, server.access_key, server.secret_key,
                     signed_names=["x-amz-content-sha256", "x-amz-date"])
    r = _send(server, "GET", path, s.headers)
    assert r.status in (400, 403), r
    assert r.error_code() in ("AccessDenied", "SignatureDoesNotMatch",
                              "AuthorizationHeaderMalformed"), r


def test_wrong_region_in_scope(server, bucket):
    path = object_path(bucket)
    s = sign_headers("GET", path, None, {"Host": server.hostport},
                     s3util.EMPTY_SHA256, server.access_key, server.secret_key,
                     region="eu-west-1")
    r = _send(server, "GET", path, s.headers)
    assert r.status in (400, 403), r
    assert r.error_code() in ("AuthorizationHeaderMalformed",
                              "SignatureDoesNotMatch"), r


@pytest.mark.parametrize("auth", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
    "AWS CONFIANCEROOTTESTKEY1:c2lnbmF0dXJl",      # SigV2: not supported
    "Bearer token",
])
def test_malformed_authorization_refused(server, bucket, auth):
    h = {"Host": server.hostport, "Authorization": auth,
         "x-amz-date": s3util.amz_date(),
         "x-amz-content-sha256": s3util.EMPTY_SHA256}
    r = _send(server, "GET", object_path(bucket), h)
    assert r.status in (400, 403), r
    assert r.error_code(), r


@pytest.mark.parametrize("minutes,ok", [(-20, False), (20, False),
                                        (-10, True), (10, True)])
def test_clock_skew(server, bucket, minutes, ok):
    now = utcnow() + datetime.timedelta(minutes=minutes)
    r = server.request("GET", object_path(bucket), now=now)
    if ok:
        assert r.status == 200, r
    else:
        assert_s3_error(r, 403, "RequestTimeTooSkewed")


def test_anonymous_refused(server, bucket):
    server.request("PUT", object_path(bucket, "anon"), body=b"secret")
    for method, path, body in [("GET", "/", b""),
                               ("GET", object_path(bucket), b""),
                               ("GET", object_path(bucket, "anon"), b""),
                               ("PUT", object_path(bucket, "anon2"), b"x"),
                               ("DELETE", object_path(bucket, "anon"), b""),
                               ("PUT", object_path("anon-bucket-x"), b"")]:
        r = server.request(method, path, body=body, sign=False)
        assert_s3_error(r, 403, "AccessDenied")
        assert b"secret" not in r.body
    r = server.request("HEAD", object_path(bucket, "anon"), sign=False)
    assert r.status == 403 and r.body == b""
    g = server.request("GET", object_path(bucket, "anon"))
    assert g.status == 200 and g.body == b"secret"
    r = requests.get(server.endpoint + object_path(bucket, "anon"), timeout=10)
    assert r.status_code == 403


# ------------------------------------------------------- payload modes

def test_unsigned_payload(server, bucket):
    data = rnd(100_000, 4)
    r = server.request("PUT", object_path(bucket, "unsigned"), body=data,
                       payload="unsigned")
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % md5_hex(data)
    g = server.client().get_object(Bucket=bucket, Key="unsigned")
    assert g["Body"].read() == data


def test_unsigned_payload_with_botocore_sigv4auth(server, bucket):
    data = b"signed by botocore's SigV4Auth with UNSIGNED-PAYLOAD"
    url = server.endpoint + object_path(bucket, "boto-unsigned")
    req = AWSRequest(method="PUT", url=url, data=data,
                     headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(server.access_key, server.secret_key), "s3",
              "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.put(p.url, data=data, headers=dict(p.headers), timeout=30)
    assert r.status_code == 200, r.text
    assert server.client().get_object(
        Bucket=bucket, Key="boto-unsigned")["Body"].read() == data


def test_signed_payload_mismatch(server, bucket):
    data = rnd(50_000, 5)
    wrong = hashlib.sha256(data + b"x").hexdigest()
    r = server.request("PUT", object_path(bucket, "mismatch"), body=data,
                       payload=wrong)
    assert_s3_error(r, 400, "XAmzContentSHA256Mismatch")
    with pytest.raises(ClientError) as ei:
        server.client().head_object(Bucket=bucket, Key="mismatch")
    assert client_error(ei)[0] == 404
    # Also with botocore's signer doing the signing over the wrong hash.
    url = server.endpoint + object_path(bucket, "mismatch2")
    req = AWSRequest(method="PUT", url=url, data=data,
                     headers={"X-Amz-Content-SHA256": wrong})
    SigV4Auth(Credentials(server.access_key, server.secret_key), "s3",
              "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.put(p.url, data=data, headers=dict(p.headers), timeout=30)
    assert r.status_code == 400
    assert s3util.parse_error(r.content).get("Code") == \
        "XAmzContentSHA256Mismatch"


def test_signed_payload_mismatch_keeps_old_version(server, bucket):
    server.request("PUT", object_path(bucket, "keep"), body=b"old")
    r = server.request("PUT", object_path(bucket, "keep"), body=b"new",
                       payload=hashlib.sha256(b"NEW").hexdigest())
    assert_s3_error(r, 400, "XAmzContentSHA256Mismatch")
    assert server.request("GET", object_path(bucket, "keep")).body == b"old"


def test_invalid_content_sha256_value(server, bucket):
    r = server.request("PUT", object_path(bucket, "badsha"), body=b"x",
                       payload="not-a-hash")
    assert r.status == 400, r
    assert r.error_code() in ("InvalidArgument", "XAmzContentSHA256Mismatch",
                              "InvalidRequest"), r


# ------------------------------------------------------- streaming (aws-chunked)

@pytest.mark.parametrize("size", [0, 1, 8192, 65536, 200_000, 1_048_576 + 3])
def test_streaming_upload(server, bucket, size):
    data = rnd(size, size)
    key = "stream-%d" % size
    r = streaming_put(server, object_path(bucket, key), data,
                      extra_headers={"Content-Type": "text/x-stream"})
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % md5_hex(data)
    g = server.client().get_object(Bucket=bucket, Key=key)
    assert g["Body"].read() == data
    assert g["ContentLength"] == size
    assert g["ETag"] == '"%s"' % md5_hex(data)
    assert g["ContentType"] == "text/x-stream"
    # aws-chunked is a transfer detail, not the object's encoding.
    assert g.get("ContentEncoding") in (None, ""), g.get("ContentEncoding")


def test_streaming_upload_small_chunks(server, bucket):
    data = rnd(100_000, 8)
    r = streaming_put(server, object_path(bucket, "stream-8k"), data,
                      chunk_size=8192)
    assert r.status == 200, r
    assert server.client().get_object(
        Bucket=bucket, Key="stream-8k")["Body"].read() == data


def test_streaming_upload_over_transfer_encoding_chunked(server, bucket):
    data = rnd(150_000, 12)
    r = streaming_put(server, object_path(bucket, "stream-te"), data,
                      transfer_chunked=True)
    assert r.status == 200, r
    assert server.client().get_object(
        Bucket=bucket, Key="stream-te")["Body"].read() == data


@pytest.mark.parametrize("tamper", ["signature", "data"])
def test_streaming_tampered_chunk(server, bucket, tamper):
    data = rnd(200_000, 13)
    key = "stream-bad-" + tamper
    r = streaming_put(server, object_path(bucket, key), data, tamper=tamper)
    assert_s3_error(r, 403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as ei:
        server.client().head_object(Bucket=bucket, Key=key)
    assert client_error(ei)[0] == 404


def test_streaming_tampered_keeps_old_version(server, bucket):
    server.request("PUT", object_path(bucket, "stream-keep"), body=b"old")
    r = streaming_put(server, object_path(bucket, "stream-keep"),
                      rnd(100_000, 14), tamper="signature")
    assert_s3_error(r, 403, "SignatureDoesNotMatch")
    assert server.request("GET", object_path(bucket, "stream-keep")).body == \
        b"old"


def test_streaming_decoded_length_mismatch(server, bucket):
    data = rnd(100_000, 15)
    r = streaming_put(server, object_path(bucket, "stream-len"), data,
                      decoded_length=len(data) + 10)
    assert 400 <= r.status < 500, r
    with pytest.raises(ClientError):
        server.client().head_object(Bucket=bucket, Key="stream-len")


def test_streaming_upload_part(server, bucket):
    c = server.client()
    uid = c.create_multipart_upload(Bucket=bucket, Key="smp")["UploadId"]
    p1 = rnd(5 * 1024 * 1024, 16)
    p2 = b"streamed last part"
    r = streaming_put(server, object_path(bucket, "smp"), p1,
                      query=[("partNumber", "1"), ("uploadId", uid)])
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % md5_hex(p1)
    r = streaming_put(server, object_path(bucket, "smp"), p2,
                      query=[("partNumber", "2"), ("uploadId", uid)])
    assert r.status == 200, r
    c.complete_multipart_upload(
        Bucket=bucket, Key="smp", UploadId=uid,
        MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"%s"' % md5_hex(p1)},
            {"PartNumber": 2, "ETag": '"%s"' % md5_hex(p2)}]})
    assert c.get_object(Bucket=bucket, Key="smp")["Body"].read() == p1 + p2


# ------------------------------------------------------- presigned URLs

def test_presigned_get_and_put_boto3(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="pre", Body=b"presigned content")
    url = s3.generate_presigned_url("get_object",
                                    Params={"Bucket": bucket, "Key": "pre"},
                                    ExpiresIn=300)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == b"presigned content"
    url = s3.generate_presigned_url("put_object",
                                    Params={"Bucket": bucket,
                                            "Key": "pre-put"},
                                    ExpiresIn=300)
    r = requests.put(url, data=b"uploaded via presigned PUT", timeout=10)
    assert r.status_code == 200, r.text
    assert s3.get_object(Bucket=bucket, Key="pre-put")["Body"].read() == \
        b"uploaded via presigned PUT"


def test_presigned_own_signer_with_awkward_key(server, s3, bucket):
    key = "pre sign/é+%.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"awk")
    url = server.presigned_url("GET", object_path(bucket, key), expires=60)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == b"awk"
    url = server.presigned_url("GET", object_path(bucket, key),
                               expires=604800)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text


def test_presigned_head_and_range(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="prh", Body=b"0123456789")
    url = server.presigned_url("GET", object_path(bucket, "prh"))
    r = requests.get(url, headers={"Range": "bytes=2-4"}, timeout=10)
    assert r.status_code == 206 and r.content == b"234"
    url = server.presigned_url("HEAD", object_path(bucket, "prh"))
    r = requests.head(url, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Length"] == "10"


def test_presigned_expired(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="exp", Body=b"x")
    url = server.presigned_url("GET", object_path(bucket, "exp"), expires=60,
                               now=utcnow() - datetime.timedelta(minutes=5))
    r = requests.get(url, timeout=10)
    assert r.status_code == 403, r.text
    assert s3util.parse_error(r.content).get("Code") == "AccessDenied", r.text
    url = s3.generate_presigned_url("get_object",
                                    Params={"Bucket": bucket, "Key": "exp"},
                                    ExpiresIn=1)
    time.sleep(2.5)
    r = requests.get(url, timeout=10)
    assert r.status_code == 403, r.text
    assert s3util.parse_error(r.content).get("Code") == "AccessDenied"


def test_presigned_expiry_over_seven_days(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="long", Body=b"x")
    url = server.presigned_url("GET", object_path(bucket, "long"),
                               expires=604801)
    r = requests.get(url, timeout=10)
    assert r.status_code in (400, 403), r.text
    assert s3util.parse_error(r.content).get("Code") in (
        "AuthorizationQueryParametersError", "AccessDenied"), r.text


def test_presigned_tampered(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="tp", Body=b"x")
    s3.put_object(Bucket=bucket, Key="tq", Body=b"y")
    url = server.presigned_url("GET", object_path(bucket, "tp"))
    r = requests.get(url.replace("/tp?", "/tq?"), timeout=10)
    assert r.status_code == 403
    assert s3util.parse_error(r.content).get("Code") == "SignatureDoesNotMatch"
    r = requests.get(url.replace("X-Amz-Expires=300", "X-Amz-Expires=301"),
                     timeout=10)
    assert r.status_code == 403
    assert s3util.parse_error(r.content).get("Code") == "SignatureDoesNotMatch"
    r = requests.put(url, data=b"zzz", timeout=10)   # signed for GET
    assert r.status_code == 403
    url = server.presigned_url("GET", object_path(bucket, "tp"),
                               access_key="AKIDUNKNOWN00000")
    r = requests.get(url, timeout=10)
    assert r.status_code == 403
    assert s3util.parse_error(r.content).get("Code") == "InvalidAccessKeyId"


# ------------------------------------------------------- admin access keys

def test_admin_create_access_key(server_factory):
    srv = server_factory()
    c = srv.client()
    c.create_bucket(Bucket="admin-key-test")
    srv.stop_clean()
    cp = subprocess.run([srv.binary, "admin", "create-access-key", "--data",
                         srv.data_dir], capture_output=True, text=True,
                        timeout=60, env=srv.env())
    assert cp.returncode == 0, cp
    ak = re.search(r"^access_key=(\S+)$", cp.stdout, re.M)
    sk = re.search(r"^secret_key=(\S+)$", cp.stdout, re.M)
    assert ak and sk, cp.stdout
    ak, sk = ak.group(1), sk.group(1)
    assert ak != srv.access_key
    # Logged as the admin API logs it: in the operator's log and the
    # tenant's, by the offline operator.
    logs = logcheck.read_logs(srv.binary, srv.data_dir)
    made = [(origin, e) for origin, entries in logs.items() for e in entries
            if e.get("action") == "CreateAccessKey" and e.get("target", "").endswith("/key/" + ak)]
    assert sorted(o.split("/", 1)[1] for o, _ in made) == ["operator", "tenant/default"], made
    assert all(e["principal"] == {"type": "operator", "user": "offline"} and e["source"] == "offline"
               for _, e in made), made
    srv.start()
    c2 = srv.client(access_key=ak, secret_key=sk)
    names = [b["Name"] for b in c2.list_buckets()["Buckets"]]
    assert "admin-key-test" in names
    c2.put_object(Bucket="admin-key-test", Key="k", Body=b"v")
    assert srv.client().get_object(Bucket="admin-key-test",
                                   Key="k")["Body"].read() == b"v"
    bad = srv.client(access_key=ak, secret_key=sk + "x")
    with pytest.raises(ClientError) as ei:
        bad.list_buckets()
    assert client_error(ei) == (403, "SignatureDoesNotMatch")

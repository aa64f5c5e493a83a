"""Legacy AWS Signature Version 2 end to end: boto3 with
signature_version='s3' (header auth) for the everyday calls, presigned
URLs as Debian's botocore and aws-cli make them by default (SigV2 query
auth), path- and virtual-host style, and the refusals (wrong secret,
tampered URL, expired URL, skewed or missing Date) with their S3 errors.

A hand-written signer (hmac + base64, independent of the server's code)
builds the refusal cases."""

import base64
import email.utils
import hashlib
import hmac
import subprocess
import time

import pytest
import requests

from conftest import AWS_CLI, Server
from botocore.exceptions import ClientError

from s3util import (assert_s3_error, client_error, http_request,
                    loopback_domain, unique_bucket)

DOMAIN = "sigv2.test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("sigv2")),
                 extra_args=["--domain", DOMAIN])
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


@pytest.fixture(scope="module", autouse=True)
def pin_dns():
    """Resolve sigv2.test and its subdomains to 127.0.0.1 (only)."""
    with loopback_domain(DOMAIN):
        yield


@pytest.fixture(scope="module")
def v2(server):
    return server.client(signature_version="s3")


@pytest.fixture(scope="module")
def bucket(server, v2):
    b = unique_bucket("v2")
    v2.create_bucket(Bucket=b)
    v2.put_object(Bucket=b, Key="dir/hello world+1.txt", Body=b"hello v2")
    return b


def s3err(fn):
    """(http status, S3 code) of the ClientError that fn() raises."""
    with pytest.raises(ClientError) as ei:
        fn()
    return client_error(ei)


def sign_v2(secret, method, resource, date, content_type="", amz=None):
    amz_lines = "".join("%s:%s\n" % (k, v) for k, v in sorted(
        (amz or {}).items()))
    to_sign = "%s\n\n%s\n%s\n%s%s" % (method, content_type, date, amz_lines,
                                      resource)
    mac = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def test_boto3_sigv2_everyday_calls(server, v2, bucket):
    """The calls botocore 1.29 signs right with SigV2. (Operations whose
    URI names a fixed sub-resource, ?acl, ?uploads, ?delete, ?tagging, are
    signed by it as "/b/k?acl?acl", which AWS S3 refuses as well; the
    sub-resource rules are covered by test_sigv2_sub_resources.)"""
    key = "dir/hello world+1.txt"
    assert v2.get_object(Bucket=bucket, Key=key)["Body"].read() == b"hello v2"
    # response-* overrides are sub-resources, part of the string to sign.
    r = v2.get_object(Bucket=bucket, Key=key,
                      ResponseContentType="text/x-v2")
    assert r["ContentType"] == "text/x-v2"
    v2.put_object(Bucket=bucket, Key="meta", Body=b"m",
                  Metadata={"colour": "blue"}, ContentType="text/plain")
    head = v2.head_object(Bucket=bucket, Key="meta")
    assert head["Metadata"] == {"colour": "blue"}
    keys = [o["Key"] for o in v2.list_objects(Bucket=bucket)["Contents"]]
    assert key in keys and "meta" in keys
    v2.copy_object(Bucket=bucket, Key="meta-copy",
                   CopySource={"Bucket": bucket, "Key": "meta"})
    for k in ("meta", "meta-copy"):
        v2.delete_object(Bucket=bucket, Key=k)
    assert s3err(lambda: v2.head_object(Bucket=bucket, Key="meta"))[0] == 404


def test_sigv2_sub_resources(server, bucket):
    """?acl and ?uploads signed the way S3 documents: the sub-resource
    once, sorted with its value; other parameters unsigned."""
    resource = "/%s/dir/hello%%20world%%2B1.txt" % bucket
    now = email.utils.formatdate(usegmt=True)

    def send(method, query, signed_query):
        sig = sign_v2(server.secret_key, method, resource + signed_query, now)
        return http_request(server.host, server.port, method,
                            resource + query, headers={
                                "Host": server.hostport, "Date": now,
                                "Authorization": "AWS %s:%s" % (
                                    server.access_key, sig)})

    resp = send("GET", "?acl", "?acl")
    assert resp.status == 200 and b"AccessControlPolicy" in resp.body
    resp = send("GET", "?acl", "")  # the sub-resource left out
    assert_s3_error(resp, 403, "SignatureDoesNotMatch")
    resp = send("POST", "?uploads", "?uploads")
    assert resp.status == 200 and b"UploadId" in resp.body
    resp = send("GET", "?response-content-type=a%2Fb&x-id=GetObject",
                "?response-content-type=a/b")
    assert resp.status == 200 and resp.headers["Content-Type"] == "a/b"


def test_boto3_sigv2_virtual_host(server, bucket):
    vc = server.client(signature_version="s3", addressing_style="virtual",
                       endpoint_url="http://%s:%d" % (DOMAIN, server.port))
    assert vc.get_object(Bucket=bucket, Key="dir/hello world+1.txt")[
        "Body"].read() == b"hello v2"
    vc.put_object(Bucket=bucket, Key="vh", Body=b"via host")
    assert vc.get_object(Bucket=bucket, Key="vh")["Body"].read() == \
        b"via host"


def test_sigv2_wrong_secret_is_refused(server, bucket):
    bad = server.client(signature_version="s3", secret_key="wrong" * 8)
    assert s3err(lambda: bad.list_objects(Bucket=bucket)) == (
        403, "SignatureDoesNotMatch")
    unknown = server.client(signature_version="s3",
                            access_key="NOSUCHACCESSKEY00000")
    assert s3err(lambda: unknown.list_objects(Bucket=bucket)) == (
        403, "InvalidAccessKeyId")


def test_presigned_v2_get_put_and_refusals(server, v2, bucket):
    key = "dir/hello world+1.txt"
    url = v2.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": key}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    r = requests.get(url, timeout=30)
    assert r.status_code == 200 and r.content == b"hello v2"
    # The method is signed.
    r = requests.delete(url, timeout=30)
    assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content
    # A tampered signature.
    tampered = url.replace("Signature=", "Signature=A")
    r = requests.get(tampered, timeout=30)
    assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content
    # Expired.
    short = v2.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": key}, ExpiresIn=1)
    time.sleep(2.5)
    r = requests.get(short, timeout=30)
    assert r.status_code == 403 and b"AccessDenied" in r.content
    assert b"expired" in r.content
    # PUT through a presigned URL.
    put_url = v2.generate_presigned_url("put_object", Params={
        "Bucket": bucket, "Key": "presigned-put"}, ExpiresIn=300)
    r = requests.put(put_url, data=b"uploaded", timeout=30)
    assert r.status_code == 200, r.content
    assert v2.get_object(Bucket=bucket, Key="presigned-put")["Body"].read() \
        == b"uploaded"


def test_aws_cli_presign_default(server, bucket):
    """`aws s3 presign` as shipped by Debian: whatever signature it picks,
    the URL must work."""
    env = dict(server.env())
    env.update({"AWS_ACCESS_KEY_ID": server.access_key,
                "AWS_SECRET_ACCESS_KEY": server.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"})
    out = subprocess.run(
        [AWS_CLI, "--endpoint-url", server.endpoint, "s3", "presign",
         "s3://%s/dir/hello world+1.txt" % bucket, "--expires-in", "300"],
        env=env, capture_output=True, text=True, timeout=120, check=True)
    r = requests.get(out.stdout.strip(), timeout=30)
    assert r.status_code == 200 and r.content == b"hello v2"


@pytest.mark.parametrize("date,code", [
    ("Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"),
    ("Tue, 07 Jul 2037 21:53:04 GMT", "RequestTimeTooSkewed"),
    ("", "AccessDenied"),
    ("not a date", "AccessDenied"),
])
def test_sigv2_bad_dates(server, bucket, date, code):
    resource = "/%s/dir/hello%%20world%%2B1.txt" % bucket
    sig = sign_v2(server.secret_key, "GET", resource, date)
    headers = {"Host": server.hostport, "Date": date,
               "Authorization": "AWS %s:%s" % (server.access_key, sig)}
    resp = http_request(server.host, server.port, "GET", resource,
                        headers=headers)
    assert_s3_error(resp, 403, code)


def test_sigv2_x_amz_date_replaces_date(server, bucket):
    """With x-amz-date, the Date line of the string to sign is empty and
    x-amz-date is the request time (and a signed amz header)."""
    resource = "/%s/dir/hello%%20world%%2B1.txt" % bucket
    now = email.utils.formatdate(usegmt=True)
    sig = sign_v2(server.secret_key, "GET", resource, "",
                  amz={"x-amz-date": now})
    headers = {"Host": server.hostport, "x-amz-date": now,
               "Date": "Tue, 07 Jul 2010 21:53:04 GMT",
               "Authorization": "AWS %s:%s" % (server.access_key, sig)}
    resp = http_request(server.host, server.port, "GET", resource,
                        headers=headers)
    assert resp.status == 200 and resp.body == b"hello v2"
    # An unsigned change of an amz header breaks the signature.
    headers["x-amz-meta-extra"] = "1"
    resp = http_request(server.host, server.port, "GET", resource,
                        headers=headers)
    assert_s3_error(resp, 403, "SignatureDoesNotMatch")

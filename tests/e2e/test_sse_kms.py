"""SSE-KMS (docs/encryption.md "SSE-KMS"), end to end with boto3 and
aws-cli: x-amz-server-side-encryption: aws:kms naming the bucket owner's
tenant key (bare id or arn:confiance:kms:::key/<tenant>, or nothing: the
owner's key), the encryption context and bucket-key flag, the response
headers of every operation (PUT, GET, HEAD, range GET, copy, multipart),
copies between SSE-S3, SSE-KMS and SSE-C, bucket default aws:kms, a key id
of another tenant or of no tenant refused with 400 KMS.NotFoundException,
and a bucket policy denying PUTs that are not SSE-KMS with the owner's key.
"""

import base64
import json
import os

import pytest
from botocore.exceptions import ClientError

from adminutil import AdminServer, cli, s3 as s3_for
from conftest import unique_bucket
from s3util import assert_s3_error

ACME_ROOT = ("ACMEKMSROOTKEY000001", "acme-kms-root-secret-0123456789")
GLOBEX_ROOT = ("GLOBEXKMSROOTKEY0001", "globex-kms-root-secret-0123456789")
ARN = "arn:confiance:kms:::key/"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    srv = AdminServer(str(tmp_path_factory.mktemp("kms")))
    srv.start()
    for name, creds in (("acme", ACME_ROOT), ("globex", GLOBEX_ROOT)):
        cli(srv, "tenant", "create", name, "--access-key", creds[0],
            "--secret-key", creds[1])
    yield srv
    if srv.alive():
        srv.stop_clean()


@pytest.fixture(scope="module")
def acme(srv):
    return s3_for(srv, ACME_ROOT)


@pytest.fixture
def bucket(acme):
    name = unique_bucket("kms")
    acme.create_bucket(Bucket=name)
    return name


def error_of(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    r = ei.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def kms_of(resp):
    return (resp.get("ServerSideEncryption"), resp.get("SSEKMSKeyId"),
            resp.get("BucketKeyEnabled", False))


def context(d):
    return base64.b64encode(json.dumps(d).encode()).decode()


def test_put_get_head_range_with_each_key_form(acme, bucket):
    body = os.urandom(300 * 1024 + 5)  # several packages, a blob
    for key_id in ("acme", ARN + "acme"):
        put = acme.put_object(Bucket=bucket, Key="o", Body=body,
                              ServerSideEncryption="aws:kms",
                              SSEKMSKeyId=key_id)
        assert kms_of(put) == ("aws:kms", key_id, False)
        got = acme.get_object(Bucket=bucket, Key="o")
        assert kms_of(got) == ("aws:kms", key_id, False)
        assert got["Body"].read() == body
        assert kms_of(acme.head_object(Bucket=bucket, Key="o")) == (
            "aws:kms", key_id, False)
        rng = acme.get_object(Bucket=bucket, Key="o", Range="bytes=70000-200009")
        assert rng["Body"].read() == body[70000:200010]
        assert rng["ServerSideEncryption"] == "aws:kms"
    # No key named: the owner's tenant key, reported as its ARN.
    put = acme.put_object(Bucket=bucket, Key="d", Body=b"default",
                          ServerSideEncryption="aws:kms")
    assert kms_of(put) == ("aws:kms", ARN + "acme", False)
    assert acme.get_object(Bucket=bucket, Key="d")["Body"].read() == b"default"


def test_reads_refuse_the_sse_header(srv, bucket, acme):
    acme.put_object(Bucket=bucket, Key="r", Body=b"x",
                    ServerSideEncryption="aws:kms")
    resp = srv.request("GET", "/%s/r" % bucket,
                       headers={"x-amz-server-side-encryption": "aws:kms"},
                       access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    assert_s3_error(resp, 400, "InvalidArgument")


def test_context_and_bucket_key(srv, acme, bucket):
    ctx = context({"project": "apollo", "dept": "fin"})
    put = acme.put_object(Bucket=bucket, Key="c", Body=b"ctx",
                          ServerSideEncryption="aws:kms", SSEKMSKeyId="acme",
                          SSEKMSEncryptionContext=ctx, BucketKeyEnabled=True)
    assert kms_of(put) == ("aws:kms", "acme", True)
    assert put["SSEKMSEncryptionContext"] == ctx
    got = acme.get_object(Bucket=bucket, Key="c")
    assert kms_of(got) == ("aws:kms", "acme", True)
    assert got["Body"].read() == b"ctx"
    # A context that is not base64 JSON of strings.
    for bad in ("!!", context(["a"]), context({"a": 1})):
        assert error_of(acme.put_object, Bucket=bucket, Key="bad", Body=b"x",
                        ServerSideEncryption="aws:kms",
                        SSEKMSEncryptionContext=bad) == (400, "InvalidArgument")
    # A key id without aws:kms.
    resp = srv.request("PUT", "/%s/nokms" % bucket, body=b"x",
                       headers={"x-amz-server-side-encryption-aws-kms-key-id": "acme"},
                       access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    assert_s3_error(resp, 400, "InvalidArgument")


def test_foreign_or_unknown_key_is_not_found(srv, acme, bucket):
    for key_id in ("globex", ARN + "globex", "nosuchtenant", "Bad Key",
                   "arn:aws:kms:us-east-1:111122223333:key/acme"):
        assert error_of(acme.put_object, Bucket=bucket, Key="f", Body=b"x",
                        ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key_id) == (400, "KMS.NotFoundException"), key_id
        assert error_of(acme.create_multipart_upload, Bucket=bucket, Key="f",
                        ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key_id) == (400, "KMS.NotFoundException")
    assert acme.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # globex cannot name acme's key for its own bucket either.
    globex = s3_for(srv, GLOBEX_ROOT)
    gb = unique_bucket("gkms")
    globex.create_bucket(Bucket=gb)
    assert error_of(globex.put_object, Bucket=gb, Key="f", Body=b"x",
                    ServerSideEncryption="aws:kms",
                    SSEKMSKeyId="acme") == (400, "KMS.NotFoundException")
    put = globex.put_object(Bucket=gb, Key="f", Body=b"x",
                            ServerSideEncryption="aws:kms")
    assert put["SSEKMSKeyId"] == ARN + "globex"


def test_multipart_kms(acme, bucket):
    parts = [os.urandom(5 * MiB), os.urandom(MiB + 3)]
    up = acme.create_multipart_upload(Bucket=bucket, Key="mp",
                                      ServerSideEncryption="aws:kms",
                                      SSEKMSKeyId="acme",
                                      BucketKeyEnabled=True)
    assert kms_of(up) == ("aws:kms", "acme", True)
    done = []
    for i, data in enumerate(parts, 1):
        r = acme.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                             PartNumber=i, Body=data)
        assert kms_of(r) == ("aws:kms", "acme", True)
        done.append({"PartNumber": i, "ETag": r["ETag"]})
    c = acme.complete_multipart_upload(Bucket=bucket, Key="mp",
                                       UploadId=up["UploadId"],
                                       MultipartUpload={"Parts": done})
    assert kms_of(c) == ("aws:kms", "acme", True)
    got = acme.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (
        5 * MiB - 10, 5 * MiB + 9))
    assert got["Body"].read() == (parts[0] + parts[1])[5 * MiB - 10:5 * MiB + 10]
    assert acme.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts)


def test_copy_between_encryption_types(acme, bucket):
    body = os.urandom(100 * 1024)
    cust = os.urandom(32)
    acme.put_object(Bucket=bucket, Key="s3", Body=body)
    # SSE-S3 -> KMS
    r = acme.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "s3"},
                         ServerSideEncryption="aws:kms", SSEKMSKeyId="acme")
    assert kms_of(r) == ("aws:kms", "acme", False)
    assert acme.get_object(Bucket=bucket, Key="kms")["Body"].read() == body
    # KMS -> SSE-C
    r = acme.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "kms"},
                         SSECustomerAlgorithm="AES256", SSECustomerKey=cust)
    assert r.get("SSECustomerAlgorithm") == "AES256" and "ServerSideEncryption" not in r
    assert acme.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256",
                           SSECustomerKey=cust)["Body"].read() == body
    # SSE-C -> KMS
    r = acme.copy_object(Bucket=bucket, Key="kms2", CopySource={"Bucket": bucket, "Key": "c"},
                         CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=cust,
                         ServerSideEncryption="aws:kms")
    assert r["ServerSideEncryption"] == "aws:kms"
    assert acme.get_object(Bucket=bucket, Key="kms2")["Body"].read() == body
    # KMS -> SSE-S3 (no header: the destination's is the request's, never the source's)
    r = acme.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "kms"})
    assert r["ServerSideEncryption"] == "AES256"
    h = acme.head_object(Bucket=bucket, Key="plain")
    assert h["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in h
    # In place: a KMS object re-encrypted with SSE-S3 is a change, allowed.
    acme.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "kms"},
                     ServerSideEncryption="AES256")
    assert acme.head_object(Bucket=bucket, Key="kms")["ServerSideEncryption"] == "AES256"
    # UploadPartCopy from a KMS source into a KMS upload.
    up = acme.create_multipart_upload(Bucket=bucket, Key="upc", ServerSideEncryption="aws:kms")
    pc = acme.upload_part_copy(Bucket=bucket, Key="upc", UploadId=up["UploadId"], PartNumber=1,
                               CopySource={"Bucket": bucket, "Key": "kms2"},
                               CopySourceRange="bytes=10-1009")
    acme.complete_multipart_upload(Bucket=bucket, Key="upc", UploadId=up["UploadId"],
                                   MultipartUpload={"Parts": [{"PartNumber": 1,
                                                               "ETag": pc["CopyPartResult"]["ETag"]}]})
    assert acme.get_object(Bucket=bucket, Key="upc")["Body"].read() == body[10:1010]


def test_bucket_default_kms(acme, bucket):
    acme.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": ARN + "acme"},
        "BucketKeyEnabled": True}]})
    rules = acme.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ARN + "acme"}, "BucketKeyEnabled": True}]
    # A request without SSE headers gets the default...
    put = acme.put_object(Bucket=bucket, Key="d", Body=b"dflt")
    assert kms_of(put) == ("aws:kms", ARN + "acme", True)
    assert kms_of(acme.head_object(Bucket=bucket, Key="d")) == ("aws:kms", ARN + "acme", True)
    assert acme.get_object(Bucket=bucket, Key="d")["Body"].read() == b"dflt"
    up = acme.create_multipart_upload(Bucket=bucket, Key="m")
    assert kms_of(up) == ("aws:kms", ARN + "acme", True)
    acme.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=up["UploadId"])
    # ...an explicit AES256 or SSE-C overrides it.
    assert acme.put_object(Bucket=bucket, Key="a", Body=b"a",
                           ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
    cust = os.urandom(32)
    r = acme.put_object(Bucket=bucket, Key="c", Body=b"c", SSECustomerAlgorithm="AES256",
                        SSECustomerKey=cust)
    assert "ServerSideEncryption" not in r
    # Default without a key id: the owner's key.
    acme.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    assert kms_of(acme.put_object(Bucket=bucket, Key="e", Body=b"e")) == (
        "aws:kms", ARN + "acme", False)
    # Another tenant's key cannot be the default.
    assert error_of(acme.put_bucket_encryption, Bucket=bucket,
                    ServerSideEncryptionConfiguration={"Rules": [{
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "globex"}}]}) == (
        400, "KMS.NotFoundException")
    for key in ("d", "a", "e"):
        assert acme.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_policy_requires_kms_with_the_tenant_key(acme, bucket):
    acme.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::%s/*" % bucket,
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::%s/*" % bucket,
             "Condition": {"StringNotEquals": {
                 "s3:x-amz-server-side-encryption-aws-kms-key-id": ARN + "acme"}}}]}))
    assert error_of(acme.put_object, Bucket=bucket, Key="p", Body=b"x") == (403, "AccessDenied")
    assert error_of(acme.put_object, Bucket=bucket, Key="p", Body=b"x",
                    ServerSideEncryption="AES256") == (403, "AccessDenied")
    assert error_of(acme.put_object, Bucket=bucket, Key="p", Body=b"x",
                    ServerSideEncryption="aws:kms", SSEKMSKeyId="acme") == (403, "AccessDenied")
    put = acme.put_object(Bucket=bucket, Key="p", Body=b"x",
                          ServerSideEncryption="aws:kms", SSEKMSKeyId=ARN + "acme")
    assert put["ServerSideEncryption"] == "aws:kms"
    acme.delete_bucket_policy(Bucket=bucket)


def test_aws_cli_kms(srv, acme, bucket, tmp_path):
    def aws(*args, check=True):
        return srv.aws(*args, check=check, access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])

    small = tmp_path / "small.bin"
    small.write_bytes(os.urandom(70 * 1024))
    big = tmp_path / "big.bin"  # above aws-cli's 8 MiB multipart threshold
    big.write_bytes(os.urandom(12 * MiB + 7))
    for f in (small, big):
        aws("s3", "cp", str(f), "s3://%s/%s" % (bucket, f.name), "--sse", "aws:kms",
            "--sse-kms-key-id", ARN + "acme")
        h = acme.head_object(Bucket=bucket, Key=f.name)
        assert kms_of(h) == ("aws:kms", ARN + "acme", False)
        out = tmp_path / ("back-" + f.name)
        aws("s3", "cp", "s3://%s/%s" % (bucket, f.name), str(out))
        assert out.read_bytes() == f.read_bytes()
    assert acme.head_object(Bucket=bucket, Key="big.bin")["ETag"].endswith('-2"')
    r = aws("s3api", "put-object", "--bucket", bucket, "--key", "api", "--body", str(small),
            "--server-side-encryption", "aws:kms", "--ssekms-key-id", "acme",
            "--bucket-key-enabled")
    j = json.loads(r.stdout)
    assert j["ServerSideEncryption"] == "aws:kms" and j["SSEKMSKeyId"] == "acme", j
    assert j["BucketKeyEnabled"] is True, j
    r = aws("s3api", "get-object", "--bucket", bucket, "--key", "api", "--range", "bytes=5-104",
            str(tmp_path / "range.out"))
    assert (tmp_path / "range.out").read_bytes() == small.read_bytes()[5:105]
    assert json.loads(r.stdout)["ServerSideEncryption"] == "aws:kms"
    # Copy with aws-cli into SSE-S3, then back to KMS.
    aws("s3", "cp", "s3://%s/api" % bucket, "s3://%s/api-s3" % bucket, "--sse", "AES256")
    assert acme.head_object(Bucket=bucket, Key="api-s3")["ServerSideEncryption"] == "AES256"
    aws("s3", "cp", "s3://%s/api-s3" % bucket, "s3://%s/api-kms" % bucket, "--sse", "aws:kms")
    assert acme.head_object(Bucket=bucket, Key="api-kms")["SSEKMSKeyId"] == ARN + "acme"
    # A foreign key id: refused.
    r = aws("s3", "cp", str(small), "s3://%s/x" % bucket, "--sse", "aws:kms",
            "--sse-kms-key-id", "globex", check=False)
    assert r.returncode != 0 and "KMS.NotFoundException" in r.stderr, r

"""Bucket operations with boto3 and raw signed requests: ListBuckets,
CreateBucket (name rules, already owned, LocationConstraint), HeadBucket,
DeleteBucket (BucketNotEmpty, NoSuchBucket), GetBucketLocation, and the S3
error XML shape."""

import collections
import concurrent.futures
import datetime

import pytest
from botocore.exceptions import ClientError

from s3util import (assert_s3_error, client_error, object_path,
                    unique_bucket, xml_find_all)


def test_create_list_head_delete(server, s3):
    name = unique_bucket()
    r = s3.create_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    lst = s3.list_buckets()
    names = [b["Name"] for b in lst["Buckets"]]
    assert name in names
    created = [b for b in lst["Buckets"] if b["Name"] == name][0]
    age = datetime.datetime.now(datetime.timezone.utc) - created["CreationDate"]
    assert abs(age.total_seconds()) < 300, created
    assert lst["Owner"].get("ID"), lst["Owner"]
    h = s3.head_bucket(Bucket=name)
    assert h["ResponseMetadata"]["HTTPStatusCode"] == 200
    r = s3.delete_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_list_buckets_sorted(server, s3):
    names = sorted(unique_bucket("sorted") for _ in range(4))
    for n in reversed(names):
        s3.create_bucket(Bucket=n)
    try:
        got = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert got == sorted(got)
        for n in names:
            assert n in got
    finally:
        for n in names:
            s3.delete_bucket(Bucket=n)


def test_recreating_an_own_bucket_in_us_east_1_changes_nothing(server, s3):
    # AWS in us-east-1 (and Ceph RGW) answer 200 to a CreateBucket on a
    # bucket one owns; asking for nothing new changes nothing.
    name = unique_bucket()
    s3.create_bucket(Bucket=name, ACL="public-read")
    try:
        s3.put_object(Bucket=name, Key="kept", Body=b"x")
        acl_before = s3.get_bucket_acl(Bucket=name)["Grants"]
        r = s3.create_bucket(Bucket=name, ACL="public-read")
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
        r = server.request("PUT", object_path(name),
                           headers={"x-amz-acl": "public-read"})
        assert r.status == 200, r
        assert s3.get_bucket_acl(Bucket=name)["Grants"] == acl_before
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]]
        assert keys == ["kept"]
        # Another ACL, Object Ownership or Object Lock setting is refused
        # (RGW's answer) rather than applied: AWS would reset the ACL.
        for kw in ({}, {"ACL": "private"},
                   {"ObjectOwnership": "BucketOwnerEnforced"},
                   {"ObjectLockEnabledForBucket": True}):
            with pytest.raises(ClientError) as ei:
                s3.create_bucket(Bucket=name, **kw)
            assert client_error(ei) == (409, "BucketAlreadyExists"), kw
        assert s3.get_bucket_acl(Bucket=name)["Grants"] == acl_before
        with pytest.raises(ClientError) as ei:
            s3.get_object_lock_configuration(Bucket=name)
        assert client_error(ei)[0] == 404
    finally:
        s3.delete_object(Bucket=name, Key="kept")
        s3.delete_bucket(Bucket=name)


def test_recreating_an_own_bucket_elsewhere_than_us_east_1_is_a_conflict(
        server_factory):
    srv = server_factory(extra_args=["--region", "eu-west-3"])
    s3 = srv.client(region="eu-west-3")
    name = unique_bucket()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={
        "LocationConstraint": "eu-west-3"})
    with pytest.raises(ClientError) as ei:
        s3.create_bucket(Bucket=name)
    assert client_error(ei) == (409, "BucketAlreadyOwnedByYou")
    s3.delete_bucket(Bucket=name)


@pytest.mark.parametrize("name", [
    "ab",                       # too short
    "a" * 64,                   # too long
    "UpperCase",                # upper case
    "under_score",              # underscore
    "-leading-dash",
    "trailing-dash-",
    "double..dot",
    "192.168.10.20",            # IP address form
    "_leading-underscore",      # reserved admin prefix character
    "has space",
    "exclaim!",
])
def test_invalid_bucket_names(server, name):
    # Raw request: boto3 validates some names client-side.
    r = server.request("PUT", object_path(name))
    assert_s3_error(r, 400, "InvalidBucketName")


def test_valid_edge_bucket_names(server, s3):
    for name in ["abc", "a" * 63, "with.dots.ok", "0-digit-start", "a-b-c"]:
        s3.create_bucket(Bucket=name)
        s3.head_bucket(Bucket=name)
        s3.delete_bucket(Bucket=name)


def test_head_missing_bucket(server, s3):
    with pytest.raises(ClientError) as ei:
        s3.head_bucket(Bucket=unique_bucket("missing"))
    assert client_error(ei)[0] == 404
    r = server.request("HEAD", object_path(unique_bucket("missing")))
    assert r.status == 404
    assert r.body == b""


def test_delete_missing_bucket(server, s3):
    name = unique_bucket("missing")
    with pytest.raises(ClientError) as ei:
        s3.delete_bucket(Bucket=name)
    assert client_error(ei) == (404, "NoSuchBucket")
    r = server.request("DELETE", object_path(name))
    err = assert_s3_error(r, 404, "NoSuchBucket")
    # S3 names the bucket in the error.
    assert err.get("BucketName") in (None, name)


def test_delete_non_empty_bucket(server, s3):
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as ei:
        s3.delete_bucket(Bucket=name)
    assert client_error(ei) == (409, "BucketNotEmpty")
    r = server.request("DELETE", object_path(name))
    assert_s3_error(r, 409, "BucketNotEmpty")
    s3.head_bucket(Bucket=name)
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"x"
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as ei:
        s3.head_bucket(Bucket=name)
    assert client_error(ei)[0] == 404


def test_a_put_racing_with_delete_bucket_is_never_acknowledged_and_lost(server, s3):
    # One DeleteBucket and three PUTs at once into an empty bucket. Before
    # the delete fences (catalog/bucket_delete.cc), 22 of 40 rounds answered
    # 204 to the delete and 200 to PUTs whose objects went with the bucket.
    outcomes = collections.Counter()
    for round_ in range(40):
        name = unique_bucket("race")
        s3.create_bucket(Bucket=name)
        calls = [lambda i=i: s3.put_object(Bucket=name, Key="k%d" % i, Body=b"x") for i in range(3)]
        calls.insert(1, lambda: s3.delete_bucket(Bucket=name))
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
            futures = [pool.submit(call) for call in calls]
        answers = []
        for f in futures:
            try:
                f.result()
                answers.append("OK")
            except ClientError as e:
                answers.append(e.response["Error"]["Code"])
        deleted = answers.pop(1)
        acked = {"k%d" % i for i, a in enumerate(answers) if a == "OK"}
        if deleted == "OK":
            assert not acked, (round_, answers)
            assert set(answers) <= {"NoSuchBucket", "OperationAborted"}, (round_, answers)
            with pytest.raises(ClientError) as gone:
                s3.head_bucket(Bucket=name)
            assert client_error(gone)[0] == 404
        else:
            assert deleted == "BucketNotEmpty", (round_, deleted, answers)
            assert set(answers) <= {"OK", "OperationAborted"}, (round_, answers)
            stored = {o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])}
            assert stored == acked, (round_, answers, stored)
            for key in stored:
                s3.delete_object(Bucket=name, Key=key)
            s3.delete_bucket(Bucket=name)
        outcomes[(deleted, tuple(sorted(answers)))] += 1
    print(dict(outcomes))


def test_recreate_after_delete(server, s3):
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="old", Body=b"old")
    s3.delete_object(Bucket=name, Key="old")
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=name, Key="old")
    assert client_error(ei) == (404, "NoSuchKey")
    s3.delete_bucket(Bucket=name)


def test_get_bucket_location_default(server, s3, bucket):
    r = s3.get_bucket_location(Bucket=bucket)
    # us-east-1 is reported as an empty LocationConstraint by S3.
    assert r.get("LocationConstraint") in (None, "", "us-east-1"), r


def test_get_bucket_location_raw_xml(server, bucket):
    r = server.request("GET", object_path(bucket), query=[("location", "")])
    assert r.status == 200, r
    assert xml_find_all(r.body, "LocationConstraint"), r.body


def test_create_with_location_constraint_same_region(server, s3):
    # Real S3 refuses an explicit us-east-1 constraint; a single-region
    # server may accept it. Either way it must not 5xx, and if accepted the
    # bucket must work.
    name = unique_bucket()
    body = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/'
            b'2006-03-01/"><LocationConstraint>us-east-1</LocationConstraint>'
            b'</CreateBucketConfiguration>')
    r = server.request("PUT", object_path(name), body=body)
    assert r.status in (200, 400), r
    if r.status == 200:
        server.client().head_bucket(Bucket=name)
        server.client().delete_bucket(Bucket=name)
    else:
        assert r.error_code() in ("InvalidLocationConstraint",
                                  "IllegalLocationConstraintException"), r


def test_create_with_foreign_location_constraint(server, s3):
    name = unique_bucket()
    with pytest.raises(ClientError) as ei:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={
            "LocationConstraint": "eu-west-3"})
    status, code = client_error(ei)
    assert status == 400
    assert code in ("IllegalLocationConstraintException",
                    "InvalidLocationConstraint"), code
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=name)


def test_create_with_malformed_xml(server):
    name = unique_bucket()
    r = server.request("PUT", object_path(name), body=b"<CreateBucketConfig")
    assert_s3_error(r, 400, "MalformedXML")


def test_error_xml_shape(server):
    r = server.request("GET", object_path(unique_bucket("nosuch"), "k"))
    assert_s3_error(r, 404, "NoSuchBucket")
    assert r.header("Content-Type", "").startswith(("application/xml",
                                                    "text/xml")), r
    assert r.header("x-amz-request-id"), r
    assert r.body.lstrip().startswith(b"<?xml") or r.body.lstrip().startswith(
        b"<Error"), r.body


def test_list_buckets_raw_xml(server, bucket):
    r = server.request("GET", "/")
    assert r.status == 200, r
    assert r.header("Content-Type", "").startswith(("application/xml",
                                                    "text/xml")), r
    names = [e.text for e in xml_find_all(r.body, "Name")]
    assert bucket in names
    assert xml_find_all(r.body, "ListAllMyBucketsResult") or \
        r.body.find(b"ListAllMyBucketsResult") >= 0


def test_bucket_survives_restart(server, s3):
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="persist", Body=b"persist")
    server.restart()
    s3b = server.client()
    s3b.head_bucket(Bucket=name)
    assert s3b.get_object(Bucket=name, Key="persist")["Body"].read() == \
        b"persist"
    s3b.delete_object(Bucket=name, Key="persist")
    s3b.delete_bucket(Bucket=name)


def test_list_buckets_paginated(server, s3):
    """max-buckets / continuation-token / prefix (raw requests: Debian's
    botocore predates these parameters)."""
    import xml.etree.ElementTree as ET
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    names = sorted("pag-%d-%s" % (i, unique_bucket("x")[2:]) for i in range(3))
    for n in names:
        s3.create_bucket(Bucket=n)

    def page(query):
        r = server.request("GET", "/", query=query)
        assert r.status == 200, r
        doc = ET.fromstring(r.body)
        return ([b.find(ns + "Name").text for b in doc.iter(ns + "Bucket")],
                doc.findtext(ns + "ContinuationToken"))

    seen, token = [], None
    for _ in range(10):
        q = [("max-buckets", "1"), ("prefix", "pag-")] + ([("continuation-token", token)] if token else [])
        got, token = page(q)
        assert len(got) <= 1
        seen += got
        if token is None:
            break
    assert seen == names
    assert page([("prefix", "pag-1-")])[0] == [names[1]]
    for bad in ("0", "10001", "x", ""):
        r = server.request("GET", "/", query=[("max-buckets", bad)])
        assert r.status == 400 and r.error_code() == "InvalidArgument", (bad, r)
    r = server.request("GET", "/", query=[("max-buckets", "1"), ("continuation-token", "garbage!")])
    assert r.status == 400 and r.error_code() == "InvalidArgument", r
    for n in names:
        s3.delete_bucket(Bucket=n)


def test_unset_settings_read_as_s3_answers_them(server, s3, bucket):
    """Requester Pays and acceleration are not offered: reading them gives
    S3's answer for a bucket that never had them (so tools that read every
    setting work), and setting either is 501. Website hosting, replication
    and logging are offered (test_website.py, test_replication.py,
    test_bucket_logging.py); a bucket without them answers as S3's does,
    and deleting an absent website or replication configuration is a 204
    no-op."""
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_website(Bucket=bucket)
    assert client_error(ei) == (404, "NoSuchWebsiteConfiguration")
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_replication(Bucket=bucket)
    assert client_error(ei) == (404, "ReplicationConfigurationNotFoundError")
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    for call in (s3.delete_bucket_website, s3.delete_bucket_replication):
        assert call(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204

    # The documents themselves, as S3 writes them.
    r = server.request("GET", object_path(bucket), query={"logging": ""})
    assert r.status == 200, r
    assert b"<BucketLoggingStatus" in r.body and b"LoggingEnabled" not in r.body
    # aws-cli reads them as it reads S3's.
    out = server.aws("s3api", "get-bucket-request-payment", "--bucket", bucket)
    assert '"Payer": "BucketOwner"' in out.stdout, out

    puts = [
        lambda: s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={
            "Payer": "Requester"}),
        lambda: s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={
            "Status": "Enabled"}),
    ]
    for put in puts:
        with pytest.raises(ClientError) as ei:
            put()
        assert client_error(ei) == (501, "NotImplemented")
    # Still unset, and on a missing bucket the bucket is what is missing.
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_website(Bucket=bucket)
    assert client_error(ei) == (404, "NoSuchWebsiteConfiguration")
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_logging(Bucket=unique_bucket("nosuch"))
    assert client_error(ei) == (404, "NoSuchBucket")
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)

"""Server access logging to a bucket (docs/bucket-logging.md), end to end:
boto3 sets a bucket's logging configuration as on AWS, and the server
delivers S3 server access log records of every request on the bucket into
the target bucket, written as the service principal
logging.s3.amazonaws.com that the target's bucket policy lets in.

  - PutBucketLogging refuses a target that does not exist, belongs to
    another tenant, or whose policy does not let the logging service
    write (400 InvalidTargetBucketForLogging), TargetGrants (400
    InvalidArgument), and another tenant (403 AccessDenied); a bad
    PartitionDateSource is 400 MalformedXML;
  - each request on the bucket, refused ones included, has exactly one
    record, with S3's 26 fields: the owner's canonical id, the bucket,
    the requester, the request id the client got, S3's operation name,
    the key, the status and error code, the bytes;
  - log objects are named as S3 names them (simple and partitioned
    prefixes), belong to the bucket owner, and their writes are in the
    owner's transparency log under the service principal;
  - a bucket may log into itself: deliveries make no records, so no loop;
  - a target whose policy no longer lets the service in drops the
    records (counted in the metrics) instead of stalling;
  - a restart or a SIGKILL loses and repeats no record; logging turned
    off delivers what came before it and nothing after."""

import json
import random
import re
import shlex
import time

import pytest
import requests

from adminutil import export_log, s3_code, serve_module, tenant_clients
from conftest import run_aws, unique_bucket
from metricsutil import samples, scrape, write_token

ACME = ("ACMELOGGINGROOTKEY01", "acme-logging-root-secret-0123456789")
GLOBEX = ("GLOBEXLOGGINGROOTK01", "globex-logging-root-secret-0123456789")
SERVICE = "logging.s3.amazonaws.com"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    token_file, token = write_token(str(tmp_path_factory.mktemp("bucket-logging-conf")))
    for server in serve_module(tmp_path_factory, "bucket-logging",
                               ["--access-log-interval", "1", "--metrics-token-file", token_file]):
        server.metrics_token = token
        yield server


def access_log_metrics(srv):
    """(records delivered, records dropped, objects written) from the metrics."""
    m = samples(scrape(srv, srv.metrics_token))
    return (m.get(("confiance_access_log_records_total", frozenset({("result", "delivered")})), 0),
            m.get(("confiance_access_log_records_total", frozenset({("result", "dropped")})), 0),
            m.get(("confiance_access_log_objects_total", frozenset({("result", "ok")})), 0))


@pytest.fixture(scope="module")
def clients(srv):
    return tenant_clients(srv, (("acme", ACME), ("globex", GLOBEX)))


def allow_logging(client, target, prefix, source, account="acme"):
    """The target bucket policy AWS documents for server access logs."""
    client.put_bucket_policy(Bucket=target, Policy="""{
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
        "Principal": {"Service": "%s"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::%s/%s*",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::%s"},
                      "StringEquals": {"aws:SourceAccount": "%s"}}}]}""" % (SERVICE, target, prefix, source, account))


def source_and_target(client, stem, prefix):
    """A new source bucket and a new target whose policy lets the logging
    service write under `prefix` for that source: their names."""
    src, logs = unique_bucket(stem), unique_bucket("llogs")
    client.create_bucket(Bucket=src)
    client.create_bucket(Bucket=logs)
    allow_logging(client, logs, prefix, src)
    return src, logs


def enable(client, source, target, prefix):
    client.put_bucket_logging(Bucket=source, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}})


def enable_raw(srv, source, target, prefix, key_format):
    """PutBucketLogging with a TargetObjectKeyFormat (XML), which Debian's
    botocore 1.29 predates: the raw response."""
    body = ("<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LoggingEnabled>"
            "<TargetBucket>%s</TargetBucket><TargetPrefix>%s</TargetPrefix>"
            "<TargetObjectKeyFormat>%s</TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>"
            % (target, prefix, key_format)).encode()
    return srv.request("PUT", "/" + source, query={"logging": ""}, body=body, access_key=ACME[0], secret_key=ACME[1])


def partitioned(source):
    return "<PartitionedPrefix><PartitionDateSource>%s</PartitionDateSource></PartitionedPrefix>" % source


def parse(line):
    """A record's 26 fields, as AWS's documentation parses them."""
    fields = shlex.split(line.replace("[", '"').replace("]", '"'))
    assert len(fields) == 26, line
    return fields


def log_objects(client, bucket, prefix):
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def records(client, bucket, prefix):
    out = []
    for key in log_objects(client, bucket, prefix):
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        out += [parse(line) for line in body.splitlines()]
    return out


def wait_records(client, bucket, prefix, want, source=None, timeout=30):
    """The records under `prefix` (of `source` only, if named) once there
    are at least `want`."""
    deadline = time.time() + timeout
    while True:
        got = [r for r in records(client, bucket, prefix) if source is None or r[1] == source]
        if len(got) >= want or time.time() > deadline:
            return got
        time.sleep(0.3)


def test_put_bucket_logging_checks_the_target(srv, clients):
    acme, globex = clients
    src, logs, theirs = unique_bucket("lsrc"), unique_bucket("llogs"), unique_bucket("ltheirs")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=logs)
    globex.create_bucket(Bucket=theirs)
    assert "LoggingEnabled" not in acme.get_bucket_logging(Bucket=src)

    # No policy letting the logging service write: refused, as on AWS.
    assert s3_code(enable, acme, src, logs, "log/") == (400, "InvalidTargetBucketForLogging")
    allow_logging(acme, logs, "log/", src)
    assert s3_code(enable, acme, src, logs, "other/") == (400, "InvalidTargetBucketForLogging")
    assert s3_code(enable, acme, src, unique_bucket("nobucket"), "log/") == (400, "InvalidTargetBucketForLogging")
    allow_logging(globex, theirs, "log/", src)
    assert s3_code(enable, acme, src, theirs, "log/") == (400, "InvalidTargetBucketForLogging")
    assert s3_code(enable, globex, src, logs, "log/")[0] == 403
    assert s3_code(acme.put_bucket_logging, Bucket=src, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": logs, "TargetPrefix": "log/",
        "TargetGrants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                          "Permission": "READ"}]}}) == (400, "InvalidArgument")
    r = enable_raw(srv, src, logs, "log/", partitioned("kaboom"))
    assert (r.status, r.error_code()) == (400, "MalformedXML"), r
    # Nothing of that stuck.
    assert "LoggingEnabled" not in acme.get_bucket_logging(Bucket=src)

    enable(acme, src, logs, "log/")
    got = acme.get_bucket_logging(Bucket=src)["LoggingEnabled"]
    assert got == {"TargetBucket": logs, "TargetPrefix": "log/"}, got
    get = srv.request("GET", "/" + src, query={"logging": ""}, access_key=ACME[0], secret_key=ACME[1])
    assert b"<TargetObjectKeyFormat><SimplePrefix></SimplePrefix></TargetObjectKeyFormat>" in get.body, get
    r = enable_raw(srv, src, logs, "log/", partitioned("EventTime"))
    assert r.status == 200, r
    get = srv.request("GET", "/" + src, query={"logging": ""}, access_key=ACME[0], secret_key=ACME[1])
    assert b"<PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix>" in get.body, \
        get
    acme.put_bucket_logging(Bucket=src, BucketLoggingStatus={})
    assert "LoggingEnabled" not in acme.get_bucket_logging(Bucket=src)
    # An object key never takes the bucket's ?logging.
    r = srv.request("PUT", "/%s/k" % src, query={"logging": ""}, access_key=ACME[0], secret_key=ACME[1])
    assert r.status == 501, r


def test_every_request_has_one_record(srv, clients):
    acme, _ = clients
    src, logs = source_and_target(acme, "lsrc", "access/")
    owner_id = acme.list_buckets()["Owner"]["ID"]
    delivered_before, dropped_before, objects_before = access_log_metrics(srv)

    # The request that turns logging on is the first with a record.
    r = acme.put_bucket_logging(Bucket=src, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "access/"}})
    ids = {r["ResponseMetadata"]["RequestId"]: ("REST.PUT.LOGGING_STATUS", "-", "200", "-")}
    r = acme.put_object(Bucket=src, Key="dir/a b.txt", Body=b"x" * 1000)
    ids[r["ResponseMetadata"]["RequestId"]] = ("REST.PUT.OBJECT", "dir/a%20b.txt", "200", "-")
    r = acme.get_object(Bucket=src, Key="dir/a b.txt")
    assert r["Body"].read() == b"x" * 1000
    ids[r["ResponseMetadata"]["RequestId"]] = ("REST.GET.OBJECT", "dir/a%20b.txt", "200", "-")
    r = acme.list_objects_v2(Bucket=src)
    ids[r["ResponseMetadata"]["RequestId"]] = ("REST.GET.BUCKET", "-", "200", "-")
    with pytest.raises(Exception) as e:
        acme.head_object(Bucket=src, Key="missing")
    ids[e.value.response["ResponseMetadata"]["RequestId"]] = ("REST.HEAD.OBJECT", "missing", "404", "NoSuchKey")
    anonymous = requests.get("%s/%s/dir/a%%20b.txt" % (srv.endpoint, src), timeout=30)
    assert anonymous.status_code == 403
    ids[anonymous.headers["x-amz-request-id"]] = ("REST.GET.OBJECT", "dir/a%20b.txt", "403", "AccessDenied")
    r = acme.delete_object(Bucket=src, Key="dir/a b.txt")
    ids[r["ResponseMetadata"]["RequestId"]] = ("REST.DELETE.OBJECT", "dir/a%20b.txt", "204", "-")

    got = wait_records(acme, logs, "access/", len(ids))
    assert len(got) == len(ids), got
    # (The other tests' buckets may deliver meanwhile: at least these.)
    delivered, dropped, objects = access_log_metrics(srv)
    assert delivered - delivered_before >= len(ids) and dropped == dropped_before, (delivered, dropped)
    assert objects - objects_before >= len(log_objects(acme, logs, "access/")), objects
    assert sorted(f[5] for f in got) == sorted(ids), got
    for f in got:
        op, key, status, error = ids[f[5]]
        assert (f[6], f[7], f[9], f[10]) == (op, key, status, error), f
        assert f[0] == owner_id and f[1] == src, f
        assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", f[2]), f
        assert f[3] == "127.0.0.1", f
        assert f[4] == ("-" if status == "403" else "arn:aws:iam::acme:root"), f
    by_op = {f[6] + f[9]: f for f in got}
    assert by_op["REST.PUT.OBJECT200"][12] == "1000"  # object size
    assert by_op["REST.GET.OBJECT200"][11] == "1000"  # bytes sent

    # Named as S3 names them; the owner's, read with its own client.
    keys = log_objects(acme, logs, "access/")
    assert keys and all(re.fullmatch(r"access/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}", k) for k in keys), keys
    acl = acme.get_object_acl(Bucket=logs, Key=keys[0])
    assert acl["Owner"]["ID"] == owner_id, acl
    # Nothing more comes: the deliveries themselves have no record.
    time.sleep(2.5)
    assert len(records(acme, logs, "access/")) == len(ids)

    # Logging off: what came before is still delivered, nothing after.
    last = acme.put_object(Bucket=src, Key="last", Body=b"y")["ResponseMetadata"]["RequestId"]
    acme.put_bucket_logging(Bucket=src, BucketLoggingStatus={})
    assert "LoggingEnabled" not in acme.get_bucket_logging(Bucket=src)
    acme.put_object(Bucket=src, Key="after", Body=b"y")
    got = wait_records(acme, logs, "access/", len(ids) + 1)
    time.sleep(2.5)
    got = records(acme, logs, "access/")
    assert sorted(f[5] for f in got) == sorted(list(ids) + [last]), got


def test_aws_cli_sets_and_reads_the_configuration(srv, clients, tmp_path):
    """Debian's aws-cli, as the AWS documentation has it: the policy from
    a file, then put-bucket-logging and get-bucket-logging."""
    acme, _ = clients
    src, logs = unique_bucket("lcli"), unique_bucket("llogs")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=logs)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
        "Principal": {"Service": SERVICE}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::%s/cli/*" % logs,
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::%s" % src},
                      "StringEquals": {"aws:SourceAccount": "acme"}}}]}))

    def aws(*args, check=True):
        return run_aws(srv.endpoint, ACME[0], ACME[1], list(args), check=check)

    status = json.dumps({"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "cli/"}})
    refused = aws("s3api", "put-bucket-logging", "--bucket", src, "--bucket-logging-status", status, check=False)
    assert refused.returncode != 0 and "InvalidTargetBucketForLogging" in refused.stderr, refused
    aws("s3api", "put-bucket-policy", "--bucket", logs, "--policy", "file://%s" % policy)
    aws("s3api", "put-bucket-logging", "--bucket", src, "--bucket-logging-status", status)
    got = json.loads(aws("s3api", "get-bucket-logging", "--bucket", src).stdout)
    assert got["LoggingEnabled"] == {"TargetBucket": logs, "TargetPrefix": "cli/"}, got
    aws("s3api", "put-object", "--bucket", src, "--key", "via-cli", "--body", str(policy))
    got = wait_records(acme, logs, "cli/", 3, source=src)
    # (In one object or two: objects list by name, not by time.)
    assert sorted(f[6] for f in got) == ["REST.GET.LOGGING_STATUS", "REST.PUT.LOGGING_STATUS", "REST.PUT.OBJECT"], got
    aws("s3api", "put-bucket-logging", "--bucket", src, "--bucket-logging-status", "{}")
    assert "LoggingEnabled" not in json.loads(aws("s3api", "get-bucket-logging", "--bucket", src).stdout or "{}")


def test_a_target_that_no_longer_lets_the_service_in_drops_the_records(srv, clients):
    acme, _ = clients
    src, logs = source_and_target(acme, "ldrop", "d/")
    enable(acme, src, logs, "d/")
    wait_records(acme, logs, "d/", 1)  # the PutBucketLogging's own record
    _, dropped_before, _ = access_log_metrics(srv)
    acme.delete_bucket_policy(Bucket=logs)
    acme.put_object(Bucket=src, Key="k", Body=b"v")
    deadline = time.time() + 30
    while access_log_metrics(srv)[1] == dropped_before and time.time() < deadline:
        time.sleep(0.3)
    assert access_log_metrics(srv)[1] >= dropped_before + 1
    assert len(records(acme, logs, "d/")) == 1


def test_a_crash_during_deliveries_loses_and_repeats_no_record(srv, clients):
    """SIGKILL at random moments while passes run (every second): every
    acknowledged request's record comes, once. (The narrowest case, a
    kill between a pass's objects and its cursor, is pinned by
    access_log_delivery_test: the repeated pass rewrites the same keys.)"""
    acme, _ = clients
    src, logs = source_and_target(acme, "lcrash", "crash/")
    acked = [acme.put_bucket_logging(Bucket=src, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": logs, "TargetPrefix": "crash/"}})["ResponseMetadata"]["RequestId"]]
    rng = random.Random(2026120749)
    for _ in range(4):
        for i in range(30):
            acked.append(acme.put_object(Bucket=src, Key="k%d" % i, Body=b"v")["ResponseMetadata"]["RequestId"])
        time.sleep(rng.uniform(0.0, 1.5))
        srv.kill()
        srv.start()
        acme = srv.client(access_key=ACME[0], secret_key=ACME[1])
    got = wait_records(acme, logs, "crash/", len(acked), source=src)
    ids = [f[5] for f in got]
    assert len(ids) == len(set(ids)), "a record delivered twice"
    assert set(acked) <= set(ids), sorted(set(acked) - set(ids))


def test_a_bucket_logs_into_itself_with_partitioned_keys_and_across_a_restart(srv, clients):
    acme, _ = clients
    src = unique_bucket("lself")
    acme.create_bucket(Bucket=src)
    allow_logging(acme, src, "logs/", src)
    r = enable_raw(srv, src, src, "logs/", partitioned("DeliveryTime"))
    assert r.status == 200, r
    for i in range(5):
        acme.put_object(Bucket=src, Key="data/%d" % i, Body=b"z")
    got = wait_records(acme, src, "logs/", 5, source=src)
    puts = [f for f in got if f[6] == "REST.PUT.OBJECT" and f[7].startswith("data/")]
    assert len(puts) == 5, got
    keys = log_objects(acme, src, "logs/")
    region = "us-east-1"
    pattern = r"logs/acme/%s/%s/\d{4}/\d\d/\d\d/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}" % (region, src)
    assert keys and all(re.fullmatch(pattern, k) for k in keys), keys

    srv.stop_clean()
    srv.start()
    acme = srv.client(access_key=ACME[0], secret_key=ACME[1])
    acme.put_object(Bucket=src, Key="data/after-restart", Body=b"z")
    deadline = time.time() + 30
    while time.time() < deadline:
        got = records(acme, src, "logs/")
        if any(f[7] == "data/after-restart" for f in got):
            break
        time.sleep(0.3)
    # Each request once: none lost to the restart, none repeated.
    request_ids = [f[5] for f in got]
    assert len(request_ids) == len(set(request_ids)), got
    assert [f[7] for f in got if f[6] == "REST.PUT.OBJECT" and f[7].startswith("data/")].count("data/after-restart") == 1
    assert len([f for f in got if f[6] == "REST.PUT.OBJECT" and f[7].startswith("data/")]) == 6, got
    # Listing and reading the logs made records of their own; the
    # deliveries none, but they are in the owner's transparency log.
    assert not any(f[4] == SERVICE for f in got), got
    srv.stop_clean()
    deliveries = [e for e in export_log(srv, "acme")
                  if e.get("operation") == "PutObject" and e.get("bucket") == src and e["key"].startswith("logs/")]
    assert len(deliveries) >= len(keys), deliveries
    assert all(e["principal"] == {"type": "service", "tenant": "acme", "user": SERVICE} and e["status"] == 200
               for e in deliveries), deliveries

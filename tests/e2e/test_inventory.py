"""S3 Inventory (docs/inventory.md), end to end: boto3 sets a bucket's
inventory configurations as on AWS, and the server writes the reports
into the destination bucket, as the service principal s3.amazonaws.com
that the destination's bucket policy lets in.

  - Put, Get, List and DeleteBucketInventoryConfiguration round-trip the
    document; an unknown id is 404 NoSuchConfiguration, an Id differing
    from the request's 400 InvalidArgument, a malformed document 400
    MalformedXML, a destination that is no bucket name 400
    InvalidArgument, ORC 501 NotImplemented, another tenant 403;
  - an SSE-KMS KeyId must name a key of the owner (else 400
    KMS.NotFoundException), and the reports are written under it;
  - a report is S3's layout: gzip CSV data files, manifest.json naming
    them with their sizes and MD5s, manifest.checksum the manifest's MD5,
    hive/dt=.../symlink.txt their s3:// URIs;
    its lines are the source's objects under the filter prefix (or every
    version), with the fields asked for;
  - ObjectOwner is the owner's canonical id, ObjectAccessControlList S3's
    base64-encoded JSON of the object's grants;
  - a destination whose policy does not let the service in gets nothing."""

import base64
import gzip
import hashlib
import json
import time
import urllib.parse

import pytest

from adminutil import cli, s3_code, serve_module, tenant_clients
from conftest import unique_bucket
from metricsutil import samples, scrape, write_token

ACME = ("ACMEINVENTORYROOTK01", "acme-inventory-root-secret-0123456789")
GLOBEX = ("GLOBEXINVENTORYROOT1", "globex-inventory-root-secret-0123456789")
SERVICE = "s3.amazonaws.com"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    token_file, token = write_token(str(tmp_path_factory.mktemp("inventory-conf")))
    # A "day" of 10 s, looked at every second: a report within seconds.
    for server in serve_module(tmp_path_factory, "inventory",
                               ["--inventory-interval", "1", "--lifecycle-day-seconds", "10",
                                "--metrics-token-file", token_file]):
        server.metrics_token = token
        yield server


def inventory_metrics(srv):
    """(reports written, reports failed) from the metrics."""
    m = samples(scrape(srv, srv.metrics_token))
    return (m.get(("confiance_inventory_reports_total", frozenset({("result", "ok")})), 0),
            m.get(("confiance_inventory_reports_total", frozenset({("result", "failed")})), 0))


@pytest.fixture(scope="module")
def clients(srv):
    return tenant_clients(srv, (("acme", ACME), ("globex", GLOBEX)))


def allow_inventory(client, dest, source, account="acme"):
    """The destination bucket policy AWS documents for inventory reports."""
    client.put_bucket_policy(Bucket=dest, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "InventoryPolicy", "Effect": "Allow",
            "Principal": {"Service": SERVICE}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::%s/*" % dest,
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::%s" % source},
                          "StringEquals": {"aws:SourceAccount": account,
                                           "s3:x-amz-acl": "bucket-owner-full-control"}}}]}))


def config(config_id, dest, versions="Current", prefix=None, fields=("Size", "ETag", "LastModifiedDate"),
           fmt="CSV", frequency="Daily"):
    c = {
        "Id": config_id,
        "IsEnabled": True,
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::" + dest, "Format": fmt,
                                                "Prefix": "reports"}},
        "IncludedObjectVersions": versions,
        "OptionalFields": list(fields),
        "Schedule": {"Frequency": frequency},
    }
    if prefix is not None:
        c["Filter"] = {"Prefix": prefix}
    return c


def wait_for_manifest(client, dest, prefix, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = client.list_objects_v2(Bucket=dest, Prefix=prefix).get("Contents", [])
        manifests = [o["Key"] for o in listed if o["Key"].endswith("/manifest.json")]
        if manifests:
            return sorted(manifests)[0]
        time.sleep(0.5)
    raise AssertionError("no manifest under %s/%s within %d s" % (dest, prefix, timeout))


def read_report(client, dest, manifest_key):
    """(manifest, lines of every data file), checking sizes, MD5s and the
    checksum file as a reader of S3 reports does."""
    body = client.get_object(Bucket=dest, Key=manifest_key)["Body"].read()
    checksum_key = manifest_key[:-len("manifest.json")] + "manifest.checksum"
    checksum = client.get_object(Bucket=dest, Key=checksum_key)["Body"].read().decode()
    assert checksum == hashlib.md5(body).hexdigest()
    manifest = json.loads(body)
    lines = []
    for f in manifest["files"]:
        data = client.get_object(Bucket=dest, Key=f["key"])["Body"].read()
        assert len(data) == f["size"]
        assert hashlib.md5(data).hexdigest() == f["MD5checksum"]
        lines += gzip.decompress(data).decode().splitlines()
    assert hive_symlink(client, dest, manifest_key) == [
        "s3://%s/%s" % (dest, f["key"]) for f in manifest["files"]]
    return manifest, lines


def hive_symlink(client, dest, manifest_key, timeout=10):
    """The lines of the report's hive/dt=YYYY-MM-DD-HH-MM/symlink.txt, the
    partition Athena reads; written just after the manifest."""
    base, stamp = manifest_key.rsplit("/", 2)[:2]
    key = "%s/hive/dt=%s/symlink.txt" % (base, stamp.replace("T", "-").rstrip("Z"))
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.get_object(Bucket=dest, Key=key)["Body"].read().decode().splitlines()
        except client.exceptions.NoSuchKey:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fields_of(line):
    assert line.startswith('"') and line.endswith('"'), line
    return line[1:-1].split('","')


def test_configurations_round_trip_and_errors(clients):
    acme, globex = clients
    src, dest = unique_bucket("invsrc"), unique_bucket("invdst")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=dest)
    assert s3_code(acme.get_bucket_inventory_configuration, Bucket=src, Id="none") == (404, "NoSuchConfiguration")
    assert acme.list_bucket_inventory_configurations(Bucket=src).get("InventoryConfigurationList", []) == []
    one = config("one", dest, prefix="photos/", fields=("Size", "EncryptionStatus"))
    two = config("two", dest, versions="All", frequency="Weekly")
    acme.put_bucket_inventory_configuration(Bucket=src, Id="one", InventoryConfiguration=one)
    acme.put_bucket_inventory_configuration(Bucket=src, Id="two", InventoryConfiguration=two)
    got = acme.get_bucket_inventory_configuration(Bucket=src, Id="one")["InventoryConfiguration"]
    assert got["Id"] == "one" and got["IsEnabled"] is True
    assert got["Destination"]["S3BucketDestination"] == {"Bucket": "arn:aws:s3:::" + dest, "Format": "CSV",
                                                          "Prefix": "reports"}
    assert got["Filter"] == {"Prefix": "photos/"}
    assert got["OptionalFields"] == ["Size", "EncryptionStatus"]
    assert got["Schedule"] == {"Frequency": "Daily"} and got["IncludedObjectVersions"] == "Current"
    listed = acme.list_bucket_inventory_configurations(Bucket=src)
    assert [c["Id"] for c in listed["InventoryConfigurationList"]] == ["one", "two"]
    assert listed["IsTruncated"] is False
    # Replacing one keeps the other.
    one["IsEnabled"] = False
    acme.put_bucket_inventory_configuration(Bucket=src, Id="one", InventoryConfiguration=one)
    assert acme.get_bucket_inventory_configuration(Bucket=src, Id="one")["InventoryConfiguration"]["IsEnabled"] is False
    assert acme.get_bucket_inventory_configuration(Bucket=src, Id="two")["InventoryConfiguration"]["Id"] == "two"
    # Refusals.
    assert s3_code(acme.put_bucket_inventory_configuration, Bucket=src, Id="other",
                   InventoryConfiguration=config("one", dest)) == (400, "InvalidArgument")
    assert s3_code(acme.put_bucket_inventory_configuration, Bucket=src, Id="bad",
                   InventoryConfiguration=config("bad", "a/b")) == (400, "InvalidArgument")
    assert s3_code(acme.put_bucket_inventory_configuration, Bucket=src, Id="orc",
                   InventoryConfiguration=config("orc", dest, fmt="ORC")) == (501, "NotImplemented")
    assert s3_code(globex.get_bucket_inventory_configuration, Bucket=src, Id="one")[0] == 403
    assert s3_code(globex.put_bucket_inventory_configuration, Bucket=src, Id="x",
                   InventoryConfiguration=config("x", dest))[0] == 403
    # Delete: gone, then 404; the other stays.
    acme.delete_bucket_inventory_configuration(Bucket=src, Id="one")
    assert s3_code(acme.get_bucket_inventory_configuration, Bucket=src, Id="one") == (404, "NoSuchConfiguration")
    assert s3_code(acme.delete_bucket_inventory_configuration, Bucket=src, Id="one") == (404, "NoSuchConfiguration")
    assert [c["Id"] for c in acme.list_bucket_inventory_configurations(Bucket=src)["InventoryConfigurationList"]] \
        == ["two"]


def test_a_malformed_document_is_malformed_xml(srv, clients):
    acme, _ = clients
    src = unique_bucket("invbad")
    acme.create_bucket(Bucket=src)
    resp = srv.request("PUT", "/" + src, query=[("id", "x"), ("inventory", "")],
                       body=b"<InventoryConfiguration><Id>x</Id>", access_key=ACME[0], secret_key=ACME[1])
    assert resp.status == 400 and b"<Code>MalformedXML</Code>" in resp.body, resp.body


def test_a_report_lists_the_objects_under_the_prefix(clients):
    acme, _ = clients
    src, dest = unique_bucket("invsrc"), unique_bucket("invdst")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=dest)
    allow_inventory(acme, dest, src)
    objects = {"photos/a.jpg": b"a" * 10, "photos/with space.jpg": b"b" * 2000, "docs/c.txt": b"c"}
    etags = {}
    for key, body in objects.items():
        etags[key] = acme.put_object(Bucket=src, Key=key, Body=body)["ETag"].strip('"')
    acme.put_bucket_inventory_configuration(Bucket=src, Id="daily",
                                            InventoryConfiguration=config("daily", dest, prefix="photos/"))
    manifest_key = wait_for_manifest(acme, dest, "reports/%s/daily/" % src)
    manifest, lines = read_report(acme, dest, manifest_key)
    assert manifest["sourceBucket"] == src
    assert manifest["destinationBucket"] == "arn:aws:s3:::" + dest
    assert manifest["fileFormat"] == "CSV"
    assert manifest["fileSchema"] == "Bucket, Key, Size, LastModifiedDate, ETag"
    assert all(f["key"].startswith("reports/%s/daily/data/" % src) for f in manifest["files"])
    rows = {urllib.parse.unquote(fields_of(line)[1]): fields_of(line) for line in lines}
    assert set(rows) == {"photos/a.jpg", "photos/with space.jpg"}
    for key, row in rows.items():
        assert row[0] == src
        assert row[2] == str(len(objects[key]))
        assert row[3].endswith("Z")
        assert row[4] == etags[key]
    # The report's objects belong to the destination's owner, who reads them.
    head = acme.head_object(Bucket=dest, Key=manifest_key)
    assert head["ContentType"] == "application/json"


def test_reports_under_an_sse_kms_key_of_the_owner(srv, clients):
    acme, _ = clients
    src, dest = unique_bucket("invsrc"), unique_bucket("invdst")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=dest)
    allow_inventory(acme, dest, src)
    acme.put_object(Bucket=src, Key="k", Body=b"k")
    cli(srv, "kms-key", "create", "acme", "reports", creds=ACME)

    def with_key(config_id, key_id):
        c = config(config_id, dest)
        c["Destination"]["S3BucketDestination"]["Encryption"] = {"SSEKMS": {"KeyId": key_id}}
        return c

    # A key the owner does not have is refused when set, as a bucket's
    # default encryption naming one is.
    for key_id in ("alias/none", "globex", "arn:aws:kms:us-east-1:111122223333:key/x"):
        assert s3_code(acme.put_bucket_inventory_configuration, Bucket=src, Id="kms",
                       InventoryConfiguration=with_key("kms", key_id)) == (400, "KMS.NotFoundException"), key_id
    acme.put_bucket_inventory_configuration(Bucket=src, Id="kms",
                                            InventoryConfiguration=with_key("kms", "alias/reports"))
    got = acme.get_bucket_inventory_configuration(Bucket=src, Id="kms")["InventoryConfiguration"]
    assert got["Destination"]["S3BucketDestination"]["Encryption"] == {"SSEKMS": {"KeyId": "alias/reports"}}
    manifest_key = wait_for_manifest(acme, dest, "reports/%s/kms/" % src)
    manifest, lines = read_report(acme, dest, manifest_key)
    assert len(lines) == 1
    written = [f["key"] for f in manifest["files"]] + [manifest_key]
    for key in written:
        head = acme.head_object(Bucket=dest, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms", (key, head)
        assert head["SSEKMSKeyId"] == "alias/reports", (key, head)


def test_every_version_and_a_destination_that_does_not_let_the_service_in(srv, clients):
    acme, _ = clients
    src, dest, closed = unique_bucket("invver"), unique_bucket("invdst"), unique_bucket("invclosed")
    for b in (src, dest, closed):
        acme.create_bucket(Bucket=b)
    acme.put_bucket_versioning(Bucket=src, VersioningConfiguration={"Status": "Enabled"})
    allow_inventory(acme, dest, src)
    v1 = acme.put_object(Bucket=src, Key="k", Body=b"1")["VersionId"]
    v2 = acme.put_object(Bucket=src, Key="k", Body=b"22")["VersionId"]
    marker = acme.delete_object(Bucket=src, Key="k")["VersionId"]
    acme.put_bucket_inventory_configuration(Bucket=src, Id="all",
                                            InventoryConfiguration=config("all", dest, versions="All",
                                                                          fields=("Size",)))
    acme.put_bucket_inventory_configuration(Bucket=src, Id="closed",
                                            InventoryConfiguration=config("closed", closed))
    manifest, lines = read_report(acme, dest, wait_for_manifest(acme, dest, "reports/%s/all/" % src))
    assert manifest["fileSchema"] == "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size"
    assert [fields_of(line)[2:] for line in lines] == [
        [marker, "true", "true", ""], [v2, "false", "false", "2"], [v1, "false", "false", "1"]]
    # The closed destination: no policy for the service, so nothing; the
    # metrics count the written reports and the refused one.
    time.sleep(3)
    assert acme.list_objects_v2(Bucket=closed).get("KeyCount") == 0
    written, failed = inventory_metrics(srv)
    assert written >= 2 and failed >= 1, (written, failed)


def test_a_report_names_each_objects_owner_and_grants(clients):
    acme, globex = clients
    src, dest = unique_bucket("invacl"), unique_bucket("invdst")
    acme.create_bucket(Bucket=src)
    acme.create_bucket(Bucket=dest)
    allow_inventory(acme, dest, src)
    owner_id = acme.list_buckets()["Owner"]["ID"]
    reader_id = globex.list_buckets()["Owner"]["ID"]
    acme.put_object(Bucket=src, Key="private", Body=b"p")
    acme.put_object(Bucket=src, Key="shared", Body=b"s", GrantRead='id="%s"' % reader_id)
    acme.put_bucket_inventory_configuration(
        Bucket=src, Id="acl",
        InventoryConfiguration=config("acl", dest, fields=("ObjectAccessControlList", "ObjectOwner")))
    manifest, lines = read_report(acme, dest, wait_for_manifest(acme, dest, "reports/%s/acl/" % src))
    schema = manifest["fileSchema"].split(", ")
    assert set(schema) == {"Bucket", "Key", "ObjectOwner", "ObjectAccessControlList"}
    rows = {}
    for line in lines:
        row = dict(zip(schema, fields_of(line)))
        rows[row["Key"]] = row
    assert set(rows) == {"private", "shared"}
    for key, row in rows.items():
        assert row["ObjectOwner"] == owner_id
        field = json.loads(base64.b64decode(row["ObjectAccessControlList"]))
        assert field["version"] == "2022-11-10" and field["status"] == "AVAILABLE"
        # The grants GetObjectAcl shows, in the report's spelling.
        shown = acme.get_object_acl(Bucket=src, Key=key)["Grants"]
        expected = sorted((g["Grantee"]["ID"], "CanonicalUser", g["Permission"]) for g in shown)
        assert sorted((g["canonicalId"], g["type"], g["permission"]) for g in field["grants"]) == expected
    private = json.loads(base64.b64decode(rows["private"]["ObjectAccessControlList"]))["grants"]
    assert private == [{"canonicalId": owner_id, "type": "CanonicalUser", "permission": "FULL_CONTROL"}]
    shared = json.loads(base64.b64decode(rows["shared"]["ObjectAccessControlList"]))["grants"]
    assert {"canonicalId": reader_id, "type": "CanonicalUser", "permission": "READ"} in shared

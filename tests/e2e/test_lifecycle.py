"""Bucket lifecycle against the real server with an accelerated day
(`--lifecycle-day-seconds 2`, the worker ticking every second): the
configuration API and S3's validation errors, objects expiring by prefix,
tag and size filters, an object overwritten before its expiry surviving
it, incomplete multipart uploads aborted, disabled rules doing nothing, a
restart in the middle of a pass resuming it, and every lifecycle deletion
recorded in the owner's transparency log (principal system/lifecycle)."""

import base64
import hashlib
import json
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Server, unique_bucket
from s3util import assert_s3_error

DAY = 2  # seconds in a lifecycle "day" for these tests
ARGS = ["--lifecycle-day-seconds", str(DAY), "--lifecycle-interval", "1"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("lc")), extra_args=ARGS)
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


@pytest.fixture
def s3(server):
    return server.client()


@pytest.fixture
def bucket(s3):
    name = unique_bucket("lc")
    s3.create_bucket(Bucket=name)
    return name


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.25)


def put_lifecycle(s3, bucket, rules):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def raw_put(server, bucket, body, md5=True, headers=None):
    h = dict(headers or {})
    if md5:
        h["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    return server.request("PUT", "/" + bucket, query={"lifecycle": ""}, headers=h, body=body)


def doc(*rules):
    return ("<LifecycleConfiguration>" + "".join(rules) + "</LifecycleConfiguration>").encode()


def rule(body, rule_id="r"):
    return "<Rule><ID>%s</ID>%s</Rule>" % (rule_id, body)


# ---------------------------------------------------------------- the API

def test_configuration_round_trip_and_delete(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert e.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    rules = [
        {"ID": "legacy", "Expiration": {"Days": 31}, "Prefix": "test1/", "Status": "Enabled"},
        {"ID": "tag", "Expiration": {"Days": 3}, "Filter": {"Tag": {"Key": "k", "Value": "v"}},
         "Status": "Disabled"},
        {"ID": "and", "Expiration": {"Days": 5},
         "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "a", "Value": "1"}],
                            "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
         "Status": "Enabled"},
        {"ID": "noncurrent", "Filter": {"Prefix": "v/"}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 4, "NewerNoncurrentVersions": 2}},
        {"ID": "mpu", "Filter": {"Prefix": "mp/"}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
        {"ID": "marker", "Filter": {}, "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]
    put_lifecycle(s3, bucket, rules)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    # A rule without ID gets one.
    put_lifecycle(s3, bucket, [{"Expiration": {"Days": 1}, "Prefix": "x/", "Status": "Enabled"}])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(got) == 1 and got[0]["ID"] and got[0]["Prefix"] == "x/"
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert e.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"


def test_date_round_trips_at_midnight(s3, bucket):
    put_lifecycle(s3, bucket, [{"ID": "d", "Expiration": {"Date": "2030-01-01T00:00:00Z"}, "Prefix": "",
                                "Status": "Enabled"}])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["Expiration"]["Date"]
    assert got.isoformat().startswith("2030-01-01T00:00:00")


GOOD = "<Status>Enabled</Status><Prefix>a/</Prefix><Expiration><Days>1</Days></Expiration>"


@pytest.mark.parametrize("body,code", [
    (doc(rule(GOOD, "a" * 256)), "InvalidArgument"),
    (doc(rule(GOOD, "same"), rule(GOOD.replace("a/", "b/"), "same")), "InvalidArgument"),
    (doc(rule("<Status>Enabled</Status><Prefix/><Expiration><Days>0</Days></Expiration>")), "InvalidArgument"),
    (doc(rule("<Status>Enabled</Status><Prefix/><Expiration><Date>2020-01-01T10:00:00Z</Date></Expiration>")),
     "InvalidArgument"),
    (doc(rule("<Status>Enabled</Status><Prefix/><Expiration><Date>20200101</Date></Expiration>")),
     "InvalidArgument"),
    (doc(rule("<Status>enabled</Status><Prefix/><Expiration><Days>1</Days></Expiration>")), "MalformedXML"),
    (doc(rule("<Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>"
              "</Filter><Expiration><Days>1</Days></Expiration>")), "MalformedXML"),
    (doc(*[rule(GOOD, str(i)) for i in range(1001)]), "MalformedXML"),
    (b"<LifecycleConfiguration><Rule>", "MalformedXML"),
    (doc(rule("<Status>Enabled</Status><Prefix/>")), "InvalidRequest"),
    (doc(rule("<Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
              "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
              "</AbortIncompleteMultipartUpload>")), "InvalidRequest"),
])
def test_validation_errors(server, bucket, body, code):
    assert_s3_error(raw_put(server, bucket, body), 400, code)


def test_put_needs_content_md5_or_a_checksum(server, s3, bucket):
    body = doc(rule(GOOD))
    assert_s3_error(raw_put(server, bucket, body, md5=False), 400, "InvalidRequest")
    assert_s3_error(raw_put(server, bucket, b""), 400, "MissingRequestBodyError")
    assert_s3_error(raw_put(server, bucket, body, md5=False, headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}),
                    400, "BadDigest")
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    resp = raw_put(server, bucket, body, md5=False, headers={"x-amz-checksum-sha256": sha})
    assert resp.status == 200, resp.body
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == "r"


def test_expiration_header(s3, bucket):
    put_lifecycle(s3, bucket, [{"ID": "rule1", "Expiration": {"Days": 1}, "Prefix": "days1/", "Status": "Enabled"}])
    # Calendar days whatever the accelerated day: midnight UTC after one day.
    resp = s3.put_object(Bucket=bucket, Key="other/x", Body=b"x")
    assert "x-amz-expiration" not in resp["ResponseMetadata"]["HTTPHeaders"]
    resp = s3.put_object(Bucket=bucket, Key="days1/foo", Body=b"bar")
    hdr = resp["ResponseMetadata"]["HTTPHeaders"]["x-amz-expiration"]
    assert hdr.startswith('expiry-date="') and hdr.endswith('", rule-id="rule1"') and "00:00:00 GMT" in hdr
    head = s3.head_object(Bucket=bucket, Key="days1/foo")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-expiration"] == hdr
    s3.delete_bucket_lifecycle(Bucket=bucket)


# ---------------------------------------------------------------- the worker

def test_objects_expire_by_prefix_tag_and_size(s3, bucket):
    s3.put_object(Bucket=bucket, Key="exp/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="keep/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="t/yes", Body=b"a", Tagging="state=old&x=1")
    s3.put_object(Bucket=bucket, Key="t/no", Body=b"a", Tagging="state=new")
    s3.put_object(Bucket=bucket, Key="size/big", Body=b"b" * 3000)
    s3.put_object(Bucket=bucket, Key="size/small", Body=b"b" * 1000)
    put_lifecycle(s3, bucket, [
        {"ID": "prefix", "Expiration": {"Days": 1}, "Filter": {"Prefix": "exp/"}, "Status": "Enabled"},
        {"ID": "tag", "Expiration": {"Days": 1}, "Filter": {"Tag": {"Key": "state", "Value": "old"}},
         "Status": "Enabled"},
        {"ID": "size", "Expiration": {"Days": 1},
         "Filter": {"And": {"Prefix": "size/", "ObjectSizeGreaterThan": 2000}}, "Status": "Enabled"},
    ])
    survivors = ["keep/a", "size/small", "t/no"]
    wait_for(lambda: keys(s3, bucket) == survivors, 8 * DAY, "the matching objects to expire")
    time.sleep(2 * DAY)  # and nothing else goes later
    assert keys(s3, bucket) == survivors


def test_expiry_in_a_versioned_bucket_writes_a_delete_marker(s3, bucket):
    # As DELETE without versionId: the current version becomes noncurrent
    # under a delete marker; no version is deleted.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="v/a", Body=b"one")
    s3.put_object(Bucket=bucket, Key="v/a", Body=b"two")
    put_lifecycle(s3, bucket, [{"ID": "r", "Expiration": {"Days": 1}, "Prefix": "v/", "Status": "Enabled"}])
    wait_for(lambda: keys(s3, bucket) == [], 8 * DAY, "the current version to expire")
    listing = s3.list_object_versions(Bucket=bucket)
    markers = listing.get("DeleteMarkers", [])
    assert [(m["Key"], m["IsLatest"]) for m in markers] == [("v/a", True)], listing
    versions = listing["Versions"]
    assert [(v["Key"], v["IsLatest"]) for v in versions] == [("v/a", False), ("v/a", False)], versions
    body = s3.get_object(Bucket=bucket, Key="v/a", VersionId=versions[0]["VersionId"])["Body"].read()
    assert body == b"two"
    time.sleep(2 * DAY)
    assert len(s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", [])) == 1, "a marker is not expired again"


def test_noncurrent_versions_expire_sparing_the_newest(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="nc/a", Body=b"v%d" % i)["VersionId"] for i in range(4)]
    put_lifecycle(s3, bucket, [{"ID": "nc", "Filter": {"Prefix": "nc/"}, "Status": "Enabled",
                                "NoncurrentVersionExpiration": {"NoncurrentDays": 1,
                                                                "NewerNoncurrentVersions": 1}}])

    def remaining():
        return [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket, Prefix="nc/").get("Versions", [])]
    wait_for(lambda: len(remaining()) == 2, 8 * DAY, "the older noncurrent versions to expire")
    assert remaining() == [ids[3], ids[2]], "the current and the newest noncurrent version stay"
    assert s3.get_object(Bucket=bucket, Key="nc/a", VersionId=ids[2])["Body"].read() == b"v2"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="nc/a", VersionId=ids[0])
    assert e.value.response["Error"]["Code"] == "NoSuchVersion"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_expired_object_delete_markers_are_removed(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("dm/alone", "dm/kept"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        s3.delete_object(Bucket=bucket, Key=key)
    alone = s3.list_object_versions(Bucket=bucket, Prefix="dm/alone")["Versions"][0]["VersionId"]
    s3.delete_object(Bucket=bucket, Key="dm/alone", VersionId=alone)
    put_lifecycle(s3, bucket, [{"ID": "dm", "Filter": {"Prefix": "dm/"}, "Status": "Enabled",
                                "Expiration": {"ExpiredObjectDeleteMarker": True}}])

    def markers():
        return [m["Key"] for m in s3.list_object_versions(Bucket=bucket, Prefix="dm/").get("DeleteMarkers", [])]
    wait_for(lambda: markers() == ["dm/kept"], 4 * DAY, "the lone delete marker to go")
    time.sleep(DAY)
    assert markers() == ["dm/kept"], "a marker with a version behind it stays"


def test_an_object_overwritten_before_its_expiry_survives_it(s3, bucket):
    put_lifecycle(s3, bucket, [{"ID": "r", "Expiration": {"Days": 5}, "Prefix": "ow/", "Status": "Enabled"}])
    t0 = time.monotonic()
    s3.put_object(Bucket=bucket, Key="ow/control", Body=b"old")
    s3.put_object(Bucket=bucket, Key="ow/rewritten", Body=b"old")
    # Due 5 days after the write, rounded up: within [t0+10 s, t0+12 s).
    time.sleep(max(0, t0 + 3 * DAY - time.monotonic()))
    s3.put_object(Bucket=bucket, Key="ow/rewritten", Body=b"new")  # now due in [t0+16 s, t0+18 s)
    time.sleep(max(0, t0 + 7 * DAY - time.monotonic()))
    assert keys(s3, bucket) == ["ow/rewritten"], "the control object expired, the rewritten one did not"
    assert s3.get_object(Bucket=bucket, Key="ow/rewritten")["Body"].read() == b"new"
    wait_for(lambda: keys(s3, bucket) == [], 6 * DAY, "the rewritten object to expire on its own date")


def test_incomplete_uploads_are_aborted(s3, bucket):
    old = s3.create_multipart_upload(Bucket=bucket, Key="mp/a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp/a", UploadId=old, PartNumber=1, Body=b"p" * 100000)
    kept = s3.create_multipart_upload(Bucket=bucket, Key="keep/a")["UploadId"]
    put_lifecycle(s3, bucket, [{"ID": "mpu", "Filter": {"Prefix": "mp/"}, "Status": "Enabled",
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}])

    def uploads():
        return sorted(u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))

    wait_for(lambda: uploads() == [kept], 6 * DAY, "the old upload to be aborted")
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="mp/a", UploadId=old)
    assert e.value.response["Error"]["Code"] == "NoSuchUpload"
    s3.abort_multipart_upload(Bucket=bucket, Key="keep/a", UploadId=kept)


def test_disabled_rules_do_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    put_lifecycle(s3, bucket, [{"ID": "off", "Expiration": {"Days": 1}, "Prefix": "", "Status": "Disabled"},
                               {"ID": "other", "Expiration": {"Days": 1}, "Prefix": "zzz/", "Status": "Enabled"}])
    time.sleep(4 * DAY)
    assert keys(s3, bucket) == ["a"]


def export_log(server, tenant):
    cp = subprocess.run([server.binary, "log", "export", "--data", server.data_dir, "--tenant", tenant],
                        capture_output=True, timeout=60)
    assert cp.returncode == 0, cp.stderr
    return [json.loads(line) for line in cp.stdout.decode().splitlines() if line.strip()]


def test_a_restart_in_the_middle_resumes_and_every_deletion_is_logged(tmp_path):
    # Two objects per tick, one tick a second: 30 objects take 15 ticks.
    srv = Server(str(tmp_path), extra_args=ARGS + ["--lifecycle-objects-per-tick", "2"])
    srv.start()
    try:
        c = srv.client()
        b = unique_bucket("lcr")
        c.create_bucket(Bucket=b)
        for i in range(30):
            c.put_object(Bucket=b, Key="k%02d" % i, Body=b"x")
        put_lifecycle(c, b, [{"ID": "all", "Expiration": {"Days": 1}, "Filter": {}, "Status": "Enabled"}])
        wait_for(lambda: 0 < len(keys(c, b)) < 26, 10 * DAY, "the pass to start")
        srv.restart(kill=True)
        left = len(keys(c, b))
        assert left > 0, "the pass finished before the restart; nothing to resume"
        wait_for(lambda: keys(c, b) == [], 30, "the pass to finish after the restart")
    finally:
        if srv.alive():
            srv.stop_clean()
    events = [e for e in export_log(srv, "default") if e.get("operation") == "LifecycleExpiration"]
    done = {e["key"] for e in events if e["status"] == 204}
    assert done == {"k%02d" % i for i in range(30)}
    for e in events:
        assert e["principal"] == {"type": "system", "user": "lifecycle"}
        assert e["bucket"] == b and e["details"]["rule"] == "all"

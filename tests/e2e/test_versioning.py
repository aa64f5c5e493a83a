"""Bucket versioning: Put/GetBucketVersioning, version ids on PUT, copy,
multipart completion and POST, reads and deletes by version, delete
markers (and restoring by deleting one), the null version of unversioned
and suspended writes, ListObjectVersions paging and DeleteObjects with
version ids, against a real server."""

import concurrent.futures
import http.client
import json
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from s3util import client_error, object_path, sign_headers, xml_text


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def body(s3, bucket, key, version=None):
    kw = {"Bucket": bucket, "Key": key}
    if version:
        kw["VersionId"] = version
    return s3.get_object(**kw)["Body"].read()


def all_versions(s3, bucket, page=1000, **kw):
    """(key, version id, is latest, is marker) of a whole listing, paged."""
    out = []
    args = {"Bucket": bucket, "MaxKeys": page}
    args.update(kw)
    for _ in range(1000):
        r = s3.list_object_versions(**args)
        entries = [(v["Key"], v["VersionId"], v["IsLatest"], False, v["LastModified"]) for v in r.get("Versions", [])]
        entries += [(m["Key"], m["VersionId"], m["IsLatest"], True, m["LastModified"]) for m in r.get("DeleteMarkers", [])]
        # botocore splits Versions and DeleteMarkers: restore the listing's
        # order (key, the latest, then newest first, which ids encode).
        entries.sort(key=lambda e: e[1], reverse=True)
        entries.sort(key=lambda e: (e[0], not e[2]))
        out += [e[:4] for e in entries]
        assert len(r.get("Versions", [])) + len(r.get("DeleteMarkers", [])) + len(r.get("CommonPrefixes", [])) <= page
        if not r["IsTruncated"]:
            return out
        args["KeyMarker"] = r["NextKeyMarker"]
        if r.get("NextVersionIdMarker"):
            args["VersionIdMarker"] = r["NextVersionIdMarker"]
        else:
            args.pop("VersionIdMarker", None)
    raise AssertionError("listing did not end")


@pytest.fixture
def vbucket(server, s3, bucket):
    enable(s3, bucket)
    yield bucket
    # Remove every version so the bucket fixture can delete the bucket.
    for key, vid, _, _ in all_versions(s3, bucket):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)


def test_versioning_status_transitions(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    with pytest.raises(ClientError) as e:
        enable(s3, bucket, "Disabled")
    assert client_error(e) == (400, "MalformedXML")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_versions_are_kept_and_readable(s3, vbucket):
    ids = [s3.put_object(Bucket=vbucket, Key="k", Body=b"v%d" % i)["VersionId"] for i in range(3)]
    assert len(set(ids)) == 3 and "null" not in ids
    assert body(s3, vbucket, "k") == b"v2"
    for i, vid in enumerate(ids):
        r = s3.get_object(Bucket=vbucket, Key="k", VersionId=vid)
        assert r["Body"].read() == b"v%d" % i
        assert r["VersionId"] == vid
        assert s3.head_object(Bucket=vbucket, Key="k", VersionId=vid)["ContentLength"] == 2
    assert s3.head_object(Bucket=vbucket, Key="k")["VersionId"] == ids[2]
    assert all_versions(s3, vbucket) == [("k", ids[2], True, False), ("k", ids[1], False, False),
                                          ("k", ids[0], False, False)]
    # A current listing shows the key once.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vbucket)["Contents"]] == ["k"]
    # Bad and unknown version ids.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId="not-an-id")
    assert client_error(e) == (400, "InvalidArgument")
    gone = ids[0]
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=gone)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId=gone)
    assert client_error(e) == (404, "NoSuchVersion")
    assert len(all_versions(s3, vbucket)) == 2
    # Deleting a version that is gone succeeds and changes nothing, as in S3.
    r = s3.delete_object(Bucket=vbucket, Key="k", VersionId=gone)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert len(all_versions(s3, vbucket)) == 2


def test_delete_marker_and_restore(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="doc", Body=b"keep me")["VersionId"]
    r = s3.delete_object(Bucket=vbucket, Key="doc")
    assert r["DeleteMarker"] is True
    marker = r["VersionId"]
    assert marker != v1
    # GET/HEAD of the current marker: 404 NoSuchKey with the marker's headers.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="doc")
    assert client_error(e) == (404, "NoSuchKey")
    h = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert h["x-amz-delete-marker"] == "true"
    assert h["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=vbucket, Key="doc")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # GET of the marker by its id: 405.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="doc", VersionId=marker)
    assert client_error(e) == (405, "MethodNotAllowed")
    assert s3.list_objects_v2(Bucket=vbucket).get("KeyCount") == 0
    assert all_versions(s3, vbucket) == [("doc", marker, True, True), ("doc", v1, False, False)]
    # The old version stays readable by id.
    assert body(s3, vbucket, "doc", v1) == b"keep me"
    # Deleting the marker restores the object.
    r = s3.delete_object(Bucket=vbucket, Key="doc", VersionId=marker)
    assert r["DeleteMarker"] is True and r["VersionId"] == marker
    assert body(s3, vbucket, "doc") == b"keep me"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vbucket)["Contents"]] == ["doc"]


def test_concurrent_deletes_of_every_version_leave_none(s3, vbucket):
    # Deleting the current version moves the next one to the key's current
    # entry; a concurrent delete of that next one must still delete it
    # (it once answered 204 and left it, in about one round in seven).
    for round_ in range(30):
        for i in range(5):
            s3.put_object(Bucket=vbucket, Key="race", Body=b"%d" % i)
        ids = [v[1] for v in all_versions(s3, vbucket, Prefix="race")]
        assert len(ids) == 5
        with concurrent.futures.ThreadPoolExecutor(len(ids)) as pool:
            for f in [pool.submit(s3.delete_object, Bucket=vbucket, Key="race", VersionId=v) for v in ids]:
                assert f.result()["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert all_versions(s3, vbucket, Prefix="race") == [], round_


def test_the_current_version_has_the_newest_id_whatever_the_commit_order(s3, vbucket):
    # PUTs, a DELETE and a DeleteObjectVersion of one key at once: a write
    # stamped before another but committed after it goes in as noncurrent
    # (S3: the latest timestamp wins), so the current version is the one
    # with the newest id (before, about one round in ten ended otherwise).
    for round_ in range(30):
        key = "mix/%d" % round_
        for i in range(3):
            s3.put_object(Bucket=vbucket, Key=key, Body=b"%d" % i)
        current = s3.head_object(Bucket=vbucket, Key=key)["VersionId"]
        calls = [lambda i=i: s3.put_object(Bucket=vbucket, Key=key, Body=b"new %d" % i) for i in range(3)]
        calls.append(lambda: s3.delete_object(Bucket=vbucket, Key=key))
        calls.append(lambda: s3.delete_object(Bucket=vbucket, Key=key, VersionId=current))
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
            for f in [pool.submit(c) for c in calls]:
                f.result()
        listed = all_versions(s3, vbucket, Prefix=key)
        assert len(listed) == 2 + 3 + 1, (round_, listed)
        latest = [v for v in listed if v[2]]
        assert len(latest) == 1 and latest[0][1] == max(v[1] for v in listed), (round_, listed)


def test_a_write_that_read_the_bucket_before_versioning_destroys_no_version(server, s3, bucket):
    # A PUT reads the bucket record as its request starts and commits once
    # its body is in. Versioning enabled and the key written in between:
    # committed as a write of an unversioned bucket, the PUT would replace
    # that version for good. It is refused (409, retry) instead.
    path = object_path(bucket, "k")
    signed = sign_headers("PUT", path, None, {"Host": server.hostport}, "UNSIGNED-PAYLOAD",
                          server.access_key, server.secret_key)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
        for name, value in signed.headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", "10")
        conn.endheaders()
        conn.send(b"stale")
        time.sleep(0.5)  # the server holds the bucket record and half the body
        enable(s3, bucket)
        v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["VersionId"]
        conn.send(b"-body")
        r = conn.getresponse()
        answer = r.read()
    finally:
        conn.close()
    assert (r.status, xml_text(answer, "Code")) == (409, "OperationAborted"), answer
    assert [v[1] for v in all_versions(s3, bucket, Prefix="k")] == [v1]
    assert body(s3, bucket, "k") == b"v1"


def test_null_version_and_suspended_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    assert body(s3, bucket, "k", "null") == b"before"
    enable(s3, bucket, "Suspended")
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")
    assert r.get("VersionId", "null") == "null"
    # The suspended PUT replaced the null version for good.
    assert body(s3, bucket, "k", "null") == b"suspended"
    assert all_versions(s3, bucket) == [("k", "null", True, False), ("k", v1, False, False)]
    r = s3.delete_object(Bucket=bucket, Key="k")
    assert r["DeleteMarker"] is True and r["VersionId"] == "null"
    assert all_versions(s3, bucket) == [("k", "null", True, True), ("k", v1, False, False)]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert client_error(e) == (404, "NoSuchKey")
    for key, vid, _, _ in all_versions(s3, bucket):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)
    assert all_versions(s3, bucket) == []


def test_list_object_versions_paging_and_prefixes(s3, vbucket):
    expected = []
    for key in ["a", "dir/x", "dir/y", "z"]:
        ids = [s3.put_object(Bucket=vbucket, Key=key, Body=b"%d" % i)["VersionId"] for i in range(3)]
        expected += [(key, vid, i == 2, False) for i, vid in reversed(list(enumerate(ids)))]
    whole = all_versions(s3, vbucket)
    assert whole == expected
    for page in (1, 2, 4, 5):
        assert all_versions(s3, vbucket, page=page) == expected
    assert all_versions(s3, vbucket, page=2, Prefix="dir/") == [e for e in expected if e[0].startswith("dir/")]
    r = s3.list_object_versions(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["dir/"]
    assert sorted({v["Key"] for v in r["Versions"]}) == ["a", "z"]
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket=vbucket, KeyMarker="a", VersionIdMarker="bogus")
    assert client_error(e) == (400, "InvalidArgument")


def test_delete_objects_with_versions(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="a", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=vbucket, Key="a", Body=b"2")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="b", Body=b"b")
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [{"Key": "a", "VersionId": v1}, {"Key": "b"}]})
    deleted = {d["Key"]: d for d in r["Deleted"]}
    assert deleted["a"]["VersionId"] == v1 and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True
    marker = deleted["b"]["DeleteMarkerVersionId"]
    assert all_versions(s3, vbucket) == [("a", v2, True, False), ("b", marker, True, True),
                                          ("b", all_versions(s3, vbucket)[2][1], False, False)]
    # Deleting the marker by id through DeleteObjects reports it as one.
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
    assert r["Deleted"][0]["DeleteMarker"] is True
    assert r["Deleted"][0]["DeleteMarkerVersionId"] == marker
    assert body(s3, vbucket, "b") == b"b"


def test_multipart_copy_and_tagging_by_version(s3, vbucket):
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")
    part = s3.upload_part(Bucket=vbucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"m" * 1000)
    done = s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    mp_version = done["VersionId"]
    assert s3.head_object(Bucket=vbucket, Key="mp")["VersionId"] == mp_version
    v_new = s3.put_object(Bucket=vbucket, Key="mp", Body=b"newer")["VersionId"]
    # Copy of the older version: a new version at the target, the source's
    # version named in the answer.
    r = s3.copy_object(Bucket=vbucket, Key="copy", CopySource={"Bucket": vbucket, "Key": "mp", "VersionId": mp_version})
    assert r["CopySourceVersionId"] == mp_version
    assert r["VersionId"] not in (mp_version, v_new)
    assert body(s3, vbucket, "copy") == b"m" * 1000
    # Restore an old version by copying it onto its own key.
    r = s3.copy_object(Bucket=vbucket, Key="mp", CopySource={"Bucket": vbucket, "Key": "mp", "VersionId": mp_version})
    assert body(s3, vbucket, "mp") == b"m" * 1000
    assert len([e for e in all_versions(s3, vbucket) if e[0] == "mp"]) == 3
    # Tagging one version leaves the others alone.
    s3.put_object_tagging(Bucket=vbucket, Key="mp", VersionId=v_new, Tagging={"TagSet": [{"Key": "t", "Value": "1"}]})
    assert s3.get_object_tagging(Bucket=vbucket, Key="mp", VersionId=v_new)["TagSet"] == [{"Key": "t", "Value": "1"}]
    assert s3.get_object_tagging(Bucket=vbucket, Key="mp")["TagSet"] == []
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=vbucket, Key="x", CopySource={"Bucket": vbucket, "Key": "mp", "VersionId": "bogus"})
    assert client_error(e)[0] == 400


def test_usage_counts_every_version_and_bucket_needs_emptying(server, s3, bucket):
    enable(s3, bucket)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=b"x" * 100)["VersionId"] for _ in range(3)]
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert client_error(e) == (409, "BucketNotEmpty")
    for key, vid, _, _ in all_versions(s3, bucket):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)
    assert len(ids) == 3
    s3.delete_bucket(Bucket=bucket)


def test_audit_events_name_the_version(server_factory):
    """Each request's transparency-log event carries the version it wrote,
    read or removed (audit.Event.version_id)."""
    srv = server_factory()
    s3 = srv.client()
    b = "audit-versions"
    s3.create_bucket(Bucket=b)
    enable(s3, b)
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read()
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    s3.delete_object(Bucket=b, Key="k", VersionId=marker)
    srv.stop_clean()
    cp = subprocess.run([srv.binary, "log", "export", "--data", srv.data_dir, "--tenant", "default"],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    events = [json.loads(line) for line in cp.stdout.splitlines()]
    seen = [(e["operation"], e.get("version_id", "")) for e in events
            if e.get("kind") == "data" and e.get("key") == "k"]
    assert seen == [("PutObject", v1), ("GetObject", v1), ("DeleteObject", marker), ("DeleteObject", marker)]

"""ListObjectsV2: paging over 2,500 keys (max-keys, continuation-token,
KeyCount, IsTruncated), prefix, delimiter and CommonPrefixes, start-after,
ordering, encoding-type=url, and the raw XML without encoding-type."""

import concurrent.futures
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from s3util import client_error, object_path, unique_bucket, xml_find_all

N_KEYS = 2500


def _key(i):
    # Three levels so that delimiters have something to group:
    #   d{0..4}/s{0..9}/k{i}
    return "d%d/s%d/k%05d" % (i % 5, (i // 5) % 10, i)


@pytest.fixture(scope="module")
def big(server, s3):
    b = unique_bucket("list")
    s3.create_bucket(Bucket=b)
    keys = [_key(i) for i in range(N_KEYS)] + ["top-a", "top-b", "zzz"]
    clients = [server.client() for _ in range(16)]
    t0 = time.monotonic()

    def put(i_k):
        i, k = i_k
        clients[i % len(clients)].put_object(Bucket=b, Key=k,
                                             Body=k.encode())

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        list(ex.map(put, enumerate(keys), timeout=600))
    print("created %d keys in %.1fs" % (len(keys), time.monotonic() - t0))
    return b, sorted(keys)


def test_default_page_is_1000(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b)
    assert r["KeyCount"] == 1000
    assert r["MaxKeys"] == 1000
    assert r["IsTruncated"] is True
    assert r["NextContinuationToken"]
    assert [o["Key"] for o in r["Contents"]] == keys[:1000]
    o = r["Contents"][0]
    assert o["Size"] == len(o["Key"])
    assert o["ETag"].strip('"') and o["LastModified"]
    assert r["Name"] == b


def test_full_paging_with_continuation(server, s3, big):
    b, keys = big
    got = []
    token = None
    pages = 0
    while True:
        kw = {"Bucket": b, "MaxKeys": 1000}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        pages += 1
        got += [o["Key"] for o in r.get("Contents", [])]
        assert r["KeyCount"] == len(r.get("Contents", []))
        if token:
            assert r["ContinuationToken"] == token
        if not r["IsTruncated"]:
            assert "NextContinuationToken" not in r
            break
        token = r["NextContinuationToken"]
        assert pages < 10
    assert got == keys
    assert pages == 3


def test_small_pages(server, s3, big):
    b, keys = big
    want = [k for k in keys if k.startswith("d3/s7/")]
    assert len(want) == 50
    got = []
    pages = 0
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=b, Prefix="d3/s7/",
                                   PaginationConfig={"PageSize": 7}):
        pages += 1
        assert page["KeyCount"] <= 7
        assert page["MaxKeys"] == 7
        got += [o["Key"] for o in page.get("Contents", [])]
        assert pages < 20
    assert got == want
    assert pages == 8


def test_max_keys_zero_and_one(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, MaxKeys=1)
    assert [o["Key"] for o in r["Contents"]] == keys[:1]
    assert r["IsTruncated"] is True
    r = s3.list_objects_v2(Bucket=b, MaxKeys=0)
    assert r["KeyCount"] == 0
    assert "Contents" not in r


def test_max_keys_over_1000_is_capped(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, MaxKeys=5000)
    assert r["KeyCount"] <= 1000
    assert [o["Key"] for o in r["Contents"]] == keys[:r["KeyCount"]]
    assert r["IsTruncated"] is True


def test_prefix(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, Prefix="d2/s3/")
    want = [k for k in keys if k.startswith("d2/s3/")]
    assert [o["Key"] for o in r["Contents"]] == want
    assert r["Prefix"] == "d2/s3/"
    assert r["IsTruncated"] is False
    r = s3.list_objects_v2(Bucket=b, Prefix="no-such-prefix/")
    assert r["KeyCount"] == 0 and "Contents" not in r


def test_delimiter_top_level(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == [
        "d0/", "d1/", "d2/", "d3/", "d4/"]
    assert [o["Key"] for o in r["Contents"]] == ["top-a", "top-b", "zzz"]
    assert r["KeyCount"] == 8
    assert r["Delimiter"] == "/"
    assert r["IsTruncated"] is False


def test_delimiter_with_prefix(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, Prefix="d1/", Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == [
        "d1/s%d/" % i for i in range(10)]
    assert "Contents" not in r
    r = s3.list_objects_v2(Bucket=b, Prefix="d1/s4/", Delimiter="/")
    assert "CommonPrefixes" not in r
    assert len(r["Contents"]) == 50


def test_delimiter_paging_counts_prefixes(server, s3, big):
    b, keys = big
    seen_prefixes, seen_keys = [], []
    token = None
    for _ in range(20):
        kw = {"Bucket": b, "Delimiter": "/", "MaxKeys": 2}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        n = len(r.get("CommonPrefixes", [])) + len(r.get("Contents", []))
        assert n <= 2
        assert r["KeyCount"] == n
        seen_prefixes += [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        seen_keys += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert seen_prefixes == ["d0/", "d1/", "d2/", "d3/", "d4/"]
    assert seen_keys == ["top-a", "top-b", "zzz"]


def test_non_slash_delimiter(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, Prefix="d0/s0/k", Delimiter="1")
    # keys d0/s0/kNNNNN: those containing a '1' after the prefix roll up.
    want_prefixes = set()
    want_keys = []
    for k in keys:
        if not k.startswith("d0/s0/k"):
            continue
        rest = k[len("d0/s0/k"):]
        if "1" in rest:
            want_prefixes.add("d0/s0/k" + rest[:rest.index("1") + 1])
        else:
            want_keys.append(k)
    assert [o["Key"] for o in r.get("Contents", [])] == want_keys
    assert [p["Prefix"] for p in r.get("CommonPrefixes", [])] == sorted(
        want_prefixes)


def test_start_after(server, s3, big):
    b, keys = big
    r = s3.list_objects_v2(Bucket=b, StartAfter="d4/s9/k02449", MaxKeys=10)
    want = [k for k in keys if k > "d4/s9/k02449"][:10]
    assert [o["Key"] for o in r["Contents"]] == want
    assert r["StartAfter"] == "d4/s9/k02449"
    # start-after a key that does not exist, between two keys
    r = s3.list_objects_v2(Bucket=b, StartAfter="d2/s5/k", MaxKeys=3)
    assert [o["Key"] for o in r["Contents"]] == [
        k for k in keys if k > "d2/s5/k"][:3]
    # start-after past the end
    r = s3.list_objects_v2(Bucket=b, StartAfter="zzzz")
    assert r["KeyCount"] == 0 and r["IsTruncated"] is False


def test_start_after_with_prefix_and_paging(server, s3, big):
    b, keys = big
    want = [k for k in keys if k.startswith("d0/") and k > "d0/s5/"]
    got, token = [], None
    for _ in range(100):
        kw = {"Bucket": b, "Prefix": "d0/", "StartAfter": "d0/s5/",
              "MaxKeys": 37}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        got += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert got == want


def test_invalid_continuation_token(server, big):
    b, _ = big
    r = server.request("GET", object_path(b), query=[
        ("list-type", "2"), ("continuation-token", "!!!garbage!!!")])
    assert r.status == 400, r
    assert r.error_code() == "InvalidArgument", r


def test_listing_reflects_writes_and_deletes(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="x1", Body=b"1")
    s3.put_object(Bucket=bucket, Key="x2", Body=b"22")
    r = s3.list_objects_v2(Bucket=bucket)
    assert [(o["Key"], o["Size"]) for o in r["Contents"]] == [("x1", 1),
                                                             ("x2", 2)]
    s3.delete_object(Bucket=bucket, Key="x1")
    s3.put_object(Bucket=bucket, Key="x2", Body=b"333")
    r = s3.list_objects_v2(Bucket=bucket)
    assert [(o["Key"], o["Size"]) for o in r["Contents"]] == [("x2", 3)]


def test_binary_utf8_order(server, s3, bucket):
    keys = ["a", "B", "b", "é", "z", "~", "\u00ff", "\u0100", "日本",
            "a/b", "a-b", "a0"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    got = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert got == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_raw_xml_and_encoding_type(server, s3, bucket):
    key = "sp ace/plus+/pct%/é"
    s3.put_object(Bucket=bucket, Key=key, Body=b"v")
    # Without encoding-type: the key appears verbatim (XML-escaped only).
    r = server.request("GET", object_path(bucket), query=[("list-type", "2")])
    assert r.status == 200, r
    assert [e.text for e in xml_find_all(r.body, "Key")] == [key]
    assert xml_find_all(r.body, "KeyCount")[0].text == "1"
    assert xml_find_all(r.body, "IsTruncated")[0].text == "false"
    # With encoding-type=url: keys URL-encoded and EncodingType echoed.
    r = server.request("GET", object_path(bucket), query=[
        ("list-type", "2"), ("encoding-type", "url")])
    assert r.status == 200, r
    enc = [e.text for e in xml_find_all(r.body, "Key")]
    assert len(enc) == 1 and urllib.parse.unquote_plus(enc[0]) == key, enc
    assert xml_find_all(r.body, "EncodingType")[0].text == "url"
    # boto3 (which asks for url encoding) gets the key back exactly.
    got = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert got == [key]


def test_xml_special_chars_in_keys(server, s3, bucket):
    key = "<tag>&amp;\"quote\"'apos'"
    s3.put_object(Bucket=bucket, Key=key, Body=b"v")
    r = server.request("GET", object_path(bucket), query=[("list-type", "2")])
    assert r.status == 200, r
    assert [e.text for e in xml_find_all(r.body, "Key")] == [key]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] \
        == [key]


def test_list_missing_bucket(server, s3):
    with pytest.raises(ClientError) as ei:
        s3.list_objects_v2(Bucket=unique_bucket("missing"))
    assert client_error(ei) == (404, "NoSuchBucket")


# --------------------------------------- versions of a never-versioned bucket

def test_unversioned_bucket_versioning_and_versions(s3):
    """A bucket that was never versioned: GetBucketVersioning has no
    Status, and ListObjectVersions lists each object once as its latest
    "null" version, with prefix, delimiter and key-marker paging."""
    b = unique_bucket("ver")
    s3.create_bucket(Bucket=b)
    keys = ["a/1", "a/2", "b", "c/x", "d"]
    etags = {k: s3.put_object(Bucket=b, Key=k, Body=k.encode())["ETag"]
             for k in keys}
    assert "Status" not in s3.get_bucket_versioning(Bucket=b)
    r = s3.list_object_versions(Bucket=b)
    assert [v["Key"] for v in r["Versions"]] == keys
    for v in r["Versions"]:
        assert v["VersionId"] == "null" and v["IsLatest"] is True
        assert v["ETag"] == etags[v["Key"]] and v["Size"] == len(v["Key"])
        assert v["Owner"]["ID"]
    assert not r["IsTruncated"] and "DeleteMarkers" not in r
    r = s3.list_object_versions(Bucket=b, Delimiter="/", MaxKeys=2)
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/"]
    assert [v["Key"] for v in r["Versions"]] == ["b"]
    assert r["IsTruncated"] and r["NextKeyMarker"] == "b"
    assert r["NextVersionIdMarker"] == "null"
    r = s3.list_object_versions(Bucket=b, Delimiter="/",
                                KeyMarker=r["NextKeyMarker"],
                                VersionIdMarker=r["NextVersionIdMarker"])
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["c/"]
    assert [v["Key"] for v in r["Versions"]] == ["d"]
    assert not r["IsTruncated"]
    r = s3.list_object_versions(Bucket=b, Prefix="a/")
    assert [v["Key"] for v in r["Versions"]] == ["a/1", "a/2"]
    with pytest.raises(ClientError) as ei:
        s3.list_object_versions(Bucket=b, VersionIdMarker="null")
    assert client_error(ei) == (400, "InvalidArgument")
    with pytest.raises(ClientError) as ei:
        s3.list_object_versions(Bucket=b, KeyMarker="a/1",
                                VersionIdMarker="3HL4kqtJlcpXroDTDmJ")
    assert client_error(ei) == (400, "InvalidArgument")
    # Versioned buckets: test_versioning.py.
    for k in keys:
        s3.delete_object(Bucket=b, Key=k)
    s3.delete_bucket(Bucket=b)


def test_delete_objects_with_blank_and_special_keys(s3):
    """The s3-tests cleanup path: list versions, then DeleteObjects of
    every key, including a key of one space (which an XML reader that drops
    blank text would lose, leaving the bucket undeletable)."""
    b = unique_bucket("del")
    s3.create_bucket(Bucket=b)
    keys = [" ", "  ", "_ ", "_ _", '"', "$", "%", "&", "'", "<", ">", "__"]
    for k in keys:
        s3.put_object(Bucket=b, Key=k, Body=b"x")
    listed = s3.list_object_versions(Bucket=b)["Versions"]
    assert sorted(v["Key"] for v in listed) == sorted(keys)
    r = s3.delete_objects(Bucket=b, Delete={"Objects": [
        {"Key": v["Key"], "VersionId": v["VersionId"]} for v in listed]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(keys)
    assert "Errors" not in r
    assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0
    s3.delete_bucket(Bucket=b)


def test_empty_continuation_token_lists_from_the_start(s3, bucket):
    for k in ("bar", "baz", "foo"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    r = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert r["ContinuationToken"] == "" and r["IsTruncated"] is False
    assert [o["Key"] for o in r["Contents"]] == ["bar", "baz", "foo"]


def test_v1_prefix_is_returned_as_sent(s3, bucket):
    """boto3 asks V1 listings for encoding-type=url but decodes only keys,
    markers and delimiters: the Prefix element comes back as sent (as RGW
    answers), while V2 encodes it and botocore decodes it."""
    s3.put_object(Bucket=bucket, Key="quux", Body=b"")
    r1 = s3.list_objects(Bucket=bucket, Prefix="\x0a")
    assert r1["Prefix"] == "\x0a" and "Contents" not in r1
    r2 = s3.list_objects_v2(Bucket=bucket, Prefix="\x0a")
    assert r2["Prefix"] == "\x0a" and r2["KeyCount"] == 0

"""Bucket CORS: Put/Get/DeleteBucketCors and their validation, preflight
OPTIONS requests (unauthenticated) on bucket and object paths, and the CORS
headers of actual requests from an allowed origin, error responses
included. The rule set of ceph s3-tests' test_cors_origin_response is
replayed against the server."""

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError

from s3util import assert_s3_error, client_error, http_request, object_path, parse_error

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

# The rules of ceph s3-tests' test_cors_origin_response.
S3TESTS_RULES = [
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*suffix"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["start*end"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["prefix*"]},
    {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*.put"]},
]


def put_cors(s3, bucket, rules):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def raw_put_cors(server, bucket, body):
    h = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
    return server.request("PUT", "/" + bucket, query={"cors": ""}, headers=h, body=body)


def anonymous(server, method, path, headers=None, query=None):
    return server.request(method, path, headers=headers, query=query, sign=False)


def cors_of(resp):
    return (resp.header("Access-Control-Allow-Origin"), resp.header("Access-Control-Allow-Methods"))


# ------------------------------------------------------------ configuration

def test_cors_configuration_roundtrip(server, s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_cors(Bucket=bucket)
    assert client_error(ei) == (404, "NoSuchCORSConfiguration")
    assert ei.value.response["Error"].get("BucketName") == bucket
    rules = [
        {"ID": "app", "AllowedHeaders": ["x-amz-*", "Content-Type"], "AllowedMethods": ["PUT", "GET"],
         "AllowedOrigins": ["https://b.example", "https://*.a.example"], "ExposeHeaders": ["ETag"],
         "MaxAgeSeconds": 3000},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
    ]
    put_cors(s3, bucket, rules)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules  # order and members kept
    # A new configuration replaces the old one.
    put_cors(s3, bucket, [{"AllowedMethods": ["HEAD"], "AllowedOrigins": ["https://c.example"]}])
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [
        {"AllowedMethods": ["HEAD"], "AllowedOrigins": ["https://c.example"]}]
    r = s3.delete_bucket_cors(Bucket=bucket)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_cors(Bucket=bucket)
    assert client_error(ei) == (404, "NoSuchCORSConfiguration")
    # Deleting again is fine.
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize("rule,code,message", [
    ({"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}, "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"),
    ({"AllowedMethods": ["get"], "AllowedOrigins": ["*"]}, "InvalidRequest", None),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*example*.com"]}, "InvalidRequest",
     'AllowedOrigin "*example*.com" can not have more than one wildcard.'),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["x-*-*"]}, "InvalidRequest", None),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["x-amz-*"]}, "InvalidRequest", None),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": -1}, "MalformedXML", None),
    ({"ID": "i" * 256, "AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}, "MalformedXML", None),
])
def test_cors_configuration_refused(server, s3, bucket, rule, code, message):
    put_cors(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://kept.example"]}])
    with pytest.raises(ClientError) as ei:
        put_cors(s3, bucket, [rule])
    assert client_error(ei) == (400, code)
    if message:
        assert ei.value.response["Error"]["Message"] == message
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"] == ["https://kept.example"]


@pytest.mark.parametrize("body", [
    b"<CORSConfiguration/>",
    b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
    b"<MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration>" + b"<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
    b"</CORSRule>" * 101 + b"</CORSConfiguration>",
    b"<CORSConfiguration><CORSRule>",
    b"<Other/>",
])
def test_cors_configuration_malformed(server, s3, bucket, body):
    assert_s3_error(raw_put_cors(server, bucket, body), 400, "MalformedXML")
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_cors(Bucket=bucket)
    assert client_error(ei) == (404, "NoSuchCORSConfiguration")


def test_cors_configuration_limits_accepted(server, s3, bucket):
    rules = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://%d.example" % i]} for i in range(100)]
    put_cors(s3, bucket, rules)
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 100
    # An empty origin is accepted and given back (S3 does the same).
    put_cors(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": [""]}])
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"] == [""]


def test_cors_configuration_missing_bucket(server, s3):
    for call, kw in ((s3.get_bucket_cors, {}), (s3.delete_bucket_cors, {}),
                     (s3.put_bucket_cors, {"CORSConfiguration": {"CORSRules": S3TESTS_RULES}})):
        with pytest.raises(ClientError) as ei:
            call(Bucket="no-such-bucket-cors", **kw)
        assert client_error(ei) == (404, "NoSuchBucket")


def test_cors_configuration_survives_restart(server, s3, bucket):
    put_cors(s3, bucket, S3TESTS_RULES)
    server.restart()
    assert server.client().get_bucket_cors(Bucket=bucket)["CORSRules"] == S3TESTS_RULES
    r = anonymous(server, "OPTIONS", "/" + bucket, {"Origin": "foo.put", "Access-Control-Request-Method": "PUT"})
    assert r.status == 200 and cors_of(r) == ("foo.put", "PUT")


# ------------------------------------------------------------ preflight

def test_preflight_without_configuration(server, s3, bucket):
    r = anonymous(server, "OPTIONS", object_path(bucket, "k"),
                  {"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
    err = assert_s3_error(r, 403, "AccessForbidden")
    assert err["Message"] == "CORSResponse: CORS is not enabled for this bucket."
    assert err["Method"] == "PUT" and err["ResourceType"] == "BUCKET"
    r = anonymous(server, "OPTIONS", "/" + bucket, {"Origin": "https://app.example"})
    err = assert_s3_error(r, 403, "AccessForbidden")
    assert err["Method"] == "OPTIONS"
    r = anonymous(server, "OPTIONS", "/no-such-bucket-preflight", {"Origin": "https://app.example"})
    err = assert_s3_error(r, 403, "AccessForbidden")
    assert err["Message"] == "CORSResponse: Bucket not found"
    r = anonymous(server, "OPTIONS", "/" + bucket)
    err = assert_s3_error(r, 400, "BadRequest")
    assert err["Message"] == "Insufficient information. Origin request header needed."


def test_preflight_s3tests_rules(server, s3, bucket):
    put_cors(s3, bucket, S3TESTS_RULES)
    url, obj = "/" + bucket, object_path(bucket, "bar")
    # No Origin, or no Access-Control-Request-Method: 400.
    assert_s3_error(anonymous(server, "OPTIONS", url), 400, "BadRequest")
    for origin in ("foo.suffix", "bla"):
        assert_s3_error(anonymous(server, "OPTIONS", url, {"Origin": origin}), 400, "BadRequest")
    cases = [
        (obj, "foo.suffix", "GET", 200, ("foo.suffix", "GET")),
        (url, "foo.bar", "GET", 403, (None, None)),
        (url, "foo.suffix.get", "GET", 403, (None, None)),
        (url, "startend", "GET", 200, ("startend", "GET")),
        (url, "start1end", "GET", 200, ("start1end", "GET")),
        (url, "start12end", "GET", 200, ("start12end", "GET")),
        (url, "0start12end", "GET", 403, (None, None)),
        (url, "prefix", "GET", 200, ("prefix", "GET")),
        (url, "prefix.suffix", "GET", 200, ("prefix.suffix", "GET")),
        (url, "bla.prefix", "GET", 403, (None, None)),
        (url, "foo.put", "GET", 403, (None, None)),
        (url, "foo.put", "PUT", 200, ("foo.put", "PUT")),
    ]
    for path, origin, method, status, expected in cases:
        r = anonymous(server, "OPTIONS", path, {"Origin": origin, "Access-Control-Request-Method": method})
        assert r.status == status, (origin, method, r)
        assert cors_of(r) == expected, (origin, method, r)
        if status == 403:
            err = parse_error(r.body)
            assert err["Code"] == "AccessForbidden"
            assert err["Message"].startswith("CORSResponse: This CORS request is not allowed.")
            assert err["Method"] == method
            assert err["ResourceType"] == ("OBJECT" if path == obj else "BUCKET")
        else:
            assert r.body == b""
            assert r.header("Access-Control-Allow-Credentials") == "true"
            assert r.header("Vary") == VARY


def test_preflight_headers_and_wildcard_origin(server, s3, bucket):
    put_cors(s3, bucket, [
        {"AllowedMethods": ["PUT", "POST"], "AllowedOrigins": ["https://app.example"],
         "AllowedHeaders": ["x-amz-*", "Content-Type"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
         "MaxAgeSeconds": 600},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["x-amz-meta-header1"]},
    ])
    obj = object_path(bucket, "k")
    r = anonymous(server, "OPTIONS", obj, {
        "Origin": "https://app.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Amz-Date, content-type,x-amz-content-sha256"})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == "https://app.example"
    assert r.header("Access-Control-Allow-Methods") == "PUT, POST"
    assert r.header("Access-Control-Allow-Headers") == "x-amz-date, content-type, x-amz-content-sha256"
    assert r.header("Access-Control-Allow-Credentials") == "true"
    assert r.header("Access-Control-Max-Age") == "600"
    assert r.header("Access-Control-Expose-Headers") == "ETag, x-amz-request-id"
    assert r.header("Vary") == VARY
    # A header no AllowedHeader covers: refused (s3-tests test_cors_header_option).
    r = anonymous(server, "OPTIONS", obj, {
        "Origin": "https://app.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-amz-date, authorization"})
    assert_s3_error(r, 403, "AccessForbidden")
    r = anonymous(server, "OPTIONS", obj, {
        "Origin": "example.origin", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-amz-meta-header2"})
    assert_s3_error(r, 403, "AccessForbidden")
    # Any origin through "*": answered "*", without credentials.
    r = anonymous(server, "OPTIONS", obj, {"Origin": "https://other.example", "Access-Control-Request-Method": "GET"})
    assert r.status == 200
    assert cors_of(r) == ("*", "GET")
    assert r.header("Access-Control-Allow-Credentials") is None
    assert r.header("Access-Control-Max-Age") is None
    assert r.header("Access-Control-Expose-Headers") == "x-amz-meta-header1"


def test_preflight_ignores_presigned_query(server, s3, bucket):
    """OPTIONS on a presigned URL (s3-tests _test_cors_options_presigned_method):
    the query's signature plays no part."""
    for client_method, http_method in (("get_object", "GET"), ("put_object", "PUT")):
        url = s3.generate_presigned_url(client_method, Params={"Bucket": bucket, "Key": "foo"}, ExpiresIn=300)
        target = url[len(server.endpoint):]
        assert "X-Amz-Signature=" in target
        r = http_request(server.host, server.port, "OPTIONS", target, {"Host": server.hostport})
        assert_s3_error(r, 400, "BadRequest")
        put_cors(s3, bucket, [{"AllowedMethods": [http_method], "AllowedOrigins": ["example"]}])
        r = http_request(server.host, server.port, "OPTIONS", target,
                         {"Host": server.hostport, "Origin": "example", "Access-Control-Request-Method": http_method})
        assert r.status == 200 and cors_of(r) == ("example", http_method), r


# ------------------------------------------------------------ actual requests

def test_actual_requests_get_cors_headers(server, s3, bucket):
    put_cors(s3, bucket, S3TESTS_RULES + [{"AllowedMethods": ["HEAD"], "AllowedOrigins": ["https://head.example"],
                                           "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 5}])
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    url, obj, missing = "/" + bucket, object_path(bucket, "k"), object_path(bucket, "bar")
    # Signed requests: the headers ride on successes and on errors alike.
    r = server.request("GET", obj, headers={"Origin": "foo.suffix"})
    assert r.status == 200 and r.body == b"hello"
    assert cors_of(r) == ("foo.suffix", "GET")
    assert r.header("Access-Control-Allow-Credentials") == "true"
    assert r.header("Vary") == VARY
    r = server.request("GET", missing, headers={"Origin": "foo.suffix"})
    assert_s3_error(r, 404, "NoSuchKey")
    assert cors_of(r) == ("foo.suffix", "GET")
    r = server.request("GET", url, headers={"Origin": "foo.bar"})
    assert r.status == 200 and cors_of(r) == (None, None) and r.header("Vary") is None
    r = server.request("GET", url)
    assert r.status == 200 and cors_of(r) == (None, None)
    r = server.request("HEAD", obj, headers={"Origin": "https://head.example"})
    assert r.status == 200
    assert cors_of(r) == ("https://head.example", "HEAD")
    assert r.header("Access-Control-Expose-Headers") == "ETag"
    assert r.header("Access-Control-Max-Age") == "5"
    # A 304 carries them too.
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    r = server.request("GET", obj, headers={"Origin": "prefix.x", "If-None-Match": etag})
    assert r.status == 304 and cors_of(r) == ("prefix.x", "GET")
    # Anonymous requests are refused, with the CORS headers when a rule
    # matches (s3-tests test_cors_origin_response).
    r = anonymous(server, "GET", missing, {"Origin": "foo.suffix"})
    assert_s3_error(r, 403, "AccessDenied")
    assert cors_of(r) == ("foo.suffix", "GET")
    for origin, request_method, expected in (
            ("foo.suffix", "GET", ("foo.suffix", "GET")),
            ("foo.suffix", "PUT", (None, None)),
            ("foo.suffix", "DELETE", (None, None)),
            ("foo.suffix", None, (None, None)),
            ("foo.put", None, ("foo.put", "PUT"))):
        h = {"Origin": origin, "content-length": "0"}
        if request_method:
            h["Access-Control-Request-Method"] = request_method
        r = anonymous(server, "PUT", missing, h)
        assert r.status == 403, r
        assert cors_of(r) == expected, (origin, request_method, r)
    # Without a configuration, nothing.
    s3.delete_bucket_cors(Bucket=bucket)
    r = server.request("GET", obj, headers={"Origin": "foo.suffix"})
    assert r.status == 200 and cors_of(r) == (None, None)


def test_wildcard_origin_on_actual_request(server, s3, bucket):
    put_cors(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}])
    r = server.request("GET", "/" + bucket)
    assert r.status == 200 and cors_of(r) == (None, None)
    r = server.request("GET", "/" + bucket, headers={"Origin": "example.origin"})
    assert r.status == 200 and cors_of(r) == ("*", "GET")
    assert r.header("Access-Control-Allow-Credentials") is None


def test_unknown_bucket_gets_no_cors_headers(server, s3):
    r = server.request("GET", "/no-such-bucket-cors-actual", headers={"Origin": "https://a.example"})
    assert_s3_error(r, 404, "NoSuchBucket")
    assert cors_of(r) == (None, None)

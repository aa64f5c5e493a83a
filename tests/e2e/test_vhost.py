"""Virtual-host-style addressing with `--domain example.test`: requests
with Host: <bucket>.example.test:<port> (boto3 with addressing_style
virtual, name resolution of *.example.test pinned to 127.0.0.1 in this
process only; raw signed requests; presigned URLs), while path style keeps
working on the same server."""


import pytest
import requests
from botocore.exceptions import ClientError

import s3util
from conftest import Server
from s3util import (client_error, loopback_domain, md5_hex, unique_bucket,
                    uri_encode)

DOMAIN = "example.test"


@pytest.fixture(scope="module")
def vserver(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("vhost")),
                 extra_args=["--domain", DOMAIN])
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()


@pytest.fixture(scope="module", autouse=True)
def pin_dns():
    """Resolve example.test and its subdomains to 127.0.0.1 (only)."""
    with loopback_domain(DOMAIN):
        yield


@pytest.fixture(scope="module")
def vs3(vserver):
    return vserver.client(addressing_style="virtual",
                          endpoint_url="http://%s:%d" % (DOMAIN,
                                                         vserver.port))


def test_boto3_virtual_host_roundtrip(vserver, vs3):
    b = unique_bucket("vh")
    vs3.create_bucket(Bucket=b)
    vs3.head_bucket(Bucket=b)
    assert b in [x["Name"] for x in vs3.list_buckets()["Buckets"]]
    data = b"virtual host object"
    r = vs3.put_object(Bucket=b, Key="dir/obj 1+x", Body=data,
                       Metadata={"via": "vhost"})
    assert r["ETag"] == '"%s"' % md5_hex(data)
    g = vs3.get_object(Bucket=b, Key="dir/obj 1+x")
    assert g["Body"].read() == data
    assert g["Metadata"] == {"via": "vhost"}
    g = vs3.get_object(Bucket=b, Key="dir/obj 1+x", Range="bytes=8-11")
    assert g["Body"].read() == b"host"
    lst = vs3.list_objects_v2(Bucket=b, Delimiter="/")
    assert [p["Prefix"] for p in lst["CommonPrefixes"]] == ["dir/"]
    loc = vs3.get_bucket_location(Bucket=b)
    assert loc.get("LocationConstraint") in (None, "", "us-east-1")
    # Same data through path style on the same server.
    ps3 = vserver.client()
    assert ps3.get_object(Bucket=b, Key="dir/obj 1+x")["Body"].read() == data
    ps3.put_object(Bucket=b, Key="from-path", Body=b"p")
    assert vs3.get_object(Bucket=b, Key="from-path")["Body"].read() == b"p"
    vs3.delete_object(Bucket=b, Key="dir/obj 1+x")
    vs3.delete_object(Bucket=b, Key="from-path")
    vs3.delete_bucket(Bucket=b)
    with pytest.raises(ClientError) as ei:
        ps3.head_bucket(Bucket=b)
    assert client_error(ei)[0] == 404


def test_multipart_virtual_host(vserver, vs3):
    b = unique_bucket("vhmp")
    vs3.create_bucket(Bucket=b)
    uid = vs3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    p1 = b"a" * (5 * 1024 * 1024)
    e1 = vs3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1,
                         Body=p1)["ETag"]
    e2 = vs3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=2,
                         Body=b"b")["ETag"]
    r = vs3.complete_multipart_upload(
        Bucket=b, Key="mp", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1},
                                   {"PartNumber": 2, "ETag": e2}]})
    assert r["ETag"] == s3util.multipart_etag([p1, b"b"])
    assert vs3.head_object(Bucket=b, Key="mp")["ContentLength"] == len(p1) + 1


def _vreq(srv, method, bucket, key, body=b"", headers=None, host=None,
          query=None):
    host = host or "%s.%s:%d" % (bucket, DOMAIN, srv.port)
    path = "/" + (uri_encode(key, encode_slash=False) if key else "")
    return srv.request(method, path, body=body, headers=headers,
                       host_header=host, query=query)


def test_raw_virtual_host_requests(vserver):
    b = unique_bucket("vraw")
    r = _vreq(vserver, "PUT", b, None)
    assert r.status == 200, r
    r = _vreq(vserver, "PUT", b, "a/b c", body=b"raw")
    assert r.status == 200, r
    r = _vreq(vserver, "GET", b, "a/b c")
    assert r.status == 200 and r.body == b"raw", r
    r = _vreq(vserver, "GET", b, None, query=[("list-type", "2")])
    assert r.status == 200, r
    assert [e.text for e in s3util.xml_find_all(r.body, "Key")] == ["a/b c"]
    # Host without port is also accepted (some proxies strip it).
    r = _vreq(vserver, "GET", b, "a/b c", host="%s.%s" % (b, DOMAIN))
    assert r.status == 200 and r.body == b"raw", r
    # Host header case-insensitive.
    r = _vreq(vserver, "GET", b, "a/b c",
              host="%s.%s:%d" % (b, DOMAIN.upper(), vserver.port))
    assert r.status == 200 and r.body == b"raw", r
    # A missing bucket through vhost.
    r = _vreq(vserver, "GET", unique_bucket("none"), "k")
    s3util.assert_s3_error(r, 404, "NoSuchBucket")
    # Bucket with dots in its name.
    dotted = "dot.ted." + unique_bucket("x")
    r = _vreq(vserver, "PUT", dotted, None)
    assert r.status == 200, r
    r = _vreq(vserver, "PUT", dotted, "k", body=b"dots")
    assert r.status == 200, r
    assert vserver.client().get_object(Bucket=dotted,
                                       Key="k")["Body"].read() == b"dots"


def test_service_endpoint_on_domain(vserver):
    """Host = the bare domain means path style (ListBuckets at /)."""
    b = unique_bucket("vsvc")
    vserver.client().create_bucket(Bucket=b)
    r = vserver.request("GET", "/", host_header="%s:%d" % (DOMAIN,
                                                           vserver.port))
    assert r.status == 200, r
    assert b in [e.text for e in s3util.xml_find_all(r.body, "Name")]
    r = vserver.request("GET", "/" + b, query=[("list-type", "2")],
                        host_header="%s:%d" % (DOMAIN, vserver.port))
    assert r.status == 200, r


def test_presigned_virtual_host(vserver, vs3):
    b = unique_bucket("vpre")
    vs3.create_bucket(Bucket=b)
    vs3.put_object(Bucket=b, Key="p", Body=b"presigned vhost")
    url = vs3.generate_presigned_url("get_object",
                                     Params={"Bucket": b, "Key": "p"},
                                     ExpiresIn=120)
    assert url.startswith("http://%s.%s:" % (b, DOMAIN)), url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == b"presigned vhost"
    url = vs3.generate_presigned_url("put_object",
                                     Params={"Bucket": b, "Key": "q"},
                                     ExpiresIn=120)
    r = requests.put(url, data=b"put via vhost presign", timeout=10)
    assert r.status_code == 200, r.text
    assert vs3.get_object(Bucket=b, Key="q")["Body"].read() == \
        b"put via vhost presign"


def test_signature_binds_host(vserver):
    """A request signed for bucket A's host, replayed to bucket B's host,
    must fail."""
    a, b = unique_bucket("va"), unique_bucket("vb")
    c = vserver.client()
    c.create_bucket(Bucket=a)
    c.create_bucket(Bucket=b)
    c.put_object(Bucket=a, Key="k", Body=b"A")
    c.put_object(Bucket=b, Key="k", Body=b"B")
    s = s3util.sign_headers("GET", "/k", None,
                            {"Host": "%s.%s:%d" % (a, DOMAIN, vserver.port)},
                            s3util.EMPTY_SHA256, vserver.access_key,
                            vserver.secret_key)
    h = dict(s.headers)
    h["Host"] = "%s.%s:%d" % (b, DOMAIN, vserver.port)
    r = s3util.http_request(vserver.host, vserver.port, "GET", "/k", h)
    s3util.assert_s3_error(r, 403, "SignatureDoesNotMatch")
    assert b"B" != r.body


def test_path_style_server_ignores_unknown_host(server):
    """Without --domain, an arbitrary Host must not be read as a bucket."""
    b = unique_bucket("novh")
    c = server.client()
    c.create_bucket(Bucket=b)
    c.put_object(Bucket=b, Key="k", Body=b"v")
    r = server.request("GET", "/" + b + "/k",
                       host_header="%s.%s:%d" % (b, DOMAIN, server.port))
    assert r.status == 200 and r.body == b"v", r

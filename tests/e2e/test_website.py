"""Static website hosting (docs/website.md) against the real server started
with `--website-domain web.test`: the configuration API through boto3, and
the website endpoint (Host: <bucket>.web.test:<port>) with plain anonymous
HTTP requests, as a browser makes them: index and error documents, folder
redirects, routing rules, object redirects, what a private bucket shows,
and the owner's transparency log entries of website requests."""

import json

import pytest
from botocore.exceptions import ClientError

import logcheck
from conftest import Server
from s3util import client_error, http_request, unique_bucket

DOMAIN = "web.test"


@pytest.fixture(scope="module")
def wserver(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("website")), extra_args=["--website-domain", DOMAIN])
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


@pytest.fixture(scope="module")
def ws3(wserver):
    return wserver.client()


def visit(srv, bucket, path, method="GET", headers=None):
    """An anonymous request to the bucket's website endpoint."""
    h = {"Host": "%s.%s:%d" % (bucket, DOMAIN, srv.port)}
    h.update(headers or {})
    return http_request(srv.host, srv.port, method, path, h)


def public_site(s3, config, pages):
    """A bucket everyone may read, with `pages` ({key: (body, content type)})
    and the website configuration `config`."""
    b = unique_bucket("site")
    s3.create_bucket(Bucket=b)
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::%s/*" % b}]}))
    for key, (body, ctype) in pages.items():
        s3.put_object(Bucket=b, Key=key, Body=body, ContentType=ctype)
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=config)
    return b


def test_the_configuration_reads_back_and_deletes(wserver, ws3):
    b = unique_bucket("webcfg")
    ws3.create_bucket(Bucket=b)
    with pytest.raises(ClientError) as e:
        ws3.get_bucket_website(Bucket=b)
    assert client_error(e) == (404, "NoSuchWebsiteConfiguration")
    config = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "errors/404.html"},
        "RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "manual/"}},
            {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
             "Redirect": {"HostName": "example.org", "Protocol": "https", "ReplaceKeyWith": "gone.html",
                          "HttpRedirectCode": "302"}},
        ],
    }
    ws3.put_bucket_website(Bucket=b, WebsiteConfiguration=config)
    got = ws3.get_bucket_website(Bucket=b)
    assert got["IndexDocument"] == config["IndexDocument"]
    assert got["ErrorDocument"] == config["ErrorDocument"]
    assert got["RoutingRules"] == config["RoutingRules"]
    ws3.delete_bucket_website(Bucket=b)
    with pytest.raises(ClientError) as e:
        ws3.get_bucket_website(Bucket=b)
    assert client_error(e) == (404, "NoSuchWebsiteConfiguration")
    ws3.delete_bucket_website(Bucket=b)  # none left: 204 all the same
    # aws-cli's own command writes the same document.
    wserver.aws("s3", "website", "s3://%s" % b, "--index-document", "home.html", "--error-document", "oops.html")
    got = ws3.get_bucket_website(Bucket=b)
    assert (got["IndexDocument"], got["ErrorDocument"]) == ({"Suffix": "home.html"}, {"Key": "oops.html"})


@pytest.mark.parametrize("config,code", [
    ({"ErrorDocument": {"Key": "e.html"}}, "InvalidArgument"),
    ({"IndexDocument": {"Suffix": "a/index.html"}}, "InvalidArgument"),
    ({"RedirectAllRequestsTo": {"HostName": "h", "Protocol": "ftp"}}, "InvalidArgument"),
    ({"IndexDocument": {"Suffix": "i.html"},
      "RoutingRules": [{"Redirect": {"ReplaceKeyWith": "a", "ReplaceKeyPrefixWith": "b"}}]}, "InvalidArgument"),
    ({"IndexDocument": {"Suffix": "i.html"},
      "RoutingRules": [{"Redirect": {"HttpRedirectCode": "404"}}]}, "InvalidArgument"),
])
def test_refused_configurations_change_nothing(ws3, config, code):
    b = unique_bucket("webbad")
    ws3.create_bucket(Bucket=b)
    with pytest.raises(ClientError) as e:
        ws3.put_bucket_website(Bucket=b, WebsiteConfiguration=config)
    assert client_error(e) == (400, code)
    with pytest.raises(ClientError) as e:
        ws3.get_bucket_website(Bucket=b)
    assert client_error(e) == (404, "NoSuchWebsiteConfiguration")


def test_pages_index_documents_folders_and_the_error_document(wserver, ws3):
    b = public_site(ws3, {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}}, {
        "index.html": (b"<h1>home</h1>", "text/html"),
        "docs/index.html": (b"<h1>docs</h1>", "text/html"),
        "style.css": (b"body { color: blue }", "text/css"),
        "404.html": (b"<h1>not here</h1>", "text/html"),
    })
    r = visit(wserver, b, "/")
    assert (r.status, r.body, r.headers["Content-Type"]) == (200, b"<h1>home</h1>", "text/html")
    r = visit(wserver, b, "/docs/")
    assert (r.status, r.body) == (200, b"<h1>docs</h1>")
    r = visit(wserver, b, "/docs")
    assert (r.status, r.headers["Location"]) == (302, "/docs/")
    r = visit(wserver, b, "/style.css", headers={"Range": "bytes=0-3"})
    assert (r.status, r.body, r.headers["Content-Type"]) == (206, b"body", "text/css")
    r = visit(wserver, b, "/style.css", method="HEAD")
    assert (r.status, r.headers["Content-Length"], r.body) == (200, "20", b"")
    # A missing page: the error document, with the error's status (a
    # visitor's Range does not apply to it). Everyone may read the objects
    # but not list the bucket, so a missing key is 403, as on S3.
    r = visit(wserver, b, "/nothing.html", headers={"Range": "bytes=0-1"})
    assert (r.status, r.body, r.headers["Content-Type"]) == (403, b"<h1>not here</h1>", "text/html")
    # An S3 GET of the same bucket is unchanged: XML errors, no index.
    anonymous = http_request(wserver.host, wserver.port, "GET", "/%s/nothing.html" % b, {"Host": wserver.hostport})
    assert anonymous.status in (403, 404) and anonymous.body.startswith(b"<?xml")


def test_private_content_and_missing_settings_are_html_errors(wserver, ws3):
    b = unique_bucket("private")
    ws3.create_bucket(Bucket=b)
    r = visit(wserver, b, "/")
    assert r.status == 404 and r.headers["Content-Type"].startswith("text/html")
    assert b"NoSuchWebsiteConfiguration" in r.body
    # The code and message in headers too, as S3 and RGW send them.
    assert r.headers["x-amz-error-code"] == "NoSuchWebsiteConfiguration", r.headers
    assert r.headers["x-amz-error-message"] == "The specified bucket does not have a website configuration", r.headers
    ws3.put_object(Bucket=b, Key="index.html", Body=b"secret page")
    ws3.put_object(Bucket=b, Key="404.html", Body=b"private error page")
    ws3.put_bucket_website(Bucket=b, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                           "ErrorDocument": {"Key": "404.html"}})
    # Nothing is public: refused, and the error document is not readable
    # either, so the page is the server's own.
    r = visit(wserver, b, "/")
    assert r.status == 403 and b"AccessDenied" in r.body and b"secret" not in r.body
    assert r.headers["x-amz-error-code"] == "AccessDenied", r.headers
    assert b"private error page" not in r.body
    r = visit(wserver, unique_bucket("nobucket"), "/")
    assert r.status == 404 and b"NoSuchBucket" in r.body
    r = http_request(wserver.host, wserver.port, "PUT", "/index.html",
                     {"Host": "%s.%s:%d" % (b, DOMAIN, wserver.port)}, b"overwrite")
    assert r.status == 405 and b"MethodNotAllowed" in r.body
    assert ws3.get_object(Bucket=b, Key="index.html")["Body"].read() == b"secret page"


def test_the_buckets_cors_rules_apply_to_its_pages(wserver, ws3):
    b = public_site(ws3, {"IndexDocument": {"Suffix": "index.html"}}, {"data.json": (b"{}", "application/json")})
    ws3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example.org"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 600}]})
    origin = {"Origin": "https://app.example.org"}
    r = visit(wserver, b, "/data.json", headers=origin)
    assert (r.status, r.body) == (200, b"{}")
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    r = visit(wserver, b, "/data.json", headers={"Origin": "https://elsewhere.example"})
    assert r.status == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = visit(wserver, b, "/data.json", method="OPTIONS",
              headers=dict(origin, **{"Access-Control-Request-Method": "GET"}))
    assert r.status == 200 and r.headers["Access-Control-Max-Age"] == "600"
    r = visit(wserver, b, "/data.json", method="OPTIONS",
              headers=dict(origin, **{"Access-Control-Request-Method": "DELETE"}))
    assert r.status == 403


def test_routing_rules_and_redirects(wserver, ws3):
    b = public_site(ws3, {
        "IndexDocument": {"Suffix": "index.html"},
        "RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "manual/"}},
            {"Condition": {"KeyPrefixEquals": "img/", "HttpErrorCodeReturnedEquals": "404"},
             "Redirect": {"HostName": "images.example.org", "Protocol": "https", "HttpRedirectCode": "307"}},
        ]}, {"img/here.png": (b"PNG", "image/png")})
    ws3.put_bucket_policy(Bucket=b, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::%s" % b, "arn:aws:s3:::%s/*" % b]}]}))
    host = "%s.%s:%d" % (b, DOMAIN, wserver.port)
    r = visit(wserver, b, "/docs/setup%20guide.html")
    assert (r.status, r.headers["Location"]) == (301, "http://%s/manual/setup%%20guide.html" % host)
    r = visit(wserver, b, "/img/here.png")
    assert (r.status, r.body) == (200, b"PNG")
    r = visit(wserver, b, "/img/gone.png")
    assert (r.status, r.headers["Location"]) == (307, "https://images.example.org/img/gone.png")
    r = visit(wserver, b, "/other.png")
    assert r.status == 404 and b"NoSuchKey" in r.body
    # An object with a redirect location is that redirect.
    ws3.put_object(Bucket=b, Key="old.html", Body=b"old", WebsiteRedirectLocation="/new.html")
    r = visit(wserver, b, "/old.html")
    assert (r.status, r.headers["Location"]) == (301, "/new.html")
    assert ws3.head_object(Bucket=b, Key="old.html")["WebsiteRedirectLocation"] == "/new.html"
    with pytest.raises(ClientError) as e:
        ws3.put_object(Bucket=b, Key="bad.html", Body=b"x", WebsiteRedirectLocation="ftp://x")
    assert client_error(e) == (400, "InvalidArgument")
    # A copy keeps the source's metadata but never its redirect location
    # (as on S3); the copy request may give one of its own.
    ws3.copy_object(Bucket=b, Key="copy.html", CopySource={"Bucket": b, "Key": "old.html"})
    assert "WebsiteRedirectLocation" not in ws3.head_object(Bucket=b, Key="copy.html")
    assert visit(wserver, b, "/copy.html").body == b"old"
    ws3.copy_object(Bucket=b, Key="old.html", CopySource={"Bucket": b, "Key": "old.html"},
                    WebsiteRedirectLocation="https://example.org/newer.html")
    r = visit(wserver, b, "/old.html")
    assert (r.status, r.headers["Location"]) == (301, "https://example.org/newer.html")
    # A whole site moved elsewhere.
    moved = unique_bucket("moved")
    ws3.create_bucket(Bucket=moved)
    ws3.put_bucket_website(Bucket=moved, WebsiteConfiguration={
        "RedirectAllRequestsTo": {"HostName": "www.example.org", "Protocol": "https"}})
    r = visit(wserver, moved, "/a/b.html")
    assert (r.status, r.headers["Location"]) == (301, "https://www.example.org/a/b.html")


def test_website_requests_are_in_the_owners_log(server_factory):
    srv = server_factory(extra_args=["--website-domain", DOMAIN])
    s3 = srv.client()
    b = public_site(s3, {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}},
                    {"index.html": (b"home", "text/html"), "404.html": (b"missing", "text/html")})
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::%s" % b, "arn:aws:s3:::%s/*" % b]}]}))
    home = visit(srv, b, "/")
    missing = visit(srv, b, "/gone.html")
    assert (home.status, missing.status) == (200, 404)
    assert srv.stop() == 0
    entries = {}
    for origin, log in logcheck.read_logs(srv.binary, srv.data_dir).items():
        for e in log:
            entries.setdefault(e.get("request_id"), []).append((origin, e))
    for response, key, path, status in ((home, "index.html", "/", 200), (missing, "404.html", "/gone.html", 404)):
        found = entries[response.headers["x-amz-request-id"]]
        assert len(found) == 1
        origin, e = found[0]
        assert not origin.endswith("/operator")
        assert (e["operation"], e["bucket"], e["key"], e["status"]) == ("GetObject", b, key, status)
        assert e["principal"]["type"] == "anonymous"
        assert e["details"]["website_path"] == path

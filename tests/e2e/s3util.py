"""Helpers shared by the end-to-end suites: a small, independent AWS
Signature V4 signer (header, presigned and streaming-chunked forms), raw HTTP
request helpers and S3 error-XML parsing.

The signer is deliberately written from the AWS specification rather than
borrowed from botocore so that tests can produce requests botocore refuses to
make (skewed dates, unsigned x-amz headers, tampered chunk signatures...). It
is checked against botocore's SigV4Auth and against AWS's published
chunked-upload example in test_auth.py.
"""

import contextlib
import datetime
import hashlib
import hmac
import http.client
import socket
import time
import xml.etree.ElementTree as ET

REGION = "us-east-1"
SERVICE = "s3"
ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


# ---------------------------------------------------------------- encoding

def uri_encode(s, encode_slash=True):
    """AWS URI encoding: every byte except A-Za-z0-9-_.~ is %XX (upper hex)."""
    if isinstance(s, str):
        s = s.encode("utf-8")
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    if not encode_slash:
        safe += b"/"
    out = []
    for b in s:
        if b in safe:
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def object_path(bucket, key=None):
    """Path-style request path, already URI-encoded (the canonical URI of S3,
    which is not normalised nor double-encoded)."""
    p = "/" + uri_encode(bucket)
    if key is not None:
        p += "/" + uri_encode(key, encode_slash=False)
    return p


def canonical_query(params):
    pairs = []
    for k, v in params:
        pairs.append((uri_encode(k), uri_encode("" if v is None else v)))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def _query_items(query):
    if query is None:
        return []
    if isinstance(query, dict):
        return list(query.items())
    return list(query)


# ---------------------------------------------------------------- signing

def amz_date(dt=None):
    dt = dt or datetime.datetime.now(datetime.timezone.utc)
    return dt.strftime("%Y%m%dT%H%M%SZ")


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, datestamp, region=REGION, service=SERVICE):
    k = _hmac(("AWS4" + secret).encode("utf-8"), datestamp)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def _canon_header_value(v):
    return " ".join(str(v).strip().split())


def canonical_request(method, path, query_items, headers, signed_names,
                      payload_hash):
    lower = {}
    for k, v in headers.items():
        lower.setdefault(k.lower(), []).append(_canon_header_value(v))
    canon_headers = "".join(
        "%s:%s\n" % (n, ",".join(lower[n])) for n in signed_names)
    return "\n".join([
        method,
        path,
        canonical_query(query_items),
        canon_headers,
        ";".join(signed_names),
        payload_hash,
    ])


def string_to_sign(timestamp, scope, creq):
    return "\n".join([ALGORITHM, timestamp, scope,
                      hashlib.sha256(creq.encode("utf-8")).hexdigest()])


class Signed:
    """Result of signing: headers to send plus the intermediate values."""

    def __init__(self, headers, signature, creq, sts, scope, timestamp,
                 skey):
        self.headers = headers
        self.signature = signature
        self.canonical_request = creq
        self.string_to_sign = sts
        self.scope = scope
        self.timestamp = timestamp
        self.signing_key = skey


def sign_headers(method, path, query, headers, payload_hash, access_key,
                 secret_key, now=None, region=REGION, signed_names=None,
                 set_content_sha=True):
    """Sign with the Authorization header. `headers` must include Host.
    Adds x-amz-date and (unless set_content_sha is False)
    x-amz-content-sha256. Returns a Signed; .headers is a new dict."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    ts = amz_date(now)
    ds = ts[:8]
    h = dict(headers)
    h["x-amz-date"] = ts
    if set_content_sha:
        h["x-amz-content-sha256"] = payload_hash
    if signed_names is None:
        signed_names = sorted({k.lower() for k in h})
    scope = "%s/%s/%s/aws4_request" % (ds, region, SERVICE)
    creq = canonical_request(method, path, _query_items(query), h,
                             signed_names, payload_hash)
    sts = string_to_sign(ts, scope, creq)
    skey = signing_key(secret_key, ds, region)
    sig = hmac.new(skey, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    h["Authorization"] = "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, scope, ";".join(signed_names), sig)
    return Signed(h, sig, creq, sts, scope, ts, skey)


def presign(method, host, path, access_key, secret_key, expires=300,
            now=None, region=REGION, extra_query=None):
    """Return the query string (already encoded) of a presigned URL."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    ts = amz_date(now)
    ds = ts[:8]
    scope = "%s/%s/%s/aws4_request" % (ds, region, SERVICE)
    q = list(_query_items(extra_query)) + [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", "%s/%s" % (access_key, scope)),
        ("X-Amz-Date", ts),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    creq = canonical_request(method, path, q, {"host": host}, ["host"],
                             UNSIGNED_PAYLOAD)
    sts = string_to_sign(ts, scope, creq)
    sig = hmac.new(signing_key(secret_key, ds, region), sts.encode("utf-8"),
                   hashlib.sha256).hexdigest()
    q.append(("X-Amz-Signature", sig))
    return canonical_query(q)


def chunk_string_to_sign(timestamp, scope, prev_sig, data):
    return "\n".join([
        "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, prev_sig, EMPTY_SHA256,
        hashlib.sha256(data).hexdigest()])


def chunk_signatures(skey, timestamp, scope, seed_sig, chunks):
    """Yield the signature of each chunk (the final empty chunk included if
    present in `chunks`)."""
    prev = seed_sig
    for c in chunks:
        prev = hmac.new(skey, chunk_string_to_sign(timestamp, scope, prev, c)
                        .encode("utf-8"), hashlib.sha256).hexdigest()
        yield prev


def aws_chunked_body(skey, timestamp, scope, seed_sig, data, chunk_size,
                     tamper=None):
    """Encode `data` as an aws-chunked body with chained signatures.
    tamper: None | 'signature' (flip a signature of the 2nd chunk) |
    'data' (flip a data byte after signing the first chunk)."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    chunks.append(b"")
    sigs = list(chunk_signatures(skey, timestamp, scope, seed_sig, chunks))
    out = []
    for i, (c, s) in enumerate(zip(chunks, sigs)):
        if tamper == "signature" and i == min(1, len(chunks) - 1):
            s = s[:-1] + ("0" if s[-1] != "0" else "1")
        if tamper == "data" and i == 0 and c:
            c = bytes([c[0] ^ 0x01]) + c[1:]
        out.append(b"%x;chunk-signature=%s\r\n" % (len(c), s.encode()))
        out.append(c)
        out.append(b"\r\n")
    return b"".join(out)


def aws_chunked_length(data_len, chunk_size):
    n_full, rest = divmod(data_len, chunk_size)
    sizes = [chunk_size] * n_full + ([rest] if rest else []) + [0]
    return sum(len("%x" % s) + len(";chunk-signature=") + 64 + 2 + s + 2
               for s in sizes)


# ---------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage (case-insensitive)
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def error_code(self):
        return parse_error(self.body).get("Code")

    def __repr__(self):
        return "<Response %d %r %r>" % (self.status, dict(self.headers),
                                        self.body[:500])


def http_request(host, port, method, path, headers=None, body=b"",
                 timeout=30):
    """Send one request with exactly these headers (Host must be given).
    Content-Length is added by http.client for a bytes body."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        conn.putrequest(method, path, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        if body is not None and not any(k.lower() in ("content-length",
                                                      "transfer-encoding")
                                        for k in hdrs):
            if body or method in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            conn.send(body)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.headers, data)
    finally:
        conn.close()


def parse_error(body):
    """Parse an S3 <Error> document into a dict of its children's text."""
    if not body:
        return {}
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return {"_unparseable": body[:300]}
    if _local(root.tag) != "Error":
        return {"_root": _local(root.tag)}
    return {_local(c.tag): (c.text or "") for c in root}


def _local(tag):
    return tag.split("}", 1)[-1]


def xml_find_all(body, name):
    root = ET.fromstring(body)
    return [e for e in root.iter() if _local(e.tag) == name]


def xml_text(body, name):
    els = xml_find_all(body, name)
    return els[0].text if els else None


def assert_s3_error(resp, status, code):
    """Assert an S3 XML error with the given HTTP status and code, carrying
    Code, Message and RequestId."""
    assert resp.status == status, "expected %d %s, got %r" % (status, code,
                                                              resp)
    err = parse_error(resp.body)
    assert err.get("Code") == code, "expected code %s, got %r (%r)" % (
        code, err.get("Code"), resp)
    assert "Message" in err, "error XML without Message: %r" % resp.body
    assert err.get("RequestId"), "error XML without RequestId: %r" % resp.body
    return err


def sha256_file(path):
    """SHA-256 hex digest of a file, read in 8 MiB blocks (any size)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(8 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def rclone_env(server, home):
    """The environment for Debian's rclone against `server` as remote "cf:"
    (path style, the server's root credentials), configured only from
    `home`, never from the user's own configuration."""
    home = str(home)
    return {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
            "RCLONE_CONFIG": home + "/rclone.conf",
            "RCLONE_CONFIG_CF_TYPE": "s3", "RCLONE_CONFIG_CF_PROVIDER": "Other",
            "RCLONE_CONFIG_CF_ACCESS_KEY_ID": server.access_key,
            "RCLONE_CONFIG_CF_SECRET_ACCESS_KEY": server.secret_key,
            "RCLONE_CONFIG_CF_ENDPOINT": server.endpoint, "RCLONE_CONFIG_CF_REGION": REGION,
            "RCLONE_CONFIG_CF_FORCE_PATH_STYLE": "true"}


def md5_hex(b):
    return hashlib.md5(b).hexdigest()


def multipart_etag(parts):
    """S3 multipart ETag for a list of part payloads (bytes) or of hex md5s."""
    digests = []
    for p in parts:
        if isinstance(p, str):
            digests.append(bytes.fromhex(p))
        else:
            digests.append(hashlib.md5(p).digest())
    return '"%s-%d"' % (hashlib.md5(b"".join(digests)).hexdigest(),
                        len(digests))


def wait_port_closed(host, port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pass
        except OSError:
            return True
        time.sleep(0.1)
    return False


def unique_bucket(prefix="b"):
    import uuid
    return "%s-%s" % (prefix, uuid.uuid4().hex[:16])


def client_error(excinfo):
    """(http status, S3 code) of a botocore ClientError caught by
    pytest.raises."""
    e = excinfo.value
    return (e.response["ResponseMetadata"]["HTTPStatusCode"],
            e.response["Error"]["Code"])


def te_chunked(body, sizes=(1000, 7, 65536, 3)):
    """Frame `body` with HTTP/1.1 Transfer-Encoding: chunked, cycling over
    irregular chunk sizes; ends with the zero chunk."""
    out = []
    i = 0
    n = 0
    while i < len(body):
        s = sizes[n % len(sizes)]
        n += 1
        c = body[i:i + s]
        i += len(c)
        out.append(b"%x\r\n%s\r\n" % (len(c), c))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def streaming_put(server, path, data, chunk_size=65536, tamper=None,
                  transfer_chunked=False, extra_headers=None,
                  decoded_length=None, query=None):
    h = {"Host": server.hostport, "Content-Encoding": "aws-chunked",
         "x-amz-decoded-content-length": str(
             len(data) if decoded_length is None else decoded_length)}
    h.update(extra_headers or {})
    if not transfer_chunked:
        h["Content-Length"] = str(aws_chunked_length(len(data), chunk_size))
    s = sign_headers("PUT", path, query, h, STREAMING_PAYLOAD,
                     server.access_key, server.secret_key)
    body = aws_chunked_body(s.signing_key, s.timestamp, s.scope, s.signature,
                            data, chunk_size, tamper=tamper)
    hdrs = dict(s.headers)
    if transfer_chunked:
        hdrs["Transfer-Encoding"] = "chunked"
        body = te_chunked(body)
    full = path
    if query:
        full += "?" + canonical_query(query)
    return http_request(server.host, server.port, "PUT", full, hdrs,
                               body)


@contextlib.contextmanager
def loopback_domain(domain):
    """Resolve `domain` and its subdomains to 127.0.0.1 (only), for
    virtual-host-style requests in this process, until the block ends."""
    real = socket.getaddrinfo

    def fake(host, *args, **kw):
        if isinstance(host, bytes):
            host = host.decode()
        if host == domain or (host or "").endswith("." + domain):
            host = "127.0.0.1"
        return real(host, *args, **kw)

    socket.getaddrinfo = fake
    try:
        yield
    finally:
        socket.getaddrinfo = real


def put_with_a_pause(srv, bucket, key, body, creds, during):
    """PUTs `body` to bucket/key (UNSIGNED-PAYLOAD) and pauses after its
    first 1000 bytes: `during()` runs while the server holds the request's
    start (its bucket record, its keys), then the rest is sent. Returns
    the answer's (status, body)."""
    path = object_path(bucket, key)
    signed = sign_headers("PUT", path, None, {"Host": srv.hostport}, "UNSIGNED-PAYLOAD", *creds)
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=60)
    try:
        conn.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
        for name, value in signed.headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        conn.send(body[:1000])
        time.sleep(0.5)  # the server has read the headers and the start of the body
        during()
        conn.send(body[1000:])
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()

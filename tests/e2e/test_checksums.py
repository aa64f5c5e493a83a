"""Additional checksums (x-amz-checksum-crc32, crc32c, crc64nvme, sha1,
sha256):
PutObject and UploadPart with the value in a header, named only by
x-amz-sdk-checksum-algorithm, or sent as an aws-chunked trailer (unsigned
and signed trailer modes); refusal of a wrong value (BadDigest) and of an
invalid one (InvalidRequest) with nothing stored; the value on GET/HEAD with
x-amz-checksum-mode: ENABLED; multipart composite checksums
(checksum of the part checksums, "-N") and full-object checksums (the CRC
of the whole object, x-amz-checksum-type FULL_OBJECT); GetObjectAttributes.

Every expected value is computed here independently (zlib, hashlib, a
bitwise CRC32C and a table CRC-64/NVME), never read back from the server.
Debian's boto3 knows neither CRC64NVME nor checksum types: those requests
are signed by hand."""

import base64
import hashlib
import hmac
import random
import zlib

import pytest
from botocore.exceptions import ClientError

from s3util import (EMPTY_SHA256, assert_s3_error, canonical_query,
                    client_error, http_request, object_path, sign_headers,
                    xml_find_all)

MiB = 1024 * 1024
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"


def _reflected_crc(poly, width):
    """A table-driven reflected CRC of `width` bits with an initial value
    and final XOR of all ones (CRC32C, CRC-64/NVME)."""
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    ones = (1 << width) - 1

    def crc(data):
        c = ones
        for b in data:
            c = (c >> 8) ^ table[(c ^ b) & 0xFF]
        return c ^ ones
    return crc


_crc32c_python = _reflected_crc(0x82F63B78, 32)
_crc64nvme = _reflected_crc(0x9A6C9329AC4BC9B5, 64)

try:  # python3-awscrt (a dependency of Debian's awscli) is much faster
    from awscrt import checksums as _crt

    def _crc32c(data):
        return _crt.crc32c(data)
except ImportError:
    _crc32c = _crc32c_python

# The CRC catalogue's check values.
assert _crc32c_python(b"123456789") == 0xE3069283
assert _crc32c(b"123456789") == 0xE3069283
assert _crc64nvme(b"123456789") == 0xAE8B14860A799888


def raw_checksum(algorithm, data):
    if algorithm == "CRC64NVME":
        return _crc64nvme(data).to_bytes(8, "big")
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return _crc32c(data).to_bytes(4, "big")
    if algorithm == "SHA1":
        return hashlib.sha1(data).digest()
    return hashlib.sha256(data).digest()


def b64(algorithm, data):
    return base64.b64encode(raw_checksum(algorithm, data)).decode()


def composite(algorithm, parts):
    joined = b"".join(raw_checksum(algorithm, p) for p in parts)
    return "%s-%d" % (b64(algorithm, joined), len(parts))


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


ALGORITHMS = ["CRC32", "CRC32C", "SHA1", "SHA256"]


def assert_absent(s3, bucket, key):
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key=key)
    assert client_error(e)[0] == 404


# ------------------------------------------------------------ single PUT

@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_with_checksum_header_and_read_back(s3, bucket, algorithm):
    data = rnd(200 * 1024 + 7, 1)  # over the inline limit: a blob
    value = b64(algorithm, data)
    r = s3.put_object(Bucket=bucket, Key="k", Body=data,
                      **{"Checksum" + algorithm: value})
    assert r["Checksum" + algorithm] == value
    # Not shown unless asked for.
    h = s3.head_object(Bucket=bucket, Key="k")
    assert "Checksum" + algorithm not in h
    h = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert h["Checksum" + algorithm] == value
    g = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert g["Checksum" + algorithm] == value
    assert g["Body"].read() == data
    # A range is not the whole object: no checksum for it.
    g = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED",
                      Range="bytes=0-9")
    assert "Checksum" + algorithm not in g
    g["Body"].read()


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_put_with_sdk_algorithm_only_is_computed(s3, bucket, algorithm):
    # botocore computes these itself (over plain HTTP, as a header).
    data = b"small inline object"
    r = s3.put_object(Bucket=bucket, Key="c", Body=data,
                      ChecksumAlgorithm=algorithm)
    assert r["Checksum" + algorithm] == b64(algorithm, data)


def test_put_algorithm_header_alone_server_computes(server, bucket):
    data = b"computed by the server"
    path = object_path(bucket, "alone")
    s = sign_headers("PUT", path, None,
                     {"Host": server.hostport,
                      "x-amz-sdk-checksum-algorithm": "CRC32C"},
                     hashlib.sha256(data).hexdigest(), server.access_key,
                     server.secret_key)
    r = http_request(server.host, server.port, "PUT", path, s.headers, data)
    assert r.status == 200, r
    assert r.header("x-amz-checksum-crc32c") == b64("CRC32C", data)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_mismatch_is_bad_digest_and_stores_nothing(s3, bucket, algorithm):
    data = rnd(300 * 1024, 2)
    wrong = b64(algorithm, data + b"x")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=data,
                      **{"Checksum" + algorithm: wrong})
    assert client_error(e) == (400, "BadDigest")
    assert e.value.response["Error"]["Message"] == (
        "The %s you specified did not match the calculated checksum."
        % algorithm)
    assert_absent(s3, bucket, "bad")
    # An existing object is not replaced by a refused PUT.
    s3.put_object(Bucket=bucket, Key="keep", Body=b"old")
    with pytest.raises(ClientError):
        s3.put_object(Bucket=bucket, Key="keep", Body=data,
                      **{"Checksum" + algorithm: wrong})
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"old"


def test_put_invalid_values_refused(server, bucket, s3):
    path = object_path(bucket, "inv")
    data = b"abc"
    # A value that cannot be a checksum of its algorithm cannot match:
    # BadDigest (as ceph/s3-tests test_object_checksum_sha256 expects).
    # Contradicting or repeated checksum headers: InvalidRequest.
    cases = [
        ({"x-amz-checksum-crc32": "not-base64!"}, "BadDigest"),
        ({"x-amz-checksum-crc32": base64.b64encode(b"12345").decode()},
         "BadDigest"),
        ({"x-amz-checksum-sha256": "bad"}, "BadDigest"),
        ({"x-amz-checksum-sha256": b64("CRC32", data)}, "BadDigest"),
        ({"x-amz-checksum-crc32": b64("CRC32", data),
         "x-amz-checksum-sha1": b64("SHA1", data)}, "InvalidRequest"),
        ({"x-amz-checksum-crc32": b64("CRC32", data),
          "x-amz-sdk-checksum-algorithm": "SHA1"}, "InvalidRequest"),
        ({"x-amz-sdk-checksum-algorithm": "MD5"}, "InvalidRequest"),
    ]
    for extra, code in cases:
        h = {"Host": server.hostport}
        h.update(extra)
        s = sign_headers("PUT", path, None, h, hashlib.sha256(data).hexdigest(),
                         server.access_key, server.secret_key)
        r = http_request(server.host, server.port, "PUT", path, s.headers, data)
        assert_s3_error(r, 400, code)
    assert_absent(s3, bucket, "inv")


def test_listing_names_the_algorithm(s3, bucket):
    s3.put_object(Bucket=bucket, Key="with", Body=b"w",
                  ChecksumCRC32=b64("CRC32", b"w"))
    s3.put_object(Bucket=bucket, Key="without", Body=b"w")
    listed = {o["Key"]: o for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed["with"]["ChecksumAlgorithm"] == ["CRC32"]
    assert "ChecksumAlgorithm" not in listed["without"]


def test_listings_name_the_checksum_type(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="single", Body=b"w", ChecksumCRC32=b64("CRC32", b"w"))
    s3.put_object(Bucket=bucket, Key="none", Body=b"w")
    parts = [rnd(5 * MiB, 20), rnd(100, 21)]
    uid, done = _multipart(s3, bucket, "composite", parts, "CRC32C")
    s3.complete_multipart_upload(Bucket=bucket, Key="composite", UploadId=uid, MultipartUpload={"Parts": done})
    assert listed_checksum_types(server, bucket) == {"single": "FULL_OBJECT", "none": None, "composite": "COMPOSITE"}


def test_copy_keeps_whole_object_checksum(s3, bucket):
    data = rnd(3000, 6)
    s3.put_object(Bucket=bucket, Key="src", Body=data,
                  ChecksumSHA1=b64("SHA1", data))
    s3.copy_object(Bucket=bucket, Key="dst",
                   CopySource={"Bucket": bucket, "Key": "src"})
    h = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert h["ChecksumSHA1"] == b64("SHA1", data)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_copy_with_new_checksum_algorithm(s3, bucket, algorithm):
    """x-amz-checksum-algorithm on CopyObject: the copy gets a checksum of
    that algorithm, computed from the bytes copied, whatever the source
    had (none, another algorithm)."""
    data = rnd(300 * 1024 + 5, 7)  # a blob: the copy streams windows
    s3.put_object(Bucket=bucket, Key="plain", Body=data)
    s3.put_object(Bucket=bucket, Key="crc", Body=data,
                  ChecksumCRC32=b64("CRC32", data))
    for src in ("plain", "crc"):
        r = s3.copy_object(Bucket=bucket, Key="dst-" + src,
                           CopySource={"Bucket": bucket, "Key": src},
                           ChecksumAlgorithm=algorithm)
        assert r["CopyObjectResult"]["Checksum" + algorithm] == \
            b64(algorithm, data), r
        h = s3.head_object(Bucket=bucket, Key="dst-" + src,
                           ChecksumMode="ENABLED")
        assert h["Checksum" + algorithm] == b64(algorithm, data)
        others = [a for a in ALGORITHMS if a != algorithm]
        assert not any("Checksum" + a in h for a in others), h
        a = s3.get_object_attributes(Bucket=bucket, Key="dst-" + src,
                                     ObjectAttributes=["Checksum"])
        assert a["Checksum"] == {"Checksum" + algorithm: b64(algorithm, data)}
        g = s3.get_object(Bucket=bucket, Key="dst-" + src,
                          ChecksumMode="ENABLED")
        assert g["Body"].read() == data


def test_copy_checksum_onto_itself_and_errors(server, s3, bucket):
    data = rnd(2000, 8)
    s3.put_object(Bucket=bucket, Key="o", Body=data)
    # Adding a checksum is a change: a copy onto itself may do it.
    r = s3.copy_object(Bucket=bucket, Key="o",
                       CopySource={"Bucket": bucket, "Key": "o"},
                       ChecksumAlgorithm="SHA256")
    assert r["CopyObjectResult"]["ChecksumSHA256"] == b64("SHA256", data)
    h = s3.head_object(Bucket=bucket, Key="o", ChecksumMode="ENABLED")
    assert h["ChecksumSHA256"] == b64("SHA256", data)
    resp = server.request("PUT", object_path(bucket, "bad"),
                          headers={"x-amz-copy-source": "/%s/o" % bucket,
                                   "x-amz-checksum-algorithm": "MD5"})
    assert_s3_error(resp, 400, "InvalidRequest")
    assert_absent(s3, bucket, "bad")


def test_copy_of_multipart_source_gets_a_whole_object_checksum(s3, bucket):
    parts = [rnd(5 * MiB, 40), rnd(100, 41)]
    uid, done = _multipart(s3, bucket, "mp-src", parts, "CRC32C")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp-src", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    r = s3.copy_object(Bucket=bucket, Key="mp-copy",
                       CopySource={"Bucket": bucket, "Key": "mp-src"})
    whole = b64("CRC32C", b"".join(parts))
    assert r["CopyObjectResult"]["ChecksumCRC32C"] == whole
    h = s3.head_object(Bucket=bucket, Key="mp-copy", ChecksumMode="ENABLED")
    assert h["ChecksumCRC32C"] == whole


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256"])
def test_upload_part_copy_into_checksum_upload(s3, bucket, algorithm):
    """A part made by UploadPartCopy gets the upload's checksum of the
    bytes copied, so that completion (with or without the part checksums
    in the request) reports the composite."""
    src = rnd(6 * MiB + 3, 50)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    up = s3.create_multipart_upload(Bucket=bucket, Key="pc",
                                    ChecksumAlgorithm=algorithm)
    uid = up["UploadId"]
    first = src[:5 * MiB]
    r1 = s3.upload_part_copy(Bucket=bucket, Key="pc", UploadId=uid,
                             PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"},
                             CopySourceRange="bytes=0-%d" % (5 * MiB - 1))
    assert r1["CopyPartResult"]["Checksum" + algorithm] == \
        b64(algorithm, first)
    tail = rnd(777, 51)
    r2 = s3.upload_part(Bucket=bucket, Key="pc", UploadId=uid, PartNumber=2,
                        Body=tail)
    listed = s3.list_parts(Bucket=bucket, Key="pc", UploadId=uid)
    assert [p["Checksum" + algorithm] for p in listed["Parts"]] == \
        [b64(algorithm, first), b64(algorithm, tail)]
    done = [{"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"],
             "Checksum" + algorithm: b64(algorithm, first)},
            {"PartNumber": 2, "ETag": r2["ETag"],
             "Checksum" + algorithm: b64(algorithm, tail)}]
    r = s3.complete_multipart_upload(Bucket=bucket, Key="pc", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    want = composite(algorithm, [first, tail])
    assert r["Checksum" + algorithm] == want
    h = s3.head_object(Bucket=bucket, Key="pc", ChecksumMode="ENABLED")
    assert h["Checksum" + algorithm] == want
    assert s3.get_object(Bucket=bucket, Key="pc")["Body"].read() == \
        first + tail


def test_upload_part_copy_without_checksum_upload(s3, bucket):
    """Without an algorithm on the upload, copied parts carry no checksum
    and completion works (and reports none)."""
    src = rnd(5 * MiB + 10, 60)
    s3.put_object(Bucket=bucket, Key="src", Body=src,
                  ChecksumSHA1=b64("SHA1", src))
    uid = s3.create_multipart_upload(Bucket=bucket, Key="pn")["UploadId"]
    r1 = s3.upload_part_copy(Bucket=bucket, Key="pn", UploadId=uid,
                             PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"})
    assert not any(k.startswith("Checksum") for k in r1["CopyPartResult"])
    r = s3.complete_multipart_upload(
        Bucket=bucket, Key="pn", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1,
                                    "ETag": r1["CopyPartResult"]["ETag"]}]})
    assert not any(k.startswith("Checksum") for k in r), r
    assert s3.get_object(Bucket=bucket, Key="pn")["Body"].read() == src


# ------------------------------------------------------------ trailers

def _trailer_body(data, chunk_size, trailer_lines, signing=None):
    """aws-chunked body with trailers. signing: None (unsigned) or
    (signing key, timestamp, scope, seed signature, tamper_trailer)."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    chunks.append(b"")
    out = []
    prev = signing[3] if signing else None
    for c in chunks:
        if signing:
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", signing[1], signing[2],
                             prev, EMPTY_SHA256, hashlib.sha256(c).hexdigest()])
            prev = hmac.new(signing[0], sts.encode(), hashlib.sha256).hexdigest()
            out.append(b"%x;chunk-signature=%s\r\n" % (len(c), prev.encode()))
        else:
            out.append(b"%x\r\n" % len(c))
        if c:
            out.append(c + b"\r\n")
    trailer = "".join("%s:%s\n" % (n, v) for n, v in trailer_lines)
    for n, v in trailer_lines:
        out.append(("%s:%s\r\n" % (n, v)).encode())
    if signing:
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", signing[1], signing[2],
                         prev, hashlib.sha256(trailer.encode()).hexdigest()])
        sig = hmac.new(signing[0], sts.encode(), hashlib.sha256).hexdigest()
        if signing[4]:
            sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
        out.append(b"x-amz-trailer-signature:%s\r\n" % sig.encode())
    out.append(b"\r\n")
    return b"".join(out)


def trailer_put(server, bucket, key, data, algorithm, value=None,
                signed=False, tamper_signature=False, declared=None,
                send_trailer=True, query=None):
    name = "x-amz-checksum-" + algorithm.lower()
    value = b64(algorithm, data) if value is None else value
    path = object_path(bucket, key)
    h = {"Host": server.hostport, "Content-Encoding": "aws-chunked",
         "x-amz-decoded-content-length": str(len(data)),
         "x-amz-trailer": declared or name}
    mode = SIGNED_TRAILER if signed else UNSIGNED_TRAILER
    # Content-Length is left unsigned (http_request adds it), so the body,
    # whose chunk signatures chain from the request's, is framed after
    # signing.
    s = sign_headers("PUT", path, query, h, mode, server.access_key,
                     server.secret_key)
    signing = (s.signing_key, s.timestamp, s.scope, s.signature,
               tamper_signature) if signed else None
    lines = [(name, value)] if send_trailer else []
    body = _trailer_body(data, 64 * 1024, lines, signing)
    full = path
    if query:
        full += "?" + canonical_query(query)
    return http_request(server.host, server.port, "PUT", full, s.headers, body)


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_trailer_checksum_accepted(server, s3, bucket, algorithm, signed):
    data = rnd(150 * 1024 + 3, 3)
    r = trailer_put(server, bucket, "t", data, algorithm, signed=signed)
    assert r.status == 200, r
    value = b64(algorithm, data)
    assert r.header("x-amz-checksum-" + algorithm.lower()) == value
    h = s3.head_object(Bucket=bucket, Key="t", ChecksumMode="ENABLED")
    assert h["Checksum" + algorithm] == value
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == data


@pytest.mark.parametrize("signed", [False, True])
def test_trailer_checksum_mismatch_refused(server, s3, bucket, signed):
    data = rnd(100 * 1024, 4)
    r = trailer_put(server, bucket, "tm", data, "CRC32C",
                    value=b64("CRC32C", data[:-1]), signed=signed)
    assert_s3_error(r, 400, "BadDigest")
    assert_absent(s3, bucket, "tm")


def test_trailer_bad_signature_refused(server, s3, bucket):
    data = rnd(70 * 1024, 5)
    r = trailer_put(server, bucket, "ts", data, "SHA256", signed=True,
                    tamper_signature=True)
    assert_s3_error(r, 403, "SignatureDoesNotMatch")
    assert_absent(s3, bucket, "ts")


def test_trailer_missing_or_invalid_refused(server, s3, bucket):
    data = b"x" * 1000
    r = trailer_put(server, bucket, "tx", data, "CRC32", send_trailer=False)
    assert_s3_error(r, 400, "MalformedTrailerError")
    r = trailer_put(server, bucket, "tx", data, "CRC32", value="zz")
    assert_s3_error(r, 400, "BadDigest")
    r = trailer_put(server, bucket, "tx", data, "CRC32",
                    declared="x-amz-meta-foo")
    assert_s3_error(r, 400, "InvalidRequest")
    assert_absent(s3, bucket, "tx")


# ------------------------------------------------------------ multipart

def _multipart(s3, bucket, key, parts, algorithm, give_part_checksums=True):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key,
                                    ChecksumAlgorithm=algorithm)
    assert up["ChecksumAlgorithm"] == algorithm
    uid = up["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i,
                           Body=p, **{"Checksum" + algorithm: b64(algorithm, p)})
        assert r["Checksum" + algorithm] == b64(algorithm, p)
        entry = {"PartNumber": i, "ETag": r["ETag"]}
        if give_part_checksums:
            entry["Checksum" + algorithm] = b64(algorithm, p)
        done.append(entry)
    return uid, done


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_multipart_composite_checksum(s3, bucket, algorithm):
    parts = [rnd(5 * MiB, 10), rnd(5 * MiB, 11), rnd(1000, 12)]
    uid, done = _multipart(s3, bucket, "mp", parts, algorithm)
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert listed["ChecksumAlgorithm"] == algorithm
    assert [p["Checksum" + algorithm] for p in listed["Parts"]] == \
        [b64(algorithm, p) for p in parts]
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    want = composite(algorithm, parts)
    assert r["Checksum" + algorithm] == want
    h = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert h["Checksum" + algorithm] == want
    # One part read alone shows that part's checksum.
    g = s3.get_object(Bucket=bucket, Key="mp", PartNumber=3,
                      ChecksumMode="ENABLED")
    assert g["Body"].read() == parts[2]
    assert g["Checksum" + algorithm] == b64(algorithm, parts[2])


def test_multipart_part_checksum_computed_when_not_sent(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="auto",
                                    ChecksumAlgorithm="SHA1")
    uid = up["UploadId"]
    data = rnd(1234, 20)
    r = s3.upload_part(Bucket=bucket, Key="auto", UploadId=uid, PartNumber=1,
                       Body=data)
    assert r["ChecksumSHA1"] == b64("SHA1", data)
    r = s3.complete_multipart_upload(
        Bucket=bucket, Key="auto", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"]}]})
    assert r["ChecksumSHA1"] == composite("SHA1", [data])


def test_multipart_part_mismatch_and_wrong_algorithm(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="pm",
                                    ChecksumAlgorithm="CRC32")
    uid = up["UploadId"]
    data = rnd(4096, 21)
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="pm", UploadId=uid, PartNumber=1,
                       Body=data, ChecksumCRC32=b64("CRC32", b"other"))
    assert client_error(e) == (400, "BadDigest")
    assert s3.list_parts(Bucket=bucket, Key="pm", UploadId=uid).get(
        "Parts", []) == []
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="pm", UploadId=uid, PartNumber=1,
                       Body=data, ChecksumSHA256=b64("SHA256", data))
    assert client_error(e) == (400, "InvalidRequest")
    r = s3.upload_part(Bucket=bucket, Key="pm", UploadId=uid, PartNumber=1,
                       Body=data, ChecksumCRC32=b64("CRC32", data))
    # Completing with a checksum that is not the part's: InvalidPart.
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="pm", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"],
                                        "ChecksumCRC32": b64("CRC32", b"x")}]})
    assert client_error(e) == (400, "InvalidPart")
    assert_absent(s3, bucket, "pm")
    # The whole object's checksum, when the client states it, must match.
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="pm", UploadId=uid,
            ChecksumCRC32=composite("CRC32", [data + b"x"]),
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"]}]})
    assert client_error(e) == (400, "BadDigest")
    assert_absent(s3, bucket, "pm")
    r = s3.complete_multipart_upload(
        Bucket=bucket, Key="pm", UploadId=uid,
        ChecksumCRC32=composite("CRC32", [data]),
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"],
                                    "ChecksumCRC32": b64("CRC32", data)}]})
    assert r["ChecksumCRC32"] == composite("CRC32", [data])


def test_create_upload_unknown_algorithm(server, bucket):
    path = object_path(bucket, "u")
    s = sign_headers("POST", path, {"uploads": ""},
                     {"Host": server.hostport,
                      "x-amz-checksum-algorithm": "MD5"},
                     EMPTY_SHA256, server.access_key, server.secret_key)
    r = http_request(server.host, server.port, "POST", path + "?uploads=",
                     s.headers, b"")
    assert_s3_error(r, 400, "InvalidRequest")


# ------------------------------------------------------------ GetObjectAttributes

def test_object_attributes_single_part(s3, bucket):
    data = rnd(5000, 30)
    s3.put_object(Bucket=bucket, Key="a", Body=data,
                  ChecksumSHA256=b64("SHA256", data))
    a = s3.get_object_attributes(
        Bucket=bucket, Key="a",
        ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass",
                          "ObjectSize"])
    assert a["ETag"] == hashlib.md5(data).hexdigest()
    assert a["Checksum"] == {"ChecksumSHA256": b64("SHA256", data)}
    assert "ObjectParts" not in a
    assert a["StorageClass"] == "STANDARD"
    assert a["ObjectSize"] == len(data)
    assert a["LastModified"]
    # Only what is asked for.
    a = s3.get_object_attributes(Bucket=bucket, Key="a",
                                 ObjectAttributes=["ObjectSize"])
    assert a["ObjectSize"] == len(data)
    assert "ETag" not in a and "Checksum" not in a
    # Without a checksum: no Checksum element.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"p")
    a = s3.get_object_attributes(Bucket=bucket, Key="plain",
                                 ObjectAttributes=["Checksum", "ObjectSize"])
    assert "Checksum" not in a and a["ObjectSize"] == 1


def test_object_attributes_parts_paging(s3, bucket):
    parts = [rnd(5 * MiB, 40), rnd(5 * MiB, 41), rnd(5 * MiB, 42), rnd(10, 43)]
    uid, done = _multipart(s3, bucket, "m", parts, "CRC32C")
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    a = s3.get_object_attributes(Bucket=bucket, Key="m",
                                 ObjectAttributes=["ObjectParts", "Checksum"],
                                 MaxParts=2)
    assert a["Checksum"]["ChecksumCRC32C"] == composite("CRC32C", parts)
    op = a["ObjectParts"]
    assert op["TotalPartsCount"] == 4
    assert op["MaxParts"] == 2 and op["IsTruncated"] is True
    assert op["NextPartNumberMarker"] == 2
    assert [(p["PartNumber"], p["Size"], p["ChecksumCRC32C"])
            for p in op["Parts"]] == [
        (1, 5 * MiB, b64("CRC32C", parts[0])),
        (2, 5 * MiB, b64("CRC32C", parts[1]))]
    a = s3.get_object_attributes(Bucket=bucket, Key="m",
                                 ObjectAttributes=["ObjectParts"],
                                 MaxParts=2, PartNumberMarker=2)
    op = a["ObjectParts"]
    assert op["IsTruncated"] is False
    assert [p["PartNumber"] for p in op["Parts"]] == [3, 4]
    assert op["Parts"][1]["Size"] == 10


def test_object_attributes_errors(server, s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="missing",
                                 ObjectAttributes=["ETag"])
    assert client_error(e) == (404, "NoSuchKey")
    s3.put_object(Bucket=bucket, Key="x", Body=b"x")
    path = object_path(bucket, "x")
    for attrs in [None, "", "ETag,Owner"]:
        h = {"Host": server.hostport}
        if attrs is not None:
            h["x-amz-object-attributes"] = attrs
        s = sign_headers("GET", path, {"attributes": ""}, h, EMPTY_SHA256,
                         server.access_key, server.secret_key)
        r = http_request(server.host, server.port, "GET",
                         path + "?attributes=", s.headers, None)
        assert_s3_error(r, 400, "InvalidArgument")


# ------------------------------------------------- CRC64NVME, full object

def signed(server, method, path, query=None, headers=None, body=b""):
    """A hand-signed request (the payload's SHA-256 signed)."""
    h = dict(headers or {})
    h["Host"] = server.hostport
    query = list(query.items()) if query else None
    s = sign_headers(method, path, query, h, hashlib.sha256(body).hexdigest(),
                     server.access_key, server.secret_key)
    full = path + ("?" + canonical_query(query) if query else "")
    return http_request(server.host, server.port, method, full, s.headers, body)


def element(body, name):
    found = [e.text for e in xml_find_all(body, name)]
    return found[0] if found else None


def listed_checksum_types(server, bucket):
    """{key: ChecksumType} of ListObjectsV2 and of ListObjectVersions, read
    from the XML (Debian's botocore predates the element)."""
    out = []
    for query, entry in (({"list-type": "2"}, "Contents"), ({"versions": ""}, "Version")):
        r = signed(server, "GET", "/" + bucket, query=query)
        assert r.status == 200, r
        types = {}
        for e in xml_find_all(r.body, entry):
            key = next(c.text for c in e if c.tag.endswith("Key"))
            typ = [c.text for c in e if c.tag.endswith("ChecksumType")]
            types[key] = typ[0] if typ else None
        out.append(types)
    assert out[0] == out[1], out
    return out[0]


def test_crc64nvme_put_head_and_trailer(server, s3, bucket):
    data = rnd(200 * 1024 + 5, 40)
    value = b64("CRC64NVME", data)
    r = signed(server, "PUT", object_path(bucket, "c64"),
               headers={"x-amz-checksum-crc64nvme": value}, body=data)
    assert r.status == 200, r
    assert r.header("x-amz-checksum-crc64nvme") == value
    assert r.header("x-amz-checksum-type") == "FULL_OBJECT"
    h = signed(server, "HEAD", object_path(bucket, "c64"),
               headers={"x-amz-checksum-mode": "ENABLED"})
    assert (h.header("x-amz-checksum-crc64nvme"), h.header("x-amz-checksum-type")) == (value, "FULL_OBJECT")
    assert s3.get_object(Bucket=bucket, Key="c64")["Body"].read() == data
    # A wrong value stores nothing.
    bad = signed(server, "PUT", object_path(bucket, "c64-bad"),
                 headers={"x-amz-checksum-crc64nvme": b64("CRC64NVME", data[1:])}, body=data)
    assert_s3_error(bad, 400, "BadDigest")
    assert_absent(s3, bucket, "c64-bad")
    # As a trailer, the way newer SDKs send it.
    t = trailer_put(server, bucket, "c64-trailer", data, "CRC64NVME", signed=True)
    assert t.status == 200, t
    assert t.header("x-amz-checksum-crc64nvme") == value


@pytest.mark.parametrize("algorithm,type_header", [
    ("CRC64NVME", None),  # CRC64NVME is full object without being asked
    ("CRC32", "FULL_OBJECT"),
    ("CRC32C", "FULL_OBJECT"),
])
def test_multipart_full_object_checksum(server, bucket, algorithm, type_header):
    key = "full-" + algorithm.lower()
    path = object_path(bucket, key)
    headers = {"x-amz-checksum-algorithm": algorithm}
    if type_header:
        headers["x-amz-checksum-type"] = type_header
    r = signed(server, "POST", path, query={"uploads": ""}, headers=headers)
    assert r.status == 200, r
    assert (r.header("x-amz-checksum-algorithm"), r.header("x-amz-checksum-type")) == (algorithm, "FULL_OBJECT")
    uid = element(r.body, "UploadId")
    parts = [rnd(5 * MiB, 41), rnd(5 * MiB + 3, 42), rnd(777, 43)]
    name = "x-amz-checksum-" + algorithm.lower()
    xml_parts = ""
    for i, p in enumerate(parts, 1):
        u = signed(server, "PUT", path, query={"partNumber": str(i), "uploadId": uid},
                   headers={name: b64(algorithm, p)}, body=p)
        assert u.status == 200, u
        xml_parts += ("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag><Checksum%s>%s</Checksum%s></Part>"
                      % (i, u.header("ETag"), algorithm, b64(algorithm, p), algorithm))
    listed = signed(server, "GET", path, query={"uploadId": uid})
    assert element(listed.body, "ChecksumType") == "FULL_OBJECT", listed.body
    whole = b"".join(parts)
    want = b64(algorithm, whole)  # the CRC of the whole object, no "-N"
    body = ("<CompleteMultipartUpload>%s</CompleteMultipartUpload>" % xml_parts).encode()
    done = signed(server, "POST", path, query={"uploadId": uid}, headers={name: want}, body=body)
    assert done.status == 200, done
    assert element(done.body, "Checksum" + algorithm) == want, done.body
    assert element(done.body, "ChecksumType") == "FULL_OBJECT", done.body
    h = signed(server, "HEAD", path, headers={"x-amz-checksum-mode": "ENABLED"})
    assert (h.header(name), h.header("x-amz-checksum-type")) == (want, "FULL_OBJECT")
    attrs = signed(server, "GET", path, query={"attributes": ""},
                   headers={"x-amz-object-attributes": "Checksum"})
    assert element(attrs.body, "ChecksumType") == "FULL_OBJECT", attrs.body


def test_checksum_type_refusals(server, bucket):
    path = object_path(bucket, "refused")
    for headers, message in (
            ({"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"}, "COMPOSITE"),
            ({"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"}, "FULL_OBJECT"),
            ({"x-amz-checksum-type": "FULL_OBJECT"}, "x-amz-checksum-algorithm"),
            ({"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "HALF"}, "invalid")):
        r = signed(server, "POST", path, query={"uploads": ""}, headers=headers)
        assert_s3_error(r, 400, "InvalidRequest")
        assert message.encode() in r.body, r.body

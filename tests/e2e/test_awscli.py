"""aws-cli (Debian awscli 2.x) unchanged against the server: aws s3
mb/ls/cp/sync/rm/rb/presign and aws s3api bucket and object calls,
including a CLI-driven multipart upload and ranged get-object."""

import json
import random

import requests

from s3util import md5_hex, multipart_etag, sha256_file, unique_bucket

MiB = 1024 * 1024


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def test_s3_high_level(server, tmp_path):
    b = unique_bucket("cli")
    r = server.aws("s3", "mb", "s3://" + b)
    assert "make_bucket: " + b in r.stdout
    r = server.aws("s3", "ls")
    assert b in r.stdout

    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from aws s3 cp\n")
    big = tmp_path / "big.bin"
    big.write_bytes(rnd(20 * MiB + 17, 1))   # > 8 MiB: CLI uses multipart

    server.aws("s3", "cp", str(small), "s3://%s/dir/small.txt" % b)
    server.aws("s3", "cp", str(big), "s3://%s/dir/big.bin" % b)

    r = server.aws("s3", "ls", "s3://%s/" % b)
    assert "PRE dir/" in r.stdout
    r = server.aws("s3", "ls", "s3://%s/dir/" % b)
    assert "small.txt" in r.stdout and "big.bin" in r.stdout
    assert str(20 * MiB + 17) in r.stdout
    r = server.aws("s3", "ls", "--recursive", "s3://%s" % b)
    assert "dir/small.txt" in r.stdout and "dir/big.bin" in r.stdout

    out = tmp_path / "out"
    out.mkdir()
    server.aws("s3", "cp", "s3://%s/dir/small.txt" % b, str(out / "s.txt"))
    server.aws("s3", "cp", "s3://%s/dir/big.bin" % b, str(out / "b.bin"))
    assert (out / "s.txt").read_bytes() == small.read_bytes()
    assert sha256_file(out / "b.bin") == sha256_file(big)

    # The CLI's default multipart chunk is 8 MiB: check the ETag format.
    h = json.loads(server.aws("s3api", "head-object", "--bucket", b, "--key",
                              "dir/big.bin").stdout)
    data = big.read_bytes()
    chunks = [data[i:i + 8 * MiB] for i in range(0, len(data), 8 * MiB)]
    assert h["ETag"] == multipart_etag(chunks)
    assert h["ContentLength"] == len(data)

    # stdin / stdout streaming
    server.aws("s3", "cp", "-", "s3://%s/stdin.txt" % b, input="from stdin")
    r = server.aws("s3", "cp", "s3://%s/stdin.txt" % b, "-")
    assert r.stdout == "from stdin"

    # rb without --force fails on a non-empty bucket
    r = server.aws("s3", "rb", "s3://" + b, check=False)
    assert r.returncode != 0
    assert "BucketNotEmpty" in r.stderr, r

    server.aws("s3", "rm", "s3://%s/dir/small.txt" % b)
    r = server.aws("s3", "ls", "s3://%s/dir/" % b)
    assert "small.txt" not in r.stdout
    server.aws("s3", "rm", "--recursive", "s3://%s/" % b)
    r = server.aws("s3", "ls", "--recursive", "s3://%s" % b, check=False)
    assert r.stdout.strip() == ""
    server.aws("s3", "rb", "s3://" + b)
    r = server.aws("s3", "ls")
    assert b not in r.stdout


def test_s3_sync_and_rb_force(server, tmp_path):
    b = unique_bucket("sync")
    server.aws("s3", "mb", "s3://" + b)
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    files = {"one.txt": b"1", "a/two.txt": b"22" * 1000,
             "a/b/three bin": rnd(300_000, 3), "a/b/é.txt": b"unicode"}
    for rel, data in files.items():
        (src / rel).write_bytes(data)
    server.aws("s3", "sync", str(src), "s3://%s/tree" % b)
    dst = tmp_path / "dst"
    server.aws("s3", "sync", "s3://%s/tree" % b, str(dst))
    for rel, data in files.items():
        assert (dst / rel).read_bytes() == data, rel
    # A second sync uploads nothing.
    r = server.aws("s3", "sync", str(src), "s3://%s/tree" % b)
    assert "upload:" not in r.stdout, r
    server.aws("s3", "rb", "--force", "s3://" + b)
    r = server.aws("s3api", "head-bucket", "--bucket", b, check=False)
    assert r.returncode != 0
    assert "404" in r.stderr or "Not Found" in r.stderr, r


def test_s3api_calls(server, tmp_path):
    b = unique_bucket("api")
    r = server.aws("s3api", "create-bucket", "--bucket", b)
    server.aws("s3api", "head-bucket", "--bucket", b)
    loc = json.loads(server.aws("s3api", "get-bucket-location", "--bucket",
                                b).stdout)
    assert loc.get("LocationConstraint") in (None, "", "us-east-1"), loc
    buckets = json.loads(server.aws("s3api", "list-buckets").stdout)
    assert b in [x["Name"] for x in buckets["Buckets"]]

    body = tmp_path / "body"
    body.write_bytes(b"0123456789abcdef")
    r = json.loads(server.aws(
        "s3api", "put-object", "--bucket", b, "--key", "k/1",
        "--body", str(body), "--content-type", "text/plain",
        "--metadata", "owner=cli,purpose=test",
        "--cache-control", "no-cache").stdout)
    assert r["ETag"] == '"%s"' % md5_hex(b"0123456789abcdef")

    h = json.loads(server.aws("s3api", "head-object", "--bucket", b,
                              "--key", "k/1").stdout)
    assert h["ContentLength"] == 16
    assert h["ContentType"] == "text/plain"
    assert h["Metadata"] == {"owner": "cli", "purpose": "test"}
    assert h["CacheControl"] == "no-cache"

    out = tmp_path / "out"
    r = json.loads(server.aws("s3api", "get-object", "--bucket", b, "--key",
                              "k/1", "--range", "bytes=4-7",
                              str(out)).stdout)
    assert out.read_bytes() == b"4567"
    assert r["ContentRange"] == "bytes 4-7/16"

    server.aws("s3api", "put-object", "--bucket", b, "--key", "k/2",
               "--body", str(body))
    server.aws("s3api", "put-object", "--bucket", b, "--key", "top",
               "--body", str(body))
    lst = json.loads(server.aws("s3api", "list-objects-v2", "--bucket", b,
                                "--delimiter", "/").stdout)
    assert [c["Prefix"] for c in lst["CommonPrefixes"]] == ["k/"]
    assert [o["Key"] for o in lst["Contents"]] == ["top"]
    lst = json.loads(server.aws("s3api", "list-objects-v2", "--bucket", b,
                                "--prefix", "k/", "--max-items", "1",
                                "--page-size", "1").stdout)
    assert [o["Key"] for o in lst["Contents"]] == ["k/1"]
    assert lst.get("NextToken")

    r = server.aws("s3api", "get-object", "--bucket", b, "--key", "missing",
                   str(tmp_path / "m"), check=False)
    assert r.returncode != 0 and "NoSuchKey" in r.stderr, r

    r = server.aws("s3api", "delete-bucket", "--bucket", b, check=False)
    assert r.returncode != 0 and "BucketNotEmpty" in r.stderr, r

    for k in ("k/1", "k/2", "top"):
        server.aws("s3api", "delete-object", "--bucket", b, "--key", k)
    server.aws("s3api", "delete-object", "--bucket", b, "--key", "k/1")
    server.aws("s3api", "delete-bucket", "--bucket", b)
    r = server.aws("s3api", "delete-bucket", "--bucket", b, check=False)
    assert r.returncode != 0 and "NoSuchBucket" in r.stderr, r


def test_s3api_multipart(server, tmp_path):
    b = unique_bucket("apimp")
    server.aws("s3api", "create-bucket", "--bucket", b)
    up = json.loads(server.aws("s3api", "create-multipart-upload",
                               "--bucket", b, "--key", "mp").stdout)
    uid = up["UploadId"]
    parts = [rnd(5 * MiB, 1), rnd(100, 2)]
    etags = []
    for i, p in enumerate(parts, 1):
        f = tmp_path / ("p%d" % i)
        f.write_bytes(p)
        r = json.loads(server.aws("s3api", "upload-part", "--bucket", b,
                                  "--key", "mp", "--upload-id", uid,
                                  "--part-number", str(i), "--body",
                                  str(f)).stdout)
        assert r["ETag"] == '"%s"' % md5_hex(p)
        etags.append(r["ETag"])
    spec = tmp_path / "mpu.json"
    spec.write_text(json.dumps({"Parts": [
        {"PartNumber": i, "ETag": e} for i, e in enumerate(etags, 1)]}))
    r = json.loads(server.aws("s3api", "complete-multipart-upload",
                              "--bucket", b, "--key", "mp", "--upload-id",
                              uid, "--multipart-upload",
                              "file://" + str(spec)).stdout)
    assert r["ETag"] == multipart_etag(parts)
    # abort flow
    up2 = json.loads(server.aws("s3api", "create-multipart-upload",
                                "--bucket", b, "--key", "mp2").stdout)
    server.aws("s3api", "abort-multipart-upload", "--bucket", b, "--key",
               "mp2", "--upload-id", up2["UploadId"])
    server.aws("s3", "rb", "--force", "s3://" + b)


def test_s3_presign(server, tmp_path):
    b = unique_bucket("presign")
    server.aws("s3", "mb", "s3://" + b)
    f = tmp_path / "f"
    f.write_bytes(b"presigned by aws-cli")
    server.aws("s3", "cp", str(f), "s3://%s/f" % b)
    url = server.aws("s3", "presign", "s3://%s/f" % b, "--expires-in",
                     "120").stdout.strip()
    assert url.startswith(server.endpoint)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"presigned by aws-cli"
    server.aws("s3", "rb", "--force", "s3://" + b)


def test_cli_errors(server):
    r = server.aws("s3", "ls", check=False, secret_key="wrong")
    assert r.returncode != 0 and "SignatureDoesNotMatch" in r.stderr, r
    r = server.aws("s3", "ls", check=False, access_key="AKIDNOPE0000")
    assert r.returncode != 0 and "InvalidAccessKeyId" in r.stderr, r
    r = server.aws("s3", "ls", "s3://" + unique_bucket("nosuch"),
                   check=False)
    assert r.returncode != 0 and "NoSuchBucket" in r.stderr, r
    r = server.aws("s3", "mb", "s3://Bad_Name", check=False)
    assert r.returncode != 0

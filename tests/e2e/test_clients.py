"""Other S3 clients from Debian, unchanged, against the real server (issue 3:
"s3cmd and rclone from Debian"): bucket create/list/delete, upload and
download of small and multipart objects (byte-identical), listing with
prefixes, metadata, tagging-free copies, sync/check and deletes. Each
client gets its configuration from a file or the environment in the test's
own directory, never from the user's."""

import json
import os
import subprocess

import pytest

from conftest import REGION
from s3util import rclone_env, sha256_file, unique_bucket

S3CMD = "/usr/bin/s3cmd"
RCLONE = "/usr/bin/rclone"


def write_random(path, size, seed):
    import random
    rng = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rng.randbytes(n))
            left -= n


def tool(argv, env):
    """A runner of the client `argv` with only `env`: run(*args, check=True)
    returns the CompletedProcess and asserts exit 0 unless check=False."""
    def run(*args, check=True):
        cp = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=300, env=env)
        if check:
            assert cp.returncode == 0, "%s %s: rc=%d\n%s\n%s" % (
                os.path.basename(argv[0]), " ".join(args), cp.returncode, cp.stdout, cp.stderr)
        return cp
    return run


# ------------------------------------------------------------------ s3cmd

@pytest.fixture(scope="module")
def s3cmd(server, tmp_path_factory):
    cfg = tmp_path_factory.mktemp("s3cmd") / "s3cfg"
    cfg.write_text("\n".join([
        "[default]",
        "access_key = %s" % server.access_key,
        "secret_key = %s" % server.secret_key,
        "host_base = %s" % server.hostport,
        "host_bucket = %s" % server.hostport,  # path style
        "bucket_location = %s" % REGION,
        "use_https = False",
        "signature_v2 = False",
        "multipart_chunk_size_mb = 5",
        "",
    ]))

    return tool([S3CMD, "-c", str(cfg), "--no-progress"],
                {"PATH": "/usr/bin:/bin", "HOME": str(cfg.parent), "LANG": "C.UTF-8"})


def test_s3cmd_round_trip(server, s3cmd, tmp_path):
    bucket = unique_bucket("s3cmd")
    s3cmd("mb", "s3://" + bucket)
    assert "s3://" + bucket in s3cmd("ls").stdout
    small, big = tmp_path / "small.txt", tmp_path / "big.bin"
    small.write_bytes(b"hello from s3cmd\n")
    write_random(big, 12 * 1024 * 1024 + 123, 1)  # three 5 MiB parts
    s3cmd("put", "--add-header=x-amz-meta-colour:blue", str(small), "s3://%s/dir/small.txt" % bucket)
    s3cmd("put", "--multipart-chunk-size-mb=5", str(big), "s3://%s/dir/big.bin" % bucket)
    listing = s3cmd("ls", "s3://%s/dir/" % bucket).stdout
    assert "dir/small.txt" in listing and "dir/big.bin" in listing, listing
    info = s3cmd("info", "s3://%s/dir/small.txt" % bucket).stdout
    assert "colour" in info and "blue" in info, info
    got = tmp_path / "got.bin"
    s3cmd("get", "s3://%s/dir/big.bin" % bucket, str(got))
    assert sha256_file(got) == sha256_file(big)
    # The multipart ETag is the S3 one: "<md5 of part md5s>-3".
    head = server.client().head_object(Bucket=bucket, Key="dir/big.bin")
    assert head["ETag"].endswith('-3"') and head["ContentLength"] == big.stat().st_size
    s3cmd("cp", "s3://%s/dir/small.txt" % bucket, "s3://%s/copy.txt" % bucket)
    assert server.client().get_object(Bucket=bucket, Key="copy.txt")["Body"].read() == small.read_bytes()
    s3cmd("del", "s3://%s/dir/small.txt" % bucket)
    s3cmd("del", "--recursive", "--force", "s3://%s/" % bucket)
    s3cmd("rb", "s3://" + bucket)
    assert "s3://" + bucket not in s3cmd("ls").stdout


def test_s3cmd_sync_and_errors(server, s3cmd, tmp_path):
    bucket = unique_bucket("s3sync")
    s3cmd("mb", "s3://" + bucket)
    src = tmp_path / "tree"
    (src / "a" / "b").mkdir(parents=True)
    for i, rel in enumerate(("one.txt", "a/two.txt", "a/b/three.txt", "a/b/with space+plus.txt")):
        (src / rel).write_bytes(("file %d\n" % i).encode() * (i + 1))
    s3cmd("sync", str(src) + "/", "s3://%s/tree/" % bucket)
    keys = sorted(o["Key"] for o in server.client().list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["tree/a/b/three.txt", "tree/a/b/with space+plus.txt", "tree/a/two.txt", "tree/one.txt"], keys
    back = tmp_path / "back"
    s3cmd("sync", "s3://%s/tree/" % bucket, str(back) + "/")
    for rel in ("one.txt", "a/two.txt", "a/b/three.txt", "a/b/with space+plus.txt"):
        assert (back / rel).read_bytes() == (src / rel).read_bytes(), rel
    # A missing bucket and a non-empty bucket are refused with S3's errors.
    miss = s3cmd("ls", "s3://%s" % unique_bucket("missing"), check=False)
    assert miss.returncode != 0 and "NoSuchBucket" in miss.stderr, miss
    full = s3cmd("rb", "s3://" + bucket, check=False)
    assert full.returncode != 0 and "BucketNotEmpty" in full.stderr, full


# ------------------------------------------------------------------ rclone

@pytest.fixture(scope="module")
def rclone(server, tmp_path_factory):
    env = rclone_env(server, tmp_path_factory.mktemp("rclone"))

    return tool([RCLONE, "--low-level-retries", "1", "--retries", "1"], env)


def test_rclone_copy_check_and_delete(server, rclone, tmp_path):
    bucket = unique_bucket("rclone")
    rclone("mkdir", "cf:" + bucket)
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "small.txt").write_bytes(b"hello from rclone\n")
    (src / "sub" / "unicode-é ü.txt").write_bytes(b"unicode key\n")
    write_random(src / "sub" / "big.bin", 11 * 1024 * 1024 + 7, 2)
    # Multipart above 5 MiB, in 5 MiB chunks.
    rclone("copy", str(src), "cf:%s/data" % bucket, "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M")
    listing = json.loads(rclone("lsjson", "-R", "cf:%s/data" % bucket).stdout)
    sizes = {e["Path"]: e["Size"] for e in listing if not e["IsDir"]}
    assert sizes == {"small.txt": 18, "sub/unicode-é ü.txt": 12, "sub/big.bin": 11 * 1024 * 1024 + 7}, sizes
    # rclone check compares sizes and hashes (MD5: the ETag of single parts,
    # the stored metadata hash of multipart uploads).
    rclone("check", str(src), "cf:%s/data" % bucket)
    dst = tmp_path / "dst"
    rclone("copy", "cf:%s/data" % bucket, str(dst))
    assert sha256_file(dst / "sub" / "big.bin") == sha256_file(src / "sub" / "big.bin")
    assert (dst / "sub" / "unicode-é ü.txt").read_bytes() == b"unicode key\n"
    # Server-side copy, then delete everything and the bucket.
    rclone("copyto", "cf:%s/data/small.txt" % bucket, "cf:%s/copied.txt" % bucket)
    assert server.client().get_object(Bucket=bucket, Key="copied.txt")["Body"].read() == b"hello from rclone\n"
    rclone("delete", "cf:" + bucket)
    assert server.client().list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    rclone("rmdir", "cf:" + bucket)
    missing = rclone("lsd", "cf:" + bucket, check=False)
    assert missing.returncode != 0, missing

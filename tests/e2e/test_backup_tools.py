"""Backup tools from Debian, unchanged, against the real server (issue 9:
"restic initialises a repository in a bucket, backs up a directory,
forgets and prunes, restores byte-identical; rclone with --s3-versions
lists old versions"). The restic repository lives in a versioned bucket,
so that its deletes (prune) become delete markers the tool must not see."""

import os
import subprocess

import pytest

from conftest import REGION
from s3util import rclone_env, sha256_file, unique_bucket

RESTIC = "/usr/bin/restic"
RCLONE = "/usr/bin/rclone"


def run(argv, env, timeout=300):
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    assert cp.returncode == 0, "%s: rc=%d\n%s\n%s" % (" ".join(argv[:3]), cp.returncode, cp.stdout[-3000:],
                                                      cp.stderr[-3000:])
    return cp


def write_tree(root, seed):
    import random
    rng = random.Random(seed)
    files = {"a.txt": b"alpha\n", "dir/b.bin": rng.randbytes(3 << 20), "dir/sub/c.bin": rng.randbytes(70000),
             "empty": b""}
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return sorted(files)


def test_restic_backup_forget_prune_restore(server, tmp_path):
    if not os.path.exists(RESTIC):
        pytest.fail("restic is not installed (scripts/install-deps.sh installs it)")
    bucket = unique_bucket("restic")
    s3 = server.client()
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key,
           "AWS_DEFAULT_REGION": REGION, "RESTIC_PASSWORD": "restic-test-password",
           "RESTIC_REPOSITORY": "s3:%s/%s" % (server.endpoint, bucket),
           "RESTIC_CACHE_DIR": str(tmp_path / "cache")}
    src = tmp_path / "src"
    names = write_tree(str(src), 1)
    run([RESTIC, "init"], env)
    run([RESTIC, "backup", "--host", "test", str(src)], env)
    # A second snapshot with changed content, then keep only it.
    (src / "a.txt").write_bytes(b"alpha, second version\n")
    (src / "dir" / "sub" / "c.bin").write_bytes(os.urandom(50000))
    run([RESTIC, "backup", "--host", "test", str(src)], env)
    run([RESTIC, "forget", "--keep-last", "1", "--prune"], env)
    snapshots = run([RESTIC, "snapshots", "--json"], env).stdout
    assert snapshots.count('"id"') == 1, snapshots
    run([RESTIC, "check", "--read-data"], env)
    dst = tmp_path / "restored"
    run([RESTIC, "restore", "latest", "--target", str(dst)], env)
    restored = dst / str(src).lstrip("/")
    for name in names:
        assert sha256_file(str(restored / name)) == sha256_file(str(src / name)), name
    # Prune deleted pack files in a versioned bucket: delete markers and
    # noncurrent versions, invisible to the tool.
    versions = s3.list_object_versions(Bucket=bucket)
    assert versions.get("DeleteMarkers"), "prune deleted nothing"


def test_rclone_lists_old_versions(server, tmp_path):
    bucket = unique_bucket("rclonever")
    s3 = server.client()
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"first")
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"second!")
    env = rclone_env(server, tmp_path)
    plain = run([RCLONE, "lsf", "cf:" + bucket], env).stdout.split()
    assert plain == ["doc.txt"], plain
    versioned = run([RCLONE, "lsf", "--s3-versions", "--format", "ps", "cf:" + bucket], env).stdout.split()
    # The current version and the old one, named doc-v<time>.txt by rclone.
    sizes = dict(line.split(";") for line in versioned)
    old = [n for n in sizes if n.startswith("doc-v") and n.endswith(".txt")]
    assert len(sizes) == 2 and sizes.get("doc.txt") == "7" and len(old) == 1, versioned
    old = old[0]
    assert sizes[old] == "5", versioned
    got = run([RCLONE, "cat", "--s3-versions", "cf:%s/%s" % (bucket, old)], env).stdout
    assert got == "first", got

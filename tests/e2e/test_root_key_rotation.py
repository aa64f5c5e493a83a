"""Root key rotation of the embedded keystore, rewrap only (docs/keys.md
"Rotating the root key"), end to end: a server with several tenants, users,
buckets and objects rotates its root key with `confiance admin root-key
rotate`; the job's progress is read until done; then, before and after a
restart, every object reads back byte-identical and every access key
(operator, tenant roots, a user, the server's root) still authenticates;
the key file holds the new version alone (the old key's bytes are gone from
it), no blob file changed, the transparency logs still verify against their
checkpoints under the same log key, and the rotation is a control event in
the operator log. Only operators may rotate; a second rotate while one runs
or after one is done works as documented."""

import hashlib
import json
import os
import stat
import subprocess
import time

from botocore.exceptions import ClientError

from adminutil import AdminServer, OPERATOR, admin_request, cli, error_of, s3 as s3_for
from conftest import unique_bucket

ACME = ("ACMEROOTROTKEY000001", "acme-rootrot-secret-0123456789")
GLOBEX = ("GLOBEXROOTROTKEY0001", "globex-rootrot-secret-0123456789")
ALICE = ("ACMEALICEROTKEY00001", "acme-alice-rootrot-secret-01234")
MiB = 1024 * 1024


def key_file(srv):
    return os.path.join(srv.data_dir, "keys", "root.key")


def parse_key_file(data):
    """{key id: key bytes} of a root key file (v1 or v2, docs/blob_format.md)."""
    assert data[:4] == b"CNFK", data[:8]
    assert hashlib.sha256(data[:-32]).digest() == data[-32:]
    if data[4] == 1:
        key_len, id_len = data[5], data[6]
        return {data[8:8 + id_len].decode(): data[8 + id_len:8 + id_len + key_len]}
    assert data[4] == 2, data[4]
    out, pos = {}, 8
    for _ in range(data[5]):
        id_len, key_len = data[pos], data[pos + 1]
        key_id = data[pos + 2:pos + 2 + id_len].decode()
        out[key_id] = data[pos + 2 + id_len:pos + 2 + id_len + key_len]
        pos += 2 + id_len + key_len
    assert pos == len(data) - 32
    return out


def blob_files(srv):
    """sha256 of every blob file (the default pool: DIR/blobs)."""
    out = {}
    for root, _, files in os.walk(os.path.join(srv.data_dir, "blobs")):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def wait_done(srv, timeout=60):
    deadline = time.time() + timeout
    while True:
        r = cli(srv, "--json", "root-key", "rotation").json()
        if r["state"] != "running" or time.time() > deadline:
            return r
        time.sleep(0.2)


def write_objects(client, buckets):
    objects = {}
    for i, b in enumerate(buckets):
        client.create_bucket(Bucket=b)
        for j, size in enumerate((0, 100, 70 * 1024 + 3)):
            body = os.urandom(size)
            client.put_object(Bucket=b, Key="s3-%d" % j, Body=body)
            objects[(b, "s3-%d" % j)] = body
            client.put_object(Bucket=b, Key="kms-%d" % j, Body=body, ServerSideEncryption="aws:kms")
            objects[(b, "kms-%d" % j)] = body
        if i == 0:
            parts = [os.urandom(5 * MiB), os.urandom(1234)]
            up = client.create_multipart_upload(Bucket=b, Key="mp")
            done = []
            for n, data in enumerate(parts, 1):
                r = client.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)
                done.append({"PartNumber": n, "ETag": r["ETag"]})
            client.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"],
                                             MultipartUpload={"Parts": done})
            objects[(b, "mp")] = b"".join(parts)
    return objects


def read_all(client, objects):
    for (b, k), body in objects.items():
        assert client.get_object(Bucket=b, Key=k)["Body"].read() == body, (b, k)


def authenticates(srv, creds):
    """True if the server knows the key and the signature checks out (an
    AccessDenied for a user without policies is still an authenticated
    answer)."""
    try:
        s3_for(srv, creds).list_buckets()
        return True
    except ClientError as e:
        return e.response["Error"]["Code"] == "AccessDenied"


def export_and_verify(srv, which):
    """`confiance log export` of one log, then `confiance log verify` of it
    against its signed checkpoint; returns (entries, verifier key)."""
    d = os.path.join(srv.workdir, "log-" + which.replace("/", "_"))
    os.makedirs(d, exist_ok=True)
    args = [srv.binary, "log", "export", "--data", srv.data_dir,
            "--checkpoint-out", os.path.join(d, "cp"), "--key-out", os.path.join(d, "key")]
    args += ["--operator"] if which == "operator" else ["--tenant", which]
    cp = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    lines = cp.stdout.splitlines()
    with open(os.path.join(d, "entries.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    v = subprocess.run([srv.binary, "log", "verify", "--key-file", os.path.join(d, "key"),
                        "--checkpoint2", os.path.join(d, "cp"), "--entries", os.path.join(d, "entries.jsonl")],
                       capture_output=True, text=True, timeout=120)
    assert v.returncode == 0 and v.stdout.startswith("OK"), v
    with open(os.path.join(d, "key")) as f:
        return [json.loads(line) for line in lines], f.read()


def test_root_key_rotation_keeps_everything_readable(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    cli(srv, "tenant", "create", "globex", "--access-key", GLOBEX[0], "--secret-key", GLOBEX[1])
    cli(srv, "user", "create", "--tenant", "acme", "alice", "--access-key", ALICE[0], "--secret-key", ALICE[1])
    acme, globex = s3_for(srv, ACME), s3_for(srv, GLOBEX)
    objects = {"acme": write_objects(acme, [unique_bucket("rra") for _ in range(2)]),
               "globex": write_objects(globex, [unique_bucket("rrg")])}
    # acme's tenant key is rotated too, so that the root rotation meets a
    # record with several versions.
    cli(srv, "tenant-key", "rotate", "acme", creds=ACME)
    deadline = time.time() + 60
    while cli(srv, "--json", "tenant-key", "rotation", "acme").json()["state"] == "running":
        assert time.time() < deadline
        time.sleep(0.2)
    everyone = [OPERATOR, ACME, GLOBEX, ALICE, (srv.access_key, srv.secret_key)]
    assert all(authenticates(srv, c) for c in everyone)
    with open(key_file(srv), "rb") as f:
        old_file = f.read()
    old = parse_key_file(old_file)
    assert len(old) == 1, old
    [(old_id, old_key)] = old.items()
    blobs = blob_files(srv)
    assert len(blobs) >= 5, blobs

    # Only operators rotate the server's root key.
    r = admin_request(srv, "POST", "/root-key/rotate", creds=ACME)
    assert error_of(r) == (403, "AccessDenied"), r.body

    r = cli(srv, "--json", "root-key", "rotate").json()
    assert r["state"] == "running" and r["from_key_ids"] == [old_id], r
    new_id = r["to_key_id"]
    assert new_id != old_id and new_id.startswith("root-"), r
    r = wait_done(srv)
    assert r["state"] == "done", r
    assert r["records_done"] == r["records_total"] and r["records_total"] >= 8, r
    # 2 tenant key records (acme's with version 2 alone after its own
    # rotation), 5 access keys (operator, 2 tenant roots, alice, the
    # server's root), the log signing key.
    assert r["records_rewrapped"] >= 2 + 5 + 1, r
    assert r["from_key_ids"] == [], r
    out = cli(srv, "root-key", "rotation").out
    assert "root key rotation done" in out and new_id in out, out

    for tenant, client in (("acme", acme), ("globex", globex)):
        read_all(client, objects[tenant])
    assert all(authenticates(srv, c) for c in everyone)
    acme.put_object(Bucket=next(iter(objects["acme"]))[0], Key="after", Body=b"after the rotation")
    objects["acme"][(next(iter(objects["acme"]))[0], "after")] = b"after the rotation"

    # The key file: the new version alone, no trace of the old key.
    with open(key_file(srv), "rb") as f:
        new_file = f.read()
    assert parse_key_file(new_file).keys() == {new_id}
    assert old_key not in new_file and old_id.encode() not in new_file
    assert stat.S_IMODE(os.stat(key_file(srv)).st_mode) == 0o600
    assert sorted(os.listdir(os.path.dirname(key_file(srv)))) == ["root.key"]

    # Restart: every key unwraps from the records under the new root key.
    srv.stop_clean()
    srv.start()
    acme, globex = s3_for(srv, ACME), s3_for(srv, GLOBEX)
    for tenant, client in (("acme", acme), ("globex", globex)):
        read_all(client, objects[tenant])
    assert all(authenticates(srv, c) for c in everyone)
    assert cli(srv, "--json", "root-key", "rotation").json()["state"] == "idle"
    assert cli(srv, "--json", "root-key", "rotation").json()["to_key_id"] == new_id
    key = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME).json()
    assert key["provider_key_id"] == new_id and key["version"] == 2, key
    srv.stop_clean()

    # Rewrap only: no blob file written or changed (the new object aside).
    after = blob_files(srv)
    assert {p: h for p, h in after.items() if p in blobs} == blobs
    assert len(after) - len(blobs) <= 1

    # The logs verify against their checkpoints, under the same log key,
    # and the rotation is a control event of the operator log.
    entries, _ = export_and_verify(srv, "operator")
    rotations = [e for e in entries if "RotateRootKey" in json.dumps(e)]
    assert len(rotations) == 1, rotations
    assert "GetRootKeyRotation" in json.dumps(entries)
    export_and_verify(srv, "acme")

    # An offline scrub opens every object under the rotated keys.
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    total = sum(len(o) for o in objects.values())
    assert "%d objects" % total in scrub.stdout, scrub.stdout
    assert "0 damaged" in scrub.stdout, scrub.stdout


def test_root_key_rotation_resumes_after_a_restart(tmp_path):
    """A server stopped while the key file holds two versions resumes the
    job at start-up and retires the old one."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    acme = s3_for(srv, ACME)
    objects = write_objects(acme, [unique_bucket("rrr")])
    r = cli(srv, "--json", "root-key", "rotate").json()
    new_id = r["to_key_id"]
    # Killed at once: the job (which waits a couple of seconds before it
    # retires anything) cannot have finished.
    srv.kill()
    with open(key_file(srv), "rb") as f:
        held = parse_key_file(f.read())
    assert len(held) == 2 and new_id in held, held.keys()
    srv.start()
    deadline = time.time() + 60
    while len(parse_key_file(open(key_file(srv), "rb").read())) != 1:
        assert time.time() < deadline, srv.log_tail()
        time.sleep(0.2)
    assert parse_key_file(open(key_file(srv), "rb").read()).keys() == {new_id}
    r = wait_done(srv)
    assert r["state"] == "done", r
    read_all(acme, objects)
    assert authenticates(srv, ACME)
    srv.stop_clean()
    srv.start()
    read_all(s3_for(srv, ACME), objects)
    # Another rotation, followed to its end by the CLI (--wait).
    again = cli(srv, "--json", "root-key", "rotate", "--wait").json()
    assert again["state"] == "done" and again["to_key_id"] != new_id and again["from_key_ids"] == [], again
    assert parse_key_file(open(key_file(srv), "rb").read()).keys() == {again["to_key_id"]}
    read_all(s3_for(srv, ACME), objects)
    srv.stop_clean()

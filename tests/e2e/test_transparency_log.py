"""The transparency log read API end to end (issue 7; docs/audit-log.md,
"Reading a log over HTTP").

Two tenants (loga, logb) perform S3 operations with boto3. Each then
downloads its own log over /_confiance/log/v1/ with requests signed by
botocore's SigV4 signer, and an implementation independent of the server
(tests/audit/test_independent_verify.py: hashlib and python3-cryptography,
written from RFC 9162 and the C2SP specs) verifies the checkpoint's
signature against /key, every entry's inclusion (served proofs and the
recomputed root), the consistency of two checkpoints, and that the decoded
entries are exactly the operations the tenant performed, each once, and
none of the other tenant's. `confiance log verify` then judges the
downloaded directory, intact and tampered; `confiance log tail --once`
prints the same entries as JSON lines.
"""

import base64
import json
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from adminutil import OPERATOR, AdminServer, cli, s3
from conftest import REGION, sanitizer_env, unique_bucket

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "audit"))
import test_independent_verify as spec  # noqa: E402  (the independent verifier)

LOG_NAME = "s3.logtest.example"
API = "/_confiance/log/v1"
A_ROOT = ("LOGAROOTKEY000000001", "log-a-root-secret-0123456789abcd")
B_ROOT = ("LOGBROOTKEY000000001", "log-b-root-secret-0123456789abcd")
A_USER = ("LOGAUSERKEY000000001", "log-a-user-secret-0123456789abcd")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = AdminServer(str(tmp_path_factory.mktemp("tlog")), extra_args=["--log-name", LOG_NAME])
    srv.start()
    for tenant, root in (("loga", A_ROOT), ("logb", B_ROOT)):
        cli(srv, "tenant", "create", tenant, "--access-key", root[0], "--secret-key", root[1])
    cli(srv, "user", "create", "--tenant", "loga", "auditor", "--access-key", A_USER[0],
        "--secret-key", A_USER[1])
    yield srv
    if srv.alive():
        srv.stop_clean()


def log_get(srv, creds, resource, query=None, method="GET", sign=True):
    """One request to the log API, signed by botocore (standard tooling)."""
    url = srv.endpoint + API + "/" + resource
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = {}
    if sign:
        req = AWSRequest(method=method, url=url)
        S3SigV4Auth(Credentials(*creds), "s3", REGION).add_auth(req)
        headers = dict(req.headers)
    return requests.request(method, url, headers=headers, timeout=30)


def error_code(resp):
    import xml.etree.ElementTree as ET
    return resp.status_code, ET.fromstring(resp.content).findtext("Code")


def wait_checkpoint(srv, creds, size, timeout=15):
    """The signed checkpoint note once it covers at least `size` entries
    (published once a second)."""
    key = log_get(srv, creds, "key").text.strip()
    deadline = time.monotonic() + timeout
    while True:
        resp = log_get(srv, creds, "checkpoint")
        if resp.status_code == 200:
            _, got, _ = spec.parse_checkpoint(spec.open_note(resp.text, key))
            if got >= size:
                return resp.text
        assert time.monotonic() < deadline, "no checkpoint of size %d: %s %s" % (size, resp.status_code, resp.text)
        time.sleep(0.2)


def download(srv, creds, dest, note):
    """Downloads the entry bundles and level-0 hash tiles under `note` into
    `dest` in the tlog-tiles layout; returns the entries."""
    size = spec.parse_checkpoint(note.split("\n\n")[0] + "\n")[1]
    entries = []
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        for path in (spec.bundle_path(n, width), spec.tile_path(0, n, width)):
            resp = log_get(srv, creds, path)
            assert resp.status_code == 200, (path, resp.status_code, resp.text)
            assert resp.headers["Content-Type"] == "application/octet-stream"
            out = dest / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(resp.content)
        got = spec.read_bundle((dest / spec.bundle_path(n, width)).read_bytes())
        assert len(got) == width
        assert (dest / spec.tile_path(0, n, width)).read_bytes() == b"".join(spec.leaf_hash(e) for e in got)
        entries += got
    return entries


def wait_entries(srv, creds, dest, ops, timeout=15):
    """The checkpoint note and the entries it covers (downloaded into `dest`)
    once they hold every request of `ops`. Each was logged before its
    response, but a checkpoint is published once a second, and the
    tenant's control entries count in its size: a size of len(ops) does
    not mean that the last operation is in."""
    deadline = time.monotonic() + timeout
    while True:
        note = wait_checkpoint(srv, creds, len(ops))
        entries = download(srv, creds, dest, note)
        logged = {json.loads(e).get("request_id") for e in entries}
        if set(ops) <= logged:
            return note, entries
        assert time.monotonic() < deadline, "requests never in a checkpoint: %s" % (set(ops) - logged)
        time.sleep(0.2)


def proof_of(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")
    return [base64.b64decode(line, validate=True) for line in resp.text.splitlines()]


def run_ops(srv, creds, tag):
    """S3 operations as one tenant; returns {request id: (operation, bucket, key)}."""
    c = s3(srv, creds)
    bucket = unique_bucket(tag)
    done = {}

    def rec(op, resp, key=""):
        rid = resp["ResponseMetadata"]["RequestId"]
        assert rid not in done
        done[rid] = (op, bucket, key)

    rec("CreateBucket", c.create_bucket(Bucket=bucket))
    rec("PutObject", c.put_object(Bucket=bucket, Key="doc.txt", Body=b"hello " + tag.encode()), "doc.txt")
    rec("HeadObject", c.head_object(Bucket=bucket, Key="doc.txt"), "doc.txt")
    got = c.get_object(Bucket=bucket, Key="doc.txt")
    assert got["Body"].read() == b"hello " + tag.encode()
    rec("GetObject", got, "doc.txt")
    rec("ListObjectsV2", c.list_objects_v2(Bucket=bucket))
    rec("DeleteObject", c.delete_object(Bucket=bucket, Key="doc.txt"), "doc.txt")
    return bucket, done


def check_entries(entries, ops, tenant):
    """The data entries are exactly `ops`, each once, all by `tenant`."""
    seen = {}
    for raw in entries:
        e = json.loads(raw)
        assert e["v"] == 1
        if e["kind"] != "data":
            continue  # control-plane events (tenant and key creation) are not S3 operations
        assert e["principal"]["tenant"] == tenant, e
        assert e["request_id"] not in seen, "entry logged twice: %r" % e
        seen[e["request_id"]] = (e["operation"], e["bucket"], e.get("key", ""))
    assert seen == ops


def test_each_tenant_reads_and_verifies_only_its_own_log(server, tmp_path):
    bucket_a, ops_a = run_ops(server, A_ROOT, "loga")
    bucket_b, ops_b = run_ops(server, B_ROOT, "logb")
    results = {}
    for tenant, creds, ops in (("loga", A_ROOT, ops_a), ("logb", B_ROOT, ops_b)):
        resp = log_get(server, creds, "key")
        assert resp.status_code == 200
        vkey = resp.text.strip()
        assert vkey.startswith(LOG_NAME + "+")
        dest = tmp_path / tenant
        note, entries = wait_entries(server, creds, dest, ops)
        origin, size, root = spec.parse_checkpoint(spec.open_note(note, vkey))
        assert origin == "%s/tenant/%s" % (LOG_NAME, tenant)
        (dest / "checkpoint").write_text(note)
        (dest / "key").write_text(vkey + "\n")
        leaves = [spec.leaf_hash(e) for e in entries]
        assert spec.mth(leaves) == root
        for i in range(size):
            proof = proof_of(log_get(server, creds, "proof/inclusion", {"index": i, "size": size}))
            assert spec.verify_inclusion(i, size, leaves[i], proof, root), i
            assert not spec.verify_inclusion(i, size, spec.leaf_hash(b"forged"), proof, root)
        check_entries(entries, ops, tenant)
        results[tenant] = (entries, dest, size, root, vkey)
    # Neither log holds anything of the other tenant.
    for mine, other_bucket, other_ops in (("loga", bucket_b, ops_b), ("logb", bucket_a, ops_a)):
        text = b"\n".join(results[mine][0])
        assert other_bucket.encode() not in text
        for rid in other_ops:
            assert rid.encode() not in text

    # More operations: the new checkpoint is consistent with the old one.
    entries_a, dest_a, size1, root1, vkey = results["loga"]
    shutil.copy(dest_a / "checkpoint", dest_a / "checkpoint1")
    c = s3(server, A_ROOT)
    c.put_object(Bucket=bucket_a, Key="second.txt", Body=b"2")
    c.delete_bucket_policy(Bucket=bucket_a)
    note2 = wait_checkpoint(server, A_ROOT, size1 + 2)
    _, size2, root2 = spec.parse_checkpoint(spec.open_note(note2, vkey))
    proof = proof_of(log_get(server, A_ROOT, "proof/consistency", {"old": size1, "new": size2}))
    assert spec.verify_consistency(size1, size2, proof, root1, root2)
    assert not spec.verify_consistency(size1, size2, proof, root2, root1)
    shutil.rmtree(dest_a / "tile")
    download(server, A_ROOT, dest_a, note2)
    (dest_a / "checkpoint2").write_text(note2)

    # The CLI agrees on the download, and names the entry that was altered.
    ok = run_verify(server, dest_a)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK: log %s/tenant/loga" % LOG_NAME), ok.stdout
    assert "%d entries proven included" % size2 in ok.stdout, ok.stdout
    tampered = tmp_path / "tampered"
    shutil.copytree(dest_a, tampered)
    bundle = tampered / spec.bundle_path(0, size2)
    data = bundle.read_bytes()
    victim = sorted(ops_a)[0]
    index = next(i for i, e in enumerate(spec.read_bundle(data)) if victim.encode() in e)
    bundle.write_bytes(data.replace(victim.encode(), victim[::-1].encode()))
    bad = run_verify(server, tampered)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.startswith("FAIL: entry %d is not in the log" % index), bad.stdout


def run_verify(srv, d):
    return subprocess.run(
        [srv.binary, "log", "verify", "--key-file", str(d / "key"), "--checkpoint1", str(d / "checkpoint1"),
         "--checkpoint2", str(d / "checkpoint2"), "--dir", str(d)], capture_output=True, text=True, timeout=60)


def test_who_may_read_which_log(server):
    # Anonymous, unknown key, wrong secret: refused as S3 refuses them.
    assert error_code(log_get(server, None, "checkpoint", sign=False)) == (403, "AccessDenied")
    assert error_code(log_get(server, ("NOSUCHKEY00000000001", "x" * 32), "checkpoint")) == (403, "InvalidAccessKeyId")
    assert error_code(log_get(server, (A_ROOT[0], "wrong" * 6), "checkpoint")) == (403, "SignatureDoesNotMatch")
    # A tenant's users read the tenant's log (the same origin as its root).
    s3(server, A_ROOT).list_buckets()
    note = wait_checkpoint(server, A_USER, 1)
    vkey = log_get(server, A_USER, "key").text.strip()
    assert spec.parse_checkpoint(spec.open_note(note, vkey))[0] == "%s/tenant/loga" % LOG_NAME
    # A presigned URL works as for S3 (the log is still the signer's).
    url = server.presigned_url("GET", API + "/checkpoint", access_key=A_USER[0], secret_key=A_USER[1])
    presigned = requests.get(url, timeout=30)
    assert presigned.status_code == 200, presigned.text
    assert spec.parse_checkpoint(spec.open_note(presigned.text, vkey))[0] == "%s/tenant/loga" % LOG_NAME
    # An unauthenticated request naming no bucket lands in the operator log,
    # which only operators read.
    anon = requests.get(server.endpoint + "/no-such-bucket-for-tlog-test", timeout=30)
    assert anon.status_code in (403, 404)
    rid = anon.headers["x-amz-request-id"]
    note = wait_checkpoint(server, OPERATOR, 1)
    origin, size, _ = spec.parse_checkpoint(spec.open_note(note, vkey))
    assert origin == "%s/operator" % LOG_NAME
    deadline = time.monotonic() + 15
    while True:
        note = wait_checkpoint(server, OPERATOR, size)
        size = spec.parse_checkpoint(spec.open_note(note, vkey))[1]
        entries = []
        for n in range((size + 255) // 256):
            entries += spec.read_bundle(
                log_get(server, OPERATOR, spec.bundle_path(n, min(256, size - 256 * n))).content)
        if any(json.loads(e).get("request_id") == rid for e in entries):
            break
        assert time.monotonic() < deadline, "anonymous request not in the operator log"
        time.sleep(0.3)
    for creds in (A_ROOT, B_ROOT):
        text = log_get(server, creds, "checkpoint").text
        assert "/operator\n" not in text


def test_errors_and_reads_are_not_logged(server):
    s3(server, B_ROOT).list_buckets()
    wait_checkpoint(server, B_ROOT, 1)
    time.sleep(1.5)  # B is idle now: the next checkpoint covers its whole log
    note = log_get(server, B_ROOT, "checkpoint").text
    vkey = log_get(server, B_ROOT, "key").text.strip()
    size = spec.parse_checkpoint(spec.open_note(note, vkey))[1]
    assert size < 255
    assert error_code(log_get(server, B_ROOT, "checkpoint", method="DELETE")) == (405, "MethodNotAllowed")
    assert error_code(log_get(server, B_ROOT, "nothing")) == (404, "NoSuchKey")
    assert error_code(log_get(server, B_ROOT, "tile/0/1")) == (400, "InvalidArgument")
    assert error_code(log_get(server, B_ROOT, spec.bundle_path(0, size + 1))) == (404, "NoSuchKey")
    assert error_code(log_get(server, B_ROOT, "proof/inclusion", {"index": size, "size": size})) == \
        (400, "InvalidArgument")
    assert error_code(log_get(server, B_ROOT, "proof/inclusion", {"index": 0, "size": size + 1000})) == \
        (404, "NoSuchKey")
    head = log_get(server, B_ROOT, "checkpoint", method="HEAD")
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(note.encode())
    # Polling the log does not grow it: after many reads and two publish
    # intervals the checkpoint still has the same size.
    for _ in range(20):
        assert log_get(server, B_ROOT, "checkpoint").status_code == 200
    time.sleep(2.2)
    again = log_get(server, B_ROOT, "checkpoint").text
    assert spec.parse_checkpoint(spec.open_note(again, vkey))[1] == size


def tail(srv, creds, *args, key_file):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **sanitizer_env(), "CONFIANCE_ENDPOINT": srv.endpoint,
           "CONFIANCE_ACCESS_KEY": creds[0], "CONFIANCE_SECRET_KEY": creds[1]}
    return subprocess.run([srv.binary, "log", "tail", "--key-file", str(key_file)] + list(args), env=env,
                          capture_output=True, text=True, timeout=60)


def other_verifier_key(name):
    """A well-formed verifier key of the same name, for another key pair."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    import hashlib
    blob = b"\x01" + Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_hash = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4]
    return "%s+%s+%s" % (name, key_hash.hex(), base64.b64encode(blob).decode())


def test_tail_once_exports_the_verified_log_as_json_lines(server, tmp_path):
    bucket_a, ops_a = run_ops(server, A_ROOT, "taila")
    _, ops_b = run_ops(server, B_ROOT, "tailb")
    vkey = log_get(server, A_ROOT, "key").text.strip()
    key_file = tmp_path / "key"
    key_file.write_text(vkey + "\n")
    cp_file = tmp_path / "checkpoint"
    deadline = time.monotonic() + 15
    while True:
        out = tail(server, A_ROOT, "--once", "--checkpoint-out", str(cp_file), key_file=key_file)
        assert out.returncode == 0, out.stdout + out.stderr
        lines = out.stdout.splitlines()
        if all(rid in out.stdout for rid in ops_a):
            break
        assert time.monotonic() < deadline, "tail never showed the operations: %r" % out.stdout[-2000:]
        time.sleep(0.3)
    # The lines are the log's entries, in order, from index 0 to the
    # checkpoint written: the same bytes as the entry bundles.
    note = cp_file.read_text()
    origin, size, root = spec.parse_checkpoint(spec.open_note(note, vkey))
    assert origin == "%s/tenant/loga" % LOG_NAME
    assert len(lines) == size
    raw = [line.encode() for line in lines]
    assert spec.mth([spec.leaf_hash(e) for e in raw]) == root
    served = download(server, A_ROOT, tmp_path / "tiles", note)
    assert served == raw
    mine = {}
    for e in map(json.loads, lines):
        if e["kind"] == "data" and e["request_id"] in ops_a:
            assert e["request_id"] not in mine
            mine[e["request_id"]] = (e["operation"], e["bucket"], e.get("key", ""))
    assert mine == ops_a
    for rid in ops_b:
        assert rid not in out.stdout

    # The export verifies offline; --from N prints the same lines from N.
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text(out.stdout)
    ok = subprocess.run([server.binary, "log", "verify", "--key-file", str(key_file), "--checkpoint2", str(cp_file),
                         "--entries", str(jsonl), "--first", "0"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "%d entries proven included" % size in ok.stdout, ok.stdout
    part = tail(server, A_ROOT, "--once", "--from", "3", key_file=key_file)
    assert part.returncode == 0, part.stderr
    assert part.stdout.splitlines()[:size - 3] == lines[3:]

    # Another key: refused before anything is printed.
    wrong = tmp_path / "wrong.vkey"
    wrong.write_text(other_verifier_key(LOG_NAME) + "\n")
    bad = tail(server, A_ROOT, "--once", key_file=wrong)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout == ""
    assert bad.stderr.startswith("FAIL: the checkpoint is not signed by the pinned key"), bad.stderr
    # Credentials the server refuses: exit 3, not a verdict on the log.
    refused = tail(server, (A_ROOT[0], "wrong" * 6), "--once", key_file=key_file)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "SignatureDoesNotMatch" in refused.stderr

"""Transparency-log recording, read back offline with
`confiance log export` and checked with `confiance log verify`:
  - SIGKILL during heavy traffic (8 threads of PUT/GET/HEAD/DELETE): every
    request acknowledged with a 2xx has exactly one entry in its tenant's
    log after restart, no entry appears twice, and the log verifies against
    its signed checkpoint (no torn tree);
  - admin API actions are logged: an operator's action on a tenant in both
    the operator log and that tenant's log, a tenant's own action in its
    log only, and no secret ever appears in a log.
Rounds: CONFIANCE_E2E_LOG_CRASH_ROUNDS (default 5)."""

import json
import os
import random
import subprocess
import threading
import time

from botocore.exceptions import ClientError

from adminutil import AdminServer, admin_request, cli, s3
ROUNDS = int(os.environ.get("CONFIANCE_E2E_LOG_CRASH_ROUNDS", "5"))
THREADS = 8
MAX_OPS_PER_THREAD = 2000
MIN_ACKS_PER_ROUND = 40
ROUND_TRAFFIC_TIMEOUT_S = 60
BUCKET = "logcrash"


def export(srv, tenant=None, operator=False):
    """Entries of one log (server stopped), as (raw lines, decoded)."""
    args = [srv.binary, "log", "export", "--data", srv.data_dir,
            "--checkpoint-out", os.path.join(srv.workdir, "cp"),
            "--key-out", os.path.join(srv.workdir, "key")]
    args += ["--operator"] if operator else ["--tenant", tenant]
    cp = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    lines = cp.stdout.splitlines()
    return lines, [json.loads(line) for line in lines]


def verify(srv, lines):
    path = os.path.join(srv.workdir, "entries.jsonl")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    cp = subprocess.run([srv.binary, "log", "verify", "--key-file",
                         os.path.join(srv.workdir, "key"), "--checkpoint2",
                         os.path.join(srv.workdir, "cp"), "--entries", path],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0 and cp.stdout.startswith("OK"), cp
    return cp.stdout


def traffic(srv, acked, stop, seed):
    """Mixed requests until `stop`; records (request id, operation) of
    every 2xx answer."""
    def worker(t):
        rng = random.Random(seed * 100 + t)
        c = srv.client(connect_timeout=3, read_timeout=10, retries={"max_attempts": 0})
        ops = [("PutObject", lambda k: c.put_object(Bucket=BUCKET, Key=k, Body=b"x" * rng.randrange(0, 9000))),
               ("GetObject", lambda k: c.get_object(Bucket=BUCKET, Key=k)),
               ("HeadObject", lambda k: c.head_object(Bucket=BUCKET, Key=k)),
               ("DeleteObject", lambda k: c.delete_object(Bucket=BUCKET, Key=k))]
        for _ in range(MAX_OPS_PER_THREAD):
            if stop.is_set():
                return
            name, fn = ops[0] if rng.random() < 0.5 else rng.choice(ops)
            key = "k%d" % rng.randrange(50)
            try:
                r = fn(key)
            except ClientError:
                continue  # a 4xx (missing key) is logged too, but not tracked
            except Exception:
                return  # the server died
            if name == "GetObject":
                r["Body"].read()
            acked.append((r["ResponseMetadata"]["RequestId"], name))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    return threads


def test_sigkill_loses_no_acknowledged_entry(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    srv.client().create_bucket(Bucket=BUCKET)
    acked = []
    rng = random.Random(7)
    for rnd in range(ROUNDS):
        stop = threading.Event()
        before = len(acked)
        threads = traffic(srv, acked, stop, rnd)
        # Kill only once this round has had real traffic: on a loaded CI
        # machine a fixed sleep can end before the clients get going.
        deadline = time.monotonic() + ROUND_TRAFFIC_TIMEOUT_S
        while len(acked) - before < MIN_ACKS_PER_ROUND and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        srv.kill()
        stop.set()
        for th in threads:
            th.join(timeout=30)
        srv.start()
    srv.stop_clean()

    lines, events = export(srv, tenant="default")
    ids = [e.get("request_id") for e in events if e.get("kind") == "data"]
    assert len(ids) == len(set(ids)), "an entry appears twice"
    logged = {e["request_id"]: e for e in events if "request_id" in e}
    assert len(acked) >= ROUNDS * MIN_ACKS_PER_ROUND, "too little traffic to mean anything: %d" % len(acked)
    missing = [(rid, op) for rid, op in acked if rid not in logged]
    assert not missing, "%d acknowledged requests have no entry, e.g. %r" % (len(missing), missing[:5])
    for rid, op in acked:
        e = logged[rid]
        assert e["operation"] == op and e["bucket"] == BUCKET and 200 <= e["status"] < 300, e
    print(verify(srv, lines))


def test_admin_actions_are_logged_where_they_belong(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    secret = "Tenant-Root-Secret-For-Log-Test-0001"
    cli(srv, "tenant", "create", "logtenant", "--access-key", "AKLOGTENANT0000001", "--secret-key", secret)
    cli(srv, "tenant", "show", "logtenant")
    tenant_creds = ("AKLOGTENANT0000001", secret)
    cli(srv, "user", "create", "--tenant", "logtenant", "dora", creds=tenant_creds)
    cli(srv, "tenant", "show", "nosuchtenant", expect=1)
    s3(srv, tenant_creds).list_buckets()
    # The reply's request id names the action's entry, as for S3 requests.
    shown = admin_request(srv, "GET", "/tenants/logtenant")
    assert shown.status == 200
    show_id = shown.headers["x-amz-request-id"]
    assert len(show_id) == 16, show_id
    srv.stop_clean()

    op_lines, op_events = export(srv, operator=True)
    t_lines, t_events = export(srv, tenant="logtenant")
    for text in op_lines + t_lines:
        assert secret not in text
    op_actions = [(e["action"], e.get("target", "")) for e in op_events if e["kind"] == "control"]
    t_actions = [(e.get("action") or e.get("operation"), e.get("target", "")) for e in t_events]
    assert ("CreateTenant", "tenant/logtenant") in op_actions, op_actions
    assert ("GetTenant", "tenant/logtenant") in op_actions, op_actions
    assert ("GetTenant", "tenant/nosuchtenant") in op_actions, op_actions
    # The operator's actions on the tenant are in the tenant's log too ...
    assert ("CreateTenant", "tenant/logtenant") in t_actions, t_actions
    assert ("GetTenant", "tenant/logtenant") in t_actions, t_actions
    # ... and its own actions only there, never in the operator's.
    assert ("CreateUser", "tenant/logtenant/user/dora") in t_actions, t_actions
    assert ("CreateUser", "tenant/logtenant/user/dora") not in op_actions, op_actions
    assert ("ListBuckets", "") in t_actions, t_actions
    shown_entries = [e for e in op_events if e.get("request_id") == show_id]
    assert len(shown_entries) == 1 and shown_entries[0]["action"] == "GetTenant", shown_entries
    assert all(e.get("request_id") for e in op_events + t_events), "an entry without a request id"
    creator = [e for e in t_events if e.get("action") == "CreateUser"][0]
    assert creator["principal"] == {"type": "user", "tenant": "logtenant", "user": "root",
                                    "access_key_id": "AKLOGTENANT0000001"}, creator
    verify(srv, t_lines)
    export(srv, operator=True)
    verify(srv, op_lines)


def test_cross_tenant_copy_is_in_both_logs(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    creds = {}
    for t in ("srcco", "dstco"):
        ak, sk = "AK%sLOG000000001" % t.upper(), "secret-of-%s-0123456789abcdef" % t
        cli(srv, "tenant", "create", t, "--access-key", ak, "--secret-key", sk)
        creds[t] = (ak, sk)
    src, dst = s3(srv, creds["srcco"]), s3(srv, creds["dstco"])
    src.create_bucket(Bucket="src-co-bucket")
    src.put_object(Bucket="src-co-bucket", Key="shared.txt", Body=b"shared bytes")
    src.put_bucket_policy(Bucket="src-co-bucket", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::dstco:root"},
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::src-co-bucket/*"}]}))
    dst.create_bucket(Bucket="dst-co-bucket")
    r = dst.copy_object(Bucket="dst-co-bucket", Key="copy.txt",
                        CopySource={"Bucket": "src-co-bucket", "Key": "shared.txt"})
    rid = r["ResponseMetadata"]["RequestId"]
    srv.stop_clean()

    _, src_events = export(srv, tenant="srcco")
    _, dst_events = export(srv, tenant="dstco")
    mine = [e for e in dst_events if e.get("request_id") == rid]
    theirs = [e for e in src_events if e.get("request_id") == rid]
    assert len(mine) == 1 and mine[0]["bucket"] == "dst-co-bucket" and mine[0]["key"] == "copy.txt", mine
    assert len(theirs) == 1, theirs
    assert theirs[0]["operation"] == "CopyObject" and theirs[0]["bucket"] == "src-co-bucket", theirs
    assert theirs[0]["key"] == "shared.txt" and theirs[0]["principal"]["tenant"] == "dstco", theirs
    # What the copy wrote (ETag, size) is the destination's entry's alone:
    # the source's is a read, and must not look like a write (notifications).
    assert mine[0]["details"]["etag"] and "details" not in theirs[0], (mine, theirs)
    # The source owner's key was used for a request its bucket policy allowed.
    assert theirs[0]["justification"] == "TENANT_REQUEST", theirs
    srv.check_transparency_log()


def test_delete_objects_logs_each_key(tmp_path):
    """A DeleteObjects request is one entry, and each key it named one more
    with that key's outcome: what was removed (the version, or the delete
    marker made), what was refused and why."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    ak, sk = "AKBATCHLOG000000001", "secret-of-batch-0123456789abcdef"
    cli(srv, "tenant", "create", "batchco", "--access-key", ak, "--secret-key", sk)
    c = s3(srv, (ak, sk))
    c.create_bucket(Bucket="batch-plain")
    c.create_bucket(Bucket="batch-versioned")
    c.put_bucket_versioning(Bucket="batch-versioned", VersioningConfiguration={"Status": "Enabled"})
    for k in ("a", "b", "keep/c"):
        c.put_object(Bucket="batch-plain", Key=k, Body=b"plain " + k.encode())
    v1 = c.put_object(Bucket="batch-versioned", Key="v", Body=b"one")["VersionId"]
    c.put_object(Bucket="batch-versioned", Key="v", Body=b"two")
    # The tenant's own policy refuses deletes under keep/.
    c.put_bucket_policy(Bucket="batch-plain", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                       "Resource": "arn:aws:s3:::batch-plain/keep/*"}]}))
    plain = c.delete_objects(Bucket="batch-plain", Delete={"Objects": [
        {"Key": "a"}, {"Key": "keep/c"}, {"Key": "never-was"}, {"Key": "b"}]})
    assert sorted(d["Key"] for d in plain["Deleted"]) == ["a", "b", "never-was"], plain
    assert [(e["Key"], e["Code"]) for e in plain["Errors"]] == [("keep/c", "AccessDenied")], plain
    versioned = c.delete_objects(Bucket="batch-versioned", Delete={"Objects": [
        {"Key": "v", "VersionId": v1}, {"Key": "v"}], "Quiet": True})
    assert "Deleted" not in versioned and "Errors" not in versioned, versioned
    marker = c.list_object_versions(Bucket="batch-versioned")["DeleteMarkers"][0]["VersionId"]
    rids = {name: r["ResponseMetadata"]["RequestId"] for name, r in (("plain", plain), ("versioned", versioned))}
    srv.stop_clean()

    lines, events = export(srv, tenant="batchco")
    verify(srv, lines)

    def of(rid):
        mine = [e for e in events if e.get("request_id") == rid]
        assert all(e["operation"] == "DeleteObjects" for e in mine), mine
        # The request's own entry first, without a key; then the keys, in
        # the request's order.
        assert "key" not in mine[0] and mine[0]["status"] == 200, mine
        return [(e["bucket"], e["key"], e.get("version_id", ""), e["status"], e.get("error", ""))
                for e in mine[1:]]

    assert of(rids["plain"]) == [("batch-plain", "a", "", 204, ""),
                                 ("batch-plain", "keep/c", "", 403, "AccessDenied"),
                                 ("batch-plain", "never-was", "", 204, ""),
                                 ("batch-plain", "b", "", 204, "")]
    # A quiet reply lists nothing; the log still has every key.
    assert of(rids["versioned"]) == [("batch-versioned", "v", v1, 204, ""),
                                     ("batch-versioned", "v", marker, 204, "")]
    srv.check_transparency_log()

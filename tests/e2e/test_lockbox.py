"""Operator access approval (the lockbox, issue 8), end to end: the real
server driven by boto3 and the `confiance admin` CLI.

  - without an approval, an operator's S3 requests on a tenant's data
    (GET, HEAD, PUT, LIST, DELETE, ListBuckets) and its reads of the
    tenant's key are refused with AccessDenied naming the missing approval;
  - request -> approve: access within scope succeeds (as OPERATOR_APPROVED,
    with the approval id in the tenant's and the operator's logs), outside
    it (another bucket, another prefix, a write when only reads were
    approved) is refused;
  - a tenant key policy without OPERATOR_APPROVED refuses the approved
    access with the key-access-denied error;
  - revoke, deny and expiry end (or never start) the access;
  - break-glass: one operator alone cannot open it; with a second
    operator's signature it opens, is flagged in the tenant's log, and a
    webhook receiver gets the HMAC-signed notifications."""

import hashlib
import hmac
import http.server
import json
import os
import threading
import time

from adminutil import AdminServer, OPERATOR, cli, s3, s3_code
from conftest import free_port, unique_bucket
import logcheck

ACME_ROOT = ("ACMEROOTKEY000000001", "acme-root-secret-0123456789")
OPS2 = ("CONFIANCEOPERATORKEY2", "confiance/operator2/test/secret012345")
SECRET = "webhook-test-secret-0123456789"


class Hook(http.server.BaseHTTPRequestHandler):
    received = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Hook.lock:
            Hook.received.append((self.path, self.headers.get("X-Confiance-Signature", ""), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def hook_events(event, timeout=10):
    """The notifications of `event` received so far, waiting up to `timeout`
    for at least one."""
    deadline = time.monotonic() + timeout
    while True:
        with Hook.lock:
            got = [(p, s, b) for p, s, b in Hook.received if json.loads(b)["event"] == event]
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def raw_get(srv, path, creds):
    return srv.request("GET", path, access_key=creds[0], secret_key=creds[1])


def ask(srv, *args, creds=OPERATOR):
    r = cli(srv, "--json", "access", "request", "--tenant", "acme", *args, creds=creds)
    return r.json()


def test_operator_access_life_cycle(tmp_path):
    hook_port = free_port()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Hook)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    secret_file = os.path.join(str(tmp_path), "webhook-secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    srv = AdminServer(str(tmp_path), extra_args=[
        "--break-glass-quorum", "2", "--break-glass-max-duration", "60",
        "--webhook-url", "http://127.0.0.1:%d/lockbox" % hook_port, "--webhook-secret-file", secret_file])
    srv.start()
    try:
        run_life_cycle(srv)
    finally:
        srv.stop_clean()
        receiver.shutdown()
    check_logs(srv)


def run_life_cycle(srv):
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme, ops = s3(srv, ACME_ROOT), s3(srv, OPERATOR)
    b1, b2 = unique_bucket("lb1"), unique_bucket("lb2")
    for b in (b1, b2):
        acme.create_bucket(Bucket=b)
    acme.put_object(Bucket=b1, Key="logs/a.txt", Body=b"log line")
    acme.put_object(Bucket=b1, Key="secret/s.txt", Body=b"secret")
    acme.put_object(Bucket=b2, Key="logs/x.txt", Body=b"other")

    # 1. No approval: every data operation and every key read is refused.
    denied = [
        lambda: ops.get_object(Bucket=b1, Key="logs/a.txt"),
        lambda: ops.head_object(Bucket=b1, Key="logs/a.txt"),
        lambda: ops.put_object(Bucket=b1, Key="logs/new.txt", Body=b"x"),
        lambda: ops.list_objects_v2(Bucket=b1),
        lambda: ops.list_objects_v2(Bucket=b1, Prefix="logs/"),
        lambda: ops.delete_object(Bucket=b1, Key="logs/a.txt"),
        lambda: ops.copy_object(Bucket=b1, Key="logs/c.txt", CopySource={"Bucket": b1, "Key": "logs/a.txt"}),
        lambda: ops.create_multipart_upload(Bucket=b1, Key="logs/m"),
        lambda: ops.list_buckets(),
        lambda: ops.get_bucket_policy(Bucket=b1),
    ]
    assert_all_denied(denied)
    # DeleteObjects answers 200 with a refusal per key.
    errors = ops.delete_objects(Bucket=b1, Delete={"Objects": [{"Key": "logs/a.txt"}]}).get("Errors", [])
    assert [e["Code"] for e in errors] == ["AccessDenied"], errors
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403 and b"no approved access request of tenant acme covers read" in resp.body, resp.body
    for args in (("show", "acme"), ("destroy", "acme", "--confirm", "acme"),
                 ("allow", "acme", "OPERATOR_APPROVED")):
        r = cli(srv, "tenant-key", *args, expect=None)
        assert r.rc == 1 and "AccessDenied" in r.err, (args, r)
    assert acme.get_object(Bucket=b1, Key="logs/a.txt")["Body"].read() == b"log line"  # untouched

    # 2. Request (read + list, bucket b1, prefix logs/): pending is not enough.
    req = ask(srv, "--bucket", b1, "--prefix", "logs/", "--operation", "read", "--operation", "list",
              "--reason", "support ticket 4711", "--category", "support_case", "--duration", "600")
    rid = req["id"]
    assert req["state"] == "pending" and req["operator"] == "operator", req
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403 and ("%s: it is pending" % rid).encode() in resp.body, resp.body
    created = hook_events("access_request.created")
    assert created, Hook.received
    check_signature(created[-1])
    # The operator cannot approve its own request.
    r = cli(srv, "access", "approve", rid, expect=None)
    assert r.rc == 1 and "AccessDenied" in r.err, r
    listed = cli(srv, "--json", "access", "list", creds=ACME_ROOT).json()["access_requests"]
    assert [x["id"] for x in listed] == [rid], listed

    # 3. Approved: in scope succeeds, out of scope is refused.
    r = cli(srv, "--json", "access", "approve", rid, creds=ACME_ROOT).json()
    assert r["state"] == "approved" and r["decided_by"] == "tenant:acme/root", r
    assert hook_events("access_request.approved"), Hook.received
    assert ops.get_object(Bucket=b1, Key="logs/a.txt")["Body"].read() == b"log line"
    assert ops.head_object(Bucket=b1, Key="logs/a.txt")["ContentLength"] == 8
    keys = [o["Key"] for o in ops.list_objects_v2(Bucket=b1, Prefix="logs/").get("Contents", [])]
    assert keys == ["logs/a.txt"], keys
    assert s3_code(ops.get_object, Bucket=b1, Key="secret/s.txt") == (403, "AccessDenied")
    assert s3_code(ops.get_object, Bucket=b2, Key="logs/x.txt") == (403, "AccessDenied")
    assert s3_code(ops.list_objects_v2, Bucket=b1) == (403, "AccessDenied")  # wider than logs/
    assert s3_code(ops.put_object, Bucket=b1, Key="logs/new.txt", Body=b"x") == (403, "AccessDenied")
    assert s3_code(ops.delete_object, Bucket=b1, Key="logs/a.txt") == (403, "AccessDenied")
    resp = srv.request("PUT", "/%s/logs/new.txt" % b1, body=b"x", access_key=OPERATOR[0], secret_key=OPERATOR[1])
    assert resp.status == 403 and b"its operations do not include write" in resp.body, resp.body
    assert s3_code(ops.list_buckets) == (403, "AccessDenied")
    assert s3_code(ops.put_bucket_policy, Bucket=b1, Policy="{}") == (403, "AccessDenied")

    # 4. The tenant's key policy has the last word.
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", creds=ACME_ROOT)
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403, resp.body
    assert b"OPERATOR_APPROVED is not allowed by the key policy of tenant acme" in resp.body, resp.body
    assert s3_code(ops.list_objects_v2, Bucket=b1, Prefix="logs/") == (403, "AccessDenied")
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "OPERATOR_APPROVED", creds=ACME_ROOT)
    assert ops.get_object(Bucket=b1, Key="logs/a.txt")["Body"].read() == b"log line"

    # 5. Revoke ends it at once.
    r = cli(srv, "--json", "access", "revoke", rid, "--note", "ticket closed", creds=ACME_ROOT).json()
    assert r["state"] == "revoked", r
    assert hook_events("access_request.revoked"), Hook.received
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403 and ("%s: it is revoked" % rid).encode() in resp.body, resp.body

    # 6. Deny: never opens.
    req2 = ask(srv, "--bucket", b1, "--operation", "read", "--reason", "incident 9", "--category", "incident",
               "--duration", "600")
    r = cli(srv, "--json", "access", "deny", req2["id"], "--note", "no", creds=ACME_ROOT).json()
    assert r["state"] == "denied", r
    assert hook_events("access_request.denied"), Hook.received
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403 and ("%s: it is denied" % req2["id"]).encode() in resp.body, resp.body

    # 7. Expiry: a 3-second approval works, then ends by itself.
    req3 = ask(srv, "--bucket", b1, "--operation", "read", "--operation", "write", "--reason", "legal order 3",
               "--category", "legal_order", "--duration", "600")
    r = cli(srv, "--json", "access", "approve", req3["id"], "--duration", "3", creds=ACME_ROOT).json()
    ops.put_object(Bucket=b1, Key="logs/by-operator.txt", Body=b"written under approval")
    assert acme.get_object(Bucket=b1, Key="logs/by-operator.txt")["Body"].read() == b"written under approval"
    time.sleep(3.5)
    resp = raw_get(srv, "/%s/logs/a.txt" % b1, OPERATOR)
    assert resp.status == 403 and ("%s: it is expired" % req3["id"]).encode() in resp.body, resp.body

    # 8. Key operations: reading the key state needs a "keys" approval; never destroy.
    req4 = ask(srv, "--operation", "keys", "--reason", "key audit", "--duration", "600")
    cli(srv, "access", "approve", req4["id"], creds=ACME_ROOT)
    assert "allowed justifications" in cli(srv, "tenant-key", "show", "acme").out
    r = cli(srv, "tenant-key", "destroy", "acme", "--confirm", "acme", expect=None)
    assert r.rc == 1 and "AccessDenied" in r.err, r
    cli(srv, "access", "revoke", req4["id"], creds=ACME_ROOT)

    # 9. Break-glass: one operator alone cannot; two distinct ones can.
    cli(srv, "operator", "create", "ops2", "--access-key", OPS2[0], "--secret-key", OPS2[1])
    bg = ask(srv, "--bucket", "*", "--operation", "read", "--reason", "datacenter fire, restore service",
             "--category", "break_glass", "--duration", "30")
    assert bg["state"] == "pending" and bg["signers"] == ["operator"] and bg["quorum"] == 2, bg
    r = cli(srv, "access", "cosign", bg["id"], expect=None)
    assert r.rc == 1 and "Conflict" in r.err and "already signed" in r.err, r
    r = cli(srv, "access", "approve", bg["id"], creds=ACME_ROOT, expect=None)
    assert r.rc == 1 and "break-glass" in r.err, r
    assert s3_code(ops.get_object, Bucket=b2, Key="logs/x.txt") == (403, "AccessDenied")
    opened = cli(srv, "--json", "access", "cosign", bg["id"], creds=OPS2).json()
    assert opened["state"] == "approved" and opened["signers"] == ["operator", "ops2"], opened
    notes = hook_events("break_glass.opened")
    assert len(notes) == 1, Hook.received
    path, _sig, body = check_signature(notes[0])
    assert path == "/lockbox"
    doc = json.loads(body)
    assert doc["id"] == bg["id"] and doc["tenant"] == "acme" and doc["signers"] == ["operator", "ops2"], doc
    assert ops.get_object(Bucket=b2, Key="logs/x.txt")["Body"].read() == b"other"
    # The second operator's own key is not covered: the request is the requester's.
    assert s3_code(s3(srv, OPS2).get_object, Bucket=b2, Key="logs/x.txt") == (403, "AccessDenied")
    srv.ids = {"read": rid, "write": req3["id"], "keys": req4["id"], "break_glass": bg["id"], "b1": b1, "b2": b2}


def assert_all_denied(fns):
    for fn in fns:
        status, code = s3_code(fn)
        # (a HEAD answer has no body: boto3 reports its status as the code)
        assert status == 403 and code in ("AccessDenied", "403"), (fn, status, code)


def check_signature(note):
    path, sig, body = note
    want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sig == want, (sig, want)
    # A wrong secret does not verify: the check can fail.
    assert sig != "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()
    return note


def check_logs(srv):
    ids = srv.ids
    logs = logcheck.read_logs(srv.binary, srv.data_dir)
    tenant = next(v for k, v in logs.items() if k.endswith("/tenant/acme"))
    operator = next(v for k, v in logs.items() if k.endswith("/operator"))

    def approved_reads(entries, approval):
        return [e for e in entries if e.get("approval_id") == approval and e.get("kind") == "data"
                and e.get("status") == 200]

    for entries in (tenant, operator):
        reads = approved_reads(entries, ids["read"])
        assert {e["operation"] for e in reads} >= {"GetObject", "HeadObject", "ListObjectsV2"}, reads
        assert all(e["justification"] == "OPERATOR_APPROVED" and e["principal"]["type"] == "operator"
                   for e in reads), reads
        writes = approved_reads(entries, ids["write"])
        assert [e["key"] for e in writes if e["operation"] == "PutObject"] == ["logs/by-operator.txt"], writes
        assert approved_reads(entries, ids["break_glass"]), ids
        # The refusals are there too, without an approval id.
        refused = [e for e in entries if e.get("kind") == "data" and e.get("principal", {}).get("type") == "operator"
                   and e.get("status") == 403 and e.get("bucket") == ids["b1"]]
        assert len(refused) >= 10, refused
    # The break-glass opening is its own, flagged event in the tenant's log.
    flagged = [e for e in tenant if e.get("action") == "BreakGlassAccessOpened"]
    assert len(flagged) == 1 and flagged[0]["approval_id"] == ids["break_glass"], flagged
    assert flagged[0]["details"]["signers"] == "operator,ops2", flagged
    # The approved key read names its approval in both logs.
    for entries in (tenant, operator):
        key_reads = [e for e in entries if e.get("action") == "GetTenantKey" and e.get("status") == 200
                     and e.get("principal", {}).get("type") == "operator"]
        assert [e.get("approval_id") for e in key_reads] == [ids["keys"]], key_reads
        assert key_reads[0]["justification"] == "OPERATOR_APPROVED", key_reads
    # The requests and decisions about acme are in acme's log.
    actions = {e.get("action") for e in tenant if e.get("kind") == "control"}
    assert {"CreateAccessRequest", "ApproveAccessRequest", "DenyAccessRequest", "RevokeAccessRequest",
            "CoSignAccessRequest"} <= actions, actions
    srv.check_transparency_log()


def test_webhook_over_https(tmp_path):
    """--webhook-url https://... reaches a receiver whose certificate the
    server checks against --ca-bundle; the notification arrives signed."""
    import ssl
    import tlsutil
    pki = tlsutil.Pki(str(tmp_path))
    cert, key = str(tmp_path / "hook.pem"), str(tmp_path / "hook.key")
    pki.issue("webhook receiver", cert, key)
    hook_port = free_port()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Hook)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    receiver.socket = ctx.wrap_socket(receiver.socket, server_side=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    secret_file = os.path.join(str(tmp_path), "webhook-secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    with Hook.lock:
        Hook.received.clear()
    srv = AdminServer(str(tmp_path), extra_args=[
        "--webhook-url", "https://127.0.0.1:%d/lockbox" % hook_port, "--webhook-secret-file", secret_file,
        "--ca-bundle", pki.ca_file])
    srv.start()
    try:
        cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
        bucket = unique_bucket("lbtls")
        s3(srv, ACME_ROOT).create_bucket(Bucket=bucket)
        ask(srv, "--bucket", bucket, "--operation", "read", "--reason", "tls check", "--category", "support_case",
            "--duration", "600")
        created = hook_events("access_request.created")
        assert created, Hook.received
        assert created[-1][0] == "/lockbox"
        check_signature(created[-1])
    finally:
        srv.stop_clean()
        receiver.shutdown()

"""Tenant keys and key-access justifications (issue 6), end to end: the
real server driven by boto3 and the `confiance admin` CLI.

  - a tenant's root narrows the justifications its key allows; its own
    requests (TENANT_REQUEST) keep working, an offline scrub
    (SYSTEM_MAINTENANCE) skips its objects and says why;
  - with no justification allowed, every data request is refused with
    AccessDenied naming the refused reason, and the refusal is in the
    tenant's transparency log;
  - an operator can neither widen its policy nor destroy it, nor read its
    state without the tenant's approval (test_lockbox.py);
  - destroying the key (crypto-shredding) makes the tenant's data
    unreadable at once and after a restart, while another tenant is
    untouched."""

import subprocess

from adminutil import AdminServer, cli, export_log, receipt_of, s3_code, tenant_clients, verify_receipt
from conftest import unique_bucket

ACME_ROOT = ("ACMEROOTKEY000000001", "acme-root-secret-0123456789")
GLOBEX_ROOT = ("GLOBEXROOTKEY0000001", "globex-root-secret-0123456789")


def test_justifications_and_crypto_shredding(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    acme, globex = tenant_clients(srv, (("acme", ACME_ROOT), ("globex", GLOBEX_ROOT)))
    bucket, other = unique_bucket("acme"), unique_bucket("globex")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="a.txt", Body=b"acme data")
    globex.create_bucket(Bucket=other)
    globex.put_object(Bucket=other, Key="g.txt", Body=b"globex data")

    r = cli(srv, "--json", "tenant-key", "show", "acme", creds=ACME_ROOT).json()
    assert r["state"] == "active" and len(r["allowed_justifications"]) == 4, r

    # The tenant's own requests only: reads go on...
    r = cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", creds=ACME_ROOT)
    assert "allowed justifications: TENANT_REQUEST" in r.out, r
    assert acme.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"acme data"
    # ...and an operator can neither widen the policy nor destroy the key.
    r = cli(srv, "tenant-key", "allow", "acme", "OPERATOR_APPROVED", expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    r = cli(srv, "tenant-key", "destroy", "acme", "--confirm", "acme", expect=None)
    assert r.rc != 0 and "AccessDenied" in r.err + r.out, r
    r = cli(srv, "tenant-key", "show", "acme", expect=None)
    assert r.rc == 1 and "AccessDenied" in r.err and "no approved access request" in r.err, r
    assert "TENANT_REQUEST" in cli(srv, "tenant-key", "show", "acme", creds=ACME_ROOT).out

    # An offline scrub is maintenance: acme's objects are skipped, globex's checked.
    srv.stop_clean()
    scrub = subprocess.run([srv.binary, "admin", "scrub", "--data", srv.data_dir],
                           capture_output=True, text=True, timeout=120)
    assert scrub.returncode == 0, scrub
    assert "SKIPPED bucket %s: Key access denied" % bucket in scrub.stdout, scrub.stdout
    assert "1 objects not examined" in scrub.stdout, scrub.stdout
    assert "1 objects" in scrub.stdout and "0 damaged" in scrub.stdout, scrub.stdout
    srv.start()

    # No justification at all: every use of the key is refused, with the reason.
    cli(srv, "tenant-key", "allow", "acme", "--none", creds=ACME_ROOT)
    status, code = s3_code(acme.get_object, Bucket=bucket, Key="a.txt")
    assert (status, code) == (403, "AccessDenied")
    resp = srv.request("GET", "/%s/a.txt" % bucket, access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    assert resp.status == 403 and b"TENANT_REQUEST is not allowed by the key policy of tenant acme" in resp.body
    assert s3_code(acme.put_object, Bucket=bucket, Key="b.txt", Body=b"x") == (403, "AccessDenied")
    assert globex.get_object(Bucket=other, Key="g.txt")["Body"].read() == b"globex data"
    cli(srv, "tenant-key", "allow", "acme", "TENANT_REQUEST", "SYSTEM_MAINTENANCE", creds=ACME_ROOT)
    assert acme.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"acme data"

    # Crypto-shredding: the confirmation must name the tenant; then reads,
    # writes and new buckets are refused, also after a restart.
    r = cli(srv, "tenant-key", "destroy", "acme", "--confirm", "globex", creds=ACME_ROOT, expect=None)
    assert r.rc != 0 and "makes all its data unreadable" in r.err + r.out, r
    r = cli(srv, "tenant-key", "destroy", "acme", "--confirm", "acme", creds=ACME_ROOT)
    assert "key destroyed" in r.out, r
    # The signed deletion receipt: what, when, which key, by whom.
    receipt = receipt_of(r.out)
    assert "\ntenant acme\nscope tenant\n" in receipt and ("\nby tenant acme/root access-key %s\n" % ACME_ROOT[0]) in receipt, receipt
    (tmp_path / "receipt").write_text(receipt)
    (tmp_path / "forged").write_text(receipt.replace("tenant acme\n", "tenant acmf\n", 1))
    resp = srv.request("GET", "/%s/a.txt" % bucket, access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1])
    assert resp.status == 403 and b"was destroyed (crypto-shredded)" in resp.body, resp.body
    srv.stop_clean()
    srv.start()
    assert s3_code(acme.get_object, Bucket=bucket, Key="a.txt") == (403, "AccessDenied")
    assert s3_code(acme.create_bucket, Bucket=unique_bucket("acme2")) == (403, "AccessDenied")
    assert globex.get_object(Bucket=other, Key="g.txt")["Body"].read() == b"globex data"
    srv.stop_clean()

    # The receipt verifies offline against the server's log key; a changed one does not.
    ok = verify_receipt(srv, tmp_path / "receipt")
    assert ok.returncode == 0 and ok.stdout.startswith("OK: signed by ") and "of tenant acme was destroyed" in ok.stdout, ok
    bad = verify_receipt(srv, tmp_path / "forged")
    assert bad.returncode == 1 and bad.stdout.startswith("FAIL:"), bad

    # The refusals are in acme's own log, with the justification refused.
    events = export_log(srv, "acme")
    refused = [e for e in events if e.get("operation") == "GetObject" and e.get("status") == 403]
    assert len(refused) >= 3, refused
    assert all(e.get("justification") == "TENANT_REQUEST" for e in refused), refused
    actions = [e.get("action") for e in events if e.get("kind") == "control"]
    assert "PutTenantKeyPolicy" in actions and "DestroyTenantKey" in actions, actions
    srv.check_transparency_log()

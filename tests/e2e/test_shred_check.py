"""`confiance admin shred-check` (issue 6, docs/keys.md "Checking a
shred"): the scan BY DECRYPTION of a data directory after a shred. Every
byte offset of every file is tried as a wrapped copy of the destroyed key
under every key that remains.

A positive control that cannot be skipped: the whole data directory is
copied aside (server stopped) before a bucket shred and a tenant shred
(tenant-key destroy). After both, and their reclamation, the check run
with each receipt:
  - against the OLD copy must find the destroyed key (its metadata still
    holds it, wrapped under a key that remains) and exit 1;
  - against the real data directory must report OK and exit 0.
Blob files of the copy, named after the options, are tried with every data
key the store still holds: the shredded ones open under none (exit 0),
one of a bucket that stays opens (exit 1; and in the old copy, whose
records still hold their data keys, the shredded ones open too).
A receipt that was altered, or the directory of a running server, is
refused (exit 2)."""

import os
import shutil
import subprocess
import time

from adminutil import AdminServer, cli, receipt_of, s3, wait_reclaimed
from conftest import unique_bucket

ACME_ROOT = ("ACMESHREDCHECKROOT01", "acme-shredcheck-root-secret-0123456")
GLOBEX_ROOT = ("GLOBEXSHREDCHECKRT01", "globex-shredcheck-root-secret-01234")
MiB = 1024 * 1024


def blob_files(srv):
    """Blob file paths relative to the data directory."""
    out = set()
    for root, _, files in os.walk(os.path.join(srv.data_dir, "blobs")):
        for f in files:
            out.add(os.path.relpath(os.path.join(root, f), srv.data_dir))
    return out


def shred_check(srv, data_dir, receipt, blobs=()):
    cp = subprocess.run([srv.binary, "admin", "shred-check", "--data", data_dir, "--receipt", str(receipt)]
                        + list(blobs), capture_output=True, text=True, timeout=240)
    print(cp.stdout, cp.stderr)  # the scan time, for the record (pytest -s)
    return cp


def test_shred_check_finds_the_key_in_a_copy_from_before_and_not_after(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    for name, creds in (("acme", ACME_ROOT), ("globex", GLOBEX_ROOT)):
        cli(srv, "tenant", "create", name, "--access-key", creds[0], "--secret-key", creds[1])
    acme, globex = s3(srv, ACME_ROOT), s3(srv, GLOBEX_ROOT)
    kept, doomed, other = unique_bucket("kept"), unique_bucket("doomed"), unique_bucket("globex")
    acme.create_bucket(Bucket=kept)
    acme.put_object(Bucket=kept, Key="k", Body=os.urandom(200 * 1024))
    kept_blobs = blob_files(srv)
    assert len(kept_blobs) == 1, kept_blobs
    acme.create_bucket(Bucket=doomed)
    acme.put_object(Bucket=doomed, Key="inline", Body=b"inline doomed object")
    acme.put_object(Bucket=doomed, Key="blob", Body=os.urandom(150 * 1024))
    up = acme.create_multipart_upload(Bucket=doomed, Key="pending")
    acme.upload_part(Bucket=doomed, Key="pending", UploadId=up["UploadId"], PartNumber=1, Body=os.urandom(5 * MiB))
    # A rotated bucket key: the check must try version 2's context too.
    cli(srv, "bucket-key", "rotate", doomed, "--tenant", "acme", creds=ACME_ROOT)
    deadline = time.time() + 60
    while cli(srv, "--json", "bucket-key", "rotation", doomed, "--tenant", "acme").json()["state"] == "running":
        assert time.time() < deadline
        time.sleep(0.2)
    doomed_blobs = blob_files(srv) - kept_blobs
    assert len(doomed_blobs) == 2, doomed_blobs  # the object, the pending part
    globex.create_bucket(Bucket=other)
    globex.put_object(Bucket=other, Key="g", Body=os.urandom(120 * 1024))
    globex_blobs = blob_files(srv) - kept_blobs - doomed_blobs
    assert len(globex_blobs) == 1, globex_blobs
    srv.stop_clean()

    # The copy from before: what a backup taken then would hold.
    before = str(tmp_path / "before")
    shutil.copytree(srv.data_dir, before)

    srv.start()
    # A check needs the server stopped: the directory is locked.
    dummy = tmp_path / "dummy-receipt"
    dummy.write_text("x\n")
    busy = shred_check(srv, srv.data_dir, dummy)
    assert busy.returncode == 2 and "in use" in busy.stderr, busy

    r = cli(srv, "bucket", "shred", doomed, "--tenant", "acme", "--confirm", doomed, creds=ACME_ROOT)
    bucket_receipt = tmp_path / "bucket-receipt"
    bucket_receipt.write_text(receipt_of(r.out))
    wait_reclaimed(srv, "acme", ACME_ROOT)
    r = cli(srv, "tenant-key", "destroy", "globex", "--confirm", "globex", creds=GLOBEX_ROOT)
    tenant_receipt = tmp_path / "tenant-receipt"
    tenant_receipt.write_text(receipt_of(r.out))
    wait_reclaimed(srv, "globex", GLOBEX_ROOT)
    srv.stop_clean()

    # The positive control: the old copy still holds both destroyed keys,
    # wrapped under keys that remain (acme's tenant key, the root key).
    for receipt, opener, context in (
            (bucket_receipt, "tenant key acme v1", "confiance/bucket-key/v2/"),
            (tenant_receipt, "provider key root-", "confiance/tenant-key/v1/globex")):
        old = shred_check(srv, before, receipt)
        assert old.returncode == 1, old
        found = [l for l in old.stdout.splitlines() if l.startswith("FOUND: ")]
        assert found, old.stdout
        assert all(l.startswith("FOUND: a copy of the destroyed key is still readable at %s/meta/" % before)
                   for l in found), found
        assert any(("opens under %s" % opener) in l and ("context %s" % context) in l for l in found), found
        assert "\nFAIL: %d readable copy(ies) of the destroyed key (" % len(found) in old.stdout, old.stdout
    # The old copy's records still hold the shredded blobs' data keys.
    old_shredded = [os.path.join(before, b) for b in sorted(doomed_blobs | globex_blobs)]
    old = shred_check(srv, before, bucket_receipt, old_shredded)
    assert old.returncode == 1, old
    assert old.stdout.count(": still readable: opens under the data key of ") == 3, old.stdout
    assert ", 3 of 3 blob file(s) readable (" in old.stdout, old.stdout
    # The rotated bucket key is found under version 2's context.
    old = shred_check(srv, before, bucket_receipt)
    assert "/acme/2)" in old.stdout, old.stdout

    # The real directory after the shreds and their reclamation: nothing.
    for receipt in (bucket_receipt, tenant_receipt):
        now = shred_check(srv, srv.data_dir, receipt)
        assert now.returncode == 0, now
        assert "FOUND" not in now.stdout, now.stdout
        last = now.stdout.strip().splitlines()[-1]
        assert last.startswith("OK: no copy of the destroyed key opens with any of the "), last
        # root key, acme's tenant key, the kept bucket's key
        assert " 3 keys that remain (" in last, last
        files = int(last.split("(", 1)[1].split(" files")[0])
        assert files > 10, last

    # The blobs kept aside: the shredded ones open under no data key the
    # store still holds; one of the bucket that stays does (the control).
    for receipt in (bucket_receipt, tenant_receipt):
        now = shred_check(srv, srv.data_dir, receipt, old_shredded)
        assert now.returncode == 0, now
        assert now.stdout.count(": opens under none of the 1 data keys the store holds") == 3, now.stdout
        assert "; none of the 3 blob file(s) opens" in now.stdout, now.stdout
    [kept_blob] = [os.path.join(before, b) for b in kept_blobs]
    now = shred_check(srv, srv.data_dir, bucket_receipt, old_shredded + [kept_blob])
    assert now.returncode == 1, now
    assert ("BLOB %s: still readable: opens under the data key of %s/k version null segment 0" % (kept_blob, kept)
            in now.stdout), now.stdout
    assert "\nFAIL: 0 readable copy(ies) of the destroyed key, 1 of 4 blob file(s) readable (" in now.stdout, now.stdout

    # A receipt altered by one byte is refused before anything is scanned.
    text = bucket_receipt.read_text()
    bad = tmp_path / "bad-receipt"
    bad.write_text(text.replace("\ntenant acme\n", "\ntenant acmf\n"))
    refused = shred_check(srv, srv.data_dir, bad)
    assert refused.returncode == 2 and "the receipt" in refused.stderr, refused
    srv.check_transparency_log()

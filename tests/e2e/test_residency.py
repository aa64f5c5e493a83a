"""Data residency (issue 8), end to end: the real server with three
labelled local pools (plus the data directory's own default pool), driven
by boto3, the admin API and the `confiance admin residency` CLI.

  - an allowed write lands in the right pool's directory (files on disk);
  - a bucket whose location the tenant's ceiling forbids is refused
    (InvalidLocationConstraint, naming the rule);
  - a bucket rule narrows the ceiling (new data goes to the narrower
    pool); a rule that would widen it is refused, and operators cannot set
    one;
  - ciphertext-only pools abroad only when the ceiling permits it;
  - a rule change reports misplaced objects; `residency migrate` moves
    them (files move between pool directories) and every object still
    reads back byte-identical;
  - the report matches a scan of the pool directories (blob files per
    pool), and its summary digest is in the tenant's signed transparency
    log."""

import hashlib
import json
import os
import subprocess

from adminutil import AdminServer, admin_request, cli, error_of, s3, s3_code
from conftest import unique_bucket

ACME_ROOT = ("ACMERESIDENCYROOT001", "acme-residency-root-secret-0123456789")
POOLS = [  # name, jurisdiction, region, ciphertext_only
    ("fr-paris", "FR", "eu-west-3", False),
    ("de-frankfurt", "DE", "eu-central-1", False),
    ("us-east", "US", "us-east-1", True),
]


def write_pools(tmp_path):
    dirs = {}
    text = ""
    for name, jur, region, ct in POOLS:
        d = os.path.join(str(tmp_path), "pools", name)
        dirs[name] = d
        text += ('[[pool]]\nname = "%s"\ndirectory = "%s"\njurisdiction = "%s"\nregion = "%s"\n'
                 'operator = "test operator"\nciphertext_only = %s\n\n' % (name, d, jur, region, "true" if ct else "false"))
    path = os.path.join(str(tmp_path), "pools.toml")
    with open(path, "w") as f:
        f.write(text)
    return path, dirs


def blob_files(directory):
    """Committed blob files of a pool directory (fan-out dirs, not tmp/)."""
    out = set()
    if not os.path.isdir(directory):
        return out
    for sub in os.listdir(directory):
        if sub == "tmp" or len(sub) != 2:
            continue
        for f in os.listdir(os.path.join(directory, sub)):
            out.add(f)
    return out


def counts(dirs):
    return {name: len(blob_files(d)) for name, d in dirs.items()}


def report(srv, bucket, creds=ACME_ROOT):
    r = cli(srv, "--json", "residency", "report", "--tenant", "acme", "--bucket", bucket, creds=creds)
    return r.json()


def body(data):
    return hashlib.sha256(data).hexdigest()


def test_residency_with_labelled_pools(tmp_path):
    pools_file, dirs = write_pools(tmp_path)
    srv = AdminServer(str(tmp_path), extra_args=["--pools", pools_file, "--jurisdiction", "FR"])
    srv.start()
    dirs["local"] = os.path.join(srv.data_dir, "blobs")
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3(srv, ACME_ROOT)

    # The operator sets the tenant's ceiling: the EU only.
    r = cli(srv, "--json", "residency", "set", "--tenant", "acme", "--jurisdiction", "EU").json()
    assert r["rule"] == {"jurisdictions": ["EU"], "ciphertext_abroad": False}, r
    assert [p["name"] for p in r["pools"]] == ["fr-paris", "de-frankfurt", "us-east", "local"], r
    # The tenant's root cannot change its own ceiling.
    r = cli(srv, "residency", "set", "--tenant", "acme", "--jurisdiction", "US", creds=ACME_ROOT, expect=1)
    assert "AccessDenied" in r.err, r

    # Allowed: no location -> the first EU pool in config order.
    docs = unique_bucket("docs")
    acme.create_bucket(Bucket=docs)
    data = {}
    data["a.txt"] = b"alpha " * 1000
    data["big.bin"] = os.urandom(3 * 1024 * 1024 + 17)
    for k, v in data.items():
        acme.put_object(Bucket=docs, Key=k, Body=v)
    assert counts(dirs) == {"fr-paris": 2, "de-frankfurt": 0, "us-east": 0, "local": 0}, counts(dirs)

    # A location the ceiling forbids is refused, naming the rule.
    status, code = s3_code(acme.create_bucket, Bucket=unique_bucket("us"),
                           CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert (status, code) == (400, "InvalidLocationConstraint")
    raw = srv.request("PUT", "/" + unique_bucket("usraw"), access_key=ACME_ROOT[0], secret_key=ACME_ROOT[1],
                      body=b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                           b'<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>')
    assert raw.status == 400 and b"InvalidLocationConstraint" in raw.body and b"jurisdictions" in raw.body, raw.body
    # An allowed location pins the bucket to its region's pool.
    de = unique_bucket("de")
    acme.create_bucket(Bucket=de, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    assert acme.get_bucket_location(Bucket=de)["LocationConstraint"] == "eu-central-1"
    data_de = os.urandom(70000)
    acme.put_object(Bucket=de, Key="d.bin", Body=data_de)
    assert counts(dirs) == {"fr-paris": 2, "de-frankfurt": 1, "us-east": 0, "local": 0}, counts(dirs)

    # Narrowed per bucket by the tenant: docs -> DE only. New data goes to
    # de-frankfurt; the two objects in fr-paris are reported misplaced.
    r = cli(srv, "--json", "residency", "set", "--tenant", "acme", "--bucket", docs, "--jurisdiction", "DE",
            creds=ACME_ROOT).json()
    assert r["write_pool"] == "de-frankfurt" and r["misplaced"] == {docs: 2}, r
    data["c.txt"] = b"charlie"
    acme.put_object(Bucket=docs, Key="c.txt", Body=data["c.txt"])
    # Small objects outside the default pool are not inlined in metadata.
    assert counts(dirs) == {"fr-paris": 2, "de-frankfurt": 2, "us-east": 0, "local": 0}, counts(dirs)
    # Widening the ceiling is refused; the stored rule stays.
    r = cli(srv, "residency", "set", "--tenant", "acme", "--bucket", docs, "--jurisdiction", "DE",
            "--jurisdiction", "US", creds=ACME_ROOT, expect=1)
    assert "InvalidRequest" in r.err and "widen" in r.err and "US" in r.err, r
    r = cli(srv, "residency", "set", "--tenant", "acme", "--bucket", docs, "--jurisdiction", "DE",
            "--ciphertext-abroad", creds=ACME_ROOT, expect=1)
    assert "widen" in r.err or "ciphertext" in r.err, r
    resp = admin_request(srv, "PUT", "/tenants/acme/buckets/%s/residency/rule" % docs,
                         body=json.dumps({"jurisdictions": ["FR"]}).encode())
    assert error_of(resp) == (403, "AccessDenied")
    shown = cli(srv, "--json", "residency", "show", "--tenant", "acme", "--bucket", docs, creds=ACME_ROOT).json()
    assert shown["rule"] == {"jurisdictions": ["DE"], "ciphertext_abroad": False}, shown

    rep = report(srv, docs)
    placed = {o["key"]: (o["pools"], o["jurisdictions"], o["misplaced"]) for o in rep["objects"]}
    assert placed == {"a.txt": (["fr-paris"], ["FR"], True), "big.bin": (["fr-paris"], ["FR"], True),
                      "c.txt": (["de-frankfurt"], ["DE"], False)}, placed
    assert rep["totals"]["misplaced"] == 2

    # Ciphertext abroad: only once the ceiling permits it.
    r = cli(srv, "--json", "residency", "set", "--tenant", "acme", "--jurisdiction", "EU", "--ciphertext-abroad").json()
    assert r["misplaced"][docs] == 2, r
    us = unique_bucket("us")
    acme.create_bucket(Bucket=us, CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    data_us = os.urandom(1000)
    acme.put_object(Bucket=us, Key="u.bin", Body=data_us)
    assert counts(dirs)["us-east"] == 1, counts(dirs)

    # Migration of the misplaced objects of docs (CLI), then of the whole
    # tenant after the ceiling drops ciphertext abroad (us.bin misplaced).
    before = blob_files(dirs["fr-paris"])
    r = cli(srv, "--json", "residency", "migrate", "--tenant", "acme", "--bucket", docs, creds=ACME_ROOT).json()
    assert r["totals"]["objects_moved"] == 2 and r["totals"]["failed"] == 0, r
    assert r["misplaced"] == {docs: 0}, r
    assert blob_files(dirs["fr-paris"]) == set() and len(before) == 2
    assert counts(dirs)["de-frankfurt"] == 4, counts(dirs)
    for k, v in data.items():
        got = acme.get_object(Bucket=docs, Key=k)["Body"].read()
        assert body(got) == body(v), k
    # A range read across packages still authenticates after the move.
    got = acme.get_object(Bucket=docs, Key="big.bin", Range="bytes=65530-200000")["Body"].read()
    assert got == data["big.bin"][65530:200001]

    r = cli(srv, "--json", "residency", "set", "--tenant", "acme", "--jurisdiction", "FR", "--jurisdiction", "DE").json()
    # us is pinned to us-east-1 whose pool is now forbidden: reported, and
    # new writes there are refused rather than placed anywhere.
    assert r["misplaced"] == {docs: 0, de: 0, us: 1}, r
    status, code = s3_code(acme.put_object, Bucket=us, Key="more", Body=b"x")
    assert (status, code) == (400, "InvalidRequest")
    r = cli(srv, "--json", "residency", "migrate", "--tenant", "acme").json()
    assert "us-east-1" in r["buckets"][us]["error"], r
    assert r["misplaced"][us] == 1, r
    # A bucket pinned to a region cannot move elsewhere: the operator
    # restores ciphertext abroad.
    cli(srv, "residency", "set", "--tenant", "acme", "--jurisdiction", "FR", "--jurisdiction", "DE", "--ciphertext-abroad")
    assert acme.get_object(Bucket=us, Key="u.bin")["Body"].read() == data_us

    # Move docs back to FR: bucket rule FR (within the ceiling).
    cli(srv, "residency", "set", "--tenant", "acme", "--bucket", docs, "--jurisdiction", "FR", creds=ACME_ROOT)
    r = cli(srv, "--json", "residency", "migrate", "--tenant", "acme").json()
    assert r["buckets"][docs]["objects_moved"] == 3 and r["totals"]["failed"] == 0, r
    assert r["misplaced_total"] == 0, r
    for k, v in data.items():
        assert acme.get_object(Bucket=docs, Key=k)["Body"].read() == v, k
    assert acme.get_object(Bucket=de, Key="d.bin")["Body"].read() == data_de

    # The report matches a scan of the pool directories: blob files per pool.
    on_disk = counts(dirs)
    from_reports = {name: 0 for name in dirs}
    digests = {}
    for b in (docs, de, us):
        rep = report(srv, b)
        digests[b] = rep
        for name, t in rep["totals"]["by_pool"].items():
            from_reports[name] += t["blobs"]
    assert from_reports == on_disk, (from_reports, on_disk)
    assert on_disk == {"fr-paris": 3, "de-frankfurt": 1, "us-east": 1, "local": 0}, on_disk
    # Every object's pools and jurisdictions, and the digest of the report.
    rep = digests[docs]
    assert {o["key"]: o["jurisdictions"] for o in rep["objects"]} == {k: ["FR"] for k in data}
    doc = dict(rep)
    del doc["summary_sha256"]
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == rep["summary_sha256"]

    # The operator reads the report too (and it is logged in the tenant's log).
    resp = admin_request(srv, "GET", "/tenants/acme/buckets/%s/residency" % docs)
    assert resp.status == 200
    op_view = json.loads(resp.body)
    # Operators get the totals and the digest, not the object names.
    assert "objects" not in op_view and op_view["totals"] == digests[docs]["totals"], op_view
    assert op_view["summary_sha256"] == digests[docs]["summary_sha256"]
    srv.stop_clean()

    # The signed summary entries in the tenant's transparency log.
    lines, events = export_log(srv, "acme")
    entries = [e for e in events if e.get("action") == "GetResidencyReport"
               and e.get("target") == "tenant/acme/bucket/" + docs]
    assert entries, [e.get("action") for e in events]
    assert any(e["details"]["report_sha256"] == digests[docs]["summary_sha256"] for e in entries), entries
    assert any(e["details"]["blobs_by_pool"].startswith("de-frankfurt=0,fr-paris=3") for e in entries), entries
    verify_log(srv, lines)


def export_log(srv, tenant):
    args = [srv.binary, "log", "export", "--data", srv.data_dir, "--tenant", tenant,
            "--checkpoint-out", os.path.join(srv.workdir, "cp"), "--key-out", os.path.join(srv.workdir, "key")]
    cp = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    lines = cp.stdout.splitlines()
    return lines, [json.loads(line) for line in lines]


def verify_log(srv, lines):
    path = os.path.join(srv.workdir, "entries.jsonl")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    cp = subprocess.run([srv.binary, "log", "verify", "--key-file", os.path.join(srv.workdir, "key"),
                         "--checkpoint2", os.path.join(srv.workdir, "cp"), "--entries", path],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0 and cp.stdout.startswith("OK"), cp


def test_default_pool_without_pools_file(tmp_path):
    """No --pools: one default pool, the data directory's blobs/; data
    written before pools existed keeps its bare blob ids."""
    srv = AdminServer(str(tmp_path))
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3(srv, ACME_ROOT)
    b = unique_bucket("plain")
    acme.create_bucket(Bucket=b)
    payload = os.urandom(200000)
    acme.put_object(Bucket=b, Key="k", Body=payload)
    files = blob_files(os.path.join(srv.data_dir, "blobs"))
    assert len(files) == 1
    rep = report(srv, b)
    assert rep["objects"][0]["pools"] == ["local"] and rep["objects"][0]["jurisdictions"] == ["FR"], rep
    # A ceiling the only pool cannot satisfy refuses new buckets.
    cli(srv, "residency", "set", "--tenant", "acme", "--jurisdiction", "DE")
    status, code = s3_code(acme.create_bucket, Bucket=unique_bucket("nope"))
    assert (status, code) == (400, "InvalidLocationConstraint")
    cli(srv, "residency", "clear", "--tenant", "acme")
    acme.create_bucket(Bucket=unique_bucket("yes"))
    assert acme.get_object(Bucket=b, Key="k")["Body"].read() == payload
    srv.stop_clean()


def test_every_write_path_is_placed(tmp_path):
    """PUT, multipart parts, CopyObject, UploadPartCopy and POST all land in
    the bucket's pool; the report counts what is on disk."""
    import requests
    pools_file, dirs = write_pools(tmp_path)
    srv = AdminServer(str(tmp_path), extra_args=["--pools", pools_file])
    srv.start()
    dirs["local"] = os.path.join(srv.data_dir, "blobs")
    cli(srv, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    acme = s3(srv, ACME_ROOT)
    src, dst = unique_bucket("src"), unique_bucket("dst")
    acme.create_bucket(Bucket=src)  # fr-paris: the first pool
    acme.create_bucket(Bucket=dst, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    source = os.urandom(6 * 1024 * 1024)
    acme.put_object(Bucket=src, Key="s", Body=source)
    acme.put_object(Bucket=dst, Key="put", Body=b"p" * 10)
    up = acme.create_multipart_upload(Bucket=dst, Key="mp")["UploadId"]
    p1 = acme.upload_part(Bucket=dst, Key="mp", UploadId=up, PartNumber=1, Body=source[:5 * 1024 * 1024])
    p2 = acme.upload_part_copy(Bucket=dst, Key="mp", UploadId=up, PartNumber=2, CopySource={"Bucket": src, "Key": "s"},
                               CopySourceRange="bytes=%d-%d" % (5 * 1024 * 1024, len(source) - 1))
    acme.complete_multipart_upload(Bucket=dst, Key="mp", UploadId=up, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    acme.copy_object(Bucket=dst, Key="copy", CopySource={"Bucket": src, "Key": "s"})
    p = acme.generate_presigned_post(Bucket=dst, Key="post", ExpiresIn=600)
    r = requests.post(p["url"], data=p["fields"], files={"file": ("f", b"posted")}, timeout=60)
    assert r.status_code == 204, r.content
    assert counts(dirs) == {"fr-paris": 1, "de-frankfurt": 5, "us-east": 0, "local": 0}, counts(dirs)
    assert acme.get_object(Bucket=dst, Key="mp")["Body"].read() == source
    assert acme.get_object(Bucket=dst, Key="copy")["Body"].read() == source
    assert acme.get_object(Bucket=dst, Key="post")["Body"].read() == b"posted"
    rep = report(srv, dst)
    assert rep["totals"]["by_pool"]["de-frankfurt"]["blobs"] == 5, rep["totals"]
    assert {o["key"]: o["pools"] for o in rep["objects"]} == {k: ["de-frankfurt"] for k in ("put", "mp", "copy", "post")}
    srv.stop_clean()

"""Storage classes (docs/storage-classes.md), end to end: the operator
labels a pool with a storage class; a write that asks for it (PUT,
multipart upload, CopyObject, POST, aws-cli's --storage-class) lands in that
pool's directory, reads back byte-identical, and reports its class in HEAD,
GET, every listing and GetObjectAttributes; a class no pool holds is
InvalidStorageClass; the residency rule still bounds the pools a class may
use; a copy onto itself that only changes the class moves the data;
lifecycle Transition and NoncurrentVersionTransition rules move versions
to another class's pool when due, logged in the tenant's log."""

import os
import subprocess
import time

import requests

from adminutil import AdminServer, cli, export_log, s3, s3_code
from test_residency import blob_files

ACME = ("ACMECLASSROOTKEY0001", "acme-storage-class-root-secret-012345")


def start(tmp_path, extra=()):
    cold = os.path.join(str(tmp_path), "pools", "cold")
    cold_us = os.path.join(str(tmp_path), "pools", "cold-us")
    pools = os.path.join(str(tmp_path), "pools.toml")
    with open(pools, "w") as f:
        f.write('[[pool]]\nname = "cold"\ndirectory = "%s"\njurisdiction = "FR"\nstorage_class = "STANDARD_IA"\n\n'
                '[[pool]]\nname = "cold-us"\ndirectory = "%s"\njurisdiction = "US"\nstorage_class = "GLACIER_IR"\n'
                % (cold, cold_us))
    srv = AdminServer(str(tmp_path), extra_args=["--pools", pools, "--jurisdiction", "FR", *extra])
    srv.start()
    cli(srv, "tenant", "create", "acme", "--access-key", ACME[0], "--secret-key", ACME[1])
    return srv, {"local": os.path.join(srv.data_dir, "blobs"), "cold": cold, "cold-us": cold_us}


def test_a_write_lands_in_a_pool_of_its_class_and_says_so(tmp_path):
    srv, dirs = start(tmp_path)
    try:
        a = s3(srv, ACME)
        a.create_bucket(Bucket="classes")
        body = os.urandom(300 * 1024)
        a.put_object(Bucket="classes", Key="ia", Body=body, StorageClass="STANDARD_IA")
        a.put_object(Bucket="classes", Key="tiny", Body=b"small", StorageClass="STANDARD_IA")
        a.put_object(Bucket="classes", Key="std", Body=b"standard")
        # Both IA objects are files of the cold pool (never inline: inline
        # data lives with the metadata, in the default pool).
        assert len(blob_files(dirs["cold"])) == 2, dirs
        assert len(blob_files(dirs["cold-us"])) == 0
        assert a.get_object(Bucket="classes", Key="ia")["Body"].read() == body
        head = a.head_object(Bucket="classes", Key="ia")
        assert head["StorageClass"] == "STANDARD_IA"
        assert "StorageClass" not in a.head_object(Bucket="classes", Key="std")  # as S3: none for STANDARD
        listed = {o["Key"]: o["StorageClass"] for o in a.list_objects_v2(Bucket="classes")["Contents"]}
        assert listed == {"ia": "STANDARD_IA", "tiny": "STANDARD_IA", "std": "STANDARD"}, listed
        assert {o["Key"]: o["StorageClass"] for o in a.list_objects(Bucket="classes")["Contents"]} == listed
        versions = a.list_object_versions(Bucket="classes")["Versions"]
        assert {v["Key"]: v["StorageClass"] for v in versions} == listed
        attrs = a.get_object_attributes(Bucket="classes", Key="ia", ObjectAttributes=["StorageClass"])
        assert attrs["StorageClass"] == "STANDARD_IA"

        # A class no pool holds, or a malformed one, is S3's error.
        for bad in ("GLACIER", "standard_ia"):
            assert s3_code(a.put_object, Bucket="classes", Key="x", Body=b"x", StorageClass=bad) == (
                400, "InvalidStorageClass"), bad

        # A multipart upload: its parts in the pool, its class listed.
        up = a.create_multipart_upload(Bucket="classes", Key="mp", StorageClass="STANDARD_IA")["UploadId"]
        assert [u["StorageClass"] for u in a.list_multipart_uploads(Bucket="classes")["Uploads"]] == ["STANDARD_IA"]
        parts = [os.urandom(5 << 20), b"last part"]
        etags = [a.upload_part(Bucket="classes", Key="mp", UploadId=up, PartNumber=n + 1, Body=p)["ETag"]
                 for n, p in enumerate(parts)]
        assert a.list_parts(Bucket="classes", Key="mp", UploadId=up)["StorageClass"] == "STANDARD_IA"
        a.complete_multipart_upload(Bucket="classes", Key="mp", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
        assert a.head_object(Bucket="classes", Key="mp")["StorageClass"] == "STANDARD_IA"
        assert a.get_object(Bucket="classes", Key="mp")["Body"].read() == b"".join(parts)
        assert len(blob_files(dirs["cold"])) == 4

        # A copy takes the class it asks for (STANDARD without one, as S3);
        # onto itself, a new class alone is a change: the data moves.
        a.copy_object(Bucket="classes", Key="ia-copy", CopySource={"Bucket": "classes", "Key": "ia"})
        assert "StorageClass" not in a.head_object(Bucket="classes", Key="ia-copy")
        local_before = len(blob_files(dirs["local"]))
        a.copy_object(Bucket="classes", Key="std", CopySource={"Bucket": "classes", "Key": "std"},
                      StorageClass="GLACIER_IR")
        assert a.head_object(Bucket="classes", Key="std")["StorageClass"] == "GLACIER_IR"
        assert len(blob_files(dirs["cold-us"])) == 1
        assert a.get_object(Bucket="classes", Key="std")["Body"].read() == b"standard"
        assert s3_code(a.copy_object, Bucket="classes", Key="std", CopySource={"Bucket": "classes", "Key": "std"},
                       StorageClass="GLACIER_IR") == (400, "InvalidRequest")  # no change at all
        assert len(blob_files(dirs["local"])) >= local_before

        # A browser form's field.
        post = a.generate_presigned_post(Bucket="classes", Key="posted", Fields={"x-amz-storage-class": "STANDARD_IA"},
                                         Conditions=[{"x-amz-storage-class": "STANDARD_IA"}], ExpiresIn=600)
        r = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"posted")}, timeout=60)
        assert r.status_code == 204, r.content
        assert a.head_object(Bucket="classes", Key="posted")["StorageClass"] == "STANDARD_IA"

        # aws-cli, unchanged.
        src = tmp_path / "cli.bin"
        src.write_bytes(os.urandom(64 * 1024))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACME[0], AWS_SECRET_ACCESS_KEY=ACME[1], AWS_DEFAULT_REGION="us-east-1")
        subprocess.run(["aws", "--endpoint-url", srv.endpoint, "s3", "cp", str(src), "s3://classes/cli.bin",
                        "--storage-class", "STANDARD_IA"], check=True, env=env, capture_output=True, timeout=120)
        assert a.head_object(Bucket="classes", Key="cli.bin")["StorageClass"] == "STANDARD_IA"
    finally:
        srv.stop_clean()


def test_the_residency_rule_bounds_the_pools_of_a_class(tmp_path):
    srv, dirs = start(tmp_path)
    try:
        a = s3(srv, ACME)
        a.create_bucket(Bucket="ruled")
        a.put_object(Bucket="ruled", Key="us", Body=b"x" * 5000, StorageClass="GLACIER_IR")
        cli(srv, "residency", "set", "--tenant", "acme", "--jurisdiction", "FR")
        # The only GLACIER_IR pool is in the US: refused now, naming why.
        code = s3_code(a.put_object, Bucket="ruled", Key="us2", Body=b"x", StorageClass="GLACIER_IR")
        assert code == (400, "InvalidRequest"), code
        a.put_object(Bucket="ruled", Key="fr", Body=b"y" * 5000, StorageClass="STANDARD_IA")
        # Migration moves a misplaced version within its class, or not at
        # all: no GLACIER_IR pool is allowed, so the bucket's migration
        # stops with the reason and the version stays.
        refused = cli(srv, "residency", "migrate", "--tenant", "acme", "--bucket", "ruled", expect=1)
        assert "no storage pool of storage class GLACIER_IR" in refused.err, refused
        assert a.head_object(Bucket="ruled", Key="us")["StorageClass"] == "GLACIER_IR"
        assert len(blob_files(dirs["cold-us"])) == 1
        pools = cli(srv, "--json", "residency", "show", "--tenant", "acme").json()["pools"]
        assert {p["name"]: p["storage_class"] for p in pools} == {
            "cold": "STANDARD_IA", "cold-us": "GLACIER_IR", "local": "STANDARD"}, pools
    finally:
        srv.stop_clean()


def wait_for(fn, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return
        time.sleep(0.2)
    raise AssertionError(what + " not done after %d s" % timeout)


def test_lifecycle_transitions_move_versions_when_due(tmp_path):
    # A "day" of 2 s, the worker ticking every second.
    srv, dirs = start(tmp_path, ["--lifecycle-day-seconds", "2", "--lifecycle-interval", "1"])
    try:
        a = s3(srv, ACME)
        a.create_bucket(Bucket="tiered")
        a.put_bucket_versioning(Bucket="tiered", VersioningConfiguration={"Status": "Enabled"})
        # A transition to a class no pool holds, or to STANDARD, is refused.
        for bad in ("GLACIER", "STANDARD"):
            code = s3_code(a.put_bucket_lifecycle_configuration, Bucket="tiered", LifecycleConfiguration={"Rules": [{
                "ID": "bad", "Status": "Enabled", "Filter": {"Prefix": ""},
                "Transitions": [{"Days": 1, "StorageClass": bad}]}]})
            assert code == (400, "InvalidArgument"), (bad, code)
        old_body, new_body, cold_body = os.urandom(200 * 1024), os.urandom(100 * 1024), os.urandom(150 * 1024)
        old = a.put_object(Bucket="tiered", Key="doc", Body=old_body)["VersionId"]
        a.put_object(Bucket="tiered", Key="doc", Body=new_body)
        a.put_object(Bucket="tiered", Key="t/report", Body=cold_body)
        a.put_object(Bucket="tiered", Key="t/small", Body=b"inline bytes")  # inline in the metadata first
        a.put_bucket_lifecycle_configuration(Bucket="tiered", LifecycleConfiguration={"Rules": [
            {"ID": "to-ia", "Status": "Enabled", "Filter": {"Prefix": "t/"},
             "Transitions": [{"Days": 1, "StorageClass": "STANDARD_IA"}]},
            {"ID": "old-to-ir", "Status": "Enabled", "Filter": {"Prefix": "doc"},
             "NoncurrentVersionTransitions": [{"NoncurrentDays": 1, "StorageClass": "GLACIER_IR"}]}]})
        got = a.get_bucket_lifecycle_configuration(Bucket="tiered")["Rules"]
        assert got[0]["Transitions"] == [{"Days": 1, "StorageClass": "STANDARD_IA"}], got

        wait_for(lambda: a.head_object(Bucket="tiered", Key="t/report").get("StorageClass") == "STANDARD_IA",
                 "the transition of t/report")
        wait_for(lambda: a.head_object(Bucket="tiered", Key="t/small").get("StorageClass") == "STANDARD_IA",
                 "the transition of t/small")
        wait_for(lambda: a.head_object(Bucket="tiered", Key="doc", VersionId=old).get("StorageClass") == "GLACIER_IR",
                 "the noncurrent transition of doc")
        # The current version of doc is not noncurrent: it stays.
        assert "StorageClass" not in a.head_object(Bucket="tiered", Key="doc")
        # The bytes moved pools and read back the same.
        assert len(blob_files(dirs["cold"])) == 2 and len(blob_files(dirs["cold-us"])) == 1, dirs
        assert a.get_object(Bucket="tiered", Key="t/report")["Body"].read() == cold_body
        assert a.get_object(Bucket="tiered", Key="t/small")["Body"].read() == b"inline bytes"
        assert a.get_object(Bucket="tiered", Key="doc", VersionId=old)["Body"].read() == old_body
        assert a.get_object(Bucket="tiered", Key="doc")["Body"].read() == new_body
        listed = {o["Key"]: o["StorageClass"] for o in a.list_objects_v2(Bucket="tiered")["Contents"]}
        assert listed == {"doc": "STANDARD", "t/report": "STANDARD_IA", "t/small": "STANDARD_IA"}, listed
    finally:
        srv.stop_clean()
    moves = [e for e in export_log(srv, "acme") if e.get("operation") == "LifecycleTransition"]
    assert sorted((e["key"], e["details"]["storage_class"], e["status"]) for e in moves) == [
        ("doc", "GLACIER_IR", 200), ("t/report", "STANDARD_IA", 200), ("t/small", "STANDARD_IA", 200)], moves
    assert all(e["principal"] == {"type": "system", "user": "lifecycle"} for e in moves), moves

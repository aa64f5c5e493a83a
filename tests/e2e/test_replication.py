"""Bucket replication (docs/replication.md), end to end: two real servers
on 127.0.0.1. The source's operator declares destinations per tenant in a
`--replication-targets` file (a bucket on the other server, its
credentials, the jurisdiction where it keeps copies); a tenant sets its
bucket's replication configuration with boto3; the versions it writes
arrive on the destination byte-identical with their metadata and tags,
delete markers when the rule asks, in order, and none is lost to a
destination outage or a SIGKILL of the source; the residency rule bounds
where copies may go; every copy is an entry of the tenant's log."""

import base64
import datetime
import hashlib
import os
import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError

from adminutil import cli, export_log, s3, s3_code, serve_module
from conftest import free_port
from metricsutil import samples, scrape, write_token

ACME = ("ACMEREPLROOTKEY00001", "acme-replication-root-secret-01234567")
OTHER = ("OTHERREPLROOTKEY0001", "other-replication-root-secret-0123456")
DR = ("DRSITEROOTKEY0000001", "dr-site-root-secret-0123456789abcdefg")
DR_ARN = "arn:confiance:replication::acme:dr"
US_ARN = "arn:confiance:replication::acme:us"
LOST_ARN = "arn:confiance:replication::acme:lost"  # the destination behind an AnswerDroppingProxy
LOCK_ARN = "arn:confiance:replication::acme:lock"  # a destination bucket with Object Lock


@pytest.fixture(scope="module")
def dest(tmp_path_factory):
    conf = tmp_path_factory.mktemp("repl-dest-pools")
    pools = conf / "pools.toml"  # a second class, for replicas written in it
    pools.write_text('[[pool]]\nname = "cold"\ndirectory = "%s"\njurisdiction = "FR"\nstorage_class = "STANDARD_IA"\n'
                     % (conf / "cold"))
    token_file, token = write_token(str(conf))
    for srv in serve_module(tmp_path_factory, "repl-dest", ["--pools", str(pools), "--metrics-token-file", token_file]):
        srv.metrics_token = token
        cli(srv, "tenant", "create", "drsite", "--access-key", DR[0], "--secret-key", DR[1])
        d = s3(srv, DR)
        for name in ("replica", "replica-us", "replica-other"):
            d.create_bucket(Bucket=name)
            d.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        d.create_bucket(Bucket="replica-lock", ObjectLockEnabledForBucket=True)
        yield srv


def targets_file(workdir, dest_srv, lost_port):
    secret = os.path.join(workdir, "dr.secret")
    with open(secret, "w") as f:
        f.write(DR[1] + "\n")
    os.chmod(secret, 0o600)
    path = os.path.join(workdir, "targets.toml")
    with open(path, "w") as f:
        lost = "http://127.0.0.1:%d" % lost_port
        for tenant, name, endpoint, bucket, jurisdiction in (
                ("acme", "dr", dest_srv.endpoint, "replica", "DE"), ("acme", "us", dest_srv.endpoint, "replica-us", "US"),
                ("acme", "lost", lost, "replica", "DE"), ("acme", "lock", dest_srv.endpoint, "replica-lock", "DE"),
                ("other", "dr", dest_srv.endpoint, "replica-other", "DE")):
            f.write('[[target]]\ntenant = "%s"\nname = "%s"\nendpoint = "%s"\nbucket = "%s"\n'
                    'access_key = "%s"\nsecret_key_file = "%s"\njurisdiction = "%s"\n\n'
                    % (tenant, name, endpoint, bucket, DR[0], secret, jurisdiction))
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory, dest):
    conf = str(tmp_path_factory.mktemp("repl-conf"))
    token_file, token = write_token(conf)
    lost_port = free_port()
    # Versions over 5 MiB go as multipart uploads of 5 MiB parts.
    args = ["--replication-targets", targets_file(conf, dest, lost_port), "--metrics-token-file", token_file,
            "--replication-part-size", str(5 << 20)]
    for srv in serve_module(tmp_path_factory, "repl-source", args):
        srv.metrics_token = token
        srv.lost_port = lost_port
        for tenant, creds in (("acme", ACME), ("other", OTHER)):
            cli(srv, "tenant", "create", tenant, "--access-key", creds[0], "--secret-key", creds[1])
        yield srv


def versioned_bucket(client, name):
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def configure(client, bucket, *rules):
    client.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::acme:role/unused", "Rules": list(rules)})


def rule(arn=DR_ARN, prefix="", priority=1, delete_markers=True, rule_id=None, **extra):
    r = {"Priority": priority, "Status": "Enabled", "Filter": {"Prefix": prefix},
         "DeleteMarkerReplication": {"Status": "Enabled" if delete_markers else "Disabled"},
         "Destination": {"Bucket": arn}}
    if rule_id:
        r["ID"] = rule_id
    r.update(extra)
    return r


def wait_for(fn, timeout=60, what="replication"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            got = fn()
            if got:
                return got
        except Exception as e:  # noqa: BLE001 - the destination may not have it yet
            last = e
        time.sleep(0.1)
    raise AssertionError("%s not done after %d s (%r)" % (what, timeout, last))


def replica(dest, bucket, key):
    """The destination's current version of `key` (body, head), or None."""
    d = s3(dest, DR)
    try:
        got = d.get_object(Bucket=bucket, Key=key)
    except Exception:  # noqa: BLE001 - absent yet
        return None
    return got["Body"].read(), got


def test_a_tenant_sees_the_destinations_declared_for_it(source, dest):
    shown = cli(source, "--json", "tenant", "show", "acme", creds=ACME).json()
    assert [(d["arn"], d["jurisdiction"], d["bucket"]) for d in shown["replication_destinations"]] == [
        (DR_ARN, "DE", "replica"), (US_ARN, "US", "replica-us"), (LOST_ARN, "DE", "replica"),
        (LOCK_ARN, "DE", "replica-lock")]
    assert shown["replication_destinations"][0]["endpoint"] == dest.endpoint
    other = cli(source, "--json", "tenant", "show", "other", creds=OTHER).json()
    assert [d["arn"] for d in other["replication_destinations"]] == ["arn:confiance:replication::other:dr"]
    text = cli(source, "tenant", "show", "acme", creds=ACME).out
    assert "Replication:   %s -> %s/replica (jurisdiction DE)" % (DR_ARN, dest.endpoint) in text, text


def test_configuration_is_validated_and_kept(source):
    a = s3(source, ACME)
    a.create_bucket(Bucket="repl-config")
    with pytest.raises(Exception) as e:
        a.get_bucket_replication(Bucket="repl-config")
    assert "ReplicationConfigurationNotFoundError" in str(e.value)
    # Versioning first, as S3 requires.
    assert s3_code(configure, a, "repl-config", rule()) == (400, "InvalidRequest")
    a.put_bucket_versioning(Bucket="repl-config", VersioningConfiguration={"Status": "Enabled"})
    configure(a, "repl-config", rule(prefix="docs/", rule_id="docs"),
              rule(arn=US_ARN, priority=2, delete_markers=False))
    got = a.get_bucket_replication(Bucket="repl-config")["ReplicationConfiguration"]
    assert got["Role"] == "arn:aws:iam::acme:role/unused"
    first, second = got["Rules"]
    assert (first["ID"], first["Priority"], first["Status"], first["Filter"], first["Destination"]["Bucket"],
            first["DeleteMarkerReplication"]) == ("docs", 1, "Enabled", {"Prefix": "docs/"}, DR_ARN,
                                                  {"Status": "Enabled"})
    assert len(second["ID"]) == 32 and second["DeleteMarkerReplication"] == {"Status": "Disabled"}
    # Another tenant's destination is as unknown as a missing one.
    for arn in ("arn:confiance:replication::other:dr", "arn:confiance:replication::acme:nope",
                "arn:aws:s3:::elsewhere"):
        assert s3_code(configure, a, "repl-config", rule(arn=arn)) == (400, "InvalidRequest"), arn
    assert s3_code(configure, a, "repl-config", rule(), rule(arn=US_ARN)) == (400, "InvalidRequest")  # priorities
    assert s3_code(configure, a, "repl-config", rule(Destination={
        "Bucket": DR_ARN, "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}}})) == (400, "InvalidRequest")
    # A refused configuration left the last one in place.
    assert len(a.get_bucket_replication(Bucket="repl-config")["ReplicationConfiguration"]["Rules"]) == 2
    # Versioning stays Enabled while the configuration is there.
    assert s3_code(a.put_bucket_versioning, Bucket="repl-config",
                   VersioningConfiguration={"Status": "Suspended"}) == (409, "InvalidBucketState")
    # Only the owner (or whom its policy lets) may read or change it.
    o = s3(source, OTHER)
    assert s3_code(o.get_bucket_replication, Bucket="repl-config") == (403, "AccessDenied")
    assert s3_code(configure, o, "repl-config", rule()) == (403, "AccessDenied")
    a.delete_bucket_replication(Bucket="repl-config")
    assert s3_code(a.get_bucket_replication, Bucket="repl-config") == (404, "ReplicationConfigurationNotFoundError")
    a.put_bucket_versioning(Bucket="repl-config", VersioningConfiguration={"Status": "Suspended"})


def test_versions_arrive_byte_identical_with_their_metadata(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-data")
    configure(a, "repl-data", rule(prefix="in/"))
    small = b"small object " * 10
    large = os.urandom(3 << 20) + b"tail"  # several packages, a blob file
    a.put_object(Bucket="repl-data", Key="in/small.txt", Body=small, ContentType="text/plain",
                 Metadata={"origin": "scanner 7"}, Tagging="class=gold&k=v", CacheControl="no-cache")
    a.put_object(Bucket="repl-data", Key="in/dir/large bin+%.dat", Body=large)
    a.put_object(Bucket="repl-data", Key="out/ignored.txt", Body=b"not matched")
    up = a.create_multipart_upload(Bucket="repl-data", Key="in/multi.bin", ContentType="application/x-test")
    parts = [os.urandom(5 << 20), os.urandom(1 << 20)]
    etags = [a.upload_part(Bucket="repl-data", Key="in/multi.bin", UploadId=up["UploadId"], PartNumber=n + 1,
                           Body=body)["ETag"] for n, body in enumerate(parts)]
    a.complete_multipart_upload(Bucket="repl-data", Key="in/multi.bin", UploadId=up["UploadId"],
                                MultipartUpload={"Parts": [{"PartNumber": n + 1, "ETag": e}
                                                           for n, e in enumerate(etags)]})
    a.copy_object(Bucket="repl-data", Key="in/copy.txt", CopySource={"Bucket": "repl-data", "Key": "in/small.txt"})

    body, head = wait_for(lambda: replica(dest, "replica", "in/small.txt"))
    assert body == small
    assert head["ContentType"] == "text/plain" and head["Metadata"] == {"origin": "scanner 7"}
    assert head["CacheControl"] == "no-cache"
    assert head["ETag"] == a.head_object(Bucket="repl-data", Key="in/small.txt")["ETag"]
    tags = s3(dest, DR).get_object_tagging(Bucket="replica", Key="in/small.txt")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("class", "gold"), ("k", "v")]
    body, _ = wait_for(lambda: replica(dest, "replica", "in/dir/large bin+%.dat"))
    assert hashlib.sha256(body).digest() == hashlib.sha256(large).digest()
    body, head = wait_for(lambda: replica(dest, "replica", "in/multi.bin"))
    assert body == b"".join(parts) and head["ContentType"] == "application/x-test"
    assert head["ETag"].endswith('-2"'), head["ETag"]  # over the part size: copied in two parts
    # A single PUT over the part size goes in parts too, with its metadata.
    big = os.urandom((12 << 20) + 1)
    a.put_object(Bucket="repl-data", Key="in/big.bin", Body=big, Metadata={"k": "v"}, Tagging="t=1")
    body, head = wait_for(lambda: replica(dest, "replica", "in/big.bin"), timeout=120)
    assert hashlib.sha256(body).digest() == hashlib.sha256(big).digest()
    assert head["ETag"].endswith('-3"') and head["Metadata"] == {"k": "v"}, head
    assert s3(dest, DR).get_object_tagging(Bucket="replica", Key="in/big.bin")["TagSet"] == [{"Key": "t", "Value": "1"}]
    assert s3(dest, DR).list_multipart_uploads(Bucket="replica").get("Uploads", []) == []
    assert wait_for(lambda: replica(dest, "replica", "in/copy.txt"))[0] == small
    assert replica(dest, "replica", "out/ignored.txt") is None
    # S3's x-amz-replication-status: COMPLETED at the source once copied,
    # REPLICA on the copy, none for what no rule matches.
    for key in ("in/small.txt", "in/dir/large bin+%.dat", "in/multi.bin", "in/copy.txt"):
        wait_for(lambda: a.head_object(Bucket="repl-data", Key=key).get("ReplicationStatus") == "COMPLETED",
                 what="COMPLETED for " + key)
        copied = s3(dest, DR).head_object(Bucket="replica", Key=key)
        assert copied["ReplicationStatus"] == "REPLICA"
        # Under the source version's id, copied in one PUT or in parts.
        assert copied["VersionId"] == a.head_object(Bucket="repl-data", Key=key)["VersionId"], key
    assert "ReplicationStatus" not in a.head_object(Bucket="repl-data", Key="out/ignored.txt")
    assert a.get_object(Bucket="repl-data", Key="in/small.txt")["ReplicationStatus"] == "COMPLETED"

    # A new version replaces the replica's current one; a delete marker
    # follows when the rule asks; deleting a version is not replicated.
    v2 = a.put_object(Bucket="repl-data", Key="in/small.txt", Body=b"version two")["VersionId"]
    wait_for(lambda: (replica(dest, "replica", "in/small.txt") or (b"",))[0] == b"version two")
    a.delete_object(Bucket="repl-data", Key="in/small.txt")
    wait_for(lambda: replica(dest, "replica", "in/small.txt") is None, what="the delete marker")
    a.delete_object(Bucket="repl-data", Key="in/copy.txt", VersionId=a.head_object(
        Bucket="repl-data", Key="in/copy.txt")["VersionId"])
    versions = s3(dest, DR).list_object_versions(Bucket="replica", Prefix="in/small.txt")
    assert len(versions.get("Versions", [])) == 2 and len(versions.get("DeleteMarkers", [])) == 1
    a.put_object(Bucket="repl-data", Key="in/marker-after.txt", Body=b"after")  # a later write still comes
    wait_for(lambda: replica(dest, "replica", "in/marker-after.txt"))
    assert replica(dest, "replica", "in/copy.txt")[0] == small
    assert v2


def version_bodies(client, bucket, key):
    """The bodies of `key`'s versions in `bucket`, newest first."""
    listed = client.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    return [client.get_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])["Body"].read()
            for v in listed if v["Key"] == key]


def test_each_keys_versions_arrive_in_order_after_a_backlog(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-order")
    configure(a, "repl-order", rule(prefix="o/"))
    dest.stop_clean()  # a backlog: the copies go in one batch once the destination is back
    try:
        for v in range(6):
            for k in range(8):
                a.put_object(Bucket="repl-order", Key="o/k%d" % k, Body=b"key %d version %d" % (k, v))
    finally:
        dest.start()
    d = s3(dest, DR)

    def six_versions(key):
        got = version_bodies(d, "replica", key)
        return got if len(got) >= 6 else None

    for k in range(8):
        key = "o/k%d" % k
        # Newest first, as written: version 5 is the current one.
        bodies = wait_for(lambda: six_versions(key), what=key)
        # (On failure, the source's own versions say which side has a second.)
        assert bodies == [b"key %d version %d" % (k, v) for v in range(5, -1, -1)], (
            key, bodies, version_bodies(a, "repl-order", key))


def test_residency_bounds_where_copies_go(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-residency")
    cli(source, "residency", "set", "--tenant", "acme", "--jurisdiction", "EU")
    try:
        # A US destination is refused while the rule says EU, even with
        # ciphertext abroad allowed: the copy is plaintext to it.
        code = s3_code(configure, a, "repl-residency", rule(arn=US_ARN))
        assert code == (400, "InvalidRequest"), code
        configure(a, "repl-residency", rule(arn=DR_ARN))
        a.put_object(Bucket="repl-residency", Key="eu.txt", Body=b"allowed in DE")
        wait_for(lambda: replica(dest, "replica", "eu.txt"))
        # The ceiling narrows afterwards: copies stop rather than go.
        before = replications(source)
        cli(source, "residency", "set", "--tenant", "acme", "--jurisdiction", "FR")
        a.put_object(Bucket="repl-residency", Key="fr-only.txt", Body=b"stays in FR")
        a.put_object(Bucket="repl-residency", Key="fr-later.txt", Body=b"stays too")
        # A tag change of a version copied before goes no more either.
        a.put_object_tagging(Bucket="repl-residency", Key="eu.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        wait_for(lambda: replications(source)["abandoned"] >= before["abandoned"] + 3, what="the refusals")
        assert s3(dest, DR).get_object_tagging(Bucket="replica", Key="eu.txt")["TagSet"] == []
        assert replica(dest, "replica", "fr-only.txt") is None
        assert replica(dest, "replica", "fr-later.txt") is None
        assert a.head_object(Bucket="repl-residency", Key="fr-only.txt")["ReplicationStatus"] == "FAILED"
        assert a.head_object(Bucket="repl-residency", Key="eu.txt")["ReplicationStatus"] == "COMPLETED"
    finally:
        cli(source, "residency", "clear", "--tenant", "acme")


def replications(srv):
    """confiance_replications_total by result."""
    m = samples(scrape(srv, srv.metrics_token))
    return {r: m.get(("confiance_replications_total", frozenset({("result", r)})), 0)
            for r in ("ok", "failed", "abandoned")}


def lag(srv, arn):
    """(log entries behind, retrying) of the replication to `arn`, from the
    metrics."""
    m = samples(scrape(srv, srv.metrics_token))
    labels = frozenset({("destination", arn)})
    return (m[("confiance_replication_log_entries_behind", labels)], m[("confiance_replication_retrying", labels)])


def test_an_outage_and_a_crash_delay_copies_but_lose_none(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-outage")
    configure(a, "repl-outage", rule())
    dest.stop_clean()
    bodies = {"k%02d" % i: os.urandom(1000 + i * 7000) for i in range(12)}
    try:
        for key, body in list(bodies.items())[:6]:
            a.put_object(Bucket="repl-outage", Key=key, Body=body)
        time.sleep(1.5)  # attempts fail meanwhile, and are retried
        assert a.head_object(Bucket="repl-outage", Key="k00")["ReplicationStatus"] == "PENDING"
        # The metrics show the destination retrying, the six PUTs queued (as
        # of the dispatcher's next retry, within 1 + 2 + 4 s).
        wait_for(lambda: lag(source, DR_ARN)[1] == 1 and lag(source, DR_ARN)[0] >= 6, timeout=15,
                 what="the metrics' backlog")
        # A version written before its bucket's configuration is not copied
        # by a rule without ExistingObjectReplication, even when the worker
        # reads its entry (held up here by the outage) only after it.
        versioned_bucket(a, "repl-late")
        a.put_object(Bucket="repl-late", Key="late/before", Body=b"before the configuration")
        configure(a, "repl-late", rule(prefix="late/"))
        a.put_object(Bucket="repl-late", Key="late/after", Body=b"after it")
        source.kill()
        source.start()
        a = s3(source, ACME)
        for key, body in list(bodies.items())[6:]:
            a.put_object(Bucket="repl-outage", Key=key, Body=body)
    finally:
        dest.start()
    for key, body in bodies.items():
        got = wait_for(lambda: replica(dest, "replica", key), timeout=120, what=key)
        assert got[0] == body, key
    wait_for(lambda: a.head_object(Bucket="repl-outage", Key="k00")["ReplicationStatus"] == "COMPLETED")
    wait_for(lambda: lag(source, DR_ARN) == (0, 0), what="the metrics' catching up")
    assert replica(dest, "replica", "late/after")[0] == b"after it"
    assert replica(dest, "replica", "late/before") is None
    assert "ReplicationStatus" not in a.head_object(Bucket="repl-late", Key="late/before")


class AnswerDroppingProxy:
    """A TCP relay on 127.0.0.1:`port` to the server at `upstream` (host,
    port) that passes the first request whose head starts with each of
    `prefixes` on but cuts the connection instead of relaying its answer: a
    destination that took a copy whose answer was lost on the way back."""

    def __init__(self, port, upstream, prefixes):
        self.upstream, self.prefixes, self.dropped = upstream, list(prefixes), []
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        up = socket.create_connection(self.upstream, timeout=30)
        cut = threading.Event()

        def answers():
            try:
                while (data := up.recv(65536)) and not cut.is_set():
                    client.sendall(data)
            except OSError:
                pass
            for s in (client, up):
                s.close()

        threading.Thread(target=answers, daemon=True).start()
        try:
            while data := client.recv(65536):
                first = next((p for p in self.prefixes if data.startswith(p)), None)
                if first is not None:
                    self.prefixes.remove(first)
                    self.dropped.append(first)
                    cut.set()  # before the request goes on: its answer is never relayed
                up.sendall(data)
        except OSError:
            pass


def test_a_copy_whose_answer_was_lost_is_not_made_twice(source, dest):
    """The destination takes a copy but its answer never reaches the source:
    the source retries, asks first, finds the replica of that version there
    and records the copy done, rather than make a second replica. The same
    for a delete marker."""
    a = s3(source, ACME)
    versioned_bucket(a, "repl-lost")
    host, port = dest.hostport.rsplit(":", 1)
    proxy = AnswerDroppingProxy(source.lost_port, (host, int(port)),
                                [b"PUT /replica/lost/", b"DELETE /replica/lost/"])
    try:
        configure(a, "repl-lost", rule(arn=LOST_ARN, prefix="lost/"))
        version = a.put_object(Bucket="repl-lost", Key="lost/answer.txt", Body=b"taken once")["VersionId"]
        wait_for(lambda: a.head_object(Bucket="repl-lost", Key="lost/answer.txt")["ReplicationStatus"] == "COMPLETED")
        a.put_object(Bucket="repl-lost", Key="lost/next.txt", Body=b"then the next")  # the order goes on
        wait_for(lambda: replica(dest, "replica", "lost/next.txt"))
        marker = a.delete_object(Bucket="repl-lost", Key="lost/next.txt")["VersionId"]
        a.put_object(Bucket="repl-lost", Key="lost/last.txt", Body=b"after the marker")
        wait_for(lambda: replica(dest, "replica", "lost/last.txt"))
    finally:
        proxy.close()
    assert proxy.dropped == [b"PUT /replica/lost/", b"DELETE /replica/lost/"]
    d = s3(dest, DR)
    versions = d.list_object_versions(Bucket="replica", Prefix="lost/answer.txt")["Versions"]
    assert len(versions) == 1, versions
    markers = d.list_object_versions(Bucket="replica", Prefix="lost/next.txt").get("DeleteMarkers", [])
    assert len(markers) == 1, markers
    with pytest.raises(ClientError) as gone:  # a delete marker's HEAD: a 404 with the marker's headers
        d.head_object(Bucket="replica", Key="lost/next.txt")
    answer = gone.value.response["ResponseMetadata"]
    assert answer["HTTPStatusCode"] == 404 and answer["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert answer["HTTPHeaders"]["x-confiance-replica-source-version"] == marker
    head = d.head_object(Bucket="replica", Key="lost/answer.txt")
    assert head["ReplicationStatus"] == "REPLICA"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-confiance-replica-source-version"] == version
    # The tenant's log has the attempt whose answer was lost, then the copy
    # (both made before the next version's copy).
    source.stop_clean()
    try:
        logged = [e for e in export_log(source, "acme")
                  if e.get("operation") == "ReplicateObject" and e.get("key") == "lost/answer.txt"]
    finally:
        source.start()
    assert [(e.get("error"), e.get("status")) for e in logged] == [("ReplicationFailed", None), (None, 200)], logged
    assert "no answer" in logged[0]["details"]["reason"], logged


def version_ids(client, bucket, prefix):
    """(versions, delete markers): the sets of version ids under `prefix`."""
    listed = client.list_object_versions(Bucket=bucket, Prefix=prefix)
    return ({v["VersionId"] for v in listed.get("Versions", [])},
            {m["VersionId"] for m in listed.get("DeleteMarkers", [])})


def version_id_at(micros):
    """A version id in Confiance's form (docs/meta_keys.md): the time in
    microseconds and 8 random bytes, in lower-case base32hex."""
    raw = micros.to_bytes(8, "big") + os.urandom(8)
    return base64.b32hexencode(raw).decode().rstrip("=").lower()


def test_replicas_keep_the_source_version_ids(source, dest):
    """As in S3: a replica has its source version's id, so a client that
    fails over to the destination finds the versions it knows. A copy older
    than the key's current version goes in as noncurrent (two sites writing
    one key end with the same current version); the same copy again changes
    nothing; an id never names two versions."""
    a, d = s3(source, ACME), s3(dest, DR)
    versioned_bucket(a, "repl-ids")
    configure(a, "repl-ids", rule(prefix="ids/"))
    first = a.put_object(Bucket="repl-ids", Key="ids/k", Body=b"first")["VersionId"]
    second = a.put_object(Bucket="repl-ids", Key="ids/k", Body=b"second")["VersionId"]
    marker = a.delete_object(Bucket="repl-ids", Key="ids/k")["VersionId"]
    wait_for(lambda: version_ids(d, "replica", "ids/k")[1], what="the delete marker")
    assert version_ids(d, "replica", "ids/k") == ({first, second}, {marker}) == version_ids(a, "repl-ids", "ids/k")
    assert d.get_object(Bucket="replica", Key="ids/k", VersionId=first)["Body"].read() == b"first"

    # Copies as another server sends them (the replica headers, by the
    # destination's root, who holds s3:ReplicateObject).
    def put_replica(key, body, source_version):
        def mark(request, **_):
            request.headers["x-confiance-replication"] = "replica"
            request.headers["x-confiance-replica-source-version"] = source_version
        d.meta.events.register("before-sign.s3.PutObject", mark)
        try:
            return d.put_object(Bucket="replica", Key=key, Body=body)
        finally:
            d.meta.events.unregister("before-sign.s3.PutObject", mark)

    d.put_object(Bucket="replica", Key="ids/k", Body=b"written at the destination")
    current = d.head_object(Bucket="replica", Key="ids/k")["VersionId"]
    older = version_id_at(int((time.time() - 3600) * 1e6))
    assert put_replica("ids/k", b"an hour old", older)["VersionId"] == older
    assert put_replica("ids/k", b"an hour old", older)["VersionId"] == older
    head = d.head_object(Bucket="replica", Key="ids/k")
    assert head["VersionId"] == current, head
    listed = d.list_object_versions(Bucket="replica", Prefix="ids/k")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed if v["VersionId"] in (older, current)] == [
        (current, True), (older, False)], listed
    assert d.get_object(Bucket="replica", Key="ids/k", VersionId=older)["Body"].read() == b"an hour old"
    # A copy of a version held already is kept out: a version is never
    # rewritten, even by a writer with s3:ReplicateObject.
    assert put_replica("ids/k", b"sent again", first)["VersionId"] == first
    assert d.get_object(Bucket="replica", Key="ids/k", VersionId=first)["Body"].read() == b"first"
    assert s3_code(put_replica, "ids/k", b"forged", current) == (400, "InvalidRequest")
    assert d.get_object(Bucket="replica", Key="ids/k", VersionId=current)["Body"].read() == (
        b"written at the destination")
    # A newer copy becomes the current version under its source's id.
    newer = version_id_at(int(time.time() * 1e6) + 1000)
    put_replica("ids/k", b"newer", newer)
    assert d.head_object(Bucket="replica", Key="ids/k")["VersionId"] == newer


def test_a_destination_that_lost_its_copies_gets_them_back_by_a_resync(source, dest):
    """`confiance admin replication resync` (the tenant's root, or an
    operator) copies a bucket's versions again to one destination: what it
    lost comes back in order under the same ids, what it still holds is
    not sent again, and each copy is in the tenant's log as a resync."""
    a, d = s3(source, ACME), s3(dest, DR)
    versioned_bucket(a, "repl-resync")
    configure(a, "repl-resync", rule(prefix="rs/"))
    ids = {key: [a.put_object(Bucket="repl-resync", Key=key, Body=b"%s v%d" % (key.encode(), n))["VersionId"]
                 for n in range(2)] for key in ("rs/lost", "rs/kept")}
    for key in ids:
        wait_for(lambda: len(version_ids(d, "replica", key)[0]) == 2, what=key)
    for v in d.list_object_versions(Bucket="replica", Prefix="rs/lost")["Versions"]:
        d.delete_object(Bucket="replica", Key="rs/lost", VersionId=v["VersionId"])
    assert version_ids(d, "replica", "rs/lost") == (set(), set())

    assert "no enabled replication rule" in cli(source, "replication", "resync", "repl-resync", "us",
                                                  "--tenant", "acme", creds=ACME, expect=1).err
    cli(source, "replication", "resync", "repl-resync", "dr", "--tenant", "acme", creds=OTHER, expect=1)
    out = cli(source, "replication", "resync", "repl-resync", "dr", "--tenant", "acme", creds=ACME).out
    assert "resync to " + DR_ARN + " queued" in out, out

    bodies = wait_for(lambda: (lambda got: got if len(got) == 2 else None)(version_bodies(d, "replica", "rs/lost")),
                      what="the resync")
    assert bodies == [b"rs/lost v1", b"rs/lost v0"]
    listed = d.list_object_versions(Bucket="replica", Prefix="rs/lost")["Versions"]
    assert [v["VersionId"] for v in listed] == ids["rs/lost"][::-1]
    source.stop_clean()
    try:
        resent = [(e.get("key"), e.get("version_id")) for e in export_log(source, "acme")
                  if e.get("operation") == "ReplicateObject" and e.get("details", {}).get("resync") == "true"]
    finally:
        source.start()
    assert resent == [("rs/lost", v) for v in ids["rs/lost"]], resent  # none of rs/kept
    assert version_ids(d, "replica", "rs/kept") == (set(ids["rs/kept"]), set())


def test_tag_changes_reach_the_replica(source, dest):
    """As S3 does: PutObjectTagging and DeleteObjectTagging of a version
    the destination holds are sent on (under the same version id), each
    an entry of the tenant's log."""
    a, d = s3(source, ACME), s3(dest, DR)
    versioned_bucket(a, "repl-tags")
    configure(a, "repl-tags", rule(prefix="t/"))
    first = a.put_object(Bucket="repl-tags", Key="t/obj", Body=b"one", Tagging="stage=new")["VersionId"]
    wait_for(lambda: replica(dest, "replica", "t/obj"))

    def replica_tags(version):
        return {t["Key"]: t["Value"] for t in d.get_object_tagging(Bucket="replica", Key="t/obj",
                                                                   VersionId=version)["TagSet"]}

    assert replica_tags(first) == {"stage": "new"}
    a.put_object_tagging(Bucket="repl-tags", Key="t/obj",
                         Tagging={"TagSet": [{"Key": "stage", "Value": "reviewed"}, {"Key": "owner", "Value": "ops"}]})
    wait_for(lambda: replica_tags(first) == {"stage": "reviewed", "owner": "ops"}, what="the new tags")
    second = a.put_object(Bucket="repl-tags", Key="t/obj", Body=b"two")["VersionId"]
    wait_for(lambda: replica(dest, "replica", "t/obj")[0] == b"two")
    # A noncurrent version's tags, by its id; then no tags at all.
    a.delete_object_tagging(Bucket="repl-tags", Key="t/obj", VersionId=first)
    wait_for(lambda: replica_tags(first) == {}, what="the tags deleted")
    assert replica_tags(second) == {}
    source.stop_clean()
    try:
        sent = [(e.get("version_id"), e.get("status")) for e in export_log(source, "acme")
                if e.get("operation") == "ReplicateObjectTagging" and e.get("key") == "t/obj"]
    finally:
        source.start()
    assert sent == [(first, 200), (first, 204)], sent


def test_legal_hold_and_retention_changes_reach_the_replica(source, dest):
    """As MinIO does: a legal hold placed or lifted and a retention set,
    extended or lifted on a copied version reach its replica (under the
    same version id), each an entry of the tenant's log; the governance
    bypass goes with a retention, for credentials that hold it."""
    a, d = s3(source, ACME), s3(dest, DR)
    a.create_bucket(Bucket="repl-lock", ObjectLockEnabledForBucket=True)
    configure(a, "repl-lock", rule(arn=LOCK_ARN, prefix="l/"))
    version = a.put_object(Bucket="repl-lock", Key="l/doc", Body=b"evidence")["VersionId"]
    wait_for(lambda: replica(dest, "replica-lock", "l/doc"))

    def at_destination():
        try:
            hold = d.get_object_legal_hold(Bucket="replica-lock", Key="l/doc", VersionId=version)["LegalHold"]["Status"]
        except ClientError:
            hold = None
        try:
            kept = d.get_object_retention(Bucket="replica-lock", Key="l/doc", VersionId=version)["Retention"]
            kept = (kept["Mode"], kept["RetainUntilDate"])
        except ClientError:
            kept = None
        return hold, kept

    a.put_object_legal_hold(Bucket="repl-lock", Key="l/doc", LegalHold={"Status": "ON"})
    wait_for(lambda: at_destination()[0] == "ON", what="the legal hold")
    until = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=1)
    a.put_object_retention(Bucket="repl-lock", Key="l/doc", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    wait_for(lambda: at_destination() == ("ON", ("GOVERNANCE", until)), what="the retention")
    # Lifted at the source (the root may bypass governance): lifted at the
    # destination too, whose credentials may as well.
    a.put_object_legal_hold(Bucket="repl-lock", Key="l/doc", LegalHold={"Status": "OFF"})
    a.put_object_retention(Bucket="repl-lock", Key="l/doc", Retention={}, BypassGovernanceRetention=True)
    wait_for(lambda: at_destination() == ("OFF", None), what="the lifted lock")
    d.delete_object(Bucket="replica-lock", Key="l/doc", VersionId=version)  # (nothing protects it any more)
    source.stop_clean()
    try:
        sent = [(e.get("operation"), e.get("status")) for e in export_log(source, "acme")
                if e.get("operation", "").startswith("ReplicateObjectL") or
                e.get("operation", "").startswith("ReplicateObjectR")]
    finally:
        source.start()
    assert sent == [("ReplicateObjectLegalHold", 200), ("ReplicateObjectRetention", 200),
                    ("ReplicateObjectLegalHold", 200), ("ReplicateObjectRetention", 200)], sent


def test_two_servers_replicating_to_each_other_do_not_copy_copies(source, dest, tmp_path):
    """The destination replicates its bucket back to the source: a version
    written on either side reaches the other once, as a REPLICA that is
    never copied back."""
    secret = tmp_path / "back.secret"
    secret.write_text(ACME[1] + "\n")
    os.chmod(secret, 0o600)
    back = tmp_path / "back.toml"
    back.write_text('[[target]]\ntenant = "drsite"\nname = "home"\nendpoint = "%s"\nbucket = "repl-loop"\n'
                    'access_key = "%s"\nsecret_key_file = "%s"\njurisdiction = "FR"\n'
                    % (source.endpoint, ACME[0], secret))
    dest.stop_clean()
    dest.extra_args += ["--replication-targets", str(back)]
    dest.start()
    try:
        a, d = s3(source, ACME), s3(dest, DR)
        versioned_bucket(a, "repl-loop")
        configure(a, "repl-loop", rule())  # to drsite's "replica"
        configure(d, "replica", rule(arn="arn:confiance:replication::drsite:home", prefix="loop/",
                                     SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}}))
        back_rule = d.get_bucket_replication(Bucket="replica")["ReplicationConfiguration"]["Rules"][0]
        assert back_rule["SourceSelectionCriteria"] == {"ReplicaModifications": {"Status": "Enabled"}}
        a.put_object(Bucket="repl-loop", Key="loop/from-source.txt", Body=b"written at the source")
        d.put_object(Bucket="replica", Key="loop/from-dest.txt", Body=b"written at the destination")
        wait_for(lambda: replica(dest, "replica", "loop/from-source.txt"))
        wait_for(lambda: a.head_object(Bucket="repl-loop", Key="loop/from-dest.txt")["ReplicationStatus"] == "REPLICA")
        wait_for(lambda: d.head_object(Bucket="replica", Key="loop/from-dest.txt").get("ReplicationStatus")
                 == "COMPLETED")
        time.sleep(1.0)  # time enough for a copy of a copy to go round
        for client, bucket in ((a, "repl-loop"), (d, "replica")):
            versions = client.list_object_versions(Bucket=bucket, Prefix="loop/")["Versions"]
            assert sorted(v["Key"] for v in versions) == ["loop/from-dest.txt", "loop/from-source.txt"], versions
        # One key written on both sides at once: the copy that arrives after
        # the other side's own write goes in as noncurrent (ids are
        # time-ordered and shared), so both end with the newest as current.
        older = d.put_object(Bucket="replica", Key="loop/both.txt", Body=b"first, at the destination")["VersionId"]
        newer = a.put_object(Bucket="repl-loop", Key="loop/both.txt", Body=b"then at the source")["VersionId"]
        for client, bucket in ((a, "repl-loop"), (d, "replica")):
            wait_for(lambda: version_ids(client, bucket, "loop/both.txt")[0] == {older, newer}, what="both versions")
            assert client.head_object(Bucket=bucket, Key="loop/both.txt")["VersionId"] == newer, bucket
        # ReplicaModifications: a tag change of a replica goes back to the
        # version it copies, and no change goes round (each is marked as
        # replication's where it lands).
        d.put_object_tagging(Bucket="replica", Key="loop/from-source.txt",
                             Tagging={"TagSet": [{"Key": "reviewed", "Value": "at the destination"}]})
        wait_for(lambda: a.get_object_tagging(Bucket="repl-loop", Key="loop/from-source.txt")["TagSet"] == [
            {"Key": "reviewed", "Value": "at the destination"}], what="the replica's tags at the source")
        time.sleep(0.5)  # (the destination counts its send once the answer is in)
        counts = (replications(source), replications(dest))
        time.sleep(1.5)
        assert (replications(source), replications(dest)) == counts
        # A delete marker too: its copy is a replica, never copied back.
        a.delete_object(Bucket="repl-loop", Key="loop/from-source.txt")
        wait_for(lambda: replica(dest, "replica", "loop/from-source.txt") is None)
        time.sleep(1.0)
        for client, bucket in ((a, "repl-loop"), (d, "replica")):
            markers = client.list_object_versions(Bucket=bucket, Prefix="loop/").get("DeleteMarkers", [])
            assert [m["Key"] for m in markers] == ["loop/from-source.txt"], markers
    finally:
        dest.stop_clean()
        dest.extra_args = dest.extra_args[:-2]
        dest.start()


def existing(prefix, **extra):
    return rule(prefix=prefix, ExistingObjectReplication={"Status": "Enabled"}, **extra)


def dest_versions(dest, key):
    """The destination's versions and delete markers of `key`, newest first:
    (body or None for a marker) each."""
    d = s3(dest, DR)
    listed = d.list_object_versions(Bucket="replica", Prefix=key)
    entries = [v for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []) if v["Key"] == key]
    entries.sort(key=lambda v: (v["LastModified"], v["IsLatest"]), reverse=True)
    return [None if "Size" not in v else
            d.get_object(Bucket="replica", Key=key, VersionId=v["VersionId"])["Body"].read() for v in entries]


def test_existing_versions_are_copied_oldest_first(source, dest):
    """ExistingObjectReplication: what the bucket held before the
    configuration reaches the destination, each key's versions in order,
    delete markers too, and a later write still ends up the current one."""
    a = s3(source, ACME)
    versioned_bucket(a, "repl-existing")
    for v in range(3):
        a.put_object(Bucket="repl-existing", Key="e/a", Body=b"a version %d" % v)
    a.put_object(Bucket="repl-existing", Key="e/gone", Body=b"deleted before")
    a.delete_object(Bucket="repl-existing", Key="e/gone")
    a.put_object(Bucket="repl-existing", Key="e/tagged", Body=b"gold", Tagging="class=gold")
    big = os.urandom((6 << 20) + 3)  # over the part size
    a.put_object(Bucket="repl-existing", Key="e/big", Body=big)
    many = {"e/many/%03d" % i: b"many %d" % i for i in range(150)}  # more than a step
    for key, body in many.items():
        a.put_object(Bucket="repl-existing", Key=key, Body=body)
    a.put_object(Bucket="repl-existing", Key="elsewhere/x", Body=b"outside the rule")
    configure(a, "repl-existing", existing("e/"))
    a.put_object(Bucket="repl-existing", Key="e/a", Body=b"a version 3")  # written since

    wait_for(lambda: len(dest_versions(dest, "e/a")) >= 4, what="e/a's versions")
    assert dest_versions(dest, "e/a") == [b"a version %d" % v for v in range(3, -1, -1)]
    wait_for(lambda: dest_versions(dest, "e/gone") == [None, b"deleted before"], what="e/gone")
    assert wait_for(lambda: replica(dest, "replica", "e/big"), timeout=120)[0] == big
    tags = s3(dest, DR).get_object_tagging(Bucket="replica", Key="e/tagged")["TagSet"]
    assert tags == [{"Key": "class", "Value": "gold"}]
    for key, body in many.items():
        assert wait_for(lambda: replica(dest, "replica", key))[0] == body, key
    assert replica(dest, "replica", "elsewhere/x") is None
    oldest = a.list_object_versions(Bucket="repl-existing", Prefix="e/a")["Versions"][-1]
    assert a.head_object(Bucket="repl-existing", Key="e/a", VersionId=oldest["VersionId"])[
        "ReplicationStatus"] == "COMPLETED"
    assert "ReplicationStatus" not in a.head_object(Bucket="repl-existing", Key="elsewhere/x")

    # The same configuration again copies nothing twice: what the
    # destination holds is skipped. A write made after it arrives only once
    # the scan is over (it waits behind it), so then nothing else came.
    counts = {key: len(dest_versions(dest, key)) for key in ("e/a", "e/gone", "e/tagged", "e/many/000")}
    configure(a, "repl-existing", existing("e/"))
    a.put_object(Bucket="repl-existing", Key="e/after-again", Body=b"after")
    wait_for(lambda: replica(dest, "replica", "e/after-again"))
    assert {key: len(dest_versions(dest, key)) for key in counts} == counts


def test_a_scan_of_existing_versions_survives_a_crash(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-rescan")
    keys = ["r/%04d" % i for i in range(1000)]
    for key in keys:
        a.put_object(Bucket="repl-rescan", Key=key, Body=key.encode())
    d = s3(dest, DR)

    def copied():
        return sum(page.get("KeyCount", 0) for page in d.get_paginator("list_objects_v2").paginate(
            Bucket="replica", Prefix="r/"))

    configure(a, "repl-rescan", existing("r/"))
    wait_for(lambda: copied() >= 50, what="the scan's start")
    source.kill()
    at_kill = copied()
    source.start()
    assert at_kill < len(keys), "the scan ended before the kill: nothing was resumed"
    wait_for(lambda: copied() == len(keys), timeout=120, what="every key")
    # Resumed where it stood, and the copy in flight at the kill (its
    # answer lost) is asked about before it goes again: one replica each.
    versions = [v for page in d.get_paginator("list_object_versions").paginate(Bucket="replica", Prefix="r/")
                for v in page.get("Versions", [])]
    assert len(versions) == len(keys), len(versions)
    assert replica(dest, "replica", "r/0999")[0] == b"r/0999"


def test_a_replica_is_written_in_the_rules_storage_class(source, dest):
    a = s3(source, ACME)
    versioned_bucket(a, "repl-class")
    configure(a, "repl-class", rule(prefix="ia/", Destination={"Bucket": DR_ARN, "StorageClass": "STANDARD_IA"}),
              rule(prefix="ir/", priority=2, Destination={"Bucket": DR_ARN, "StorageClass": "GLACIER_IR"}))
    a.put_object(Bucket="repl-class", Key="ia/x", Body=b"in the cold pool")
    wait_for(lambda: replica(dest, "replica", "ia/x"))
    assert s3(dest, DR).head_object(Bucket="replica", Key="ia/x")["StorageClass"] == "STANDARD_IA"
    # A class the destination does not have: it refuses, the copy is given
    # up on with its answer.
    a.put_object(Bucket="repl-class", Key="ir/y", Body=b"nowhere to go")
    wait_for(lambda: a.head_object(Bucket="repl-class", Key="ir/y").get("ReplicationStatus") == "FAILED")
    assert replica(dest, "replica", "ir/y") is None

def test_marking_a_write_a_replica_takes_s3_replicate_object(dest):
    """A replica is never replicated again, so the header that marks one is
    not every writer's: it takes s3:ReplicateObject besides s3:PutObject."""
    writer = ("DRWRITERKEY000000001", "dr-writer-secret-0123456789abcdefg")
    cli(dest, "user", "create", "--tenant", "drsite", "writer", "--access-key", writer[0], "--secret-key", writer[1])
    put_only = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}'
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=put_only, creds=DR)
    w = s3(dest, writer)
    w.meta.events.register("before-sign.s3.*", lambda request, **_: request.headers.__setitem__(
        "x-confiance-replication", "replica"))
    assert s3_code(w.put_object, Bucket="replica", Key="marked/by-writer", Body=b"x") == (403, "AccessDenied")
    assert s3_code(w.create_multipart_upload, Bucket="replica", Key="marked/by-writer") == (403, "AccessDenied")
    assert replica(dest, "replica", "marked/by-writer") is None
    replicate = put_only.replace('"s3:PutObject"', '["s3:PutObject", "s3:ReplicateObject"]')
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=replicate, creds=DR)
    w.put_object(Bucket="replica", Key="marked/by-writer", Body=b"x")
    assert s3(dest, DR).head_object(Bucket="replica", Key="marked/by-writer")["ReplicationStatus"] == "REPLICA"
    # A delete marker marked so takes s3:ReplicateDelete besides s3:DeleteObject.
    delete = put_only.replace('"s3:PutObject"', '["s3:DeleteObject", "s3:ReplicateObject"]')
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=delete, creds=DR)
    assert s3_code(w.delete_object, Bucket="replica", Key="marked/by-writer") == (403, "AccessDenied")
    assert s3(dest, DR).head_object(Bucket="replica", Key="marked/by-writer")["ContentLength"] == 1
    # A tag change marked so takes s3:ReplicateTags besides the tagging action.
    tagging = put_only.replace('"s3:PutObject"', '"s3:PutObjectTagging"')
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=tagging, creds=DR)
    tags = {"TagSet": [{"Key": "k", "Value": "v"}]}
    assert s3_code(w.put_object_tagging, Bucket="replica", Key="marked/by-writer", Tagging=tags) == (403, "AccessDenied")
    tagging = put_only.replace('"s3:PutObject"', '["s3:PutObjectTagging", "s3:ReplicateTags"]')
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=tagging, creds=DR)
    w.put_object_tagging(Bucket="replica", Key="marked/by-writer", Tagging=tags)
    assert s3(dest, DR).get_object_tagging(Bucket="replica", Key="marked/by-writer")["TagSet"] == tags["TagSet"]
    delete = put_only.replace('"s3:PutObject"', '["s3:DeleteObject", "s3:ReplicateDelete"]')
    cli(dest, "policy", "put", "--tenant", "drsite", "--user", "writer", "put", stdin=delete, creds=DR)
    w.delete_object(Bucket="replica", Key="marked/by-writer")
    assert replica(dest, "replica", "marked/by-writer") is None



def test_every_attempt_is_an_entry_of_the_tenants_log(source):
    source.stop_clean()
    try:
        entries = [e for e in export_log(source, "acme") if e.get("principal", {}).get("user") == "replication"]
    finally:
        source.start()
    copied = [e for e in entries if e["operation"] == "ReplicateObject" and "error" not in e]
    large = [e for e in copied if e["key"] == "in/dir/large bin+%.dat"]
    assert large and large[0]["bytes"] == (3 << 20) + 4 and large[0]["status"] == 200, large
    assert large[0]["justification"] == "SYSTEM_MAINTENANCE"
    assert large[0]["details"]["destination"] == DR_ARN and large[0]["details"]["destination_jurisdiction"] == "DE"
    assert large[0]["version_id"]
    markers = [e for e in entries if e["operation"] == "ReplicateDeleteMarker" and e["key"] == "in/small.txt"]
    assert markers and markers[0]["status"] == 204, markers
    refused = [e for e in entries if e["key"] in ("fr-only.txt", "fr-later.txt")]
    assert len(refused) == 2 and all(e["error"] == "ReplicationAbandoned" for e in refused), refused
    assert all("data residency" in e["details"]["reason"] for e in refused)
    # The outage's failed attempts are there too, each retried until copied.
    refused_class = [e for e in entries if e["key"] == "ir/y"]
    assert [e["error"] for e in refused_class] == ["ReplicationAbandoned"], refused_class
    assert "InvalidStorageClass" in refused_class[0]["details"]["reason"], refused_class
    failed = [e for e in entries if e.get("error") == "ReplicationFailed"]
    assert failed and all(e["bucket"] in ("repl-outage", "repl-order", "repl-lost") for e in failed), failed
    # A scan's copies say so; the log path's do not.
    scanned = [e for e in copied if e["bucket"] == "repl-existing"]
    assert {e["key"] for e in scanned if e.get("details", {}).get("existing") == "true"} >= {"e/a", "e/big", "e/tagged"}
    assert [e.get("details", {}).get("existing") for e in scanned if e["key"] == "e/after-again"] == [None]
    assert [e["status"] for e in entries if e["operation"] == "ReplicateDeleteMarker" and e["key"] == "e/gone"] == [204]
    outage_keys = {e["key"] for e in copied if e["bucket"] == "repl-outage"}
    assert outage_keys == {"k%02d" % i for i in range(12)}

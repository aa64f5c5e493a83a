"""Bucket event notifications (docs/notifications.md), end to end: boto3
sets a bucket's notification configuration naming a webhook the operator
declared for its tenant (`--notify-webhook TENANT:NAME=URL`); a receiver on
127.0.0.1 gets S3's event messages, signed with the operator's secret, for
PUT, POST-less writes (copy, multipart) and deletes that match the rules,
in log order; another tenant's webhook cannot be named; a receiver that
fails or a server restart delays events but loses none."""

import hashlib
import hmac
import http.server
import json
import os
import threading
import time

import pytest
import requests

from adminutil import AdminServer, cli, s3, s3_code
from conftest import free_port
from metricsutil import samples, scrape, write_token

ACME = ("ACMENOTIFYROOTKEY001", "acme-notify-root-secret-0123456789")
OTHER = ("OTHERNOTIFYROOTKEY01", "other-notify-root-secret-0123456789")
SECRET = "notify-hmac-secret-0123456789abcdef"
HOOK = "arn:confiance:sqs::acme:hook"
OTHER_HOOK = "arn:confiance:sqs::other:theirs"


class Receiver:
    """A webhook on 127.0.0.1 that keeps what it is sent, and how many
    connections it took; `fail` makes it answer 500 (and keep nothing)."""

    def __init__(self):
        self.messages = []
        self.connections = 0
        self.fail = False
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            # Keeps the connection, as real receivers do: the server's
            # deliveries reuse it (admin::KeepAliveHttpClient).
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    failing = receiver.fail
                    if not failing:
                        receiver.messages.append((self.path, dict(self.headers), body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def records(self, path="/acme"):
        with self.lock:
            return [json.loads(body)["Records"][0] for p, _, body in self.messages if p == path]

    def wait_for(self, n, path="/acme", timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.records(path)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError("%d of %d events after %d s: %r" % (len(self.records(path)), n, timeout,
                                                                 self.records(path)))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, receiver):
    workdir = str(tmp_path_factory.mktemp("notify"))
    secret_file = os.path.join(workdir, "notify.secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret_file, 0o600)
    base = "http://127.0.0.1:%d" % receiver.port
    token_file, token = write_token(workdir)
    srv = AdminServer(workdir, extra_args=[
        "--metrics-token-file", token_file,
        "--notify-webhook", "acme:hook=%s/acme" % base,
        "--notify-webhook", "other:theirs=%s/other" % base,
        "--notify-secret-file", secret_file,
        # Lifecycle "days" of one second, looked at every second.
        "--lifecycle-day-seconds", "1", "--lifecycle-interval", "1"])
    srv.start()
    srv.metrics_token = token
    for tenant, creds in (("acme", ACME), ("other", OTHER)):
        cli(srv, "tenant", "create", tenant, "--access-key", creds[0], "--secret-key", creds[1])
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


def configure(client, bucket, *rules):
    client.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": list(rules)})


def rule(events, prefix=None, suffix=None, rule_id=None, arn=HOOK):
    r = {"QueueArn": arn, "Events": events}
    if rule_id:
        r["Id"] = rule_id
    filters = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v]
    if filters:
        r["Filter"] = {"Key": {"FilterRules": filters}}
    return r


def summary(records):
    return [(r["eventName"], r["s3"]["bucket"]["name"], r["s3"]["object"]["key"]) for r in records]


def test_configuration_is_validated_and_kept(server):
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-config")
    assert a.get_bucket_notification_configuration(Bucket="notify-config").get("QueueConfigurations") is None
    configure(a, "notify-config", rule(["s3:ObjectCreated:*"], prefix="images/", suffix=".jpg", rule_id="imgs"),
              rule(["s3:ObjectRemoved:*"]))
    got = a.get_bucket_notification_configuration(Bucket="notify-config")["QueueConfigurations"]
    assert [(c["Id"], c["QueueArn"], c["Events"]) for c in got][0] == ("imgs", HOOK, ["s3:ObjectCreated:*"])
    assert got[0]["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "images/"},
                                                      {"Name": "Suffix", "Value": ".jpg"}]
    assert len(got[1]["Id"]) == 32, got  # a generated Id
    # Another tenant's webhook is as unknown as a missing one.
    for arn in ("arn:confiance:sqs::other:theirs", "arn:confiance:sqs::acme:nope", "arn:aws:sqs:us-east-1:1:q"):
        assert s3_code(configure, a, "notify-config", rule(["s3:ObjectCreated:*"], arn=arn)) == (
            400, "InvalidArgument"), arn
    for never_sent in ("s3:ObjectRestore:Completed", "s3:LifecycleTransition"):
        assert s3_code(configure, a, "notify-config", rule([never_sent])) == (400, "InvalidArgument")
    assert s3_code(configure, a, "notify-config", rule(["s3:ObjectCreated:*"], prefix="a"),
                   rule(["s3:ObjectCreated:Put"], prefix="ab")) == (400, "InvalidArgument")
    # A refused configuration left the last one in place.
    assert len(a.get_bucket_notification_configuration(Bucket="notify-config")["QueueConfigurations"]) == 2
    # Only the bucket's owner (or whom its policy lets) may change it.
    o = s3(server, OTHER)
    assert s3_code(configure, o, "notify-config", rule(["s3:ObjectCreated:*"])) == (403, "AccessDenied")
    # An empty configuration turns notifications off.
    a.put_bucket_notification_configuration(Bucket="notify-config", NotificationConfiguration={})
    assert a.get_bucket_notification_configuration(Bucket="notify-config").get("QueueConfigurations") is None


def test_events_match_the_rules_and_arrive_in_order(server, receiver):
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-events")
    configure(a, "notify-events", rule(["s3:ObjectCreated:*"], prefix="in/", rule_id="created"),
              rule(["s3:ObjectRemoved:Delete"], prefix="in/", rule_id="removed"))
    before = len(receiver.records())
    connections_before = receiver.connections
    put = a.put_object(Bucket="notify-events", Key="in/red flower.jpg", Body=b"x" * 1000)
    a.put_object(Bucket="notify-events", Key="out/ignored.txt", Body=b"not matched")
    a.copy_object(Bucket="notify-events", Key="in/copy.jpg",
                  CopySource={"Bucket": "notify-events", "Key": "in/red flower.jpg"})
    up = a.create_multipart_upload(Bucket="notify-events", Key="in/big.bin")
    part = a.upload_part(Bucket="notify-events", Key="in/big.bin", UploadId=up["UploadId"], PartNumber=1,
                         Body=b"p" * (5 << 20))
    a.complete_multipart_upload(Bucket="notify-events", Key="in/big.bin", UploadId=up["UploadId"],
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    a.get_object(Bucket="notify-events", Key="in/copy.jpg")["Body"].read()  # a read makes no event
    a.delete_object(Bucket="notify-events", Key="in/copy.jpg")
    a.delete_objects(Bucket="notify-events", Delete={"Objects": [{"Key": "in/big.bin"}, {"Key": "out/ignored.txt"}]})
    records = receiver.wait_for(before + 5)[before:]
    assert summary(records) == [
        ("ObjectCreated:Put", "notify-events", "in/red+flower.jpg"),
        ("ObjectCreated:Copy", "notify-events", "in/copy.jpg"),
        ("ObjectCreated:CompleteMultipartUpload", "notify-events", "in/big.bin"),
        ("ObjectRemoved:Delete", "notify-events", "in/copy.jpg"),
        ("ObjectRemoved:Delete", "notify-events", "in/big.bin"),
    ]
    first = records[0]
    assert first["eventSource"] == "aws:s3" and first["eventVersion"] == "2.1"
    assert first["s3"]["configurationId"] == "created"
    assert first["s3"]["object"]["size"] == 1000
    assert first["s3"]["object"]["eTag"] == put["ETag"].strip('"')
    assert first["s3"]["bucket"]["ownerIdentity"]["principalId"] == "acme"
    assert first["userIdentity"]["principalId"] == "arn:aws:iam::acme:root"
    assert first["responseElements"]["x-amz-request-id"] == put["ResponseMetadata"]["RequestId"]
    assert records[2]["s3"]["object"]["size"] == 5 << 20
    assert records[3]["s3"]["configurationId"] == "removed"
    sequencers = [r["s3"]["object"]["sequencer"] for r in records]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == 5, sequencers
    # Each message is signed with the operator's secret.
    with receiver.lock:
        signed = [(h, body) for p, h, body in receiver.messages if p == "/acme"]
    for headers, body in signed:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Confiance-Signature"] == expected
    # Nothing reached the other tenant's webhook.
    assert receiver.records("/other") == []
    # The five came over one kept connection (at most one new).
    assert receiver.connections - connections_before <= 1, receiver.connections


def test_browser_form_uploads_are_posts(server, receiver):
    """A POST object upload is ObjectCreated:Post, also when the form asked
    for a 303 redirect instead of a 2xx."""
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-forms")
    configure(a, "notify-forms", rule(["s3:ObjectCreated:Post"]))
    before = len(receiver.records())
    for key, fields, conditions in (
            ("plain.txt", None, None),
            ("redirected.txt", {"success_action_redirect": "http://app.example/done"},
             [["starts-with", "$success_action_redirect", "http://app.example/"]])):
        p = a.generate_presigned_post(Bucket="notify-forms", Key=key, Fields=fields, Conditions=conditions,
                                      ExpiresIn=600)
        r = requests.post(p["url"], data=p["fields"], files={"file": (key, b"form body")}, allow_redirects=False,
                          timeout=30)
        assert r.status_code in (204, 303), r.content
    records = receiver.wait_for(before + 2)[before:]
    assert summary(records) == [("ObjectCreated:Post", "notify-forms", "plain.txt"),
                                ("ObjectCreated:Post", "notify-forms", "redirected.txt")]
    assert records[1]["s3"]["object"]["size"] == len(b"form body")


def test_delete_markers_of_a_versioned_bucket(server, receiver):
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-versions")
    a.put_bucket_versioning(Bucket="notify-versions", VersioningConfiguration={"Status": "Enabled"})
    configure(a, "notify-versions", rule(["s3:ObjectRemoved:*"]))
    v = a.put_object(Bucket="notify-versions", Key="doc", Body=b"v1")["VersionId"]
    before = len(receiver.records())
    marker = a.delete_object(Bucket="notify-versions", Key="doc")["VersionId"]
    a.delete_object(Bucket="notify-versions", Key="doc", VersionId=v)
    records = receiver.wait_for(before + 2)[before:]
    assert [(r["eventName"], r["s3"]["object"].get("versionId")) for r in records] == [
        ("ObjectRemoved:DeleteMarkerCreated", marker), ("ObjectRemoved:Delete", v)]


def test_tagging_and_acl_changes(server, receiver):
    """s3:ObjectTagging:* and s3:ObjectAcl:Put, with the version they
    changed; a refused change makes no event."""
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-tags")
    a.put_bucket_versioning(Bucket="notify-tags", VersioningConfiguration={"Status": "Enabled"})
    configure(a, "notify-tags", rule(["s3:ObjectTagging:*", "s3:ObjectAcl:Put"]))
    v = a.put_object(Bucket="notify-tags", Key="doc", Body=b"v1")["VersionId"]
    before = len(receiver.records())
    a.put_object_tagging(Bucket="notify-tags", Key="doc", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    a.delete_object_tagging(Bucket="notify-tags", Key="doc", VersionId=v)
    a.put_object_acl(Bucket="notify-tags", Key="doc", ACL="public-read")
    assert s3_code(a.put_object_tagging, Bucket="notify-tags", Key="missing",
                   Tagging={"TagSet": []}) == (404, "NoSuchKey")
    a.put_object(Bucket="notify-tags", Key="after", Body=b"not matched")  # ObjectCreated: not asked for
    a.put_object_tagging(Bucket="notify-tags", Key="doc", Tagging={"TagSet": []})
    records = receiver.wait_for(before + 4)[before:]
    assert [(r["eventName"], r["s3"]["object"]["key"], r["s3"]["object"].get("versionId")) for r in records] == [
        ("ObjectTagging:Put", "doc", v), ("ObjectTagging:Delete", "doc", v), ("ObjectAcl:Put", "doc", v),
        ("ObjectTagging:Put", "doc", v)]


def test_lifecycle_expirations(server, receiver):
    """s3:LifecycleExpiration:* once the lifecycle worker has removed an
    object (Delete) or, in a versioned bucket, written a delete marker over
    it (DeleteMarkerCreated, with the marker's version id)."""
    a = s3(server, ACME)
    before = len(receiver.records())
    for name, versioned in (("notify-expire", False), ("notify-expire-v", True)):
        a.create_bucket(Bucket=name)
        if versioned:
            a.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        configure(a, name, rule(["s3:LifecycleExpiration:*"]))
        a.put_object(Bucket=name, Key="tmp/old", Body=b"x")
        a.put_object(Bucket=name, Key="keep/this", Body=b"y")
        a.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
            {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    records = receiver.wait_for(before + 2)[before:]
    got = sorted((r["eventName"], r["s3"]["bucket"]["name"], r["s3"]["object"]["key"]) for r in records)
    assert got == [("LifecycleExpiration:Delete", "notify-expire", "tmp/old"),
                   ("LifecycleExpiration:DeleteMarkerCreated", "notify-expire-v", "tmp/old")], got
    assert all(r["userIdentity"]["principalId"] == "confiance:lifecycle" for r in records), records
    markers = a.list_object_versions(Bucket="notify-expire-v", Prefix="tmp/")["DeleteMarkers"]
    marker_event = [r for r in records if r["eventName"].endswith("DeleteMarkerCreated")][0]
    assert marker_event["s3"]["object"]["versionId"] == markers[0]["VersionId"], (marker_event, markers)
    assert s3_code(a.head_object, Bucket="notify-expire", Key="tmp/old")[0] == 404
    assert a.get_object(Bucket="notify-expire", Key="keep/this")["Body"].read() == b"y"


def test_a_failing_receiver_or_a_restart_loses_no_event(server, receiver):
    a = s3(server, ACME)
    a.create_bucket(Bucket="notify-retry")
    configure(a, "notify-retry", rule(["s3:ObjectCreated:*"]))
    before = len(receiver.records())
    with receiver.lock:
        receiver.fail = True
    for i in range(3):
        a.put_object(Bucket="notify-retry", Key="k%d" % i, Body=b"x")
    time.sleep(1.5)  # attempts fail and are retried later
    # The metrics show the webhook retrying, the three PUTs queued (as of
    # the dispatcher's next retry, within 1 + 2 + 4 s), the other webhook not.
    labels = frozenset({("target", HOOK)})
    deadline = time.time() + 15
    while True:
        m = samples(scrape(server, server.metrics_token))
        if m[("confiance_notification_log_entries_behind", labels)] >= 3 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert m[("confiance_notification_log_entries_behind", labels)] >= 3
    assert m[("confiance_notification_retrying", labels)] == 1
    assert m[("confiance_notification_retrying", frozenset({("target", OTHER_HOOK)}))] == 0
    server.stop_clean()
    with receiver.lock:
        receiver.fail = False
    server.start()
    a = s3(server, ACME)
    a.put_object(Bucket="notify-retry", Key="after-restart", Body=b"y")
    records = receiver.wait_for(before + 4, timeout=60)[before:]
    keys = [r["s3"]["object"]["key"] for r in records]
    # In log order; a retried message may come twice (at least once).
    assert [k for i, k in enumerate(keys) if k not in keys[:i]] == ["k0", "k1", "k2", "after-restart"], keys
    r = cli(server, "--json", "tenant", "show", "acme")  # the server answers as usual
    assert r.json()["id"] == "acme"

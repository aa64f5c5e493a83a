"""The suite-wide transparency-log check (issue 7: "every S3 operation in
the end-to-end suite appears exactly once in the right tenant's log").

Every boto3 client made by conftest's Server.client() records each response
it receives: operation, bucket, key, HTTP status and the request id the
server returned. When a test module's server stops, check_server_log()
reads every log of its data directory offline (`confiance log list` and
`confiance log export`) and asserts that each recorded response has exactly
one entry, in one log only, with the same status, and (for a success) the
same operation, bucket and key (a cross-tenant copy has one more entry, in
the source owner's log); and that the successful requests on a bucket,
its CreateBucket included, all sit in one log: the log of the tenant that
created it, its owner. A response the client received was by construction
sent after its entry was durable, so this holds across SIGKILLs too."""

import collections
import json
import subprocess
import threading


class ResponseLedger:
    def __init__(self):
        self.lock = threading.Lock()
        self.responses = []  # (request id, operation, bucket, key, status)

    def attach(self, client):
        events = client.meta.events

        def stash(params, context, **_kw):
            context["confiance_target"] = (params.get("Bucket", ""), params.get("Key", ""))

        def record(http_response, parsed, model, context, **_kw):
            rid = http_response.headers.get("x-amz-request-id")
            if not rid:
                return  # not answered by the S3 layer (e.g. HTTP framing errors)
            bucket, key = context.get("confiance_target", ("", ""))
            with self.lock:
                self.responses.append((rid, model.name, bucket, key, http_response.status_code))

        events.register("provide-client-params.s3.*", stash)
        events.register("after-call.s3.*", record)
        return client


def _run(binary, *args):
    cp = subprocess.run([binary, "log"] + list(args), capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, "confiance log %s: %r" % (" ".join(args), cp)
    return cp.stdout


def read_logs(binary, data_dir):
    """{origin: [decoded entries]} of every log in `data_dir`."""
    logs = {}
    for line in _run(binary, "list", "--data", data_dir).splitlines():
        origin, _size = line.rsplit(" ", 1)
        name = origin.split("/", 1)[1]
        args = ["--operator"] if name == "operator" else ["--tenant", name.split("/", 1)[1]]
        out = _run(binary, "export", "--data", data_dir, *args)
        logs[origin] = [json.loads(entry) for entry in out.splitlines()]
    return logs


def check_server_log(binary, data_dir, ledger):
    with ledger.lock:
        responses = list(ledger.responses)
    if not responses:
        return
    logs = read_logs(binary, data_dir)
    where = collections.defaultdict(list)  # request id -> [(origin, entry)]
    for origin, entries in logs.items():
        for e in entries:
            if e.get("request_id"):
                where[e["request_id"]].append((origin, e))
    problems = []
    bucket_logs = collections.defaultdict(set)
    for rid, op, bucket, key, status in responses:
        everywhere = where.get(rid, [])
        # A DeleteObjects request has, besides its own entry (no key), one
        # entry per key it named, in the same log(s).
        keyed = [(o, e) for o, e in everywhere if e.get("operation") == "DeleteObjects" and e.get("key")]
        everywhere = [(o, e) for o, e in everywhere if (o, e) not in keyed]
        if keyed and (op != "DeleteObjects" or {o for o, _ in keyed} != {o for o, _ in everywhere}):
            problems.append("%s %s: per-key entries %r" % (rid, op, keyed))
        # A copy from another tenant's bucket has a second entry, in the
        # source owner's log under the source's name; the request's own
        # entry names the bucket it was sent to.
        # A request signed by an operator key on a tenant's data (the
        # lockbox) is in the tenant's log and, as the same event, in the
        # operator log: the latter copy is not a second entry.
        if len(everywhere) == 2 and everywhere[0][1] == everywhere[1][1] and \
                everywhere[0][1].get("principal", {}).get("type") == "operator" and \
                sum(o.endswith("/operator") for o, _ in everywhere) == 1:
            everywhere = [(o, e) for o, e in everywhere if not o.endswith("/operator")]
        found = [(o, e) for o, e in everywhere if not bucket or e.get("bucket", "") == bucket]
        extra = [e for o, e in everywhere if (o, e) not in found]
        if any(e.get("operation") not in ("CopyObject", "UploadPartCopy") for e in extra) or len(extra) > 1:
            problems.append("%s %s: unexpected entries %r" % (rid, op, extra))
        if len(found) != 1:
            problems.append("%s %s %s/%s -> %d: %d entries %r" % (rid, op, bucket, key, status, len(found),
                                                                   [o for o, _ in found]))
            continue
        origin, e = found[0]
        if e.get("status") != status:
            problems.append("%s %s: status %s logged, %s received" % (rid, op, e.get("status"), status))
        if 200 <= status < 300:
            if e.get("operation") != op or e.get("bucket", "") != bucket or e.get("key", "") != key:
                problems.append("%s: logged %s %s/%s, sent %s %s/%s" % (
                    rid, e.get("operation"), e.get("bucket", ""), e.get("key", ""), op, bucket, key))
            if bucket:
                bucket_logs[bucket].add(origin)
    for bucket, origins in bucket_logs.items():
        if len(origins) != 1:  # (a bucket name reused by another tenant would land here)
            problems.append("successful requests on bucket %s logged in several logs: %r" % (bucket, sorted(origins)))
    assert not problems, "%d of %d responses not logged exactly once as sent:\n%s" % (
        len(problems), len(responses), "\n".join(problems[:20]))

#!/usr/bin/python3
"""Crash-test harness for versioned buckets: the SIGKILL / restart rounds of
crash_harness.py on a bucket with versioning Enabled, checking the version
chain of every key after each restart.

Each round, concurrent workers on a shared key space: PUT (0 B to 1 MiB),
DELETE without a version id (writes a delete marker), DELETE of a known
version by its id (the current one too, which promotes the next), and
multipart uploads (one 5 MiB part plus a small one) that are completed.
After a random 0.2-1.5 s the server gets SIGKILL, is restarted, and every
key's versions (ListObjectVersions, read raw so that objects and delete
markers keep their order) are checked against the model:
  - no lost version: every acknowledged version (PUT, Complete, delete
    marker) whose deletion by id was never sent is listed, with the size,
    ETag and kind (object or marker) it was acknowledged with; this
    round's versions and a sample of older ones are read back by id and
    must be byte-identical (MD5 of the whole body);
  - no version from nowhere: a listed version the model does not know must
    be a write that was in flight at the kill (same kind and size, MD5 on
    GET), each in-flight write explaining at most one; so no dangling or
    resurrected delete marker, no torn object; an in-flight write that did
    not show up after its restart must never appear later;
  - an acknowledged deletion by id is never undone;
  - the latest pointer is right: each key lists exactly one IsLatest, first;
    a version acknowledged before another was sent is listed as older;
    GET without a version id serves the latest version (404 NoSuchKey when
    it is a delete marker), and ListObjectsV2 lists exactly the keys whose
    latest version is an object, with its size and ETag;
  - no request failed while the server was up, and it restarts healthy.

Usage:
  crash_versions.py [--rounds 30] [--seed S] [--binary PATH] [--workers 4]
                    [--max-seconds 3600] [--keep] [--self-check]
--self-check deletes one acknowledged version behind the model's back in
the last round and succeeds only if that round fails with the loss.
Exit status 0 only if no round failed.
"""

import argparse
import hashlib
import random
import shutil
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

# (Importing crash_harness also sandboxes the AWS settings.)
from crash_harness import (KiB, MiB, Counters, LoadWorker, Server, body, kill_round, list_current, pick_put_size,
                           upload_parts)

from botocore.exceptions import ClientError

BUCKET = "crashv"
MARKER = ("marker",)
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class VRec:
    """One version of a key: an object ((md5, size), etag) or a MARKER."""
    __slots__ = ("id", "state", "etag", "start", "ack", "del_start", "del_ack", "what", "round")

    def __init__(self, state, start, what, rnd, etag=None):
        self.id = None
        self.state = state
        self.etag = etag
        self.start = start
        self.ack = None
        self.del_start = None
        self.del_ack = None
        self.what = what
        self.round = rnd

    def __repr__(self):
        return "%s %s%s" % (self.what, self.id, "" if self.ack is not None else " (unacked)")


class Model:
    def __init__(self):
        self.lock = threading.Lock()
        self.versions = {}   # key -> [VRec] known (acknowledged, or seen after a restart)
        self.pending = {}    # key -> [VRec] this round's writes not (yet) acknowledged
        self.round = 0

    def begin(self, key, state, what, etag=None):
        v = VRec(state, time.monotonic(), what, self.round, etag)
        with self.lock:
            self.pending.setdefault(key, []).append(v)
        return v

    def acked(self, key, v, version_id, etag=None):
        with self.lock:
            v.id = version_id
            v.ack = time.monotonic()
            if etag is not None:
                v.etag = etag
            self.pending[key].remove(v)
            self.versions.setdefault(key, []).append(v)

    def pick_live(self, rng, key):
        with self.lock:
            live = [v for v in self.versions.get(key, []) if v.del_start is None]
            if not live:
                return None
            v = rng.choice(live)
            v.del_start = time.monotonic()
            return v


class Worker(LoadWorker):
    def one(self, c):
        key = "k/%02d" % self.rng.randrange(self.cfg.keys)
        r = self.rng.random()
        if r < 0.15:
            self.op_name = "delete (marker)"
            v = self.model.begin(key, MARKER, "marker")
            resp = c.delete_object(Bucket=BUCKET, Key=key)
            if not resp.get("DeleteMarker") or not resp.get("VersionId"):
                self.errors.append("DELETE %s: no delete marker in %r" % (key, resp))
            self.model.acked(key, v, resp.get("VersionId"))
            self.counters.add("delete-marker")
        elif r < 0.42:
            self.op_name = "delete version"
            v = self.model.pick_live(self.rng, key)
            if v is None:
                return
            c.delete_object(Bucket=BUCKET, Key=key, VersionId=v.id)
            v.del_ack = time.monotonic()
            self.counters.add("delete-version")
        elif r < 0.42 + self.cfg.multipart_share:
            self.op_name = "multipart"
            sizes = [5 * MiB, self.rng.randrange(1, 100 * KiB)]
            started = upload_parts(c, BUCKET, key, sizes, self.rng, self.stop)
            if started is None:
                return
            uid, parts, md5 = started
            v = self.model.begin(key, (md5, sum(sizes)), "multipart")
            resp = c.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid,
                                               MultipartUpload={"Parts": parts})
            self.model.acked(key, v, resp.get("VersionId"), etag=resp["ETag"].strip('"'))
            self.counters.add("multipart")
        else:
            self.op_name = "put"
            size = pick_put_size(self.rng, zero=0.10, small=0.70, large_max=1 * MiB)
            data = body(self.rng.getrandbits(64), size)
            md5 = hashlib.md5(data).hexdigest()
            v = self.model.begin(key, (md5, size), "put %d B" % size, etag=md5)
            resp = c.put_object(Bucket=BUCKET, Key=key, Body=data)
            if not resp.get("VersionId"):
                self.errors.append("PUT %s: no version id" % key)
            self.model.acked(key, v, resp.get("VersionId"))
            self.counters.add("put")


# ---------------------------------------------------------------- verify
def list_versions_raw(c):
    """Every version of the bucket, in listing order: key -> [(id, latest,
    is_marker, etag, size)], newest first. Read from the raw XML, where
    objects and delete markers keep their relative order."""
    raw = []
    hook = lambda http_response, **kw: raw.append(http_response.content)  # noqa: E731
    c.meta.events.register("after-call.s3.ListObjectVersions", hook)
    out = {}
    kw = {"Bucket": BUCKET, "MaxKeys": 500}
    try:
        for _ in range(10000):
            raw.clear()
            r = c.list_object_versions(**kw)
            root = ET.fromstring(raw[-1])
            for el in root:
                tag = el.tag.replace(NS, "")
                if tag not in ("Version", "DeleteMarker"):
                    continue
                key = el.findtext(NS + "Key")
                out.setdefault(key, []).append((
                    el.findtext(NS + "VersionId"), el.findtext(NS + "IsLatest") == "true",
                    tag == "DeleteMarker", (el.findtext(NS + "ETag") or "").strip('"'),
                    int(el.findtext(NS + "Size") or 0)))
            if not r.get("IsTruncated"):
                break
            kw["KeyMarker"] = r["NextKeyMarker"]
            kw["VersionIdMarker"] = r["NextVersionIdMarker"]
    finally:
        c.meta.events.unregister("after-call.s3.ListObjectVersions", hook)
    return out


def get_md5(c, key, version_id=None):
    kw = {"Bucket": BUCKET, "Key": key}
    if version_id:
        kw["VersionId"] = version_id
    r = c.get_object(**kw)
    data = r["Body"].read()
    return (hashlib.md5(data).hexdigest(), len(data)), r["ETag"].strip('"')


def matches(v, entry):
    _, _, is_marker, etag, size = entry
    if v.state == MARKER:
        return is_marker
    return not is_marker and size == v.state[1] and (v.etag is None or etag == v.etag)


def verify(server, model, rng, problems):
    """Checks every key's chain; returns the number of acknowledged versions checked."""
    c = server.client(read_timeout=60)
    try:
        listing = list_versions_raw(c)
    except Exception as e:  # noqa: BLE001
        problems.append("ListObjectVersions failed: %r" % e)
        return 0
    checked = 0
    keys = set(listing) | set(model.versions) | set(model.pending)
    for key in sorted(keys):
        entries = listing.get(key, [])
        pos = {e[0]: i for i, e in enumerate(entries)}
        # The latest pointer.
        latest = [i for i, e in enumerate(entries) if e[1]]
        if entries and latest != [0]:
            problems.append("%s: IsLatest at %s, want exactly the first of %d" % (key, latest, len(entries)))
        known = model.versions.get(key, [])
        known_ids = {v.id for v in known}
        kept = []
        for v in known:
            present = v.id in pos
            if v.del_ack is not None:
                if present:
                    problems.append("%s: version %s deleted (acknowledged) but listed again" % (key, v))
                continue
            if not present:
                if v.del_start is None:
                    problems.append("%s: version %s lost" % (key, v))
                continue  # an unacknowledged deletion that landed
            v.del_start = None
            checked += 1
            entry = entries[pos[v.id]]
            if not matches(v, entry):
                problems.append("%s: version %s listed as %r" % (key, v, entry))
            elif v.state != MARKER and (v.round == model.round or rng.random() < 0.05):
                try:
                    state, _ = get_md5(c, key, v.id)
                    if state != v.state:
                        problems.append("%s: version %s reads %r, want %r" % (key, v, state, v.state))
                except Exception as e:  # noqa: BLE001
                    problems.append("%s: GET version %s failed: %r" % (key, v, e))
            kept.append(v)
        # Versions the model does not know: writes in flight at the kill.
        pending = list(model.pending.get(key, []))
        for entry in entries:
            if entry[0] in known_ids:
                continue
            match = None
            for p in pending:
                if matches(p, entry):
                    if p.state != MARKER:
                        try:
                            state, _ = get_md5(c, key, entry[0])
                        except Exception as e:  # noqa: BLE001
                            problems.append("%s: GET version %s failed: %r" % (key, entry[0], e))
                            break
                        if state != p.state:
                            continue
                    match = p
                    break
            if match is None:
                problems.append("%s: version %r from no write in flight" % (key, entry))
                continue
            pending.remove(match)
            match.id = entry[0]
            kept.append(match)
        # Order: a version acknowledged before another was sent is older.
        for a in kept:
            for b in kept:
                if a.ack is not None and b.start > a.ack and pos[b.id] > pos[a.id]:
                    problems.append("%s: %s (sent after %s was acknowledged) is listed as older" % (key, b, a))
        # GET without a version id serves the latest.
        try:
            state, etag = get_md5(c, key)
            if not entries or entries[0][2]:
                problems.append("%s: GET served %r, latest is %s" % (key, state, entries[0] if entries else "none"))
            elif (etag, state[1]) != (entries[0][3], entries[0][4]):
                problems.append("%s: GET served etag %s size %d, latest is %r" % (key, etag, state[1], entries[0]))
        except ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchKey" or (entries and not entries[0][2]):
                problems.append("%s: GET failed %r; latest is %s" % (key, e, entries[0] if entries else "none"))
        except Exception as e:  # noqa: BLE001
            problems.append("%s: GET failed: %r" % (key, e))
        model.versions[key] = kept
    model.pending = {}
    # Current listing = keys whose latest version is an object.
    want = {k: (e[0][3], e[0][4]) for k, e in listing.items() if e and not e[0][2]}
    got = {k: (etag.strip('"'), size) for k, (etag, size) in list_current(c, BUCKET, problems).items()}
    if got != want:
        diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        problems.append("ListObjectsV2 disagrees with the latest versions for %s" % diff[:10])
    # Leftover uploads (a completion in flight at the kill, which the
    # start-up settled back to in progress): abort them.
    try:
        for u in c.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
            try:
                c.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=u["UploadId"])
            except ClientError as e:
                problems.append("upload %s of %s is listed but cannot be aborted: %s"
                                % (u["UploadId"], u["Key"], e.response["Error"]["Code"]))
    except Exception as e:  # noqa: BLE001
        problems.append("ListMultipartUploads failed: %r" % e)
    return checked


def secretly_delete_one_version(server, model, out):
    """Self-check: removes one acknowledged version without telling the
    model, as a lost version would look; verify must report it."""
    c = server.client()
    for key, versions in sorted(model.versions.items()):
        for v in versions:
            if v.del_start is None and v.id:
                c.delete_object(Bucket=BUCKET, Key=key, VersionId=v.id)
                print("self-check: deleted %s of %s behind the model's back" % (v.id, key), file=out, flush=True)
                return
    raise RuntimeError("self-check: no version to delete")


# ---------------------------------------------------------------- driver
class Config:
    def __init__(self, rounds=30, seed=None, binary=None, workers=4, max_seconds=3600.0, keys=24,
                 min_load=0.2, max_load=1.5, multipart_share=0.02, max_ops_per_worker=2000,
                 start_timeout=30.0, keep=False, self_check=False):
        import os
        self.rounds = rounds
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self.binary = binary or os.environ.get("CONFIANCE_BIN")
        self.workers, self.max_seconds, self.keys = workers, max_seconds, keys
        self.min_load, self.max_load = min_load, max_load
        self.multipart_share = multipart_share
        self.max_ops_per_worker = max_ops_per_worker
        self.start_timeout = start_timeout
        self.keep = keep
        self.self_check = self_check


def run(cfg, out=sys.stdout):
    workdir = tempfile.mkdtemp(prefix="confiance-crashv-")
    server = Server(cfg.binary, workdir)
    model = Model()
    counters = Counters()
    master = random.Random(cfg.seed)
    t0 = time.monotonic()
    passed = failed = checked_total = 0
    max_restart = 0.0
    time_bounded = False
    last_problems = [""]
    print("versioned crash harness: seed %d, %d rounds, %d workers, workdir %s"
          % (cfg.seed, cfg.rounds, cfg.workers, workdir), file=out, flush=True)
    try:
        server.start(cfg.start_timeout)
        c = server.client()
        c.create_bucket(Bucket=BUCKET)
        c.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        for rnd in range(1, cfg.rounds + 1):
            if time.monotonic() - t0 > cfg.max_seconds:
                time_bounded = True
                break
            model.round = rnd
            load = master.uniform(cfg.min_load, cfg.max_load)
            before = dict(counters.ops)
            seeds = [master.getrandbits(64) for _ in range(cfg.workers)]
            problems, took = kill_round(
                server, [lambda stop, kill_time, errors, seed=seed:
                         Worker(cfg, server, model, counters, seed, stop, kill_time, errors) for seed in seeds],
                load, cfg.start_timeout)
            if took is None:
                failed += 1
                print("round %d FAIL: %s" % (rnd, problems[-1]), file=out, flush=True)
                break
            max_restart = max(max_restart, took)
            if cfg.self_check and rnd == cfg.rounds:
                secretly_delete_one_version(server, model, out)
            checked = verify(server, model, master, problems)
            checked_total += checked
            ops = {k: v - before.get(k, 0) for k, v in counters.ops.items()}
            nversions = sum(len(v) for v in model.versions.values())
            last_problems[0] = " ".join(problems)
            if problems:
                failed += 1
            else:
                passed += 1
            print("round %d %s: load %.2fs, acked %s, %d versions checked, %d versions held, restart %.2fs%s"
                  % (rnd, "FAIL" if problems else "ok", load,
                     " ".join("%s=%d" % kv for kv in sorted(ops.items())), checked, nversions, took,
                     "" if not problems else "\n    " + "\n    ".join(problems[:20])),
                  file=out, flush=True)
    finally:
        server.kill()
    print("%d passed, %d failed" % (passed, failed), file=out)
    print("figures: rounds %d%s, acknowledged ops %d (%s), versions checked after a crash %d, "
          "max restart-to-healthy %.2fs, total %.0fs, seed %d"
          % (passed + failed, " (stopped by --max-seconds)" if time_bounded else "",
             sum(counters.ops.values()), " ".join("%s=%d" % kv for kv in sorted(counters.ops.items())),
             checked_total, max_restart, time.monotonic() - t0, cfg.seed), file=out, flush=True)
    ok = failed == 0 and passed > 0
    if cfg.self_check:
        # The last round must have failed (and only it): the checker saw the loss.
        ok = failed == 1 and passed == cfg.rounds - 1 and "lost" in last_problems[0]
        print("self-check %s: the version deleted behind the model's back was %s"
              % ("ok" if ok else "FAILED", "reported" if ok else "not reported"), file=out, flush=True)
    if ok and not cfg.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print("data dir and server log kept in %s" % workdir, file=out, flush=True)
    return ok


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--binary", default=None)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=3600.0)
    p.add_argument("--keys", type=int, default=24)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--self-check", action="store_true",
                   help="in the last round, delete one version behind the model's back; succeed only if reported")
    a = p.parse_args(argv)
    cfg = Config(rounds=a.rounds, seed=a.seed, binary=a.binary, workers=a.workers,
                 max_seconds=a.max_seconds, keys=a.keys, keep=a.keep, self_check=a.self_check)
    if not cfg.binary:
        raise SystemExit("no confiance binary: pass --binary or set CONFIANCE_BIN")
    return 0 if run(cfg) else 1


if __name__ == "__main__":
    sys.exit(main())

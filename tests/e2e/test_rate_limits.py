"""Per-tenant request rate limits (docs/tenancy.md, "Rate limits"): an
operator sets them with `confiance admin tenant set-rate-limit`; a tenant
over them gets 503 SlowDown, which S3 clients retry with backoff; other
tenants and the other class of requests are not touched; byte limits run
into debt that later requests wait out; anonymous requests count against
the bucket owner; every refusal is in the tenant's transparency log and
in confiance_s3_throttled_requests_total."""

import json
import time

import pytest

from adminutil import AdminServer, cli, export_log, s3, s3_code
from conftest import unique_bucket
from metricsutil import samples, scrape, value, write_token

GAMMA_ROOT = ("GAMMAROOTKEY00000001", "gamma-root-secret-0123456789")
DELTA_ROOT = ("DELTAROOTKEY00000001", "delta-root-secret-0123456789")
SLOW = (503, "SlowDown")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("ratelimits"))
    path, token = write_token(workdir)
    srv = AdminServer(workdir, extra_args=["--metrics-token-file", path])
    srv.metrics_token = token
    srv.start()
    yield srv
    if srv.alive():
        srv.stop_clean()
    srv.check_transparency_log()


@pytest.fixture(scope="module")
def world(server):
    for tenant, creds in (("gamma", GAMMA_ROOT), ("delta", DELTA_ROOT)):
        cli(server, "tenant", "create", tenant, "--access-key", creds[0],
            "--secret-key", creds[1])
    buckets = {}
    for tenant, creds in (("gamma", GAMMA_ROOT), ("delta", DELTA_ROOT)):
        b = unique_bucket(tenant)
        c = s3(server, creds)
        c.create_bucket(Bucket=b)
        c.put_object(Bucket=b, Key="small", Body=b"x" * 100)
        c.put_object(Bucket=b, Key="big", Body=b"y" * 200_000)
        buckets[tenant] = b
    return buckets


def set_limits(server, tenant, *flags):
    return cli(server, "--json", "tenant", "set-rate-limit", tenant, *flags).json()


def outcomes(fn, n, **kw):
    """(successes, [errors]) of n calls of fn(**kw), as fast as they go."""
    ok, errors = 0, []
    for _ in range(n):
        try:
            fn(**kw)
            ok += 1
        except Exception as e:  # noqa: BLE001 - ClientError, compared below
            errors.append((e.response["ResponseMetadata"]["HTTPStatusCode"],
                           e.response["Error"]["Code"]))
    return ok, errors


def quiet(seconds=1.2):
    """Lets every bucket refill (one second's worth is the burst)."""
    time.sleep(seconds)


def test_set_and_show_limits(server, world):
    doc = set_limits(server, "gamma", "--read-ops", "5", "--write-bytes", "1MiB")
    assert doc["rate_limits"] == {"read_ops_per_second": 5,
                                  "write_ops_per_second": 0,
                                  "read_bytes_per_second": 0,
                                  "write_bytes_per_second": 1 << 20}
    r = cli(server, "tenant", "show", "gamma")
    assert "Rate limits:   reads 5 requests/s; writes 1 MiB/s" in r.out, r
    r = cli(server, "tenant", "set-rate-limit", "gamma", expect=2)
    assert "at least one of" in r.err, r
    # A tenant's root cannot lift its own limits (operators set them).
    r = cli(server, "tenant", "set-rate-limit", "gamma", "--read-ops", "0",
            creds=GAMMA_ROOT, expect=1)
    assert "AccessDenied" in r.err, r
    set_limits(server, "gamma", "--read-ops", "0", "--write-bytes", "0")


def test_requests_over_the_limit_slow_down(server, world):
    g = s3(server, GAMMA_ROOT)
    bucket = world["gamma"]
    set_limits(server, "gamma", "--read-ops", "5")
    quiet()
    started = time.monotonic()
    ok, errors = outcomes(g.get_object, 20, Bucket=bucket, Key="small")
    elapsed = time.monotonic() - started
    # The burst of 5, plus what 5/s earned while the loop ran.
    assert 5 <= ok <= 5 + int(5 * elapsed) + 1, (ok, elapsed)
    assert errors and set(errors) == {SLOW}, errors
    # Writes are another class; another tenant has no limits.
    ok_w, errors_w = outcomes(g.put_object, 10, Bucket=bucket, Key="w", Body=b"w")
    assert (ok_w, errors_w) == (10, [])
    d = s3(server, DELTA_ROOT)
    assert outcomes(d.get_object, 20, Bucket=world["delta"], Key="small") == (20, [])
    # After a quiet second the tenant reads again.
    quiet()
    g.get_object(Bucket=bucket, Key="small")
    # A client that retries (boto3's standard mode backs off on SlowDown)
    # gets every answer, at the tenant's rate.
    patient = server.client(access_key=GAMMA_ROOT[0], secret_key=GAMMA_ROOT[1],
                            retries={"max_attempts": 10, "mode": "standard"})
    quiet()
    for _ in range(12):
        assert patient.get_object(Bucket=bucket, Key="small")["Body"].read() == b"x" * 100
    set_limits(server, "gamma", "--read-ops", "0")
    assert outcomes(g.get_object, 30, Bucket=bucket, Key="small") == (30, [])


def test_byte_limits_run_into_debt(server, world):
    g = s3(server, GAMMA_ROOT)
    bucket = world["gamma"]
    body = b"z" * 200_000
    set_limits(server, "gamma", "--write-bytes", "100KB", "--read-bytes", "100KB")
    quiet()
    # A body twice the limit passes (the bucket was full), and is owed.
    g.put_object(Bucket=bucket, Key="debt", Body=body)
    assert s3_code(g.put_object, Bucket=bucket, Key="next", Body=b"1") == SLOW
    # Reads are charged after the response, with their own budget.
    assert g.get_object(Bucket=bucket, Key="big")["Body"].read() == b"y" * 200_000
    assert s3_code(g.get_object, Bucket=bucket, Key="small") == SLOW
    # About one second pays 100 KB of debt back.
    time.sleep(1.3)
    g.put_object(Bucket=bucket, Key="next", Body=b"1")
    assert g.get_object(Bucket=bucket, Key="small")["Body"].read() == b"x" * 100
    set_limits(server, "gamma", "--write-bytes", "0", "--read-bytes", "0")
    g.put_object(Bucket=bucket, Key="free", Body=body)
    g.put_object(Bucket=bucket, Key="free", Body=body)


def test_anonymous_requests_count_against_the_bucket_owner(server, world):
    g = s3(server, GAMMA_ROOT)
    bucket = world["gamma"]
    g.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::%s/small" % bucket}]}))
    assert server.request("GET", "/%s/small" % bucket, sign=False).status == 200
    set_limits(server, "gamma", "--read-ops", "3")
    quiet()
    statuses = [server.request("GET", "/%s/small" % bucket, sign=False).status
                for _ in range(12)]
    assert statuses.count(200) >= 3 and 503 in statuses, statuses
    refused = next(r for r in (server.request("GET", "/%s/small" % bucket, sign=False)
                               for _ in range(5)) if r.status == 503)
    assert b"<Code>SlowDown</Code>" in refused.body, refused.body
    # The owner's own requests share the budget the anonymous ones spent.
    assert s3_code(g.get_object, Bucket=bucket, Key="small") == SLOW
    set_limits(server, "gamma", "--read-ops", "0")
    g.delete_bucket_policy(Bucket=bucket)


def test_refusals_are_counted_and_logged_and_limits_persist(server, world):
    g = s3(server, GAMMA_ROOT)
    bucket = world["gamma"]
    set_limits(server, "gamma", "--write-ops", "1")
    quiet()
    ok, errors = outcomes(g.put_object, 4, Bucket=bucket, Key="counted", Body=b"c")
    assert ok >= 1 and set(errors) == {SLOW}, (ok, errors)
    parsed = samples(scrape(server, server.metrics_token))
    assert value(parsed, "confiance_s3_throttled_requests_total", **{"class": "write"}) >= len(errors)
    assert value(parsed, "confiance_s3_throttled_requests_total", **{"class": "read"}) >= 1
    # The operator sees which tenant is held back, without its log.
    usage = cli(server, "--json", "tenant", "usage", "gamma").json()
    assert usage["throttled"]["writes"] >= len(errors) and usage["throttled"]["reads"] >= 1, usage
    assert cli(server, "--json", "tenant", "usage", "delta").json()["throttled"] == {"reads": 0, "writes": 0}
    r = cli(server, "tenant", "usage", "gamma")
    assert "rate limits refused %d reads and %d writes since the server started" % (
        usage["throttled"]["reads"], usage["throttled"]["writes"]) in r.out, r
    # The tenant sees each refusal in its own log, and whose it was (the
    # export reads the stopped server's data directory).
    server.stop_clean()
    entries = [e for e in export_log(server, "gamma") if e.get("error") == "SlowDown"]
    writes = [e for e in entries if e.get("operation") == "PutObject" and e.get("key") == "counted"]
    assert len(writes) == len(errors), writes
    assert all(e["status"] == 503 and e["principal"]["tenant"] == "gamma" for e in writes), writes
    assert not [e for e in export_log(server, "delta") if e.get("error") == "SlowDown"]
    # The limits are part of the tenant's record: a restart keeps them.
    server.start()
    r = cli(server, "tenant", "show", "gamma")
    assert "writes 1 requests/s" in r.out, r
    g = s3(server, GAMMA_ROOT)
    ok, errors = outcomes(g.put_object, 4, Bucket=bucket, Key="after", Body=b"a")
    assert ok >= 1 and set(errors) == {SLOW}, (ok, errors)
    set_limits(server, "gamma", "--write-ops", "0")


def test_server_default_limits_apply_where_a_tenant_has_none(tmp_path_factory):
    """--default-read-ops (and friends): every tenant whose own limit is 0
    gets the server's; a limit of its own replaces the default."""
    srv = AdminServer(str(tmp_path_factory.mktemp("ratedefault")), extra_args=["--default-read-ops", "5"])
    srv.start()
    try:
        for tenant, creds in (("gamma", GAMMA_ROOT), ("delta", DELTA_ROOT)):
            cli(srv, "tenant", "create", tenant, "--access-key", creds[0], "--secret-key", creds[1])
        clients = {}
        for tenant, creds in (("gamma", GAMMA_ROOT), ("delta", DELTA_ROOT)):
            b = unique_bucket(tenant)
            c = s3(srv, creds)
            c.create_bucket(Bucket=b)
            c.put_object(Bucket=b, Key="small", Body=b"x")
            clients[tenant] = (c, b)
        cli(srv, "tenant", "set-rate-limit", "delta", "--read-ops", "1000")
        shown = cli(srv, "tenant", "show", "gamma").out
        assert "Rate limits:   reads unlimited; writes unlimited" in shown, shown
        assert "In effect:     reads 5 requests/s; writes unlimited" in shown, shown
        assert cli(srv, "--json", "tenant", "show", "delta").json()["rate_limits_in_effect"][
            "read_ops_per_second"] == 1000
        quiet()
        started = time.monotonic()
        c, b = clients["gamma"]
        ok, errors = outcomes(c.get_object, 20, Bucket=b, Key="small")
        elapsed = time.monotonic() - started
        assert 5 <= ok <= 5 + int(5 * elapsed) + 1, (ok, elapsed)
        assert errors and set(errors) == {SLOW}, errors
        # Writes have no default; delta's own read limit replaces the default.
        assert outcomes(c.put_object, 10, Bucket=b, Key="w", Body=b"w") == (10, [])
        d, db = clients["delta"]
        assert outcomes(d.get_object, 20, Bucket=db, Key="small") == (20, [])
    finally:
        if srv.alive():
            srv.stop_clean()
        srv.check_transparency_log()

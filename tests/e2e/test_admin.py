"""The admin API and the `confiance admin` CLI (issue 5, "Operating it"):
tenants, users, keys and identity policies created through the CLI with
explicit keys, then used with boto3 to show tenant isolation, operator
credentials denied on tenant data, suspension, disabled keys and deleted
users; the authorization rule of docs/tenancy.md; JSON errors of the API;
the CLI's exit codes (0 ok, 1 API error, 2 usage, 3 cannot connect)."""

import json
import subprocess

import pytest

import s3util
from adminutil import (ADMIN, OPERATOR_AK, OPERATOR_SK, AdminServer,
                       admin_request, cli, error_of, s3, s3_code, serve_module)
from conftest import free_port, sanitizer_env, unique_bucket

# Tenants and principals created by the `world` fixture, all with explicit
# keys (as scripts do with radosgw-admin --access-key --secret).
ALPHA_ROOT = ("ALPHAROOTKEY00000001", "alpha-root-secret-0123456789")
BRAVO_ROOT = ("BRAVOROOTKEY00000001", "bravo-root-secret-0123456789")
ALICE = ("ALPHAALICEKEY0000001", "alpha-alice-secret-0123456789")
BOB = ("BRAVOBOBKEY000000001", "bravo-bob-secret-0123456789")
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve_module(tmp_path_factory, "admin")


@pytest.fixture(scope="module")
def world(server):
    """Tenants alpha and bravo with explicit root keys, user alice in alpha
    and bob in bravo with explicit keys and an allow-all identity policy,
    and a bucket of alpha's with one object. The operator creates tenants
    and users; only each tenant's root can grant its users permissions."""
    r = cli(server, "tenant", "create", "alpha", "--display-name", "Alpha SA",
            "--access-key", ALPHA_ROOT[0], "--secret-key", ALPHA_ROOT[1])
    assert "Created tenant alpha." in r.out, r
    assert ALPHA_ROOT[1] in r.out, r  # the secret is shown once, at creation
    r = cli(server, "--json", "tenant", "create", "bravo", "--max-buckets",
            "5", "--access-key", BRAVO_ROOT[0], "--secret-key",
            BRAVO_ROOT[1])
    doc = r.json()
    assert doc["tenant"]["id"] == "bravo"
    assert doc["tenant"]["quotas"]["max_buckets"] == 5
    assert doc["credentials"] == {"access_key": BRAVO_ROOT[0],
                                  "secret_key": BRAVO_ROOT[1],
                                  "tenant": "bravo", "user": "root",
                                  "status": "Active"}
    for tenant, user, creds, root in (("alpha", "alice", ALICE, ALPHA_ROOT),
                                      ("bravo", "bob", BOB, BRAVO_ROOT)):
        r = cli(server, "user", "create", "--tenant", tenant, user,
                "--access-key", creds[0], "--secret-key", creds[1])
        assert "Created user %s in tenant %s." % (user, tenant) in r.out, r
        assert creds[1] in r.out, r
        cli(server, "policy", "put", "--tenant", tenant, "--user", user,
            "allow-all", stdin=ALLOW_ALL, creds=root)
    bucket = unique_bucket("alpha")
    a = s3(server, ALPHA_ROOT)
    a.create_bucket(Bucket=bucket)
    a.put_object(Bucket=bucket, Key="secret.txt", Body=b"alpha data")
    return {"bucket": bucket}


# ---------------------------------------------------------- isolation on S3

def test_tenants_are_isolated(server, world):
    bucket = world["bucket"]
    for creds in (BRAVO_ROOT, BOB):
        b = s3(server, creds)
        assert s3_code(b.list_objects_v2, Bucket=bucket) == (
            403, "AccessDenied")
        assert s3_code(b.get_object, Bucket=bucket, Key="secret.txt") == (
            403, "AccessDenied")
        assert s3_code(b.put_object, Bucket=bucket, Key="planted",
                       Body=b"x") == (403, "AccessDenied")
        assert s3_code(b.delete_object, Bucket=bucket,
                       Key="secret.txt") == (403, "AccessDenied")
    own = unique_bucket("bravo")
    s3(server, BRAVO_ROOT).create_bucket(Bucket=own)
    names = [x["Name"] for x in s3(server, BOB).list_buckets()["Buckets"]]
    assert own in names and bucket not in names
    names = [x["Name"] for x in
             s3(server, ALPHA_ROOT).list_buckets()["Buckets"]]
    assert bucket in names and own not in names
    # Alpha's own user reaches alpha's data.
    got = s3(server, ALICE).get_object(Bucket=bucket, Key="secret.txt")
    assert got["Body"].read() == b"alpha data"
    s3(server, BRAVO_ROOT).delete_bucket(Bucket=own)


def test_operator_credentials_cannot_touch_tenant_data(server, world):
    op = s3(server, (OPERATOR_AK, OPERATOR_SK))
    assert s3_code(op.list_buckets) == (403, "AccessDenied")
    assert s3_code(op.get_object, Bucket=world["bucket"],
                   Key="secret.txt") == (403, "AccessDenied")
    assert s3_code(op.put_object, Bucket=world["bucket"], Key="op",
                   Body=b"x") == (403, "AccessDenied")
    assert s3_code(op.list_objects_v2, Bucket=world["bucket"]) == (
        403, "AccessDenied")
    # ... while the same credentials administer the service.
    assert cli(server, "--json", "whoami").json()["kind"] == "operator"


def test_suspended_tenant_is_refused_until_resumed(server, world):
    r = cli(server, "tenant", "suspend", "bravo")
    assert "Suspended tenant bravo" in r.out, r
    for creds in (BRAVO_ROOT, BOB):
        assert s3_code(s3(server, creds).list_buckets) == (
            403, "AllAccessDisabled")
    r = cli(server, "tenant", "show", "bravo", creds=BRAVO_ROOT, expect=1)
    assert "AllAccessDisabled" in r.err, r
    # Other tenants are unaffected.
    s3(server, ALPHA_ROOT).list_buckets()
    cli(server, "tenant", "resume", "bravo")
    s3(server, BRAVO_ROOT).list_buckets()
    s3(server, BOB).list_buckets()
    assert cli(server, "--json", "tenant", "show", "bravo").json()[
        "status"] == "active"


def test_disabled_key_is_rejected_until_enabled(server, world):
    alice = s3(server, ALICE)
    alice.list_buckets()
    cli(server, "key", "disable", "--tenant", "alpha", "--user", "alice",
        ALICE[0])
    assert s3_code(alice.list_buckets) == (403, "InvalidAccessKeyId")
    keys = cli(server, "--json", "key", "list", "--tenant", "alpha",
               "--user", "alice").json()["access_keys"]
    assert [(k["access_key"], k["status"]) for k in keys] == [
        (ALICE[0], "Inactive")]
    assert "secret" not in json.dumps(keys)
    # Re-enabling is the tenant's act: the operator may have seen the secret.
    r = cli(server, "key", "enable", "--tenant", "alpha", "--user", "alice",
            ALICE[0], expect=1)
    assert "AccessDenied" in r.err, r
    assert s3_code(alice.list_buckets) == (403, "InvalidAccessKeyId")
    cli(server, "key", "enable", "--tenant", "alpha", "--user", "alice",
        ALICE[0], creds=ALPHA_ROOT)
    alice.list_buckets()


def test_deleted_user_key_is_rejected(server, world):
    carol = ("ALPHACAROLKEY0000001", "alpha-carol-secret-0123456789")
    cli(server, "user", "create", "--tenant", "alpha", "carol",
        "--access-key", carol[0], "--secret-key", carol[1])
    cli(server, "policy", "put", "--tenant", "alpha", "--user", "carol",
        "allow-all", stdin=ALLOW_ALL, creds=ALPHA_ROOT)
    s3(server, carol).list_buckets()
    r = cli(server, "user", "delete", "--tenant", "alpha", "carol")
    assert "Deleted user carol" in r.out, r
    assert s3_code(s3(server, carol).list_buckets) == (
        403, "InvalidAccessKeyId")
    r = cli(server, "user", "show", "--tenant", "alpha", "carol", expect=1)
    assert "NoSuchUser" in r.err, r


def test_key_rotation_and_limit(server, world):
    r = cli(server, "--json", "key", "create", "--tenant", "bravo",
            "--user", "bob", creds=BRAVO_ROOT)
    new = r.json()
    assert new["secret_key"] and new["access_key"] != BOB[0]
    s3(server, (new["access_key"], new["secret_key"])).list_buckets()
    r = cli(server, "key", "create", "--tenant", "bravo", "--user", "bob",
            creds=BRAVO_ROOT, expect=1)
    assert "LimitExceeded" in r.err, r
    cli(server, "key", "delete", "--tenant", "bravo", "--user", "bob",
        new["access_key"])
    assert s3_code(s3(server, (new["access_key"], new["secret_key"]))
                   .list_buckets) == (403, "InvalidAccessKeyId")


# ------------------------------------------------ the authorization rule

def test_tenant_root_manages_only_its_own_identities(server, world):
    r = cli(server, "tenant", "create", "rogue", creds=ALPHA_ROOT, expect=1)
    assert "AccessDenied" in r.err, r
    for args in (["tenant", "list"], ["tenant", "suspend", "bravo"],
                 ["tenant", "set-quota", "alpha", "--max-bytes", "0"],
                 ["tenant", "delete", "alpha"], ["operator", "list"],
                 ["tenant", "show", "bravo"],
                 ["user", "list", "--tenant", "bravo"],
                 ["user", "create", "--tenant", "bravo", "mole"]):
        r = cli(server, *args, creds=ALPHA_ROOT, expect=1)
        assert "AccessDenied" in r.err, (args, r)
    cli(server, "tenant", "show", "rogue", expect=1)  # never created
    # Its own tenant: users, keys and policies.
    r = cli(server, "--json", "tenant", "show", "alpha", creds=ALPHA_ROOT)
    assert r.json()["id"] == "alpha"
    r = cli(server, "--json", "user", "create", "--tenant", "alpha", "dave",
            creds=ALPHA_ROOT)
    assert r.json()["credentials"]["user"] == "dave"
    cli(server, "policy", "put", "--tenant", "alpha", "--user", "dave", "p",
        creds=ALPHA_ROOT, stdin=ALLOW_ALL)
    names = [u["name"] for u in cli(server, "--json", "user", "list",
                                    "--tenant", "alpha",
                                    creds=ALPHA_ROOT).json()["users"]]
    assert "dave" in names and "root" in names
    cli(server, "user", "delete", "--tenant", "alpha", "dave",
        creds=ALPHA_ROOT)
    who = cli(server, "--json", "whoami", creds=ALPHA_ROOT).json()
    assert who["tenant"] == "alpha" and who["user"] == "root"


def test_tenant_users_cannot_use_the_admin_api(server, world):
    for args in (["whoami"], ["user", "list", "--tenant", "alpha"],
                 ["key", "create", "--tenant", "alpha", "--user", "alice"],
                 ["tenant", "show", "alpha"]):
        r = cli(server, *args, creds=ALICE, expect=1)
        assert "AccessDenied" in r.err, (args, r)
    resp = admin_request(server, "GET", "/whoami", creds=ALICE)
    assert error_of(resp) == (403, "AccessDenied")


def test_operators_cannot_grant_themselves_access(server, world):
    """docs/tenancy.md: an operator creates users with a first key (scripts
    need it) but cannot give them permissions or new keys; the tenant's
    root replaces the keys the operator saw."""
    erin = ("ALPHAERINKEY00000001", "alpha-erin-secret-0123456789")
    cli(server, "user", "create", "--tenant", "alpha", "erin",
        "--access-key", erin[0], "--secret-key", erin[1])
    for args, stdin in (
            (["policy", "put", "--tenant", "alpha", "--user", "erin", "p"],
             ALLOW_ALL),
            (["policy", "delete", "--tenant", "alpha", "--user", "alice",
              "allow-all"], None),
            (["key", "create", "--tenant", "alpha", "--user", "erin"], None),
            (["key", "create", "--tenant", "alpha", "--user", "root"], None),
            (["key", "enable", "--tenant", "alpha", "--user", "erin",
              erin[0]], None)):
        r = cli(server, *args, stdin=stdin, expect=1)
        assert "AccessDenied" in r.err, (args, r)
    # The operator-made user holds no permission until its tenant grants
    # one; alice's policy survived the refused delete.
    e = s3(server, erin)
    assert s3_code(e.list_buckets) == (403, "AccessDenied")
    assert s3_code(e.get_object, Bucket=world["bucket"],
                   Key="secret.txt") == (403, "AccessDenied")
    assert s3_code(e.put_object, Bucket=world["bucket"], Key="erin",
                   Body=b"x") == (403, "AccessDenied")
    assert s3(server, ALICE).get_object(
        Bucket=world["bucket"], Key="secret.txt")["Body"].read() == \
        b"alpha data"
    # ... and the operator may still read policy names and administer.
    r = cli(server, "policy", "list", "--tenant", "alpha", "--user", "alice")
    assert r.out.split() == ["allow-all"], r
    cli(server, "key", "disable", "--tenant", "alpha", "--user", "erin",
        erin[0])
    assert s3_code(e.list_buckets) == (403, "InvalidAccessKeyId")
    cli(server, "user", "delete", "--tenant", "alpha", "erin")


def test_tenant_root_rotates_operator_issued_keys(server, world):
    """A tenant created by an operator starts with a root key the operator
    knows; the root creates its own key and deletes that one."""
    ak, sk = "ZETAROOTKEY000000001", "zeta-root-secret-0123456789"
    cli(server, "tenant", "create", "zeta", "--access-key", ak,
        "--secret-key", sk)
    new = cli(server, "--json", "key", "create", "--tenant", "zeta",
              "--user", "root", creds=(ak, sk)).json()
    mine = (new["access_key"], new["secret_key"])
    cli(server, "key", "delete", "--tenant", "zeta", "--user", "root", ak,
        creds=mine)
    assert s3_code(s3(server, (ak, sk)).list_buckets) == (
        403, "InvalidAccessKeyId")
    s3(server, mine).list_buckets()
    keys = cli(server, "--json", "key", "list", "--tenant", "zeta", "--user",
               "root").json()["access_keys"]
    assert [k["access_key"] for k in keys] == [mine[0]]
    cli(server, "tenant", "delete", "zeta")


# ------------------------------------------------------- tenants and quotas

def test_set_quota_and_show(server, world):
    r = cli(server, "--json", "tenant", "set-quota", "alpha", "--max-bytes",
            "10GiB", "--max-objects", "1000")
    q = r.json()["quotas"]
    assert q == {"max_bytes": 10 << 30, "max_objects": 1000,
                 "max_buckets": 0}
    r = cli(server, "tenant", "show", "alpha")
    assert "bytes 10 GiB, objects 1000, buckets unlimited" in r.out, r
    assert "Alpha SA" in r.out, r
    r = cli(server, "tenant", "list")
    lines = r.out.splitlines()
    assert lines[0].split()[:2] == ["ID", "STATUS"], r
    assert any(line.split()[:2] == ["alpha", "active"] for line in lines), r
    assert any(line.split()[0] == "default" for line in lines[1:]), r
    r = cli(server, "tenant", "set-quota", "alpha", expect=2)
    assert "at least one" in r.err, r


def test_delete_tenant_only_without_buckets(server):
    ak, sk = "GAMMAROOTKEY00000001", "gamma-root-secret-0123456789"
    cli(server, "tenant", "create", "gamma", "--access-key", ak,
        "--secret-key", sk)
    bucket = unique_bucket("gamma")
    s3(server, (ak, sk)).create_bucket(Bucket=bucket)
    r = cli(server, "tenant", "delete", "gamma", expect=1)
    assert "TenantNotEmpty" in r.err, r
    s3(server, (ak, sk)).delete_bucket(Bucket=bucket)
    r = cli(server, "tenant", "delete", "gamma")
    assert "Deleted tenant gamma." in r.out, r
    assert s3_code(s3(server, (ak, sk)).list_buckets) == (
        403, "InvalidAccessKeyId")
    r = cli(server, "tenant", "show", "gamma", expect=1)
    assert "NoSuchTenant" in r.err, r


def test_create_conflicts(server, world):
    r = cli(server, "tenant", "create", "alpha", expect=1)
    assert "TenantAlreadyExists" in r.err, r
    r = cli(server, "tenant", "create", "delta", "--access-key",
            ALICE[0], "--secret-key", "whatever-secret-1", expect=1)
    assert "AccessKeyAlreadyExists" in r.err, r
    cli(server, "tenant", "show", "delta", expect=1)
    r = cli(server, "user", "create", "--tenant", "alpha", "alice", expect=1)
    assert "UserAlreadyExists" in r.err, r
    r = cli(server, "user", "create", "--tenant", "nowhere", "x", expect=1)
    assert "NoSuchTenant" in r.err, r


def test_policies(server, world, tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    path = tmp_path / "deny.json"
    path.write_text(json.dumps(doc))
    r = cli(server, "policy", "put", "--tenant", "alpha", "--user", "alice",
            "no-delete", "--file", str(path), creds=ALPHA_ROOT)
    assert "Stored policy no-delete" in r.out, r
    assert json.loads(cli(server, "policy", "get", "--tenant", "alpha",
                          "--user", "alice", "no-delete").out) == doc
    r = cli(server, "policy", "list", "--tenant", "alpha", "--user", "alice")
    assert r.out.split() == ["allow-all", "no-delete"], r
    r = cli(server, "policy", "put", "--tenant", "alpha", "--user", "alice",
            "bad", stdin="[1, 2]", creds=ALPHA_ROOT, expect=1)
    assert "MalformedPolicy" in r.err, r
    # The policy engine validates: an unknown action is named in the error.
    bad = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}
    r = cli(server, "policy", "put", "--tenant", "alpha", "--user", "alice",
            "typo", stdin=json.dumps(bad), creds=ALPHA_ROOT, expect=1)
    assert "invalid action" in r.err, r
    r = cli(server, "policy", "put", "--tenant", "alpha", "--user", "alice",
            "x", "--file", str(tmp_path / "missing.json"), creds=ALPHA_ROOT,
            expect=2)
    cli(server, "policy", "delete", "--tenant", "alpha", "--user", "alice",
        "no-delete", creds=ALPHA_ROOT)
    r = cli(server, "policy", "get", "--tenant", "alpha", "--user", "alice",
            "no-delete", expect=1)
    assert "NoSuchPolicy" in r.err, r


def test_operators_and_whoami(server):
    ops = cli(server, "--json", "operator", "list").json()["operators"]
    assert [o["name"] for o in ops] == ["operator"]
    r = cli(server, "whoami")
    assert r.out.startswith("Operator operator (access key %s)" %
                            OPERATOR_AK), r


# ------------------------------------------------------ the API's errors

def test_api_errors_are_json(server, world):
    resp = admin_request(server, "POST", "/tenants", body=b"{oops")
    assert error_of(resp) == (400, "InvalidRequest")
    assert resp.header("Content-Type") == "application/json"
    resp = admin_request(server, "POST", "/tenants",
                         body=b'{"id": "x1", "colour": "red"}')
    assert error_of(resp) == (400, "InvalidRequest")
    assert "colour" in json.loads(resp.body)["error"]["message"]
    resp = admin_request(server, "POST", "/tenants", body=b'{"id": "Bad_Id"}')
    assert error_of(resp) == (400, "InvalidRequest")
    resp = admin_request(server, "GET", "/tenants/nope")
    assert error_of(resp) == (404, "NoSuchTenant")
    resp = admin_request(server, "GET", "/buckets")
    assert error_of(resp) == (404, "NoSuchResource")
    resp = admin_request(server, "DELETE", "/tenants")
    assert error_of(resp) == (405, "MethodNotAllowed")
    resp = admin_request(server, "POST", "/tenants", body=b'{"id": "alpha"}')
    assert error_of(resp) == (409, "TenantAlreadyExists")
    # Authentication failures keep their S3 codes, in JSON.
    resp = server.request("GET", ADMIN + "/tenants", sign=False)
    assert error_of(resp) == (403, "AccessDenied")
    resp = admin_request(server, "GET", "/tenants",
                         creds=(OPERATOR_AK, OPERATOR_SK + "x"))
    assert error_of(resp) == (403, "SignatureDoesNotMatch")
    resp = admin_request(server, "GET", "/tenants",
                         creds=("NOSUCHKEY0000000", "whatever-secret"))
    assert error_of(resp) == (403, "InvalidAccessKeyId")
    # The body must be signed: UNSIGNED-PAYLOAD and a wrong hash are refused.
    resp = admin_request(server, "POST", "/tenants", body=b'{"id": "x2"}',
                         payload="unsigned")
    assert error_of(resp) == (400, "InvalidRequest")
    resp = admin_request(server, "POST", "/tenants", body=b'{"id": "x3"}',
                         payload=s3util.EMPTY_SHA256)
    assert resp.status == 400 and error_of(resp)[1] == \
        "XAmzContentSHA256Mismatch"
    cli(server, "tenant", "show", "x2", expect=1)
    cli(server, "tenant", "show", "x3", expect=1)


def test_health_and_s3_still_served(server, world):
    import requests
    assert requests.get(server.endpoint + "/_confiance/health").status_code \
        == 200
    assert s3(server, ALPHA_ROOT).head_bucket(Bucket=world["bucket"])


# ----------------------------------------------------------- CLI exit codes

def test_cli_exit_codes(server):
    assert cli(server, "--json", "tenant", "list").rc == 0
    r = cli(server, "tenant", "show", "nope", expect=1)
    assert r.err.startswith("confiance: NoSuchTenant:"), r
    r = cli(server, "--json", "tenant", "show", "nope", expect=1)
    assert json.loads(r.out)["error"]["code"] == "NoSuchTenant"
    cli(server, "tenant", "bogus", expect=2)
    cli(server, "tenant", "show", expect=2)           # NAME missing
    cli(server, "user", "list", expect=2)             # --tenant missing
    cli(server, "tenant", "create", "x9", "--access-key", "ONLYTHEID",
        expect=2)                                      # --secret-key missing
    r = cli(server, "tenant", "list", creds=None, expect=2)
    assert "credentials" in r.err, r
    r = cli(server, "tenant", "list",
            endpoint="http://127.0.0.1:%d" % free_port(), expect=3)
    assert "cannot connect" in r.err, r
    r = cli(server, "tenant", "list",
            endpoint="https://127.0.0.1:%d" % free_port(), expect=3)
    assert "cannot connect" in r.err, r
    r = cli(server, "tenant", "list", endpoint="ftp://127.0.0.1:1",
            expect=2)
    assert cli(server, "--help").rc == 0


def test_cli_connection_flags(server):
    """Flags work as well as the environment, before or after the command;
    after a key-creating command, --access-key names the new key."""
    env = {"PATH": "/usr/bin:/bin", **sanitizer_env()}
    base = [server.binary, "admin"]
    cp = subprocess.run(base + ["--endpoint", server.endpoint, "--access-key",
                                OPERATOR_AK, "--secret-key", OPERATOR_SK,
                                "whoami", "--json"],
                        env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp
    assert json.loads(cp.stdout)["kind"] == "operator"
    cp = subprocess.run(base + ["tenant", "list", "--endpoint",
                                server.endpoint, "--access-key", OPERATOR_AK,
                                "--secret-key", OPERATOR_SK],
                        env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp
    ak, sk = "EPSILONROOTKEY000001", "epsilon-root-secret-0123456789"
    cp = subprocess.run(base + ["--endpoint", server.endpoint, "--access-key",
                                OPERATOR_AK, "--secret-key", OPERATOR_SK,
                                "--json", "tenant", "create", "epsilon",
                                "--access-key", ak, "--secret-key", sk],
                        env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp
    assert json.loads(cp.stdout)["credentials"]["access_key"] == ak
    s3(server, (ak, sk)).list_buckets()
    cli(server, "tenant", "delete", "epsilon")


def test_virtual_host_keys_are_not_admin_paths(tmp_path_factory):
    """With --domain, "<bucket>.<domain>/_confiance/admin/..." is an object
    key of that bucket; the service host still reaches the admin API."""
    srv = AdminServer(str(tmp_path_factory.mktemp("admin-vhost")),
                      extra_args=["--domain", "example.test"])
    srv.start()
    try:
        bucket = unique_bucket("vh")
        root = srv.client()
        root.create_bucket(Bucket=bucket)
        key = "_confiance/admin/v1/tenants"
        vhost = "%s.example.test:%d" % (bucket, srv.port)
        resp = srv.request("PUT", "/" + key, body=b"not admin",
                           host_header=vhost)
        assert resp.status == 200, resp
        resp = srv.request("GET", "/" + key, host_header=vhost)
        assert (resp.status, resp.body) == (200, b"not admin"), resp
        got = root.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert got == b"not admin"
        resp = admin_request(srv, "GET", "/whoami",
                             host_header="example.test:%d" % srv.port)
        assert resp.status == 200, resp
        assert json.loads(resp.body)["kind"] == "operator"
        root.delete_object(Bucket=bucket, Key=key)
        root.delete_bucket(Bucket=bucket)
    finally:
        srv.stop_clean()

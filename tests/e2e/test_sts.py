"""Temporary credentials (docs/sts.md): the STS query API on the S3
endpoint, driven by boto3's and aws-cli's own STS clients. A session has
at most its caller's permissions (GetSessionToken: the same), a session
policy narrows it (GetFederationToken, AssumeRole of oneself), a tampered
or foreign token is refused, removing the key that asked for a session
ends it, sessions cannot mint sessions, and every STS call and every
request made with a session is in the tenant's transparency log."""

import base64
import datetime
import hashlib
import json
import time

import boto3
import botocore.config
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from adminutil import AdminServer, admin_request, cli, error_of, export_log, s3, s3_code, serve_module
from conftest import REGION, run_aws, unique_bucket

ACME_ROOT = ("ACMEROOTKEY000000001", "acme-root-secret-0123456789")
DEV = ("ACMEDEVKEY0000000001", "acme-dev-secret-0123456789")


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve_module(tmp_path_factory, "sts")


class World:
    def __init__(self, server, mine, other):
        self.server = server
        self.mine = mine    # dev's identity policy allows everything here
        self.other = other  # and nothing here

    def sts(self, creds, token=None, validate=True):
        """boto3's STS client; `validate=False` lets botocore send what it
        would refuse itself, so that the server's answer is what is tested."""
        session = boto3.session.Session(aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
                                        aws_session_token=token, region_name=REGION)
        config = botocore.config.Config(retries={"total_max_attempts": 1}, parameter_validation=validate)
        return session.client("sts", endpoint_url=self.server.endpoint, config=config)

    def s3(self, c):
        """An S3 client signing with the temporary credentials `c`."""
        return self.server.client(access_key=c["AccessKeyId"], secret_key=c["SecretAccessKey"],
                                  session_token=c["SessionToken"])


@pytest.fixture(scope="module")
def world(server):
    cli(server, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    cli(server, "user", "create", "--tenant", "acme", "dev", "--access-key", DEV[0], "--secret-key", DEV[1])
    root = s3(server, ACME_ROOT)
    mine, other = unique_bucket("sts-mine"), unique_bucket("sts-other")
    for b in (mine, other):
        root.create_bucket(Bucket=b)
        root.put_object(Bucket=b, Key="public/a.txt", Body=b"public bytes")
        root.put_object(Bucket=b, Key="private/b.txt", Body=b"private bytes")
    cli(server, "policy", "put", "--tenant", "acme", "--user", "dev", "mine",
        stdin=policy(allow("s3:*", ["arn:aws:s3:::%s" % mine, "arn:aws:s3:::%s/*" % mine])), creds=ACME_ROOT)
    return World(server, mine, other)


def sts_error(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    e = ei.value.response
    return e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"], e["Error"].get("Message", "")


def test_session_token_has_the_users_own_permissions(world):
    before = datetime.datetime.now(datetime.timezone.utc)
    c = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    assert c["AccessKeyId"].startswith("CT") and len(c["AccessKeyId"]) == 20
    left = (c["Expiration"] - before).total_seconds()
    assert 890 <= left <= 910, c["Expiration"]
    session = world.s3(c)
    session.put_object(Bucket=world.mine, Key="from-session", Body=b"written with a session")
    assert session.get_object(Bucket=world.mine, Key="from-session")["Body"].read() == b"written with a session"
    # Not more than the user: the identity policy does not reach `other`.
    assert s3_code(session.get_object, Bucket=world.other, Key="public/a.txt") == (403, "AccessDenied")
    # The root's session is the root's.
    root_c = world.sts(ACME_ROOT).get_session_token()["Credentials"]
    left = (root_c["Expiration"] - before).total_seconds()
    assert 43190 <= left <= 43210, root_c["Expiration"]
    assert world.s3(root_c).get_object(Bucket=world.other, Key="private/b.txt")["Body"].read() == b"private bytes"


def test_federation_token_policy_narrows_the_user(world):
    narrow = policy(allow("s3:GetObject", "arn:aws:s3:::%s/public/*" % world.mine))
    r = world.sts(DEV).get_federation_token(Name="ci-job", Policy=narrow, DurationSeconds=1800)
    assert r["FederatedUser"]["Arn"] == "arn:aws:sts::acme:federated-user/ci-job"
    assert r["FederatedUser"]["FederatedUserId"] == "acme:ci-job"
    session = world.s3(r["Credentials"])
    assert session.get_object(Bucket=world.mine, Key="public/a.txt")["Body"].read() == b"public bytes"
    assert s3_code(session.get_object, Bucket=world.mine, Key="private/b.txt") == (403, "AccessDenied")
    assert s3_code(session.put_object, Bucket=world.mine, Key="public/new", Body=b"x") == (403, "AccessDenied")
    assert s3_code(session.list_buckets) == (403, "AccessDenied")
    # A policy cannot widen: `other` stays out of reach of dev's session.
    wide = policy(allow("s3:*", "*"))
    wide_c = world.sts(DEV).get_federation_token(Name="wide", Policy=wide)["Credentials"]
    assert s3_code(world.s3(wide_c).get_object, Bucket=world.other, Key="public/a.txt") == (403, "AccessDenied")
    # Without a policy, a federation token allows nothing (as in AWS).
    none_c = world.sts(DEV).get_federation_token(Name="nothing")["Credentials"]
    assert s3_code(world.s3(none_c).get_object, Bucket=world.mine, Key="public/a.txt") == (403, "AccessDenied")


def test_assume_role_is_a_session_of_oneself(world):
    sts = world.sts(ACME_ROOT)
    narrow = policy(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::%s" % world.other,
                                                              "arn:aws:s3:::%s/*" % world.other]))
    r = sts.assume_role(RoleArn="arn:aws:iam::acme:root", RoleSessionName="nightly-report", Policy=narrow)
    assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::acme:assumed-role/root/nightly-report"
    left = (r["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 3590 <= left <= 3610
    session = world.s3(r["Credentials"])
    keys = [o["Key"] for o in session.list_objects_v2(Bucket=world.other)["Contents"]]
    assert "public/a.txt" in keys
    assert s3_code(session.delete_object, Bucket=world.other, Key="public/a.txt") == (403, "AccessDenied")
    assert s3_code(session.get_object, Bucket=world.mine, Key="public/a.txt") == (403, "AccessDenied")
    # Without a policy: the root's own permissions.
    plain = sts.assume_role(RoleArn="arn:aws:iam::acme:root", RoleSessionName="plain")["Credentials"]
    world.s3(plain).put_object(Bucket=world.mine, Key="by-root-session", Body=b"x")
    # There are no roles: another principal's ARN is refused.
    status, code, message = sts_error(world.sts(DEV).assume_role, RoleArn="arn:aws:iam::acme:role/admin",
                                      RoleSessionName="s1")
    assert (status, code) == (403, "AccessDenied")
    assert "arn:aws:iam::acme:user/dev" in message


def test_caller_identity_of_keys_and_sessions(world):
    me = world.sts(DEV).get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == ("arn:aws:iam::acme:user/dev", "dev", "acme")
    root = world.sts(ACME_ROOT).get_caller_identity()
    assert (root["Arn"], root["Account"]) == ("arn:aws:iam::acme:root", "acme")
    fed = world.sts(DEV).get_federation_token(Name="who", Policy=policy(allow("s3:GetObject", "*")))["Credentials"]
    who = world.sts((fed["AccessKeyId"], fed["SecretAccessKey"]), fed["SessionToken"]).get_caller_identity()
    assert (who["Arn"], who["UserId"]) == ("arn:aws:sts::acme:federated-user/who", "acme:who")
    out = run_aws(world.server.endpoint, DEV[0], DEV[1], ["sts", "get-caller-identity"])
    assert json.loads(out.stdout)["Arn"] == "arn:aws:iam::acme:user/dev"


def test_bad_calls_get_sts_errors(world):
    sts = world.sts(DEV, validate=False)
    assert sts_error(sts.get_session_token, DurationSeconds=899)[:2] == (400, "ValidationError")
    assert sts_error(sts.get_session_token, DurationSeconds=129601)[:2] == (400, "ValidationError")
    assert sts_error(sts.get_federation_token, Name="ci", Policy="{not json")[:2] == (400, "MalformedPolicyDocument")
    assert sts_error(sts.get_session_token, SerialNumber="arn:aws:iam::acme:mfa/dev",
                     TokenCode="123456")[:2] == (400, "ValidationError")
    assert sts_error(world.sts((DEV[0], "wrong-secret-0123456789")).get_session_token)[:2] == \
        (403, "SignatureDoesNotMatch")
    assert sts_error(world.sts(("NOSUCHKEY00000000000", DEV[1])).get_session_token)[:2] == \
        (403, "InvalidClientTokenId")
    # A session cannot mint another one.
    c = sts.get_session_token(DurationSeconds=900)["Credentials"]
    chained = world.sts((c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"])
    assert sts_error(chained.get_session_token)[:2] == (403, "AccessDenied")
    # A body other than the one the signed x-amz-content-sha256 names.
    form = "Action=GetSessionToken&Version=2011-06-15"
    req = AWSRequest(method="POST", url=world.server.endpoint + "/", data=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "x-amz-content-sha256": hashlib.sha256(b"another body").hexdigest()})
    SigV4Auth(Credentials(*DEV), "sts", REGION).add_auth(req)
    r = requests.post(req.url, data=form, headers=dict(req.headers))
    assert r.status_code == 400 and "<Code>XAmzContentSHA256Mismatch</Code>" in r.text, r.text
    # Signed for S3, not STS.
    req = AWSRequest(method="POST", url=world.server.endpoint + "/", data=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(*DEV), "s3", REGION).add_auth(req)
    r = requests.post(req.url, data=form, headers=dict(req.headers))
    assert r.status_code == 400 and "<Code>AuthorizationHeaderMalformed</Code>" in r.text, r.text
    # Unsigned.
    r = requests.post(world.server.endpoint + "/", data={"Action": "GetSessionToken", "Version": "2011-06-15"})
    assert r.status_code == 403 and "<Code>MissingAuthenticationToken</Code>" in r.text, r.text


def test_tampered_foreign_or_missing_tokens_are_refused(world):
    c = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    claims, sealed = c["SessionToken"].split(".")
    doc = json.loads(base64.b64decode(claims))
    doc["exp"] += 10 ** 9  # a longer session, the seal left as it was
    forged = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode() + "." + sealed
    assert s3_code(world.s3(dict(c, SessionToken=forged)).list_objects_v2, Bucket=world.mine) == \
        (400, "InvalidToken")
    # Claims of the wrong types: refused, and the server stays up.
    junk = base64.b64encode(b'{"v":"1","ak":7}').decode() + "." + sealed
    assert s3_code(world.s3(dict(c, SessionToken=junk)).list_objects_v2, Bucket=world.mine) == \
        (400, "InvalidToken")
    other = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    assert s3_code(world.s3(dict(c, SessionToken=other["SessionToken"])).list_objects_v2, Bucket=world.mine) == \
        (400, "InvalidToken")
    # A temporary key id without its token is no key at all.
    no_token = world.server.client(access_key=c["AccessKeyId"], secret_key=c["SecretAccessKey"])
    assert s3_code(no_token.list_objects_v2, Bucket=world.mine) == (403, "InvalidAccessKeyId")
    # A long-term key with a token is refused too (as S3 does).
    with_token = world.server.client(access_key=DEV[0], secret_key=DEV[1], session_token=c["SessionToken"])
    assert s3_code(with_token.list_objects_v2, Bucket=world.mine) == (400, "InvalidToken")


def test_presigned_url_of_a_session(world):
    c = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    url = world.s3(c).generate_presigned_url("get_object", Params={"Bucket": world.mine, "Key": "public/a.txt"},
                                             ExpiresIn=300)
    assert "X-Amz-Security-Token=" in url
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"public bytes", r.text
    r = requests.get(url.replace("X-Amz-Security-Token=", "X-Amz-Security-Token=x"))
    assert r.status_code == 400 and "<Code>InvalidToken</Code>" in r.text, r.text


def test_browser_form_upload_with_a_session(world):
    c = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    post = world.s3(c).generate_presigned_post(world.mine, "uploads/${filename}", ExpiresIn=300)
    assert post["fields"]["x-amz-security-token"] == c["SessionToken"]
    r = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"posted with a session")})
    assert r.status_code == 204, r.text
    root = s3(world.server, ACME_ROOT)
    assert root.get_object(Bucket=world.mine, Key="uploads/form.txt")["Body"].read() == b"posted with a session"
    # The token is a field like any other: a forged one is refused.
    fields = dict(post["fields"], **{"x-amz-security-token": c["SessionToken"][:-4] + "AAAA"})
    r = requests.post(post["url"], data=fields, files={"file": ("forged.txt", b"x")})
    assert r.status_code == 400 and "<Code>InvalidToken</Code>" in r.text, r.text


def test_removing_the_parent_key_ends_its_sessions(world):
    key = cli(world.server, "--json", "key", "create", "--tenant", "acme", "--user", "dev", creds=ACME_ROOT).json()
    ak, sk = key["access_key"], key["secret_key"]
    c = world.sts((ak, sk)).get_session_token(DurationSeconds=900)["Credentials"]
    session = world.s3(c)
    assert session.get_object(Bucket=world.mine, Key="public/a.txt")["Body"].read() == b"public bytes"
    cli(world.server, "key", "delete", "--tenant", "acme", "--user", "dev", ak, creds=ACME_ROOT)
    assert s3_code(session.get_object, Bucket=world.mine, Key="public/a.txt") == (400, "InvalidToken")


def test_admin_and_log_apis_take_long_term_keys_only(world):
    c = world.sts(ACME_ROOT).get_session_token(DurationSeconds=900)["Credentials"]
    creds = (c["AccessKeyId"], c["SecretAccessKey"])
    token = {"x-amz-security-token": c["SessionToken"]}
    assert admin_request(world.server, "GET", "/whoami", creds=ACME_ROOT).status == 200
    resp = admin_request(world.server, "GET", "/whoami", creds=creds, headers=token)
    assert error_of(resp) == (403, "AccessDenied")
    resp = world.server.request("GET", "/_confiance/log/v1/checkpoint", headers=token, access_key=creds[0],
                                secret_key=creds[1])
    assert resp.status == 403 and b"<Code>AccessDenied</Code>" in resp.body, resp.body


def test_revoking_sessions_issued_before_a_time(world):
    """AWS's way to revoke a user's sessions without touching its keys: an
    identity policy that denies everything to tokens issued before now."""
    c = world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"]
    old = world.s3(c)
    assert old.get_object(Bucket=world.mine, Key="public/a.txt")["Body"].read() == b"public bytes"
    cutoff = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    revoke = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
              "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}
    cli(world.server, "policy", "put", "--tenant", "acme", "--user", "dev", "revoke-sessions",
        stdin=policy(revoke), creds=ACME_ROOT)
    try:
        assert s3_code(old.get_object, Bucket=world.mine, Key="public/a.txt") == (403, "AccessDenied")
        # The long-term key has no token issue time: untouched.
        assert s3(world.server, DEV).get_object(Bucket=world.mine, Key="public/a.txt")["Body"].read() == \
            b"public bytes"
        # A session issued after the cutoff works.
        time.sleep(1.5)
        new = world.s3(world.sts(DEV).get_session_token(DurationSeconds=900)["Credentials"])
        assert new.get_object(Bucket=world.mine, Key="public/a.txt")["Body"].read() == b"public bytes"
    finally:
        cli(world.server, "policy", "delete", "--tenant", "acme", "--user", "dev", "revoke-sessions",
            creds=ACME_ROOT)


def test_aws_cli_gets_and_uses_a_session(world):
    srv = world.server
    out = run_aws(srv.endpoint, DEV[0], DEV[1], ["sts", "get-session-token", "--duration-seconds", "900"])
    c = json.loads(out.stdout)["Credentials"]
    res = run_aws(srv.endpoint, c["AccessKeyId"], c["SecretAccessKey"], ["s3", "ls", "s3://%s/public/" % world.mine],
                  session_token=c["SessionToken"])
    assert "a.txt" in res.stdout, res


def test_sts_calls_and_session_requests_are_in_the_tenants_log(world):
    r = world.sts(DEV).get_federation_token(Name="logged", Policy=policy(allow("s3:GetObject", "*")))
    c = r["Credentials"]
    got = world.s3(c).get_object(Bucket=world.mine, Key="public/a.txt")
    rid = got["ResponseMetadata"]["RequestId"]
    # The export reads the stopped server's data directory.
    world.server.stop_clean()
    entries = export_log(world.server, "acme")
    world.server.start()
    issued = [e for e in entries if e.get("operation") == "GetFederationToken"
              and e.get("details", {}).get("session_access_key_id") == c["AccessKeyId"]]
    assert len(issued) == 1, [e for e in entries if e.get("operation") == "GetFederationToken"]
    e = issued[0]
    assert e["principal"]["access_key_id"] == DEV[0] and e["principal"]["user"] == "dev"
    assert e["details"]["session_name"] == "logged"
    assert e["status"] == 200
    assert c["SecretAccessKey"] not in json.dumps(entries) and c["SessionToken"] not in json.dumps(entries)
    used = [e for e in entries if e.get("request_id") == rid]
    assert len(used) == 1 and used[0]["principal"]["access_key_id"] == c["AccessKeyId"], used
    assert used[0]["principal"]["user"] == "dev" and used[0]["operation"] == "GetObject"


def test_operator_caps_sessions_and_can_turn_them_off(tmp_path_factory):
    srv = AdminServer(str(tmp_path_factory.mktemp("sts-capped")), extra_args=["--max-session-duration", "1800"])
    srv.start()
    try:
        world = World(srv, None, None)
        root = (srv.access_key, srv.secret_key)
        c = world.sts(root).get_session_token()["Credentials"]
        left = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        assert 1790 <= left <= 1810, c["Expiration"]  # the default (43,200 s) shrinks to the cap
        status, code, message = sts_error(world.sts(root).get_session_token, DurationSeconds=3600)
        assert (status, code) == (400, "ValidationError") and "1800" in message, message
        world.s3(c).list_buckets()
        # Off: no STS call, and the sessions already out are refused.
        srv.extra_args = ["--no-sts"]
        srv.restart()
        assert sts_error(world.sts(root).get_session_token)[:2] == (501, "NotImplemented")
        assert s3_code(world.s3(c).list_buckets) == (403, "AccessDenied")
        srv.client().list_buckets()
    finally:
        if srv.alive():
            srv.stop_clean()
        srv.check_transparency_log()

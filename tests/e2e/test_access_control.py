"""Access control end to end (issue 5, "Must show"): two tenants (alpha,
beta) and several users, driven by boto3 and by plain HTTP for anonymous
requests.

- isolation: beta learns nothing of alpha's objects beyond what S3 reveals;
- identity policies (allow by prefix, explicit deny over allow, no policy);
- bucket policies granting another tenant, and every condition operator
  family in a real request with the condition keys of docs/policies.md;
- MalformedPolicy messages, Get/DeleteBucketPolicy, GetBucketPolicyStatus;
- anonymous access through ACLs and policies, Block Public Access,
  BucketOwnerEnforced, ACL round trips with grants to the other tenant;
- operator credentials denied on every S3 operation;
- quotas and usage counters that agree with a recount.

Rules under test: docs/tenancy.md and docs/policies.md.
"""

import json
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import botocore
import pytest
import requests

from adminutil import OPERATOR, cli, s3, s3_code, serve_module
from conftest import unique_bucket

ALPHA_ROOT = ("ACLALPHAROOTKEY00001", "acl-alpha-root-secret-0123456789")
BETA_ROOT = ("ACLBETAROOTKEY000001", "acl-beta-root-secret-0123456789")
# alpha's users: reader (reads and lists public/ of the main bucket), nobody
# (no policy at all), careful (everything but deletes), cond (no identity
# policy: only bucket policies give it access).
READER = ("ACLALPHAREADER000001", "acl-alpha-reader-secret-0123")
NOBODY = ("ACLALPHANOBODY000001", "acl-alpha-nobody-secret-0123")
CAREFUL = ("ACLALPHACAREFUL00001", "acl-alpha-careful-secret-012")
COND = ("ACLALPHACOND00000001", "acl-alpha-cond-secret-012345")
# beta's users: bob (everything, by its identity policy), bea (no policy
# until a test gives it one).
BOB = ("ACLBETABOB0000000001", "acl-beta-bob-secret-01234567")
BEA = ("ACLBETABEA0000000001", "acl-beta-bea-secret-01234567")
UNKNOWN_CANONICAL_ID = "0" * 64
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
OBJECTS = {"public/a.txt": b"public a", "private/b.txt": b"private b",
           "shared/c.txt": b"shared c"}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": list(statements)})


def allow(principal, action, resource, condition=None, effect="Allow"):
    st = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        st["Principal"] = principal
    if condition:
        st["Condition"] = condition
    return st


def arn(bucket, key=None):
    return "arn:aws:s3:::%s" % bucket + ("" if key is None else "/" + key)


def tenant_principal(tenant):
    return {"AWS": "arn:aws:iam::%s:root" % tenant}


def user_principal(tenant, user):
    return {"AWS": "arn:aws:iam::%s:user/%s" % (tenant, user)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve_module(tmp_path_factory, "acl")


class World:
    """What the `world` fixture set up."""

    def __init__(self, server, bucket, canonical):
        self.server = server
        self.bucket = bucket
        self.canonical = canonical  # tenant id -> canonical user id

    def client(self, creds):
        return s3(self.server, creds)


def put_user_policy(server, root, tenant, user, name, doc):
    """Identity policies are the tenant root's to give (docs/tenancy.md)."""
    cli(server, "policy", "put", "--tenant", tenant, "--user", user, name,
        stdin=doc, creds=root)


@pytest.fixture(scope="module")
def world(server):
    for tenant, root in (("alpha", ALPHA_ROOT), ("beta", BETA_ROOT)):
        cli(server, "tenant", "create", tenant, "--access-key", root[0],
            "--secret-key", root[1])
    for tenant, user, creds in (("alpha", "reader", READER),
                                ("alpha", "nobody", NOBODY),
                                ("alpha", "careful", CAREFUL),
                                ("alpha", "cond", COND),
                                ("beta", "bob", BOB), ("beta", "bea", BEA)):
        cli(server, "user", "create", "--tenant", tenant, user,
            "--access-key", creds[0], "--secret-key", creds[1])
    canonical = {t: cli(server, "--json", "tenant", "show", t).json()[
        "canonical_id"] for t in ("alpha", "beta")}
    bucket = unique_bucket("alpha")
    alpha = s3(server, ALPHA_ROOT)
    alpha.create_bucket(Bucket=bucket)
    for key, body in OBJECTS.items():
        alpha.put_object(Bucket=bucket, Key=key, Body=body)
    put_user_policy(server, ALPHA_ROOT, "alpha", "reader", "public-only",
                    policy(allow(None, "s3:GetObject",
                                 arn(bucket, "public/*")),
                           allow(None, "s3:ListBucket", arn(bucket),
                                 {"StringLike": {"s3:prefix": "public/*"}})))
    put_user_policy(server, ALPHA_ROOT, "alpha", "careful", "all",
                    policy(allow(None, "s3:*", "*")))
    put_user_policy(server, ALPHA_ROOT, "alpha", "careful", "no-delete",
                    policy(allow(None, "s3:DeleteObject", "*",
                                 effect="Deny")))
    put_user_policy(server, BETA_ROOT, "beta", "bob", "all",
                    policy(allow(None, "s3:*", "*")))
    return World(server, bucket, canonical)


def delete_everything(client, bucket):
    client.delete_bucket_policy(Bucket=bucket)
    client.delete_public_access_block(Bucket=bucket)
    for o in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=o["Key"])
    for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=u["Key"],
                                      UploadId=u["UploadId"])
    client.delete_bucket(Bucket=bucket)


@pytest.fixture
def fresh(world):
    """A new bucket of alpha's holding OBJECTS, removed afterwards by
    alpha's root (which can always delete a bucket policy)."""
    alpha = world.client(ALPHA_ROOT)
    bucket = unique_bucket("fresh")
    alpha.create_bucket(Bucket=bucket)
    for key, body in OBJECTS.items():
        alpha.put_object(Bucket=bucket, Key=key, Body=body)
    yield bucket
    delete_everything(alpha, bucket)


def anon_get(server, path, **kw):
    return requests.get(server.endpoint + path, timeout=30, **kw)


def anon_code(resp):
    """(HTTP status, S3 error code) of a plain HTTP reply."""
    root = ET.fromstring(resp.content)
    return resp.status_code, root.findtext("Code")


def error_message(fn, *args, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*args, **kw)
    return ei.value.response["Error"]


# ------------------------------------------------------------- isolation

def test_other_tenant_cannot_list_read_write_or_delete(world):
    b = world.bucket
    own = unique_bucket("beta")
    world.client(BETA_ROOT).create_bucket(Bucket=own)
    for creds in (BETA_ROOT, BOB):
        c = world.client(creds)
        denied = (403, "AccessDenied")
        assert s3_code(c.list_objects_v2, Bucket=b) == denied
        assert s3_code(c.list_objects, Bucket=b) == denied
        assert s3_code(c.head_bucket, Bucket=b) == (403, "403")
        assert s3_code(c.get_object, Bucket=b, Key="private/b.txt") == denied
        assert s3_code(c.put_object, Bucket=b, Key="planted",
                       Body=b"x") == denied
        assert s3_code(c.delete_object, Bucket=b,
                       Key="private/b.txt") == denied
        assert s3_code(c.create_multipart_upload, Bucket=b,
                       Key="planted") == denied
        assert s3_code(c.list_multipart_uploads, Bucket=b) == denied
        for op in (c.get_bucket_acl, c.get_bucket_policy,
                   c.get_bucket_policy_status, c.get_public_access_block,
                   c.get_bucket_ownership_controls, c.get_bucket_tagging,
                   c.delete_bucket_policy, c.delete_bucket):
            assert s3_code(op, Bucket=b) == denied, op
        assert s3_code(c.put_bucket_policy, Bucket=b, Policy=policy(
            allow("*", "s3:GetObject", arn(b, "*")))) == denied
        assert s3_code(c.put_bucket_acl, Bucket=b, ACL="public-read") == \
            denied
        for op in (c.get_object_acl, c.get_object_tagging):
            assert s3_code(op, Bucket=b, Key="private/b.txt") == denied
        assert s3_code(c.put_object_acl, Bucket=b, Key="private/b.txt",
                       ACL="public-read") == denied
        # CopyObject cannot use alpha's bucket as a source.
        assert s3_code(c.copy_object, Bucket=own, Key="stolen",
                       CopySource={"Bucket": b,
                                   "Key": "private/b.txt"}) == denied
        # DeleteObjects refuses every key.
        r = c.delete_objects(Bucket=b, Delete={"Objects": [
            {"Key": "private/b.txt"}, {"Key": "public/a.txt"}]})
        assert r.get("Deleted", []) == []
        assert sorted((e["Key"], e["Code"]) for e in r["Errors"]) == [
            ("private/b.txt", "AccessDenied"),
            ("public/a.txt", "AccessDenied")]
        # The bucket's existence is public in S3 (names are global); that
        # is all: its list of buckets holds only its own.
        assert s3_code(c.create_bucket, Bucket=b) == (
            409, "BucketAlreadyExists")
        names = [x["Name"] for x in c.list_buckets()["Buckets"]]
        assert own in names and b not in names
    alpha = world.client(ALPHA_ROOT)
    keys = [o["Key"] for o in alpha.list_objects_v2(Bucket=b)["Contents"]]
    assert sorted(keys) == sorted(OBJECTS)
    assert alpha.get_object(Bucket=b, Key="private/b.txt")[
        "Body"].read() == OBJECTS["private/b.txt"]
    assert s3_code(world.client(BETA_ROOT).get_object, Bucket=own,
                   Key="stolen") == (404, "NoSuchKey")
    world.client(BETA_ROOT).delete_bucket(Bucket=own)


def test_other_tenant_cannot_tell_existing_keys_from_missing(world):
    b = world.bucket
    c = world.client(BETA_ROOT)
    own = unique_bucket("beta")
    c.create_bucket(Bucket=own)
    try:
        for key in ("private/b.txt", "private/never-written"):
            e = error_message(c.get_object, Bucket=b, Key=key)
            assert (e["Code"], e["Message"]) == (
                "AccessDenied", error_message(
                    c.get_object, Bucket=b, Key="private/b.txt")["Message"])
            assert s3_code(c.head_object, Bucket=b, Key=key) == (403, "403")
            assert s3_code(c.copy_object, Bucket=own, Key="x", CopySource={
                "Bucket": b, "Key": key}) == (403, "AccessDenied")
        assert s3_code(c.list_objects_v2, Bucket=unique_bucket("nope")) == (
            404, "NoSuchBucket")
    finally:
        c.delete_bucket(Bucket=own)


# ------------------------------------------------------ identity policies

def test_identity_policy_allows_by_prefix(world):
    b = world.bucket
    r = world.client(READER)
    assert r.get_object(Bucket=b, Key="public/a.txt")["Body"].read() == \
        OBJECTS["public/a.txt"]
    denied = (403, "AccessDenied")
    assert s3_code(r.get_object, Bucket=b, Key="private/b.txt") == denied
    assert s3_code(r.put_object, Bucket=b, Key="public/new",
                   Body=b"x") == denied
    assert s3_code(r.delete_object, Bucket=b, Key="public/a.txt") == denied
    listed = r.list_objects_v2(Bucket=b, Prefix="public/")
    assert [o["Key"] for o in listed["Contents"]] == ["public/a.txt"]
    assert s3_code(r.list_objects_v2, Bucket=b, Prefix="private/") == denied
    assert s3_code(r.list_objects_v2, Bucket=b) == denied  # no s3:prefix
    # A missing key is NoSuchKey only where the reader may list with the
    # key as s3:prefix; elsewhere AccessDenied, so nothing is revealed.
    assert s3_code(r.get_object, Bucket=b, Key="public/missing") == (
        404, "NoSuchKey")
    assert s3_code(r.head_object, Bucket=b, Key="public/missing") == (
        404, "404")
    assert s3_code(r.get_object, Bucket=b, Key="private/missing") == denied
    assert s3_code(r.head_object, Bucket=b, Key="private/missing") == (
        403, "403")
    # Other operations of alpha's are denied too.
    assert s3_code(r.get_bucket_acl, Bucket=b) == denied
    assert s3_code(r.list_buckets) == denied


def test_user_without_policy_is_denied_everything(world):
    c = world.client(NOBODY)
    denied = (403, "AccessDenied")
    assert s3_code(c.list_buckets) == denied
    assert s3_code(c.create_bucket, Bucket=unique_bucket("nobody")) == denied
    assert s3_code(c.list_objects_v2, Bucket=world.bucket) == denied
    assert s3_code(c.get_object, Bucket=world.bucket,
                   Key="public/a.txt") == denied
    assert s3_code(c.put_object, Bucket=world.bucket, Key="n",
                   Body=b"x") == denied
    assert s3_code(c.delete_object, Bucket=world.bucket,
                   Key="public/a.txt") == denied
    assert s3_code(c.get_bucket_policy, Bucket=world.bucket) == denied


def test_explicit_deny_beats_allow(world, fresh):
    c = world.client(CAREFUL)
    c.put_object(Bucket=fresh, Key="careful/x", Body=b"x")
    assert c.get_object(Bucket=fresh, Key="careful/x")["Body"].read() == b"x"
    c.copy_object(Bucket=fresh, Key="careful/y",
                  CopySource={"Bucket": fresh, "Key": "careful/x"})
    assert s3_code(c.delete_object, Bucket=fresh, Key="careful/x") == (
        403, "AccessDenied")
    # DeleteObjects checks s3:DeleteObject for each key.
    r = c.delete_objects(Bucket=fresh, Delete={"Objects": [
        {"Key": "careful/x"}, {"Key": "careful/y"}]})
    assert r.get("Deleted", []) == []
    assert {e["Code"] for e in r["Errors"]} == {"AccessDenied"}
    assert c.head_object(Bucket=fresh, Key="careful/x")
    # A Deny in the bucket policy beats the user's own Allow...
    alpha = world.client(ALPHA_ROOT)
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(allow(
        user_principal("alpha", "careful"), "s3:GetObject",
        arn(fresh, "private/*"), effect="Deny")))
    assert s3_code(c.get_object, Bucket=fresh, Key="private/b.txt") == (
        403, "AccessDenied")
    c.get_object(Bucket=fresh, Key="public/a.txt")
    # ... and binds the bucket owner's root as well.
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(allow(
        "*", "s3:PutObject", arn(fresh, "locked/*"), effect="Deny")))
    assert s3_code(alpha.put_object, Bucket=fresh, Key="locked/x",
                   Body=b"x") == (403, "AccessDenied")
    alpha.put_object(Bucket=fresh, Key="open/x", Body=b"x")


def test_bucket_owner_root_cannot_lock_itself_out(world, fresh):
    """S3: the bucket owner's root can always get, put and delete the
    bucket policy, whatever the policy says."""
    alpha = world.client(ALPHA_ROOT)
    doc = policy(allow("*", "s3:*", [arn(fresh), arn(fresh, "*")],
                       effect="Deny"))
    alpha.put_bucket_policy(Bucket=fresh, Policy=doc)
    assert s3_code(alpha.get_object, Bucket=fresh, Key="public/a.txt") == (
        403, "AccessDenied")
    assert s3_code(alpha.list_objects_v2, Bucket=fresh) == (
        403, "AccessDenied")
    assert json.loads(alpha.get_bucket_policy(Bucket=fresh)["Policy"]) == \
        json.loads(doc)
    alpha.put_bucket_policy(Bucket=fresh, Policy=doc)
    alpha.delete_bucket_policy(Bucket=fresh)
    alpha.get_object(Bucket=fresh, Key="public/a.txt")
    # That exception is the root's only: its users stay bound.
    put_user_policy(world.server, ALPHA_ROOT, "alpha", "cond", "all",
                    policy(allow(None, "s3:*", "*")))
    try:
        alpha.put_bucket_policy(Bucket=fresh, Policy=doc)
        c = world.client(COND)
        assert s3_code(c.get_bucket_policy, Bucket=fresh) == (
            403, "AccessDenied")
        assert s3_code(c.delete_bucket_policy, Bucket=fresh) == (
            403, "AccessDenied")
    finally:
        cli(world.server, "policy", "delete", "--tenant", "alpha", "--user",
            "cond", "all", creds=ALPHA_ROOT)


# ---------------------------------------- bucket policies across tenants

def test_bucket_policy_grants_other_tenant(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow(tenant_principal("beta"), "s3:GetObject",
              arn(fresh, "shared/*")),
        allow(tenant_principal("beta"), "s3:ListBucket", arn(fresh))))
    beta = world.client(BETA_ROOT)
    assert beta.get_object(Bucket=fresh, Key="shared/c.txt")[
        "Body"].read() == OBJECTS["shared/c.txt"]
    keys = [o["Key"] for o in beta.list_objects_v2(Bucket=fresh)["Contents"]]
    assert sorted(keys) == sorted(OBJECTS)
    denied = (403, "AccessDenied")
    assert s3_code(beta.get_object, Bucket=fresh, Key="private/b.txt") == \
        denied
    assert s3_code(beta.put_object, Bucket=fresh, Key="shared/new",
                   Body=b"x") == denied
    # With s3:ListBucket granted, a missing key is NoSuchKey.
    assert s3_code(beta.get_object, Bucket=fresh, Key="shared/none") == (
        404, "NoSuchKey")
    # beta's users need their own identity policy as well.
    bob, bea = world.client(BOB), world.client(BEA)
    assert bob.get_object(Bucket=fresh, Key="shared/c.txt")
    assert s3_code(bob.get_object, Bucket=fresh, Key="private/b.txt") == \
        denied
    assert s3_code(bea.get_object, Bucket=fresh, Key="shared/c.txt") == \
        denied
    put_user_policy(world.server, BETA_ROOT, "beta", "bea", "read-alpha",
                    policy(allow(None, "s3:GetObject", arn(fresh, "*"))))
    try:
        assert bea.get_object(Bucket=fresh, Key="shared/c.txt")[
            "Body"].read() == OBJECTS["shared/c.txt"]
        assert s3_code(bea.get_object, Bucket=fresh,
                       Key="private/b.txt") == denied
        assert s3_code(bea.list_objects_v2, Bucket=fresh) == denied
        # A policy naming one user of beta grants neither its root nor
        # its other users; a canonical id names the whole tenant.
        alpha.put_bucket_policy(Bucket=fresh, Policy=policy(allow(
            user_principal("beta", "bea"), "s3:GetObject",
            arn(fresh, "*"))))
        assert bea.get_object(Bucket=fresh, Key="private/b.txt")
        assert s3_code(beta.get_object, Bucket=fresh,
                       Key="shared/c.txt") == denied
        assert s3_code(bob.get_object, Bucket=fresh,
                       Key="shared/c.txt") == denied
        alpha.put_bucket_policy(Bucket=fresh, Policy=policy(allow(
            {"CanonicalUser": world.canonical["beta"]}, "s3:GetObject",
            arn(fresh, "*"))))
        assert beta.get_object(Bucket=fresh, Key="private/b.txt")
        assert bob.get_object(Bucket=fresh, Key="private/b.txt")
    finally:
        cli(world.server, "policy", "delete", "--tenant", "beta", "--user",
            "bea", "read-alpha", creds=BETA_ROOT)


def test_cross_tenant_copy_needs_read_on_the_source(world, fresh):
    beta = world.client(BETA_ROOT)
    own = unique_bucket("beta")
    beta.create_bucket(Bucket=own)
    try:
        assert s3_code(beta.copy_object, Bucket=own, Key="copy",
                       CopySource={"Bucket": fresh,
                                   "Key": "shared/c.txt"}) == (
            403, "AccessDenied")
        world.client(ALPHA_ROOT).put_bucket_policy(Bucket=fresh, Policy=policy(
            allow(tenant_principal("beta"), "s3:GetObject",
                  arn(fresh, "shared/*"))))
        beta.copy_object(Bucket=own, Key="copy", CopySource={
            "Bucket": fresh, "Key": "shared/c.txt"})
        assert beta.get_object(Bucket=own, Key="copy")["Body"].read() == \
            OBJECTS["shared/c.txt"]
        assert s3_code(beta.copy_object, Bucket=own, Key="copy2",
                       CopySource={"Bucket": fresh,
                                   "Key": "private/b.txt"}) == (
            403, "AccessDenied")
        beta.delete_object(Bucket=own, Key="copy")
    finally:
        beta.delete_bucket(Bucket=own)


def test_copy_source_condition_limits_what_may_be_copied_in(world, fresh):
    """s3:x-amz-copy-source: beta may copy into alpha's bucket only from
    public/ of the source bucket."""
    alpha = world.client(ALPHA_ROOT)
    beta = world.client(BETA_ROOT)
    dest = unique_bucket("dest")
    alpha.create_bucket(Bucket=dest)
    try:
        alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
            allow(tenant_principal("beta"), "s3:GetObject", arn(fresh, "*"))))
        alpha.put_bucket_policy(Bucket=dest, Policy=policy(
            allow(tenant_principal("beta"), "s3:PutObject", arn(dest, "*"),
                  {"StringLike": {"s3:x-amz-copy-source":
                                  fresh + "/public/*"}})))
        beta.copy_object(Bucket=dest, Key="in", CopySource={
            "Bucket": fresh, "Key": "public/a.txt"})
        assert alpha.get_object(Bucket=dest, Key="in")["Body"].read() == \
            OBJECTS["public/a.txt"]
        assert s3_code(beta.copy_object, Bucket=dest, Key="in2", CopySource={
            "Bucket": fresh, "Key": "private/b.txt"}) == (403, "AccessDenied")
        # A plain PUT has no copy source: the condition cannot match.
        assert s3_code(beta.put_object, Bucket=dest, Key="in3",
                       Body=b"x") == (403, "AccessDenied")
    finally:
        delete_everything(alpha, dest)


def test_expected_bucket_owner(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    assert alpha.get_object(Bucket=fresh, Key="public/a.txt",
                            ExpectedBucketOwner="alpha")["Body"].read() == \
        OBJECTS["public/a.txt"]
    assert s3_code(alpha.get_object, Bucket=fresh, Key="public/a.txt",
                   ExpectedBucketOwner="beta") == (403, "AccessDenied")
    assert s3_code(alpha.list_objects_v2, Bucket=fresh,
                   ExpectedBucketOwner="beta") == (403, "AccessDenied")
    assert s3_code(alpha.copy_object, Bucket=fresh, Key="c", CopySource={
        "Bucket": fresh, "Key": "public/a.txt"},
        ExpectedSourceBucketOwner="beta") == (403, "AccessDenied")
    alpha.copy_object(Bucket=fresh, Key="c", CopySource={
        "Bucket": fresh, "Key": "public/a.txt"},
        ExpectedSourceBucketOwner="alpha", ExpectedBucketOwner="alpha")


def test_list_permission_alone_reveals_only_missing_keys(world, fresh):
    """Another tenant granted s3:ListBucket on public/* but no
    s3:GetObject: a missing key under public/ is 404 (a listing would tell
    it as much), an existing one stays 403, elsewhere everything is 403."""
    alpha = world.client(ALPHA_ROOT)
    beta = world.client(BETA_ROOT)
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow({"AWS": "*"}, "s3:ListBucket", arn(fresh),
              {"StringLike": {"s3:prefix": "public/*"}})))
    assert s3_code(beta.head_object, Bucket=fresh, Key="public/missing") == (
        404, "404")
    assert s3_code(beta.get_object, Bucket=fresh, Key="public/missing") == (
        404, "NoSuchKey")
    assert s3_code(beta.head_object, Bucket=fresh, Key="public/a.txt") == (
        403, "403")
    assert s3_code(beta.head_object, Bucket=fresh, Key="private/missing") == (
        403, "403")


def test_initiator_may_abort_and_list_its_upload(world, fresh):
    """In a bucket where beta may write (public-read-write ACL), beta may
    list the parts of and abort the upload it started (S3: the initiator
    has that permission), but not alpha's."""
    alpha = world.client(ALPHA_ROOT)
    beta = world.client(BETA_ROOT)
    alpha.put_bucket_acl(Bucket=fresh, ACL="public-read-write")
    mine = beta.create_multipart_upload(Bucket=fresh, Key="b")["UploadId"]
    theirs = alpha.create_multipart_upload(Bucket=fresh, Key="a")["UploadId"]
    assert beta.list_parts(Bucket=fresh, Key="b", UploadId=mine)[
        "UploadId"] == mine
    assert s3_code(beta.list_parts, Bucket=fresh, Key="a",
                   UploadId=theirs) == (403, "AccessDenied")
    assert s3_code(beta.abort_multipart_upload, Bucket=fresh, Key="a",
                   UploadId=theirs) == (403, "AccessDenied")
    beta.abort_multipart_upload(Bucket=fresh, Key="b", UploadId=mine)
    alpha.abort_multipart_upload(Bucket=fresh, Key="a", UploadId=theirs)
    alpha.put_bucket_acl(Bucket=fresh, ACL="private")


# ----------------------------------------------- condition operators

class Case:
    """Replaces the bucket policy of `bucket` (as alpha's root) between the
    requests of one condition test."""

    def __init__(self, world, bucket):
        self.bucket = bucket
        self.owner = world.client(ALPHA_ROOT)

    def policy(self, *statements):
        self.owner.put_bucket_policy(Bucket=self.bucket,
                                     Policy=policy(*statements))


def test_condition_string_like_on_prefix_and_numeric_on_max_keys(world,
                                                                  fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    case.policy(allow(user_principal("alpha", "cond"), "s3:ListBucket",
                      arn(fresh), {"StringLike": {"s3:prefix": "shared/*"}}))
    assert [o["Key"] for o in c.list_objects_v2(
        Bucket=fresh, Prefix="shared/")["Contents"]] == ["shared/c.txt"]
    assert s3_code(c.list_objects_v2, Bucket=fresh, Prefix="private/") == (
        403, "AccessDenied")
    assert s3_code(c.list_objects_v2, Bucket=fresh) == (403, "AccessDenied")
    case.policy(allow(user_principal("alpha", "cond"), "s3:ListBucket",
                      arn(fresh),
                      {"NumericLessThanEquals": {"s3:max-keys": "10"}}))
    assert len(c.list_objects_v2(Bucket=fresh, MaxKeys=10)["Contents"]) == 3
    assert len(c.list_objects(Bucket=fresh, MaxKeys=2)["Contents"]) == 2
    assert s3_code(c.list_objects_v2, Bucket=fresh, MaxKeys=11) == (
        403, "AccessDenied")
    assert s3_code(c.list_objects_v2, Bucket=fresh) == (403, "AccessDenied")


def test_condition_source_ip(world, fresh):
    """The client is 127.0.0.1."""
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    get = arn(fresh, "*")
    for op, block, ok in (("IpAddress", "127.0.0.1/32", True),
                          ("IpAddress", ["10.0.0.0/8", "127.0.0.0/8"], True),
                          ("IpAddress", "10.0.0.0/8", False),
                          ("NotIpAddress", "10.0.0.0/8", True),
                          ("NotIpAddress", "127.0.0.0/24", False)):
        case.policy(allow(who, "s3:GetObject", get,
                          {op: {"aws:SourceIp": block}}))
        if ok:
            c.get_object(Bucket=fresh, Key="shared/c.txt")
        else:
            assert s3_code(c.get_object, Bucket=fresh,
                           Key="shared/c.txt") == (403, "AccessDenied"), (
                op, block)


def test_condition_secure_transport_bool(world, fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    case.policy(allow(who, "s3:GetObject", arn(fresh, "*"),
                      {"Bool": {"aws:SecureTransport": "false"}}))
    c.get_object(Bucket=fresh, Key="shared/c.txt")
    case.policy(allow(who, "s3:GetObject", arn(fresh, "*"),
                      {"Bool": {"aws:SecureTransport": True}}))
    assert s3_code(c.get_object, Bucket=fresh, Key="shared/c.txt") == (
        403, "AccessDenied")
    # The usual "TLS only" Deny binds everyone, the owner's root included.
    case.policy(allow("*", "s3:GetObject", arn(fresh, "private/*"),
                      {"Bool": {"aws:SecureTransport": "false"}},
                      effect="Deny"))
    assert s3_code(case.owner.get_object, Bucket=fresh,
                   Key="private/b.txt") == (403, "AccessDenied")
    case.owner.get_object(Bucket=fresh, Key="shared/c.txt")


def test_condition_current_time_dates(world, fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    for cond, ok in (
            ({"DateLessThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}},
             True),
            ({"DateGreaterThan": {"aws:CurrentTime": "2000-01-01"}}, True),
            ({"DateGreaterThan": {"aws:CurrentTime": "2000-01-01"},
              "DateLessThan": {"aws:CurrentTime": "2999-01-01"}}, True),
            ({"DateGreaterThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}},
             False),
            ({"DateLessThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}},
             False)):
        case.policy(allow(who, "s3:GetObject", arn(fresh, "*"), cond))
        if ok:
            c.get_object(Bucket=fresh, Key="shared/c.txt")
        else:
            assert s3_code(c.get_object, Bucket=fresh,
                           Key="shared/c.txt") == (403, "AccessDenied"), cond


def test_condition_canned_acl_string_equals_across_tenants(world, fresh):
    """The classic: another tenant may upload only if it hands the bucket
    owner full control."""
    case = Case(world, fresh)
    case.policy(allow(tenant_principal("beta"), "s3:PutObject",
                      arn(fresh, "uploads/*"),
                      {"StringEquals": {
                          "s3:x-amz-acl": "bucket-owner-full-control"}}))
    beta = world.client(BETA_ROOT)
    beta.put_object(Bucket=fresh, Key="uploads/ok", Body=b"from beta",
                    ACL="bucket-owner-full-control")
    assert s3_code(beta.put_object, Bucket=fresh, Key="uploads/no-acl",
                   Body=b"x") == (403, "AccessDenied")
    assert s3_code(beta.put_object, Bucket=fresh, Key="uploads/private",
                   Body=b"x", ACL="private") == (403, "AccessDenied")
    assert s3_code(beta.put_object, Bucket=fresh, Key="elsewhere",
                   Body=b"x", ACL="bucket-owner-full-control") == (
        403, "AccessDenied")
    # The object belongs to the bucket owner (docs/tenancy.md).
    assert case.owner.get_object(Bucket=fresh, Key="uploads/ok")[
        "Body"].read() == b"from beta"
    acl = case.owner.get_object_acl(Bucket=fresh, Key="uploads/ok")
    assert acl["Owner"]["ID"] == world.canonical["alpha"]
    assert s3_code(beta.get_object, Bucket=fresh, Key="uploads/ok") == (
        403, "AccessDenied")


def test_condition_null_and_if_exists(world, fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    case.policy(
        allow(who, "s3:PutObject", arn(fresh, "*")),
        # Refuse uploads that do not ask for encryption.
        allow(who, "s3:PutObject", arn(fresh, "enc/*"),
              {"Null": {"s3:x-amz-server-side-encryption": "true"}},
              effect="Deny"),
        # ...IfExists holds when the key is absent: this Deny refuses an
        # upload without x-amz-acl as well as one with another ACL.
        allow(who, "s3:PutObject", arn(fresh, "strict/*"),
              {"StringNotEqualsIfExists": {
                  "s3:x-amz-acl": "bucket-owner-full-control"}},
              effect="Deny"))
    assert s3_code(c.put_object, Bucket=fresh, Key="enc/plain",
                   Body=b"x") == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="enc/sealed", Body=b"x",
                 ServerSideEncryption="AES256")
    c.put_object(Bucket=fresh, Key="strict/ok", Body=b"x",
                 ACL="bucket-owner-full-control")
    assert s3_code(c.put_object, Bucket=fresh, Key="strict/none",
                   Body=b"x") == (403, "AccessDenied")
    assert s3_code(c.put_object, Bucket=fresh, Key="strict/private",
                   Body=b"x", ACL="private") == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="other/none", Body=b"x")
    # The Allow form: StringEqualsIfExists allows when absent.
    case.policy(allow(who, "s3:PutObject", arn(fresh, "*"),
                      {"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}))
    c.put_object(Bucket=fresh, Key="ie/none", Body=b"x")
    c.put_object(Bucket=fresh, Key="ie/private", Body=b"x", ACL="private")
    assert s3_code(c.put_object, Bucket=fresh, Key="ie/public", Body=b"x",
                   ACL="public-read") == (403, "AccessDenied")


def test_condition_sse_customer_algorithm(world, fresh):
    """s3:x-amz-server-side-encryption-customer-algorithm carries an SSE-C
    request's algorithm: a bucket policy can require SSE-C on a prefix
    (SSE-S3, with or without the header, is then refused)."""
    import os
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    case.policy(
        allow(who, "s3:PutObject", arn(fresh, "*")),
        allow(who, "s3:PutObject", arn(fresh, "ssec/*"),
              {"Null": {
                  "s3:x-amz-server-side-encryption-customer-algorithm":
                  "true"}},
              effect="Deny"))
    assert s3_code(c.put_object, Bucket=fresh, Key="ssec/plain",
                   Body=b"x") == (403, "AccessDenied")
    assert s3_code(c.put_object, Bucket=fresh, Key="ssec/s3", Body=b"x",
                   ServerSideEncryption="AES256") == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="ssec/ok", Body=b"x",
                 SSECustomerAlgorithm="AES256", SSECustomerKey=os.urandom(32))
    c.put_object(Bucket=fresh, Key="other/plain", Body=b"x")


def test_condition_auth_type_and_signature_version(world, fresh):
    """s3:authType is REST-HEADER, REST-QUERY-STRING (presigned URL) or POST
    (browser form); s3:signatureversion is AWS4-HMAC-SHA256 or AWS
    (SigV2)."""
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    key = "shared/c.txt"
    case.policy(
        allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")),
        allow("*", "s3:GetObject", arn(fresh, "*"),
              {"StringEquals": {"s3:authType": "REST-QUERY-STRING"}},
              effect="Deny"))
    assert c.get_object(Bucket=fresh, Key=key)["Body"].read() == b"shared c"
    url = c.generate_presigned_url("get_object",
                                   Params={"Bucket": fresh, "Key": key})
    assert anon_code(requests.get(url, timeout=30)) == (403, "AccessDenied")
    # The same statement on REST-HEADER turns it around.
    case.policy(
        allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")),
        allow("*", "s3:GetObject", arn(fresh, "*"),
              {"StringEquals": {"s3:authType": "REST-HEADER"}},
              effect="Deny"))
    assert requests.get(url, timeout=30).content == b"shared c"
    assert s3_code(c.get_object, Bucket=fresh, Key=key) == (
        403, "AccessDenied")

    # Browser forms: POST.
    case.policy(
        allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")),
        allow("*", "s3:PutObject", arn(fresh, "*"),
              {"StringEquals": {"s3:authType": "POST"}}, effect="Deny"))
    post = c.generate_presigned_post(fresh, "posted")
    r = requests.post(post["url"], data=post["fields"],
                      files={"file": ("f", b"form")}, timeout=30)
    assert anon_code(r) == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="posted", Body=b"header-signed")

    # Signature versions.
    case.policy(
        allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")),
        allow("*", "s3:GetObject", arn(fresh, "*"),
              {"StringNotEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}},
              effect="Deny"))
    v2 = world.server.client(access_key=COND[0], secret_key=COND[1],
                             signature_version="s3")
    assert s3_code(v2.get_object, Bucket=fresh, Key=key) == (
        403, "AccessDenied")
    assert c.get_object(Bucket=fresh, Key=key)["Body"].read() == b"shared c"
    case.policy(
        allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")),
        allow("*", "s3:GetObject", arn(fresh, "*"),
              {"StringEquals": {"s3:signatureversion": "AWS"}},
              effect="Deny"))
    assert s3_code(v2.get_object, Bucket=fresh, Key=key) == (
        403, "AccessDenied")
    assert c.get_object(Bucket=fresh, Key=key)["Body"].read() == b"shared c"
    case.policy(allow(who, ["s3:GetObject", "s3:PutObject"], arn(fresh, "*")))
    assert v2.get_object(Bucket=fresh, Key=key)["Body"].read() == b"shared c"


def test_condition_request_tag_keys_set_operators(world, fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    who = user_principal("alpha", "cond")
    case.policy(
        allow(who, "s3:PutObject", arn(fresh, "any/*"),
              {"ForAnyValue:StringEquals": {
                  "s3:RequestObjectTagKeys": ["project"]}}),
        allow(who, "s3:PutObject", arn(fresh, "all/*"),
              {"ForAllValues:StringEquals": {
                  "s3:RequestObjectTagKeys": ["project", "team"]}}),
        allow(who, "s3:PutObject", arn(fresh, "tag/*"),
              {"StringEquals": {"s3:RequestObjectTag/team": "blue"}}))
    c.put_object(Bucket=fresh, Key="any/1", Body=b"x",
                 Tagging="project=x&other=y")
    assert s3_code(c.put_object, Bucket=fresh, Key="any/2", Body=b"x",
                   Tagging="other=y") == (403, "AccessDenied")
    assert s3_code(c.put_object, Bucket=fresh, Key="any/3",
                   Body=b"x") == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="all/1", Body=b"x",
                 Tagging="project=x&team=y")
    c.put_object(Bucket=fresh, Key="all/2", Body=b"x")  # no keys: vacuous
    assert s3_code(c.put_object, Bucket=fresh, Key="all/3", Body=b"x",
                   Tagging="project=x&secret=y") == (403, "AccessDenied")
    c.put_object(Bucket=fresh, Key="tag/1", Body=b"x", Tagging="team=blue")
    assert s3_code(c.put_object, Bucket=fresh, Key="tag/2", Body=b"x",
                   Tagging="team=red") == (403, "AccessDenied")
    tags = case.owner.get_object_tagging(Bucket=fresh, Key="any/1")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [
        ("other", "y"), ("project", "x")]


def test_condition_existing_object_tag(world, fresh):
    case = Case(world, fresh)
    c = world.client(COND)
    case.owner.put_object(Bucket=fresh, Key="doc/open", Body=b"open",
                          Tagging="classification=public")
    case.owner.put_object(Bucket=fresh, Key="doc/closed", Body=b"closed",
                          Tagging="classification=secret")
    case.policy(allow(user_principal("alpha", "cond"), "s3:GetObject",
                      arn(fresh, "*"),
                      {"StringEquals": {
                          "s3:ExistingObjectTag/classification": "public"}}))
    assert c.get_object(Bucket=fresh, Key="doc/open")["Body"].read() == \
        b"open"
    assert s3_code(c.get_object, Bucket=fresh, Key="doc/closed") == (
        403, "AccessDenied")
    assert s3_code(c.get_object, Bucket=fresh, Key="shared/c.txt") == (
        403, "AccessDenied")  # untagged
    # Retagging changes the answer at once.
    case.owner.put_object_tagging(Bucket=fresh, Key="doc/closed", Tagging={
        "TagSet": [{"Key": "classification", "Value": "public"}]})
    assert c.get_object(Bucket=fresh, Key="doc/closed")["Body"].read() == \
        b"closed"


def test_condition_existing_object_tag_in_identity_policy(world, fresh):
    """The same key works in an identity policy, and its Deny holds."""
    case = Case(world, fresh)
    case.owner.put_object(Bucket=fresh, Key="doc/open", Body=b"open",
                          Tagging="classification=public")
    case.owner.put_object(Bucket=fresh, Key="doc/closed", Body=b"closed",
                          Tagging="classification=secret")
    put_user_policy(world.server, ALPHA_ROOT, "alpha", "cond", "tags",
                    policy(allow(None, "s3:GetObject", arn(fresh, "*")),
                           allow(None, "s3:GetObject", arn(fresh, "*"),
                                 {"StringEquals": {
                                     "s3:ExistingObjectTag/classification":
                                         "secret"}}, effect="Deny")))
    try:
        c = world.client(COND)
        assert c.get_object(Bucket=fresh, Key="doc/open")["Body"].read() == \
            b"open"
        assert s3_code(c.get_object, Bucket=fresh, Key="doc/closed") == (
            403, "AccessDenied")
    finally:
        cli(world.server, "policy", "delete", "--tenant", "alpha", "--user",
            "cond", "tags", creds=ALPHA_ROOT)


def test_condition_username_variable_and_string_equals(world, fresh):
    case = Case(world, fresh)
    for key in ("home/cond/notes", "home/reader/notes"):
        case.owner.put_object(Bucket=fresh, Key=key, Body=key.encode())
    c = world.client(COND)
    case.policy(allow(tenant_principal("alpha"), "s3:GetObject",
                      arn(fresh, "home/${aws:username}/*")))
    assert c.get_object(Bucket=fresh, Key="home/cond/notes")[
        "Body"].read() == b"home/cond/notes"
    assert s3_code(c.get_object, Bucket=fresh, Key="home/reader/notes") == (
        403, "AccessDenied")
    case.policy(allow(tenant_principal("alpha"), "s3:GetObject",
                      arn(fresh, "*"),
                      {"StringEquals": {"aws:username": ["cond"]}}))
    c.get_object(Bucket=fresh, Key="home/reader/notes")
    assert s3_code(world.client(NOBODY).get_object, Bucket=fresh,
                   Key="home/reader/notes") == (403, "AccessDenied")


def test_condition_principal_account_and_arn(world, fresh):
    case = Case(world, fresh)
    case.policy(allow("*", "s3:GetObject", arn(fresh, "shared/*"),
                      {"StringEquals": {"aws:PrincipalAccount": "beta"}}))
    # Pinned to one account: not public.
    assert case.owner.get_bucket_policy_status(Bucket=fresh)[
        "PolicyStatus"]["IsPublic"] is False
    world.client(BETA_ROOT).get_object(Bucket=fresh, Key="shared/c.txt")
    world.client(BOB).get_object(Bucket=fresh, Key="shared/c.txt")
    assert anon_code(anon_get(world.server, "/%s/shared/c.txt" % fresh)) == (
        403, "AccessDenied")
    assert s3_code(world.client(COND).get_object, Bucket=fresh,
                   Key="shared/c.txt") == (403, "AccessDenied")
    case.policy(allow(tenant_principal("beta"), "s3:GetObject",
                      arn(fresh, "shared/*"),
                      {"ArnLike": {"aws:PrincipalArn":
                                   "arn:aws:iam::beta:user/*"}}))
    world.client(BOB).get_object(Bucket=fresh, Key="shared/c.txt")
    assert s3_code(world.client(BETA_ROOT).get_object, Bucket=fresh,
                   Key="shared/c.txt") == (403, "AccessDenied")


# ------------------------------------------ policy documents and status

@pytest.mark.parametrize("doc,message", [
    ("this is not json", "valid JSON"),
    ('{"Version": "2012-10-17", "Statement": []}', "Statement is empty"),
    (policy({"Effect": "Permit", "Principal": "*",
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}),
     "Invalid effect"),
    (policy({"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::BUCKET/*"}),
     "Missing required field Principal"),
    (policy({"Effect": "Allow", "Principal": "*",
             "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::BUCKET/*"}),
     "invalid action: s3:GetObjekt"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::some-other-bucket/*"}),
     "invalid resource"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::BUCKET/*"}),
     "Action does not apply to any resource(s) in statement"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::BUCKET/*",
             "Condition": {"StringFancy": {"aws:username": "x"}}}),
     "Invalid Condition operator: StringFancy"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::BUCKET/*",
             "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}}),
     "Invalid Condition value"),
    (policy({"Effect": "Allow", "NotPrincipal": {"AWS": "beta"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}),
     "NotPrincipal is only allowed with Effect Deny"),
    (policy({"Effect": "Allow", "Principal": {"AWS": "not an arn"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}),
     "Invalid principal"),
])
def test_malformed_policy_is_refused_with_a_useful_message(world, fresh, doc,
                                                           message):
    alpha = world.client(ALPHA_ROOT)
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        alpha.put_bucket_policy(Bucket=fresh,
                                Policy=doc.replace("BUCKET", fresh))
    err = ei.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Code"] == "MalformedPolicy"
    assert message in err["Error"]["Message"], err["Error"]
    assert s3_code(alpha.get_bucket_policy, Bucket=fresh) == (
        404, "NoSuchBucketPolicy")


def test_get_delete_bucket_policy_and_status(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    assert s3_code(alpha.get_bucket_policy, Bucket=fresh) == (
        404, "NoSuchBucketPolicy")
    assert s3_code(alpha.get_bucket_policy_status, Bucket=fresh) == (
        404, "NoSuchBucketPolicy")
    # Stored as given, byte for byte.
    private = ('{ "Version":"2012-10-17",\n  "Statement":[{"Sid":"Beta",'
               '"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::beta:root"'
               '},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}'
               % fresh)
    alpha.put_bucket_policy(Bucket=fresh, Policy=private)
    assert alpha.get_bucket_policy(Bucket=fresh)["Policy"] == private
    assert alpha.get_bucket_policy_status(Bucket=fresh)["PolicyStatus"][
        "IsPublic"] is False
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "www/*"))))
    assert alpha.get_bucket_policy_status(Bucket=fresh)["PolicyStatus"][
        "IsPublic"] is True
    alpha.delete_bucket_policy(Bucket=fresh)
    assert s3_code(alpha.get_bucket_policy, Bucket=fresh) == (
        404, "NoSuchBucketPolicy")
    alpha.delete_bucket_policy(Bucket=fresh)  # idempotent, as in S3


# ------------------------------------------------------- anonymous access

def test_anonymous_through_public_read_object_acl(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_object(Bucket=fresh, Key="pub.txt", Body=b"hello",
                     ACL="public-read")
    r = anon_get(srv, "/%s/pub.txt" % fresh)
    assert (r.status_code, r.content) == (200, b"hello")
    assert anon_code(anon_get(srv, "/%s/private/b.txt" % fresh)) == (
        403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s/missing" % fresh)) == (
        403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s" % fresh)) == (403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s/pub.txt?acl" % fresh)) == (
        403, "AccessDenied")
    r = requests.put(srv.endpoint + "/%s/pub.txt" % fresh, data=b"defaced",
                     timeout=30)
    assert anon_code(r) == (403, "AccessDenied")
    assert anon_code(requests.delete(srv.endpoint + "/%s/pub.txt" % fresh,
                                     timeout=30)) == (403, "AccessDenied")
    assert anon_code(anon_get(srv, "/")) == (403, "AccessDenied")
    # An existing object made public afterwards.
    alpha.put_object_acl(Bucket=fresh, Key="shared/c.txt", ACL="public-read")
    grants = alpha.get_object_acl(Bucket=fresh, Key="shared/c.txt")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS},
            "Permission": "READ"} in grants
    assert anon_get(srv, "/%s/shared/c.txt" % fresh).content == \
        OBJECTS["shared/c.txt"]
    alpha.put_object_acl(Bucket=fresh, Key="shared/c.txt", ACL="private")
    assert anon_get(srv, "/%s/shared/c.txt" % fresh).status_code == 403
    # The same ACL through boto3 without credentials.
    anon = srv.client(signature_version=botocore.UNSIGNED)
    assert anon.get_object(Bucket=fresh, Key="pub.txt")["Body"].read() == \
        b"hello"


def test_anonymous_listing_through_public_read_bucket_acl(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_bucket_acl(Bucket=fresh, ACL="public-read")
    r = anon_get(srv, "/%s?list-type=2" % fresh)
    assert r.status_code == 200, r.text
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    keys = [e.text for e in ET.fromstring(r.content).iter(ns + "Key")]
    assert sorted(keys) == sorted(OBJECTS)
    anon = srv.client(signature_version=botocore.UNSIGNED)
    assert len(anon.list_objects(Bucket=fresh)["Contents"]) == 3
    # Bucket READ lists; it does not read objects or the ACL.
    assert anon_code(anon_get(srv, "/%s/public/a.txt" % fresh)) == (
        403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s?acl" % fresh)) == (
        403, "AccessDenied")
    r = requests.put(srv.endpoint + "/%s/new" % fresh, data=b"x", timeout=30)
    assert anon_code(r) == (403, "AccessDenied")
    # authenticated-read: any signed requester, not the anonymous one.
    alpha.put_bucket_acl(Bucket=fresh, ACL="authenticated-read")
    assert anon_code(anon_get(srv, "/%s" % fresh)) == (403, "AccessDenied")
    assert len(world.client(BETA_ROOT).list_objects_v2(
        Bucket=fresh)["Contents"]) == 3
    alpha.put_bucket_acl(Bucket=fresh, ACL="private")
    assert s3_code(world.client(BETA_ROOT).list_objects_v2,
                   Bucket=fresh) == (403, "AccessDenied")


def test_anonymous_through_public_bucket_policy(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_object(Bucket=fresh, Key="www/index.html", Body=b"<h1>hi</h1>")
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "www/*"))))
    r = anon_get(srv, "/%s/www/index.html" % fresh)
    assert (r.status_code, r.content) == (200, b"<h1>hi</h1>")
    assert anon_code(anon_get(srv, "/%s/private/b.txt" % fresh)) == (
        403, "AccessDenied")
    # No s3:ListBucket for everyone: a missing key is AccessDenied.
    assert anon_code(anon_get(srv, "/%s/www/missing" % fresh)) == (
        403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s" % fresh)) == (403, "AccessDenied")
    # "*" covers every tenant's principals too.
    assert world.client(BETA_ROOT).get_object(
        Bucket=fresh, Key="www/index.html")["Body"].read() == b"<h1>hi</h1>"
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", ["s3:GetObject", "s3:ListBucket"],
              [arn(fresh), arn(fresh, "www/*")])))
    assert anon_code(anon_get(srv, "/%s/www/missing" % fresh)) == (
        404, "NoSuchKey")
    assert anon_get(srv, "/%s" % fresh).status_code == 200


# --------------------------------------------------- Block Public Access

def pab(**settings):
    conf = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
            "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
    conf.update(settings)
    return conf


def test_block_public_acls_and_policy_refuse_new_grants(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    assert s3_code(alpha.get_public_access_block, Bucket=fresh) == (
        404, "NoSuchPublicAccessBlockConfiguration")
    alpha.put_public_access_block(
        Bucket=fresh, PublicAccessBlockConfiguration=pab(
            BlockPublicAcls=True, BlockPublicPolicy=True))
    assert alpha.get_public_access_block(Bucket=fresh)[
        "PublicAccessBlockConfiguration"] == pab(BlockPublicAcls=True,
                                                 BlockPublicPolicy=True)
    denied = (403, "AccessDenied")
    assert s3_code(alpha.put_object, Bucket=fresh, Key="p", Body=b"x",
                   ACL="public-read") == denied
    assert s3_code(alpha.put_object, Bucket=fresh, Key="p", Body=b"x",
                   ACL="authenticated-read") == denied
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   ACL="public-read") == denied
    assert s3_code(alpha.put_bucket_acl, Bucket=fresh,
                   ACL="public-read") == denied
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   GrantRead='uri="%s"' % ALL_USERS) == denied
    assert s3_code(alpha.put_bucket_policy, Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "*")))) == denied
    assert s3_code(alpha.get_bucket_policy, Bucket=fresh) == (
        404, "NoSuchBucketPolicy")
    # Non-public grants still pass.
    alpha.put_object(Bucket=fresh, Key="p", Body=b"x", ACL="private")
    alpha.put_object_acl(Bucket=fresh, Key="p",
                         GrantRead='id="%s"' % world.canonical["beta"])
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow(tenant_principal("beta"), "s3:GetObject", arn(fresh, "*"))))
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "*"),
              {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    alpha.delete_public_access_block(Bucket=fresh)
    alpha.put_object(Bucket=fresh, Key="p", Body=b"x", ACL="public-read")


def test_ignore_public_acls_overrides_existing_grants(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_object(Bucket=fresh, Key="pub.txt", Body=b"hello",
                     ACL="public-read")
    alpha.put_bucket_acl(Bucket=fresh, ACL="public-read")
    assert anon_get(srv, "/%s/pub.txt" % fresh).status_code == 200
    assert anon_get(srv, "/%s" % fresh).status_code == 200
    alpha.put_public_access_block(Bucket=fresh,
                                  PublicAccessBlockConfiguration=pab(
                                      IgnorePublicAcls=True))
    assert anon_code(anon_get(srv, "/%s/pub.txt" % fresh)) == (
        403, "AccessDenied")
    assert anon_code(anon_get(srv, "/%s" % fresh)) == (403, "AccessDenied")
    # The ACL itself is kept, and comes back into force.
    grants = alpha.get_object_acl(Bucket=fresh, Key="pub.txt")["Grants"]
    assert any(g["Grantee"].get("URI") == ALL_USERS for g in grants)
    alpha.delete_public_access_block(Bucket=fresh)
    assert anon_get(srv, "/%s/pub.txt" % fresh).status_code == 200


def test_restrict_public_buckets_overrides_a_public_policy(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "*"))))
    assert anon_get(srv, "/%s/shared/c.txt" % fresh).status_code == 200
    world.client(BETA_ROOT).get_object(Bucket=fresh, Key="shared/c.txt")
    world.client(COND).get_object(Bucket=fresh, Key="shared/c.txt")
    alpha.put_public_access_block(Bucket=fresh,
                                  PublicAccessBlockConfiguration=pab(
                                      RestrictPublicBuckets=True))
    assert anon_code(anon_get(srv, "/%s/shared/c.txt" % fresh)) == (
        403, "AccessDenied")
    assert s3_code(world.client(BETA_ROOT).get_object, Bucket=fresh,
                   Key="shared/c.txt") == (403, "AccessDenied")
    # Principals of the owner's tenant keep what the policy gives them.
    world.client(COND).get_object(Bucket=fresh, Key="shared/c.txt")
    # A policy naming beta is not public: RestrictPublicBuckets leaves it.
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow(tenant_principal("beta"), "s3:GetObject", arn(fresh, "*"))))
    world.client(BETA_ROOT).get_object(Bucket=fresh, Key="shared/c.txt")
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow("*", "s3:GetObject", arn(fresh, "*"))))
    alpha.delete_public_access_block(Bucket=fresh)
    assert anon_get(srv, "/%s/shared/c.txt" % fresh).status_code == 200


# ------------------------------------------------- ownership controls

def test_bucket_owner_enforced_disables_acls(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    alpha.put_object(Bucket=fresh, Key="pub.txt", Body=b"hello",
                     ACL="public-read")
    assert anon_get(srv, "/%s/pub.txt" % fresh).status_code == 200
    alpha.put_bucket_ownership_controls(Bucket=fresh, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert alpha.get_bucket_ownership_controls(Bucket=fresh)[
        "OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}]
    refused = (400, "AccessControlListNotSupported")
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="pub.txt",
                   ACL="public-read") == refused
    assert s3_code(alpha.put_object, Bucket=fresh, Key="p", Body=b"x",
                   ACL="public-read") == refused
    assert s3_code(alpha.put_bucket_acl, Bucket=fresh,
                   ACL="public-read") == refused
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="pub.txt",
                   GrantRead='id="%s"' % world.canonical["beta"]) == refused
    # An object write takes bucket-owner-full-control, in a header or as
    # the equivalent document; every other ACL is refused, "private"
    # included (AWS's "Troubleshooting Object Ownership"), on every write.
    alpha.put_object(Bucket=fresh, Key="p", Body=b"x",
                     ACL="bucket-owner-full-control")
    alpha.put_object_acl(Bucket=fresh, Key="p", AccessControlPolicy={
        "Owner": {"ID": world.canonical["alpha"]},
        "Grants": [{"Grantee": {"Type": "CanonicalUser",
                                "ID": world.canonical["alpha"]},
                    "Permission": "FULL_CONTROL"}]})
    alpha.create_multipart_upload(Bucket=fresh, Key="m",
                                  ACL="bucket-owner-full-control")
    assert s3_code(alpha.put_object, Bucket=fresh, Key="q", Body=b"x",
                   ACL="private") == refused
    assert s3_code(alpha.create_multipart_upload, Bucket=fresh, Key="m",
                   ACL="private") == refused
    assert s3_code(alpha.copy_object, Bucket=fresh, Key="c",
                   CopySource={"Bucket": fresh, "Key": "p"},
                   ACL="private") == refused
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="p",
                   ACL="private") == refused
    assert s3_code(alpha.put_bucket_acl, Bucket=fresh,
                   ACL="private") == refused
    grants = alpha.get_bucket_acl(Bucket=fresh)["Grants"]
    assert [(g["Grantee"].get("ID"), g["Permission"]) for g in grants] == [
        (world.canonical["alpha"], "FULL_CONTROL")]
    # Existing grants no longer count.
    assert anon_code(anon_get(srv, "/%s/pub.txt" % fresh)) == (
        403, "AccessDenied")
    alpha.delete_bucket_ownership_controls(Bucket=fresh)
    assert s3_code(alpha.get_bucket_ownership_controls, Bucket=fresh) == (
        404, "OwnershipControlsNotFoundError")
    assert anon_get(srv, "/%s/pub.txt" % fresh).status_code == 200


def test_bucket_created_owner_enforced(world):
    alpha = world.client(ALPHA_ROOT)
    b = unique_bucket("enforced")
    # CreateBucket's "private" is the default ACL, which ACLs disabled
    # allow; an ACL that grants others is refused with its own code.
    assert s3_code(alpha.create_bucket, Bucket=b,
                   ObjectOwnership="BucketOwnerEnforced", ACL="public-read") == (
        400, "InvalidBucketAclWithObjectOwnership")
    alpha.create_bucket(Bucket=b, ObjectOwnership="BucketOwnerEnforced",
                        ACL="private")
    try:
        assert s3_code(alpha.put_bucket_acl, Bucket=b,
                       ACL="public-read") == (
            400, "AccessControlListNotSupported")
    finally:
        alpha.delete_bucket(Bucket=b)


def test_acls_cannot_be_disabled_while_the_bucket_acl_grants_others(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    alpha.put_bucket_acl(Bucket=fresh, ACL="public-read")
    assert s3_code(alpha.put_bucket_ownership_controls, Bucket=fresh,
                   OwnershipControls=enforced) == (
        400, "InvalidBucketAclWithObjectOwnership")
    assert s3_code(alpha.get_bucket_ownership_controls, Bucket=fresh) == (
        404, "OwnershipControlsNotFoundError")
    # With the grants moved away (the ACL back to private), it is allowed.
    alpha.put_bucket_acl(Bucket=fresh, ACL="private")
    alpha.put_bucket_ownership_controls(Bucket=fresh,
                                        OwnershipControls=enforced)
    alpha.delete_bucket_ownership_controls(Bucket=fresh)


# ----------------------------------------- ACLs on multipart uploads

def test_multipart_upload_acl_applies_to_the_completed_object(world, fresh):
    srv = world.server
    alpha = world.client(ALPHA_ROOT)
    part = b"p" * (5 * 1024 * 1024)

    def upload(key, **acl):
        up = alpha.create_multipart_upload(Bucket=fresh, Key=key, **acl)
        etag = alpha.upload_part(Bucket=fresh, Key=key, PartNumber=1,
                                 UploadId=up["UploadId"], Body=part)["ETag"]
        alpha.complete_multipart_upload(
            Bucket=fresh, Key=key, UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})

    upload("public", ACL="public-read")
    upload("granted", GrantRead='id="%s"' % world.canonical["beta"])
    upload("plain")
    got = anon_get(srv, "/%s/public" % fresh)
    assert got.status_code == 200 and got.content == part
    assert anon_code(anon_get(srv, "/%s/plain" % fresh)) == (403, "AccessDenied")
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and
               g["Permission"] == "READ"
               for g in alpha.get_object_acl(Bucket=fresh, Key="public")["Grants"])
    beta = world.client(BETA_ROOT)
    assert beta.get_object(Bucket=fresh, Key="granted")["Body"].read() == part
    assert s3_code(beta.get_object, Bucket=fresh, Key="plain") == (
        403, "AccessDenied")
    # A bad ACL is refused when the upload is created, not at completion.
    assert s3_code(alpha.create_multipart_upload, Bucket=fresh, Key="bad",
                   GrantRead='id="%s"' % ("0" * 64)) == (400, "InvalidArgument")
    assert alpha.list_multipart_uploads(Bucket=fresh).get("Uploads", []) == []


def test_upload_owner_is_the_bucket_owner_once_acls_are_disabled(world, fresh):
    alpha, beta = world.client(ALPHA_ROOT), world.client(BETA_ROOT)
    alpha.put_bucket_policy(Bucket=fresh, Policy=policy(
        allow(tenant_principal("beta"), ["s3:PutObject", "s3:ListMultipartUploadParts"],
              arn(fresh, "*")),
        allow(tenant_principal("beta"), "s3:ListBucketMultipartUploads", arn(fresh))))
    up = beta.create_multipart_upload(Bucket=fresh, Key="m")["UploadId"]

    def who():
        listed = beta.list_parts(Bucket=fresh, Key="m", UploadId=up)
        [upload] = beta.list_multipart_uploads(Bucket=fresh)["Uploads"]
        return [(r["Initiator"]["ID"], r["Owner"]["ID"]) for r in (listed, upload)]

    a, b = world.canonical["alpha"], world.canonical["beta"]
    assert who() == [(b, b), (b, b)]  # S3 lists the initiator as owner
    alpha.put_bucket_ownership_controls(Bucket=fresh, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert who() == [(b, a), (b, a)]  # the object will be the bucket owner's
    beta.abort_multipart_upload(Bucket=fresh, Key="m", UploadId=up)
    alpha.delete_bucket_ownership_controls(Bucket=fresh)


# ------------------------------------------------------ ACL round trips

def test_bucket_acl_round_trip_with_grant_to_other_tenant(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    acl = alpha.get_bucket_acl(Bucket=fresh)
    owner = acl["Owner"]
    assert owner["ID"] == world.canonical["alpha"]
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    alpha.put_bucket_acl(Bucket=fresh, AccessControlPolicy={
        "Owner": owner,
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]},
             "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "CanonicalUser",
                         "ID": world.canonical["beta"]},
             "Permission": "READ"}]})
    got = alpha.get_bucket_acl(Bucket=fresh)
    assert sorted((g["Grantee"].get("ID"), g["Permission"])
                  for g in got["Grants"]) == sorted([
                      (world.canonical["alpha"], "FULL_CONTROL"),
                      (world.canonical["beta"], "READ")])
    # READ on the bucket lists it for beta (and for bob, whose identity
    # policy allows); bea has no identity policy.
    assert len(world.client(BETA_ROOT).list_objects_v2(
        Bucket=fresh)["Contents"]) == 3
    assert len(world.client(BOB).list_objects_v2(
        Bucket=fresh)["Contents"]) == 3
    assert s3_code(world.client(BEA).list_objects_v2, Bucket=fresh) == (
        403, "AccessDenied")
    # Bucket READ is not object READ, nor WRITE, nor READ_ACP.
    beta = world.client(BETA_ROOT)
    assert s3_code(beta.get_object, Bucket=fresh, Key="public/a.txt") == (
        403, "AccessDenied")
    assert s3_code(beta.put_object, Bucket=fresh, Key="x", Body=b"x") == (
        403, "AccessDenied")
    assert s3_code(beta.get_bucket_acl, Bucket=fresh) == (
        403, "AccessDenied")
    # Grant headers: WRITE to beta.
    alpha.put_bucket_acl(Bucket=fresh,
                         GrantWrite='id="%s"' % world.canonical["beta"],
                         GrantFullControl='id="%s"' % owner["ID"])
    beta.put_object(Bucket=fresh, Key="from-beta", Body=b"x")
    assert alpha.get_object(Bucket=fresh, Key="from-beta")["Body"].read() == \
        b"x"
    # Another owner in the document is refused.
    assert s3_code(alpha.put_bucket_acl, Bucket=fresh, AccessControlPolicy={
        "Owner": {"ID": world.canonical["beta"]},
        "Grants": [{"Grantee": {"Type": "CanonicalUser",
                                "ID": world.canonical["beta"]},
                    "Permission": "FULL_CONTROL"}]}) == (403, "AccessDenied")


def test_object_acl_round_trip_with_grant_to_other_tenant(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    beta = world.client(BETA_ROOT)
    assert s3_code(beta.get_object, Bucket=fresh, Key="private/b.txt") == (
        403, "AccessDenied")
    alpha.put_object_acl(Bucket=fresh, Key="private/b.txt",
                         GrantRead='id="%s"' % world.canonical["beta"],
                         GrantFullControl='id="%s"' %
                         world.canonical["alpha"])
    got = alpha.get_object_acl(Bucket=fresh, Key="private/b.txt")
    assert sorted((g["Grantee"].get("ID"), g["Permission"])
                  for g in got["Grants"]) == sorted([
                      (world.canonical["beta"], "READ"),
                      (world.canonical["alpha"], "FULL_CONTROL")])
    assert beta.get_object(Bucket=fresh, Key="private/b.txt")[
        "Body"].read() == OBJECTS["private/b.txt"]
    assert s3_code(beta.get_object_acl, Bucket=fresh,
                   Key="private/b.txt") == (403, "AccessDenied")
    assert s3_code(beta.get_object, Bucket=fresh, Key="public/a.txt") == (
        403, "AccessDenied")
    # READ_ACP lets beta read the ACL; the XML form round-trips.
    alpha.put_object_acl(Bucket=fresh, Key="private/b.txt",
                         AccessControlPolicy={
                             "Owner": got["Owner"],
                             "Grants": got["Grants"] + [{
                                 "Grantee": {"Type": "CanonicalUser",
                                             "ID": world.canonical["beta"]},
                                 "Permission": "READ_ACP"}]})
    assert len(beta.get_object_acl(Bucket=fresh,
                                   Key="private/b.txt")["Grants"]) == 3
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="missing",
                   ACL="private") == (404, "NoSuchKey")


def test_grants_must_name_known_accounts(world, fresh):
    alpha = world.client(ALPHA_ROOT)
    bad = (400, "InvalidArgument")
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   GrantRead='id="%s"' % UNKNOWN_CANONICAL_ID) == bad
    assert s3_code(alpha.put_bucket_acl, Bucket=fresh, AccessControlPolicy={
        "Owner": {"ID": world.canonical["alpha"]},
        "Grants": [{"Grantee": {"Type": "CanonicalUser",
                                "ID": UNKNOWN_CANONICAL_ID},
                    "Permission": "READ"}]}) == bad
    assert s3_code(alpha.put_object, Bucket=fresh, Key="n", Body=b"x",
                   GrantRead='id="%s"' % UNKNOWN_CANONICAL_ID) == bad
    # No e-mail directory: as S3 answers an e-mail it cannot resolve.
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   GrantRead='emailAddress="someone@example.com"') == (
        400, "UnresolvableGrantByEmailAddress")
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   GrantRead='uri="http://example.com/groups/Mine"') == bad
    assert s3_code(alpha.put_object_acl, Bucket=fresh, Key="public/a.txt",
                   ACL="public-read",
                   GrantRead='id="%s"' % world.canonical["beta"]) == (
        400, "InvalidRequest")
    # Nothing changed.
    assert [g["Permission"] for g in alpha.get_object_acl(
        Bucket=fresh, Key="public/a.txt")["Grants"]] == ["FULL_CONTROL"]


# -------------------------------------------------------------- operators

def test_operator_credentials_are_denied_on_all_s3_data(world):
    srv = world.server
    op = s3(srv, OPERATOR)
    b = world.bucket
    denied = (403, "AccessDenied")
    assert s3_code(op.list_buckets) == denied
    assert s3_code(op.create_bucket, Bucket=unique_bucket("op")) == denied
    assert s3_code(op.head_bucket, Bucket=b) == (403, "403")
    assert s3_code(op.list_objects_v2, Bucket=b) == denied
    assert s3_code(op.list_objects, Bucket=b) == denied
    assert s3_code(op.get_object, Bucket=b, Key="private/b.txt") == denied
    assert s3_code(op.head_object, Bucket=b, Key="private/b.txt") == (
        403, "403")
    assert s3_code(op.put_object, Bucket=b, Key="op", Body=b"x") == denied
    assert s3_code(op.delete_object, Bucket=b, Key="private/b.txt") == denied
    # DeleteObjects refuses each key (the lockbox checks per key, as S3).
    assert [e["Code"] for e in op.delete_objects(Bucket=b, Delete={
        "Objects": [{"Key": "private/b.txt"}]}).get("Errors", [])] == ["AccessDenied"]
    assert s3_code(op.copy_object, Bucket=b, Key="copy", CopySource={
        "Bucket": b, "Key": "private/b.txt"}) == denied
    assert s3_code(op.create_multipart_upload, Bucket=b, Key="m") == denied
    for fn in (op.get_bucket_acl, op.get_bucket_policy,
               op.get_bucket_policy_status, op.get_public_access_block,
               op.delete_bucket_policy, op.list_multipart_uploads):
        assert s3_code(fn, Bucket=b) == denied, fn
    assert s3_code(op.put_bucket_policy, Bucket=b, Policy=policy(
        allow("*", "s3:GetObject", arn(b, "*")))) == denied
    assert s3_code(op.put_bucket_acl, Bucket=b, ACL="public-read") == denied
    assert s3_code(op.get_object_acl, Bucket=b, Key="private/b.txt") == \
        denied
    assert s3_code(op.get_object_tagging, Bucket=b,
                   Key="private/b.txt") == denied
    # Presigned by an operator: refused as well.
    url = srv.presigned_url("GET", "/%s/private/b.txt" % b,
                            access_key=OPERATOR[0], secret_key=OPERATOR[1])
    assert anon_code(requests.get(url, timeout=30)) == denied
    # Nothing moved.
    keys = [o["Key"] for o in world.client(ALPHA_ROOT).list_objects_v2(
        Bucket=b)["Contents"]]
    assert sorted(keys) == sorted(OBJECTS)


def test_operator_made_user_has_no_permission_until_granted(world):
    srv = world.server
    creds = ("ACLALPHAOPUSER000001", "acl-alpha-opuser-secret-0123")
    cli(srv, "user", "create", "--tenant", "alpha", "opuser",
        "--access-key", creds[0], "--secret-key", creds[1])
    try:
        c = s3(srv, creds)
        assert s3_code(c.get_object, Bucket=world.bucket,
                       Key="public/a.txt") == (403, "AccessDenied")
        r = cli(srv, "policy", "put", "--tenant", "alpha", "--user",
                "opuser", "all", stdin=policy(allow(None, "s3:*", "*")),
                expect=1)
        assert "AccessDenied" in r.err, r
        assert s3_code(c.get_object, Bucket=world.bucket,
                       Key="public/a.txt") == (403, "AccessDenied")
        put_user_policy(srv, ALPHA_ROOT, "alpha", "opuser", "read",
                        policy(allow(None, "s3:GetObject", "*")))
        c.get_object(Bucket=world.bucket, Key="public/a.txt")
    finally:
        cli(srv, "user", "delete", "--tenant", "alpha", "opuser")


# ------------------------------------------------------------------ quotas

GAMMA_ROOT = ("ACLGAMMAROOTKEY00001", "acl-gamma-root-secret-0123456")


def usage(srv, tenant):
    r = cli(srv, "--json", "tenant", "usage", tenant, "--recount")
    doc = r.json()
    assert doc["consistent"] is True, doc
    assert doc["recounted"] == {"bytes": doc["bytes"],
                                "objects": doc["objects"]}, doc
    text = cli(srv, "tenant", "usage", tenant, "--recount").out
    assert "consistent" in text and "INCONSISTENT" not in text, text
    return doc


def stored(client, buckets):
    """(bytes, objects) by listing."""
    total = count = 0
    for b in buckets:
        for o in client.list_objects_v2(Bucket=b).get("Contents", []):
            total += o["Size"]
            count += 1
    return total, count


@pytest.fixture(scope="module")
def gamma(server, world):
    cli(server, "tenant", "create", "gamma", "--access-key", GAMMA_ROOT[0],
        "--secret-key", GAMMA_ROOT[1])
    return s3(server, GAMMA_ROOT)


def test_bucket_quota(server, gamma):
    cli(server, "tenant", "set-quota", "gamma", "--max-buckets", "2")
    names = [unique_bucket("g") for _ in range(3)]
    gamma.create_bucket(Bucket=names[0])
    gamma.create_bucket(Bucket=names[1])
    assert s3_code(gamma.create_bucket, Bucket=names[2]) == (
        400, "TooManyBuckets")
    assert usage(server, "gamma")["buckets"] == 2
    gamma.delete_bucket(Bucket=names[1])
    gamma.create_bucket(Bucket=names[2])
    for b in (names[0], names[2]):
        gamma.delete_bucket(Bucket=b)
    cli(server, "tenant", "set-quota", "gamma", "--max-buckets", "0")


def test_bucket_quota_holds_against_concurrent_creators(server, gamma):
    """The count is taken at the commit (Catalog::CreateBucket), so twelve
    creations at once leave exactly the quota's three."""
    cli(server, "tenant", "set-quota", "gamma", "--max-buckets", "3")
    names = [unique_bucket("gc") for _ in range(12)]

    def create(name):
        client = s3(server, GAMMA_ROOT)
        try:
            client.create_bucket(Bucket=name)
            return "ok"
        except botocore.exceptions.ClientError as e:
            return (e.response["ResponseMetadata"]["HTTPStatusCode"],
                    e.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = list(pool.map(create, names))
    created = [n for n, r in zip(names, results) if r == "ok"]
    refused = [r for r in results if r != "ok"]
    try:
        assert len(created) == 3, results
        assert refused == [(400, "TooManyBuckets")] * 9, results
        listed = {b["Name"] for b in gamma.list_buckets()["Buckets"]}
        assert listed == set(created), listed
        assert usage(server, "gamma")["buckets"] == 3
    finally:
        for b in created:
            gamma.delete_bucket(Bucket=b)
        cli(server, "tenant", "set-quota", "gamma", "--max-buckets", "0")


def test_object_and_byte_quotas_and_exact_usage(server, world, gamma):
    b = unique_bucket("gq")
    gamma.create_bucket(Bucket=b)
    cli(server, "tenant", "set-quota", "gamma", "--max-objects", "3",
        "--max-bytes", "100")
    over = (403, "QuotaExceeded")
    gamma.put_object(Bucket=b, Key="a", Body=b"a" * 40)
    gamma.put_object(Bucket=b, Key="b", Body=b"b" * 40)
    assert s3_code(gamma.put_object, Bucket=b, Key="c",
                   Body=b"c" * 40) == over
    gamma.put_object(Bucket=b, Key="c", Body=b"c" * 10)
    assert s3_code(gamma.put_object, Bucket=b, Key="d", Body=b"d") == over
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (90, 3) == stored(gamma, [b])
    # An overwrite adds no object and counts only the difference.
    gamma.put_object(Bucket=b, Key="a", Body=b"A" * 20)
    gamma.put_object(Bucket=b, Key="a", Body=b"A" * 50)
    assert s3_code(gamma.put_object, Bucket=b, Key="a",
                   Body=b"A" * 51) == over
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (100, 3) == stored(gamma, [b])
    # Copies count.
    assert s3_code(gamma.copy_object, Bucket=b, Key="copy",
                   CopySource={"Bucket": b, "Key": "c"}) == over
    gamma.delete_object(Bucket=b, Key="b")
    gamma.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b,
                                                        "Key": "c"})
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (70, 3) == stored(gamma, [b])
    # Multipart: refused at completion while over quota; the upload stays.
    up = gamma.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    part = gamma.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=1,
                             Body=b"m" * 25)
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    assert s3_code(gamma.complete_multipart_upload, Bucket=b, Key="mp",
                   UploadId=up, MultipartUpload=parts) == over
    gamma.delete_object(Bucket=b, Key="copy")
    gamma.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up,
                                    MultipartUpload=parts)
    assert gamma.get_object(Bucket=b, Key="mp")["Body"].read() == b"m" * 25
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (85, 3) == stored(gamma, [b])
    # An uncompleted upload is not stored data yet.
    up2 = gamma.create_multipart_upload(Bucket=b, Key="mp2")["UploadId"]
    gamma.upload_part(Bucket=b, Key="mp2", UploadId=up2, PartNumber=1,
                      Body=b"n" * 5)
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (85, 3)
    gamma.abort_multipart_upload(Bucket=b, Key="mp2", UploadId=up2)
    # Lifting the quota lets writes through again.
    cli(server, "tenant", "set-quota", "gamma", "--max-objects", "0",
        "--max-bytes", "0")
    gamma.put_object(Bucket=b, Key="d", Body=b"d" * 200)
    for key in ("a", "c", "mp", "d"):
        gamma.delete_object(Bucket=b, Key=key)
    doc = usage(server, "gamma")
    assert (doc["bytes"], doc["objects"]) == (0, 0) == stored(gamma, [b])
    gamma.delete_bucket(Bucket=b)


def test_a_buckets_own_quota_inside_the_tenants(server, world, gamma):
    """A bucket quota (set by the tenant's root, or an operator) refuses
    writes past it in that bucket only; in a versioned bucket an overwrite
    keeps the old version, so it counts in full."""
    b, other = unique_bucket("gb"), unique_bucket("gb")
    for name in (b, other):
        gamma.create_bucket(Bucket=name)
    over = (403, "QuotaExceeded")
    try:
        out = cli(server, "bucket", "set-quota", b, "--tenant", "gamma",
                  "--max-bytes", "100", "--max-objects", "2",
                  creds=GAMMA_ROOT).out
        assert "quota 100 bytes, 2 objects" in out, out
        gamma.put_object(Bucket=b, Key="a", Body=b"a" * 60)
        assert s3_code(gamma.put_object, Bucket=b, Key="b",
                       Body=b"b" * 41) == over
        gamma.put_object(Bucket=b, Key="b", Body=b"b" * 40)
        assert s3_code(gamma.put_object, Bucket=b, Key="c", Body=b"") == over
        # An overwrite counts the difference; copies and completions count.
        gamma.put_object(Bucket=b, Key="a", Body=b"A" * 55)
        assert s3_code(gamma.copy_object, Bucket=b, Key="c",
                       CopySource={"Bucket": b, "Key": "b"}) == over
        up = gamma.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
        part = gamma.upload_part(Bucket=b, Key="mp", UploadId=up,
                                 PartNumber=1, Body=b"m" * 5)
        assert s3_code(gamma.complete_multipart_upload, Bucket=b, Key="mp",
                       UploadId=up, MultipartUpload={"Parts": [
                           {"PartNumber": 1, "ETag": part["ETag"]}]}) == over
        gamma.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up)
        # The other bucket of the tenant is not limited by it.
        gamma.put_object(Bucket=other, Key="big", Body=b"x" * 500)
        doc = cli(server, "--json", "bucket", "quota", b, "--tenant",
                  "gamma").json()
        assert doc["usage"] == {"bytes": 95, "objects": 2}, doc
        assert doc["quota"] == {"max_bytes": 100, "max_objects": 2}, doc
        # The tenant's usage, bucket by bucket.
        text = cli(server, "tenant", "usage", "gamma").out
        assert ("  bucket %s: 95 bytes in 2 objects, quota of 100 bytes and 2 objects\n" % b) in text, text
        assert ("  bucket %s: 500 bytes in 1 objects\n" % other) in text, text

        # Versioned: an overwrite keeps the old version, which still counts.
        gamma.delete_object(Bucket=b, Key="b")
        gamma.put_bucket_versioning(Bucket=b, VersioningConfiguration={
            "Status": "Enabled"})
        cli(server, "bucket", "set-quota", b, "--tenant", "gamma",
            "--max-objects", "0")  # the operator, this time
        assert s3_code(gamma.put_object, Bucket=b, Key="a",
                       Body=b"A" * 50) == over
        gamma.put_object(Bucket=b, Key="a", Body=b"A" * 45)
        doc = cli(server, "--json", "bucket", "quota", b, "--tenant",
                  "gamma").json()
        assert doc["usage"] == {"bytes": 100, "objects": 2}, doc

        # Another tenant's root may not touch it.
        cli(server, "bucket", "set-quota", b, "--tenant", "gamma",
            "--max-bytes", "0", creds=BETA_ROOT, expect=1)
        cli(server, "bucket", "set-quota", b, "--tenant", "gamma",
            "--max-bytes", "0", creds=GAMMA_ROOT)
        gamma.put_object(Bucket=b, Key="a", Body=b"A" * 300)
    finally:
        for name in (b, other):
            versions = gamma.list_object_versions(Bucket=name)
            for v in versions.get("Versions", []) + versions.get(
                    "DeleteMarkers", []):
                gamma.delete_object(Bucket=name, Key=v["Key"],
                                    VersionId=v["VersionId"])
            gamma.delete_bucket(Bucket=name)


def test_writes_by_another_tenant_count_against_the_bucket_owner(server,
                                                                 world,
                                                                 gamma):
    """Objects belong to the bucket owner: so does the quota they use."""
    b = unique_bucket("gx")
    gamma.create_bucket(Bucket=b)
    gamma.put_bucket_policy(Bucket=b, Policy=policy(allow(
        tenant_principal("beta"), "s3:PutObject", arn(b, "*"))))
    cli(server, "tenant", "set-quota", "gamma", "--max-objects", "1")
    try:
        beta = world.client(BETA_ROOT)
        beta.put_object(Bucket=b, Key="one", Body=b"1")
        assert s3_code(beta.put_object, Bucket=b, Key="two", Body=b"2") == (
            403, "QuotaExceeded")
        doc = usage(server, "gamma")
        assert (doc["bytes"], doc["objects"]) == (1, 1)
    finally:
        cli(server, "tenant", "set-quota", "gamma", "--max-objects", "0")
        gamma.delete_object(Bucket=b, Key="one")
        gamma.delete_bucket_policy(Bucket=b)
        gamma.delete_bucket(Bucket=b)

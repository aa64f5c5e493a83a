// File: s3/s3_service.cc
// Request entry, dispatch, and the steps shared by handlers: streaming a
// request body into an encrypted segment, small XML bodies, responses.
#include "s3/s3_service.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>

#include "catalog/object_data.h"
#include "catalog/sse_kms_kek.h"
#include "catalog/version_id.h"
#include "common/ascii.h"
#include "common/logging.h"
#include "common/request_id.h"
#include "crypto/customer_key.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "iam/acl/acl_format.h"
#include "iam/acl/action_map.h"
#include "s3/checksum_request.h"
#include "s3/log_api_handler.h"
#include "s3/payload_reader.h"
#include "s3/request_audit.h"
#include "s3/s3_context.h"
#include "s3/segment_pipeline.h"
#include "s3/tagging.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr size_t kIoBufferSize = 1 << 20;

// As S3 words it: the size proposed (or reached so far) and the limit.
S3Error EntityTooLarge(uint64_t proposed, uint64_t limit) {
  S3Error e = MakeError(S3ErrorCode::kEntityTooLarge);
  e.details.emplace_back("ProposedSize", std::to_string(proposed));
  e.details.emplace_back("MaxSizeAllowed", std::to_string(limit));
  return e;
}

}  // namespace

S3Service::S3Service(S3Deps deps, S3Options options)
    : deps_(deps),
      options_(std::move(options)),
      buffers_(kIoBufferSize, 64),
      authorizer_(deps.directory),
      commit_durability_(deps.audit_log != nullptr && &deps.audit_log->store() == &deps.catalog.store()
                             ? meta::Durability::kWithNextSync
                             : meta::Durability::kSynced) {
  router_options_.domain = options_.domain;
}

asio::awaitable<void> S3Service::Handle(http::Request& request, http::BodyReader& body, http::ResponseWriter& response,
                                        const ServicePrincipal* as_service) {
  if (request.target == "/_confiance/health" || request.target.starts_with("/_confiance/health?")) {
    std::vector<http::Header> h = {{"Content-Type", "text/plain"}};
    (void)co_await response.Send(200, h, "ok\n");
    co_return;
  }
  if (IsLogApiTarget(request.target)) {  // the transparency-log read API: not S3, not logged
    const LogApiDeps log_api{deps_.credentials, deps_.directory, deps_.pool, deps_.audit_log, options_.region};
    co_await ServeLogApiRequest(log_api, request, response);
    co_return;
  }
  co_await Serve(request, body, response, as_service, /*website=*/false);
}

asio::awaitable<void> S3Service::Serve(http::Request& request, http::BodyReader& body, http::ResponseWriter& response,
                                       const ServicePrincipal* as_service, bool website) {
  const auto started = std::chrono::steady_clock::now();
  // Decorators, innermost first: CORS headers decided before the handler,
  // then the transparency-log entry made durable before the first byte.
  ExtraHeadersWriter writer(response);
  std::optional<RequestAudit> audit;
  if (deps_.audit_log != nullptr) audit.emplace(*this, *deps_.audit_log);
  AuditedResponseWriter audited(writer, audit ? &*audit : nullptr);
  Ctx ctx{request, body, audited};
  ctx.requester.service = as_service;
  if (audit) audit->Bind(ctx);
  ctx.extra_headers = &writer;
  ctx.request_id = NewRequestId();
  if (website) {
    ctx.requester.anonymous = true;
    Reply reply = co_await ServeWebsite(ctx);
    if (reply) co_await SendWebsiteError(ctx, *reply);
  } else {
    Reply reply = co_await Dispatch(ctx);
    if (reply) co_await SendError(ctx, *reply);
  }
  ChargeRate(ctx);
  WipeCustomerKeyHeaders(request);  // also when Dispatch refused before parsing them
  if (deps_.request_metrics != nullptr) {
    deps_.request_metrics->Record(ctx.route_resolved ? &ctx.route.op : nullptr, audited.status(),
                                  std::chrono::steady_clock::now() - started);
  }
}

asio::awaitable<S3Service::Reply> S3Service::Dispatch(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  std::optional<std::string_view> host = ctx.req.FindHeader("host");
  bool copy_source = ctx.req.FindHeader("x-amz-copy-source").has_value();
  Result<Route> route = RouteRequest(ctx.req.method, ctx.req.target, host.value_or(""), copy_source,
                                     router_options_, &error);
  if (!route.ok()) co_return error;
  ctx.route = std::move(route).value();
  ctx.route_resolved = true;
  ctx.resource = "/" + ctx.route.bucket + (ctx.route.key.empty() ? "" : "/" + ctx.route.key);
  // A service's own request (log delivery) writes objects, and only that.
  if (ctx.requester.service != nullptr && ctx.route.op != Operation::kPutObject) {
    co_return MakeError(S3ErrorCode::kAccessDenied, "Access Denied: a service may only write objects");
  }

  // CORS comes before authentication: a preflight carries no credentials,
  // and S3 sends the CORS headers on refusals too.
  if (ctx.route.op == Operation::kPreflightCors) co_return co_await PreflightCors(ctx);
  AddCorsHeaders(ctx);

  // The STS query API authenticates its form, and answers in its own shapes.
  if (ctx.route.op == Operation::kSts) co_return co_await SecurityTokenService(ctx);

  // A browser form upload authenticates with its fields, not its headers.
  // Its requester is not known yet (ctx.requester is anonymous): the
  // bucket owner's rate limits apply.
  if (ctx.route.op == Operation::kPostObject) {
    if (std::optional<S3Error> slow = AdmitRate(ctx)) co_return *slow;
    co_return co_await PostObject(ctx);
  }

  // A request without any signature is anonymous: it gets exactly what
  // bucket policies and ACLs grant to everyone (s3/authorize.h).
  const bool anonymous = !ctx.req.FindHeader("authorization") && !ctx.route.HasQuery("X-Amz-Algorithm") &&
                         !ctx.route.HasQuery("X-Amz-Signature") && !ctx.route.HasQuery("Signature") &&
                         !ctx.route.HasQuery("AWSAccessKeyId");
  ctx.credentials_presented = !anonymous;
  if (ctx.requester.service != nullptr) {
    // Anonymous, named by its service principal, authorized per bucket
    // (Authorizer::CheckService).
    ctx.requester.anonymous = true;
  } else if (anonymous) {
    ctx.requester.anonymous = true;
    if (ctx.route.op == Operation::kListBuckets || ctx.route.op == Operation::kCreateBucket) {
      co_return MakeError(S3ErrorCode::kAccessDenied, "Access Denied: anonymous requests cannot list or create buckets");
    }
  } else {
    AuthenticateOptions auth_options;
    auth_options.sessions = deps_.sessions;
    std::optional<Authenticated> auth =
        Authenticate(ctx.req, ctx.route, deps_.credentials, options_.region, &error, auth_options);
    if (!auth) co_return error;
    if (std::optional<S3Error> refused = BindRequester(ctx, std::move(*auth))) co_return *refused;
  }
  if (std::optional<S3Error> slow = AdmitRate(ctx)) co_return *slow;

  // SSE headers, once the signature (which covers them) is verified; the
  // raw customer keys are then wiped from the request.
  {
    const Operation op = ctx.route.op;
    const bool write = op == Operation::kPutObject || op == Operation::kCopyObject ||
                       op == Operation::kCreateMultipartUpload;
    const bool copy = op == Operation::kCopyObject || op == Operation::kUploadPartCopy;
    const bool uses_keys = write || copy || op == Operation::kGetObject || op == Operation::kHeadObject ||
                           op == Operation::kUploadPart || op == Operation::kCompleteMultipartUpload ||
                           op == Operation::kGetObjectAttributes;
    std::optional<S3Error> refused;
    const bool read = op == Operation::kGetObject || op == Operation::kHeadObject;
    if (uses_keys) refused = ParseRequestSse(ctx.req, write, copy, options_.sse_c_allow_http, &ctx.sse, read);
    WipeCustomerKeyHeaders(ctx.req);
    if (refused) {
      // Access is decided before the headers' own errors, as RGW and the
      // s3-tests have it: a bucket policy that denies an SSE header value
      // answers 403, not that value's 400 or 501.
      S3Error denied{S3ErrorCode::kInternalError, {}, {}};
      if (!AuthorizedBucket(ctx, &denied).ok()) {
        co_return op == Operation::kGetObject || op == Operation::kHeadObject ? DeniedReadError(ctx, denied) : denied;
      }
      co_return *refused;
    }
  }

  if (ctx.operator_access) co_await WarmOperatorKey(ctx);

  switch (ctx.route.op) {
    case Operation::kListBuckets: co_return co_await ListBuckets(ctx);
    case Operation::kCreateBucket: co_return co_await CreateBucket(ctx);
    case Operation::kHeadBucket: co_return co_await HeadBucket(ctx);
    case Operation::kDeleteBucket: co_return co_await DeleteBucket(ctx);
    case Operation::kGetBucketLocation: co_return co_await GetBucketLocation(ctx);
    case Operation::kListObjects: co_return co_await ListObjects(ctx, false);
    case Operation::kListObjectsV2: co_return co_await ListObjects(ctx, true);
    case Operation::kListMultipartUploads: co_return co_await ListMultipartUploads(ctx);
    case Operation::kGetBucketVersioning: co_return co_await GetBucketVersioning(ctx);
    case Operation::kPutBucketVersioning: co_return co_await PutBucketVersioning(ctx);
    case Operation::kListObjectVersions: co_return co_await ListObjectVersions(ctx);
    case Operation::kDeleteObjects: co_return co_await DeleteObjects(ctx);
    case Operation::kPostObject: co_return co_await PostObject(ctx);
    case Operation::kPutObject: co_return co_await PutObject(ctx);
    case Operation::kCopyObject: co_return co_await CopyObject(ctx);
    case Operation::kGetObject: co_return co_await GetObject(ctx, false);
    case Operation::kHeadObject: co_return co_await GetObject(ctx, true);
    case Operation::kDeleteObject: co_return co_await DeleteObject(ctx);
    case Operation::kCreateMultipartUpload: co_return co_await CreateMultipartUpload(ctx);
    case Operation::kUploadPart: co_return co_await UploadPart(ctx);
    case Operation::kUploadPartCopy: co_return co_await UploadPartCopy(ctx);
    case Operation::kCompleteMultipartUpload: co_return co_await CompleteMultipartUpload(ctx);
    case Operation::kAbortMultipartUpload: co_return co_await AbortMultipartUpload(ctx);
    case Operation::kListParts: co_return co_await ListParts(ctx);
    case Operation::kGetObjectTagging: co_return co_await GetObjectTagging(ctx);
    case Operation::kPutObjectTagging: co_return co_await PutObjectTagging(ctx);
    case Operation::kDeleteObjectTagging: co_return co_await DeleteObjectTagging(ctx);
    case Operation::kGetBucketTagging: co_return co_await GetBucketTagging(ctx);
    case Operation::kPutBucketTagging: co_return co_await PutBucketTagging(ctx);
    case Operation::kDeleteBucketTagging: co_return co_await DeleteBucketTagging(ctx);
    case Operation::kGetBucketCors: co_return co_await GetBucketCors(ctx);
    case Operation::kPutBucketCors: co_return co_await PutBucketCors(ctx);
    case Operation::kDeleteBucketCors: co_return co_await DeleteBucketCors(ctx);
    case Operation::kPreflightCors: co_return co_await PreflightCors(ctx);
    case Operation::kGetBucketPolicy: co_return co_await GetBucketPolicy(ctx);
    case Operation::kPutBucketPolicy: co_return co_await PutBucketPolicy(ctx);
    case Operation::kDeleteBucketPolicy: co_return co_await DeleteBucketPolicy(ctx);
    case Operation::kGetBucketPolicyStatus: co_return co_await GetBucketPolicyStatus(ctx);
    case Operation::kGetBucketAcl: co_return co_await GetBucketAcl(ctx);
    case Operation::kPutBucketAcl: co_return co_await PutAcl(ctx, false);
    case Operation::kGetObjectAcl: co_return co_await GetObjectAcl(ctx);
    case Operation::kPutObjectAcl: co_return co_await PutAcl(ctx, true);
    case Operation::kGetObjectAttributes: co_return co_await GetObjectAttributes(ctx);
    case Operation::kGetPublicAccessBlock:
    case Operation::kPutPublicAccessBlock:
    case Operation::kDeletePublicAccessBlock: co_return co_await PublicAccessBlockOp(ctx);
    case Operation::kGetBucketOwnershipControls:
    case Operation::kPutBucketOwnershipControls:
    case Operation::kDeleteBucketOwnershipControls: co_return co_await OwnershipControlsOp(ctx);
    case Operation::kGetBucketEncryption: co_return co_await GetBucketEncryption(ctx);
    case Operation::kGetBucketNotification: co_return co_await GetBucketNotification(ctx);
    case Operation::kPutBucketNotification: co_return co_await PutBucketNotification(ctx);
    case Operation::kGetBucketReplication:
      co_return co_await GetBucketReplication(ctx);
    case Operation::kPutBucketReplication:
      co_return co_await PutBucketReplication(ctx);
    case Operation::kDeleteBucketReplication:
      co_return co_await DeleteBucketReplication(ctx);
    case Operation::kGetBucketLifecycle: co_return co_await GetBucketLifecycle(ctx);
    case Operation::kPutBucketLifecycle: co_return co_await PutBucketLifecycle(ctx);
    case Operation::kDeleteBucketLifecycle: co_return co_await DeleteBucketLifecycle(ctx);
    case Operation::kPutBucketEncryption: co_return co_await PutBucketEncryption(ctx);
    case Operation::kDeleteBucketEncryption: co_return co_await DeleteBucketEncryption(ctx);
    case Operation::kGetObjectLockConfiguration: co_return co_await GetObjectLockConfiguration(ctx);
    case Operation::kPutObjectLockConfiguration: co_return co_await PutObjectLockConfiguration(ctx);
    case Operation::kGetObjectRetention: co_return co_await GetObjectRetention(ctx);
    case Operation::kPutObjectRetention: co_return co_await PutObjectRetention(ctx);
    case Operation::kGetObjectLegalHold: co_return co_await GetObjectLegalHold(ctx);
    case Operation::kPutObjectLegalHold: co_return co_await PutObjectLegalHold(ctx);
    case Operation::kGetBucketLogging: co_return co_await GetBucketLogging(ctx);
    case Operation::kPutBucketLogging: co_return co_await PutBucketLogging(ctx);
    case Operation::kGetBucketInventory:
      co_return co_await GetBucketInventory(ctx);
    case Operation::kPutBucketInventory:
      co_return co_await PutBucketInventory(ctx);
    case Operation::kDeleteBucketInventory:
      co_return co_await DeleteBucketInventory(ctx);
    case Operation::kListBucketInventory:
      co_return co_await ListBucketInventory(ctx);
    case Operation::kGetBucketWebsite:
      co_return co_await GetBucketWebsite(ctx);
    case Operation::kPutBucketWebsite:
      co_return co_await PutBucketWebsite(ctx);
    case Operation::kDeleteBucketWebsite:
      co_return co_await DeleteBucketWebsite(ctx);
    case Operation::kGetBucketRequestPayment:
    case Operation::kGetBucketAccelerate: co_return co_await UnsetBucketSetting(ctx);
    case Operation::kSts:  // answered above
    case Operation::kNotImplemented: co_return MakeError(S3ErrorCode::kNotImplemented);
  }
  co_return MakeError(S3ErrorCode::kNotImplemented);
}

std::optional<S3Error> S3Service::BindRequester(Ctx& ctx, Authenticated auth) {
  ctx.auth = std::move(auth);
  if (ctx.auth.principal.kind == iam::PrincipalKind::kOperator) {
    // docs/tenancy.md: operators administer the service; they reach a
    // tenant's data only through an approval of that tenant, checked per
    // access by AuthorizeOperator (browser forms are not offered to them).
    if (deps_.lockbox == nullptr || (ctx.route_resolved && ctx.route.op == Operation::kPostObject)) {
      return MakeError(S3ErrorCode::kAccessDenied, "Operator credentials cannot access tenant data.");
    }
    ctx.operator_access = true;
    ctx.justification = kms::Justification::kOperatorApproved;
    ctx.requester.anonymous = false;
    ctx.requester.principal = &ctx.auth.principal;
    ctx.requester.tenant = nullptr;
    return std::nullopt;
  }
  Result<iam::TenantRecord> tenant = deps_.directory.GetTenant(ctx.auth.principal.tenant_id);
  if (!tenant.ok()) return MakeError(S3ErrorCode::kAccessDenied);
  if (!tenant->active) return MakeError(S3ErrorCode::kAllAccessDisabled);
  ctx.tenant = std::move(tenant).value();
  ctx.requester.anonymous = false;
  ctx.requester.principal = &ctx.auth.principal;
  ctx.requester.tenant = &ctx.tenant;
  ctx.requester.auth_type = ctx.auth.auth.scheme == sigv4::AuthScheme::kPresigned ? "REST-QUERY-STRING" : "REST-HEADER";
  ctx.requester.signature_version = ctx.auth.sigv2 ? "AWS" : "AWS4-HMAC-SHA256";
  return std::nullopt;
}

Result<catalog::BucketRecord> S3Service::NamedBucket(Ctx& ctx, S3Error* error) {
  Result<catalog::BucketRecord> b = deps_.catalog.GetBucket(ctx.route.bucket);
  if (!b.ok()) {
    *error = b.status().code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kNoSuchBucket)
                                                        : ErrorFromStatus(b.status());
    error->resource = "/" + ctx.route.bucket;
    return b;
  }
  ctx.bucket_owner = b->owner;
  if (std::optional<S3Error> wrong = CheckExpectedOwner(ctx, "x-amz-expected-bucket-owner", *b)) {
    *error = *wrong;
    return PermissionDeniedError("expected bucket owner");
  }
  return b;
}

std::optional<S3Error> S3Service::CheckExpectedOwner(Ctx& ctx, std::string_view header,
                                                     const catalog::BucketRecord& bucket) {
  std::optional<std::string_view> expected = ctx.req.FindHeader(header);
  if (!expected || *expected == bucket.owner) return std::nullopt;
  return MakeError(S3ErrorCode::kAccessDenied, fmt::format("Access Denied: the bucket is not owned by {}", *expected));
}

Result<catalog::BucketRecord> S3Service::UploadBucket(Ctx& ctx, std::string_view upload_id, S3Error* error) {
  Result<catalog::BucketRecord> b = NamedBucket(ctx, error);
  if (!b.ok()) return b.status();
  std::optional<S3Error> denied = AuthorizeAccess(ctx, IamAction(ctx.route.op), *b, ctx.route.key);
  if (denied && !ctx.requester.anonymous) {
    Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*b, ctx.route.key, upload_id);
    if (up.ok() && up->owner == ctx.requester.principal->tenant_id &&
        !AuthorizeAccess(ctx, "s3:PutObject", *b, ctx.route.key)) {
      denied.reset();
    }
  }
  if (denied) {
    *error = *denied;
    return PermissionDeniedError("access denied");
  }
  if (Status shredded = deps_.bucket_keys.CheckNotShredded(*b); !shredded.ok()) {
    *error = ErrorFromStatus(shredded);
    return shredded;
  }
  return b;
}

Result<catalog::BucketRecord> S3Service::AuthorizedBucket(Ctx& ctx, S3Error* error) {
  Result<catalog::BucketRecord> b = NamedBucket(ctx, error);
  if (!b.ok()) return b.status();
  std::string_view key = IsObjectOperation(ctx.route.op) ? std::string_view(ctx.route.key) : std::string_view();
  if (std::optional<S3Error> denied =
          AuthorizeAccess(ctx, IamAction(ctx.route.op, ctx.route.HasQuery("versionId")), *b, key)) {
    *error = *denied;
    return PermissionDeniedError("access denied");
  }
  // A shredded bucket (or tenant) answers so on every request, also those
  // that decrypt nothing (listings) or find nothing any more (reclaimed);
  // except DeleteBucket, so that a tenant's emptied buckets can go.
  Status shredded = ctx.route.op == Operation::kDeleteBucket ? OkStatus() : deps_.bucket_keys.CheckNotShredded(*b);
  if (!shredded.ok()) {
    *error = ErrorFromStatus(shredded);
    return shredded;
  }
  return b;
}

std::optional<S3Error> S3Service::AuthorizeReplica(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                   std::string_view action) {
  const std::optional<std::string_view> replica_of = ReplicaOf(ctx);
  if (!replica_of) return std::nullopt;
  if (!ValidReplicaSourceVersion(*replica_of)) {
    return MakeError(S3ErrorCode::kInvalidArgument, "Invalid " + std::string(kReplicaSourceHeader));
  }
  return AuthorizeAccess(ctx, action, bucket, ctx.route.key);
}

std::optional<S3Error> S3Service::AuthorizeReplicaChange(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                         std::string_view action) {
  if (!ReplicaOf(ctx)) return std::nullopt;
  if (std::optional<S3Error> denied = AuthorizeReplica(ctx, bucket, action)) return denied;
  ctx.replica_change = true;
  return std::nullopt;
}

std::optional<std::string_view> S3Service::ReplicaOf(const Ctx& ctx) {
  if (ctx.req.FindHeader(kReplicaHeader) != kReplicaHeaderValue) return std::nullopt;
  return ctx.req.FindHeader(kReplicaSourceHeader).value_or("");
}

std::optional<S3Error> S3Service::AuthorizeAccess(Ctx& ctx, std::string_view action,
                                                  const catalog::BucketRecord& bucket, std::string_view key,
                                                  std::vector<std::pair<std::string, std::string>> extra) {
  if (ctx.operator_access) return AuthorizeOperator(ctx, action, bucket, key, extra);
  AccessCheck check;
  check.action = action;
  check.bucket = bucket.name;
  check.key = key;
  check.bucket_record = &bucket;
  check.conditions = std::move(extra);
  if (ctx.route.op == Operation::kListObjects || ctx.route.op == Operation::kListObjectsV2 ||
      ctx.route.op == Operation::kListObjectVersions) {
    // s3:prefix and friends: present (possibly empty) only when sent.
    for (const char* name : {"prefix", "delimiter", "max-keys"}) {
      if (std::optional<std::string> v = ctx.route.Query(name)) check.conditions.emplace_back(fmt::format("s3:{}", name), *v);
    }
  }
  if (std::optional<std::string_view> tagging = ctx.req.FindHeader("x-amz-tagging")) {
    S3Error ignored{S3ErrorCode::kInternalError, {}, {}};
    if (Result<catalog::TagMap> tags = ParseTaggingHeader(*tagging, &ignored); tags.ok()) {
      for (const auto& [k, v] : *tags) {
        check.conditions.emplace_back("s3:RequestObjectTag/" + k, v);
        check.conditions.emplace_back("s3:RequestObjectTagKeys", k);
      }
    }
  }
  // The object's tags and ACL matter only for some requests: read the
  // object record only then (a plain owner request never pays for it).
  std::optional<iam::acl::AclRequirement> acl_need = iam::acl::AclRequirementFor(action);
  const bool acl_may_help = !key.empty() && acl_need && acl_need->resource == iam::acl::AclResource::kObject &&
                            !AclsDisabled(bucket);
  std::optional<catalog::ObjectRecord> object;
  std::optional<iam::acl::Acl> object_acl;
  auto load_object = [&] {
    if (object) return;
    // The version the request names, if any (its tags and ACL decide).
    std::optional<std::string> version = key == ctx.route.key ? ctx.route.Query("versionId") : std::nullopt;
    Result<catalog::ObjectRecord> rec = version ? deps_.catalog.GetObjectVersion(bucket, key, *version, false)
                                                : deps_.catalog.GetObject(bucket, key, false);
    if (rec.ok() && rec->delete_marker) rec = NotFoundError("a delete marker");
    object = rec.ok() ? std::move(rec).value() : catalog::ObjectRecord{};
    if (!object->acl.empty()) {
      if (Result<iam::acl::Acl> acl = iam::acl::DecodeAcl(object->acl); acl.ok()) object_acl = std::move(acl).value();
    }
  };
  if (!key.empty()) {
    check.existing_object_tags = [&] {
      load_object();
      return object->tags;
    };
  }
  std::optional<S3Error> denied = authorizer_.Check(ctx.req, ctx.requester, check);
  if (denied && acl_may_help) {
    load_object();
    if (object_acl) {
      check.object_acl = &*object_acl;
      denied = authorizer_.Check(ctx.req, ctx.requester, check);
    }
  }
  return denied;
}

std::optional<S3Error> S3Service::AuthorizeWithoutBucket(Ctx& ctx, std::string_view action, std::string_view bucket) {
  if (ctx.operator_access) {
    return MakeError(S3ErrorCode::kAccessDenied,
                     "Access Denied: an operator cannot list or create buckets; an approved access request of "
                     "the tenant covers data in its existing buckets only");
  }
  AccessCheck check;
  check.action = action;
  check.bucket = bucket;
  return authorizer_.Check(ctx.req, ctx.requester, check);
}

S3Error S3Service::MissingKeyError(Ctx& ctx, const catalog::BucketRecord& bucket) {
  // A listing with the key as prefix would show whether it exists, so the
  // NoSuchKey answer needs exactly that permission (as RGW checks it).
  std::vector<std::pair<std::string, std::string>> prefix(1, {"s3:prefix", ctx.route.key});
  if (std::optional<S3Error> denied = AuthorizeAccess(ctx, "s3:ListBucket", bucket, "", std::move(prefix))) {
    return *denied;
  }
  return MakeError(S3ErrorCode::kNoSuchKey);
}

S3Error S3Service::DeniedReadError(Ctx& ctx, const S3Error& denied) {
  if (denied.code != S3ErrorCode::kAccessDenied) return denied;
  // A shredded bucket or tenant says so, whether or not the key is still there.
  if (denied.message.starts_with(catalog::kKeyAccessDenied)) return denied;
  Result<catalog::BucketRecord> bucket = deps_.catalog.GetBucket(ctx.route.bucket);
  if (!bucket.ok() || CheckExpectedOwner(ctx, "x-amz-expected-bucket-owner", *bucket)) return denied;
  Result<catalog::ObjectRecord> rec = deps_.catalog.GetObject(*bucket, ctx.route.key, false);
  if (!rec.ok() && rec.status().code() == StatusCode::kNotFound) return MissingKeyError(ctx, *bucket);
  return denied;
}

Result<S3Service::CustomerKeyCheck> S3Service::NewCustomerKeyCheck(const std::optional<CustomerKey>& customer) {
  CustomerKeyCheck check;
  if (!customer) return check;
  ASSIGN_OR_RETURN(check.salt, crypto::NewCustomerKeySalt());
  check.verifier = crypto::CustomerKeyVerifier(customer->key, check.salt);
  return check;
}

Result<std::shared_ptr<const crypto::SecretBytes>> S3Service::DataKek(const Ctx& ctx, const catalog::BucketRecord& bucket,
                                                                     const std::optional<CustomerKey>& customer,
                                                                     std::string_view salt,
                                                                     const catalog::SseKms& kms) {
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> bucket_key,
                   deps_.bucket_keys.Get(bucket, ctx.key_use(), bucket.key_version));
  if (!kms.empty()) {
    return catalog::SseKmsKek(deps_.bucket_keys.tenant_keys(), bucket, *bucket_key, kms, ctx.key_use());
  }
  return DeriveDataKek(std::move(bucket_key), customer, salt);
}

asio::awaitable<Result<std::shared_ptr<const crypto::SecretBytes>>> S3Service::DataKekAsync(
    const Ctx& ctx, const catalog::BucketRecord& bucket, const std::optional<CustomerKey>& customer,
    const std::string& salt, const catalog::SseKms& kms, uint32_t key_version) {
  const uint32_t version = key_version == 0 ? bucket.key_version : key_version;
  std::shared_ptr<const crypto::SecretBytes> bucket_key =
      deps_.bucket_keys.GetIfCached(bucket, ctx.key_use(), version);
  if (!bucket_key) {
    Result<std::shared_ptr<const crypto::SecretBytes>> fetched =
        co_await deps_.pool.Run([&] { return deps_.bucket_keys.Get(bucket, ctx.key_use(), version); });
    if (!fetched.ok()) co_return fetched.status();
    bucket_key = std::move(fetched).value();
  }
  if (!kms.empty()) {
    catalog::TenantKeys& tenant_keys = deps_.bucket_keys.tenant_keys();
    if (auto kek = catalog::SseKmsKekIfCached(tenant_keys, bucket, *bucket_key, kms, ctx.key_use())) co_return *kek;
    co_return co_await deps_.pool.Run(
        [&] { return catalog::SseKmsKek(tenant_keys, bucket, *bucket_key, kms, ctx.key_use()); });
  }
  co_return DeriveDataKek(std::move(bucket_key), customer, salt);
}

asio::awaitable<Result<catalog::SegmentKeks>> S3Service::ObjectKeksAsync(const Ctx& ctx,
                                                                        const catalog::BucketRecord& bucket,
                                                                        const std::optional<CustomerKey>& customer,
                                                                        const catalog::ObjectRecord& rec) {
  // The request read the bucket record before a bucket-key rotation that
  // has since rewrapped the object: the new version's key is in the record
  // as it is now (rare: read it off the network thread).
  std::optional<catalog::BucketRecord> newer;
  if (catalog::NeedsNewerBucketRecord(bucket, rec)) {
    newer = co_await deps_.pool.Run([&] { return deps_.catalog.BucketRecordNow(bucket); });
  }
  const catalog::BucketRecord& keys_of = newer ? *newer : bucket;
  catalog::SegmentKeks keks;
  for (uint32_t version : catalog::KeyVersionsOf(rec)) {
    Result<std::shared_ptr<const crypto::SecretBytes>> kek =
        co_await DataKekAsync(ctx, keys_of, customer, rec.sse_c_salt, rec.kms, version);
    if (!kek.ok()) co_return kek.status();
    keks[version] = std::move(kek).value();
  }
  co_return keks;
}

Result<std::shared_ptr<const crypto::SecretBytes>> S3Service::DeriveDataKek(
    std::shared_ptr<const crypto::SecretBytes> bucket_key, const std::optional<CustomerKey>& customer,
    std::string_view salt) {
  if (salt.empty()) return bucket_key;
  if (!customer) return FailedPreconditionError("SSE-C object without a customer key");
  ASSIGN_OR_RETURN(crypto::SecretBytes kek, crypto::DeriveCustomerKek(*bucket_key, customer->key, salt));
  return std::make_shared<const crypto::SecretBytes>(std::move(kek));
}

asio::awaitable<Result<S3Service::StoredBody>> S3Service::StoreBody(
    Ctx& ctx, const catalog::BucketRecord& bucket, const crypto::SecretBytes& kek, std::string_view storage_class,
    S3Error* error, std::optional<crypto::ChecksumAlgorithm> default_checksum) {
  std::optional<PayloadReader> payload = PayloadReader::Create(ctx.body, ctx.req, ctx.auth.auth, error);
  if (!payload) co_return InvalidArgumentError("payload");
  Result<std::optional<ChecksumRequest>> want_checksum =
      ParseChecksumRequest(ctx.req, payload->trailer_mode(), error);
  if (!want_checksum.ok()) co_return want_checksum.status();
  std::optional<crypto::ChecksumAlgorithm> algorithm = default_checksum;
  if (*want_checksum) {
    if (algorithm && *algorithm != (*want_checksum)->algorithm) {
      *error = MakeError(S3ErrorCode::kInvalidRequest,
                         fmt::format("Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                                     ToLower(crypto::ChecksumName(*algorithm)),
                                     ToLower(crypto::ChecksumName((*want_checksum)->algorithm))));
      co_return InvalidArgumentError("checksum type mismatch");
    }
    algorithm = (*want_checksum)->algorithm;
  }
  std::optional<crypto::Checksummer> checksummer;
  if (algorithm) checksummer.emplace(*algorithm);
  if (!payload->expected_length() && !ctx.req.chunked) {
    *error = MakeError(S3ErrorCode::kMissingContentLength);
    co_return InvalidArgumentError("no length");
  }
  // Decided from the declared length before any body byte is read (a
  // client that waits for 100-continue never sends it).
  if (payload->expected_length() && *payload->expected_length() > options_.max_object_size) {
    *error = EntityTooLarge(*payload->expected_length(), options_.max_object_size);
    co_return InvalidArgumentError("too large");
  }
  std::string want_md5;
  if (std::optional<std::string_view> md5 = ctx.req.FindHeader("content-md5")) {
    Result<std::string> raw = crypto::Base64Decode(*md5);
    if (!raw.ok() || raw->size() != 16) {
      *error = MakeError(S3ErrorCode::kInvalidDigest);
      co_return InvalidArgumentError("bad Content-MD5");
    }
    want_md5 = crypto::HexEncode(*raw);
  }
  // A full disk refuses new data up front, inline bodies included: they
  // would eat into the reserve that keeps RocksDB and DELETE working.
  Result<WriteTarget> target = PlaceWrite(bucket, storage_class, error);
  if (!target.ok()) co_return target.status();
  if (Status room = target->blobs->CheckSpace(payload->expected_length().value_or(0)); !room.ok()) {
    spdlog::warn("request {}: refused: {}", ctx.request_id, room.ToString());
    *error = ErrorFromStatus(room);
    co_return room;
  }
  Result<std::unique_ptr<catalog::SegmentWriter>> created =
      catalog::SegmentWriter::Create(*target->blobs, kek, bucket.id, target->inline_limit, bucket.key_version);
  if (!created.ok()) {
    *error = ErrorFromStatus(created.status());
    co_return created.status();
  }
  // Window k is hashed, encrypted and written on the pool while window k+1
  // is read from the socket. Every way out before Finish closes the
  // pipeline first, so that no blob of a refused body outlives the answer.
  SegmentPipeline pipe(deps_.pool, buffers_, std::move(created).value(), target->inline_limit);
  uint64_t total = 0;
  bool eof = false;
  while (!eof) {
    std::span<std::byte> buf = pipe.buffer();
    size_t filled = 0;
    while (filled < buf.size()) {
      Result<size_t> n = co_await payload->Read(buf.subspan(filled));
      if (!n.ok()) {
        *error = payload->error();
        co_await pipe.Close();
        co_return n.status();
      }
      if (*n == 0) {
        eof = true;
        break;
      }
      filled += *n;
    }
    total += filled;
    if (total > options_.max_object_size) {
      *error = EntityTooLarge(total, options_.max_object_size);
      co_await pipe.Close();
      co_return InvalidArgumentError("too large");
    }
    if (filled == 0) break;
    if (checksummer) checksummer->Update(buf.first(filled));
    if (Status st = co_await pipe.Submit(filled); !st.ok()) {
      spdlog::error("request {}: storing body failed: {}", ctx.request_id, st.ToString());
      *error = ErrorFromStatus(st);
      co_await pipe.Close();
      co_return st;
    }
  }
  // The checksum is checked before the segment is committed: a mismatch
  // leaves nothing behind (Close aborts the blob).
  std::string checksum;
  if (checksummer) {
    std::string computed = checksummer->Finish();
    if (*want_checksum) {
      std::optional<std::string_view> trailer;
      if ((*want_checksum)->in_trailer) trailer = payload->FindTrailer(ChecksumHeaderName(*algorithm));
      if (std::optional<S3Error> bad = VerifyChecksum(**want_checksum, computed, trailer)) {
        *error = *bad;
        co_await pipe.Close();
        co_return InvalidArgumentError("checksum");
      }
    }
    checksum = crypto::Base64Encode(computed);
  }
  Result<catalog::Segment> seg = co_await pipe.Finish();
  if (!seg.ok()) {
    spdlog::error("request {}: committing body failed: {}", ctx.request_id, seg.status().ToString());
    *error = ErrorFromStatus(seg.status());
    co_await pipe.Close();
    co_return seg.status();
  }
  const catalog::SegmentWriter* writer = &pipe.writer();
  if (!want_md5.empty() && want_md5 != writer->md5_hex()) {
    std::vector<catalog::Segment> rel(1, *seg);
    co_await Release(rel);
    *error = MakeError(S3ErrorCode::kBadDigest);
    co_return InvalidArgumentError("BadDigest");
  }
  StoredBody stored{std::move(seg).value(), writer->md5_hex(), algorithm};
  stored.segment.checksum = std::move(checksum);
  co_return stored;
}

asio::awaitable<Result<catalog::Segment>> S3Service::FinishSegment(catalog::SegmentWriter& writer) {
  if (!writer.spilled()) co_return writer.Finish();  // in memory: nothing blocks
  Result<catalog::Segment> seg = co_await deps_.pool.Run([&] { return writer.Finish(); });
  co_return seg;
}

asio::awaitable<S3Service::Reply> S3Service::UpdateBucketSetting(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                                 const BucketEdit& edit, int status) {
  Result<catalog::BucketRecord> updated = co_await deps_.pool.Run([&] {
    return deps_.catalog.UpdateBucket(bucket.name, [&](catalog::BucketRecord& b) {
      if (b.id != bucket.id) return NotFoundError("bucket deleted and created again");
      edit(b);
      return OkStatus();
    });
  });
  if (!updated.ok()) {
    co_return updated.status().code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kNoSuchBucket)
                                                               : ErrorFromStatus(updated.status());
  }
  std::vector<http::Header> none = Headers();
  co_await SendEmpty(ctx, status, none);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::UpdateObjectSetting(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                                 const ObjectEdit& edit, int status) {
  const std::optional<std::string> version = ctx.route.Query("versionId");
  if (version && !ValidVersionId(*version)) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
  }
  Result<catalog::ObjectRecord> updated = co_await deps_.pool.Run([&] {
    return deps_.catalog.UpdateObjectVersion(bucket, ctx.route.key, version.value_or(""), edit);
  });
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kFailedPrecondition) co_return MakeError(S3ErrorCode::kMethodNotAllowed);
    if (updated.status().code() != StatusCode::kNotFound) co_return ErrorFromStatus(updated.status());
    co_return MakeError(version ? S3ErrorCode::kNoSuchVersion : S3ErrorCode::kNoSuchKey);
  }
  // The log entry names the version changed, also when the request named
  // none (the current one).
  if (bucket.versioned()) ctx.version_id = catalog::ExternalVersionId(*updated);
  std::vector<http::Header> hdrs = Headers();
  AddVersionHeader(hdrs, bucket, *updated);
  co_await SendEmpty(ctx, status, hdrs);
  co_return std::nullopt;
}

asio::awaitable<Result<std::string>> S3Service::ReadSmallBody(Ctx& ctx, size_t limit, S3Error* error) {
  std::optional<PayloadReader> payload = PayloadReader::Create(ctx.body, ctx.req, ctx.auth.auth, error);
  if (!payload) co_return InvalidArgumentError("payload");
  std::string out;
  // A heap buffer: g++ 12 cannot keep a C array in a coroutine frame.
  std::vector<char> buf(16384);
  for (;;) {
    Result<size_t> n = co_await payload->Read(std::as_writable_bytes(std::span(buf)));
    if (!n.ok()) {
      *error = payload->error();
      co_return n.status();
    }
    if (*n == 0) break;
    if (out.size() + *n > limit) {
      *error = MakeError(S3ErrorCode::kMalformedXML, "The request body is too large.");
      co_return InvalidArgumentError("body too large");
    }
    out.append(buf.data(), *n);
  }
  if (std::optional<std::string_view> md5 = ctx.req.FindHeader("content-md5")) {
    Result<std::string> want = crypto::Base64Decode(*md5);
    if (!want.ok() || want->size() != 16) {
      *error = MakeError(S3ErrorCode::kInvalidDigest);
      co_return InvalidArgumentError("bad Content-MD5");
    }
    std::array<uint8_t, 16> got = crypto::Md5Digest(out);
    if (std::memcmp(got.data(), want->data(), got.size()) != 0) {
      *error = MakeError(S3ErrorCode::kBadDigest);
      co_return InvalidArgumentError("BadDigest");
    }
  }
  co_return out;
}

asio::awaitable<void> S3Service::SendXml(Ctx& ctx, int status, const std::string& xml) {
  std::vector<http::Header> h = {{"Content-Type", "application/xml"},
                                 {"x-amz-request-id", ctx.request_id}};
  (void)co_await ctx.resp.Send(status, h, xml);
}

asio::awaitable<void> S3Service::SendEmpty(Ctx& ctx, int status, const std::vector<http::Header>& headers) {
  std::vector<http::Header> all = headers;
  all.push_back({"x-amz-request-id", ctx.request_id});
  (void)co_await ctx.resp.Send(status, all, "");
}

asio::awaitable<void> S3Service::SendError(Ctx& ctx, const S3Error& error) {
  if (ctx.resp.started()) {
    // Headers are gone: the only honest signal left is to cut the
    // connection so that the client sees a short body.
    ctx.resp.CloseAfterResponse();
    co_return;
  }
  ctx.error_code = std::string(error.CodeString());
  if (error.HttpStatus() >= 500) {
    spdlog::warn("request {} {} {}: {} {}", ctx.request_id, ctx.req.method, ctx.resource,
                 error.CodeString(), error.Message());
  }
  xml::XmlWriter w;
  w.Open("Error").Element("Code", error.CodeString()).Element("Message", error.Message());
  for (const auto& [name, value] : error.details) w.Element(name, value);
  w.Element("Resource", error.resource.empty() ? ctx.resource : error.resource);
  w.Element("RequestId", ctx.request_id).Element("HostId", ctx.request_id);
  // A request whose body was not read cannot keep its connection unless the
  // HTTP layer drains it; that layer decides (see http/server.h).
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, error.HttpStatus(), doc);
  }
}

asio::awaitable<void> S3Service::Release(const std::vector<catalog::Segment>& segments) {
  bool any_blob = false;
  for (const auto& s : segments) any_blob |= !s.blob_id.empty();
  if (!any_blob) co_return;
  Status st = co_await deps_.pool.Run([&] { return catalog::ReleaseSegments(deps_.blobs, segments); });
  if (!st.ok()) spdlog::warn("releasing blobs failed (the sweeper will retry): {}", st.ToString());
}

asio::awaitable<void> S3Service::AfterFailedCommit(const Ctx& ctx, const Status& status,
                                                   const std::vector<catalog::Segment>& segments) {
  if (!catalog::CommitRefused(status)) {
    spdlog::error("request {}: metadata commit failed: {}", ctx.request_id, status.ToString());
    co_return;
  }
  spdlog::info("request {}: metadata commit refused: {}", ctx.request_id, status.ToString());
  co_await Release(segments);
}

bool S3Service::CommitsDurable(const Ctx& ctx) const {
  return commit_durability_ == meta::Durability::kSynced || ctx.resp.recorded();
}

asio::awaitable<void> S3Service::ReleaseReplaced(const catalog::BucketRecord& bucket, const std::string& key,
                                                 const catalog::ObjectRecord& replaced) {
  bool any_blob = false;
  for (const auto& s : replaced.segments) any_blob |= !s.blob_id.empty();
  if (!any_blob) co_return;
  Status st = co_await deps_.pool.Run([&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<catalog::Segment> free, deps_.catalog.ReleasableSegments(bucket, key, replaced));
    return catalog::ReleaseSegments(deps_.blobs, free);
  });
  if (!st.ok()) spdlog::warn("releasing blobs failed (the sweeper will retry): {}", st.ToString());
}

}  // namespace confiance::s3

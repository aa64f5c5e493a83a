// File: s3/s3_service.h
// S3Service: the http::Handler of the S3 API. Routes a request, verifies its
// signature, checks that the principal may touch the bucket, and runs the
// operation's handler. Handlers are split by family over
// bucket_handlers.cc, object_handlers.cc, multipart_handlers.cc,
// list_handlers.cc, copy_handlers.cc, tagging_handlers.cc,
// object_attributes_handlers.cc, cors_handlers.cc, versioning_handlers.cc and
// post_object_handlers.cc.
//
// Threads: Handle runs on a network thread. Metadata commits, blob commits
// and blob reads/writes go to the BlockingPool; in-memory work (signature
// checks, encryption of inline objects, catalog reads served from RocksDB's
// caches) stays on the network thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "audit/audit_log.h"
#include "blob/blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/object_data.h"
#include "common/blocking_pool.h"
#include "common/buffer_pool.h"
#include "common/server_load.h"
#include "crypto/checksum.h"
#include "http/http.h"
#include "iam/credentials.h"
#include "iam/directory.h"
#include "s3/auth.h"
#include "s3/authorize.h"
#include "s3/copy_source.h"
#include "s3/notification_config.h"
#include "s3/post_policy.h"
#include "s3/rate_limiter.h"
#include "s3/replication_config.h"
#include "s3/request_metrics.h"
#include "s3/router.h"
#include "s3/s3_error.h"
#include "s3/sse.h"
#include "s3/tagging.h"
#include "s3/website.h"
#include "sovereignty/lockbox.h"
#include "sovereignty/residency/residency.h"

namespace confiance::s3 {

namespace asio = boost::asio;

struct S3Options {
  std::string region = "us-east-1";
  std::string domain;                    // virtual-host style base domain; "" = off
  // Static website endpoints: "<bucket>.<website_domain>" (docs/website.md); "" = off.
  std::string website_domain;
  size_t inline_limit = 64 * 1024 + 64;  // sealed bytes kept in the metadata record
  uint64_t max_object_size = 5ull << 30; // single PUT, part and copy source limit (S3: 5 GiB)
  uint64_t max_multipart_object_size = 5ull << 40;  // a completed upload (S3: 5 TiB)
  // SSE-C from non-loopback peers over plain HTTP (s3/sse.h): only when a
  // TLS terminator in front reaches Confiance over a trusted network.
  bool sse_c_allow_http = false;
  // The webhooks bucket notifications may name (s3/notification_config.h).
  std::vector<NotificationTarget> notification_targets;
  // The destinations bucket replication may name (s3/replication_config.h).
  std::vector<ReplicationDestination> replication_destinations;
  // The longest temporary credentials the STS calls issue (docs/sts.md):
  // the operator's cap below AWS's own limits (129,600 s).
  uint64_t max_session_seconds = 129600;
  // Rate limits of every tenant where its own are 0 (unset); all 0: none.
  iam::RateLimits default_rate_limits;
};

struct S3Deps {
  catalog::Catalog& catalog;
  catalog::BucketKeys& bucket_keys;
  blob::BlobStore& blobs;
  iam::CredentialStore& credentials;
  iam::Directory& directory;
  BlockingPool& pool;
  // The transparency logs every request is recorded in before its response
  // (s3/request_audit.h); null turns recording off (benchmarks only).
  audit::AuditLog* audit_log = nullptr;
  // Operator access approvals (sovereignty/lockbox.h); null: every request
  // signed by an operator is refused, as before the lockbox existed.
  sovereignty::Lockbox* lockbox = nullptr;
  // Data residency (sovereignty/residency/residency.h): where new blobs go
  // and which buckets may be created. Null: every blob in `blobs`.
  sovereignty::Residency* residency = nullptr;
  // Listings (scans of up to 1,000 records, mostly CPU once the records
  // are cached) run here: a pool of a few threads, so that many listings
  // at once queue instead of time-slicing `pool`'s many threads against
  // the network thread and the log's committer. Null: `pool`.
  BlockingPool* scan_pool = nullptr;
  // The server's open connections (common/server_load.h): while only one
  // is open, a listing runs on its network thread (S3Service::Scan). Null:
  // always on the scan pool.
  const ServerLoad* load = nullptr;
  // Counts every answered request by operation and status, with its
  // latency (s3/request_metrics.h). Null: not counted.
  RequestMetrics* request_metrics = nullptr;
  // Tenants' rate limits (s3/rate_limiter.h), shared with the admin API
  // that reports refusals. Null: no limit is enforced.
  RateLimiter* rate_limiter = nullptr;
  // Temporary credentials (iam/session_tokens.h): issued by the STS calls
  // and accepted on every S3 request. Null: neither.
  iam::SessionTokens* sessions = nullptr;
};

class S3Service {
 public:
  S3Service(S3Deps deps, S3Options options);

  // Serves one request. `as_service`: a request made in this process by
  // a service of the server acting for a tenant (s3/authorize.h; never
  // one from the network, which always passes null): it carries no
  // signature, only PutObject is served, and only a bucket policy of the
  // tenant it acts for can let it through. So log objects are encrypted,
  // placed, counted, logged and notified as every object is.
  asio::awaitable<void> Handle(http::Request& request, http::BodyReader& body, http::ResponseWriter& response,
                               const ServicePrincipal* as_service = nullptr);

  // Static website hosting (docs/website.md): whether `host` (a Host
  // header) names a bucket's website endpoint, "<bucket>.<website_domain>";
  // and serves such a request. Every website request is anonymous: it gets
  // what the bucket's policy and ACLs grant to everyone, as a GET or HEAD
  // of the object, logged in the bucket owner's transparency log.
  bool IsWebsiteHost(std::string_view host) const;
  asio::awaitable<void> HandleWebsite(http::Request& request, http::BodyReader& body, http::ResponseWriter& response);

 private:
  struct Ctx;
  class RequestAudit;  // s3/request_audit.h
  using Reply = std::optional<S3Error>;  // nullopt: the handler answered

  // One request: the response's decorators (CORS headers, the log entry),
  // the request's context, the handler (Dispatch, or ServeWebsite for the
  // website endpoint), its error if it answered none, the rate charge and
  // the metrics.
  asio::awaitable<void> Serve(http::Request& request, http::BodyReader& body, http::ResponseWriter& response,
                              const ServicePrincipal* as_service, bool website);
  asio::awaitable<Reply> Dispatch(Ctx& ctx);
  BlockingPool& ScanPool() { return deps_.scan_pool != nullptr ? *deps_.scan_pool : deps_.pool; }
  // Runs a listing's scan: on the scan pool, or here while this request's
  // connection is the only one open. The network thread then has no other
  // request to serve, and the hand-off to the pool and back cost 8.0
  // against 3.1 context switches and about a tenth of the CPU of a
  // 1,000-key listing at one connection (docs/PERFORMANCE.md, session 19).
  // A connection that opens meanwhile waits for the scan, which is bounded
  // (1,000 records).
  template <typename Fn>
  asio::awaitable<std::invoke_result_t<Fn&>> Scan(Fn fn) {
    if (deps_.load != nullptr && deps_.load->EveryClientWaitsOn(1)) {
      co_return fn();
    }
    co_return co_await ScanPool().Run(std::move(fn));
  }
  // Makes `auth`'s principal the requester: refuses members of missing or
  // disabled tenants, and operators unless the lockbox is on (their access
  // is then decided per request by AuthorizeOperator).
  std::optional<S3Error> BindRequester(Ctx& ctx, Authenticated auth);
  // The tenant rate limits (s3/rate_limiter.h): 503 SlowDown when the
  // request's tenant is over its limits for the request's class. The tenant
  // is the requester's; for an anonymous request or a browser form upload,
  // the named bucket's owner. Operators are not limited.
  std::optional<S3Error> AdmitRate(Ctx& ctx);
  // After the response: charges its body to the read byte limit AdmitRate
  // chose, if any.
  void ChargeRate(const Ctx& ctx);
  // The bucket the request names, if the requester may perform the route's
  // action on it (or on the named object): see s3/authorize.h.
  Result<catalog::BucketRecord> AuthorizedBucket(Ctx& ctx, S3Error* error);
  // The bucket the request names, whoever asks (NoSuchBucket otherwise):
  // for handlers that authorize per key (DeleteObjects).
  Result<catalog::BucketRecord> NamedBucket(Ctx& ctx, S3Error* error);
  // Whether the requester may perform `action` on bucket/key (CopyObject's
  // source, per-key deletes); loads the object's ACL or tags when they
  // matter.
  // `extra` adds condition keys (the s3:prefix of a missing-key check).
  std::optional<S3Error> AuthorizeAccess(Ctx& ctx, std::string_view action, const catalog::BucketRecord& bucket,
                                         std::string_view key,
                                         std::vector<std::pair<std::string, std::string>> extra = {});
  // For a write marked as a replication copy (s3/replication_config.h
  // kReplicaHeader): whether the requester may also perform
  // s3:ReplicateObject on the key (and names its source version well). A
  // replica is never replicated again, so marking one is a permission of
  // its own, not every writer's.
  // (`action`: s3:ReplicateDelete for a delete marker, s3:ReplicateTags
  // for a tag change.)
  std::optional<S3Error> AuthorizeReplica(Ctx& ctx, const catalog::BucketRecord& bucket,
                                          std::string_view action = "s3:ReplicateObject");
  // For a change of a version's settings marked so (replication sending a
  // change on): whether the requester may perform `action`
  // (s3:ReplicateTags for tags, s3:ReplicateObject for Object Lock
  // settings); if so the change is marked a replica's (ctx.replica_change)
  // and never sent on again. Nothing for an unmarked request.
  std::optional<S3Error> AuthorizeReplicaChange(Ctx& ctx, const catalog::BucketRecord& bucket, std::string_view action);
  // What the request says it writes: nullopt for no replica, else the
  // source version the replica copies (kReplicaSourceHeader, "" if none).
  static std::optional<std::string_view> ReplicaOf(const Ctx& ctx);
  // For AbortMultipartUpload and ListParts: the bucket, if the requester may
  // perform the action, or is the upload's initiator tenant and may still
  // write the key (S3: "the initiator of the multipart upload has
  // permission" to abort it and to list its parts).
  Result<catalog::BucketRecord> UploadBucket(Ctx& ctx, std::string_view upload_id, S3Error* error);
  // AccessDenied when the request names an expected owner
  // (`header`: x-amz-expected-bucket-owner or
  // x-amz-source-expected-bucket-owner) other than the bucket's tenant.
  std::optional<S3Error> CheckExpectedOwner(Ctx& ctx, std::string_view header, const catalog::BucketRecord& bucket);
  // Whether the requester may perform a bucket-less action ("" bucket) or
  // one on a bucket that does not exist yet (CreateBucket).
  std::optional<S3Error> AuthorizeWithoutBucket(Ctx& ctx, std::string_view action, std::string_view bucket);
  // AuthorizeAccess for a requester signing with an operator key (the
  // lockbox, docs/SOVEREIGNTY.md): the action's operation class (read,
  // list, write, delete; anything else is refused) on bucket/key (for a
  // listing, its prefix) must be covered by an approved, unexpired access
  // request of the bucket's owner, and that owner's key policy must allow
  // OPERATOR_APPROVED. Sets ctx.approval_id. The tenant's bucket policies
  // and ACLs do not apply: the approval is the tenant's consent.
  std::optional<S3Error> AuthorizeOperator(Ctx& ctx, std::string_view action, const catalog::BucketRecord& bucket,
                                           std::string_view key,
                                           const std::vector<std::pair<std::string, std::string>>& extra);
  // AuthorizeOperator's last step may ask the tenant's external KMS (once
  // per approval), and handlers call it on the network thread: this runs
  // the same check for the request's own action once, on the blocking pool,
  // before the handler, so that the handler's check finds the key cached
  // and the KMS round trip never stalls the other connections of the
  // thread. Decides nothing: refusals are the handler's to report.
  asio::awaitable<void> WarmOperatorKey(Ctx& ctx);
  // Where new data of `bucket` goes (s3/residency_placement.cc): the blob
  // store of the pool the residency rules pick, and the inline limit (0
  // outside the default pool: inline data lives with the metadata store).
  // Only pools of the write's `storage_class` are candidates.
  struct WriteTarget {
    blob::BlobStore* blobs = nullptr;
    size_t inline_limit = 0;
  };
  Result<WriteTarget> PlaceWrite(const catalog::BucketRecord& bucket, std::string_view storage_class, S3Error* error);
  // The storage class a write asks for (x-amz-storage-class, or a POST
  // form's field): STANDARD when `asked` is none; InvalidStorageClass for a
  // class no storage pool holds (docs/storage-classes.md).
  Result<std::string> WriteStorageClass(std::optional<std::string_view> asked, S3Error* error);
  // InvalidArgument for a lifecycle Transition to STANDARD or to a class no
  // storage pool holds.
  std::optional<S3Error> CheckTransitionClasses(const catalog::LifecycleConfiguration& config);
  // The error for a key that does not exist: NoSuchKey if the requester may
  // list the bucket with the key as s3:prefix, else AccessDenied, as S3 answers GetObject and
  // HeadObject (otherwise a reader could probe which keys exist).
  S3Error MissingKeyError(Ctx& ctx, const catalog::BucketRecord& bucket);
  // GetObject/HeadObject refused with `denied`: for a key that does not
  // exist, the answer is MissingKeyError's instead (NoSuchKey when the
  // requester may list it, as RGW answers), since a listing would tell the
  // same; otherwise `denied`.
  S3Error DeniedReadError(Ctx& ctx, const S3Error& denied);

  // access_control_handlers.cc
  asio::awaitable<Reply> GetBucketPolicy(Ctx& ctx);
  asio::awaitable<Reply> PutBucketPolicy(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketPolicy(Ctx& ctx);
  asio::awaitable<Reply> GetBucketPolicyStatus(Ctx& ctx);
  asio::awaitable<Reply> GetBucketAcl(Ctx& ctx);
  asio::awaitable<Reply> GetObjectAcl(Ctx& ctx);
  asio::awaitable<Reply> PutAcl(Ctx& ctx, bool object);
  asio::awaitable<Reply> PublicAccessBlockOp(Ctx& ctx);
  asio::awaitable<Reply> OwnershipControlsOp(Ctx& ctx);
  // A tenant as S3 names it (<Owner>, <Initiator>, ACL owner): canonical id
  // and display name; {"", tenant id} if its record cannot be read.
  iam::acl::CanonicalUser CanonicalUserOf(const std::string& tenant_id);
  iam::acl::CanonicalUser OwnerOf(const catalog::BucketRecord& bucket) { return CanonicalUserOf(bucket.owner); }
  // The bucket owner when the bucket's ACLs are disabled (BucketOwnerEnforced:
  // it owns every object, uploads included), else nullopt.
  std::optional<iam::acl::CanonicalUser> EnforcedOwner(const catalog::BucketRecord& bucket) {
    return AclsDisabled(bucket) ? std::optional(OwnerOf(bucket)) : std::nullopt;
  }
  // The ACL that x-amz-acl / x-amz-grant-* headers ask for (nullopt when
  // none is given), checked against ownership controls, Block Public
  // Access and the grantees' existence.
  Result<std::optional<iam::acl::Acl>> AclFromRequestHeaders(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                             bool object, S3Error* error);
  // `allowed_without_acls`: the ACL is one that BucketOwnerEnforced still
  // takes; `creating_bucket` picks CreateBucket's error for the others.
  std::optional<S3Error> CheckAclToStore(const catalog::BucketRecord& bucket, const iam::acl::Acl& acl,
                                         bool allowed_without_acls, bool creating_bucket);

  // bucket_handlers.cc
  asio::awaitable<Reply> ListBuckets(Ctx& ctx);
  asio::awaitable<Reply> CreateBucket(Ctx& ctx);
  // CreateBucket on a bucket the requester owns. AWS answers 200 in
  // us-east-1 (resetting the bucket's ACL to the request's) and 409
  // BucketAlreadyOwnedByYou in every other region. In us-east-1 Confiance
  // answers 200 and changes nothing (nullopt here) only when the request
  // asks for the ACL, Object Ownership and Object Lock setting the bucket
  // has; one asking for another gets Ceph RGW's 409 BucketAlreadyExists
  // rather than a silent change of who may read the bucket.
  std::optional<S3Error> RecreateOwnBucket(Ctx& ctx, const catalog::BucketRecord& existing);
  asio::awaitable<Reply> HeadBucket(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucket(Ctx& ctx);
  asio::awaitable<Reply> GetBucketLocation(Ctx& ctx);
  // object_handlers.cc
  asio::awaitable<Reply> PutObject(Ctx& ctx);
  asio::awaitable<Reply> GetObject(Ctx& ctx, bool head);
  asio::awaitable<Reply> DeleteObject(Ctx& ctx);
  asio::awaitable<Reply> DeleteObjects(Ctx& ctx);
  // object_attributes_handlers.cc
  asio::awaitable<Reply> GetObjectAttributes(Ctx& ctx);
  // post_object_handlers.cc: the browser form upload (POST /bucket).
  asio::awaitable<Reply> PostObject(Ctx& ctx);
  // The STS query API (s3/sts_handlers.cc, docs/sts.md): authenticates
  // the form itself (service "sts", the body's own hash) and answers in
  // STS's shapes, errors included.
  asio::awaitable<Reply> SecurityTokenService(Ctx& ctx);
  // Authenticates the form's policy signature (SigV4 or V2) and binds the
  // requester, or marks it anonymous when the form carries no signature.
  std::optional<S3Error> AuthenticateForm(Ctx& ctx, const PostFields& fields);
  // Writes one chunk to `writer`, on the blocking pool once it spills.
  asio::awaitable<Status> WriteToSegment(catalog::SegmentWriter& writer, std::span<const std::byte> chunk);
  // copy_handlers.cc
  asio::awaitable<Reply> CopyObject(Ctx& ctx);
  // list_handlers.cc
  asio::awaitable<Reply> ListObjects(Ctx& ctx, bool v2);
  asio::awaitable<Reply> ListObjectVersions(Ctx& ctx);
  // versioning_handlers.cc
  asio::awaitable<Reply> GetBucketVersioning(Ctx& ctx);
  asio::awaitable<Reply> PutBucketVersioning(Ctx& ctx);
  // x-amz-version-id for a response about `record` in `bucket`: only in
  // buckets that are (or were) versioned, as S3 answers.
  // A ?versionId= value that could name a version: "null" or an id this
  // server makes (else S3 answers InvalidArgument).
  static bool ValidVersionId(std::string_view version_id);
  // The record of the request's object at the version ?versionId= names
  // (the current one without it), for reads of its settings (tagging, ACL,
  // attributes). On failure sets *error: InvalidArgument for a malformed
  // id, NoSuchVersion / NoSuchKey when absent (a current delete marker
  // included), MethodNotAllowed for a delete marker named by its id.
  Result<catalog::ObjectRecord> RequestedVersion(Ctx& ctx, const catalog::BucketRecord& bucket, S3Error* error);
  // KeyTooLongError for a key over 1,024 bytes; InvalidArgument for a key
  // holding a NUL byte (the catalog's key encodings, catalog/version_id.h
  // and the upload index, reserve it; S3 keys are XML text, which cannot
  // carry one).
  static std::optional<S3Error> CheckNewKey(std::string_view key);
  static void AddVersionHeader(std::vector<http::Header>& headers, const catalog::BucketRecord& bucket,
                               const catalog::ObjectRecord& record);
  // multipart_handlers.cc
  asio::awaitable<Reply> CreateMultipartUpload(Ctx& ctx);
  asio::awaitable<Reply> UploadPart(Ctx& ctx);
  asio::awaitable<Reply> UploadPartCopy(Ctx& ctx);
  asio::awaitable<Reply> CompleteMultipartUpload(Ctx& ctx);
  asio::awaitable<Reply> AbortMultipartUpload(Ctx& ctx);
  asio::awaitable<Reply> ListParts(Ctx& ctx);
  asio::awaitable<Reply> ListMultipartUploads(Ctx& ctx);
  // tagging_handlers.cc
  asio::awaitable<Reply> GetObjectTagging(Ctx& ctx);
  asio::awaitable<Reply> PutObjectTagging(Ctx& ctx);
  asio::awaitable<Reply> DeleteObjectTagging(Ctx& ctx);
  asio::awaitable<Reply> GetBucketTagging(Ctx& ctx);
  asio::awaitable<Reply> PutBucketTagging(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketTagging(Ctx& ctx);
  // Reads and validates a Tagging document body (PutObjectTagging,
  // PutBucketTagging); on failure sets *error.
  asio::awaitable<Result<catalog::TagMap>> ReadTagSet(Ctx& ctx, TagScope scope, S3Error* error);
  // cors_handlers.cc
  asio::awaitable<Reply> GetBucketCors(Ctx& ctx);
  asio::awaitable<Reply> PutBucketCors(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketCors(Ctx& ctx);
  // OPTIONS: answered from the bucket's CORS rules, unauthenticated.
  asio::awaitable<Reply> PreflightCors(Ctx& ctx);
  // A request carrying Origin: if a CORS rule of the bucket allows it, its
  // CORS headers go on whatever response follows (errors included).
  void AddCorsHeaders(Ctx& ctx);
  // encryption_handlers.cc
  asio::awaitable<Reply> GetBucketEncryption(Ctx& ctx);
  asio::awaitable<Reply> PutBucketEncryption(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketEncryption(Ctx& ctx);
  // object_lock_handlers.cc
  asio::awaitable<Reply> GetObjectLockConfiguration(Ctx& ctx);
  asio::awaitable<Reply> PutObjectLockConfiguration(Ctx& ctx);
  asio::awaitable<Reply> GetObjectRetention(Ctx& ctx);
  asio::awaitable<Reply> PutObjectRetention(Ctx& ctx);
  asio::awaitable<Reply> GetObjectLegalHold(Ctx& ctx);
  asio::awaitable<Reply> PutObjectLegalHold(Ctx& ctx);
  // The x-amz-object-lock-* headers of a request writing a new version
  // (PutObject, CopyObject, CreateMultipartUpload). On failure sets *error:
  // InvalidRequest in a bucket without Object Lock or (`need_integrity`)
  // without Content-MD5 or an additional checksum; InvalidArgument for a
  // mode without a date (or the reverse), a bad mode or legal hold, a date
  // not in the future.
  struct LockRequest {
    catalog::LockMode mode = catalog::LockMode::kNone;
    uint64_t retain_until_ms = 0;
    std::optional<bool> legal_hold;
  };
  Result<LockRequest> LockFromHeaders(Ctx& ctx, const catalog::BucketRecord& bucket, bool need_integrity,
                                      S3Error* error);
  // Sets the lock of a new version: the request's retention, else the
  // bucket's default retention from `now_ms`; its legal hold. Clears it in
  // a bucket without Object Lock.
  static void ApplyLock(const LockRequest& request, const catalog::BucketRecord& bucket, uint64_t now_ms,
                        catalog::ObjectRecord& rec);
  // x-amz-object-lock-* of a GET/HEAD response, for requesters who may read
  // them (s3:GetObjectRetention, s3:GetObjectLegalHold).
  void AddLockHeaders(Ctx& ctx, std::vector<http::Header>& headers, const catalog::BucketRecord& bucket,
                      const catalog::ObjectRecord& rec);
  // The governance bypass of a request removing or changing a version of
  // bucket/key: x-amz-bypass-governance-retention: true and the
  // requester's s3:BypassGovernanceRetention, both.
  catalog::LockOverride LockOverrideFor(Ctx& ctx, const catalog::BucketRecord& bucket, std::string_view key);
  // unset_settings_handlers.cc: request payment and transfer
  // acceleration, never set on any bucket here.
  asio::awaitable<Reply> UnsetBucketSetting(Ctx& ctx);
  // inventory_handlers.cc
  asio::awaitable<Reply> GetBucketInventory(Ctx& ctx);
  asio::awaitable<Reply> PutBucketInventory(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketInventory(Ctx& ctx);
  asio::awaitable<Reply> ListBucketInventory(Ctx& ctx);
  // website_handlers.cc
  asio::awaitable<Reply> GetBucketWebsite(Ctx& ctx);
  asio::awaitable<Reply> PutBucketWebsite(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketWebsite(Ctx& ctx);
  // A request to the website endpoint, routed (bucket, key requested):
  // the page, a redirect, or the error (sent as HTML by HandleWebsite).
  asio::awaitable<Reply> ServeWebsite(Ctx& ctx);
  // After a website read failed with `failed`: the redirect of a folder
  // without its slash, of a routing rule for the error, or the error
  // document; nullopt once one of them answered.
  asio::awaitable<Reply> AnswerWebsiteError(Ctx& ctx, const catalog::BucketRecord& bucket,
                                            const WebsiteConfiguration& config, const S3Error& failed);
  asio::awaitable<void> SendWebsiteRedirect(Ctx& ctx, int status, const std::string& location);
  asio::awaitable<void> SendWebsiteError(Ctx& ctx, const S3Error& error);
  // notification_handlers.cc
  asio::awaitable<Reply> GetBucketNotification(Ctx& ctx);
  asio::awaitable<Reply> PutBucketNotification(Ctx& ctx);
  // logging_handlers.cc
  asio::awaitable<Reply> GetBucketLogging(Ctx& ctx);
  asio::awaitable<Reply> PutBucketLogging(Ctx& ctx);
  asio::awaitable<Reply> GetBucketReplication(Ctx& ctx);
  asio::awaitable<Reply> PutBucketReplication(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketReplication(Ctx& ctx);
  // lifecycle_handlers.cc
  asio::awaitable<Reply> GetBucketLifecycle(Ctx& ctx);
  asio::awaitable<Reply> PutBucketLifecycle(Ctx& ctx);
  asio::awaitable<Reply> DeleteBucketLifecycle(Ctx& ctx);
  // The x-amz-expiration header of an object response (PUT, GET, HEAD)
  // when an enabled Expiration rule of the bucket applies to the object.
  void AddExpirationHeader(Ctx& ctx, const catalog::BucketRecord& bucket, std::string_view key,
                           const catalog::ObjectRecord& record);

  // Shared steps (s3_service.cc).
  // Streams the request payload into a new segment, computing in the same
  // pass the additional checksum the request asks for (s3/checksum_request.h)
  // or, failing that, `default_checksum` (a multipart upload's algorithm),
  // and checking it against the claimed value before the segment is
  // committed. On failure returns the S3 error (the segment's blob, if any,
  // is aborted). InvalidRequest if the request names an algorithm other
  // than a non-null `default_checksum`.
  struct StoredBody {
    catalog::Segment segment;  // segment.checksum: base64, "" if none
    std::string md5_hex;
    std::optional<crypto::ChecksumAlgorithm> checksum_algorithm;
  };
  // `kek` wraps the segment's data key (DataKek).
  asio::awaitable<Result<StoredBody>> StoreBody(
      Ctx& ctx, const catalog::BucketRecord& bucket, const crypto::SecretBytes& kek, std::string_view storage_class,
      S3Error* error, std::optional<crypto::ChecksumAlgorithm> default_checksum = std::nullopt);
  // The copy steps CopyObject and UploadPartCopy share (copy_handlers.cc).
  // The source's bucket, if it exists, the requester may s3:GetObject the
  // source key in it (another tenant's bucket only when granted) and it has
  // the owner x-amz-source-expected-bucket-owner names, if any.
  Result<catalog::BucketRecord> CopySourceBucket(Ctx& ctx, const CopySource& source,
                                                 const catalog::BucketRecord& dst, S3Error* error);
  // The source object as one record and a reader over it (which refers to
  // the record: the struct stays where it was filled).
  struct CopySourceObject {
    catalog::ObjectRecord record;
    std::unique_ptr<catalog::ObjectReader> reader;
  };
  // Checks a source record before its data is opened (sizes, ranges,
  // quota); an error refuses the copy.
  using CopySourceCheck = std::function<std::optional<S3Error>(const catalog::ObjectRecord&)>;
  // Reads the source record into *out (NoSuchKey if absent), applies the
  // x-amz-copy-source-if-* conditions (412) and `check`, and opens its
  // blobs. On failure sets *error.
  asio::awaitable<Status> OpenCopySource(Ctx& ctx, const CopySource& source, const catalog::BucketRecord& src_bucket,
                                         const CopySourceCheck& check, CopySourceObject* out, S3Error* error);
  // Streams plaintext bytes [first, first + length) of the source into a new
  // segment of `dst` (committed blob, or inline, in a pool of
  // `storage_class`) whose data key `kek` wraps (DataKek). With `checksum`, the copied bytes' checksum of that
  // algorithm goes into the segment (base64). On failure sets *error.
  asio::awaitable<Result<StoredBody>> CopyBytes(Ctx& ctx, const CopySource& source, CopySourceObject& src,
                                                uint64_t first, uint64_t length, const catalog::BucketRecord& dst,
                                                const crypto::SecretBytes& kek, std::string_view storage_class,
                                                S3Error* error,
                                                std::optional<crypto::ChecksumAlgorithm> checksum = std::nullopt);
  // Commits an uploaded part (UploadPart, UploadPartCopy); returns the part
  // it replaced, whose blob the caller releases after answering. On failure
  // sets *error (and frees the new part's blob if the commit was refused).
  asio::awaitable<Result<std::optional<catalog::PartRecord>>> CommitPart(const std::string& upload_id,
                                                                         const catalog::PartRecord& part,
                                                                         S3Error* error);
  // The SSE-C key check a new object or upload written with `customer`
  // records: a fresh salt and the salted verifier of the key (both empty
  // without a customer key).
  struct CustomerKeyCheck {
    std::string salt;
    std::string verifier;
  };
  static Result<CustomerKeyCheck> NewCustomerKeyCheck(const std::optional<CustomerKey>& customer);
  // The key an object's data keys are wrapped under: the bucket key, or for
  // an SSE-C object (non-empty `salt`) the KEK derived from the bucket key,
  // `customer`'s key and the salt (crypto/customer_key.h).
  // FailedPrecondition if `salt` is set and `customer` is not. For an
  // SSE-KMS object (`kms` not empty) the KEK derived from the bucket key,
  // the key id, the context and the named key the id may name
  // (catalog/sse_kms_kek.h). The bucket key (and a named key) is unwrapped
  // under the request's key-access justification (ctx.justification:
  // OPERATOR_APPROVED for an approved operator access, else TENANT_REQUEST).
  Result<std::shared_ptr<const crypto::SecretBytes>> DataKek(const Ctx& ctx, const catalog::BucketRecord& bucket,
                                                             const std::optional<CustomerKey>& customer,
                                                             std::string_view salt, const catalog::SseKms& kms = {});
  // DataKek for the network thread: a bucket key in the cache is used
  // there (BucketKeys::GetIfCached: memory only); a miss (a store read and
  // maybe a KMS round trip, the tenant's own KMS for hold-your-own-key) runs
  // on the blocking pool. All arguments must outlive the co_await.
  // `key_version`: the bucket-key version (0: the current one, which new
  // segments of this record of `bucket` are written under: key_version).
  asio::awaitable<Result<std::shared_ptr<const crypto::SecretBytes>>> DataKekAsync(
      const Ctx& ctx, const catalog::BucketRecord& bucket, const std::optional<CustomerKey>& customer,
      const std::string& salt, const catalog::SseKms& kms, uint32_t key_version = 0);
  // The KEKs of every bucket-key version `rec`'s segments use (a bucket-key
  // rotation may leave a multipart object's parts under two), for an
  // ObjectReader. All arguments must outlive the co_await.
  asio::awaitable<Result<catalog::SegmentKeks>> ObjectKeksAsync(const Ctx& ctx, const catalog::BucketRecord& bucket,
                                                               const std::optional<CustomerKey>& customer,
                                                               const catalog::ObjectRecord& rec);
  // The KEK DataKek returns for an object that is not SSE-KMS, from the
  // bucket key (local derivations only).
  static Result<std::shared_ptr<const crypto::SecretBytes>> DeriveDataKek(
      std::shared_ptr<const crypto::SecretBytes> bucket_key, const std::optional<CustomerKey>& customer,
      std::string_view salt);
  // The SSE-KMS a new object (or upload) of `bucket` gets from the request
  // (ctx.sse) or, when the request names no encryption, from the bucket's
  // default encryption; empty for SSE-S3 and SSE-C. A key id must name the
  // bucket owner's tenant key or one of its named keys
  // (catalog/kms_key_ref.h); another one, existing or not, is 400
  // KMS.NotFoundException, and a named key that is destroyed or whose policy
  // refuses the request is 403 AccessDenied (sets *error). A named key's
  // record is read on the blocking pool unless cached.
  asio::awaitable<Result<catalog::SseKms>> ResolveSseKms(const Ctx& ctx, const catalog::BucketRecord& bucket,
                                                         S3Error* error);
  // Seals the segment's last package and, if it spilled to a blob, commits
  // the blob (fsync) on the blocking pool.
  asio::awaitable<Result<catalog::Segment>> FinishSegment(catalog::SegmentWriter& writer);
  // Reads a small request body (XML documents) of at most `limit` bytes,
  // checked against Content-MD5 when the request has one (InvalidDigest,
  // BadDigest).
  asio::awaitable<Result<std::string>> ReadSmallBody(Ctx& ctx, size_t limit, S3Error* error);
  // nullopt when `key_id` names the tenant key or an existing named KMS
  // key of `bucket`'s owner (docs/encryption.md's forms); else 400
  // KMS.NotFoundException, as for a KMSMasterKeyID or an SSE-KMS PUT.
  asio::awaitable<std::optional<S3Error>> CheckOwnersKmsKeyId(const catalog::BucketRecord& bucket,
                                                              std::string_view key_id);
  // Applies `edit` to the bucket's record (compare-and-set, off the network
  // thread; NoSuchBucket if the bucket was deleted, or deleted and created
  // again, meanwhile), then answers `status` with no body.
  using BucketEdit = std::function<void(catalog::BucketRecord&)>;
  asio::awaitable<Reply> UpdateBucketSetting(Ctx& ctx, const catalog::BucketRecord& bucket, const BucketEdit& edit,
                                             int status);
  // The same for the record of the request's object (ctx.route.key), which
  // keeps its data (catalog::Catalog::UpdateObject); NoSuchKey if absent.
  // The edit runs on the record being committed (a compare-and-set) and
  // may refuse it: its error becomes the reply (ErrorFromStatus).
  using ObjectEdit = std::function<Status(catalog::ObjectRecord&)>;
  asio::awaitable<Reply> UpdateObjectSetting(Ctx& ctx, const catalog::BucketRecord& bucket, const ObjectEdit& edit,
                                             int status);
  asio::awaitable<void> SendXml(Ctx& ctx, int status, const std::string& xml);
  asio::awaitable<void> SendEmpty(Ctx& ctx, int status, const std::vector<http::Header>& headers);
  asio::awaitable<void> SendError(Ctx& ctx, const S3Error& error);
  // Releases blobs no longer referenced, off the network thread; failures
  // only leave orphans for the sweeper.
  asio::awaitable<void> Release(const std::vector<catalog::Segment>& segments);
  // After the commit of a new object's record failed: releases its blobs
  // only if the commit was refused for sure (catalog::CommitRefused; after
  // any other failure the record may still land, and the orphan sweeper
  // frees them if it does not), and logs the failure: a refusal is a race
  // another request won (a key's writers, a DeleteBucket, a completion)
  // and is logged at info, anything else is a fault (error).
  asio::awaitable<void> AfterFailedCommit(const Ctx& ctx, const Status& status,
                                          const std::vector<catalog::Segment>& segments);
  // Releases what a commit replaced or deleted at `key`, except blobs that
  // a record can still reference (Catalog::ReleasableSegments).
  asio::awaitable<void> ReleaseReplaced(const catalog::BucketRecord& bucket, const std::string& key,
                                        const catalog::ObjectRecord& replaced);
  // After the response: false if a PUT's or DELETE's commit, made with
  // commit_durability_, may not be durable (the log refused the response's
  // entry, so no sync followed the commit). The handler must then leave
  // alone what only a durable commit frees: the blobs of the record it
  // replaced (the orphan sweeper frees them later).
  bool CommitsDurable(const Ctx& ctx) const;

  S3Deps deps_;
  S3Options options_;
  RouterOptions router_options_;
  BufferPool buffers_;
  Authorizer authorizer_;
  // How a PUT's or DELETE's commit becomes durable: kWithNextSync when every
  // response waits for a synced log entry in the catalog's own store (one
  // write-ahead log): that sync makes the earlier commit durable too, so
  // the commit need not pay one of its own (meta_store.h).
  const meta::Durability commit_durability_;
};

}  // namespace confiance::s3

// File: s3/s3_context.h
// S3Service::Ctx: everything one request's handlers share. Private to the
// s3 folder's .cc files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/wall_clock.h"
#include "kms/justification.h"
#include "kms/key_provider.h"
#include "s3/audited_response_writer.h"
#include "s3/extra_headers_writer.h"
#include "s3/s3_service.h"

namespace confiance::s3 {

struct S3Service::Ctx {
  http::Request& req;
  http::BodyReader& body;
  AuditedResponseWriter& resp;  // the response, its log entry made durable before it leaves
  std::string request_id;
  Route route;
  std::string resource;  // "/bucket/key", for error documents and logs
  bool route_resolved = false;         // `route` holds the routed request
  bool credentials_presented = false;  // the request carries a signature (verified or not)
  std::string bucket_owner;  // the named bucket's tenant, once NamedBucket found it
  std::string error_code;    // the S3 error code of the response, if it is an error
  // CopyObject / UploadPartCopy: the source's bucket owner, bucket and key,
  // once the source bucket was found (its owner's log records the read).
  std::string copy_source_owner;
  std::string copy_source_bucket;
  std::string copy_source_key;
  std::string copy_source_version_id;  // the source version read ("" = unversioned bucket)
  // The object version the request wrote or removed (S3 form), for the
  // audit event; "" = none, or the one ?versionId= names.
  std::string version_id;
  Authenticated auth;
  iam::TenantRecord tenant;  // the requester's tenant (unset when anonymous)
  RequesterInfo requester;   // who asks, for authorization
  RequestSse sse;            // SSE-C keys the request carries (s3/sse.h)
  // Lockbox (S3Service::AuthorizeOperator): set for a requester signing
  // with an operator key; the approval that let it through, if any; the
  // justification the owner's keys are used under.
  bool operator_access = false;
  std::string approval_id;
  kms::Justification justification = kms::Justification::kTenantRequest;
  // How the owner's keys are used for this request (the approval id goes to
  // a KMS told the justification). Views into this context.
  kms::KeyUse key_use() const { return {justification, approval_id}; }
  // The decorator `resp` is: headers decided before the handler runs (CORS).
  ExtraHeadersWriter* extra_headers = nullptr;
  // The object a PutObject, PostObject, CopyObject or
  // CompleteMultipartUpload wrote (its log entry names them: a bucket
  // notification reports them, docs/notifications.md); and whether a
  // DeleteObject made a delete marker.
  struct Written {
    std::string etag;  // without quotes
    uint64_t size = 0;
  };
  std::optional<Written> written;
  // The STS call this request made (its log entry's operation), and the
  // temporary credentials it issued, if it did: the entry names their
  // access key id, never the secret or the token.
  struct StsCallRecord {
    std::string action;                 // "GetSessionToken", ..., "GetCallerIdentity"
    std::string session_name;           // as the call gave it
    std::string session_access_key_id;  // "" = nothing issued
    uint64_t session_expires_ms = 0;
  };
  std::optional<StsCallRecord> sts_call;
  bool delete_marker_created = false;
  // A change marked as made by replication (s3::kReplicaHeader) and
  // allowed as such: its log entry says so, and replication never sends it
  // on (main/replication_dispatcher.h: no loops between two servers).
  bool replica_change = false;
  // DeleteObjects: each named key's outcome, in the request's order; each
  // is an entry of its own in the log, after the request's
  // (docs/audit-log.md, "DeleteObjects").
  struct KeyOutcome {
    std::string key;
    std::string version_id;  // the version deleted, or the delete marker created
    int status = 204;        // 204 deleted; else the key's error's HTTP status
    std::string error_code;  // the key's S3 error code; empty when deleted
    bool delete_marker_created = false;
  };
  std::vector<KeyOutcome> key_outcomes;
  // A request to the website endpoint (website_handlers.cc): the path it
  // asked for (its log entry names it when the object read is another, an
  // index or error document), and the status GetObject answers with
  // instead of 200 (an error document goes out with the error's status).
  struct WebsiteRequest {
    std::string requested_key;
    int status_override = 0;
  };
  std::optional<WebsiteRequest> website;
  // The tenant whose read byte limit the response's body is charged to
  // (S3Service::AdmitRate); "" = none.
  std::string rate_charged_tenant;
  iam::RateLimits rate_limits;
};

// A header list built outside any coroutine: g++ 12 miscompiles braced
// initializer lists that live across a co_await ("array used as
// initializer"), so handlers never write them inline in a co_await.
template <typename... H>
std::vector<http::Header> Headers(H... h) {
  std::vector<http::Header> v;
  (v.push_back(std::move(h)), ...);
  return v;
}

// Time formats S3 uses: ISO 8601 with milliseconds in XML, RFC 1123 in
// headers.
std::string IsoTime(uint64_t ms);
std::string HttpDate(uint64_t ms);

}  // namespace confiance::s3

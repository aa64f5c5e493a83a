// File: s3/request_audit.cc
#include "s3/request_audit.h"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/await_callback.h"
#include "common/logging.h"
#include "kms/justification.h"
#include "s3/operation.h"
#include "s3/quota.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
std::string S3Service::RequestAudit::LogTenant() const {
  const Ctx& ctx = *ctx_;
  if (!ctx.bucket_owner.empty()) return ctx.bucket_owner;
  if (!ctx.route.bucket.empty()) {
    // Handlers that did not resolve the bucket through NamedBucket
    // (CreateBucket, PostObject, preflight): one cached catalog read.
    Result<catalog::BucketRecord> b = service_.deps_.catalog.GetBucket(ctx.route.bucket);
    if (b.ok()) return b->owner;
  }
  if (!ctx.requester.anonymous && ctx.requester.principal != nullptr) return ctx.requester.principal->tenant_id;
  return "";
}

audit::Event S3Service::RequestAudit::MakeEvent(int status, std::optional<uint64_t> content_length) const {
  const Ctx& ctx = *ctx_;
  audit::Event e;
  e.kind = audit::EventKind::kData;
  e.time_ms = UnixMillisNow();
  e.request_id = ctx.request_id;
  e.source = ctx.req.remote_address;
  if (!ctx.requester.anonymous && ctx.requester.principal != nullptr) {
    const iam::Principal& p = *ctx.requester.principal;
    e.principal.type = p.kind == iam::PrincipalKind::kOperator ? "operator" : "user";
    e.principal.tenant = p.tenant_id;
    e.principal.user = p.user;
    e.principal.access_key_id = p.access_key_id;
    // Every data request the bucket owner's policies let through uses the
    // owner's keys as a tenant request (catalog/tenant_keys.h); operators
    // never reach data without an approval, which names its own reason.
    if (p.kind != iam::PrincipalKind::kOperator) {
      e.justification = std::string(kms::JustificationName(kms::Justification::kTenantRequest));
    } else if (!ctx.approval_id.empty()) {
      // The approval that let the operator through (the lockbox).
      e.justification = std::string(kms::JustificationName(kms::Justification::kOperatorApproved));
      e.approval_id = ctx.approval_id;
    }
  } else if (ctx.requester.service != nullptr) {
    // A service acting for a tenant (log delivery): named as such, with
    // the tenant it acts for.
    e.principal.type = "service";
    e.principal.tenant = ctx.requester.service->source_account;
    e.principal.user = ctx.requester.service->service;
  } else {
    // Signed but not verified (unknown key, bad signature, refused
    // principal) is not the same as anonymous.
    e.principal.type = ctx.credentials_presented ? "unauthenticated" : "anonymous";
  }
  e.status = status;
  e.error = ctx.error_code;
  e.operation = std::string(ctx.route_resolved ? OperationName(ctx.route.op) : std::string_view("Unrouted"));
  e.bucket = ctx.route.bucket;
  e.key = ctx.route.key;
  // The version the request named, or the one it wrote (a PUT's new
  // version, a delete marker).
  e.version_id = !ctx.version_id.empty() ? ctx.version_id : ctx.route.Query("versionId").value_or("");
  const bool success = status >= 200 && status < 300;
  if (success) {
    switch (ctx.route.op) {
      case Operation::kGetObject: e.bytes = content_length; break;
      case Operation::kPutObject:
      case Operation::kUploadPart:
      case Operation::kPostObject:
        // The size the upload declared (decoded length of an aws-chunked
        // body, else Content-Length); none for a chunked body without one.
        if (ctx.req.content_length || ctx.req.FindHeader("x-amz-decoded-content-length")) {
          e.bytes = DeclaredBodySize(ctx.req);
        }
        break;
      default: break;
    }
  }
  // What the request wrote or made (docs/audit-log.md, "details"): set by a
  // handler only once its commit succeeded, so whatever the status (a
  // browser form's upload may answer 303 with a redirect).
  if (ctx.written) {
    e.details["etag"] = ctx.written->etag;
    e.details["size"] = std::to_string(ctx.written->size);
  }
  if (ctx.delete_marker_created) e.details["delete_marker"] = "created";
  // A website request that read another object (an index or error
  // document) names the path it asked for.
  if (ctx.website && ctx.website->requested_key != ctx.route.key) {
    e.details["website_path"] = "/" + ctx.website->requested_key;
  }
  if (ctx.replica_change) e.details["replica"] = "true";
  if (ctx.sts_call) {
    e.operation = ctx.sts_call->action;
    if (!ctx.sts_call->session_name.empty()) e.details["session_name"] = ctx.sts_call->session_name;
    if (!ctx.sts_call->session_access_key_id.empty()) {
      e.details["session_access_key_id"] = ctx.sts_call->session_access_key_id;
      e.details["session_expires"] = IsoTime(ctx.sts_call->session_expires_ms);
    }
  }
  return e;
}

std::vector<audit::Event> S3Service::RequestAudit::KeyEvents(const audit::Event& request) const {
  std::vector<audit::Event> out;
  out.reserve(ctx_->key_outcomes.size());
  for (const Ctx::KeyOutcome& k : ctx_->key_outcomes) {
    audit::Event e = request;
    e.key = k.key;
    e.version_id = k.version_id;
    e.status = k.status;
    e.error = k.error_code;
    e.bytes.reset();
    e.details.clear();
    if (k.delete_marker_created) e.details["delete_marker"] = "created";
    out.push_back(std::move(e));
  }
  return out;
}

asio::awaitable<Status> S3Service::RequestAudit::Record(int status, std::optional<uint64_t> content_length) {
  // LogTenant may read the catalog: once per request.
  const std::string tenant = LogTenant();
  audit::Event event = MakeEvent(status, content_length);
  // The request's entry, then one per key of a DeleteObjects that got this
  // far; appended at once so that they share group commits, and all
  // durable before the response.
  std::vector<audit::Event> keys = status >= 200 && status < 300 ? KeyEvents(event) : std::vector<audit::Event>();
  Result<uint64_t> index = co_await AwaitCallback<Result<uint64_t>>([&](auto done) {
    auto append = [&](const audit::Event& e, audit::AppendCallback cb) {
      if (tenant.empty() || ctx_->operator_access) {
        // An operator's request on tenant data is in both logs, allowed or
        // refused: the tenant sees it, and so do the other operators.
        log_.AppendOperatorAction(tenant, e, std::move(cb));
      } else {
        log_.Append(tenant, e, std::move(cb));
      }
    };
    if (keys.empty()) {
      append(event, std::move(done));
      return;
    }
    // Completes `done` once every append has: with the request entry's
    // index, or the first error.
    struct Pending {
      std::mutex mu;
      size_t left;
      Result<uint64_t> result = uint64_t{0};
      std::function<void(Result<uint64_t>)> done;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = keys.size() + 1;
    pending->done = std::move(done);
    auto finish = [pending](bool is_request, Result<uint64_t> r) {
      std::unique_lock lock(pending->mu);
      if (!r.ok() && pending->result.ok()) pending->result = r.status();
      if (r.ok() && is_request && pending->result.ok()) pending->result = *r;
      if (--pending->left != 0) return;
      Result<uint64_t> out = std::move(pending->result);
      lock.unlock();
      pending->done(std::move(out));
    };
    append(event, [finish](Result<uint64_t> r) { finish(true, std::move(r)); });
    for (const audit::Event& k : keys) append(k, [finish](Result<uint64_t> r) { finish(false, std::move(r)); });
  });
  if (index.ok() && !ctx_->copy_source_owner.empty() && ctx_->copy_source_owner != tenant) {
    // A copy from another tenant's bucket reads that tenant's data: its
    // owner's log records the read too, under the source's name.
    event.bucket = ctx_->copy_source_bucket;
    event.key = ctx_->copy_source_key;
    event.version_id = ctx_->copy_source_version_id;
    event.bytes.reset();
    event.details.clear();  // what the copy wrote is the destination's (a notification must not see a write here)
    index = co_await AwaitCallback<Result<uint64_t>>([&](auto done) {
      log_.Append(ctx_->copy_source_owner, event, std::move(done));
    });
  }
  if (!index.ok()) {
    spdlog::error("request {}: transparency log append failed, refusing the response: {}", ctx_->request_id,
                  index.status().ToString());
    co_return index.status();
  }
  co_return OkStatus();
}

std::string S3Service::RequestAudit::RefusalDocument(const Status& error) {
  (void)error;  // the log's internal error is for the server log, not the client
  xml::XmlWriter w;
  w.Open("Error")
      .Element("Code", "ServiceUnavailable")
      .Element("Message", "The access could not be recorded in the transparency log; retry later.")
      .Element("Resource", ctx_->resource)
      .Element("RequestId", ctx_->request_id)
      .Element("HostId", ctx_->request_id);
  return w.Finish();
}

}  // namespace confiance::s3

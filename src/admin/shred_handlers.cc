// File: admin/shred_handlers.cc
// Bucket shred (the bucket key destroyed, the bucket's data then reclaimed
// and its name freed) and the reclamation jobs that follow a shred
// (catalog/reclaim.h). Shredding is the tenant root's alone; operators may
// read the jobs' progress (authorization.h). Documents: docs/admin-api.md,
// docs/keys.md.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "admin/deletion_receipt.h"
#include "catalog/object_lock.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

json ProgressJson(const catalog::ReclaimProgress& p) {
  json j = {{"scope", p.scope},
            {"tenant", p.tenant},
            {"state", p.state},
            {"buckets_total", p.buckets_total},
            {"buckets_done", p.buckets_done},
            {"objects_removed", p.objects_removed},
            {"uploads_removed", p.uploads_removed},
            {"blobs_freed", p.blobs_freed},
            {"queued_ms", p.queued_ms}};
  if (p.scope == "bucket") {
    j["bucket"] = p.bucket;
    j["bucket_id"] = p.bucket_id;
  }
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace

ApiReply AdminApi::ShredBucket(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto confirm = doc.is_object() ? doc.find("confirm") : json::iterator();
  if (!doc.is_object() || confirm == doc.end() || !confirm->is_string() ||
      confirm->get<std::string>() != route.bucket) {
    return ErrorReply(C::kInvalidRequest, R"(shredding a bucket makes all its objects unreadable, for good; )"
                                          R"(to confirm, send {"confirm": ")" + route.bucket + R"("})");
  }
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (reclaimer_ == nullptr) return ErrorReply(C::kConflict, "bucket shred is not available in this process");
  Result<catalog::BucketRecord> before = reclaimer_->ShredBucket(route.bucket, route.tenant);
  if (!before.ok()) {
    const Status& st = before.status();
    if (st.code() == StatusCode::kNotFound) {
      return ErrorReply(404, "NoSuchBucket", "tenant " + route.tenant + " has no bucket " + route.bucket);
    }
    if (st.code() == StatusCode::kPermissionDenied && st.message().starts_with(catalog::kObjectLocked)) {
      return ErrorReply(C::kObjectLocked, std::string(st.message().substr(catalog::kObjectLocked.size())));
    }
    return StatusReply(st);
  }
  const uint64_t now_ms = catalog::LockNowMs({});
  json reply = {{"tenant", route.tenant},
                {"bucket", route.bucket},
                {"bucket_id", before->id},
                {"state", "shredded"},
                {"destroyed_key", before->key_id == catalog::kShreddedKeyRef ? "" : before->key_id},
                {"destroyed_ms", now_ms}};
  std::vector<catalog::ReclaimProgress> jobs = reclaimer_->Progress(route.tenant);
  for (const catalog::ReclaimProgress& p : jobs) {
    if (p.scope == "bucket" && p.bucket_id == before->id) reply["reclamation"] = ProgressJson(p);
  }
  if (receipt_signer_ != nullptr) {
    DeletionReceipt receipt;
    receipt.tenant = route.tenant;
    receipt.scope = "bucket " + route.bucket + " " + before->id;
    // The bucket key is random and never left the server: it is named by
    // the bucket it belonged to and the tenant key version it was wrapped
    // under.
    receipt.key_id = "bucket-key/" + before->id + " (wrapped under " +
                     (before->key_id == catalog::kShreddedKeyRef ? std::string("?") : before->key_id) + ")";
    receipt.destroyed_ms = static_cast<int64_t>(now_ms);
    receipt.by = ReceiptPrincipal(caller);
    receipt.reclamation = ReclamationNote("bucket") + ", then the bucket name is freed";
    AddSignedReceipt(reply, receipt, *receipt_signer_);
  }
  return JsonReply(200, reply);
}

ApiReply AdminApi::GetReclamation(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  json jobs = json::array();
  if (reclaimer_ != nullptr) {
    for (const catalog::ReclaimProgress& p : reclaimer_->Progress(route.tenant)) jobs.push_back(ProgressJson(p));
  }
  return JsonReply(200, json{{"tenant", route.tenant}, {"jobs", jobs}});
}

}  // namespace confiance::admin

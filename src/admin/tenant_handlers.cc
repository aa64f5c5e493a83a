// File: admin/tenant_handlers.cc
// Tenants and operators: create (with the root's first key), list, show,
// update (display name, status, quotas, rate limits), delete (only once it owns no
// bucket).
#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "common/logging.h"
#include "crypto/random.h"

namespace confiance::admin {

using json = nlohmann::json;
using C = AdminErrorCode;

ApiReply AdminApi::CreateTenant(std::string_view body) {
  Result<CreateTenantRequest> req = ParseCreateTenant(body);
  if (!req.ok()) return ErrorReply(C::kInvalidRequest, req.status().message());
  if (req->root_key && directory_.credentials().GetAccessKey(req->root_key->access_key_id).ok()) {
    return ErrorReply(C::kAccessKeyAlreadyExists);
  }
  iam::TenantRecord tenant;
  tenant.id = req->id;
  tenant.display_name = req->display_name;
  ApplyQuotaPatch(req->quotas, &tenant.quotas);
  ApplyRateLimitPatch(req->rate_limits, &tenant.rate_limits);
  // Drawn here rather than by the directory so that, on failure, this call
  // can tell the tenant it committed from one created concurrently.
  Result<std::string> canonical_id = crypto::RandomHex(32);
  if (!canonical_id.ok()) return StatusReply(canonical_id.status());
  tenant.canonical_id = *canonical_id;
  Result<iam::NewAccessKey> key = directory_.CreateTenant(tenant, req->root_key);
  if (!key.ok()) {
    Result<iam::TenantRecord> now = directory_.GetTenant(tenant.id);
    if (now.ok() && now->canonical_id == tenant.canonical_id) {
      // The tenant was committed and then its root key failed (a given id
      // taken meanwhile, or a secret of the wrong shape): undo it, so that a
      // corrected retry can succeed.
      directory_.DeleteTenant(tenant.id).IgnoreError();
      return StatusReply(key.status(), C::kNoSuchTenant, C::kAccessKeyAlreadyExists);
    }
    return StatusReply(key.status(), C::kNoSuchTenant, C::kTenantAlreadyExists);
  }
  spdlog::info("admin: tenant {} created", tenant.id);
  Result<iam::TenantRecord> created = directory_.GetTenant(tenant.id);
  if (!created.ok()) return StatusReply(created.status(), C::kNoSuchTenant);
  json doc = {{"tenant", TenantJson(*created, tenant_settings_)},
              {"credentials", NewAccessKeyJson(tenant.id, iam::kRootUser, *key)}};
  return JsonReply(201, doc);
}

ApiReply AdminApi::ListTenants() {
  Result<std::vector<iam::TenantRecord>> tenants = directory_.ListTenants();
  if (!tenants.ok()) return StatusReply(tenants.status());
  json list = json::array();
  for (const iam::TenantRecord& t : *tenants) list.push_back(TenantJson(t, tenant_settings_));
  return JsonReply(200, json{{"tenants", list}});
}

ApiReply AdminApi::GetTenant(const AdminRoute& route) {
  Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant);
  if (!t.ok()) return StatusReply(t.status(), C::kNoSuchTenant);
  return JsonReply(200, TenantJson(*t, tenant_settings_));
}

ApiReply AdminApi::UpdateTenant(const AdminRoute& route, std::string_view body) {
  Result<UpdateTenantRequest> req = ParseUpdateTenant(body);
  if (!req.ok()) return ErrorReply(C::kInvalidRequest, req.status().message());
  Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant);
  if (!t.ok()) return StatusReply(t.status(), C::kNoSuchTenant);
  iam::TenantRecord next = *t;
  if (req->display_name) next.display_name = *req->display_name;
  if (req->active) next.active = *req->active;
  ApplyQuotaPatch(req->quotas, &next.quotas);
  ApplyRateLimitPatch(req->rate_limits, &next.rate_limits);
  if (req->public_access_block) next.public_access_block = *req->public_access_block;
  if (Status s = directory_.UpdateTenant(next); !s.ok()) return StatusReply(s, C::kNoSuchTenant);
  Result<iam::TenantRecord> updated = directory_.GetTenant(route.tenant);
  if (!updated.ok()) return StatusReply(updated.status(), C::kNoSuchTenant);
  return JsonReply(200, TenantJson(*updated, tenant_settings_));
}

ApiReply AdminApi::DeleteTenant(const AdminRoute& route) {
  Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant);
  if (!t.ok()) return StatusReply(t.status(), C::kNoSuchTenant);
  // Buckets are records of catalog/, tenants of iam/: no single commit
  // covers both, so a bucket the tenant creates during this call can
  // survive it (its keys are gone first, which bounds the window to
  // requests already past authentication).
  Result<std::vector<catalog::BucketRecord>> buckets = catalog_.ListBuckets();
  if (!buckets.ok()) return StatusReply(buckets.status());
  size_t owned = 0;
  for (const catalog::BucketRecord& b : *buckets) owned += b.owner == t->id ? 1 : 0;
  if (owned > 0) {
    return ErrorReply(C::kTenantNotEmpty, "tenant " + t->id + " still owns " + std::to_string(owned) +
                                              " bucket(s); delete them first");
  }
  if (Status s = directory_.DeleteTenant(t->id); !s.ok()) return StatusReply(s, C::kNoSuchTenant);
  return EmptyReply();
}

ApiReply AdminApi::ListOperators() {
  Result<std::vector<iam::OperatorRecord>> ops = directory_.ListOperators();
  if (!ops.ok()) return StatusReply(ops.status());
  json list = json::array();
  for (const iam::OperatorRecord& op : *ops) list.push_back(OperatorJson(op));
  return JsonReply(200, json{{"operators", list}});
}

ApiReply AdminApi::GetUsage(const AdminRoute& route, bool recount) {
  Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant);
  if (!t.ok()) return StatusReply(t.status(), C::kNoSuchTenant);
  Result<catalog::Catalog::OwnerUsage> used = catalog_.UsageOfOwner(t->id);
  if (!used.ok()) return StatusReply(used.status());
  json out = {{"tenant", t->id},
              {"buckets", used->buckets},
              {"bytes", used->usage.bytes},
              {"objects", used->usage.objects},
              {"quotas",
               {{"max_bytes", t->quotas.max_bytes},
                {"max_objects", t->quotas.max_objects},
                {"max_buckets", t->quotas.max_buckets}}}};
  // Each bucket's share and own quota (bucket names are no object data:
  // operators see them too, as in residency reports).
  json per_bucket = json::array();
  for (const catalog::Catalog::BucketShare& b : used->per_bucket) {
    per_bucket.push_back({{"bucket", b.name},
                          {"bytes", b.usage.bytes},
                          {"objects", b.usage.objects},
                          {"quota", BucketQuotaJson(b.quota)}});
  }
  out["per_bucket"] = std::move(per_bucket);
  if (rate_limiter_ != nullptr) {
    // Since the server started: the operator's one view of which tenant its
    // limits hold back (the refusals themselves are in the tenant's log).
    const s3::RateLimiter::Refused refused = rate_limiter_->RefusedOf(t->id);
    out["throttled"] = {{"reads", refused.reads}, {"writes", refused.writes}};
  }
  if (recount) {
    Result<catalog::Catalog::OwnerUsage> counted = catalog_.UsageOfOwner(t->id, /*recount=*/true);
    if (!counted.ok()) return StatusReply(counted.status());
    out["recounted"] = {{"bytes", counted->usage.bytes}, {"objects", counted->usage.objects}};
    out["consistent"] =
        counted->usage.bytes == used->usage.bytes && counted->usage.objects == used->usage.objects;
  }
  return JsonReply(200, out);
}

}  // namespace confiance::admin

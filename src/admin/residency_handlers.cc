// File: admin/residency_handlers.cc
// Data residency in the admin API (docs/admin-api.md, docs/SOVEREIGNTY.md):
// the tenant's ceiling (set by operators), a bucket's rule (set by the
// tenant's root; it may narrow the ceiling, never widen it), the per-bucket
// residency report and the migration of misplaced data. A change of rules
// answers with the objects it leaves misplaced, so that nothing is silently
// left in a now-forbidden pool.
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

json StatsJson(const sovereignty::MigrateStats& s) {
  return {{"objects_examined", s.objects_examined}, {"objects_moved", s.objects_moved},
          {"blobs_moved", s.blobs_moved},           {"bytes_moved", s.bytes_moved},
          {"skipped_changed", s.skipped_changed},   {"failed", s.failed}};
}

json PoolsJson(const std::vector<sovereignty::PoolSpec>& pools) {
  json out = json::array();
  for (const sovereignty::PoolSpec& p : pools) {
    out.push_back({{"name", p.name},
                   {"jurisdiction", p.jurisdiction},
                   {"region", p.region},
                   {"operator", p.operator_name},
                   {"ciphertext_only", p.ciphertext_only},
                   {"storage_class", p.storage_class},
                   {"default", p.is_default}});
    // Where the bytes are: a local directory, or a pool of a Ceph cluster.
    if (p.rados) {
      out.back()["backend"] = {{"kind", "rados"},
                               {"rados_pool", p.rados->connection.pool},
                               {"rados_namespace", p.rados->connection.name_space}};
    } else {
      out.back()["backend"] = {{"kind", "local"}};
    }
  }
  return out;
}

// The rule in a PUT body; nullopt with *error set when it is malformed.
std::optional<sovereignty::ResidencyRule> ParseRule(std::string_view body, ApiReply* error) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    *error = ErrorReply(C::kInvalidRequest, "the body must be a JSON object");
    return std::nullopt;
  }
  Result<sovereignty::ResidencyRule> rule = sovereignty::RuleFromJson(doc);
  if (!rule.ok()) {
    *error = ErrorReply(C::kInvalidRequest, rule.status().message());
    return std::nullopt;
  }
  return *rule;
}

}  // namespace

Result<catalog::BucketRecord> AdminApi::OwnedBucket(const AdminRoute& route, ApiReply* error) {
  Result<catalog::BucketRecord> b = catalog_.GetBucket(route.bucket);
  if (!b.ok() || b->owner != route.tenant) {
    // The same answer for another tenant's bucket: names do not leak.
    *error = ErrorReply(404, "NoSuchBucket", "tenant " + route.tenant + " has no bucket " + route.bucket);
    return NotFoundError("no such bucket");
  }
  return b;
}

ApiReply AdminApi::Residency(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  using O = AdminOp;
  if (residency_ == nullptr) return ErrorReply(501, "NotImplemented", "data residency is not configured on this server");
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  sovereignty::Residency& res = *residency_;

  // The tenant's buckets (all, or the route's) with their misplaced counts.
  auto misplaced_of = [&](const std::vector<catalog::BucketRecord>& buckets, json* out) -> Status {
    uint64_t total = 0;
    json per = json::object();
    for (const catalog::BucketRecord& b : buckets) {
      ASSIGN_OR_RETURN(sovereignty::BucketReport r, res.Report(b));
      per[b.name] = r.misplaced;
      total += r.misplaced;
    }
    (*out)["misplaced"] = per;
    (*out)["misplaced_total"] = total;
    return OkStatus();
  };
  auto tenant_buckets = [&]() -> Result<std::vector<catalog::BucketRecord>> {
    ASSIGN_OR_RETURN(std::vector<catalog::BucketRecord> all, catalog_.ListBuckets());
    std::vector<catalog::BucketRecord> mine;
    for (catalog::BucketRecord& b : all) {
      if (b.owner == route.tenant) mine.push_back(std::move(b));
    }
    return mine;
  };

  switch (route.op) {
    case O::kGetTenantResidency:
    case O::kPutTenantResidency:
    case O::kDeleteTenantResidency: {
      if (route.op != O::kGetTenantResidency) {
        std::optional<sovereignty::ResidencyRule> rule;
        if (route.op == O::kPutTenantResidency) {
          ApiReply error;
          rule = ParseRule(body, &error);
          if (!rule) return error;
        }
        if (Status s = res.SetTenantRule(route.tenant, rule); !s.ok()) return StatusReply(s);
      }
      Result<std::optional<sovereignty::ResidencyRule>> rule = res.TenantRule(route.tenant);
      if (!rule.ok()) return StatusReply(rule.status());
      json out = {{"tenant", route.tenant}, {"rule", sovereignty::RuleToJson(*rule)}, {"pools", PoolsJson(res.pools())}};
      Result<std::vector<catalog::BucketRecord>> buckets = tenant_buckets();
      if (!buckets.ok()) return StatusReply(buckets.status());
      if (Status s = misplaced_of(*buckets, &out); !s.ok()) return StatusReply(s);
      return JsonReply(200, out);
    }
    case O::kMigrateTenantResidency: {
      Result<std::vector<catalog::BucketRecord>> buckets = tenant_buckets();
      if (!buckets.ok()) return StatusReply(buckets.status());
      json out = {{"tenant", route.tenant}, {"buckets", json::object()}};
      sovereignty::MigrateStats sum;
      for (const catalog::BucketRecord& b : *buckets) {
        Result<sovereignty::MigrateStats> st = res.Migrate(b);
        if (st.status().code() == StatusCode::kFailedPrecondition) {
          // No pool is allowed for this bucket: nothing can move; say why
          // and go on with the others.
          out["buckets"][b.name] = {{"error", st.status().message()}};
          continue;
        }
        if (!st.ok()) return StatusReply(st.status());
        out["buckets"][b.name] = StatsJson(*st);
        sum.objects_examined += st->objects_examined;
        sum.objects_moved += st->objects_moved;
        sum.blobs_moved += st->blobs_moved;
        sum.bytes_moved += st->bytes_moved;
        sum.skipped_changed += st->skipped_changed;
        sum.failed += st->failed;
      }
      out["totals"] = StatsJson(sum);
      if (Status s = misplaced_of(*buckets, &out); !s.ok()) return StatusReply(s);
      return JsonReply(200, out);
    }
    default:
      break;
  }

  ApiReply error;
  Result<catalog::BucketRecord> bucket = OwnedBucket(route, &error);
  if (!bucket.ok()) return error;
  switch (route.op) {
    case O::kResidencyReport: {
      Result<sovereignty::BucketReport> r = res.Report(*bucket);
      if (!r.ok()) return StatusReply(r.status());
      json doc = sovereignty::Residency::ReportJson(*r);
      if (caller.kind == iam::PrincipalKind::kOperator) {
        // Totals and the digest only: object names are the tenant's data,
        // which operator credentials do not read. The digest still covers
        // the full report the tenant can fetch.
        doc.erase("objects");
        doc["objects_omitted"] = "object names are the tenant's data; its root gets the full report";
      }
      return JsonReply(200, doc);
    }
    case O::kGetBucketResidency:
    case O::kPutBucketResidency:
    case O::kDeleteBucketResidency: {
      if (route.op != O::kGetBucketResidency) {
        std::optional<sovereignty::ResidencyRule> rule;
        if (route.op == O::kPutBucketResidency) {
          rule = ParseRule(body, &error);
          if (!rule) return error;
        }
        Status s = res.SetBucketRule(*bucket, rule);
        if (s.code() == StatusCode::kInvalidArgument) return ErrorReply(C::kInvalidRequest, s.message());
        if (s.code() == StatusCode::kFailedPrecondition) {
          return ErrorReply(400, "InvalidLocationConstraint", "Data residency: " + s.message());
        }
        if (!s.ok()) return StatusReply(s);
      }
      Result<std::optional<sovereignty::ResidencyRule>> own = res.BucketRule(*bucket);
      Result<std::optional<sovereignty::ResidencyRule>> effective = res.EffectiveRule(*bucket);
      if (!own.ok()) return StatusReply(own.status());
      if (!effective.ok()) return StatusReply(effective.status());
      json out = {{"tenant", route.tenant},
                  {"bucket", bucket->name},
                  {"rule", sovereignty::RuleToJson(*own)},
                  {"effective", sovereignty::RuleToJson(*effective)}};
      if (Result<sovereignty::Residency::Placement> p = res.ForWrite(*bucket); p.ok()) {
        out["write_pool"] = p->pool->name;
      }
      if (Status s = misplaced_of({*bucket}, &out); !s.ok()) return StatusReply(s);
      return JsonReply(200, out);
    }
    case O::kMigrateBucketResidency: {
      Result<sovereignty::MigrateStats> st = res.Migrate(*bucket);
      if (st.status().code() == StatusCode::kFailedPrecondition) {
        return ErrorReply(400, "InvalidLocationConstraint", "Data residency: " + st.status().message());
      }
      if (!st.ok()) return StatusReply(st.status());
      json out = {{"tenant", route.tenant}, {"bucket", bucket->name}, {"totals", StatsJson(*st)}};
      if (Status s = misplaced_of({*bucket}, &out); !s.ok()) return StatusReply(s);
      return JsonReply(200, out);
    }
    default:
      return ErrorReply(C::kNoSuchResource);
  }
}

}  // namespace confiance::admin

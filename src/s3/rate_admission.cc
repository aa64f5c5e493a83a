// File: s3/rate_admission.cc
// S3Service::AdmitRate and ChargeRate: where a request meets its tenant's
// rate limits (s3/rate_limiter.h, docs/tenancy.md "Rate limits").
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/s3_service.h"

namespace confiance::s3 {

std::optional<S3Error> S3Service::AdmitRate(Ctx& ctx) {
  if (deps_.rate_limiter == nullptr || ctx.operator_access) return std::nullopt;
  const iam::TenantRecord* tenant = ctx.requester.anonymous ? nullptr : ctx.requester.tenant;
  Result<iam::TenantRecord> owner = NotFoundError("no bucket");
  if (tenant == nullptr) {
    // Anonymous reads of a public bucket and browser form uploads use the
    // bucket owner's resources: its limits apply. Both reads are cached.
    if (ctx.route.bucket.empty()) return std::nullopt;
    Result<catalog::BucketRecord> bucket = deps_.catalog.GetBucket(ctx.route.bucket);
    if (!bucket.ok()) return std::nullopt;  // the handler answers NoSuchBucket
    owner = deps_.directory.GetTenant(bucket->owner);
    if (!owner.ok()) return std::nullopt;
    tenant = &*owner;
  }
  const iam::RateLimits limits = tenant->rate_limits.OrDefaults(options_.default_rate_limits);
  if (!limits.any()) return std::nullopt;
  const bool read = ctx.req.method == "GET" || ctx.req.method == "HEAD";
  const RateClass cls = read ? RateClass::kRead : RateClass::kWrite;
  const uint64_t declared = read ? 0 : DeclaredBodySize(ctx.req);
  if (!deps_.rate_limiter->Admit(tenant->id, limits, cls, declared, RateLimiter::NowMicros())) {
    return MakeError(S3ErrorCode::kSlowDown);  // counted by the limiter, per tenant
  }
  if (read && limits.read_bytes != 0) {
    ctx.rate_charged_tenant = tenant->id;
    ctx.rate_limits = limits;
  }
  return std::nullopt;
}

void S3Service::ChargeRate(const Ctx& ctx) {
  if (ctx.rate_charged_tenant.empty()) return;  // (never set without a limiter)
  deps_.rate_limiter->Charge(ctx.rate_charged_tenant, ctx.rate_limits, RateClass::kRead, ctx.resp.body_bytes(),
                             RateLimiter::NowMicros());
}

}  // namespace confiance::s3

// File: s3/rate_limiter.cc
#include "s3/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace confiance::s3 {
namespace {

uint64_t OpsLimit(const iam::RateLimits& l, RateClass c) { return c == RateClass::kRead ? l.read_ops : l.write_ops; }
uint64_t BytesLimit(const iam::RateLimits& l, RateClass c) {
  return c == RateClass::kRead ? l.read_bytes : l.write_bytes;
}

}  // namespace

void RateLimiter::Bucket::Refill(uint64_t rate, int64_t now_us) {
  const double cap = static_cast<double>(rate);
  if (!started) {
    started = true;
    level = cap;
  } else if (now_us > refilled_us) {
    level = std::min(cap, level + cap * static_cast<double>(now_us - refilled_us) / 1e6);
  } else {
    level = std::min(cap, level);  // a lowered limit takes effect at once
  }
  refilled_us = std::max(refilled_us, now_us);
}

RateLimiter::TenantState& RateLimiter::StateOf(std::string_view tenant) {
  auto it = tenants_.find(tenant);  // no allocation for a tenant seen before
  if (it == tenants_.end()) it = tenants_.emplace(std::string(tenant), TenantState{}).first;
  return it->second;
}

bool RateLimiter::Admit(std::string_view tenant, const iam::RateLimits& limits, RateClass cls, uint64_t declared_bytes,
                        int64_t now_us) {
  const uint64_t ops = OpsLimit(limits, cls);
  const uint64_t bytes = BytesLimit(limits, cls);
  if (ops == 0 && bytes == 0) return true;
  std::lock_guard lock(mu_);
  TenantState& t = StateOf(tenant);
  ClassState& s = t.of(cls);
  bool admitted = true;
  if (ops != 0) {
    s.requests.Refill(ops, now_us);
    admitted = s.requests.level >= 1;
  }
  if (admitted && bytes != 0) {
    s.bytes.Refill(bytes, now_us);
    admitted = s.bytes.level > 0;
  }
  if (!admitted) {
    ++(cls == RateClass::kRead ? t.refused.reads : t.refused.writes);
    return false;
  }
  if (ops != 0) s.requests.level -= 1;
  if (bytes != 0) s.bytes.level -= static_cast<double>(declared_bytes);
  return true;
}

void RateLimiter::Charge(std::string_view tenant, const iam::RateLimits& limits, RateClass cls, uint64_t bytes,
                         int64_t now_us) {
  const uint64_t rate = BytesLimit(limits, cls);
  if (rate == 0 || bytes == 0) return;
  std::lock_guard lock(mu_);
  Bucket& b = StateOf(tenant).of(cls).bytes;
  b.Refill(rate, now_us);
  b.level -= static_cast<double>(bytes);
}

RateLimiter::Refused RateLimiter::RefusedOf(std::string_view tenant) const {
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? Refused{} : it->second.refused;
}

void RateLimiter::WriteMetrics(metrics::PrometheusText& out) const {
  Refused total;
  {
    std::lock_guard lock(mu_);
    for (const auto& [tenant, state] : tenants_) {
      total.reads += state.refused.reads;
      total.writes += state.refused.writes;
    }
  }
  out.Family("confiance_s3_throttled_requests_total", "counter",
             "S3 requests refused with 503 SlowDown by their tenant's rate limits");
  out.Sample("confiance_s3_throttled_requests_total", {{"class", "read"}}, total.reads);
  out.Sample("confiance_s3_throttled_requests_total", {{"class", "write"}}, total.writes);
}

int64_t RateLimiter::NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace confiance::s3

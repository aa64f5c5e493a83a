// File: s3/rate_limiter.h
// RateLimiter: the request rate limits of each tenant (iam::RateLimits) on
// this server (docs/tenancy.md, "Rate limits"). A tenant's requests fall in
// two classes, reads (GET, HEAD) and writes (every other method); each
// class has a request bucket and a byte bucket (token buckets), refilled
// continuously at the limit per second and holding at most one second's
// worth, the burst allowed after a quiet second.
//
// A request is admitted when its class's request bucket holds a whole token
// and its byte bucket is not in debt. Admission takes the token and the
// bytes the request declares (a write's body). Bytes known only once the
// response is sent (a read's body) are charged after it by Charge. Either
// charge may leave the byte bucket in debt: the tenant's next requests of
// that class are refused until the refill has paid it back. So over any
// window of T seconds a class moves at most limit * (T + 1) bytes plus one
// request's own bytes, and a single request larger than the limit is never
// refused for its size (it is paid for afterwards).
//
// Limits are per server, as Ceph RGW's: N gateways give a tenant N times
// its limits. Tenants without limits never reach this class (the caller
// checks iam::RateLimits::any()). State is kept per tenant that has had a
// limit, a few dozen bytes each, with the count of its refused requests.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "iam/directory.h"

namespace confiance::s3 {

enum class RateClass { kRead, kWrite };

class RateLimiter {
 public:
  // Whether `tenant` may send one more request of `cls` declaring
  // `declared_bytes` of body, at `now_us` (a monotonic clock in
  // microseconds); if so, charges it.
  bool Admit(std::string_view tenant, const iam::RateLimits& limits, RateClass cls, uint64_t declared_bytes,
             int64_t now_us);
  // Charges `bytes` more to the byte bucket of `tenant`'s `cls` (the body of
  // a response, once sent).
  void Charge(std::string_view tenant, const iam::RateLimits& limits, RateClass cls, uint64_t bytes, int64_t now_us);

  // Requests of `tenant` Admit refused since this limiter was made, per
  // class: for the operator, who cannot read the tenant's log.
  struct Refused {
    uint64_t reads = 0;
    uint64_t writes = 0;
  };
  Refused RefusedOf(std::string_view tenant) const;

  // Appends confiance_s3_throttled_requests_total{class="read"|"write"}:
  // the refusals of every tenant (no tenant label: which tenant is
  // RefusedOf's, for the admin API).
  void WriteMetrics(metrics::PrometheusText& out) const;

  // A monotonic clock for the callers: microseconds.
  static int64_t NowMicros();

 private:
  // A token bucket: `level` may go below zero (debt) for bytes, never for
  // requests.
  struct Bucket {
    double level = 0;
    int64_t refilled_us = 0;
    bool started = false;
    // Adds what `rate` per second earned since the last refill, capped at
    // one second's worth. A bucket starts full.
    void Refill(uint64_t rate, int64_t now_us);
  };
  struct ClassState {
    Bucket requests;
    Bucket bytes;
  };
  struct TenantState {
    ClassState read, write;
    Refused refused;
    ClassState& of(RateClass c) { return c == RateClass::kRead ? read : write; }
  };

  // The state of `tenant`, created on first use. REQUIRES: mu_ held.
  TenantState& StateOf(std::string_view tenant);

  mutable std::mutex mu_;
  std::map<std::string, TenantState, std::less<>> tenants_;  // guarded by mu_
};

}  // namespace confiance::s3

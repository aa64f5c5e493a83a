// File: iam/policy/evaluate_alloc_test.cc
// Evaluate's promise of no allocation on the common path, checked by
// counting calls to the (replaced) global operator new around it.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "iam/policy/policy.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace confiance::iam::policy {
namespace {

TEST(EvaluateAllocationTest, CommonPathDoesNotAllocate) {
  long before_parse = g_allocations.load();
  Result<Policy> p = Policy::Parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*",
       "Condition":{"Bool":{"aws:SecureTransport":"false"},"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
      {"Effect":"Allow","Principal":{"AWS":"acme"},"Action":["s3:Get*","s3:List*"],
       "Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/home/${aws:username}/*"],
       "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]},"NumericLessThan":{"s3:max-keys":1000},
                    "DateLessThan":{"aws:CurrentTime":"2100-01-01T00:00:00Z"},
                    "ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}}]})",
                                   {PolicyKind::kBucket, "photos"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_GT(g_allocations.load(), before_parse) << "the operator new replacement is not in effect";
  std::string arn = PrincipalArn("acme", "alice");
  std::string canonical(64, 'a');
  RequestContext ctx;
  ctx.action = "s3:GetObject";
  ctx.resource = "arn:aws:s3:::photos/home/alice/cat.jpg";
  ctx.requester = {false, "acme", "alice", canonical, arn};
  ctx.Add("aws:SecureTransport", "true");
  ctx.Add("aws:SourceIp", "10.1.2.3");
  ctx.Add("aws:username", "alice");
  ctx.Add("aws:CurrentTime", "2026-11-30T08:00:00Z");
  ctx.Add("s3:prefix", "home/alice/");
  ctx.Add("s3:max-keys", "100");
  long before = g_allocations.load();
  Decision d = p->Evaluate(ctx);
  long after = g_allocations.load();
  EXPECT_EQ(d, Decision::kAllow);
  EXPECT_EQ(after - before, 0);
  ctx.action = "s3:ListBucket";
  ctx.resource = "arn:aws:s3:::photos";
  before = g_allocations.load();
  d = p->Evaluate(ctx);
  after = g_allocations.load();
  EXPECT_EQ(d, Decision::kAllow);
  EXPECT_EQ(after - before, 0);
}

}  // namespace
}  // namespace confiance::iam::policy

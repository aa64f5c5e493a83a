// File: bench/policy_bench.cc
// Cost of deciding one request against a realistic 20-statement bucket
// policy: a GetObject that only the last statement allows (every statement
// is tested), one that no statement matches, and an explicit deny hit early.
// Also the cost of building the RequestContext and of Parse itself.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "iam/policy/policy.h"

namespace confiance::iam::policy {
namespace {

// Nineteen statements a tenant might really write (deny plain HTTP, partner
// accounts on their prefixes, a public folder, an office IP range, upload
// rules), then the one that allows the benchmark's GetObject.
constexpr std::string_view kPolicy = R"({
  "Version": "2012-10-17",
  "Id": "photos-bucket-policy",
  "Statement": [
    {"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::photos/*",
     "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}}},
    {"Sid": "DenyPublicAcls", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObjectAcl", "s3:PutObject"],
     "Resource": "arn:aws:s3:::photos/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write", "authenticated-read"]}}},
    {"Sid": "PartnerA", "Effect": "Allow", "Principal": {"AWS": "partner-a"}, "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::photos/partners/a/*"},
    {"Sid": "PartnerB", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::partner-b:root"}, "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::photos/partners/b/*"},
    {"Sid": "PartnerList", "Effect": "Allow", "Principal": {"AWS": ["partner-a", "partner-b"]}, "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::photos", "Condition": {"StringLike": {"s3:prefix": ["partners/a/*", "partners/b/*"]}}},
    {"Sid": "PublicFolder", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::photos/public/*"},
    {"Sid": "Office", "Effect": "Allow", "Principal": {"AWS": "acme"}, "Action": ["s3:Get*", "s3:List*"],
     "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
     "Condition": {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "2001:db8:1::/48"]}}},
    {"Sid": "Uploader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/uploader"},
     "Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
     "Resource": "arn:aws:s3:::photos/incoming/*"},
    {"Sid": "UploaderTags", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/uploader"},
     "Action": "s3:PutObjectTagging", "Resource": "arn:aws:s3:::photos/incoming/*",
     "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["camera", "owner"]}}},
    {"Sid": "Archive", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/archiver"},
     "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::photos/archive/*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
    {"Sid": "Auditor", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::audit:user/reader"},
     "Action": ["s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketVersioning"], "Resource": "arn:aws:s3:::photos"},
    {"Sid": "HomeDirs", "Effect": "Allow", "Principal": {"AWS": "acme"}, "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::photos/home/${aws:username}/*"},
    {"Sid": "SmallListings", "Effect": "Allow", "Principal": {"AWS": "beta"}, "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::photos", "Condition": {"NumericLessThanEquals": {"s3:max-keys": "100"}}},
    {"Sid": "NoDeleteForBeta", "Effect": "Deny", "Principal": {"AWS": "beta"}, "Action": "s3:Delete*",
     "Resource": "arn:aws:s3:::photos/*"},
    {"Sid": "Versions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/backup"},
     "Action": ["s3:GetObjectVersion", "s3:ListBucketVersions"],
     "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]},
    {"Sid": "Retention", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/compliance"},
     "Action": ["s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:GetObjectRetention"],
     "Resource": "arn:aws:s3:::photos/*"},
    {"Sid": "Thumbnails", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::acme:user/thumbnailer"},
     "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::photos/*.jpg", "arn:aws:s3:::photos/thumbs/*"]},
    {"Sid": "CanonicalPartner", "Effect": "Allow",
     "Principal": {"CanonicalUser": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/partners/c/*"},
    {"Sid": "SharedReaders", "Effect": "Allow", "Principal": {"AWS": "gamma"}, "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::photos/shared/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
  ]
})";

Policy ParsedPolicy() {
  Result<Policy> p = Policy::Parse(kPolicy, {PolicyKind::kBucket, "photos"});
  if (!p.ok() || p->statements().size() != 20) std::abort();
  return std::move(p).value();
}

// The strings a request's context points into.
struct Request {
  std::string account = "gamma";
  std::string user = "reader";
  std::string canonical = std::string(64, 'd');
  std::string arn = PrincipalArn(account, user);
  std::string resource = "arn:aws:s3:::photos/shared/2024/holiday.jpg";

  RequestContext Context(std::string_view action, bool tls = true) const {
    RequestContext ctx;
    ctx.action = action;
    ctx.resource = resource;
    ctx.requester = {false, account, user, canonical, arn};
    ctx.Add("aws:SourceIp", "203.0.113.50");
    ctx.Add("aws:SecureTransport", tls ? "true" : "false");
    ctx.Add("aws:CurrentTime", "2026-11-30T08:00:00Z");
    ctx.Add("aws:EpochTime", "1796025600");
    ctx.Add("aws:username", user);
    ctx.Add("aws:userid", arn);
    ctx.Add("aws:PrincipalAccount", account);
    ctx.Add("aws:PrincipalArn", arn);
    ctx.Add("s3:authType", "REST-HEADER");
    ctx.Add("s3:signatureversion", "AWS4-HMAC-SHA256");
    return ctx;
  }
};

void BM_EvaluateMatchesLastStatement(benchmark::State& state) {
  Policy policy = ParsedPolicy();
  Request req;
  RequestContext ctx = req.Context("s3:GetObject");
  if (policy.Evaluate(ctx) != Decision::kAllow) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(policy.Evaluate(ctx));
}
BENCHMARK(BM_EvaluateMatchesLastStatement);

void BM_EvaluateMatchesNothing(benchmark::State& state) {
  Policy policy = ParsedPolicy();
  Request req;
  req.account = "delta";
  req.arn = PrincipalArn(req.account, req.user);
  RequestContext ctx = req.Context("s3:GetObject");
  if (policy.Evaluate(ctx) != Decision::kNoMatch) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(policy.Evaluate(ctx));
}
BENCHMARK(BM_EvaluateMatchesNothing);

void BM_EvaluateDeniedByFirstStatement(benchmark::State& state) {
  Policy policy = ParsedPolicy();
  Request req;
  RequestContext plain_http = req.Context("s3:GetObject", /*tls=*/false);
  if (policy.Evaluate(plain_http) != Decision::kDeny) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(policy.Evaluate(plain_http));
}
BENCHMARK(BM_EvaluateDeniedByFirstStatement);

// What the s3 layer pays per request before Evaluate.
void BM_BuildRequestContext(benchmark::State& state) {
  Request req;
  for (auto _ : state) {
    RequestContext ctx = req.Context("s3:GetObject");
    benchmark::DoNotOptimize(ctx.begin());
  }
}
BENCHMARK(BM_BuildRequestContext);

// PutBucketPolicy (or a cache miss): parse and compile the whole document.
void BM_Parse20Statements(benchmark::State& state) {
  for (auto _ : state) {
    Result<Policy> p = Policy::Parse(kPolicy, {PolicyKind::kBucket, "photos"});
    benchmark::DoNotOptimize(p.ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPolicy.size()));
}
BENCHMARK(BM_Parse20Statements);

}  // namespace
}  // namespace confiance::iam::policy

BENCHMARK_MAIN();

// File: fuzz/policy_fuzz.cc
// libFuzzer target for the policy engine. The input is parsed as a bucket
// policy (bucket "photos") and as an identity policy; each one that parses is
// evaluated against a few fixed requests and asked IsPublic(). Nothing may
// crash, hang or read out of bounds, every parse failure must be an
// InvalidArgument, and evaluation must be deterministic.
//
// The input is also split at its first '\n' into a wildcard pattern and a
// text, and WildcardMatch is checked against a plain dynamic-programming
// reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy/matching.h"
#include "iam/policy/reference_match.h"
#include "iam/policy/policy.h"

namespace {

using namespace confiance::iam::policy;  // NOLINT: fuzz driver

struct Fixture {
  std::string canonical = std::string(64, 'a');
  std::string alice_arn = PrincipalArn("acme", "alice");
  std::vector<RequestContext> requests;

  Fixture() {
    RequestContext anonymous;
    anonymous.action = "s3:GetObject";
    anonymous.resource = "arn:aws:s3:::photos/public/cat.jpg";
    anonymous.Add("aws:SourceIp", "203.0.113.7");
    anonymous.Add("aws:SecureTransport", "false");
    anonymous.Add("aws:CurrentTime", "2026-01-01T00:00:00Z");
    anonymous.Add("aws:EpochTime", "1767225600");
    requests.push_back(anonymous);

    RequestContext alice;
    alice.action = "s3:ListBucket";
    alice.resource = "arn:aws:s3:::photos";
    alice.requester = {false, "acme", "alice", canonical, alice_arn};
    alice.Add("aws:SourceIp", "2001:db8::1");
    alice.Add("aws:SecureTransport", "true");
    alice.Add("aws:username", "alice");
    alice.Add("aws:userid", alice_arn);
    alice.Add("aws:PrincipalAccount", "acme");
    alice.Add("s3:prefix", "home/alice/");
    alice.Add("s3:max-keys", "100");
    alice.Add("s3:RequestObjectTagKeys", "team");
    alice.Add("s3:RequestObjectTagKeys", "env");
    requests.push_back(alice);

    RequestContext unknown = alice;
    unknown.action = "s3:SomethingNew";
    unknown.resource = "arn:aws:s3:::photos/home/alice/*?";
    requests.push_back(unknown);
  }
};

void Exercise(std::string_view in, const ParseOptions& options, const Fixture& fx) {
  confiance::Result<Policy> policy = Policy::Parse(in, options);
  if (!policy.ok()) {
    if (policy.status().code() != confiance::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  for (const RequestContext& ctx : fx.requests) {
    Decision d = policy->Evaluate(ctx);
    if (policy->Evaluate(ctx) != d) std::abort();
  }
  (void)policy->IsPublic();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Exercise(in, {PolicyKind::kBucket, "photos"}, fixture);
  Exercise(in, {PolicyKind::kIdentity, ""}, fixture);

  size_t nl = in.find('\n');
  if (nl != std::string_view::npos && nl <= 64 && in.size() - nl - 1 <= 64) {
    std::string_view pattern = in.substr(0, nl), text = in.substr(nl + 1);
    if (WildcardMatch(pattern, text) != ReferenceMatch(pattern, text)) std::abort();
  }
  return 0;
}

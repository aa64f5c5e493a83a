// File: fuzz/sts_request_fuzz.cc
// libFuzzer target: the STS form parser and the session planner never
// crash, and what they let through stays inside AWS's bounds and the
// server's cap (7,200 s here): a planned session lasts 900-7,200 s, carries a policy of
// at most 2,048 characters, is unlimited only for GetSessionToken or
// AssumeRole without a policy, and AssumeRole names the caller's own ARN.
// The answer's XML is built for every planned session.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/sts_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  confiance::s3::StsCall call;
  if (confiance::s3::ParseStsCall(body, &call)) return 0;
  const confiance::iam::Principal caller{"CFCALLER", confiance::iam::PrincipalKind::kTenant, "acme", "dev", true};
  confiance::iam::SessionRequest request;
  if (std::optional<confiance::s3::StsError> e = confiance::s3::PlanSession(call, caller, 7200, &request)) {
    if (e->code.empty() || (e->status != 400 && e->status != 403)) std::abort();
    return 0;
  }
  const bool assume = call.action == "AssumeRole";
  if (request.duration_seconds < 900 || request.duration_seconds > 7200) std::abort();
  if (request.policy.size() > confiance::s3::kMaxSessionPolicyChars) std::abort();
  if (!request.limited && !(call.action == "GetSessionToken" || (assume && request.policy.empty()))) std::abort();
  if (assume && call.role_arn != "arn:aws:iam::acme:user/dev") std::abort();
  confiance::iam::IssuedSession issued;
  issued.key = {"CTFUZZFUZZFUZZFUZZFU", "secret"};
  issued.token = "t.t";
  issued.expires_ms = 1;
  if (confiance::s3::StsResponseXml(call, caller, issued, "R").find("<SessionToken>t.t</SessionToken>") ==
      std::string::npos) {
    std::abort();
  }
  return 0;
}

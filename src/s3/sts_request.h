// File: s3/sts_request.h
// The STS query API's calls, as far as Confiance offers them (docs/sts.md):
// GetSessionToken, GetFederationToken, AssumeRole and GetCallerIdentity, posted as a form to
// the S3 endpoint. Pure: parsing and checking a call, and the XML of its
// answer and of its errors (STS's own shapes, which the SDKs parse, not
// S3's). The handler is s3/sts_handlers.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "iam/credentials.h"
#include "iam/session_tokens.h"

namespace confiance::s3 {

inline constexpr std::string_view kStsVersion = "2011-06-15";
// What a form may weigh: a session policy is at most 2,048 characters,
// percent-encoding may triple it.
inline constexpr size_t kMaxStsBody = 16 * 1024;
inline constexpr size_t kMaxSessionPolicyChars = 2048;

struct StsError {
  int status = 400;
  std::string code;  // "ValidationError", "InvalidAction", "AccessDenied", ...
  std::string message;
};

struct StsCall {
  std::string action;  // "GetSessionToken", "GetFederationToken", "AssumeRole" or "GetCallerIdentity"
  std::optional<uint64_t> duration_seconds;
  std::optional<std::string> policy;
  std::string name;      // GetFederationToken's Name, AssumeRole's RoleSessionName
  std::string role_arn;  // AssumeRole
};

// Parses an application/x-www-form-urlencoded body. Refuses an unknown
// action or version, a malformed number, and what Confiance does not offer
// (managed policy ARNs, MFA, session tags) rather than issuing credentials
// that ignore it.
std::optional<StsError> ParseStsCall(std::string_view form_body, StsCall* out);

// Checks an issuing `call` (not GetCallerIdentity) against its caller (a tenant principal signing with a
// long-term key) and AWS's bounds, and says what session to issue:
// durations (GetSessionToken and GetFederationToken 900-129,600 s, default
// 43,200; AssumeRole 900-43,200, default 3,600), names (2-32 and 2-64 of
// [A-Za-z0-9+=,.@_-]), the policy (2,048 characters, a valid identity
// policy). AssumeRole's RoleArn must be the caller's own ARN: Confiance has
// no IAM roles, so AssumeRole issues a session of the caller itself, as
// GetFederationToken does. `max_seconds` is the server's cap on any
// session (900-129,600): the defaults shrink to it, and a longer request
// is refused naming it.
std::optional<StsError> PlanSession(const StsCall& call, const iam::Principal& caller, uint64_t max_seconds,
                                    iam::SessionRequest* out);

// The call's answer (the ...Response document) and an error document.
std::string StsResponseXml(const StsCall& call, const iam::Principal& caller, const iam::IssuedSession& issued,
                           std::string_view request_id);
std::string StsErrorXml(const StsError& error, std::string_view request_id);
// GetCallerIdentity's answer: who signed the call (a session as AWS names
// it: a federated user, an assumed "role" of oneself, or the user itself
// for GetSessionToken).
std::string CallerIdentityXml(const iam::Principal& caller, std::string_view request_id);

}  // namespace confiance::s3

// File: s3/sts_request.cc
#include "s3/sts_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "iam/directory.h"
#include "iam/policy/policy.h"
#include "s3/sigv4/canonical.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

StsError Validation(std::string message) { return StsError{400, "ValidationError", std::move(message)}; }

bool IsSessionNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '_' || c == '-';
}

std::optional<StsError> CheckName(std::string_view field, std::string_view value, size_t max) {
  if (value.empty())
    return StsError{400, "MissingParameter", fmt::format("The request must contain the parameter {}", field)};
  bool ok = value.size() >= 2 && value.size() <= max;
  for (char c : value) ok = ok && IsSessionNameChar(c);
  if (!ok) {
    return Validation(fmt::format(
        "1 validation error detected: Value '{}' at '{}' failed to satisfy constraint: Member must have length "
        "between 2 and {} and satisfy regular expression pattern: [\\w+=,.@-]*",
        value, field, max));
  }
  return std::nullopt;
}

// Form fields Confiance does not offer: refused, since issuing credentials
// that silently ignore them would promise what is not there.
std::optional<StsError> RefuseUnoffered(std::string_view name) {
  if (name.starts_with("PolicyArns.")) {
    return Validation("Managed session policies (PolicyArns) are not offered: pass the policy itself in Policy.");
  }
  if (name == "SerialNumber" || name == "TokenCode") {
    return Validation("Multi-factor authentication (SerialNumber, TokenCode) is not offered.");
  }
  if (name.starts_with("Tags.") || name.starts_with("TransitiveTagKeys.")) {
    return Validation("Session tags are not offered.");
  }
  return std::nullopt;
}

void CredentialsXml(xml::XmlWriter& w, const iam::IssuedSession& issued) {
  w.Open("Credentials")
      .Element("AccessKeyId", issued.key.access_key_id)
      .Element("SecretAccessKey", issued.key.secret)
      .Element("SessionToken", issued.token)
      .Open("Expiration")
      .UtcMs(static_cast<int64_t>(issued.expires_ms))
      .Close()
      .Close();
}

// How STS names a session (and the principal itself outside one, or for
// GetSessionToken, whose sessions AWS names as their user): the ARN and
// the unique id of AssumedRoleUser / FederatedUser / GetCallerIdentity.
struct SessionIdentity {
  std::string arn;
  std::string id;
};

SessionIdentity SessionIdentityOf(std::string_view action, const iam::Principal& caller,
                                  std::string_view session_key_id, std::string_view name) {
  if (action == "GetFederationToken") {
    return {fmt::format("arn:aws:sts::{}:federated-user/{}", caller.tenant_id, name),
            fmt::format("{}:{}", caller.tenant_id, name)};
  }
  if (action == "AssumeRole") {
    return {fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", caller.tenant_id, caller.user, name),
            fmt::format("{}:{}", session_key_id, name)};
  }
  return {iam::UserArn(caller.tenant_id, caller.user), caller.user == iam::kRootUser ? caller.tenant_id : caller.user};
}

uint64_t PackedPolicySize(const StsCall& call) {
  return call.policy ? call.policy->size() * 100 / kMaxSessionPolicyChars : 0;
}

}  // namespace

std::optional<StsError> ParseStsCall(std::string_view form_body, StsCall* out) {
  // Form encoding writes a space as '+'; percent-decoding alone would keep it.
  std::string spaced;
  spaced.reserve(form_body.size());
  for (char c : form_body) {
    if (c == '+') {
      spaced += "%20";
    } else {
      spaced += c;
    }
  }
  Result<std::vector<std::pair<std::string, std::string>>> fields = sigv4::ParseQuery(spaced);
  if (!fields.ok()) return StsError{400, "MalformedInput", "The request body is not a valid form."};
  std::optional<std::string> version, duration;
  for (auto& [name, value] : *fields) {
    if (std::optional<StsError> refused = RefuseUnoffered(name)) return refused;
    if (name == "Action") {
      out->action = value;
    } else if (name == "Version") {
      version = value;
    } else if (name == "DurationSeconds") {
      duration = value;
    } else if (name == "Policy") {
      out->policy = value;
    } else if (name == "Name" || name == "RoleSessionName") {
      out->name = value;
    } else if (name == "RoleArn") {
      out->role_arn = value;
    }
    // Other fields (ExternalId, SourceIdentity, ...) change nothing here.
  }
  if (out->action.empty()) return StsError{400, "MissingAction", "Missing Action"};
  if (out->action != "GetSessionToken" && out->action != "GetFederationToken" && out->action != "AssumeRole" &&
      out->action != "GetCallerIdentity") {
    return StsError{400, "InvalidAction",
                    fmt::format("Could not find operation {} for version {}", out->action, version.value_or(""))};
  }
  if (version != kStsVersion) {
    return StsError{400, "InvalidAction",
                    fmt::format("Could not find operation {} for version {}", out->action,
                                version.value_or("NO_VERSION_SPECIFIED"))};
  }
  if (duration) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(duration->data(), duration->data() + duration->size(), v);
    if (ec != std::errc() || end != duration->data() + duration->size() || duration->empty()) {
      return StsError{400, "MalformedInput", "DurationSeconds must be a whole number of seconds."};
    }
    out->duration_seconds = v;
  }
  return std::nullopt;
}

std::optional<StsError> PlanSession(const StsCall& call, const iam::Principal& caller, uint64_t max_seconds,
                                    iam::SessionRequest* out) {
  const bool session_token = call.action == "GetSessionToken";
  const bool assume = call.action == "AssumeRole";
  const uint64_t max = assume ? 43200 : 129600;
  const uint64_t cap = std::clamp<uint64_t>(max_seconds, 900, max);
  const uint64_t seconds = call.duration_seconds.value_or(std::min<uint64_t>(assume ? 3600 : 43200, cap));
  if (seconds < 900 || seconds > max) {
    return Validation(fmt::format(
        "1 validation error detected: Value '{}' at 'durationSeconds' failed to satisfy constraint: Member must have "
        "value between 900 and {}",
        seconds, max));
  }
  if (seconds > cap) {
    return Validation(
        fmt::format("The requested DurationSeconds exceeds the {} seconds this server allows a session.", cap));
  }
  out->action = call.action;
  out->duration_seconds = seconds;
  if (session_token) {
    out->limited = false;  // the caller's own permissions, as in AWS
    return std::nullopt;
  }
  if (assume) {
    const std::string own = iam::UserArn(caller.tenant_id, caller.user);
    if (call.role_arn.empty())
      return StsError{400, "MissingParameter", "The request must contain the parameter RoleArn"};
    if (call.role_arn != own) {
      return StsError{403, "AccessDenied",
                      fmt::format("Confiance has no IAM roles: AssumeRole issues a session of the caller itself, so "
                                  "RoleArn must be the caller's own ARN, {}.",
                                  own)};
    }
  }
  if (std::optional<StsError> bad = CheckName(assume ? "roleSessionName" : "name", call.name, assume ? 64 : 32)) {
    return bad;
  }
  out->name = call.name;
  if (call.policy) {
    if (call.policy->size() > kMaxSessionPolicyChars) {
      return Validation(fmt::format(
          "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less "
          "than or equal to {}",
          kMaxSessionPolicyChars));
    }
    iam::policy::ParseOptions opt;
    opt.kind = iam::policy::PolicyKind::kIdentity;
    Result<iam::policy::Policy> parsed = iam::policy::Policy::Parse(*call.policy, opt);
    if (!parsed.ok()) return StsError{400, "MalformedPolicyDocument", std::string(parsed.status().message())};
    out->policy = *call.policy;
  }
  // GetFederationToken's session is always limited (no policy: no
  // permission, as in AWS); AssumeRole's only by a policy it was given.
  out->limited = !assume || call.policy.has_value();
  return std::nullopt;
}

std::string StsResponseXml(const StsCall& call, const iam::Principal& caller, const iam::IssuedSession& issued,
                           std::string_view request_id) {
  xml::XmlWriter w;
  const std::string response = call.action + "Response";
  const std::string result = call.action + "Result";
  w.Open(response, {{"xmlns", kStsNamespace}}).Open(result);
  CredentialsXml(w, issued);
  const SessionIdentity who = SessionIdentityOf(call.action, caller, issued.key.access_key_id, call.name);
  if (call.action == "GetFederationToken") {
    w.Open("FederatedUser").Element("FederatedUserId", who.id).Element("Arn", who.arn).Close();
    w.Element("PackedPolicySize", PackedPolicySize(call));
  } else if (call.action == "AssumeRole") {
    w.Open("AssumedRoleUser").Element("AssumedRoleId", who.id).Element("Arn", who.arn).Close();
    w.Element("PackedPolicySize", PackedPolicySize(call));
  }
  w.Close().Open("ResponseMetadata").Element("RequestId", request_id).Close();
  return w.Finish();
}

std::string CallerIdentityXml(const iam::Principal& caller, std::string_view request_id) {
  const iam::SessionClaims* s = caller.session.get();
  const SessionIdentity who = s != nullptr ? SessionIdentityOf(s->action, caller, caller.access_key_id, s->name)
                                           : SessionIdentityOf("", caller, "", "");
  xml::XmlWriter w;
  w.Open("GetCallerIdentityResponse", {{"xmlns", kStsNamespace}})
      .Open("GetCallerIdentityResult")
      .Element("Arn", who.arn)
      .Element("UserId", who.id)
      .Element("Account", caller.tenant_id)
      .Close()
      .Open("ResponseMetadata")
      .Element("RequestId", request_id)
      .Close();
  return w.Finish();
}

std::string StsErrorXml(const StsError& error, std::string_view request_id) {
  xml::XmlWriter w;
  w.Open("ErrorResponse", {{"xmlns", kStsNamespace}})
      .Open("Error")
      .Element("Type", error.status >= 500 ? "Receiver" : "Sender")
      .Element("Code", error.code)
      .Element("Message", error.message)
      .Close()
      .Element("RequestId", request_id);
  return w.Finish();
}

}  // namespace confiance::s3

// File: iam/session_tokens.cc
#include "iam/session_tokens.h"

#include <nlohmann/json.hpp>

#include "common/cbor.h"
#include "crypto/encoding.h"
#include "crypto/envelope.h"
#include "crypto/random.h"

namespace confiance::iam {
namespace {

using json = nlohmann::json;
constexpr std::string_view kSessionPartition = "iam";
constexpr std::string_view kTokenKeyRecord = "sts/key";
constexpr std::string_view kTokenKeyContext = "confiance/session-token-key/v1";
constexpr std::string_view kSecretContextPrefix = "confiance/session-token/v1/";
constexpr int kClaimsVersion = 1;
// Opened tokens kept; past it the cache starts over (as the authorizer's).
constexpr size_t kMaxOpenedTokens = 10000;

Status Invalid(std::string_view why) { return InvalidArgumentError(std::string("session token: ") + std::string(why)); }

std::string SessionSecretContext(std::string_view claims) {
  return std::string(kSecretContextPrefix) + std::string(claims);
}

// The claims of a token, in the order of SessionClaims.
std::string EncodeClaims(const std::string& access_key_id, const Principal& parent, const SessionClaims& c) {
  json j = {{"v", kClaimsVersion}, {"ak", access_key_id}, {"t", parent.tenant_id},       {"u", parent.user},
            {"a", c.action},       {"n", c.name},         {"p", c.parent_access_key_id}, {"lim", c.limited},
            {"iat", c.issued_ms},  {"exp", c.expires_ms}};
  if (!c.policy.empty()) j["pol"] = c.policy;
  return j.dump();
}

struct DecodedToken {
  std::string claims_text;
  std::string wrapped_secret;
};

Result<DecodedToken> SplitToken(std::string_view token) {
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return Invalid("malformed");
  Result<std::string> claims = crypto::Base64Decode(token.substr(0, dot));
  Result<std::string> wrapped = crypto::Base64Decode(token.substr(dot + 1));
  if (!claims.ok() || !wrapped.ok()) return Invalid("malformed");
  return DecodedToken{std::move(claims).value(), std::move(wrapped).value()};
}

Result<std::shared_ptr<SessionClaims>> ParseClaims(std::string_view text, std::string_view access_key_id,
                                                   Principal* principal) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("malformed");
  // Every read of a field may throw on a field of the wrong type (a "v" that
  // is a string: found by fuzz/session_token_fuzz.cc), and the claims are
  // read before anything authenticated them: all inside the try.
  try {
    if (j.value("v", 0) != kClaimsVersion) return Invalid("malformed");
    if (j.at("ak").get<std::string>() != access_key_id) return Invalid("issued for another access key");
    auto c = std::make_shared<SessionClaims>();
    c->action = j.at("a").get<std::string>();
    c->name = j.at("n").get<std::string>();
    c->parent_access_key_id = j.at("p").get<std::string>();
    c->limited = j.at("lim").get<bool>();
    c->issued_ms = j.at("iat").get<uint64_t>();
    c->expires_ms = j.at("exp").get<uint64_t>();
    c->policy = j.value("pol", "");
    principal->access_key_id = std::string(access_key_id);
    principal->kind = PrincipalKind::kTenant;
    principal->tenant_id = j.at("t").get<std::string>();
    principal->user = j.at("u").get<std::string>();
    principal->active = true;
    return c;
  } catch (const json::exception&) {
    return Invalid("malformed");
  }
}

// Whether the parent key still stands for the principal the claims name.
Status CheckParent(CredentialStore& credentials, const Principal& session, const SessionClaims& claims) {
  Result<Credential> parent = credentials.Lookup(claims.parent_access_key_id);
  if (!parent.ok()) {
    if (parent.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("the access key that requested this session was disabled or deleted");
    }
    return parent.status();
  }
  if (parent->principal.kind != PrincipalKind::kTenant || parent->principal.tenant_id != session.tenant_id ||
      parent->principal.user != session.user) {
    return FailedPreconditionError("the access key that requested this session now names another principal");
  }
  return OkStatus();
}

Status CheckExpiry(const SessionClaims& claims, uint64_t now_ms) {
  if (now_ms >= claims.expires_ms) return DeadlineExceededError("The provided token has expired.");
  return OkStatus();
}

// A plain comparison, on purpose: a token is not an authenticator on its
// own (its claims are in clear and the request's signature, made with the
// secret it seals, is still verified), so the time a comparison takes tells
// nothing worth knowing; CRYPTO_memcmp cost three quarters of a cached
// lookup (docs/PERFORMANCE.md, session 35).
bool SameToken(std::string_view a, std::string_view b) { return a == b; }

// The "sts/key" record: the root key version that wraps the token key, and
// the wrapped key.
struct TokenKeyRecord {
  std::string kid;
  std::string sealed;
};

Result<TokenKeyRecord> DecodeTokenKeyRecord(std::string_view raw) {
  json j = ParseCborRecord(raw);
  if (j.is_discarded() || !j.is_object() || !j.contains("sealed") || !j["sealed"].is_binary()) {
    return DataLossError("undecodable session token key record");
  }
  const auto& bin = j["sealed"].get_binary();
  return TokenKeyRecord{j.value("kid", ""), std::string(bin.begin(), bin.end())};
}

std::string EncodeTokenKeyRecord(const TokenKeyRecord& r) {
  const json j = {{"kid", r.kid}, {"sealed", json::binary(std::vector<uint8_t>(r.sealed.begin(), r.sealed.end()))}};
  const std::vector<uint8_t> cbor = json::to_cbor(j);
  return std::string(cbor.begin(), cbor.end());
}

}  // namespace

Result<std::shared_ptr<const crypto::SecretBytes>> SessionTokens::TokenKey(bool create) {
  {
    std::lock_guard lock(mu_);
    if (token_key_) return token_key_;
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kSessionPartition, kTokenKeyRecord));
    if (v) {
      ASSIGN_OR_RETURN(TokenKeyRecord rec, DecodeTokenKeyRecord(*v));
      ASSIGN_OR_RETURN(crypto::SecretBytes key, keys_.Unwrap(rec.kid, rec.sealed, kTokenKeyContext));
      if (key.size() != 32) return DataLossError("session token key of the wrong size");
      auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key));
      std::lock_guard lock(mu_);
      token_key_ = shared;
      return shared;
    }
    if (!create) return NotFoundError("no session token key yet");
    ASSIGN_OR_RETURN(crypto::SecretBytes fresh, crypto::RandomBytes(32));
    const std::string kid = keys_.DefaultKeyId();
    ASSIGN_OR_RETURN(std::string sealed, keys_.Wrap(kid, fresh, kTokenKeyContext));
    meta::Batch b;
    b.Expect(std::string(kTokenKeyRecord), std::nullopt)
        .Put(std::string(kTokenKeyRecord), EncodeTokenKeyRecord({kid, sealed}));
    Status s = store_.Apply(kSessionPartition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;  // another issue made it first: read it
    RETURN_IF_ERROR(s);
  }
  return AbortedError("session token key: too many concurrent changes");
}

Result<IssuedSession> SessionTokens::Issue(const Principal& parent, const SessionRequest& request, uint64_t now_ms) {
  if (parent.kind != PrincipalKind::kTenant || parent.session) {
    return InvalidArgumentError("temporary credentials are issued to a tenant principal's long-term key only");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> key, TokenKey(/*create=*/true));
  IssuedSession out;
  ASSIGN_OR_RETURN(out.key, GenerateAccessKey("CT"));
  SessionClaims claims;
  claims.action = request.action;
  claims.name = request.name;
  claims.parent_access_key_id = parent.access_key_id;
  claims.policy = request.policy;
  claims.limited = request.limited;
  claims.issued_ms = now_ms;
  claims.expires_ms = now_ms + request.duration_seconds * 1000;
  const std::string text = EncodeClaims(out.key.access_key_id, parent, claims);
  crypto::SecretBytes secret(std::as_bytes(std::span(out.key.secret.data(), out.key.secret.size())));
  ASSIGN_OR_RETURN(std::string wrapped, crypto::WrapKey(*key, secret, SessionSecretContext(text)));
  out.token = crypto::Base64Encode(text) + "." + crypto::Base64Encode(wrapped);
  out.expires_ms = claims.expires_ms;
  return out;
}

Result<Credential> SessionTokens::Lookup(std::string_view access_key_id, std::string_view token, uint64_t now_ms) {
  std::optional<Credential> cached;
  {
    std::lock_guard lock(mu_);
    auto it = opened_.find(std::string(access_key_id));
    if (it != opened_.end() && SameToken(it->second.token, token)) cached = it->second.credential;
  }
  if (!cached) {
    ASSIGN_OR_RETURN(DecodedToken decoded, SplitToken(token));
    Credential c;
    ASSIGN_OR_RETURN(std::shared_ptr<SessionClaims> claims,
                     ParseClaims(decoded.claims_text, access_key_id, &c.principal));
    Result<std::shared_ptr<const crypto::SecretBytes>> key = TokenKey(/*create=*/false);
    if (!key.ok()) return key.status().code() == StatusCode::kNotFound ? Invalid("unknown issuer") : key.status();
    Result<crypto::SecretBytes> secret =
        crypto::UnwrapKey(**key, decoded.wrapped_secret, SessionSecretContext(decoded.claims_text));
    if (!secret.ok()) {
      return secret.status().code() == StatusCode::kPermissionDenied || secret.status().code() == StatusCode::kDataLoss
                 ? Invalid("does not authenticate")
                 : secret.status();
    }
    c.principal.session = std::move(claims);
    c.secret = std::make_shared<const crypto::SecretBytes>(std::move(secret).value());
    std::lock_guard lock(mu_);
    if (opened_.size() >= kMaxOpenedTokens) opened_.clear();
    opened_[std::string(access_key_id)] = Opened{std::string(token), c};
    cached = std::move(c);
  }
  RETURN_IF_ERROR(CheckExpiry(*cached->principal.session, now_ms));
  RETURN_IF_ERROR(CheckParent(credentials_, cached->principal, *cached->principal.session));
  return *cached;
}

Result<bool> SessionTokens::RewrapUnderDefaultKey() {
  for (int attempt = 0; attempt < 16; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kSessionPartition, kTokenKeyRecord));
    if (!v) return false;
    ASSIGN_OR_RETURN(TokenKeyRecord rec, DecodeTokenKeyRecord(*v));
    const std::string target = keys_.DefaultKeyId();
    if (rec.kid == target) return false;
    ASSIGN_OR_RETURN(crypto::SecretBytes key, keys_.Unwrap(rec.kid, rec.sealed, kTokenKeyContext));
    ASSIGN_OR_RETURN(std::string resealed, keys_.Wrap(target, key, kTokenKeyContext));
    meta::Batch b;
    b.op_tag = "session-token-key-rewrap:" + target;
    b.Expect(std::string(kTokenKeyRecord), *v)
        .Put(std::string(kTokenKeyRecord), EncodeTokenKeyRecord({target, resealed}));
    Status s = store_.Apply(kSessionPartition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    return true;  // the key itself is the same: the cached copy stays right
  }
  return AbortedError("session token key: too many concurrent changes");
}

}  // namespace confiance::iam

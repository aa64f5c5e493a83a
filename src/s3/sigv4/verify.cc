// File: s3/sigv4/verify.cc
#include "s3/sigv4/verify.h"

#include <algorithm>

#include "s3/sigv4/errors.h"

namespace confiance::sigv4 {
namespace {

// What the client claims, whichever scheme carried it.
struct Claims {
  AuthScheme scheme = AuthScheme::kHeader;
  ErrorKind malformed = ErrorKind::kAuthorizationHeaderMalformed;
  Credential credential;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;
  TimePoint time;
  int64_t expires_seconds = 0;  // presigned only
};

bool HasQueryParam(std::string_view raw_query, std::string_view name) {
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    std::string_view part = raw_query.substr(start, amp - start);
    std::string_view key = part.substr(0, part.find('='));
    if (key == name) return true;
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return false;
}

Status ClaimRequestTime(const RequestView& request, Claims& claims) {
  if (const Header* h = FindHeader(request.headers, "x-amz-date")) {
    auto t = ParseAmzDate(h->value);
    if (!t.ok()) return MakeError(ErrorKind::kMissingDate, "x-amz-date is not ISO 8601 basic");
    claims.time = *t;
    claims.amz_date = std::string(h->value);
    return OkStatus();
  }
  if (const Header* h = FindHeader(request.headers, "date")) {
    auto t = ParseHttpDate(h->value);
    if (!t.ok()) return MakeError(ErrorKind::kMissingDate, "Date is not an HTTP date");
    claims.time = *t;
    claims.amz_date = FormatAmzDate(*t);
    return OkStatus();
  }
  return MakeError(ErrorKind::kMissingDate,
                   "AWS authentication requires a valid Date or x-amz-date header");
}

Result<Claims> ClaimFromHeader(const RequestView& request, std::string_view service) {
  Claims claims;
  ASSIGN_OR_RETURN(ParsedAuthorization auth,
                   ParseAuthorizationHeader(FindHeader(request.headers, "authorization")->value, service));
  claims.credential = std::move(auth.credential);
  claims.signed_headers = std::move(auth.signed_headers);
  claims.signature = std::move(auth.signature);
  RETURN_IF_ERROR(ClaimRequestTime(request, claims));
  return claims;
}

Result<Claims> ClaimFromQuery(const RequestView& request, std::string_view service) {
  Claims claims;
  claims.scheme = AuthScheme::kPresigned;
  claims.malformed = ErrorKind::kAuthorizationQueryMalformed;
  ASSIGN_OR_RETURN(PresignParams p, ParsePresignQuery(request.raw_query, service));
  claims.credential = std::move(p.credential);
  claims.signed_headers = std::move(p.signed_headers);
  claims.signature = std::move(p.signature);
  claims.amz_date = std::move(p.amz_date);
  claims.expires_seconds = p.expires_seconds;
  ASSIGN_OR_RETURN(claims.time, ParseAmzDate(claims.amz_date));
  return claims;
}

Status CheckScope(const Claims& claims, const VerifyOptions& options) {
  const CredentialScope& scope = claims.credential.scope;
  if (scope.date != std::string_view(claims.amz_date).substr(0, 8)) {
    return MakeError(claims.malformed,
                     "Invalid credential date. Date is not the same as X-Amz-Date.");
  }
  if (!options.region.empty() && scope.region != options.region) {
    return MakeError(claims.malformed, "the region '" + scope.region + "' is wrong; expecting '" +
                                           options.region + "'");
  }
  return OkStatus();
}

// signed_headers are lower case (ParseSignedHeaders); `name` is as received.
bool IsSigned(const Claims& claims, std::string_view name) {
  for (const std::string& s : claims.signed_headers) {
    if (EqualsIgnoreCase(s, name)) return true;
  }
  return false;
}

Status CheckSignedHeaders(const RequestView& request, const Claims& claims) {
  if (!IsSigned(claims, "host")) {
    return MakeError(ErrorKind::kHeadersNotSigned, "HeadersNotSigned: host");
  }
  // Compared in place: lower-casing a copy of every header name cost an
  // allocation per header on every request.
  constexpr std::string_view kAmzPrefix = "x-amz-";
  for (const Header& h : request.headers) {
    if (h.name.size() >= kAmzPrefix.size() && EqualsIgnoreCase(h.name.substr(0, kAmzPrefix.size()), kAmzPrefix) &&
        !IsSigned(claims, h.name)) {
      return MakeError(ErrorKind::kHeadersNotSigned, "HeadersNotSigned: " + ToLower(h.name));
    }
  }
  return OkStatus();
}

Status CheckTime(const Claims& claims, TimePoint now, const VerifyOptions& options) {
  if (claims.scheme == AuthScheme::kHeader) {
    auto skew = now > claims.time ? now - claims.time : claims.time - now;
    if (skew > options.max_skew) {
      return MakeError(ErrorKind::kRequestTimeTooSkewed,
                       "The difference between the request time and the current time is too "
                       "large.");
    }
    return OkStatus();
  }
  if (claims.time > now + options.max_skew) {
    return MakeError(ErrorKind::kRequestNotYetValid, "Request is not valid yet");
  }
  if (now > claims.time + std::chrono::seconds(claims.expires_seconds)) {
    return MakeError(ErrorKind::kRequestExpired, "Request has expired");
  }
  return OkStatus();
}

Result<std::string> LookupSecret(const SecretLookup& lookup, std::string_view access_key) {
  Result<std::string> secret = lookup(access_key);
  if (!secret.ok() && secret.status().code() == StatusCode::kNotFound) {
    return MakeError(ErrorKind::kInvalidAccessKeyId,
                     "The AWS Access Key Id you provided does not exist in our records.");
  }
  return secret;
}

}  // namespace

AuthScheme DetectScheme(const RequestView& request) {
  bool header = FindHeader(request.headers, "authorization") != nullptr;
  bool query = HasQueryParam(request.raw_query, "X-Amz-Algorithm");
  if (header && query) return AuthScheme::kAmbiguous;
  if (header) return AuthScheme::kHeader;
  if (query) return AuthScheme::kPresigned;
  return AuthScheme::kNone;
}

Result<PayloadMode> ParsePayloadMode(std::string_view value) {
  if (value == kUnsignedPayload) return PayloadMode::kUnsigned;
  if (value == kStreamingSignedPayload) return PayloadMode::kStreamingSigned;
  if (value == kStreamingUnsignedTrailer) return PayloadMode::kStreamingUnsignedTrailer;
  if (value == kStreamingSignedTrailer) return PayloadMode::kStreamingSignedTrailer;
  if (IsSha256Hex(value)) return PayloadMode::kSha256;
  return MakeError(ErrorKind::kInvalidContentSha256,
                   "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, or a "
                   "valid sha256 value.");
}

Result<AuthContext> Verify(const RequestView& request, const SecretLookup& lookup,
                           TimePoint now, const VerifyOptions& options) {
  Result<Claims> claims_or = MakeError(ErrorKind::kMissingAuth, "no credentials");
  switch (DetectScheme(request)) {
    case AuthScheme::kNone:
      return MakeError(ErrorKind::kMissingAuth, "request carries no SigV4 credentials");
    case AuthScheme::kAmbiguous:
      return MakeError(ErrorKind::kAmbiguousAuth, "Only one auth mechanism allowed");
    case AuthScheme::kHeader:
      claims_or = ClaimFromHeader(request, options.service);
      break;
    case AuthScheme::kPresigned:
      claims_or = ClaimFromQuery(request, options.service);
      break;
  }
  RETURN_IF_ERROR(claims_or);
  Claims& claims = *claims_or;
  RETURN_IF_ERROR(CheckScope(claims, options));

  AuthContext ctx;
  std::string_view payload_hash = kUnsignedPayload;
  const Header* sha_header = FindHeader(request.headers, "x-amz-content-sha256");
  if (sha_header == nullptr && claims.scheme == AuthScheme::kHeader) {
    if (options.body_sha256.empty()) {
      return MakeError(ErrorKind::kMissingContentSha256,
                       "Missing required header for this request: x-amz-content-sha256");
    }
    // The caller hashed the body itself (the STS query API's clients
    // send no x-amz-content-sha256).
    payload_hash = options.body_sha256;
    ctx.payload_mode = PayloadMode::kSha256;
    ctx.payload_sha256 = options.body_sha256;
  }
  if (sha_header != nullptr) {
    ASSIGN_OR_RETURN(ctx.payload_mode, ParsePayloadMode(sha_header->value));
    payload_hash = sha_header->value;
    if (ctx.payload_mode == PayloadMode::kSha256) ctx.payload_sha256 = ToLower(payload_hash);
  }
  RETURN_IF_ERROR(CheckSignedHeaders(request, claims));
  ASSIGN_OR_RETURN(std::string secret, LookupSecret(lookup, claims.credential.access_key));
  RETURN_IF_ERROR(CheckTime(claims, now, options));

  ASSIGN_OR_RETURN(std::string canonical,
                   CanonicalRequest(request, claims.signed_headers, payload_hash,
                                    claims.scheme == AuthScheme::kPresigned));
  std::string sts = StringToSign(claims.amz_date, claims.credential.scope, canonical);
  SigningKey key = DeriveSigningKey(secret, claims.credential.scope);
  OPENSSL_cleanse(secret.data(), secret.size());
  std::string expected = SignatureHex(key, sts);
  if (!ConstantTimeEqual(expected, claims.signature)) {
    return MakeError(ErrorKind::kSignatureDoesNotMatch,
                     "The request signature we calculated does not match the signature you "
                     "provided.");
  }
  ctx.scheme = claims.scheme;
  ctx.access_key = std::move(claims.credential.access_key);
  ctx.scope = std::move(claims.credential.scope);
  ctx.amz_date = std::move(claims.amz_date);
  ctx.signing_key = key;
  ctx.seed_signature = std::move(claims.signature);
  ctx.signed_headers = std::move(claims.signed_headers);
  return ctx;
}

}  // namespace confiance::sigv4

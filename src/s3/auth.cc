// File: s3/auth.cc
#include "s3/auth.h"

#include <chrono>
#include <vector>

#include "s3/sigv4/canonical.h"
#include "s3/sigv4/errors.h"
#include "s3/sigv4/sigv2.h"

namespace confiance::s3 {

S3Error SigV4Error(const Status& status) {
  std::optional<sigv4::ErrorKind> kind = sigv4::ErrorKindOf(status);
  if (!kind) return MakeError(S3ErrorCode::kInternalError);
  using K = sigv4::ErrorKind;
  switch (*kind) {
    case K::kMissingAuth: return MakeError(S3ErrorCode::kAccessDenied);
    case K::kUnsupportedAuth:
      return MakeError(S3ErrorCode::kInvalidRequest,
                       "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    case K::kAmbiguousAuth:
      return MakeError(S3ErrorCode::kInvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
    case K::kAuthorizationHeaderMalformed:
      return MakeError(S3ErrorCode::kAuthorizationHeaderMalformed, status.message());
    case K::kAuthorizationQueryMalformed:
      return MakeError(S3ErrorCode::kAuthorizationQueryParametersError, status.message());
    case K::kInvalidUri: return MakeError(S3ErrorCode::kInvalidArgument, "Invalid URI");
    case K::kMissingDate:
      return MakeError(S3ErrorCode::kAccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
    case K::kInvalidAccessKeyId: return MakeError(S3ErrorCode::kInvalidAccessKeyId);
    case K::kSignatureDoesNotMatch: return MakeError(S3ErrorCode::kSignatureDoesNotMatch);
    case K::kRequestTimeTooSkewed: return MakeError(S3ErrorCode::kRequestTimeTooSkewed);
    case K::kRequestExpired: return MakeError(S3ErrorCode::kAccessDenied, "Request has expired");
    case K::kRequestNotYetValid: return MakeError(S3ErrorCode::kAccessDenied, "Request is not valid yet");
    case K::kHeadersNotSigned:
      return MakeError(S3ErrorCode::kAccessDenied, "There were headers present in the request which were not signed");
    case K::kMissingContentSha256:
      return MakeError(S3ErrorCode::kInvalidRequest, "Missing required header for this request: x-amz-content-sha256");
    case K::kInvalidContentSha256:
      return MakeError(S3ErrorCode::kInvalidArgument,
                       "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.");
    case K::kIncompleteBody: return MakeError(S3ErrorCode::kIncompleteBody);
    case K::kMalformedChunk: return MakeError(S3ErrorCode::kInvalidRequest, "Malformed aws-chunked body");
    case K::kInternal: return MakeError(S3ErrorCode::kInternalError);
  }
  return MakeError(S3ErrorCode::kInternalError);
}

namespace {

// The session token the request carries, if any: the header, or for a
// presigned URL the query parameter (both are covered by the signature).
std::optional<std::string> SessionToken(const http::Request& request, const Route& route) {
  if (std::optional<std::string_view> h = request.FindHeader("x-amz-security-token")) return std::string(*h);
  if (route.raw_query.find("X-Amz-Security-Token=") == std::string::npos) return std::nullopt;
  Result<std::vector<std::pair<std::string, std::string>>> params = sigv4::ParseQuery(route.raw_query);
  if (!params.ok()) return std::nullopt;  // Verify refuses the query itself
  for (auto& [name, value] : *params) {
    if (name == "X-Amz-Security-Token") return std::move(value);
  }
  return std::nullopt;
}

}  // namespace

S3Error SessionTokenError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kDeadlineExceeded: return MakeError(S3ErrorCode::kExpiredToken);
    case StatusCode::kInvalidArgument: return MakeError(S3ErrorCode::kInvalidToken);
    case StatusCode::kFailedPrecondition:
      return MakeError(S3ErrorCode::kInvalidToken,
                       "The provided token is no longer valid: the access key that requested it was disabled or "
                       "deleted.");
    case StatusCode::kPermissionDenied:
      return MakeError(S3ErrorCode::kAccessDenied, "Temporary credentials cannot be used here.");
    default: return ErrorFromStatus(status);
  }
}

std::optional<Authenticated> Authenticate(const http::Request& request, const Route& route,
                                          iam::CredentialStore& credentials, const std::string& region, S3Error* error,
                                          const AuthenticateOptions& auth_options) {
  // Views of the request's headers; the vector keeps its capacity per
  // thread (one allocation fewer per request). Cleared before returning.
  thread_local std::vector<sigv4::Header> headers;
  headers.clear();
  for (const http::Header& h : request.headers) headers.push_back({h.name, h.value});
  struct ClearViews {
    std::vector<sigv4::Header>& v;
    ~ClearViews() { v.clear(); }
  } clear_views{headers};
  sigv4::RequestView view;
  view.method = request.method;
  view.raw_path = route.raw_path;
  view.raw_query = route.raw_query;
  view.headers = headers;

  const auto now = std::chrono::system_clock::now();
  const std::optional<std::string> token = SessionToken(request, route);
  std::optional<iam::Credential> found;
  std::optional<Status> token_failure;  // why the session token was refused
  sigv4::SecretLookup lookup = [&](std::string_view access_key) -> Result<std::string> {
    Result<iam::Credential> c = NotFoundError("no credential");
    if (token) {
      if (auth_options.sessions == nullptr) {
        c = PermissionDeniedError("temporary credentials are not accepted here");
      } else {
        const uint64_t now_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
        c = auth_options.sessions->Lookup(access_key, *token, now_ms);
      }
      if (!c.ok()) token_failure = c.status();
    } else {
      c = credentials.Lookup(std::string(access_key));
    }
    if (!c.ok()) return c.status();
    found = std::move(c).value();  // not copied: Principal holds three strings
    return std::string(reinterpret_cast<const char*>(found->secret->data()), found->secret->size());
  };
  sigv4::VerifyOptions options;
  options.region = region;
  options.service = auth_options.service;
  options.body_sha256 = auth_options.body_sha256;
  // SigV2's resource names the bucket even when the Host header carries it.
  const std::string bucket_prefix = route.virtual_host ? "/" + route.bucket : std::string();
  const bool v2 = sigv2::IsSigV2(view);
  Result<sigv4::AuthContext> auth = v2 ? sigv2::Verify(view, bucket_prefix, lookup, now, options)
                                       : sigv4::Verify(view, lookup, now, options);
  if (!auth.ok()) {
    *error = token_failure ? SessionTokenError(*token_failure) : SigV4Error(auth.status());
    return std::nullopt;
  }
  if (!found) {
    *error = MakeError(S3ErrorCode::kInternalError);
    return std::nullopt;
  }
  return Authenticated{found->principal, std::move(auth).value(), v2};
}

}  // namespace confiance::s3

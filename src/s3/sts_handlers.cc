// File: s3/sts_handlers.cc
// The STS query API on the S3 endpoint (docs/sts.md): a form posted to
// "/", signed for the service "sts". The SDKs send no
// x-amz-content-sha256 there, so the body (small, bounded) is read first
// and its hash is what the signature is checked against.
#include <utility>

#include <vector>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "crypto/hash.h"
#include "s3/s3_context.h"
#include "s3/sts_request.h"

namespace confiance::s3 {
namespace {

// An S3-layer refusal (authentication, rate) in STS's words.
StsError FromS3Error(const S3Error& e) {
  if (e.code == S3ErrorCode::kInvalidAccessKeyId) {
    return StsError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
  }
  return StsError{e.HttpStatus(), std::string(e.CodeString()), std::string(e.Message())};
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::SecurityTokenService(Ctx& ctx) {
  std::optional<StsError> failure;
  std::string body;
  std::string xml;
  iam::IssuedSession issued;
  StsCall call;
  // One exit for every answer: an error in STS's shape, or the document.
  do {
    if (deps_.sessions == nullptr) {
      failure = StsError{501, "NotImplemented", "Temporary credentials are off on this server."};
      break;
    }
    const bool signed_request = ctx.req.FindHeader("authorization") || ctx.route.HasQuery("X-Amz-Algorithm");
    ctx.credentials_presented = signed_request;
    if (!signed_request) {
      failure = StsError{403, "MissingAuthenticationToken", "Request is missing Authentication Token"};
      break;
    }
    // The form, whole (bounded) before anything is checked: its hash is
    // part of what was signed.
    std::vector<std::byte> buf(4096);
    bool read_failed = false;
    for (;;) {
      Result<size_t> n = co_await ctx.body.Read(buf);
      if (!n.ok()) {
        read_failed = true;
        break;
      }
      if (*n == 0) break;
      if (body.size() + *n > kMaxStsBody) {
        failure = StsError{413, "RequestEntityTooLarge", "The request body is too large."};
        break;
      }
      body.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    if (failure) break;
    if (read_failed) {
      failure = StsError{400, "IncompleteBody", "The request body ended early."};
      break;
    }
    S3Error error{S3ErrorCode::kInternalError, {}, {}};
    AuthenticateOptions options;
    options.service = "sts";
    options.body_sha256 = crypto::Sha256Hex(body);
    options.sessions = deps_.sessions;
    std::optional<Authenticated> auth =
        Authenticate(ctx.req, ctx.route, deps_.credentials, options_.region, &error, options);
    if (!auth) {
      failure = FromS3Error(error);
      break;
    }
    // The form is read whole, as sent: an aws-chunked body is no form.
    if (auth->auth.payload_mode != sigv4::PayloadMode::kSha256 &&
        auth->auth.payload_mode != sigv4::PayloadMode::kUnsigned) {
      failure = StsError{400, "InvalidRequest", "The STS API takes a form body, not an aws-chunked one."};
      break;
    }
    if (auth->auth.payload_mode == sigv4::PayloadMode::kSha256 && auth->auth.payload_sha256 != options.body_sha256) {
      failure = StsError{400, "XAmzContentSHA256Mismatch",
                         "The provided 'x-amz-content-sha256' header does not match what was computed."};
      break;
    }
    if (auth->principal.kind != iam::PrincipalKind::kTenant) {
      failure = StsError{403, "AccessDenied", "Operators cannot get temporary credentials."};
      break;
    }
    if (std::optional<S3Error> refused = BindRequester(ctx, std::move(*auth))) {
      failure = FromS3Error(*refused);
      break;
    }
    if (std::optional<S3Error> slow = AdmitRate(ctx)) {
      failure = FromS3Error(*slow);
      break;
    }
    if ((failure = ParseStsCall(body, &call))) break;
    if (call.action == "GetCallerIdentity") {
      xml = CallerIdentityXml(ctx.auth.principal, ctx.request_id);
      break;
    }
    if (ctx.auth.principal.session) {
      // As AWS for GetSessionToken and GetFederationToken: a session
      // cannot extend itself.
      failure = StsError{403, "AccessDenied", "Temporary credentials cannot request other temporary credentials."};
      break;
    }
    iam::SessionRequest request;
    if ((failure = PlanSession(call, ctx.auth.principal, options_.max_session_seconds, &request))) break;
    // The first issue makes the token key (a commit); a KMS may wrap it.
    Result<iam::IssuedSession> made = co_await deps_.pool.Run(
        [&] { return deps_.sessions->Issue(ctx.auth.principal, request, UnixMillisNow()); });
    if (!made.ok()) {
      spdlog::error("request {}: STS {} failed: {}", ctx.request_id, call.action, made.status().ToString());
      failure = StsError{500, "ServiceFailure", "The temporary credentials could not be issued."};
      break;
    }
    issued = std::move(made).value();
    ctx.sts_call = Ctx::StsCallRecord{call.action, call.name, issued.key.access_key_id, issued.expires_ms};
    xml = StsResponseXml(call, ctx.auth.principal, issued, ctx.request_id);
  } while (false);

  if (!call.action.empty() && !ctx.sts_call) {
    ctx.sts_call = Ctx::StsCallRecord{call.action, call.name, "", 0};
  }
  int status = 200;
  if (failure) {
    ctx.error_code = failure->code;
    status = failure->status;
    xml = StsErrorXml(*failure, ctx.request_id);
  }
  std::vector<http::Header> h = Headers(http::Header{"Content-Type", "text/xml"},
                                        http::Header{"x-amzn-RequestId", ctx.request_id});
  (void)co_await ctx.resp.Send(status, h, xml);
  // The secret was in both; they leave no copy behind.
  OPENSSL_cleanse(xml.data(), xml.size());
  OPENSSL_cleanse(issued.key.secret.data(), issued.key.secret.size());
  co_return std::nullopt;
}

}  // namespace confiance::s3

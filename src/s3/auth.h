// File: s3/auth.h
// Authentication of S3 requests: SigV4 (or legacy SigV2, s3/sigv4/sigv2.h)
// verification against the credential store, with every failure mapped to
// its exact S3 error.
#pragma once

#include <utility>

#include <optional>
#include <string>

#include "http/http.h"
#include "iam/credentials.h"
#include "iam/session_tokens.h"
#include "s3/router.h"
#include "s3/s3_error.h"
#include "s3/sigv4/verify.h"

namespace confiance::s3 {

struct Authenticated {
  iam::Principal principal;
  sigv4::AuthContext auth;
  bool sigv2 = false;  // signed with Signature V2 (s3/sigv4/sigv2.h)
};

struct AuthenticateOptions {
  std::string_view service = "s3";  // sigv4::VerifyOptions::service
  std::string body_sha256;          // sigv4::VerifyOptions::body_sha256
  // Where temporary credentials are opened: a request that carries a
  // session token (x-amz-security-token, or X-Amz-Security-Token in a
  // presigned URL) is verified with the secret the token seals, and its
  // principal carries the session's claims. Null: such requests are
  // refused (AccessDenied), for endpoints that take long-term keys only.
  iam::SessionTokens* sessions = nullptr;
};

// Verifies the request's signature. Returns the principal, or sets *error.
// A session token that does not open is InvalidToken, an expired one
// ExpiredToken (400, as S3); one whose parent key was disabled or deleted
// is InvalidToken too.
std::optional<Authenticated> Authenticate(const http::Request& request, const Route& route,
                                          iam::CredentialStore& credentials, const std::string& region, S3Error* error,
                                          const AuthenticateOptions& options = {});

// The S3 error for a sigv4 failure.
S3Error SigV4Error(const Status& status);

// The S3 error for a session token that SessionTokens::Lookup refused
// (PermissionDenied: temporary credentials not accepted there).
S3Error SessionTokenError(const Status& status);

}  // namespace confiance::s3

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
#include "s3/router.h"
#include "s3/s3_error.h"
#include "s3/sigv4/verify.h"

namespace confiance::s3 {

struct Authenticated {
  iam::Principal principal;
  sigv4::AuthContext auth;
  bool sigv2 = false;  // signed with Signature V2 (s3/sigv4/sigv2.h)
};

// Verifies the request's signature. Returns the principal, or sets *error.
// Anonymous requests get AccessDenied (no anonymous access yet).
std::optional<Authenticated> Authenticate(const http::Request& request, const Route& route,
                                          iam::CredentialStore& credentials,
                                          const std::string& region, S3Error* error);

// The S3 error for a sigv4 failure.
S3Error SigV4Error(const Status& status);

}  // namespace confiance::s3

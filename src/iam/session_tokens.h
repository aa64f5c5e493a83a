// File: iam/session_tokens.h
// Temporary credentials (docs/sts.md): an access key id, a secret and a
// session token, issued by the STS calls to a tenant principal that signs
// with a long-term key, valid until they expire or until that key is
// disabled or deleted, whichever comes first.
//
// Nothing is stored per session. The token carries its claims (who, which
// parent key, until when, the session policy) in clear, and the secret
// sealed (crypto/envelope.h) under the server's token key with the claims
// bound as associated data, so a token whose claims were edited does not
// open:
//   token  = base64(claims JSON) "." base64(WrapKey(token key, secret, context))
//   context = "confiance/session-token/v1/" claims JSON
// The token key (32 random bytes) is made at the first issue and kept in
// the "iam" partition under "sts/key", wrapped under the KeyProvider's root
// key like the access keys' secrets (docs/meta_keys.md); a root key
// rotation rewraps it (RewrapUnderDefaultKey).
//
// Thread-safety: safe for concurrent use. Opened tokens are cached by
// access key id (bounded), so that a session's requests pay one
// comparison of the token rather than an unwrap; the parent key is checked
// on every lookup (CredentialStore's cache).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "iam/credentials.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"

namespace confiance::iam {

// What an STS call asks for; the caller validated every field (s3/sts_request.h).
struct SessionRequest {
  std::string action;  // SessionClaims::action
  std::string name;
  std::string policy;  // "" = none
  bool limited = false;
  uint64_t duration_seconds = 0;
};

struct IssuedSession {
  NewAccessKey key;  // "CT…" id and its secret
  std::string token;
  uint64_t expires_ms = 0;
};

class SessionTokens {
 public:
  SessionTokens(meta::MetaStore& store, kms::KeyProvider& keys, CredentialStore& credentials)
      : store_(store), keys_(keys), credentials_(credentials) {}

  // Issues temporary credentials for `parent`, a tenant principal signing
  // with a long-term key (InvalidArgument otherwise), valid from `now_ms`
  // for request.duration_seconds.
  Result<IssuedSession> Issue(const Principal& parent, const SessionRequest& request, uint64_t now_ms);

  // The credential that `token` makes of `access_key_id`, at `now_ms`.
  // InvalidArgument: the token is malformed, does not open under the token
  // key, or belongs to another access key id. DeadlineExceeded: it has
  // expired. FailedPrecondition: its parent key was disabled or deleted
  // since. Other codes: the store or the key provider failed.
  Result<Credential> Lookup(std::string_view access_key_id, std::string_view token, uint64_t now_ms);

  // Root key rotation: rewraps the token key under the provider's
  // DefaultKeyId() if another key wraps it. False if there was nothing to
  // do (current already, or no token key yet).
  Result<bool> RewrapUnderDefaultKey();

 private:
  // The token key: loaded (or made, the first time `create` is set) once.
  // NotFound without `create` when none exists yet.
  Result<std::shared_ptr<const crypto::SecretBytes>> TokenKey(bool create);

  meta::MetaStore& store_;
  kms::KeyProvider& keys_;
  CredentialStore& credentials_;
  std::mutex mu_;
  std::shared_ptr<const crypto::SecretBytes> token_key_;  // GUARDED_BY(mu_)
  struct Opened {
    std::string token;
    Credential credential;
  };
  std::unordered_map<std::string, Opened> opened_;  // GUARDED_BY(mu_); by access key id
};

}  // namespace confiance::iam

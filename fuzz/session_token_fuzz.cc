// File: fuzz/session_token_fuzz.cc
// libFuzzer target: opening a session token never crashes, and only the
// token the server issued opens: any other input under that access key id
// (edited claims, another seal, junk) is refused as invalid. The issued
// token is random per process, so each input is tried as a whole token and
// spliced into the issued one in place of its claims and of its seal; the
// seeds are token-shaped (base64 claims "." base64 seal) and bare claims.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "iam/session_tokens.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"

namespace {

struct World {
  confiance::meta::MemoryMetaStore store;
  confiance::kms::FakeKeyProvider keys{"fuzz-root"};
  confiance::iam::CredentialStore credentials{store, keys};
  confiance::iam::SessionTokens sessions{store, keys, credentials};
  confiance::iam::IssuedSession issued;

  World() {
    auto parent = credentials.CreateAccessKey("acme", "dev", confiance::iam::NewAccessKey{"CFPARENT", "parent-secret"});
    if (!parent.ok()) std::abort();
    auto cred = credentials.Lookup("CFPARENT");
    if (!cred.ok()) std::abort();
    confiance::iam::SessionRequest r;
    r.action = "GetFederationToken";
    r.name = "fuzz";
    r.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
    r.limited = true;
    r.duration_seconds = 3600;
    auto made = sessions.Issue(cred->principal, r, 1'000'000);
    if (!made.ok()) std::abort();
    issued = *made;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The issued token itself opens (it is random per process: checked once,
  // then every input is a candidate forgery of it).
  static const bool issued_opens =
      world->sessions.Lookup(world->issued.key.access_key_id, world->issued.token, 1'000'001).ok();
  if (!issued_opens) std::abort();
  // Splice: the input as the whole token, and the input in place of the
  // claims or of the seal.
  const std::string& token = world->issued.token;
  const size_t dot = token.find('.');
  const std::string candidates[] = {std::string(input), std::string(input) + token.substr(dot),
                                    token.substr(0, dot + 1) + std::string(input)};
  for (const std::string& c : candidates) {
    auto opened = world->sessions.Lookup(world->issued.key.access_key_id, c, 1'000'001);
    if (opened.ok() && c != token) std::abort();
    if (!opened.ok() && opened.status().code() != confiance::StatusCode::kInvalidArgument) std::abort();
  }
  return 0;
}

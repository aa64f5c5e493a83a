// File: bench/session_bench.cc
// What temporary credentials add to a request's authentication
// (iam/session_tokens.h): SessionTokens::Lookup of a token already opened
// (cached: compare the token, check the expiry and the parent key, copy the
// credential), against the long-term key's CredentialStore::Lookup it
// replaces; and the first lookup of a token (decode, parse the claims,
// unwrap the secret), which a cache miss or a restart pays once.
#include <benchmark/benchmark.h>

#include <string>

#include "iam/session_tokens.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"

namespace {

using confiance::iam::Credential;
using confiance::iam::CredentialStore;
using confiance::iam::IssuedSession;
using confiance::iam::SessionRequest;
using confiance::iam::SessionTokens;

constexpr uint64_t kNow = 1'800'000'000'000;

struct World {
  confiance::meta::MemoryMetaStore store;
  confiance::kms::FakeKeyProvider keys;
  CredentialStore credentials{store, keys};
  SessionTokens sessions{store, keys, credentials};
  std::string parent_id;
  IssuedSession issued;

  World() {
    parent_id = credentials.CreateAccessKey("acme", "dev").value().access_key_id;
    Credential parent = credentials.Lookup(parent_id).value();
    SessionRequest r;
    r.action = "GetFederationToken";
    r.name = "bench";
    // A policy of a realistic size (about 300 bytes).
    r.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],)"
               R"("Resource":"arn:aws:s3:::photos/uploads/*"},{"Effect":"Allow","Action":"s3:ListBucket",)"
               R"("Resource":"arn:aws:s3:::photos","Condition":{"StringLike":{"s3:prefix":"uploads/*"}}}]})";
    r.limited = true;
    r.duration_seconds = 3600;
    issued = sessions.Issue(parent.principal, r, kNow).value();
  }
};

void BM_LongTermKeyLookup(benchmark::State& state) {
  World w;
  for (auto _ : state) {
    auto c = w.credentials.Lookup(w.parent_id);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_LongTermKeyLookup);

void BM_SessionLookupCached(benchmark::State& state) {
  World w;
  (void)w.sessions.Lookup(w.issued.key.access_key_id, w.issued.token, kNow);
  for (auto _ : state) {
    auto c = w.sessions.Lookup(w.issued.key.access_key_id, w.issued.token, kNow);
    if (!c.ok()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_SessionLookupCached);

void BM_SessionLookupFirst(benchmark::State& state) {
  World w;
  for (auto _ : state) {
    // A fresh instance: its cache is empty, its token key not loaded yet
    // (one store read and one provider unwrap, then the token's own work).
    SessionTokens fresh(w.store, w.keys, w.credentials);
    auto c = fresh.Lookup(w.issued.key.access_key_id, w.issued.token, kNow);
    if (!c.ok()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_SessionLookupFirst);

void BM_SessionIssue(benchmark::State& state) {
  World w;
  Credential parent = w.credentials.Lookup(w.parent_id).value();
  SessionRequest r;
  r.action = "GetSessionToken";
  r.duration_seconds = 3600;
  for (auto _ : state) {
    auto s = w.sessions.Issue(parent.principal, r, kNow);
    if (!s.ok()) state.SkipWithError("issue failed");
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SessionIssue);

}  // namespace

BENCHMARK_MAIN();

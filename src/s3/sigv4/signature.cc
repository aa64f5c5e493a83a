// File: s3/sigv4/signature.cc
#include "s3/sigv4/signature.h"

#include <vector>

#include <span>

namespace confiance::sigv4 {
namespace {

std::span<const unsigned char> Bytes(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

}  // namespace

std::string CredentialScope::ToString() const {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + 16);
  out += date;
  out.push_back('/');
  out += region;
  out.push_back('/');
  out += service;
  out += "/aws4_request";
  return out;
}

SigningKey DeriveSigningKey(std::string_view secret, const CredentialScope& scope) {
  // The key changes once a day per access key and region, so each thread
  // keeps the last few it derived (four HMACs saved per request). Entries
  // are keyed by the secret itself: it already lives in this process, and
  // the map is small and thread-local.
  // The fields are compared one by one: building a combined id string on
  // every request cost an allocation (and a wipe) per request.
  struct Entry {
    std::string secret;
    CredentialScope scope;
    SigningKey key;
  };
  thread_local std::vector<Entry> cache;
  for (const Entry& e : cache) {
    if (e.scope.date == scope.date && e.scope.region == scope.region && e.scope.service == scope.service &&
        e.secret == secret) {
      return e.key;
    }
  }
  SigningKey key = DeriveSigningKeyUncached(secret, scope);
  if (cache.size() >= 16) {
    OPENSSL_cleanse(cache.front().secret.data(), cache.front().secret.size());
    cache.erase(cache.begin());
  }
  cache.push_back({std::string(secret), scope, key});
  return key;
}

SigningKey DeriveSigningKeyUncached(std::string_view secret, const CredentialScope& scope) {
  std::string k_secret = "AWS4";
  k_secret += secret;
  Digest k = HmacSha256Of(Bytes(k_secret), scope.date);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  k = HmacSha256Of(k, scope.region);
  k = HmacSha256Of(k, scope.service);
  SigningKey key(HmacSha256Of(k, "aws4_request"));
  OPENSSL_cleanse(k.data(), k.size());
  return key;
}

std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope.ToString();
  out.push_back('\n');
  out += Hex(Sha256Of(canonical_request));
  return out;
}

std::string SignatureHex(const SigningKey& key, std::string_view string_to_sign) {
  return Hex(HmacSha256Of(key.bytes(), string_to_sign));
}

std::string ChunkSignatureHex(const SigningKey& key, std::string_view amz_date,
                              const CredentialScope& scope,
                              std::string_view previous_signature,
                              const Digest& data_sha256) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts += amz_date;
  sts.push_back('\n');
  sts += scope.ToString();
  sts.push_back('\n');
  sts += previous_signature;
  sts.push_back('\n');
  sts += kEmptySha256Hex;
  sts.push_back('\n');
  sts += Hex(data_sha256);
  return SignatureHex(key, sts);
}

std::string TrailerSignatureHex(const SigningKey& key, std::string_view amz_date,
                                const CredentialScope& scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers) {
  std::string sts = "AWS4-HMAC-SHA256-TRAILER\n";
  sts += amz_date;
  sts.push_back('\n');
  sts += scope.ToString();
  sts.push_back('\n');
  sts += previous_signature;
  sts.push_back('\n');
  sts += Hex(Sha256Of(canonical_trailers));
  return SignatureHex(key, sts);
}

}  // namespace confiance::sigv4

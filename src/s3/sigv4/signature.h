// File: s3/sigv4/signature.h
// SigV4 signing primitives: credential scope, signing-key derivation, string
// to sign, and the per-chunk / trailer signatures of aws-chunked bodies.
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <string>
#include <string_view>

#include "s3/sigv4/digest.h"

namespace confiance::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// "<date>/<region>/<service>/aws4_request".
struct CredentialScope {
  std::string date;     // YYYYMMDD
  std::string region;   // e.g. "us-east-1"
  std::string service;  // "s3"
  std::string ToString() const;
};

// The 32-byte derived key kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date),
// region), service), "aws4_request"). Depends only on (secret, date, region,
// service), so callers may cache it per access key and day. Wiped on
// destruction; copyable so that a cache can hand out copies.
class SigningKey {
 public:
  SigningKey() = default;
  explicit SigningKey(const Digest& bytes) : bytes_(bytes) {}
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  const Digest& bytes() const { return bytes_; }

 private:
  Digest bytes_{};
};

SigningKey DeriveSigningKey(std::string_view secret, const CredentialScope& scope);
// The same without the per-thread cache (tests compare the two).
SigningKey DeriveSigningKeyUncached(std::string_view secret, const CredentialScope& scope);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex(SHA256(canonical_request))>".
std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request);

// Lowercase hex HMAC-SHA256(key, string_to_sign).
std::string SignatureHex(const SigningKey& key, std::string_view string_to_sign);

// Signature of one aws-chunked chunk whose data hashes to `data_sha256`:
// string to sign "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<previous>\n"
// "<hex SHA256("")>\n<hex data_sha256>".
std::string ChunkSignatureHex(const SigningKey& key, std::string_view amz_date,
                              const CredentialScope& scope,
                              std::string_view previous_signature,
                              const Digest& data_sha256);

// Signature of the trailer block: string to sign
// "AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<previous>\n<hex SHA256(
// canonical_trailers)>" where canonical_trailers is "name:value\n" per
// trailing header (lowercase name, trimmed value), x-amz-trailer-signature
// excluded.
std::string TrailerSignatureHex(const SigningKey& key, std::string_view amz_date,
                                const CredentialScope& scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers);

}  // namespace confiance::sigv4

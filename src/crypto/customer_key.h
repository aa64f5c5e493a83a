// File: crypto/customer_key.h
// SSE-C: objects encrypted under a key the customer sends with each request
// and Confiance never stores (docs/blob_format.md "SSE-C").
//
// An SSE-C object has a random per-object salt. Its data keys are wrapped
// (crypto/envelope.h) under a KEK derived from both the bucket key and the
// customer key, so that neither the operator (who can unwrap the bucket
// key) nor a customer key alone opens the data, and shredding the bucket
// key still shreds SSE-C objects:
//   KEK      = HKDF-SHA256(ikm = bucket_key | customer_key, salt,
//                          info = "confiance/sse-c/kek/v1")
// To tell a wrong key (403) from a missing one without touching the data,
// the record also keeps a verifier, a salted HMAC of the customer key:
//   verifier = HMAC-SHA256(key = customer_key,
//                          "confiance/sse-c/verifier/v1" | salt)
// The customer key itself, its MD5 and any unsalted digest of it are never
// stored or logged. DO NOT CHANGE the labels: every SSE-C object depends
// on them.
//
// Thread-safety: pure functions, safe for concurrent use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

inline constexpr size_t kCustomerKeySize = 32;       // AES256: the only SSE-C algorithm
inline constexpr size_t kCustomerKeySaltSize = 16;
inline constexpr size_t kCustomerKeyVerifierSize = 32;

// HKDF with SHA-256 (RFC 5869): `length` bytes (1..8160) of output keying
// material. Internal on an OpenSSL failure, InvalidArgument on a bad length.
Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length);

// A fresh random salt for a new SSE-C object.
Result<std::string> NewCustomerKeySalt();

// The KEK of an SSE-C object (formula above). InvalidArgument unless the
// customer key is 32 bytes, the bucket key non-empty and the salt
// kCustomerKeySaltSize bytes.
Result<SecretBytes> DeriveCustomerKek(const SecretBytes& bucket_key, const SecretBytes& customer_key,
                                      std::string_view salt);

// The verifier stored with an SSE-C object (formula above).
// REQUIRES: customer_key is kCustomerKeySize bytes.
std::string CustomerKeyVerifier(const SecretBytes& customer_key, std::string_view salt);

// Whether `customer_key` is the key `verifier` was made from, in constant
// time.
bool CustomerKeyMatches(const SecretBytes& customer_key, std::string_view salt, std::string_view verifier);

}  // namespace confiance::crypto

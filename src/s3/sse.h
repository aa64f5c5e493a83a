// File: s3/sse.h
// Server-side encryption headers of S3 requests (docs/encryption.md):
//  - x-amz-server-side-encryption on writes: AES256 (SSE-S3, what every
//    object gets anyway) and aws:kms (SSE-KMS naming a tenant key, with
//    -aws-kms-key-id, -context and -bucket-key-enabled) are accepted;
//    aws:kms:dsse is refused with 501 NotImplemented, so that a client
//    asking for it never silently gets something else; anything else is
//    400 InvalidArgument. On GetObject/HeadObject the header is 400, as S3.
//  - x-amz-server-side-encryption-customer-{algorithm,key,key-MD5} (SSE-C)
//    and their x-amz-copy-source-... twins for a CopyObject source: parsed
//    into a CustomerKey (SecretBytes, wiped when freed), checked as S3 does.
// S3 accepts SSE-C only over HTTPS. Confiance accepts it over its own TLS
// listener (`--tls-cert`), from a loopback peer (a TLS terminator on the
// same host, or a test) and, over plain HTTP from other peers, only when
// the operator says the path to a terminator in front is trusted
// (S3Options::sse_c_allow_http, `--sse-c-allow-http`); otherwise 400
// InvalidRequest as S3 answers a plain-HTTP SSE-C request.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "crypto/secret_bytes.h"
#include "http/http.h"
#include "s3/kms_context.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// A validated SSE-C key of one request. Never logged, never stored.
struct CustomerKey {
  crypto::SecretBytes key;  // 32 bytes
  std::string key_md5;      // base64 MD5 of the key, as sent (it matched)
};

// The SSE-KMS headers of a write, checked for form only: the key id is
// resolved against the bucket owner's keys by the handler (ResolveSseKms).
struct KmsRequest {
  std::string key_id;   // x-amz-server-side-encryption-aws-kms-key-id; "" = the default
  std::string context;  // x-amz-server-side-encryption-context (base64 JSON object); "" = none
  std::optional<bool> bucket_key_enabled;  // x-amz-server-side-encryption-bucket-key-enabled
};

// The SSE headers of one request, parsed once (S3Service::Dispatch).
struct RequestSse {
  std::optional<CustomerKey> customer;      // x-amz-server-side-encryption-customer-*
  std::optional<CustomerKey> copy_source;   // x-amz-copy-source-server-side-encryption-customer-*
  std::optional<KmsRequest> kms;            // x-amz-server-side-encryption: aws:kms (writes)
  bool sse_s3 = false;                      // x-amz-server-side-encryption: AES256 (writes)
};

// Whether SSE-C headers may be used on `request`'s connection (see above).
bool CustomerKeyTransportAllowed(const http::Request& request, bool allow_http);

// Parses the SSE headers of `request` for its operation (`read` for
// GetObject and HeadObject, which refuse x-amz-server-side-encryption): `write` for
// PutObject, CopyObject and CreateMultipartUpload (x-amz-server-side-
// encryption is checked there), `copy` for CopyObject (copy-source customer
// headers). On a refused request returns the S3 error: InvalidArgument for
// a missing or malformed header, a key that is not 256 bits, a key-MD5 that
// does not match, an unknown algorithm, or SSE-C combined with
// x-amz-server-side-encryption; NotImplemented for SSE-KMS; InvalidRequest
// for SSE-C over a transport CustomerKeyTransportAllowed refuses.
std::optional<S3Error> ParseRequestSse(const http::Request& request, bool write, bool copy, bool allow_http,
                                       RequestSse* out, bool read = false);

// Overwrites (OPENSSL_cleanse) the values of the customer-key headers in
// `request` and empties them, once parsed and the signature verified: the
// raw key then lives only in the CustomerKey.
void WipeCustomerKeyHeaders(http::Request& request);

// Whether `key` may read an object (or upload) whose SSE-C key check is
// (salt, verifier) (both empty: not SSE-C): nullopt if so; else
// InvalidRequest when the object is SSE-C and no key was given, or a key was
// given for an object that is not SSE-C; AccessDenied for a wrong key.
std::optional<S3Error> CheckCustomerKey(const std::optional<CustomerKey>& key, std::string_view salt,
                                        std::string_view verifier);

// The SSE headers of a response about an object: x-amz-server-side-
// encryption: AES256 for SSE-S3; for SSE-C the customer algorithm and (when
// the request carried it) the key MD5 instead; for SSE-KMS (`kms` not empty)
// aws:kms, the key id and, when enabled, bucket-key-enabled, plus the
// encryption context when `with_context` (S3 returns it on PutObject,
// CopyObject and CreateMultipartUpload, not on reads).
void AddSseResponseHeaders(std::vector<http::Header>& headers, bool sse_c, const std::optional<CustomerKey>& key,
                           const catalog::SseKms& kms = {}, bool with_context = false);

}  // namespace confiance::s3

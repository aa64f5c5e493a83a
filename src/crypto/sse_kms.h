// File: crypto/sse_kms.h
// SSE-KMS objects (docs/encryption.md "SSE-KMS"): their data keys are
// wrapped (crypto/envelope.h) under a KEK derived from the bucket key (which
// the named tenant key wraps) and bound to the key id and encryption
// context the object was written with:
//   KEK = HKDF-SHA256(ikm = bucket_key, salt = "" (none),
//                     info = "confiance/sse-kms/kek/v1" | 0 | key_id | 0 | context)
// so a record whose key id or context was altered does not open, and
// shredding the tenant (or bucket) key shreds SSE-KMS objects as the rest.
// An object under one of the tenant's named keys (docs/keys.md "Named KMS
// keys") needs that key too:
//   KEK = HKDF-SHA256(ikm = bucket_key | named_key, salt = "" (none),
//                     info = "confiance/sse-kms/kek/v2" | 0 | key_id | 0 | context)
// so that destroying the named key shreds its objects, and shredding the
// bucket or tenant key still shreds them as well.
// DO NOT CHANGE the labels or the layouts: every SSE-KMS object depends on them.
//
// Thread-safety: pure functions, safe for concurrent use.
#pragma once

#include <string_view>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

// InvalidArgument if the bucket key is empty or key_id empty.
Result<SecretBytes> DeriveKmsKek(const SecretBytes& bucket_key, std::string_view key_id, std::string_view context);
// The KEK under a named key; InvalidArgument if a key is empty or key_id empty.
Result<SecretBytes> DeriveNamedKmsKek(const SecretBytes& bucket_key, const SecretBytes& named_key,
                                      std::string_view key_id, std::string_view context);

}  // namespace confiance::crypto

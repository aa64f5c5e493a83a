// File: catalog/sse_kms_kek.h
// The KEK an SSE-KMS object's (or upload's) data keys are wrapped under
// (docs/encryption.md "SSE-KMS", crypto/sse_kms.h): derived from the bucket
// key alone when its key id names the bucket owner's tenant key, or from the
// bucket key and the named key it names (docs/keys.md "Named KMS keys"),
// which is then fetched from TenantKeys for the same use (justification and
// approval) as the bucket key. Every reader and writer of SSE-KMS data keys
// (requests, scrub, bucket-key rotation, replication, the shred check) goes
// through here, so that none forgets the named key.
//
// Errors: PermissionDenied (kKeyAccessDenied) when the named key was
// destroyed or its policy refuses the use; NotFound when the id names no
// key of the bucket's owner (a record written by this server never does).
//
// Thread-safety: as TenantKeys.
#pragma once

#include <memory>
#include <optional>

#include "catalog/records.h"
#include "catalog/tenant_keys.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/key_provider.h"

namespace confiance::catalog {

// The named key `kms` names in `bucket`, or nullopt for the owner's tenant
// key (or an id of no known form, which older records never hold).
std::optional<KmsKeyRef> NamedKmsKeyOf(const BucketRecord& bucket, const SseKms& kms);

// The KEK under `bucket_key` (one version of `bucket`'s key) for `kms`
// (not empty), from version kms.key_version of the named key it names. May read the store and call the key provider: not on
// network threads.
Result<std::shared_ptr<const crypto::SecretBytes>> SseKmsKek(TenantKeys& tenant_keys, const BucketRecord& bucket,
                                                             const crypto::SecretBytes& bucket_key, const SseKms& kms,
                                                             const kms::KeyUse& use);
// As SseKmsKek from memory alone: nullopt when the named key is not cached
// (the caller then takes the blocking path).
std::optional<Result<std::shared_ptr<const crypto::SecretBytes>>> SseKmsKekIfCached(
    TenantKeys& tenant_keys, const BucketRecord& bucket, const crypto::SecretBytes& bucket_key, const SseKms& kms,
    const kms::KeyUse& use);

}  // namespace confiance::catalog

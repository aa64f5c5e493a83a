// File: catalog/shred_blob_check.h
// The shred check's second question (docs/keys.md "Checking a shred"):
// given blob files kept aside from before a shred (a backup, a copy), does
// any data key the store still holds open them? A shred destroys the key
// above the data keys; a data key that survives elsewhere (a record the
// reclamation missed, an object that shares the blob) would still open the
// blob. Each blob is tried with every data key the store holds: every
// segment of every object version and every part of every in-progress
// upload, unwrapped under its bucket-key version (SSE-KMS: the derived KEK)
// with justification SYSTEM_MAINTENANCE. Only the first package is opened:
// AES-GCM authenticates it, so a wrong key never passes.
//
// Thread-safety: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "common/env.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::catalog {

struct HeldDataKey {
  std::string where;  // "bucket/key version V segment I", "bucket upload U part N"
  crypto::SecretBytes key;
};

struct HeldDataKeys {
  std::vector<HeldDataKey> keys;  // of blob segments only (inline ones have no blob file)
  // Data keys that could not be unwrapped, with the reason (SSE-C: the
  // customer's key is needed; a tenant policy refusing SYSTEM_MAINTENANCE):
  // with any, a blob that opens under none is not proven unreadable.
  std::vector<std::string> not_tried;
};

// Every data key the store holds (see above). Errors: the store's.
Result<HeldDataKeys> GatherHeldDataKeys(Catalog& catalog, BucketKeys& bucket_keys);

// The `where` of the first held key that opens package 0 of the blob file
// at `path`, or nullopt if none does. DataLoss if the file is not a blob
// (header); the Env's errors.
Result<std::optional<std::string>> FindKeyOpeningBlob(Env& env, const std::string& path,
                                                      const std::vector<HeldDataKey>& keys);

}  // namespace confiance::catalog

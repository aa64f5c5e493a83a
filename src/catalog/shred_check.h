// File: catalog/shred_check.h
// The shred check (docs/keys.md "Checking a shred"): after a crypto-shred,
// looks at every byte offset of every file of a data directory for a copy
// of the destroyed key that a key which remains still opens. Deleting the
// records is reclamation's job (catalog/reclaim.h); this is the proof by
// decryption that it, and the purges, left nothing behind: a destroyed key
// is only ever stored wrapped (crypto/envelope.h), so a readable copy is an
// envelope that authenticates under a remaining key with one of the
// contexts the destroyed key was wrapped with.
//
// What wraps what (docs/keys.md "The hierarchy"):
//  - scope tenant (a destroyed tenant key): the provider's keys wrap
//    tenant keys, with TenantKeyContext(tenant, version);
//  - scope bucket (a shredded bucket's key): every live tenant key version
//    (the owner's, and to be thorough every other tenant's) with
//    BucketKeyContext(id, owner, true, version), and the provider's keys
//    with BucketKeyContext(id, owner, false, version) (legacy buckets).
// Versions 1..max_version are tried (the destroyed key's own version count
// when the store still records it, never fewer than asked).
//
// Thread-safety: functions are thread-compatible (the matchers they hold
// are for one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/tenant_keys.h"
#include "common/env.h"
#include "common/status.h"
#include "crypto/envelope.h"
#include "kms/key_provider.h"

namespace confiance::catalog {

// What a deletion receipt says was destroyed (admin/deletion_receipt.h).
struct ShredScope {
  std::string tenant;
  std::string bucket_name;  // bucket scope only
  std::string bucket_id;    // bucket scope only
  bool is_bucket() const { return !bucket_id.empty(); }
};

// From a receipt's tenant and scope ("tenant" or "bucket <name> <id>").
// InvalidArgument for anything else.
Result<ShredScope> ParseShredScope(std::string_view tenant, std::string_view scope);

// The contexts a copy of the destroyed key was wrapped with, for versions
// 1..max_version, by a tenant key (`by_tenant_key`, bucket scope only) or
// by the provider. Empty for a tenant scope by a tenant key (nothing wraps
// a tenant key but the provider).
std::vector<std::string> DestroyedKeyContexts(const ShredScope& scope, bool by_tenant_key, uint32_t max_version);

// A key that remains, able to test candidates against `contexts` (the
// matcher's contexts, in the same order, before any provider framing).
struct RemainingKey {
  std::string name;  // e.g. "provider key root-1a2b3c4d", "tenant key acme v2"
  std::vector<std::string> contexts;
  std::unique_ptr<crypto::EnvelopeMatcher> matcher;
};

struct ShredCheckKeys {
  std::vector<RemainingKey> wrappers;  // what every candidate is tried against
  // Every key that remains and was reached: provider key versions, live
  // tenant key versions, live bucket key versions.
  uint64_t remaining = 0;
  // Keys that remain but could not be tried, with the reason (a KMS
  // provider, a tenant policy refusing SYSTEM_MAINTENANCE, a tenant's own
  // KMS): with any of them the check is not conclusive.
  std::vector<std::string> not_tried;
  uint32_t max_version = 0;  // versions 1..max_version were tried
};

// Gathers the remaining keys (tenant and bucket keys unwrapped with
// justification SYSTEM_MAINTENANCE; provider keys through
// kms::WrapMatching, their material staying in the provider) and builds the
// matchers for `scope`. `min_versions`: versions tried at least.
// Errors: the store's.
Result<ShredCheckKeys> GatherShredCheckKeys(const ShredScope& scope, kms::KeyProvider& provider,
                                            TenantKeys& tenant_keys, BucketKeys& bucket_keys, Catalog& catalog,
                                            uint32_t min_versions);

// A readable copy of the destroyed key.
struct ShredHit {
  std::string file;
  uint64_t offset = 0;
  std::string key;      // the RemainingKey's name
  std::string context;  // the context it opens with
};

struct ShredScan {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<ShredHit> hits;
};

// Tries every byte offset of every regular file under each of `roots`
// (recursively; a root may be a file) against every key of `keys`. Files
// are read through `env`, in blocks, with an overlap so that an envelope
// across two blocks is seen. Errors: the Env's (a file that cannot be
// read is an error, not a pass).
Result<ShredScan> ScanForDestroyedKey(Env& env, const std::vector<std::string>& roots,
                                      std::vector<RemainingKey>& keys);

}  // namespace confiance::catalog

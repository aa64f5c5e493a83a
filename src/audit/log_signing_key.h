// File: audit/log_signing_key.h
// The server's transparency-log signing key: one Ed25519 key whose name (the
// server name) prefixes every log origin and signs every checkpoint. It is
// made on first start and kept in the metadata store sealed under the root
// key (as every other key Confiance stores, see docs/audit-log.md): the
// seed is never written in clear. Auditors pin its verifier key
// ("<name>+<hash>+<base64>"), which the server prints at start and serves.
//
// Thread-safety: plain functions; call at start-up.
#pragma once

#include <string_view>

#include "audit/tlog/note.h"
#include "common/status.h"
#include "kms/key_provider.h"
#include "meta/meta_store.h"

namespace confiance::audit {

// The metadata partition and key that hold the sealed signing key.
inline constexpr std::string_view kAuditPartition = "audit";
inline constexpr std::string_view kSigningKeyRecord = "signing-key";

// Loads the signing key, or creates it on first start under the name
// `name` (or `default_name` when `name` is empty). Since origins must never
// change, a `name` that differs from the stored key's name is refused
// (FailedPrecondition) rather than silently renaming every log.
// InvalidArgument for a name that cannot be a key name or origin prefix
// (whitespace, '+', more than 128 bytes); DataLoss for a malformed record;
// the key provider's error if the seal does not open.
// Loads the stored signing key; NotFound if none was made yet (offline
// tools, which must not make one), else as below.
Result<tlog::NoteSigner> LoadLogSigner(meta::MetaStore& store, kms::KeyProvider& keys);

Result<tlog::NoteSigner> LoadOrCreateLogSigner(meta::MetaStore& store, kms::KeyProvider& keys,
                                               std::string_view name, std::string_view default_name);

// Root key rotation (docs/keys.md "Rotating the root key"): reseals the
// stored signing key under keys.DefaultKeyId() if another provider key
// sealed it (compare-and-set of the record; the key itself, and so every
// checkpoint signature, is unchanged). False if there is nothing to do
// (already current, or no key yet).
Result<bool> RewrapLogSignerUnderDefaultKey(meta::MetaStore& store, kms::KeyProvider& keys);

}  // namespace confiance::audit

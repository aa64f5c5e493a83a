// File: admin/deletion_receipt.h
// The signed receipt of a crypto-shredding (docs/keys.md): what was
// destroyed, when, which key, and by whom, as a C2SP signed note signed by
// the server's transparency-log key (the key tenants and auditors already
// pin to verify checkpoints), so that it can be checked offline with
// `confiance log verify-receipt` or any signed-note verifier. The note's
// text, one "field value" line each:
//
//   confiance deletion receipt v1
//   server <the signer's name>
//   tenant <tenant id>
//   scope tenant
//   key <provider key id of the destroyed key>
//   destroyed <RFC 3339 UTC time, milliseconds>
//   by <kind> <name> access-key <access key id>
//   reclamation <what happens to the data>    (optional, last)
//
// `scope` is "tenant" (the tenant key) or "bucket <name> <bucket id>" (a
// bucket shred: the bucket key, `key` naming what it was wrapped under).
// `reclamation` says that the records and blobs are removed by a
// background job after the receipt (docs/keys.md "Reclamation").
//
// ("by operator NAME ..." or "by tenant TENANT/USER ...".) The receipt
// holds no key material. Its entry in the tenant's and operator's logs
// (DestroyTenantKey) is made when the request is answered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/tlog/note.h"
#include "common/status.h"
#include "iam/credentials.h"

namespace confiance::admin {

struct DeletionReceipt {
  std::string server;
  std::string tenant;
  std::string scope = "tenant";
  std::string key_id;
  int64_t destroyed_ms = 0;
  std::string by;  // "operator NAME access-key AK" / "tenant T/USER access-key AK"
  std::string reclamation;  // "" = no such line
};

inline constexpr std::string_view kDeletionReceiptHeader = "confiance deletion receipt v1";

// RFC 3339 UTC with milliseconds, as the "destroyed" field is written.
std::string ReceiptTime(int64_t ms);
// The "by" field for `caller`.
std::string ReceiptPrincipal(const iam::Principal& caller);
// The note text above (ends in "\n").
std::string DeletionReceiptText(const DeletionReceipt& receipt);
// The "reclamation" value for a shred of a `what` ("tenant", "bucket").
std::string ReclamationNote(std::string_view what);
// Signs the text with `signer` (server = the signer's name).
Result<std::string> SignDeletionReceipt(DeletionReceipt receipt, const audit::tlog::NoteSigner& signer);
// Checks `note`'s signature against `verifier` and parses its text.
// Unauthenticated for a missing or bad signature; InvalidArgument if the
// text is not a receipt of this version (a missing, repeated, unknown or
// out-of-order field).
Result<DeletionReceipt> OpenDeletionReceipt(std::string_view note, const audit::tlog::NoteVerifier& verifier);

}  // namespace confiance::admin

// File: main/shred_check_command.cc
#include "main/shred_check_command.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "admin/deletion_receipt.h"
#include "audit/log_signing_key.h"
#include "audit/tlog/note.h"
#include "catalog/shred_blob_check.h"
#include "catalog/shred_check.h"

namespace confiance {
namespace {

int ShredCheckFailed(const std::string& what, const Status& st) {
  std::fprintf(stderr, "confiance admin shred-check: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 2;
}

// The receipt, checked against the data directory's own log key: a receipt
// of another server, or altered, is refused.
Result<admin::DeletionReceipt> OpenReceipt(DataDir& dir, const std::string& receipt_file) {
  ASSIGN_OR_RETURN(std::string note, ReadSmallFile(*Env::Default(), receipt_file));
  Result<audit::tlog::NoteSigner> signer = audit::LoadLogSigner(*dir.meta, *dir.keys);
  if (signer.status().code() == StatusCode::kNotFound) {
    return NotFoundError(dir.path + " has no transparency-log key to check the receipt against");
  }
  RETURN_IF_ERROR(signer.status());
  ASSIGN_OR_RETURN(audit::tlog::NoteVerifier verifier, audit::tlog::NoteVerifier::FromKey(signer->VerifierKey()));
  return admin::OpenDeletionReceipt(note, verifier);
}

// DIR and every other pool's directory (outside DIR by construction).
Result<std::vector<std::string>> ScanRoots(const ShredCheckFlags& flags) {
  ASSIGN_OR_RETURN(std::vector<sovereignty::PoolSpec> pools,
                   LoadPools(*Env::Default(), flags.pools_file, std::string(sovereignty::kDefaultJurisdiction)));
  std::vector<std::string> roots{flags.data};
  for (const sovereignty::PoolSpec& p : pools) {
    if (!p.is_default && !p.directory.empty()) roots.push_back(p.directory);
  }
  return roots;
}

// Tries each blob file with every data key the store holds, one line each;
// returns how many open. Appends the keys that could not be tried.
Result<size_t> CheckBlobs(const std::vector<std::string>& blobs, DataDir& dir, std::vector<std::string>& not_tried) {
  if (blobs.empty()) return size_t{0};
  ASSIGN_OR_RETURN(catalog::HeldDataKeys held, catalog::GatherHeldDataKeys(*dir.catalog, *dir.bucket_keys));
  size_t open = 0;
  for (const std::string& blob : blobs) {
    ASSIGN_OR_RETURN(std::optional<std::string> opener, catalog::FindKeyOpeningBlob(*Env::Default(), blob, held.keys));
    if (opener) {
      ++open;
      std::printf("BLOB %s: still readable: opens under the data key of %s\n", blob.c_str(), opener->c_str());
    } else {
      std::printf("BLOB %s: opens under none of the %zu data keys the store holds\n", blob.c_str(), held.keys.size());
    }
  }
  not_tried.insert(not_tried.end(), held.not_tried.begin(), held.not_tried.end());
  return open;
}

}  // namespace

int RunShredCheck(const ShredCheckFlags& flags, const KmsOptions& kms) {
  Result<std::vector<std::string>> roots = ScanRoots(flags);
  if (!roots.ok()) return ShredCheckFailed("reading --pools", roots.status());
  // Read-only: opening the store for writing would replay its WAL into a
  // new table file and delete the WAL, and with it what we look for.
  Result<std::unique_ptr<DataDir>> dir = DataDir::OpenReadOnly(*Env::Default(), flags.data, kms);
  if (!dir.ok()) return ShredCheckFailed("cannot open data directory " + flags.data, dir.status());
  Result<admin::DeletionReceipt> receipt = OpenReceipt(**dir, flags.receipt);
  if (!receipt.ok()) return ShredCheckFailed("the receipt " + flags.receipt, receipt.status());
  Result<catalog::ShredScope> scope = catalog::ParseShredScope(receipt->tenant, receipt->scope);
  if (!scope.ok()) return ShredCheckFailed("the receipt " + flags.receipt, scope.status());

  const auto start = std::chrono::steady_clock::now();
  Result<catalog::ShredCheckKeys> keys = catalog::GatherShredCheckKeys(
      *scope, *(*dir)->keys, *(*dir)->tenant_keys, *(*dir)->bucket_keys, *(*dir)->catalog, flags.versions);
  if (!keys.ok()) return ShredCheckFailed("gathering the keys that remain", keys.status());
  std::printf("shred-check: the key %s of tenant %s, scope %s, destroyed at %s: trying key versions 1..%u "
              "under %zu wrapping keys\n",
              receipt->key_id.c_str(), receipt->tenant.c_str(), receipt->scope.c_str(),
              admin::ReceiptTime(receipt->destroyed_ms).c_str(), keys->max_version, keys->wrappers.size());
  std::fflush(stdout);
  const auto scan_start = std::chrono::steady_clock::now();
  // Metadata encrypted at rest is scanned as it decrypts: a stale copy of
  // the key in an old table file is still there for whoever holds the
  // metadata key.
  std::unique_ptr<crypto::EncryptedEnv> meta_scope;
  if ((*dir)->meta_env != nullptr) {
    Result<std::unique_ptr<crypto::EncryptedEnv>> scoped = (*dir)->meta_env->OnlyUnder(flags.data + "/meta/");
    if (!scoped.ok()) return ShredCheckFailed("scanning", scoped.status());
    meta_scope = std::move(scoped).value();
  }
  Env& scan_env = meta_scope != nullptr ? static_cast<Env&>(*meta_scope) : *Env::Default();
  Result<catalog::ShredScan> scan = catalog::ScanForDestroyedKey(scan_env, *roots, keys->wrappers);
  if (!scan.ok()) return ShredCheckFailed("scanning", scan.status());
  const auto end = std::chrono::steady_clock::now();
  const double scan_s = std::chrono::duration<double>(end - scan_start).count();
  const double total_s = std::chrono::duration<double>(end - start).count();

  for (const catalog::ShredHit& h : scan->hits) {
    std::printf("FOUND: a copy of the destroyed key is still readable at %s offset %llu (opens under %s, context %s)\n",
                h.file.c_str(), static_cast<unsigned long long>(h.offset), h.key.c_str(), h.context.c_str());
  }
  std::vector<std::string> not_tried = keys->not_tried;
  Result<size_t> blobs_open = CheckBlobs(flags.blobs, **dir, not_tried);
  if (!blobs_open.ok()) return ShredCheckFailed("checking the blob files", blobs_open.status());
  for (const std::string& n : not_tried) std::printf("NOT TRIED: %s\n", n.c_str());
  const unsigned long long files = scan->files, bytes = scan->bytes;
  const unsigned long long remaining = keys->remaining;
  if (!scan->hits.empty() || *blobs_open > 0) {
    std::printf("FAIL: %zu readable copy(ies) of the destroyed key", scan->hits.size());
    if (!flags.blobs.empty()) std::printf(", %zu of %zu blob file(s) readable", *blobs_open, flags.blobs.size());
    std::printf(" (%llu files, %llu bytes scanned in %.2f s)\n", files, bytes, scan_s);
    return 1;
  }
  if (!not_tried.empty()) {
    std::printf("INCOMPLETE: no copy of the destroyed key opens with the keys tried, but %zu key(s) could not "
                "be tried (%llu files, %llu bytes scanned in %.2f s)\n",
                not_tried.size(), files, bytes, scan_s);
    return 2;
  }
  std::printf("OK: no copy of the destroyed key opens with any of the %llu keys that remain "
              "(%llu files, %llu bytes scanned in %.2f s; %.2f s in all)",
              remaining, files, bytes, scan_s, total_s);
  if (!flags.blobs.empty()) std::printf("; none of the %zu blob file(s) opens", flags.blobs.size());
  std::printf("\n");
  return 0;
}

}  // namespace confiance

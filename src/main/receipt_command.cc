// File: main/receipt_command.cc
#include "main/receipt_command.h"

#include <cstdio>

#include "admin/deletion_receipt.h"
#include "audit/tlog/note.h"
#include "common/ascii.h"
#include "common/env.h"

namespace confiance {
namespace {

int ReceiptInputError(const std::string& what, const Status& st) {
  std::fprintf(stderr, "confiance log verify-receipt: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 2;
}

}  // namespace

int RunReceiptVerify(const ReceiptVerifyFlags& flags) {
  Env& env = *Env::Default();
  std::string key = flags.key;
  if (!flags.key_file.empty()) {
    Result<std::string> text = ReadSmallFile(env, flags.key_file);
    if (!text.ok()) return ReceiptInputError("reading --key-file", text.status());
    key = std::move(*text);
  }
  key = TrimTrailingNewlines(std::move(key));
  if (key.empty()) {
    std::fprintf(stderr, "confiance log verify-receipt: a pinned verifier key (--key or --key-file) is required\n");
    return 2;
  }
  Result<audit::tlog::NoteVerifier> verifier = audit::tlog::NoteVerifier::FromKey(key);
  if (!verifier.ok()) return ReceiptInputError("the verifier key", verifier.status());
  Result<std::string> note = ReadSmallFile(env, flags.receipt);
  if (!note.ok()) return ReceiptInputError("reading the receipt", note.status());
  Result<admin::DeletionReceipt> receipt = admin::OpenDeletionReceipt(*note, *verifier);
  if (!receipt.ok()) {
    std::printf("FAIL: %s\n", receipt.status().message().c_str());
    return 1;
  }
  if (receipt->scope == "tenant") {
    std::printf("OK: signed by %s: the key %s of %s %s was destroyed at %s by %s\n", receipt->server.c_str(),
                receipt->key_id.c_str(), receipt->scope.c_str(), receipt->tenant.c_str(),
                admin::ReceiptTime(receipt->destroyed_ms).c_str(), receipt->by.c_str());
  } else {
    // "bucket <name> <id>": a bucket shred.
    std::printf("OK: signed by %s: the key %s of %s (tenant %s) was destroyed at %s by %s\n", receipt->server.c_str(),
                receipt->key_id.c_str(), receipt->scope.c_str(), receipt->tenant.c_str(),
                admin::ReceiptTime(receipt->destroyed_ms).c_str(), receipt->by.c_str());
  }
  if (!receipt->reclamation.empty()) std::printf("reclamation: %s\n", receipt->reclamation.c_str());
  return 0;
}

}  // namespace confiance

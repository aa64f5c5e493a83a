// File: main/receipt_command.h
// `confiance log verify-receipt`: checks a deletion receipt
// (admin/deletion_receipt.h) against the server's pinned log verifier key,
// offline, and prints what it attests.
//
//   confiance log verify-receipt --key NAME+HASH+KEY | --key-file F  RECEIPT
#pragma once

#include <string>

namespace confiance {

struct ReceiptVerifyFlags {
  std::string key;
  std::string key_file;
  std::string receipt;  // file holding the signed note
};

// Prints "OK: ..." and returns 0 for a receipt signed by the pinned key;
// "FAIL: <reason>" and 1 if it is not; 2 if the input cannot be read.
int RunReceiptVerify(const ReceiptVerifyFlags& flags);

}  // namespace confiance

// File: main/shred_check_command.h
// `confiance admin shred-check --data DIR --receipt FILE [--pools F]
// [--versions N] [KMS options] [BLOB...]` (server stopped): after a crypto-shred,
// tries every byte offset of every file of the data directory (and of the
// other storage pools' directories) as a wrapped copy of the destroyed key
// under every key that remains (catalog/shred_check.h, docs/keys.md
// "Checking a shred"). The receipt is checked against the data directory's
// own transparency-log key first. Blob files named after the options
// (copies kept aside from before the shred) are each tried with every data
// key the store still holds.
#pragma once

#include <string>
#include <vector>

#include "main/data_dir.h"

namespace confiance {

struct ShredCheckFlags {
  std::string data = "./data";
  std::string receipt;     // file holding the signed deletion receipt
  std::string pools_file;  // the server's --pools file ("" = none)
  uint32_t versions = 8;   // key versions tried at least
  // Blob files kept aside from before the shred: each is tried with every
  // data key the store still holds (catalog/shred_blob_check.h).
  std::vector<std::string> blobs;
};

// Prints one "FOUND ..." line per readable copy, one "BLOB ..." line per
// blob file, and a summary to stdout. Returns 0 if no copy opens under any
// remaining key and no blob under any held data key ("OK: ..."), 1 if one
// does, 2 if the check could not run or was not conclusive (a remaining
// key that could not be tried: "INCOMPLETE: ...").
int RunShredCheck(const ShredCheckFlags& flags, const KmsOptions& kms);

}  // namespace confiance

// File: main/scrub_command.h
// `confiance admin scrub --data DIR`: reads back and authenticates every
// object of a data directory (server stopped) and reports damaged objects.
#pragma once

#include <string>

#include "main/data_dir.h"

namespace confiance {

// Prints one line per damaged object and a summary to stdout. Returns 0 if
// the store is clean, 1 if damage was found, 2 if the scrub could not run.
// `pools_file`: the server's --pools file ("" = none), so that blobs in
// every pool are found.
int RunScrub(const std::string& data_dir, const KmsOptions& kms, const std::string& pools_file = "");

}  // namespace confiance

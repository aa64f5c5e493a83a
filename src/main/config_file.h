// File: main/config_file.h
// `confiance server --config FILE`: the server's options from a TOML file,
// for operators who keep them in /etc (docs/operations.md). Each top-level
// key is an option's long name without "--", its value the option's value:
//
//   listen = "0.0.0.0:9000"
//   data = "/var/lib/confiance"
//   no-console = true
//   hyok-allow = ["kms1.example:5696", "kms2.example:5696"]
//
// The file is turned into command-line arguments ("--listen=0.0.0.0:9000")
// placed before the real ones, so that CLI11 checks every value exactly as
// it checks the command line. An option the command line gives itself
// overrides the file's. Nothing secret belongs in the file: secrets are
// named by file (--tls-key, --metrics-token-file, --webhook-secret-file) or
// come from the environment (CONFIANCE_ROOT_SECRET_KEY).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance {

// `args` are the arguments after the subcommand, in order. Without a
// `--config FILE` (or `--config=FILE`) among them, returns them unchanged.
// With one, returns the file's options as arguments followed by `args`,
// leaving out every key whose option `args` already gives. `is_option(name)`
// says whether `--name` is an option of the subcommand. InvalidArgument,
// naming the file and the key, for TOML that does not parse, a key that is
// no option (or is "config"), a table, an array of anything but strings and
// numbers, or two --config; the file's read error if it cannot be read.
Result<std::vector<std::string>> ExpandConfigFile(const std::vector<std::string>& args,
                                                  const std::function<bool(std::string_view)>& is_option);

}  // namespace confiance

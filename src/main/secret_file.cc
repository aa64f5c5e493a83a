// File: main/secret_file.cc
#include "main/secret_file.h"

#include <fstream>
#include <iterator>

#include "common/ascii.h"

namespace confiance {

Result<std::string> ReadSecretFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  std::string secret =
      TrimTrailingNewlines(std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
  if (!in.good() && !in.eof()) return InvalidArgumentError(flag + ": cannot read " + path);
  if (secret.empty()) return InvalidArgumentError(flag + ": cannot read a secret from " + path);
  return secret;
}

}  // namespace confiance

// File: main/secret_file.cc
#include "main/secret_file.h"

#include <openssl/crypto.h>

#include <fstream>
#include <iterator>
#include <span>

namespace confiance {

Result<crypto::SecretBytes> ReadSecretFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const bool read_error = !in.good() && !in.eof();
  // Trimmed in place, so that no second copy of the secret is left unwiped.
  size_t size = text.size();
  while (size > 0 && (text[size - 1] == '\n' || text[size - 1] == '\r')) --size;
  crypto::SecretBytes secret(std::as_bytes(std::span(text.data(), size)));
  OPENSSL_cleanse(text.data(), text.size());
  if (read_error) return InvalidArgumentError(flag + ": cannot read " + path);
  if (secret.empty()) return InvalidArgumentError(flag + ": cannot read a secret from " + path);
  return secret;
}

}  // namespace confiance

// File: crypto/random.cc
#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/openssl_util.h"

namespace confiance::crypto {

Status FillRandom(std::span<std::byte> out) {
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  size_t left = out.size();
  while (left > 0) {
    int n = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    if (RAND_bytes(p, n) != 1) {
      if (!out.empty()) std::memset(out.data(), 0, out.size());
      return internal::OpenSslError("RAND_bytes");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return OkStatus();
}

Result<SecretBytes> RandomBytes(size_t n) {
  SecretBytes out(n);
  RETURN_IF_ERROR(FillRandom(out.mutable_span()));
  return out;
}

Result<std::string> RandomHex(size_t nbytes) {
  ASSIGN_OR_RETURN(SecretBytes raw, RandomBytes(nbytes));
  return HexEncode(raw.span());
}

}  // namespace confiance::crypto

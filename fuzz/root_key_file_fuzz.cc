// File: fuzz/root_key_file_fuzz.cc
// libFuzzer target: the embedded keystore's root key file decoder
// (versions 1 and 2, kms/embedded/key_file_format.h) never crashes, and
// every file it accepts re-encodes to the same bytes (version 2 with one
// key aside: the encoder writes that as version 1).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "kms/embedded/embedded_key_provider.h"

using namespace confiance::kms::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto decoded = DecodeKeyFile(in);
  if (!decoded.ok()) return 0;
  std::vector<DecodedKeyVersion> versions;
  versions.push_back(DecodedKeyVersion{decoded->key_id, decoded->key.Clone()});
  for (const DecodedKeyVersion& v : decoded->older) versions.push_back(DecodedKeyVersion{v.key_id, v.key.Clone()});
  const bool one_key_v2 = in[4] == 2 && versions.size() == 1;
  if (!one_key_v2 && EncodeKeyFileVersions(versions) != in) std::abort();
  return 0;
}

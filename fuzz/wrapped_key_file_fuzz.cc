// File: fuzz/wrapped_key_file_fuzz.cc
// libFuzzer target: the wrapped key file's parser (DIR/meta.key,
// kms/wrapped_key_file.h) never crashes, and every file it accepts is the
// one its formatter writes for what it parsed: one text per key, so no two
// files differ in what they say only by layout.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kms/wrapped_key_file.h"

using namespace confiance::kms::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseWrappedKeyFile(in);
  if (!parsed.ok()) return 0;
  if (parsed->key_id.empty() || FormatWrappedKeyFile(*parsed) != in) std::abort();
  return 0;
}

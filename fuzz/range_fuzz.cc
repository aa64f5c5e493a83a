// File: fuzz/range_fuzz.cc
// libFuzzer target: Range header resolution never yields a range outside
// the object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "s3/range.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t object_size;
  std::memcpy(&object_size, data, 8);
  object_size %= (uint64_t{1} << 40);
  std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  confiance::s3::RangeResult r = confiance::s3::ResolveRange(header, object_size);
  if (r.outcome == confiance::s3::RangeOutcome::kPartial &&
      (r.range.first > r.range.last || r.range.last >= object_size)) {
    std::abort();
  }
  return 0;
}

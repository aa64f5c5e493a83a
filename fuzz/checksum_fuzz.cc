// File: fuzz/checksum_fuzz.cc
// libFuzzer target: GetObjectAttributes' header parsers
// (x-amz-object-attributes, x-amz-max-parts, x-amz-part-number-marker)
// accept or refuse any value without crashing, and the additional
// checksums streamed over any split equal the one-shot value and, for
// CRC32, a bitwise reference. (s3/checksum_request.h needs http::Request,
// whose Asio coroutine header clang cannot build with Boost 1.74; its
// value decoding is Base64Decode plus a size check, unit-tested.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/checksum.h"
#include "s3/object_attributes.h"

namespace {

namespace s3 = confiance::s3;
namespace crypto = confiance::crypto;

uint32_t ReferenceCrc32(std::string_view data) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t selector = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  auto attributes = s3::ParseObjectAttributes(in);
  if (attributes.ok() && !(attributes->etag || attributes->checksum || attributes->object_parts ||
                           attributes->storage_class || attributes->object_size)) {
    std::abort();  // accepted means at least one attribute
  }
  auto window = s3::ParsePartWindow(in, in.substr(in.size() / 2));
  if (window.ok() && (window->max_parts < 0 || window->max_parts > 1000 || window->marker < 0)) std::abort();

  const auto algorithm = static_cast<crypto::ChecksumAlgorithm>(selector % 4);
  size_t cut = in.empty() ? 0 : static_cast<size_t>(data[size - 1]) % (in.size() + 1);
  crypto::Checksummer c(algorithm);
  c.Update(in.substr(0, cut));
  c.Update(in.substr(cut));
  std::string streamed = c.Finish();
  if (streamed != crypto::ComputeChecksum(algorithm, in)) std::abort();
  if (algorithm == crypto::ChecksumAlgorithm::kCrc32) {
    uint32_t want = ReferenceCrc32(in);
    std::string be = {static_cast<char>(want >> 24), static_cast<char>(want >> 16), static_cast<char>(want >> 8),
                      static_cast<char>(want)};
    if (streamed != be) std::abort();
  }
  return 0;
}

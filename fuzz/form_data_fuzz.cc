// File: fuzz/form_data_fuzz.cc
// libFuzzer target: the multipart/form-data parser of POST object. Whatever
// the body and however it is cut into reads, the parser terminates, never
// hands out more than its buffer, and gives the same parts for a one-shot
// feed as for a byte-by-byte one. Input: byte 0 = boundary length (mod 16,
// plus 1), then the boundary, then byte = chunk size, then the body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "s3/form_data.h"

namespace {

using confiance::s3::FormDataParser;

// A transcript of the events; "" on error.
std::string Run(std::string_view boundary, std::string_view body, size_t chunk) {
  constexpr size_t kBuffer = 16 * 1024;
  FormDataParser p(boundary, kBuffer);
  std::string out;
  size_t fed = 0;
  for (size_t steps = 0; steps < 4 * body.size() + 1000; ++steps) {
    confiance::Result<FormDataParser::Event> ev = p.Next();
    if (!ev.ok()) return "error";
    switch (*ev) {
      case FormDataParser::Event::kNeedInput: {
        if (fed == body.size()) {
          p.CloseInput();
          break;
        }
        std::span<char> space = p.InputSpace();
        if (space.empty()) std::abort();
        size_t n = std::min({chunk, space.size(), body.size() - fed});
        std::memcpy(space.data(), body.data() + fed, n);
        p.Commit(n);
        fed += n;
        break;
      }
      case FormDataParser::Event::kPartBegin:
        out += "[" + p.part().name + "|" + p.part().filename.value_or("-") + "|" + p.part().content_type + "]";
        break;
      case FormDataParser::Event::kData:
        if (p.data().empty() || p.data().size() > kBuffer) std::abort();
        out += p.data();
        break;
      case FormDataParser::Event::kPartEnd:
        out += "<end>";
        break;
      case FormDataParser::Event::kEnd:
        return out + "<done>";
    }
  }
  std::abort();  // no progress
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  size_t blen = data[0] % 16 + 1;
  if (size < 2 + blen) return 0;
  std::string_view boundary(reinterpret_cast<const char*>(data + 1), blen);
  size_t chunk = data[1 + blen] % 64 + 1;
  std::string_view body(reinterpret_cast<const char*>(data + 2 + blen), size - 2 - blen);
  std::string whole = Run(boundary, body, body.size() + 1);
  std::string pieces = Run(boundary, body, chunk);
  if (whole != pieces) std::abort();
  return 0;
}

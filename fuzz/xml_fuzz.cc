// File: fuzz/xml_fuzz.cc
// libFuzzer target: the S3 request-document parsers (CompleteMultipartUpload,
// CreateBucketConfiguration, Delete) must reject or accept any input without
// crashing, and escaping must always produce text without raw markup.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)confiance::s3::xml::ParseCompleteMultipartUpload(in);
  (void)confiance::s3::xml::ParseCreateBucketConfiguration(in);
  (void)confiance::s3::xml::ParseDeleteObjects(in);
  std::string out;
  confiance::s3::xml::AppendEscaped(out, in);
  if (out.find('<') != std::string::npos || out.find('>') != std::string::npos) std::abort();
  return 0;
}

// File: fuzz/xml_fuzz.cc
// libFuzzer target: the S3 request-document parsers (CompleteMultipartUpload,
// CreateBucketConfiguration, Delete, Tagging, CORSConfiguration) must reject
// or accept any input without crashing; escaping must always produce text
// without raw markup; and what GetBucketCors / GetObjectTagging render from
// a parsed document must parse back to the same rules and tags.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "s3/xml/cors_xml.h"
#include "s3/xml/tagging_xml.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace {

namespace xml = confiance::s3::xml;

void CheckTaggingRoundTrip(std::string_view in) {
  auto parsed = xml::ParseTagging(in);
  if (!parsed.ok()) return;
  std::map<std::string, std::string> tags(parsed->begin(), parsed->end());
  auto again = xml::ParseTagging(xml::RenderTagging(tags));
  if (!again.ok()) std::abort();
  if (std::map<std::string, std::string>(again->begin(), again->end()) != tags) std::abort();
}

void CheckCorsRoundTrip(std::string_view in) {
  auto parsed = xml::ParseCorsConfiguration(in);
  if (!parsed.ok()) return;
  auto again = xml::ParseCorsConfiguration(xml::RenderCorsConfiguration(*parsed));
  if (!again.ok() || *again != *parsed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)xml::ParseCompleteMultipartUpload(in);
  (void)xml::ParseCreateBucketConfiguration(in);
  (void)xml::ParseDeleteObjects(in);
  CheckTaggingRoundTrip(in);
  CheckCorsRoundTrip(in);
  std::string out;
  xml::AppendEscaped(out, in);
  if (out.find('<') != std::string::npos || out.find('>') != std::string::npos) std::abort();
  return 0;
}

// File: fuzz/xml_fuzz.cc
// libFuzzer target: the S3 request-document parsers (CompleteMultipartUpload,
// CreateBucketConfiguration, Delete, Tagging, CORSConfiguration,
// AccessControlPolicy, OwnershipControls, PublicAccessBlockConfiguration,
// ServerSideEncryptionConfiguration, ReplicationConfiguration,
// BucketLoggingStatus, WebsiteConfiguration, InventoryConfiguration)
// must reject or accept any input without crashing; escaping must always
// produce text without raw markup; and a document these parsers accept must
// survive render -> parse unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "s3/xml/acl_xml.h"
#include "s3/xml/cors_xml.h"
#include "s3/xml/encryption_xml.h"
#include "s3/xml/inventory_xml.h"
#include "s3/xml/logging_xml.h"
#include "s3/xml/replication_xml.h"
#include "s3/xml/tagging_xml.h"
#include "s3/xml/website_xml.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace {

namespace xml = confiance::s3::xml;

// Parse(Render(v)) must give back v for every v the parser produced.
template <typename T, typename Render, typename Parse>
void CheckRoundTrip(const T& value, Render render, Parse parse) {
  auto again = parse(render(value));
  if (!again.ok() || !(*again == value)) std::abort();
}

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
  (void)xml::ParseVersioningConfiguration(in);
  if (auto acl = xml::ParseAccessControlPolicy(in); acl.ok()) {
    CheckRoundTrip(*acl, xml::RenderAccessControlPolicy, xml::ParseAccessControlPolicy);
  }
  if (auto ownership = xml::ParseOwnershipControls(in); ownership.ok()) {
    CheckRoundTrip(*ownership, xml::RenderOwnershipControls, xml::ParseOwnershipControls);
  }
  if (auto block = xml::ParsePublicAccessBlock(in); block.ok()) {
    CheckRoundTrip(*block, xml::RenderPublicAccessBlock, xml::ParsePublicAccessBlock);
  }
  if (auto enc = xml::ParseServerSideEncryptionConfiguration(in); enc.ok()) {
    CheckRoundTrip(*enc, xml::RenderServerSideEncryptionConfiguration,
                   xml::ParseServerSideEncryptionConfiguration);
  }
  if (auto replication = xml::ParseReplicationConfiguration(in); replication.ok()) {
    // What is not offered is kept for the validator, not rendered.
    bool offered = true;
    for (const auto& rule : replication->rules) offered = offered && rule.enabled_unsupported.empty();
    if (offered) {
      CheckRoundTrip(*replication, xml::RenderReplicationConfiguration, xml::ParseReplicationConfiguration);
    }
  }
  // TargetGrants are noted (and refused by the handler), not rendered.
  if (auto logging = xml::ParseBucketLoggingStatus(in); logging.ok() && !(*logging && (*logging)->has_target_grants)) {
    CheckRoundTrip(*logging, xml::RenderBucketLoggingStatus, xml::ParseBucketLoggingStatus);
  }
  if (auto website = xml::ParseWebsiteConfiguration(in); website.ok()) {
    CheckRoundTrip(*website, xml::RenderWebsiteConfiguration, xml::ParseWebsiteConfiguration);
  }
  if (auto inventory = xml::ParseInventoryConfiguration(in); inventory.ok()) {
    CheckRoundTrip(*inventory, xml::RenderInventoryConfiguration, xml::ParseInventoryConfiguration);
  }
  CheckTaggingRoundTrip(in);
  CheckCorsRoundTrip(in);
  std::string out;
  xml::AppendEscaped(out, in);
  if (out.find('<') != std::string::npos || out.find('>') != std::string::npos) std::abort();
  return 0;
}

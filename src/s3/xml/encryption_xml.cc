// File: s3/xml/encryption_xml.cc
#include "s3/xml/encryption_xml.h"

#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

// The text of the only child `name` of `parent` ("" when absent);
// Malformed when repeated.
Result<std::string> OnlyChildText(pugi::xml_node parent, const char* name, bool* present) {
  ASSIGN_OR_RETURN(pugi::xml_node node, OnlyChild(parent, name));
  *present = static_cast<bool>(node);
  return std::string(TrimXmlSpace(node.text().get()));
}

}  // namespace

Result<catalog::BucketEncryption> ParseServerSideEncryptionConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                             pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "ServerSideEncryptionConfiguration") {
    return MalformedXml("missing ServerSideEncryptionConfiguration");
  }
  pugi::xml_node rule = root.child("Rule");
  if (!rule || rule.next_sibling("Rule")) return MalformedXml("exactly one Rule is allowed");
  pugi::xml_node apply = rule.child("ApplyServerSideEncryptionByDefault");
  if (!apply || apply.next_sibling("ApplyServerSideEncryptionByDefault")) {
    return MalformedXml("one ApplyServerSideEncryptionByDefault is required");
  }
  catalog::BucketEncryption out;
  bool present = false;
  ASSIGN_OR_RETURN(out.sse_algorithm, OnlyChildText(apply, "SSEAlgorithm", &present));
  if (out.sse_algorithm.empty()) return MalformedXml("SSEAlgorithm is required");
  ASSIGN_OR_RETURN(out.kms_key_id, OnlyChildText(apply, "KMSMasterKeyID", &present));
  ASSIGN_OR_RETURN(std::string bucket_key, OnlyChildText(rule, "BucketKeyEnabled", &present));
  if (present) {
    if (bucket_key == "true") {
      out.bucket_key_enabled = true;
    } else if (bucket_key != "false") {
      return MalformedXml("BucketKeyEnabled must be true or false");
    }
  }
  return out;
}

std::string RenderServerSideEncryptionConfiguration(const catalog::BucketEncryption& encryption) {
  XmlWriter w;
  w.OpenRoot("ServerSideEncryptionConfiguration").Open("Rule").Open("ApplyServerSideEncryptionByDefault");
  w.Element("SSEAlgorithm", encryption.sse_algorithm);
  if (!encryption.kms_key_id.empty()) w.Element("KMSMasterKeyID", encryption.kms_key_id);
  w.Close().BoolElement("BucketKeyEnabled", encryption.bucket_key_enabled);
  return w.Finish();
}

}  // namespace confiance::s3::xml

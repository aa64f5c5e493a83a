// File: s3/xml/tagging_xml.cc
#include "s3/xml/tagging_xml.h"

#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {

Result<std::vector<std::pair<std::string, std::string>>> ParseTagging(std::string_view body) {
  pugi::xml_document doc;
  // parse_ws_pcdata: a value of only spaces is a value, not formatting.
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                             pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "Tagging") return MalformedXml("missing Tagging");
  pugi::xml_node set = root.child("TagSet");
  if (!set) return MalformedXml("missing TagSet");
  std::vector<std::pair<std::string, std::string>> tags;
  for (pugi::xml_node tag : set.children("Tag")) {
    pugi::xml_node key = tag.child("Key");
    pugi::xml_node value = tag.child("Value");
    if (!key || !value) return MalformedXml("Tag without Key or Value");
    tags.emplace_back(key.text().get(), value.text().get());
  }
  return tags;
}

std::string RenderTagging(const std::map<std::string, std::string>& tags) {
  XmlWriter w;
  w.OpenRoot("Tagging").Open("TagSet");
  for (const auto& [key, value] : tags) w.Open("Tag").Element("Key", key).Element("Value", value).Close();
  return w.Finish();
}

}  // namespace confiance::s3::xml

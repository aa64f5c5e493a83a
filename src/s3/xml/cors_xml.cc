// File: s3/xml/cors_xml.cc
#include "s3/xml/cors_xml.h"

#include <charconv>
#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

std::vector<std::string> Texts(pugi::xml_node rule, const char* name) {
  std::vector<std::string> out;
  for (pugi::xml_node n : rule.children(name)) out.emplace_back(n.text().get());
  return out;
}

// An XML Schema integer: optional sign, decimal digits, white space
// around (collapsed).
Result<int64_t> ParseInteger(std::string_view s) {
  s = TrimXmlSpace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return MalformedXml("bad MaxAgeSeconds");
  return v;
}

Result<catalog::CorsRule> ParseRule(pugi::xml_node node) {
  catalog::CorsRule rule;
  if (node.select_nodes("ID").size() > 1 || node.select_nodes("MaxAgeSeconds").size() > 1) {
    return MalformedXml("repeated ID or MaxAgeSeconds");
  }
  rule.id = node.child("ID").text().get();
  rule.allowed_headers = Texts(node, "AllowedHeader");
  rule.allowed_methods = Texts(node, "AllowedMethod");
  rule.allowed_origins = Texts(node, "AllowedOrigin");
  rule.expose_headers = Texts(node, "ExposeHeader");
  if (pugi::xml_node max_age = node.child("MaxAgeSeconds")) {
    ASSIGN_OR_RETURN(int64_t v, ParseInteger(max_age.text().get()));
    rule.max_age_seconds = v;
  }
  return rule;
}

}  // namespace

Result<std::vector<catalog::CorsRule>> ParseCorsConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                             pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "CORSConfiguration") return MalformedXml("missing CORSConfiguration");
  std::vector<catalog::CorsRule> rules;
  for (pugi::xml_node node : root.children("CORSRule")) {
    ASSIGN_OR_RETURN(catalog::CorsRule rule, ParseRule(node));
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string RenderCorsConfiguration(const std::vector<catalog::CorsRule>& rules) {
  XmlWriter w;
  w.OpenRoot("CORSConfiguration");
  for (const catalog::CorsRule& rule : rules) {
    w.Open("CORSRule");
    if (!rule.id.empty()) w.Element("ID", rule.id);
    for (const std::string& h : rule.allowed_headers) w.Element("AllowedHeader", h);
    for (const std::string& m : rule.allowed_methods) w.Element("AllowedMethod", m);
    for (const std::string& o : rule.allowed_origins) w.Element("AllowedOrigin", o);
    for (const std::string& h : rule.expose_headers) w.Element("ExposeHeader", h);
    if (rule.max_age_seconds) w.Element("MaxAgeSeconds", std::to_string(*rule.max_age_seconds));
    w.Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3::xml

// File: s3/xml/notification_xml.cc
#include "s3/xml/notification_xml.h"

#include <pugixml.hpp>

#include "common/ascii.h"
#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

using Kind = NotificationRule::Kind;

struct KindNames {
  Kind kind;
  const char* element;  // the rule's element
  const char* arn;      // its ARN's element
};
constexpr KindNames kKinds[] = {{Kind::kQueue, "QueueConfiguration", "Queue"},
                                {Kind::kTopic, "TopicConfiguration", "Topic"},
                                {Kind::kCloudFunction, "CloudFunctionConfiguration", "CloudFunction"}};

Result<NotificationRule> ParseRule(pugi::xml_node node, const KindNames& names) {
  NotificationRule rule;
  rule.kind = names.kind;
  if (node.select_nodes("Id").size() > 1 || node.select_nodes(names.arn).size() != 1 ||
      node.select_nodes("Filter").size() > 1) {
    return MalformedXml(std::string(names.element) + " needs one " + names.arn + " and at most one Id and Filter");
  }
  rule.id = std::string(TrimXmlSpace(node.child("Id").text().get()));
  rule.arn = std::string(TrimXmlSpace(node.child(names.arn).text().get()));
  for (pugi::xml_node e : node.children("Event")) rule.events.emplace_back(TrimXmlSpace(e.text().get()));
  if (pugi::xml_node filter = node.child("Filter")) {
    pugi::xml_node key = filter.child("S3Key");
    if (!key) return MalformedXml("Filter without S3Key");
    for (pugi::xml_node fr : key.children("FilterRule")) {
      pugi::xml_node name = fr.child("Name");
      pugi::xml_node value = fr.child("Value");
      if (!name || !value) return MalformedXml("FilterRule needs Name and Value");
      std::string n(TrimXmlSpace(name.text().get()));
      // A filter value is a key prefix or suffix: taken as written. Other
      // names are kept for the validator to refuse.
      if (EqualsIgnoreCase(n, "prefix")) rule.prefix = value.text().get();
      if (EqualsIgnoreCase(n, "suffix")) rule.suffix = value.text().get();
      rule.filter_names.push_back(std::move(n));
    }
  }
  return rule;
}

}  // namespace

Result<std::vector<NotificationRule>> ParseNotificationConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "NotificationConfiguration") {
    return MalformedXml("missing NotificationConfiguration");
  }
  if (root.child("EventBridgeConfiguration")) return MalformedXml("EventBridgeConfiguration is not offered");
  std::vector<NotificationRule> rules;
  for (pugi::xml_node node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const KindNames* names = nullptr;
    for (const KindNames& k : kKinds) {
      if (std::string_view(node.name()) == k.element) names = &k;
    }
    if (names == nullptr) return MalformedXml(std::string("unexpected element ") + node.name());
    ASSIGN_OR_RETURN(NotificationRule rule, ParseRule(node, *names));
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string RenderNotificationConfiguration(const std::vector<NotificationRule>& rules) {
  XmlWriter w;
  w.OpenRoot("NotificationConfiguration");
  for (const NotificationRule& rule : rules) {
    const KindNames& names = kKinds[static_cast<int>(rule.kind)];
    w.Open(names.element);
    w.Element("Id", rule.id);
    w.Element(names.arn, rule.arn);
    for (const std::string& e : rule.events) w.Element("Event", e);
    if (!rule.prefix.empty() || !rule.suffix.empty()) {
      w.Open("Filter").Open("S3Key");
      if (!rule.prefix.empty()) w.Open("FilterRule").Element("Name", "Prefix").Element("Value", rule.prefix).Close();
      if (!rule.suffix.empty()) w.Open("FilterRule").Element("Name", "Suffix").Element("Value", rule.suffix).Close();
      w.Close().Close();
    }
    w.Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3::xml

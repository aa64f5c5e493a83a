// File: s3/xml/website_xml.cc
#include "s3/xml/website_xml.h"

#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

Status Refused(std::string message) { return InvalidArgumentError("InvalidArgument: " + std::move(message)); }

bool IsStatusCode(std::string_view s) {
  return s.size() == 3 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The text of the only child `name`, trimmed; nullopt when absent.
Result<std::optional<std::string>> TextOf(pugi::xml_node parent, const char* name) {
  ASSIGN_OR_RETURN(pugi::xml_node node, OnlyChild(parent, name));
  if (!node) return std::optional<std::string>();
  return std::optional<std::string>(std::string(TrimXmlSpace(node.text().get())));
}

Status CheckProtocol(const std::string& protocol) {
  if (protocol.empty() || protocol == "http" || protocol == "https") return OkStatus();
  return Refused(
      "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected "
      "automatically.");
}

Result<WebsiteRedirect> ParseRedirectAll(pugi::xml_node node) {
  WebsiteRedirect out;
  ASSIGN_OR_RETURN(std::optional<std::string> host, TextOf(node, "HostName"));
  ASSIGN_OR_RETURN(std::optional<std::string> protocol, TextOf(node, "Protocol"));
  if (!host || host->empty()) return MalformedXml("RedirectAllRequestsTo needs a HostName");
  out.host_name = std::move(*host);
  out.protocol = protocol.value_or("");
  RETURN_IF_ERROR(CheckProtocol(out.protocol));
  return out;
}

Result<WebsiteRoutingRule> ParseRoutingRule(pugi::xml_node node) {
  WebsiteRoutingRule rule;
  ASSIGN_OR_RETURN(pugi::xml_node condition, OnlyChild(node, "Condition"));
  if (condition) {
    ASSIGN_OR_RETURN(pugi::xml_node prefix, OnlyChild(condition, "KeyPrefixEquals"));
    // A key prefix is taken as given: white space may be part of a key.
    if (prefix) rule.key_prefix_equals = prefix.text().get();
    ASSIGN_OR_RETURN(rule.http_error_code_returned_equals, TextOf(condition, "HttpErrorCodeReturnedEquals"));
    if (!rule.key_prefix_equals && !rule.http_error_code_returned_equals) {
      return Refused(
          "Condition cannot be empty. To redirect all requests without a condition, the condition element "
          "shouldn't be present.");
    }
    if (const auto& code = rule.http_error_code_returned_equals;
        code && !(IsStatusCode(*code) && ((*code)[0] == '4' || (*code)[0] == '5'))) {
      return Refused("The provided HTTP error code (" + *code + ") is not valid. Valid codes are 4XX or 5XX.");
    }
  }
  ASSIGN_OR_RETURN(pugi::xml_node redirect, OnlyChild(node, "Redirect"));
  if (!redirect) return MalformedXml("a RoutingRule needs a Redirect");
  WebsiteRedirect& r = rule.redirect;
  ASSIGN_OR_RETURN(std::optional<std::string> host, TextOf(redirect, "HostName"));
  ASSIGN_OR_RETURN(std::optional<std::string> protocol, TextOf(redirect, "Protocol"));
  ASSIGN_OR_RETURN(std::optional<std::string> code, TextOf(redirect, "HttpRedirectCode"));
  ASSIGN_OR_RETURN(pugi::xml_node prefix_with, OnlyChild(redirect, "ReplaceKeyPrefixWith"));
  ASSIGN_OR_RETURN(pugi::xml_node key_with, OnlyChild(redirect, "ReplaceKeyWith"));
  if (prefix_with && key_with) return Refused("You can only define ReplaceKeyPrefix or ReplaceKey but not both.");
  r.host_name = host.value_or("");
  r.protocol = protocol.value_or("");
  r.http_redirect_code = code.value_or("");
  r.has_replace_key_prefix_with = static_cast<bool>(prefix_with);
  if (prefix_with) r.replace_key_prefix_with = prefix_with.text().get();
  if (key_with) r.replace_key_with = key_with.text().get();
  RETURN_IF_ERROR(CheckProtocol(r.protocol));
  if (!r.http_redirect_code.empty() &&
      !(IsStatusCode(r.http_redirect_code) && r.http_redirect_code[0] == '3' && r.http_redirect_code != "300")) {
    return Refused("The provided HTTP redirect code (" + r.http_redirect_code +
                   ") is not valid. Valid codes are 3XX except 300.");
  }
  // (An empty ReplaceKeyWith names no key: it is as if absent.)
  if (r.host_name.empty() && r.protocol.empty() && r.http_redirect_code.empty() && !prefix_with &&
      r.replace_key_with.empty()) {
    return Refused(
        "A Redirect must name at least one of HostName, Protocol, ReplaceKeyPrefixWith, ReplaceKeyWith and "
        "HttpRedirectCode.");
  }
  return rule;
}

void RenderRedirectFields(XmlWriter& w, const WebsiteRedirect& r) {
  if (!r.host_name.empty()) w.Element("HostName", r.host_name);
  if (!r.protocol.empty()) w.Element("Protocol", r.protocol);
}

}  // namespace

Result<WebsiteConfiguration> ParseWebsiteConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!parsed) return MalformedXml(parsed.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "WebsiteConfiguration") return MalformedXml("missing WebsiteConfiguration");
  WebsiteConfiguration out;
  ASSIGN_OR_RETURN(pugi::xml_node redirect_all, OnlyChild(root, "RedirectAllRequestsTo"));
  ASSIGN_OR_RETURN(pugi::xml_node index, OnlyChild(root, "IndexDocument"));
  ASSIGN_OR_RETURN(pugi::xml_node error, OnlyChild(root, "ErrorDocument"));
  ASSIGN_OR_RETURN(pugi::xml_node rules, OnlyChild(root, "RoutingRules"));
  if (redirect_all) {
    if (index || error || rules) {
      return Refused("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.");
    }
    ASSIGN_OR_RETURN(WebsiteRedirect r, ParseRedirectAll(redirect_all));
    out.redirect_all = std::move(r);
    return out;
  }
  if (!index) return Refused("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty");
  ASSIGN_OR_RETURN(std::optional<std::string> suffix, TextOf(index, "Suffix"));
  if (!suffix || suffix->empty() || suffix->find('/') != std::string::npos) {
    return Refused("The IndexDocument Suffix is not well formed");
  }
  out.index_suffix = std::move(*suffix);
  if (error) {
    ASSIGN_OR_RETURN(std::optional<std::string> key, TextOf(error, "Key"));
    if (!key || key->empty()) return Refused("The ErrorDocument Key is not well formed");
    out.error_key = std::move(*key);
  }
  if (rules) {
    for (pugi::xml_node child : rules.children()) {
      if (child.type() != pugi::node_element) continue;
      if (std::string_view(child.name()) != "RoutingRule") return MalformedXml("RoutingRules holds RoutingRule only");
      if (out.rules.size() == kMaxWebsiteRoutingRules) {
        return Refused("A website configuration can have at most 50 routing rules.");
      }
      ASSIGN_OR_RETURN(WebsiteRoutingRule rule, ParseRoutingRule(child));
      out.rules.push_back(std::move(rule));
    }
  }
  return out;
}

std::string RenderWebsiteConfiguration(const WebsiteConfiguration& config) {
  XmlWriter w;
  w.OpenRoot("WebsiteConfiguration");
  if (config.redirect_all) {
    w.Open("RedirectAllRequestsTo");
    RenderRedirectFields(w, *config.redirect_all);
    w.Close();
    return w.Finish();
  }
  w.Open("IndexDocument").Element("Suffix", config.index_suffix).Close();
  if (!config.error_key.empty()) w.Open("ErrorDocument").Element("Key", config.error_key).Close();
  if (!config.rules.empty()) {
    w.Open("RoutingRules");
    for (const WebsiteRoutingRule& rule : config.rules) {
      w.Open("RoutingRule");
      if (rule.key_prefix_equals || rule.http_error_code_returned_equals) {
        w.Open("Condition");
        if (rule.key_prefix_equals) w.Element("KeyPrefixEquals", *rule.key_prefix_equals);
        if (rule.http_error_code_returned_equals) {
          w.Element("HttpErrorCodeReturnedEquals", *rule.http_error_code_returned_equals);
        }
        w.Close();
      }
      const WebsiteRedirect& r = rule.redirect;
      w.Open("Redirect");
      RenderRedirectFields(w, r);
      if (r.has_replace_key_prefix_with) w.Element("ReplaceKeyPrefixWith", r.replace_key_prefix_with);
      if (!r.replace_key_with.empty()) w.Element("ReplaceKeyWith", r.replace_key_with);
      if (!r.http_redirect_code.empty()) w.Element("HttpRedirectCode", r.http_redirect_code);
      w.Close().Close();
    }
    w.Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3::xml

// File: s3/website.cc
#include "s3/website.h"

#include <fmt/format.h>

#include "s3/sigv4/canonical.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

bool PrefixMatches(const xml::WebsiteRoutingRule& rule, std::string_view requested) {
  return !rule.key_prefix_equals || requested.starts_with(*rule.key_prefix_equals);
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 412:
      return "Precondition Failed";
    case 416:
      return "Requested Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string Escaped(std::string_view text) {
  std::string out;
  xml::AppendEscaped(out, text);
  return out;
}

std::string Location(std::string_view protocol, std::string_view host, std::string_view key) {
  return fmt::format("{}://{}/{}", protocol, host, sigv4::UriEncode(key, /*keep_slash=*/true));
}

}  // namespace

std::string EncodeWebsite(const WebsiteConfiguration& config) { return xml::RenderWebsiteConfiguration(config); }

Result<WebsiteConfiguration> DecodeWebsite(std::string_view encoded) {
  Result<WebsiteConfiguration> config = xml::ParseWebsiteConfiguration(encoded);
  if (!config.ok()) return DataLossError("stored website configuration: " + config.status().message());
  return config;
}

std::string WebsiteObjectKey(const WebsiteConfiguration& config, std::string_view requested) {
  std::string key(requested);
  if (key.empty() || key.back() == '/') key += config.index_suffix;
  return key;
}

const xml::WebsiteRoutingRule* MatchRoutingRule(const WebsiteConfiguration& config, std::string_view requested,
                                                std::optional<int> error_status) {
  for (const xml::WebsiteRoutingRule& rule : config.rules) {
    if (!PrefixMatches(rule, requested)) continue;
    const std::optional<std::string>& code = rule.http_error_code_returned_equals;
    if (!error_status ? !code : code && *code == std::to_string(*error_status)) return &rule;
  }
  return nullptr;
}

WebsiteRedirectTarget RoutingRedirect(const xml::WebsiteRoutingRule& rule, std::string_view requested,
                                      std::string_view host, std::string_view protocol) {
  const xml::WebsiteRedirect& r = rule.redirect;
  std::string key;
  if (!r.replace_key_with.empty()) {
    key = r.replace_key_with;
  } else if (r.has_replace_key_prefix_with) {
    // The prefix the condition matched (none: the key's empty prefix).
    const size_t matched = rule.key_prefix_equals ? rule.key_prefix_equals->size() : 0;
    key = r.replace_key_prefix_with + std::string(requested.substr(matched));
  } else {
    key = std::string(requested);
  }
  WebsiteRedirectTarget out;
  if (!r.http_redirect_code.empty()) out.status = std::stoi(r.http_redirect_code);  // 3 digits (parser)
  out.location = Location(r.protocol.empty() ? protocol : std::string_view(r.protocol),
                          r.host_name.empty() ? host : std::string_view(r.host_name), key);
  return out;
}

WebsiteRedirectTarget RedirectAll(const xml::WebsiteRedirect& to, std::string_view requested,
                                  std::string_view protocol) {
  return {301, Location(to.protocol.empty() ? protocol : std::string_view(to.protocol), to.host_name, requested)};
}

std::string WebsiteErrorPage(int status, std::string_view code, std::string_view message, std::string_view request_id) {
  const std::string title = fmt::format("{} {}", status, ReasonPhrase(status));
  return fmt::format(
      "<html>\n<head><title>{0}</title></head>\n<body>\n<h1>{0}</h1>\n<ul>\n<li>Code: {1}</li>\n"
      "<li>Message: {2}</li>\n<li>RequestId: {3}</li>\n</ul>\n<hr/>\n</body>\n</html>\n",
      title, Escaped(code), Escaped(message), Escaped(request_id));
}

}  // namespace confiance::s3

// File: s3/xml/website_xml.h
// The WebsiteConfiguration document of PutBucketWebsite (request) and
// GetBucketWebsite (response), static website hosting (docs/website.md):
//   <WebsiteConfiguration>
//     <RedirectAllRequestsTo><HostName/><Protocol/></RedirectAllRequestsTo>   (alone)
//   | <IndexDocument><Suffix/></IndexDocument>
//     <ErrorDocument><Key/></ErrorDocument>                                  (optional)
//     <RoutingRules>
//       <RoutingRule>
//         <Condition><KeyPrefixEquals/><HttpErrorCodeReturnedEquals/></Condition>  (optional)
//         <Redirect><Protocol/><HostName/><ReplaceKeyPrefixWith/>|<ReplaceKeyWith/>
//                   <HttpRedirectCode/></Redirect>
//       </RoutingRule>...
//     </RoutingRules>
//   </WebsiteConfiguration>
// ParseWebsiteConfiguration checks the rules S3 states (the messages are
// S3's): a document of the wrong shape is MalformedXML, a well-formed one
// S3 would refuse is InvalidArgument ("InvalidArgument: <message>").
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

// RedirectAllRequestsTo, and a routing rule's Redirect. Empty strings are
// elements the document did not have.
struct WebsiteRedirect {
  std::string host_name;
  std::string protocol;  // "http", "https" or "" (the request's)
  std::string replace_key_prefix_with;
  std::string replace_key_with;
  bool has_replace_key_prefix_with = false;  // present, possibly empty (strips the prefix)
  std::string http_redirect_code;            // "301" when absent
  friend bool operator==(const WebsiteRedirect&, const WebsiteRedirect&) = default;
};

struct WebsiteRoutingRule {
  // The Condition's elements; both absent: the rule applies to every request.
  std::optional<std::string> key_prefix_equals;
  std::optional<std::string> http_error_code_returned_equals;
  WebsiteRedirect redirect;
  friend bool operator==(const WebsiteRoutingRule&, const WebsiteRoutingRule&) = default;
};

struct WebsiteConfiguration {
  // Either this alone ...
  std::optional<WebsiteRedirect> redirect_all;
  // ... or an index document suffix (required), an error document and rules.
  std::string index_suffix;
  std::string error_key;  // "" = none
  std::vector<WebsiteRoutingRule> rules;
  friend bool operator==(const WebsiteConfiguration&, const WebsiteConfiguration&) = default;
};

// At most this many routing rules, as on S3.
inline constexpr size_t kMaxWebsiteRoutingRules = 50;

Result<WebsiteConfiguration> ParseWebsiteConfiguration(std::string_view body);
std::string RenderWebsiteConfiguration(const WebsiteConfiguration& config);

}  // namespace confiance::s3::xml

// File: s3/website.h
// Static website hosting (docs/website.md): what a bucket's website
// configuration says, its encoding in the bucket record, and what a request
// to the website endpoint gets: which object it reads, which routing rule
// redirects it, and the HTML page of an error. The serving itself is
// S3Service::ServeWebsite (website_handlers.cc).
//
// A website request names a key (its path, decoded, without the leading
// '/'). The object read is that key, or for a folder ("" or a key ending
// in '/') the key with the index document's suffix appended. Routing
// rules apply in order, the first that matches wins: before the read, a
// rule without an error-code condition whose KeyPrefixEquals (if any)
// begins the requested key; after a read that failed with status N, a rule
// whose HttpErrorCodeReturnedEquals is N and whose key prefix (if any)
// matches.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/xml/website_xml.h"

namespace confiance::s3 {

using xml::WebsiteConfiguration;

// The bucket record's encoding (the configuration's XML, as rendered), and
// back (DataLoss for bytes that are not one).
std::string EncodeWebsite(const WebsiteConfiguration& config);
Result<WebsiteConfiguration> DecodeWebsite(std::string_view encoded);

// The key a request for `requested` reads.
std::string WebsiteObjectKey(const WebsiteConfiguration& config, std::string_view requested);

// The routing rule that applies to a request for `requested`: before the
// read (`error_status` nullopt) or after a read that failed with
// `error_status`. Null if none does.
const xml::WebsiteRoutingRule* MatchRoutingRule(const WebsiteConfiguration& config, std::string_view requested,
                                                std::optional<int> error_status);

struct WebsiteRedirectTarget {
  int status = 301;
  std::string location;
};

// Where `rule` sends a request for `requested` that came to `host` over
// `protocol` ("http" or "https"): the rule's protocol and host name, or the
// request's; the key with the matched prefix replaced
// (ReplaceKeyPrefixWith), replaced whole (ReplaceKeyWith), or as requested;
// the rule's HttpRedirectCode, or 301.
WebsiteRedirectTarget RoutingRedirect(const xml::WebsiteRoutingRule& rule, std::string_view requested,
                                      std::string_view host, std::string_view protocol);
// Where RedirectAllRequestsTo sends a request for `requested`: the same key
// on its host name, over its protocol or the request's; always 301.
WebsiteRedirectTarget RedirectAll(const xml::WebsiteRedirect& to, std::string_view requested,
                                  std::string_view protocol);

// The HTML page of an error, in S3's layout (a title, the code, the
// message, the request id; every value escaped).
std::string WebsiteErrorPage(int status, std::string_view code, std::string_view message, std::string_view request_id);

}  // namespace confiance::s3

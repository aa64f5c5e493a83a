// File: s3/xml/website_xml_test.cc
#include "s3/xml/website_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

constexpr char kFull[] =
    "<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<IndexDocument><Suffix> index.html </Suffix></IndexDocument>"
    "<ErrorDocument><Key>errors/404.html</Key></ErrorDocument>"
    "<RoutingRules>"
    "<RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>"
    "<Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule>"
    "<RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>"
    "<Redirect><Protocol>https</Protocol><HostName>example.org</HostName><ReplaceKeyWith>missing.html"
    "</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>"
    "</RoutingRules></WebsiteConfiguration>";

std::string Document(const std::string& inside) {
  return "<WebsiteConfiguration>" + inside + "</WebsiteConfiguration>";
}

std::string WithRule(const std::string& rule) {
  return Document("<IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule>" + rule +
                  "</RoutingRule></RoutingRules>");
}

// The S3 message a refused document gets, or "MalformedXML".
std::string RefusalOf(const std::string& body) {
  Result<WebsiteConfiguration> r = ParseWebsiteConfiguration(body);
  if (r.ok()) return "accepted";
  const std::string m(r.status().message());
  if (m.starts_with("MalformedXML")) return "MalformedXML";
  EXPECT_TRUE(m.starts_with("InvalidArgument: ")) << m;
  return m.substr(17);
}

TEST(WebsiteXmlTest, ParsesEveryPartOfAConfiguration) {
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration c, ParseWebsiteConfiguration(kFull));
  EXPECT_FALSE(c.redirect_all.has_value());
  EXPECT_EQ(c.index_suffix, "index.html");
  EXPECT_EQ(c.error_key, "errors/404.html");
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].key_prefix_equals, "docs/");
  EXPECT_FALSE(c.rules[0].http_error_code_returned_equals.has_value());
  EXPECT_TRUE(c.rules[0].redirect.has_replace_key_prefix_with);
  EXPECT_EQ(c.rules[0].redirect.replace_key_prefix_with, "documents/");
  EXPECT_FALSE(c.rules[1].key_prefix_equals.has_value());
  EXPECT_EQ(c.rules[1].http_error_code_returned_equals, "404");
  EXPECT_EQ(c.rules[1].redirect.protocol, "https");
  EXPECT_EQ(c.rules[1].redirect.host_name, "example.org");
  EXPECT_EQ(c.rules[1].redirect.replace_key_with, "missing.html");
  EXPECT_EQ(c.rules[1].redirect.http_redirect_code, "302");
}

TEST(WebsiteXmlTest, RendersWhatItParses) {
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration c, ParseWebsiteConfiguration(kFull));
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration again, ParseWebsiteConfiguration(RenderWebsiteConfiguration(c)));
  EXPECT_EQ(again, c);
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration all,
                       ParseWebsiteConfiguration(Document("<RedirectAllRequestsTo><HostName>www.example.org</HostName>"
                                                          "</RedirectAllRequestsTo>")));
  ASSERT_TRUE(all.redirect_all.has_value());
  EXPECT_EQ(all.redirect_all->host_name, "www.example.org");
  EXPECT_EQ(all.redirect_all->protocol, "");
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration all_again, ParseWebsiteConfiguration(RenderWebsiteConfiguration(all)));
  EXPECT_EQ(all_again, all);
}

TEST(WebsiteXmlTest, AnEmptyReplaceKeyPrefixStripsThePrefixAndIsKept) {
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration c,
                       ParseWebsiteConfiguration(WithRule("<Condition><KeyPrefixEquals>old/</KeyPrefixEquals>"
                                                          "</Condition><Redirect><ReplaceKeyPrefixWith/></Redirect>")));
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_TRUE(c.rules[0].redirect.has_replace_key_prefix_with);
  EXPECT_EQ(c.rules[0].redirect.replace_key_prefix_with, "");
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration again, ParseWebsiteConfiguration(RenderWebsiteConfiguration(c)));
  EXPECT_EQ(again, c);
}

TEST(WebsiteXmlTest, RefusesWhatS3Refuses) {
  EXPECT_EQ(RefusalOf(Document("")),
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty");
  EXPECT_EQ(RefusalOf(Document("<IndexDocument><Suffix></Suffix></IndexDocument>")),
            "The IndexDocument Suffix is not well formed");
  EXPECT_EQ(RefusalOf(Document("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>")),
            "The IndexDocument Suffix is not well formed");
  EXPECT_EQ(RefusalOf(Document("<IndexDocument><Suffix>i</Suffix></IndexDocument><ErrorDocument/>")),
            "The ErrorDocument Key is not well formed");
  EXPECT_EQ(RefusalOf(Document("<RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>"
                               "<IndexDocument><Suffix>i</Suffix></IndexDocument>")),
            "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.");
  EXPECT_EQ(RefusalOf(Document("<RedirectAllRequestsTo><HostName>h</HostName><Protocol>ftp</Protocol>"
                               "</RedirectAllRequestsTo>")),
            "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected "
            "automatically.");
  EXPECT_EQ(RefusalOf(WithRule("<Condition/><Redirect><HostName>h</HostName></Redirect>")),
            "Condition cannot be empty. To redirect all requests without a condition, the condition element "
            "shouldn't be present.");
  EXPECT_EQ(RefusalOf(WithRule("<Redirect><ReplaceKeyPrefixWith>a</ReplaceKeyPrefixWith>"
                               "<ReplaceKeyWith>b</ReplaceKeyWith></Redirect>")),
            "You can only define ReplaceKeyPrefix or ReplaceKey but not both.");
  EXPECT_EQ(RefusalOf(WithRule("<Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect>")),
            "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300.");
  EXPECT_EQ(RefusalOf(WithRule("<Redirect><HttpRedirectCode>404</HttpRedirectCode></Redirect>")),
            "The provided HTTP redirect code (404) is not valid. Valid codes are 3XX except 300.");
  EXPECT_EQ(RefusalOf(WithRule("<Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals>"
                               "</Condition><Redirect><HostName>h</HostName></Redirect>")),
            "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX.");
  EXPECT_EQ(RefusalOf(WithRule("<Redirect/>")),
            "A Redirect must name at least one of HostName, Protocol, ReplaceKeyPrefixWith, ReplaceKeyWith and "
            "HttpRedirectCode.");
  // The shape itself: MalformedXML.
  EXPECT_EQ(RefusalOf(WithRule("<Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition>")), "MalformedXML");
  EXPECT_EQ(RefusalOf(Document("<RedirectAllRequestsTo/>")), "MalformedXML");
  EXPECT_EQ(RefusalOf("<Other/>"), "MalformedXML");
  EXPECT_EQ(RefusalOf("<WebsiteConfiguration>"), "MalformedXML");
  EXPECT_EQ(RefusalOf(Document("<IndexDocument><Suffix>a</Suffix><Suffix>b</Suffix></IndexDocument>")), "MalformedXML");
}

TEST(WebsiteXmlTest, AtMostFiftyRoutingRules) {
  std::string rules;
  for (int i = 0; i < 50; ++i) rules += "<RoutingRule><Redirect><HostName>h</HostName></Redirect></RoutingRule>";
  const std::string fifty =
      Document("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules>" + rules + "</RoutingRules>");
  EXPECT_EQ(RefusalOf(fifty), "accepted");
  rules += "<RoutingRule><Redirect><HostName>h</HostName></Redirect></RoutingRule>";
  EXPECT_EQ(RefusalOf(Document("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules>" + rules +
                               "</RoutingRules>")),
            "A website configuration can have at most 50 routing rules.");
}

}  // namespace
}  // namespace confiance::s3::xml

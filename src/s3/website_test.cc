// File: s3/website_test.cc
#include "s3/website.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

WebsiteConfiguration Site() {
  WebsiteConfiguration c;
  c.index_suffix = "index.html";
  c.error_key = "404.html";
  xml::WebsiteRoutingRule moved;  // docs/ -> manual/, before any read
  moved.key_prefix_equals = "docs/";
  moved.redirect.has_replace_key_prefix_with = true;
  moved.redirect.replace_key_prefix_with = "manual/";
  c.rules.push_back(moved);
  xml::WebsiteRoutingRule missing_images;  // a missing image under img/ -> another host
  missing_images.key_prefix_equals = "img/";
  missing_images.http_error_code_returned_equals = "404";
  missing_images.redirect.host_name = "images.example.org";
  missing_images.redirect.protocol = "https";
  missing_images.redirect.http_redirect_code = "307";
  c.rules.push_back(missing_images);
  xml::WebsiteRoutingRule denied;  // any 403 -> a fixed page
  denied.http_error_code_returned_equals = "403";
  denied.redirect.replace_key_with = "denied.html";
  c.rules.push_back(denied);
  return c;
}

TEST(WebsiteTest, AFolderReadsItsIndexDocument) {
  const WebsiteConfiguration c = Site();
  EXPECT_EQ(WebsiteObjectKey(c, ""), "index.html");
  EXPECT_EQ(WebsiteObjectKey(c, "blog/"), "blog/index.html");
  EXPECT_EQ(WebsiteObjectKey(c, "blog"), "blog");
  EXPECT_EQ(WebsiteObjectKey(c, "blog/post.html"), "blog/post.html");
}

TEST(WebsiteTest, RulesApplyBeforeTheReadOrAfterItsError) {
  const WebsiteConfiguration c = Site();
  EXPECT_EQ(MatchRoutingRule(c, "docs/a.html", std::nullopt), &c.rules[0]);
  EXPECT_EQ(MatchRoutingRule(c, "docs/a.html", 404), nullptr);  // rule 0 has no error condition
  EXPECT_EQ(MatchRoutingRule(c, "img/cat.png", std::nullopt), nullptr);
  EXPECT_EQ(MatchRoutingRule(c, "img/cat.png", 404), &c.rules[1]);
  EXPECT_EQ(MatchRoutingRule(c, "img/cat.png", 403), &c.rules[2]);
  EXPECT_EQ(MatchRoutingRule(c, "other.html", 404), nullptr);
  EXPECT_EQ(MatchRoutingRule(c, "other.html", 403), &c.rules[2]);
}

TEST(WebsiteTest, TheFirstMatchingRuleWins) {
  WebsiteConfiguration c = Site();
  xml::WebsiteRoutingRule everything;
  everything.redirect.host_name = "new.example.org";
  c.rules.insert(c.rules.begin(), everything);
  EXPECT_EQ(MatchRoutingRule(c, "docs/a.html", std::nullopt), &c.rules[0]);
  EXPECT_EQ(MatchRoutingRule(c, "", std::nullopt), &c.rules[0]);
}

TEST(WebsiteTest, RedirectsReplaceThePrefixOrTheKey) {
  const WebsiteConfiguration c = Site();
  WebsiteRedirectTarget prefix = RoutingRedirect(c.rules[0], "docs/a b.html", "site.web.test:9000", "http");
  EXPECT_EQ(prefix.status, 301);
  EXPECT_EQ(prefix.location, "http://site.web.test:9000/manual/a%20b.html");
  WebsiteRedirectTarget host = RoutingRedirect(c.rules[1], "img/cat.png", "site.web.test", "http");
  EXPECT_EQ(host.status, 307);
  EXPECT_EQ(host.location, "https://images.example.org/img/cat.png");
  WebsiteRedirectTarget key = RoutingRedirect(c.rules[2], "secret/x", "site.web.test", "https");
  EXPECT_EQ(key.location, "https://site.web.test/denied.html");
  xml::WebsiteRedirect all;
  all.host_name = "www.example.org";
  EXPECT_EQ(RedirectAll(all, "a/b", "http").location, "http://www.example.org/a/b");
  all.protocol = "https";
  EXPECT_EQ(RedirectAll(all, "", "http").location, "https://www.example.org/");
}

TEST(WebsiteTest, TheErrorPageEscapesWhatItShows) {
  const std::string page = WebsiteErrorPage(404, "NoSuchKey", "no <script>", "req1");
  EXPECT_NE(page.find("<title>404 Not Found</title>"), std::string::npos);
  EXPECT_NE(page.find("<li>Code: NoSuchKey</li>"), std::string::npos);
  EXPECT_NE(page.find("no &lt;script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("<li>RequestId: req1</li>"), std::string::npos);
}

TEST(WebsiteTest, TheStoredEncodingRoundTrips) {
  const WebsiteConfiguration c = Site();
  ASSERT_OK_AND_ASSIGN(WebsiteConfiguration back, DecodeWebsite(EncodeWebsite(c)));
  EXPECT_EQ(back, c);
  EXPECT_EQ(DecodeWebsite("not xml").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace confiance::s3

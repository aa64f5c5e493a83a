// File: s3/xml/cors_xml_test.cc
#include "s3/xml/cors_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

using catalog::CorsRule;

TEST(CorsXmlTest, ParsesEveryMemberInOrder) {
  ASSERT_OK_AND_ASSIGN(std::vector<CorsRule> rules, ParseCorsConfiguration(
      "<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<CORSRule><ID>r1</ID><AllowedOrigin>https://b.example</AllowedOrigin>"
      "<AllowedOrigin>*.a.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>"
      "<AllowedMethod>GET</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>"
      "<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds> 3000 </MaxAgeSeconds></CORSRule>"
      "<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin></AllowedOrigin></CORSRule>"
      "</CORSConfiguration>"));
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].id, "r1");
  EXPECT_EQ(rules[0].allowed_origins, (std::vector<std::string>{"https://b.example", "*.a.example"}));
  EXPECT_EQ(rules[0].allowed_methods, (std::vector<std::string>{"PUT", "GET"}));
  EXPECT_EQ(rules[0].allowed_headers, (std::vector<std::string>{"x-amz-*"}));
  EXPECT_EQ(rules[0].expose_headers, (std::vector<std::string>{"ETag"}));
  EXPECT_EQ(rules[0].max_age_seconds, 3000);
  EXPECT_EQ(rules[1].allowed_origins, (std::vector<std::string>{""}));
  EXPECT_FALSE(rules[1].max_age_seconds.has_value());
  EXPECT_TRUE(rules[1].id.empty());
}

TEST(CorsXmlTest, StructureErrorsAreMalformed) {
  EXPECT_STATUS_CODE(ParseCorsConfiguration("<CORSConfiguration>"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCorsConfiguration("<CORS/>"), kInvalidArgument);
  for (const char* bad : {"x", "", "1.5", "12a", "99999999999999999999999"}) {
    std::string doc = std::string("<CORSConfiguration><CORSRule><MaxAgeSeconds>") + bad +
                      "</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    EXPECT_STATUS_CODE(ParseCorsConfiguration(doc), kInvalidArgument) << bad;
  }
  EXPECT_STATUS_CODE(ParseCorsConfiguration("<CORSConfiguration><CORSRule><ID>a</ID><ID>b</ID></CORSRule>"
                                            "</CORSConfiguration>"),
                     kInvalidArgument);
  // Missing origins or methods, or no rule at all, are for the rule checks
  // (s3/cors.h) to refuse.
  ASSERT_OK_AND_ASSIGN(std::vector<CorsRule> none, ParseCorsConfiguration("<CORSConfiguration/>"));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<CorsRule> bare,
                       ParseCorsConfiguration("<CORSConfiguration><CORSRule/></CORSConfiguration>"));
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_TRUE(bare[0].allowed_methods.empty());
}

TEST(CorsXmlTest, RenderRoundTrips) {
  CorsRule full;
  full.id = "r<1>";
  full.allowed_headers = {"*"};
  full.allowed_methods = {"GET", "HEAD"};
  full.allowed_origins = {"https://x.example"};
  full.expose_headers = {"ETag", "x-amz-meta-a"};
  full.max_age_seconds = 0;
  CorsRule minimal;
  minimal.allowed_methods = {"PUT"};
  minimal.allowed_origins = {"*"};
  std::string doc = RenderCorsConfiguration({full, minimal});
  EXPECT_NE(doc.find("<CORSRule><ID>r&lt;1&gt;</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>GET"),
            std::string::npos);
  EXPECT_NE(doc.find("<CORSRule><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>"),
            std::string::npos);
  ASSERT_OK_AND_ASSIGN(std::vector<CorsRule> back, ParseCorsConfiguration(doc));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], full);
  EXPECT_EQ(back[1], minimal);
}

}  // namespace
}  // namespace confiance::s3::xml

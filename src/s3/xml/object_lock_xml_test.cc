// File: s3/xml/object_lock_xml_test.cc
#include "s3/xml/object_lock_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

using catalog::DefaultRetention;
using catalog::LockMode;

std::string Config(const std::string& inner) {
  return "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + inner +
         "</ObjectLockConfiguration>";
}
std::string Rule(const std::string& inner) {
  return Config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>" + inner +
                "</DefaultRetention></Rule>");
}
// The S3 error code an invalid document gets.
std::string CodeOf(const std::string& body) {
  Result<std::optional<DefaultRetention>> r = ParseObjectLockConfiguration(body);
  if (r.ok()) return "ok";
  std::string m(r.status().message());
  return m.substr(0, m.find(':'));
}

TEST(ObjectLockXml, ConfigurationRoundTrip) {
  ASSERT_OK_AND_ASSIGN(std::optional<DefaultRetention> rule,
                       ParseObjectLockConfiguration(Rule("<Mode>GOVERNANCE</Mode><Days>1</Days>")));
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(*rule, (DefaultRetention{LockMode::kGovernance, 1, 0}));
  ASSERT_OK_AND_ASSIGN(std::optional<DefaultRetention> again,
                       ParseObjectLockConfiguration(RenderObjectLockConfiguration(rule)));
  EXPECT_EQ(again, rule);
  ASSERT_OK_AND_ASSIGN(rule, ParseObjectLockConfiguration(Rule("<Mode>COMPLIANCE</Mode><Years>2</Years>")));
  EXPECT_EQ(*rule, (DefaultRetention{LockMode::kCompliance, 0, 2}));
  ASSERT_OK_AND_ASSIGN(rule, ParseObjectLockConfiguration(Config("<ObjectLockEnabled>Enabled</ObjectLockEnabled>")));
  EXPECT_FALSE(rule.has_value());
  EXPECT_EQ(RenderObjectLockConfiguration(std::nullopt).find("<Rule>"), std::string::npos);
}

TEST(ObjectLockXml, ConfigurationErrors) {
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Rule("<Mode>governance</Mode><Days>1</Days>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Rule("<Mode>abc</Mode><Days>1</Days>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Rule("<Days>1</Days>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode><Days>0</Days>")), "InvalidRetentionPeriod");
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode><Years>-1</Years>")), "InvalidRetentionPeriod");
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode><Days>x</Days>")), "InvalidRetentionPeriod");
  EXPECT_EQ(CodeOf(Rule("<Mode>GOVERNANCE</Mode><Years>101</Years>")), "InvalidRetentionPeriod");
  EXPECT_EQ(CodeOf(Config("<ObjectLockEnabled>Disabled</ObjectLockEnabled>")), "MalformedXML");
  EXPECT_EQ(CodeOf(Config("")), "MalformedXML");
  EXPECT_EQ(CodeOf(Config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule></Rule>")), "MalformedXML");
  EXPECT_EQ(CodeOf("<Other/>"), "MalformedXML");
  EXPECT_EQ(CodeOf("<ObjectLockConfiguration>"), "MalformedXML");
}

TEST(ObjectLockXml, Retention) {
  ASSERT_OK_AND_ASSIGN(RetentionDoc r,
                       ParseRetention("<Retention><Mode>COMPLIANCE</Mode>"
                                      "<RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>"));
  EXPECT_EQ(r.mode, LockMode::kCompliance);
  EXPECT_EQ(r.retain_until_ms, 1893456000000u);
  EXPECT_EQ(RenderRetention(r.mode, r.retain_until_ms),
            RenderRetention(LockMode::kCompliance, *ParseLockDate("2030-01-01T00:00:00.000Z")));
  ASSERT_OK_AND_ASSIGN(r, ParseRetention("<Retention/>"));
  EXPECT_EQ(r.mode, LockMode::kNone);
  ASSERT_OK_AND_ASSIGN(r, ParseRetention(RenderRetention(LockMode::kNone, 0)));  // no retention, round trip
  EXPECT_EQ(r.mode, LockMode::kNone);
  EXPECT_FALSE(ParseRetention("<Retention><Mode>governance</Mode>"
                              "<RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>")
                   .ok());
  EXPECT_FALSE(ParseRetention("<Retention><Mode>GOVERNANCE</Mode></Retention>").ok());
  EXPECT_FALSE(ParseRetention("<Retention><Mode>GOVERNANCE</Mode>"
                              "<RetainUntilDate>tomorrow</RetainUntilDate></Retention>")
                   .ok());
}

TEST(ObjectLockXml, LegalHold) {
  EXPECT_EQ(ParseLegalHold("<LegalHold><Status>ON</Status></LegalHold>").value(), true);
  EXPECT_EQ(ParseLegalHold("<LegalHold><Status>OFF</Status></LegalHold>").value(), false);
  EXPECT_FALSE(ParseLegalHold("<LegalHold><Status>abc</Status></LegalHold>").ok());
  EXPECT_FALSE(ParseLegalHold("<LegalHold/>").ok());
  EXPECT_NE(RenderLegalHold(true).find("<Status>ON</Status>"), std::string::npos);
}

TEST(ObjectLockXml, Dates) {
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01Z"), 1000u);
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01.5Z"), 1500u);
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01.000001Z"), 1001u);  // rounded up
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01+00:00"), 1000u);
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01"), std::nullopt);
  EXPECT_EQ(ParseLockDate("1970-02-30T00:00:01Z"), std::nullopt);
  EXPECT_EQ(ParseLockDate("1970-01-01T00:00:01.Z"), std::nullopt);
  EXPECT_EQ(RenderLockDate(1893456000123), "2030-01-01T00:00:00.123Z");
  EXPECT_EQ(ParseLockDate(RenderLockDate(1893456000123)), 1893456000123u);
}

}  // namespace
}  // namespace confiance::s3::xml

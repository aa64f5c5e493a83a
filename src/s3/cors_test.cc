// File: s3/cors_test.cc
// CORS rules: PutBucketCors's checks, origin and header patterns, rule
// matching (first match wins), and the headers a match earns. The cases of
// ceph s3-tests' test_cors_origin_response are replayed on the matcher.
#include "s3/cors.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

using catalog::CorsRule;

CorsRule Rule(std::vector<std::string> origins, std::vector<std::string> methods,
              std::vector<std::string> headers = {}) {
  CorsRule r;
  r.allowed_origins = std::move(origins);
  r.allowed_methods = std::move(methods);
  r.allowed_headers = std::move(headers);
  return r;
}

std::optional<S3ErrorCode> Verdict(const std::vector<CorsRule>& rules) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Status s = ValidateCorsRules(rules, &error);
  if (s.ok()) return std::nullopt;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return error.code;
}

std::string Header(const std::vector<http::Header>& headers, std::string_view name) {
  for (const http::Header& h : headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

TEST(CorsTest, Validation) {
  EXPECT_EQ(Verdict({Rule({"*"}, {"GET", "PUT", "POST", "DELETE", "HEAD"}, {"x-amz-*"})}), std::nullopt);
  EXPECT_EQ(Verdict({}), S3ErrorCode::kMalformedXML);
  EXPECT_EQ(Verdict(std::vector<CorsRule>(100, Rule({"*"}, {"GET"}))), std::nullopt);
  EXPECT_EQ(Verdict(std::vector<CorsRule>(101, Rule({"*"}, {"GET"}))), S3ErrorCode::kMalformedXML);
  EXPECT_EQ(Verdict({Rule({}, {"GET"})}), S3ErrorCode::kMalformedXML);
  EXPECT_EQ(Verdict({Rule({"*"}, {})}), S3ErrorCode::kMalformedXML);
  EXPECT_EQ(Verdict({Rule({"*"}, {"get"})}), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(Verdict({Rule({"*"}, {"OPTIONS"})}), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(Verdict({Rule({"*"}, {""})}), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(Verdict({Rule({"*.a.*"}, {"GET"})}), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(Verdict({Rule({"*"}, {"GET"}, {"x-*-*"})}), S3ErrorCode::kInvalidRequest);
  CorsRule expose = Rule({"*"}, {"GET"});
  expose.expose_headers = {"x-amz-*"};
  EXPECT_EQ(Verdict({expose}), S3ErrorCode::kInvalidRequest);
  CorsRule long_id = Rule({"*"}, {"GET"});
  long_id.id = std::string(256, 'i');
  EXPECT_EQ(Verdict({long_id}), S3ErrorCode::kMalformedXML);
  CorsRule negative = Rule({"*"}, {"GET"});
  negative.max_age_seconds = -1;
  EXPECT_EQ(Verdict({negative}), S3ErrorCode::kMalformedXML);
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  ASSERT_FALSE(ValidateCorsRules({Rule({"*"}, {"PATCH"})}, &error).ok());
  EXPECT_EQ(error.Message(), "Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
}

TEST(CorsTest, Patterns) {
  EXPECT_TRUE(CorsPatternMatches("*", "", false));
  EXPECT_TRUE(CorsPatternMatches("*", "anything", false));
  EXPECT_TRUE(CorsPatternMatches("start*end", "startend", false));
  EXPECT_TRUE(CorsPatternMatches("start*end", "start12end", false));
  EXPECT_FALSE(CorsPatternMatches("start*end", "0start12end", false));
  EXPECT_FALSE(CorsPatternMatches("start*end", "startendx", false));
  EXPECT_FALSE(CorsPatternMatches("ab*ba", "aba", false));  // prefix and suffix may not overlap
  EXPECT_TRUE(CorsPatternMatches("http://*.example.com", "http://a.b.example.com", false));
  EXPECT_FALSE(CorsPatternMatches("http://*.example.com", "https://a.example.com", false));
  EXPECT_FALSE(CorsPatternMatches("http://x.example", "http://X.example", false));
  EXPECT_TRUE(CorsPatternMatches("X-Amz-*", "x-amz-date", true));
  EXPECT_TRUE(CorsPatternMatches("a*b*c", "a*b*c", false));  // two stars: literal
  EXPECT_FALSE(CorsPatternMatches("a*b*c", "abc", false));
}

TEST(CorsTest, RequestHeaderList) {
  EXPECT_EQ(ParseCorsRequestHeaders("X-Amz-Date, content-type,,Authorization "),
            (std::vector<std::string>{"x-amz-date", "content-type", "authorization"}));
  EXPECT_TRUE(ParseCorsRequestHeaders("").empty());
  EXPECT_TRUE(ParseCorsRequestHeaders(" , ").empty());
}

// ceph s3-tests test_cors_origin_response, on the matcher.
TEST(CorsTest, FirstMatchingRuleWins) {
  std::vector<CorsRule> rules = {Rule({"*suffix"}, {"GET"}), Rule({"start*end"}, {"GET"}),
                                 Rule({"prefix*"}, {"GET"}), Rule({"*.put"}, {"PUT"})};
  struct Case {
    const char* origin;
    const char* method;
    int rule;  // -1: no match
  };
  for (const Case& c : {Case{"foo.suffix", "GET", 0}, Case{"foo.bar", "GET", -1}, Case{"foo.suffix.get", "GET", -1},
                        Case{"startend", "GET", 1}, Case{"start1end", "GET", 1}, Case{"0start12end", "GET", -1},
                        Case{"prefix", "GET", 2}, Case{"prefix.suffix", "GET", 0}, Case{"bla.prefix", "GET", -1},
                        Case{"foo.suffix", "PUT", -1}, Case{"foo.put", "GET", -1}, Case{"foo.put", "PUT", 3},
                        Case{"foo.suffix", "DELETE", -1}}) {
    std::optional<CorsMatch> m = MatchCorsRule(rules, c.origin, c.method, {});
    if (c.rule < 0) {
      EXPECT_FALSE(m.has_value()) << c.origin << " " << c.method;
    } else {
      ASSERT_TRUE(m.has_value()) << c.origin << " " << c.method;
      EXPECT_EQ(m->rule, &rules[c.rule]) << c.origin;
      EXPECT_FALSE(m->any_origin);
    }
  }
}

TEST(CorsTest, RequestHeadersMustEachBeAllowed) {
  std::vector<CorsRule> rules = {Rule({"*"}, {"GET"}), Rule({"https://app.example"}, {"PUT"}, {"x-amz-*", "Content-Type"})};
  std::vector<std::string> meta2 = {"x-amz-meta-header2"};
  EXPECT_FALSE(MatchCorsRule(rules, "https://x.example", "GET", meta2).has_value());  // no AllowedHeader
  std::vector<std::string> both = {"x-amz-date", "content-type"};
  EXPECT_TRUE(MatchCorsRule(rules, "https://app.example", "PUT", both).has_value());
  std::vector<std::string> auth = {"x-amz-date", "authorization"};
  EXPECT_FALSE(MatchCorsRule(rules, "https://app.example", "PUT", auth).has_value());
}

TEST(CorsTest, ResponseHeaders) {
  CorsRule rule = Rule({"https://app.example", "*"}, {"GET", "PUT"}, {"*"});
  rule.expose_headers = {"ETag", "x-amz-request-id"};
  rule.max_age_seconds = 3000;
  std::vector<CorsRule> rules = {rule};
  std::vector<std::string> requested = {"x-amz-date", "content-type"};
  std::optional<CorsMatch> exact = MatchCorsRule(rules, "https://app.example", "PUT", requested);
  ASSERT_TRUE(exact.has_value());
  std::vector<http::Header> h = CorsResponseHeaders(*exact, "https://app.example", requested);
  EXPECT_EQ(Header(h, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(Header(h, "Access-Control-Allow-Methods"), "GET, PUT");
  EXPECT_EQ(Header(h, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(Header(h, "Access-Control-Allow-Headers"), "x-amz-date, content-type");
  EXPECT_EQ(Header(h, "Access-Control-Max-Age"), "3000");
  EXPECT_EQ(Header(h, "Access-Control-Expose-Headers"), "ETag, x-amz-request-id");
  EXPECT_EQ(Header(h, "Vary"), "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");

  std::optional<CorsMatch> any = MatchCorsRule(rules, "https://other.example", "GET", {});
  ASSERT_TRUE(any.has_value());
  EXPECT_TRUE(any->any_origin);
  std::vector<http::Header> star = CorsResponseHeaders(*any, "https://other.example", {});
  EXPECT_EQ(Header(star, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(Header(star, "Access-Control-Allow-Credentials"), "<absent>");
  EXPECT_EQ(Header(star, "Access-Control-Allow-Headers"), "<absent>");

  std::vector<CorsRule> bare = {Rule({"*"}, {"GET"})};
  std::vector<http::Header> minimal = CorsResponseHeaders(*MatchCorsRule(bare, "o", "GET", {}), "o", {});
  EXPECT_EQ(Header(minimal, "Access-Control-Max-Age"), "<absent>");
  EXPECT_EQ(Header(minimal, "Access-Control-Expose-Headers"), "<absent>");
  EXPECT_EQ(minimal.size(), 3u);  // origin, methods, Vary
}

}  // namespace
}  // namespace confiance::s3

// File: s3/sigv4/canonical_test.cc
// Canonicalisation, parsing and the aws-sig-v4-test-suite vectors.
#include "s3/sigv4/canonical.h"

#include <gtest/gtest.h>

#include <vector>

#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/errors.h"
#include "s3/sigv4/signature.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::sigv4 {
namespace {

ErrorKind KindOf(const Status& s) {
  std::optional<ErrorKind> kind = ErrorKindOf(s);
  EXPECT_TRUE(kind.has_value()) << s.ToString();
  return kind.value_or(ErrorKind::kInternal);
}

TEST(UriEncodeTest, KeepsUnreservedEncodesRestUppercase) {
  EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
  EXPECT_EQ(UriEncode("a b/c+d=e*", false), "a%20b%2Fc%2Bd%3De%2A");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
}

TEST(CanonicalUriTest, EncodesEachSegmentOnceWithoutNormalising) {
  EXPECT_EQ(*CanonicalUri(""), "/");
  EXPECT_EQ(*CanonicalUri("/"), "/");
  EXPECT_EQ(*CanonicalUri("//"), "//");
  EXPECT_EQ(*CanonicalUri("/a/./b/../c//d"), "/a/./b/../c//d");
  EXPECT_EQ(*CanonicalUri("/example%20space/"), "/example%20space/");
  EXPECT_EQ(*CanonicalUri("/%E1%88%B4"), "/%E1%88%B4");
  EXPECT_EQ(*CanonicalUri("/%e1%88%b4"), "/%E1%88%B4");
  // Not double-encoded; over-encoded unreserved characters are normalised.
  EXPECT_EQ(*CanonicalUri("/b/a%25b%7E"), "/b/a%25b~");
  EXPECT_EQ(*CanonicalUri("/test$file.text"), "/test%24file.text");
  EXPECT_EQ(*CanonicalUri("/test%24file.text"), "/test%24file.text");
  // An encoded slash stays inside its segment; '+' in a path is literal.
  EXPECT_EQ(*CanonicalUri("/b/a%2Fb+c"), "/b/a%2Fb%2Bc");
}

TEST(CanonicalUriTest, RejectsBadEscapes) {
  for (const char* bad : {"/a%", "/a%4", "/a%zz", "/%G0"}) {
    auto r = CanonicalUri(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(KindOf(r.status()), ErrorKind::kInvalidUri);
  }
}

TEST(CanonicalQueryTest, SortsByEncodedNameThenValue) {
  EXPECT_EQ(*CanonicalQueryString("", false), "");
  EXPECT_EQ(*CanonicalQueryString("Param2=value2&Param1=value1", false),
            "Param1=value1&Param2=value2");
  EXPECT_EQ(*CanonicalQueryString("a=2&a=1&b&A=3", false), "A=3&a=1&a=2&b=");
  EXPECT_EQ(*CanonicalQueryString("lifecycle", false), "lifecycle=");
  EXPECT_EQ(*CanonicalQueryString("prefix=a%2fb&k=a b+c~", false), "k=a%20b%20c~&prefix=a%2Fb");
  EXPECT_EQ(*CanonicalQueryString("x=1&&y=2&", false), "x=1&y=2");
  EXPECT_EQ(*CanonicalQueryString("X-Amz-Signature=abc&X-Amz-Date=1", true), "X-Amz-Date=1");
  EXPECT_EQ(*CanonicalQueryString("X-Amz-Signature=abc", false), "X-Amz-Signature=abc");
  EXPECT_FALSE(CanonicalQueryString("a=%zz", false).ok());
}

TEST(CanonicalHeadersTest, TrimsCollapsesAndJoinsRepeats) {
  EXPECT_EQ(TrimAll("  a   b\t\tc  "), "a b c");
  EXPECT_EQ(TrimAll(""), "");
  std::vector<Header> headers = {{"Host", "h"}, {"My-Header1", " value1 "},
                                 {"my-header1", "a   b"}, {"X-Other", "x"}};
  std::vector<std::string> names = {"host", "my-header1", "absent"};
  EXPECT_EQ(CanonicalHeaders(headers, names), "host:h\nmy-header1:value1,a b\nabsent:\n");
}

// aws-sig-v4-test-suite: service "service", region us-east-1.
class TestSuiteVectors : public ::testing::Test {
 protected:
  std::string Sign(std::string_view method, std::string_view path, std::string_view query,
                   std::vector<Header> headers, std::string_view payload_hash) {
    std::vector<std::string> names;
    for (const Header& h : headers) names.push_back(ToLower(h.name));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    RequestView req{method, path, query, headers};
    auto canonical = CanonicalRequest(req, names, payload_hash, false);
    EXPECT_OK(canonical);
    CredentialScope scope{"20150830", "us-east-1", "service"};
    SigningKey key = DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope);
    return SignatureHex(key, StringToSign("20150830T123600Z", scope, canonical.value()));
  }
  std::vector<Header> Base() {
    return {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  }
};

TEST_F(TestSuiteVectors, GetVanilla) {
  EXPECT_EQ(Sign("GET", "/", "", Base(), kEmptySha256Hex),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_F(TestSuiteVectors, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(Sign("GET", "/", "Param2=value2&Param1=value1", Base(), kEmptySha256Hex),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_F(TestSuiteVectors, GetVanillaEmptyQueryKey) {
  EXPECT_EQ(Sign("GET", "/", "Param1=value1", Base(), kEmptySha256Hex),
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
}

TEST_F(TestSuiteVectors, GetHeaderValueTrim) {
  auto headers = Base();
  headers.push_back({"My-Header1", " value1"});
  headers.push_back({"My-Header2", " \"a   b   c\""});
  EXPECT_EQ(Sign("GET", "/", "", headers, kEmptySha256Hex),
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST_F(TestSuiteVectors, PostXWwwFormUrlencoded) {
  auto headers = Base();
  headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  EXPECT_EQ(Sign("POST", "/", "", headers, Hex(Sha256Of("Param1=value1"))),
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST_F(TestSuiteVectors, GetUtf8) {
  EXPECT_EQ(Sign("GET", "/%E1%88%B4", "", Base(), kEmptySha256Hex),
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST_F(TestSuiteVectors, GetSpace) {
  EXPECT_EQ(Sign("GET", "/example%20space/", "", Base(), kEmptySha256Hex),
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
}

TEST_F(TestSuiteVectors, GetVanillaUtf8Query) {
  EXPECT_EQ(Sign("GET", "/", "%E1%88%B4=bar", Base(), kEmptySha256Hex),
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

TEST(AuthorizationHeaderTest, ParsesCanonicalForm) {
  ASSERT_OK_AND_ASSIGN(
      ParsedAuthorization a,
      ParseAuthorizationHeader(
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
          "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
          "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"));
  EXPECT_EQ(a.credential.access_key, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(a.credential.scope.date, "20130524");
  EXPECT_EQ(a.credential.scope.region, "us-east-1");
  EXPECT_EQ(a.credential.scope.service, "s3");
  EXPECT_EQ(a.signed_headers,
            (std::vector<std::string>{"host", "range", "x-amz-content-sha256", "x-amz-date"}));
  EXPECT_EQ(a.signature, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024");
}

TEST(AuthorizationHeaderTest, ToleratesSpacesAndOrder) {
  ASSERT_OK_AND_ASSIGN(
      ParsedAuthorization a,
      ParseAuthorizationHeader(
          "  AWS4-HMAC-SHA256   Signature = FE5F80F77D5FA3BECA038A248FF027D0445342FE2855DDC963176630326F1024 ,"
          "  SignedHeaders=Host;X-Amz-Date ,Credential=AK/20130524/eu-west-3/s3/aws4_request  "));
  EXPECT_EQ(a.credential.access_key, "AK");
  EXPECT_EQ(a.credential.scope.region, "eu-west-3");
  EXPECT_EQ(a.signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(a.signature, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024");
}

TEST(AuthorizationHeaderTest, RejectsMalformed) {
  const std::string sig = "Signature=" + std::string(64, 'a');
  const std::string cred = "Credential=AK/20130524/us-east-1/s3/aws4_request";
  struct Case {
    std::string value;
    ErrorKind kind;
  };
  std::vector<Case> cases = {
      {"", ErrorKind::kUnsupportedAuth},
      {"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", ErrorKind::kUnsupportedAuth},
      {"AWS4-HMAC-SHA512 " + cred + ",SignedHeaders=host," + sig, ErrorKind::kUnsupportedAuth},
      {"AWS4-HMAC-SHA256", ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host", ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + "," + sig, ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host," + sig + "," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host," + sig + ",Foo=bar",
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host," + sig + ",",
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=," + sig, ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host;;date," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host;host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host,Signature=abc",
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host,Signature=" + std::string(64, 'g'),
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request/x,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130532/us-east-1/s3/aws4_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws5_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256 Credential=AK/20130524//s3/aws4_request,SignedHeaders=host," + sig,
       ErrorKind::kAuthorizationHeaderMalformed},
  };
  for (const Case& c : cases) {
    auto r = ParseAuthorizationHeader(c.value);
    ASSERT_FALSE(r.ok()) << c.value;
    EXPECT_EQ(KindOf(r.status()), c.kind) << c.value << " -> " << r.status().ToString();
  }
}

TEST(PresignQueryTest, ParsesAndBoundsExpires) {
  const std::string base =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20130524%2Fus-east-1%2Fs3%2F"
      "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=" +
      std::string(64, 'b') + "&X-Amz-Security-Token=ignored";
  ASSERT_OK_AND_ASSIGN(PresignParams p, ParsePresignQuery(base + "&X-Amz-Expires=86400"));
  EXPECT_EQ(p.credential.access_key, "AK");
  EXPECT_EQ(p.amz_date, "20130524T000000Z");
  EXPECT_EQ(p.expires_seconds, 86400);
  EXPECT_OK(ParsePresignQuery(base + "&X-Amz-Expires=604800"));
  EXPECT_OK(ParsePresignQuery(base + "&X-Amz-Expires=1"));
  for (const char* e : {"604801", "0", "-1", "", "1e3", "99999999999"}) {
    auto r = ParsePresignQuery(base + "&X-Amz-Expires=" + e);
    ASSERT_FALSE(r.ok()) << e;
    EXPECT_EQ(KindOf(r.status()), ErrorKind::kAuthorizationQueryMalformed) << e;
  }
  auto missing = ParsePresignQuery(base);
  EXPECT_EQ(KindOf(missing.status()), ErrorKind::kAuthorizationQueryMalformed);
  auto repeated = ParsePresignQuery(base + "&X-Amz-Expires=1&X-Amz-Expires=2");
  EXPECT_EQ(KindOf(repeated.status()), ErrorKind::kAuthorizationQueryMalformed);
  auto algo = ParsePresignQuery("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256");
  EXPECT_EQ(KindOf(algo.status()), ErrorKind::kUnsupportedAuth);
  auto bad_date = ParsePresignQuery(
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20130524%2Fus-east-1%2Fs3%2F"
      "aws4_request&X-Amz-Date=20130524&X-Amz-SignedHeaders=host&X-Amz-Expires=5&"
      "X-Amz-Signature=" + std::string(64, 'b'));
  EXPECT_EQ(KindOf(bad_date.status()), ErrorKind::kAuthorizationQueryMalformed);
}

TEST(DateTest, AmzDateRoundTripsAndRejectsGarbage) {
  ASSERT_OK_AND_ASSIGN(TimePoint t, ParseAmzDate("20130524T000000Z"));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(),
            1369353600);
  EXPECT_EQ(FormatAmzDate(t), "20130524T000000Z");
  ASSERT_OK_AND_ASSIGN(TimePoint t2, ParseAmzDate("20240229T235959Z"));
  EXPECT_EQ(FormatAmzDate(t2), "20240229T235959Z");
  for (const char* bad : {"", "20130524T000000", "20130524 000000Z", "20130230T000000Z",
                          "20130524T240000Z", "20130524T006000Z", "2013052AT000000Z",
                          "20130524T000000Z "}) {
    EXPECT_FALSE(ParseAmzDate(bad).ok()) << bad;
  }
}

// system_clock holds 1677-2262 only: dates beyond are refused as out of
// range (SigV2 answers RequestTimeTooSkewed), never converted (UBSan found
// the overflow of year 0000). The overflow wrapped: 0857-10-24 15:50:52
// read as 2026-12-03 14:59:59, inside the skew window of that afternoon.
TEST(DateTest, DatesOutsideTheClockAreOutOfRange) {
  for (const char* far : {"00000101T000000Z", "08571024T155052Z", "16000101T000000Z",
                          "18991231T235959Z", "22010101T000000Z", "99991231T235959Z"}) {
    Result<TimePoint> t = ParseAmzDate(far);
    ASSERT_FALSE(t.ok()) << far;
    EXPECT_EQ(t.status().code(), StatusCode::kOutOfRange) << far;
  }
  Result<TimePoint> http = ParseHttpDate("Sat, 01 Jan 0000 00:00:00 GMT");
  ASSERT_FALSE(http.ok());
  EXPECT_EQ(http.status().code(), StatusCode::kOutOfRange);
  ASSERT_OK_AND_ASSIGN(TimePoint first, ParseAmzDate("19000101T000000Z"));
  EXPECT_EQ(FormatAmzDate(first), "19000101T000000Z");
  ASSERT_OK_AND_ASSIGN(TimePoint last, ParseAmzDate("22001231T235959Z"));
  EXPECT_EQ(FormatAmzDate(last), "22001231T235959Z");
}

TEST(DateTest, HttpDate) {
  ASSERT_OK_AND_ASSIGN(TimePoint t, ParseHttpDate("Fri, 24 May 2013 00:00:00 GMT"));
  EXPECT_EQ(FormatAmzDate(t), "20130524T000000Z");
  ASSERT_OK_AND_ASSIGN(TimePoint t2, ParseHttpDate("01 Dec 2020 13:14:15 GMT"));
  EXPECT_EQ(FormatAmzDate(t2), "20201201T131415Z");
  for (const char* bad : {"", "Fri, 24 Foo 2013 00:00:00 GMT", "Fri, 24 May 2013 00:00:00 UTC",
                          "Fri, 31 Feb 2013 00:00:00 GMT", "Friday, 24-May-13 00:00:00 GMT"}) {
    EXPECT_FALSE(ParseHttpDate(bad).ok()) << bad;
  }
}

TEST(ErrorKindTest, RoundTripsThroughStatus) {
  Status s = MakeError(ErrorKind::kSignatureDoesNotMatch, "nope");
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorKindOf(s), ErrorKind::kSignatureDoesNotMatch);
  EXPECT_EQ(ErrorKindOf(OkStatus()), std::nullopt);
  EXPECT_EQ(ErrorKindOf(InvalidArgumentError("[sigv4:SignatureDoesNotMatch] forged")), std::nullopt);
  EXPECT_EQ(ErrorKindOf(NotFoundError("x")), std::nullopt);
  for (int k = 0; k <= static_cast<int>(ErrorKind::kInternal); ++k) {
    auto kind = static_cast<ErrorKind>(k);
    EXPECT_EQ(ErrorKindOf(MakeError(kind, "d")), kind) << ErrorKindName(kind);
  }
}

TEST(DigestTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
  EXPECT_EQ(Hex(Sha256Of("")), kEmptySha256Hex);
  // RFC 4231 test case 2.
  std::string_view key = "Jefe";
  EXPECT_EQ(Hex(HmacSha256Of({reinterpret_cast<const unsigned char*>(key.data()), key.size()},
                             "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace confiance::sigv4

// File: s3/sigv4/sigv2_test.cc
// SigV2 against the examples of the S3 documentation ("Signing and
// authenticating REST requests", whose signatures Python's hmac module
// reproduces), and every refusal path of sigv2::Verify.
#include "s3/sigv4/sigv2.h"

#include <gtest/gtest.h>

#include <vector>

#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/errors.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::sigv2 {
namespace {

using sigv4::ErrorKind;
using sigv4::Header;

constexpr std::string_view kV2AccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kV2SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

sigv4::SecretLookup Lookup() {
  return [](std::string_view ak) -> Result<std::string> {
    if (ak == kV2AccessKey) return std::string(kV2SecretKey);
    return NotFoundError("no such key");
  };
}

std::optional<ErrorKind> Kind(const Result<sigv4::AuthContext>& r) { return sigv4::ErrorKindOf(r.status()); }

TEST(SigV2Test, DocumentationExamples) {
  // Object GET, virtual-host style: the bucket is part of the resource.
  std::vector<Header> get = {{"Host", "johnsmith.s3.amazonaws.com"}, {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}};
  ASSERT_OK_AND_ASSIGN(std::string to_sign,
                       StringToSign({"GET", "/photos/puppy.jpg", "", get}, "/johnsmith", "Tue, 27 Mar 2007 19:36:42 +0000"));
  EXPECT_EQ(to_sign, "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg");
  EXPECT_EQ(Sign(kV2SecretKey, to_sign), "bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  // Object PUT with a Content-Type.
  std::vector<Header> put = {{"Content-Type", "image/jpeg"}, {"Content-Length", "94328"}};
  ASSERT_OK_AND_ASSIGN(to_sign, StringToSign({"PUT", "/johnsmith/photos/puppy.jpg", "", put}, "",
                                             "Tue, 27 Mar 2007 21:15:45 +0000"));
  EXPECT_EQ(Sign(kV2SecretKey, to_sign), "MyyxeRY7whkBe+bq8fHCL/2kKUg=");
  // Query string authentication: Expires takes the Date's place.
  ASSERT_OK_AND_ASSIGN(to_sign, StringToSign({"GET", "/photos/puppy.jpg",
                                              "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620", {}},
                                             "/johnsmith", "1175139620"));
  EXPECT_EQ(Sign(kV2SecretKey, to_sign), "NpgCjnDzrM+WFzoENXmpNDUsSn8=");
}

TEST(SigV2Test, CanonicalizedResourceKeepsOnlySubResourcesSortedAndDecoded) {
  ASSERT_OK_AND_ASSIGN(std::string r, CanonicalizedResource("", "/b/k%20x", "uploadId=a%2Bb&partNumber=3&foo=bar&acl"));
  EXPECT_EQ(r, "/b/k%20x?acl&partNumber=3&uploadId=a+b");
  ASSERT_OK_AND_ASSIGN(r, CanonicalizedResource("/b", "/", "response-content-type=text%2Fplain&prefix=x"));
  EXPECT_EQ(r, "/b/?response-content-type=text/plain");
  EXPECT_FALSE(CanonicalizedResource("", "/b", "acl=%zz").ok());
}

TEST(SigV2Test, AmzHeadersAreLowercasedSortedAndJoined) {
  std::vector<Header> h = {{"X-Amz-Meta-B", " two "}, {"x-amz-meta-a", "1"}, {"X-AMZ-META-B", "three"},
                           {"Content-Type", "x"}};
  EXPECT_EQ(CanonicalizedAmzHeaders(h), "x-amz-meta-a:1\nx-amz-meta-b:two,three\n");
}

TEST(SigV2Test, DetectsOnlySigV2) {
  std::vector<Header> v2 = {{"Authorization", "AWS AK:sig"}};
  std::vector<Header> v4 = {{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}};
  EXPECT_TRUE(IsSigV2({"GET", "/", "", v2}));
  EXPECT_FALSE(IsSigV2({"GET", "/", "", v4}));
  EXPECT_TRUE(IsSigV2({"GET", "/", "AWSAccessKeyId=AK&Expires=1&Signature=x", {}}));
  EXPECT_FALSE(IsSigV2({"GET", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&Signature=x", {}}));
  EXPECT_FALSE(IsSigV2({"GET", "/", "", {}}));
}

// A signed header-auth request at `date`, for Verify.
struct SignedGet {
  // Headers are views: they point at the members, never at the arguments
  // (ASan found the Date header viewing the moved-from parameter).
  explicit SignedGet(std::string date_arg, std::string_view secret = kV2SecretKey,
                     std::string ak = std::string(kV2AccessKey))
      : date(std::move(date_arg)) {
    headers = {{"Host", "127.0.0.1"}, {"Date", date}, {"x-amz-meta-x", "1"}};
    std::string to_sign = StringToSign(view(), "", date).value();
    auth = "AWS " + ak + ":" + Sign(secret, to_sign);
    headers.push_back({"Authorization", auth});
  }
  sigv4::RequestView view() const { return {"GET", "/bucket/key", "acl", headers}; }
  std::string date, auth;
  std::vector<Header> headers;
};

constexpr std::string_view kNow = "Fri, 24 May 2013 00:00:00 GMT";
sigv4::TimePoint Now() { return sigv4::ParseHttpDate(kNow).value(); }

TEST(SigV2Test, VerifiesHeaderAuth) {
  SignedGet req{std::string(kNow)};
  ASSERT_OK_AND_ASSIGN(sigv4::AuthContext ctx, Verify(req.view(), "", Lookup(), Now()));
  EXPECT_EQ(ctx.access_key, kV2AccessKey);
  EXPECT_EQ(ctx.scheme, sigv4::AuthScheme::kHeader);
  EXPECT_EQ(ctx.payload_mode, sigv4::PayloadMode::kUnsigned);
  // Within the allowed skew either way.
  EXPECT_OK(Verify(req.view(), "", Lookup(), Now() + std::chrono::minutes(14)).status());
  EXPECT_OK(Verify(req.view(), "", Lookup(), Now() - std::chrono::minutes(14)).status());
}

TEST(SigV2Test, BucketPathIsSignedWithOrWithoutTrailingSlash) {
  for (std::string_view signed_path : {"/bucket", "/bucket/"}) {
    std::vector<Header> h = {{"Date", kNow}};
    std::string sig = Sign(kV2SecretKey, StringToSign({"PUT", signed_path, "", h}, "", kNow).value());
    std::string auth = "AWS " + std::string(kV2AccessKey) + ":" + sig;
    h.push_back({"Authorization", auth});
    EXPECT_TRUE(Verify({"PUT", "/bucket", "", h}, "", Lookup(), Now()).ok()) << signed_path;
  }
  // Not for an object path: "/bucket/key" and "/bucket/key/" are two keys.
  std::vector<Header> h = {{"Date", kNow}};
  std::string sig = Sign(kV2SecretKey, StringToSign({"PUT", "/bucket/key/", "", h}, "", kNow).value());
  std::string auth = "AWS " + std::string(kV2AccessKey) + ":" + sig;
  h.push_back({"Authorization", auth});
  EXPECT_EQ(Kind(Verify({"PUT", "/bucket/key", "", h}, "", Lookup(), Now())), ErrorKind::kSignatureDoesNotMatch);
}

TEST(SigV2Test, RefusalsCarryTheirKind) {
  SignedGet req{std::string(kNow)};
  EXPECT_EQ(Kind(Verify(req.view(), "", Lookup(), Now() + std::chrono::minutes(16))),
            ErrorKind::kRequestTimeTooSkewed);
  EXPECT_EQ(Kind(Verify(req.view(), "/bucket", Lookup(), Now())), ErrorKind::kSignatureDoesNotMatch);
  SignedGet wrong_secret{std::string(kNow), "not the secret"};
  EXPECT_EQ(Kind(Verify(wrong_secret.view(), "", Lookup(), Now())), ErrorKind::kSignatureDoesNotMatch);
  SignedGet unknown{std::string(kNow), kV2SecretKey, "NOSUCHKEY"};
  EXPECT_EQ(Kind(Verify(unknown.view(), "", Lookup(), Now())), ErrorKind::kInvalidAccessKeyId);
  // A header changed after signing.
  SignedGet tampered{std::string(kNow)};
  tampered.headers[2].value = "2";
  EXPECT_EQ(Kind(Verify(tampered.view(), "", Lookup(), Now())), ErrorKind::kSignatureDoesNotMatch);
  for (std::string bad : {"", "yesterday", "Mon, 01 Jan 1900 00:00:00 GMT"}) {
    SignedGet bad_date{bad};
    EXPECT_EQ(Kind(Verify(bad_date.view(), "", Lookup(), Now())), ErrorKind::kMissingDate) << bad;
  }
  SignedGet far_future{"Tue, 07 Jul 9999 21:53:04 GMT"};
  EXPECT_EQ(Kind(Verify(far_future.view(), "", Lookup(), Now())), ErrorKind::kRequestTimeTooSkewed);
  // x-amz-date, even empty, replaces Date as the request time.
  SignedGet empty_amz_date{std::string(kNow)};
  empty_amz_date.headers.push_back({"x-amz-date", ""});
  EXPECT_EQ(Kind(Verify(empty_amz_date.view(), "", Lookup(), Now())), ErrorKind::kMissingDate);
  std::vector<Header> malformed = {{"Authorization", "AWS nocolon"}, {"Date", std::string(kNow)}};
  EXPECT_EQ(Kind(Verify({"GET", "/", "", malformed}, "", Lookup(), Now())),
            ErrorKind::kAuthorizationHeaderMalformed);
}

TEST(SigV2Test, PresignedUrlsExpire) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  auto url = [&](int64_t expires, std::string_view secret) {
    std::string query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=" + std::to_string(expires);
    std::string to_sign = StringToSign({"GET", "/bucket/key", query, {}}, "", std::to_string(expires)).value();
    std::string sig = Sign(secret, to_sign);
    std::string encoded;
    for (char c : sig) encoded += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
    return query + "&Signature=" + encoded;
  };
  std::string ok = url(now + 60, kV2SecretKey);
  ASSERT_OK_AND_ASSIGN(sigv4::AuthContext ctx, Verify({"GET", "/bucket/key", ok, {}}, "", Lookup(), Now()));
  EXPECT_EQ(ctx.scheme, sigv4::AuthScheme::kPresigned);
  EXPECT_EQ(Kind(Verify({"GET", "/bucket/key", ok, {}}, "", Lookup(), Now() + std::chrono::seconds(61))),
            ErrorKind::kRequestExpired);
  EXPECT_EQ(Kind(Verify({"PUT", "/bucket/key", ok, {}}, "", Lookup(), Now())), ErrorKind::kSignatureDoesNotMatch);
  std::string forged = url(now + 60, "not the secret");
  EXPECT_EQ(Kind(Verify({"GET", "/bucket/key", forged, {}}, "", Lookup(), Now())),
            ErrorKind::kSignatureDoesNotMatch);
  EXPECT_EQ(Kind(Verify({"GET", "/bucket/key", "AWSAccessKeyId=AK&Signature=x", {}}, "", Lookup(), Now())),
            ErrorKind::kAuthorizationQueryMalformed);
  EXPECT_EQ(Kind(Verify({"GET", "/bucket/key", "AWSAccessKeyId=AK&Expires=soon&Signature=x", {}}, "", Lookup(),
                        Now())),
            ErrorKind::kAuthorizationQueryMalformed);
}

}  // namespace
}  // namespace confiance::sigv2

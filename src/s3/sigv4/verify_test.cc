// File: s3/sigv4/verify_test.cc
// Verify() against the S3 documentation examples, and every refusal path.
#include "s3/sigv4/verify.h"

#include <gtest/gtest.h>

#include <vector>

#include "s3/sigv4/errors.h"
#include "s3/sigv4/sign.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::sigv4 {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kAccess = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

TimePoint T0() { return ParseAmzDate("20130524T000000Z").value(); }

SecretLookup Lookup() {
  return [](std::string_view ak) -> Result<std::string> {
    if (ak == kAccess) return std::string(kSecret);
    if (ak == "BROKEN") return UnavailableError("iam down");
    return NotFoundError("no such key");
  };
}

std::optional<ErrorKind> Kind(const Result<AuthContext>& r) { return ErrorKindOf(r.status()); }

std::string GetObjectAuth(std::string_view sig) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
         "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=" +
         std::string(sig);
}
constexpr std::string_view kGetObjectSig =
    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

// The "GET Object" example of "Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk".
struct GetObject {
  std::string auth = GetObjectAuth(kGetObjectSig);
  std::vector<Header> headers = {
      {"Host", "examplebucket.s3.amazonaws.com"},
      {"Range", "bytes=0-9"},
      {"x-amz-content-sha256", kEmptySha256Hex},
      {"x-amz-date", "20130524T000000Z"},
      {"Authorization", auth},
  };
  RequestView view() const { return {"GET", "/test.txt", "", headers}; }
};

TEST(VerifyTest, AwsGetObjectExample) {
  GetObject req;
  ASSERT_OK_AND_ASSIGN(AuthContext ctx, Verify(req.view(), Lookup(), T0()));
  EXPECT_EQ(ctx.scheme, AuthScheme::kHeader);
  EXPECT_EQ(ctx.access_key, kAccess);
  EXPECT_EQ(ctx.scope.region, "us-east-1");
  EXPECT_EQ(ctx.amz_date, "20130524T000000Z");
  EXPECT_EQ(ctx.seed_signature, kGetObjectSig);
  EXPECT_EQ(ctx.payload_mode, PayloadMode::kSha256);
  EXPECT_EQ(ctx.payload_sha256, kEmptySha256Hex);
  VerifyOptions eu;
  eu.region = "eu-west-3";
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0(), eu)), ErrorKind::kAuthorizationHeaderMalformed);
  VerifyOptions us;
  us.region = "us-east-1";
  EXPECT_OK(Verify(req.view(), Lookup(), T0(), us));
}

// An STS query-API call as the SDKs sign it: service "sts", no
// x-amz-content-sha256 (the body's hash is the caller's to supply). The
// signature was computed with Python's hmac and hashlib from the SigV4
// specification, independently of this code.
struct StsCallRequest {
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/sts/aws4_request,"
      "SignedHeaders=content-type;host;x-amz-date,"
      "Signature=476cc5b033d814502eafd2d3d1a8fc1f7228ea7c17d00347f9e4db8140343729";
  std::vector<Header> headers = {
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"Host", "127.0.0.1:9000"},
      {"X-Amz-Date", "20130524T000000Z"},
      {"Authorization", auth},
  };
  RequestView view() const { return {"POST", "/", "", headers}; }
};
// SHA-256 of "Action=GetSessionToken&Version=2011-06-15".
constexpr std::string_view kStsBodySha256 = "52153ec21916c13f860e8cdac3b28e0209d64e1721c0e6d76cefca0b475a34e4";

TEST(VerifyTest, StsServiceWithTheCallersBodyHash) {
  StsCallRequest req;
  VerifyOptions sts;
  sts.service = "sts";
  sts.body_sha256 = std::string(kStsBodySha256);
  ASSERT_OK_AND_ASSIGN(AuthContext ctx, Verify(req.view(), Lookup(), T0(), sts));
  EXPECT_EQ(ctx.scope.service, "sts");
  EXPECT_EQ(ctx.payload_mode, PayloadMode::kSha256);
  EXPECT_EQ(ctx.payload_sha256, kStsBodySha256);
  // Another body: the signature no longer matches.
  VerifyOptions other = sts;
  other.body_sha256 = std::string(kEmptySha256Hex);
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0(), other)), ErrorKind::kSignatureDoesNotMatch);
  // Without the caller's hash the header is required, as for S3.
  VerifyOptions no_hash;
  no_hash.service = "sts";
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0(), no_hash)), ErrorKind::kMissingContentSha256);
  // The S3 endpoint's default refuses an sts-scoped credential, and the
  // STS call an s3-scoped one.
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0())), ErrorKind::kAuthorizationHeaderMalformed);
  GetObject s3_request;
  EXPECT_EQ(Kind(Verify(s3_request.view(), Lookup(), T0(), sts)), ErrorKind::kAuthorizationHeaderMalformed);
}

TEST(VerifyTest, UppercaseSignatureHexAccepted) {
  GetObject req;
  std::string upper(kGetObjectSig);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  req.auth = GetObjectAuth(upper);
  req.headers[4].value = req.auth;
  EXPECT_OK(Verify(req.view(), Lookup(), T0()));
}

TEST(VerifyTest, AwsPutObjectExampleWithDateHeader) {
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
      "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
      "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
  std::string body_hash = Hex(Sha256Of("Welcome to Amazon S3."));
  std::vector<Header> headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                 {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                 {"Authorization", auth},
                                 {"x-amz-date", "20130524T000000Z"},
                                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                                 {"x-amz-content-sha256", body_hash}};
  ASSERT_OK_AND_ASSIGN(AuthContext ctx,
                       Verify({"PUT", "/test%24file.text", "", headers}, Lookup(), T0()));
  EXPECT_EQ(ctx.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_OK(Verify({"PUT", "/test$file.text", "", headers}, Lookup(), T0()));
}

TEST(VerifyTest, AwsBucketExamplesWithQuery) {
  auto make = [](std::string_view sig) {
    return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
           "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=" +
           std::string(sig);
  };
  std::string lifecycle = make("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  std::string list = make("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  std::vector<Header> headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                 {"x-amz-date", "20130524T000000Z"},
                                 {"x-amz-content-sha256", kEmptySha256Hex},
                                 {"Authorization", lifecycle}};
  EXPECT_OK(Verify({"GET", "/", "lifecycle", headers}, Lookup(), T0()));
  headers[3].value = list;
  EXPECT_OK(Verify({"GET", "/", "max-keys=2&prefix=J", headers}, Lookup(), T0()));
  EXPECT_OK(Verify({"GET", "/", "prefix=J&max-keys=2", headers}, Lookup(), T0()));
  EXPECT_EQ(Kind(Verify({"GET", "/", "max-keys=3&prefix=J", headers}, Lookup(), T0())),
            ErrorKind::kSignatureDoesNotMatch);
}

constexpr std::string_view kPresignQuery =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
    "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
    "X-Amz-SignedHeaders=host&X-Amz-Signature="
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

TEST(VerifyTest, AwsPresignedExampleAndExpiry) {
  std::vector<Header> headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  RequestView req{"GET", "/test.txt", kPresignQuery, headers};
  ASSERT_OK_AND_ASSIGN(AuthContext ctx, Verify(req, Lookup(), T0() + hours(1)));
  EXPECT_EQ(ctx.scheme, AuthScheme::kPresigned);
  EXPECT_EQ(ctx.payload_mode, PayloadMode::kUnsigned);
  EXPECT_OK(Verify(req, Lookup(), T0() + seconds(86400)));
  EXPECT_EQ(Kind(Verify(req, Lookup(), T0() + seconds(86401))), ErrorKind::kRequestExpired);
  EXPECT_OK(Verify(req, Lookup(), T0() - minutes(15)));
  EXPECT_EQ(Kind(Verify(req, Lookup(), T0() - minutes(16))), ErrorKind::kRequestNotYetValid);
  // The client-side Presign() reproduces the AWS example.
  ASSERT_OK_AND_ASSIGN(std::string query,
                       Presign({"GET", "/test.txt", "", headers},
                               {kAccess, kSecret, "us-east-1"}, "20130524T000000Z", 86400));
  EXPECT_EQ(query, kPresignQuery);
}

TEST(VerifyTest, PresignedRefusals) {
  std::vector<Header> headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  std::string q(kPresignQuery);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = q;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  std::string week = with("X-Amz-Expires=86400", "X-Amz-Expires=604801");
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", week, headers}, Lookup(), T0())),
            ErrorKind::kAuthorizationQueryMalformed);
  std::string tampered = with("X-Amz-Expires=86400", "X-Amz-Expires=86401");
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", tampered, headers}, Lookup(), T0())),
            ErrorKind::kSignatureDoesNotMatch);
  // Extra query parameters are signed.
  std::string extra = q + "&response-content-type=text%2Fplain";
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", extra, headers}, Lookup(), T0())),
            ErrorKind::kSignatureDoesNotMatch);
  std::vector<Header> unsigned_amz = {{"Host", "examplebucket.s3.amazonaws.com"},
                                      {"X-Amz-Meta-Foo", "bar"}};
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", q, unsigned_amz}, Lookup(), T0())),
            ErrorKind::kHeadersNotSigned);
  std::vector<Header> both = {{"Host", "examplebucket.s3.amazonaws.com"},
                              {"Authorization", GetObjectAuth(kGetObjectSig)}};
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", q, both}, Lookup(), T0())), ErrorKind::kAmbiguousAuth);
  EXPECT_EQ(Kind(Verify({"GET", "/test.txt", "", headers}, Lookup(), T0())), ErrorKind::kMissingAuth);
  // Signed over a round trip with a custom query and a week of validity.
  ASSERT_OK_AND_ASSIGN(std::string query,
                       Presign({"PUT", "/b/k%20ey", "partNumber=1&uploadId=a%2Bb", headers},
                               {kAccess, kSecret, "us-east-1"}, "20130524T000000Z", 604800));
  EXPECT_OK(Verify({"PUT", "/b/k%20ey", query, headers}, Lookup(), T0() + hours(24 * 7)));
  EXPECT_EQ(Kind(Verify({"PUT", "/b/k%20ez", query, headers}, Lookup(), T0())),
            ErrorKind::kSignatureDoesNotMatch);
}

TEST(VerifyTest, ClockSkew) {
  GetObject req;
  EXPECT_OK(Verify(req.view(), Lookup(), T0() + minutes(15)));
  EXPECT_OK(Verify(req.view(), Lookup(), T0() - minutes(15)));
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0() + minutes(15) + seconds(1))),
            ErrorKind::kRequestTimeTooSkewed);
  EXPECT_EQ(Kind(Verify(req.view(), Lookup(), T0() - minutes(16))),
            ErrorKind::kRequestTimeTooSkewed);
}

TEST(VerifyTest, TamperingAnyOneFieldFails) {
  struct Edit {
    const char* what;
    std::function<void(std::string& method, std::string& path, std::string& query,
                       std::vector<std::pair<std::string, std::string>>& headers)>
        apply;
  };
  std::vector<Edit> edits = {
      {"method", [](auto& m, auto&, auto&, auto&) { m = "PUT"; }},
      {"path", [](auto&, auto& p, auto&, auto&) { p = "/test.txu"; }},
      {"path-case", [](auto&, auto& p, auto&, auto&) { p = "/Test.txt"; }},
      {"query", [](auto&, auto&, auto& q, auto&) { q = "x=1"; }},
      {"host", [](auto&, auto&, auto&, auto& h) { h[0].second = "evil.s3.amazonaws.com"; }},
      {"range", [](auto&, auto&, auto&, auto& h) { h[1].second = "bytes=0-10"; }},
      {"sha", [](auto&, auto&, auto&, auto& h) { h[2].second[0] = 'f'; }},
      {"signature", [](auto&, auto&, auto&, auto& h) { h[4].second.back() = '0'; }},
      {"access-key", [](auto&, auto&, auto&, auto& h) { h[4].second[33] = 'B'; }},
      {"region", [](auto&, auto&, auto&, auto& h) {
         h[4].second.replace(h[4].second.find("us-east-1"), 9, "us-east-2");
       }},
      {"date", [](auto&, auto&, auto&, auto& h) { h[3].second = "20130524T000001Z"; }},
      {"signed-headers-drop-range", [](auto&, auto&, auto&, auto& h) {
         h[4].second.replace(h[4].second.find("host;range;"), 11, "host;");
       }},
      {"repeated-header", [](auto&, auto&, auto&, auto& h) { h.push_back({"Range", "x"}); }},
  };
  for (const Edit& e : edits) {
    std::string method = "GET", path = "/test.txt", query;
    std::vector<std::pair<std::string, std::string>> owned = {
        {"Host", "examplebucket.s3.amazonaws.com"},
        {"Range", "bytes=0-9"},
        {"x-amz-content-sha256", std::string(kEmptySha256Hex)},
        {"x-amz-date", "20130524T000000Z"},
        {"Authorization", GetObjectAuth(kGetObjectSig)}};
    e.apply(method, path, query, owned);
    std::vector<Header> headers;
    for (const auto& [n, v] : owned) headers.push_back({n, v});
    auto r = Verify({method, path, query, headers}, Lookup(), T0());
    ASSERT_FALSE(r.ok()) << e.what;
    EXPECT_TRUE(Kind(r) == ErrorKind::kSignatureDoesNotMatch ||
                Kind(r) == ErrorKind::kInvalidAccessKeyId)
        << e.what << ": " << r.status().ToString();
  }
}

TEST(VerifyTest, HeaderRefusals) {
  auto verify_with = [](std::vector<Header> headers) {
    return Verify({"GET", "/test.txt", "", headers}, Lookup(), T0());
  };
  GetObject base;
  auto without = [&](std::string_view name) {
    std::vector<Header> h;
    for (const Header& x : base.headers) {
      if (!EqualsIgnoreCase(x.name, name)) h.push_back(x);
    }
    return h;
  };
  EXPECT_EQ(Kind(verify_with(without("x-amz-content-sha256"))), ErrorKind::kMissingContentSha256);
  EXPECT_EQ(Kind(verify_with(without("x-amz-date"))), ErrorKind::kMissingDate);
  auto bad_date = base.headers;
  bad_date[3].value = "2013-05-24T00:00:00Z";
  EXPECT_EQ(Kind(verify_with(bad_date)), ErrorKind::kMissingDate);
  auto other_day = base.headers;
  other_day[3].value = "20130525T000000Z";
  EXPECT_EQ(Kind(verify_with(other_day)), ErrorKind::kAuthorizationHeaderMalformed);
  auto bad_sha = base.headers;
  bad_sha[2].value = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
  EXPECT_EQ(Kind(verify_with(bad_sha)), ErrorKind::kInvalidContentSha256);
  auto unsigned_amz = base.headers;
  unsigned_amz.push_back({"X-Amz-Meta-Color", "red"});
  EXPECT_EQ(Kind(verify_with(unsigned_amz)), ErrorKind::kHeadersNotSigned);
  auto unsigned_host = base.headers;
  std::string auth = base.auth;
  auth.replace(auth.find("host;"), 5, "");
  unsigned_host[4].value = auth;
  EXPECT_EQ(Kind(verify_with(unsigned_host)), ErrorKind::kHeadersNotSigned);
  auto unknown = base.headers;
  std::string auth2 = base.auth;
  auth2.replace(auth2.find("AKIAIOSFODNN7EXAMPLE"), 20, "AKIAUNKNOWNKEY000000");
  unknown[4].value = auth2;
  EXPECT_EQ(Kind(verify_with(unknown)), ErrorKind::kInvalidAccessKeyId);
  auto broken = base.headers;
  std::string auth3 = base.auth;
  auth3.replace(auth3.find("AKIAIOSFODNN7EXAMPLE"), 20, "BROKEN");
  broken[4].value = auth3;
  auto r = verify_with(broken);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  auto sigv2 = base.headers;
  sigv2[4].value = "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=";
  EXPECT_EQ(Kind(verify_with(sigv2)), ErrorKind::kUnsupportedAuth);
}

TEST(VerifyTest, SignRequestRoundTrip) {
  std::vector<Header> headers = {{"Host", "localhost:9000"},
                                 {"x-amz-date", "20130524T000000Z"},
                                 {"x-amz-content-sha256", kUnsignedPayload},
                                 {"X-Amz-Meta-A", "  one  "},
                                 {"x-amz-meta-a", "two"},
                                 {"Content-Type", "text/plain"}};
  RequestView req{"PUT", "/bucket/dir/a%20b+c%2Fd", "tagging&versionId=x%2By", headers};
  ASSERT_OK_AND_ASSIGN(SignedRequest signed_req,
                       SignRequest(req, kUnsignedPayload, {kAccess, kSecret, "eu-west-3"},
                                   "20130524T000000Z"));
  headers.push_back({"Authorization", signed_req.authorization});
  req.headers = headers;
  ASSERT_OK_AND_ASSIGN(AuthContext ctx, Verify(req, Lookup(), T0()));
  EXPECT_EQ(ctx.scope.region, "eu-west-3");
  EXPECT_EQ(ctx.payload_mode, PayloadMode::kUnsigned);
  EXPECT_EQ(ctx.seed_signature, signed_req.signature);
  // The SigningKey in the context is the derived key for the scope.
  EXPECT_EQ(ctx.signing_key.bytes(), DeriveSigningKey(kSecret, ctx.scope).bytes());
}

}  // namespace
}  // namespace confiance::sigv4

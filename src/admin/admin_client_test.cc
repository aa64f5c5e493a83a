// File: admin/admin_client_test.cc
// The CLI client's pure parts: endpoints, paths, and signatures that the
// server's verifier accepts (and rejects once tampered with).
#include "admin/admin_client.h"

#include <gtest/gtest.h>

#include "s3/sigv4/verify.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

TEST(EndpointTest, Parses) {
  ASSERT_OK_AND_ASSIGN(Endpoint e, ParseEndpoint("http://127.0.0.1:9000"));
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 9000);
  EXPECT_EQ(e.HostHeader(), "127.0.0.1:9000");
  ASSERT_OK_AND_ASSIGN(e, ParseEndpoint("localhost:8080/"));
  EXPECT_EQ(e.host, "localhost");
  EXPECT_EQ(e.port, 8080);
  ASSERT_OK_AND_ASSIGN(e, ParseEndpoint("http://s3.example.com"));
  EXPECT_EQ(e.port, 80);
  ASSERT_OK_AND_ASSIGN(e, ParseEndpoint("http://[::1]:9000"));
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.HostHeader(), "[::1]:9000");
  EXPECT_FALSE(e.tls);
}

TEST(EndpointTest, ParsesHttps) {
  ASSERT_OK_AND_ASSIGN(Endpoint e, ParseEndpoint("https://127.0.0.1:9443"));
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 9443);
  ASSERT_OK_AND_ASSIGN(e, ParseEndpoint("https://s3.example.com/"));
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.port, 443);
  EXPECT_EQ(e.HostHeader(), "s3.example.com:443");
}

TEST(EndpointTest, Rejects) {
  for (const char* bad : {"ftp://x", "HTTPS://x", "https://", "https://h:9000/path", "http://", "http://:9000", "http://h:0",
                          "http://h:70000", "http://h:12ab", "http://h:", "http://h:9000/path", "http://[::1"}) {
    EXPECT_STATUS_CODE(ParseEndpoint(bad), kInvalidArgument) << bad;
  }
}

TEST(AdminPathTest, EncodesEachNameAsOneSegment) {
  EXPECT_EQ(AdminPath({"tenants"}), "/_confiance/admin/v1/tenants");
  EXPECT_EQ(AdminPath({"tenants", "acme", "users", "a+b@c", "policies", "read/only"}),
            "/_confiance/admin/v1/tenants/acme/users/a%2Bb%40c/policies/read%2Fonly");
}

class SignedHeadersTest : public ::testing::Test {
 protected:
  Result<sigv4::AuthContext> Verify(const std::vector<HttpHeader>& headers, std::string_view method,
                                    std::string_view path, std::string_view region = "us-east-1") {
    std::vector<sigv4::Header> view_headers;
    for (const HttpHeader& h : headers) view_headers.push_back({h.name, h.value});
    sigv4::RequestView view;
    view.method = method;
    view.raw_path = path;
    view.headers = view_headers;
    sigv4::SecretLookup lookup = [](std::string_view ak) -> Result<std::string> {
      if (ak == "AKOP") return std::string("operator-secret");
      return NotFoundError("unknown");
    };
    sigv4::VerifyOptions options;
    options.region = std::string(region);
    return sigv4::Verify(view, lookup, now_, options);
  }

  SigningCredentials creds_{"AKOP", "operator-secret", "us-east-1"};
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(SignedHeadersTest, ServerVerifiesWhatTheClientSigns) {
  const std::string path = AdminPath({"tenants", "acme", "users"});
  const std::string body = R"({"name":"bob"})";
  ASSERT_OK_AND_ASSIGN(std::vector<HttpHeader> headers,
                       SignedHeaders("POST", "127.0.0.1:9000", path, body, creds_, now_));
  ASSERT_OK_AND_ASSIGN(sigv4::AuthContext auth, Verify(headers, "POST", path));
  EXPECT_EQ(auth.access_key, "AKOP");
  // The body's hash is signed, so AdminService can insist on it.
  EXPECT_EQ(auth.payload_mode, sigv4::PayloadMode::kSha256);
  EXPECT_EQ(auth.payload_sha256, crypto::Sha256Hex(body));
  bool has_content_type = false;
  for (const HttpHeader& h : headers) has_content_type |= h.name == "content-type";
  EXPECT_TRUE(has_content_type);
}

TEST_F(SignedHeadersTest, TamperingIsDetected) {
  const std::string path = AdminPath({"tenants", "acme"});
  ASSERT_OK_AND_ASSIGN(std::vector<HttpHeader> headers,
                       SignedHeaders("DELETE", "127.0.0.1:9000", path, "", creds_, now_));
  EXPECT_FALSE(Verify(headers, "DELETE", AdminPath({"tenants", "globex"})).ok());
  EXPECT_FALSE(Verify(headers, "GET", path).ok());
  EXPECT_FALSE(Verify(headers, "DELETE", path, "eu-west-3").ok());  // scoped to another region
  SigningCredentials wrong = creds_;
  wrong.secret_key = "not-the-secret";
  ASSERT_OK_AND_ASSIGN(std::vector<HttpHeader> forged,
                       SignedHeaders("DELETE", "127.0.0.1:9000", path, "", wrong, now_));
  EXPECT_FALSE(Verify(forged, "DELETE", path).ok());
}

TEST(AdminClientTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there in a test environment.
  AdminClient client(Endpoint{"127.0.0.1", 1}, SigningCredentials{"AK", "secret-key", "us-east-1"},
                     std::chrono::seconds(5));
  Result<HttpReply> reply = client.Call("GET", AdminPath({"whoami"}));
  EXPECT_STATUS_CODE(reply, kUnavailable);
  EXPECT_STATUS_CODE(client.Call("BREW", AdminPath({"whoami"})), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::admin

// File: s3/sse_test.cc
#include "s3/sse.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/customer_key.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::s3 {
namespace {

// boto3's encoding of a 32-byte key: base64 key and base64 MD5 of the raw key.
struct Encoded {
  std::string key;
  std::string md5;
};

Encoded Encode(const std::string& raw) {
  std::array<uint8_t, 16> d = crypto::Md5Digest(raw);
  return {crypto::Base64Encode(raw),
          crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()))};
}

http::Request Req(std::vector<http::Header> headers, std::string peer = "127.0.0.1") {
  http::Request r;
  r.method = "PUT";
  r.target = "/b/k";
  r.headers = std::move(headers);
  r.remote_address = std::move(peer);
  return r;
}

std::vector<http::Header> CustomerHeaders(const Encoded& e, std::string prefix = "x-amz-server-side-encryption-customer-") {
  return {{prefix + "algorithm", "AES256"}, {prefix + "key", e.key}, {prefix + "key-MD5", e.md5}};
}

const std::string kRaw(32, 'k');

TEST(SseTest, NoHeadersIsSseS3) {
  RequestSse sse;
  http::Request r = Req({});
  EXPECT_FALSE(ParseRequestSse(r, true, true, false, &sse).has_value());
  EXPECT_FALSE(sse.customer.has_value());
  std::vector<http::Header> h;
  AddSseResponseHeaders(h, false, sse.customer);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].name, "x-amz-server-side-encryption");
  EXPECT_EQ(h[0].value, "AES256");
}

TEST(SseTest, ParsesCustomerKeyAndEchoesItsMd5) {
  Encoded e = Encode(kRaw);
  RequestSse sse;
  http::Request r = Req(CustomerHeaders(e));
  ASSERT_FALSE(ParseRequestSse(r, true, false, false, &sse).has_value());
  ASSERT_TRUE(sse.customer.has_value());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sse.customer->key.data()), 32), kRaw);
  EXPECT_EQ(sse.customer->key_md5, e.md5);
  std::vector<http::Header> h;
  AddSseResponseHeaders(h, true, sse.customer);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].value, "AES256");
  EXPECT_EQ(h[1].name, "x-amz-server-side-encryption-customer-key-MD5");
  EXPECT_EQ(h[1].value, e.md5);
}

TEST(SseTest, ParsesCopySourceKeySeparately) {
  Encoded src = Encode(std::string(32, 's'));
  Encoded dst = Encode(kRaw);
  std::vector<http::Header> h = CustomerHeaders(src, "x-amz-copy-source-server-side-encryption-customer-");
  for (auto& x : CustomerHeaders(dst)) h.push_back(x);
  RequestSse sse;
  http::Request r = Req(h);
  ASSERT_FALSE(ParseRequestSse(r, true, true, false, &sse).has_value());
  ASSERT_TRUE(sse.customer && sse.copy_source);
  EXPECT_EQ(sse.customer->key_md5, dst.md5);
  EXPECT_EQ(sse.copy_source->key_md5, src.md5);
}

S3Error MustRefuse(const http::Request& r, bool write = true) {
  RequestSse sse;
  std::optional<S3Error> e = ParseRequestSse(r, write, true, false, &sse);
  EXPECT_TRUE(e.has_value());
  return e.value_or(MakeError(S3ErrorCode::kInternalError));
}

TEST(SseTest, RefusesMalformedCustomerHeadersAsS3Does) {
  Encoded e = Encode(kRaw);
  const std::string p = "x-amz-server-side-encryption-customer-";
  // Bad MD5.
  EXPECT_EQ(MustRefuse(Req({{p + "algorithm", "AES256"}, {p + "key", e.key}, {p + "key-MD5", Encode("x").md5}})).code,
            S3ErrorCode::kInvalidArgument);
  // Missing MD5, key, algorithm; wrong algorithm.
  EXPECT_EQ(MustRefuse(Req({{p + "algorithm", "AES256"}, {p + "key", e.key}})).code, S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{p + "algorithm", "AES256"}, {p + "key-MD5", e.md5}})).code,
            S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{p + "key", e.key}, {p + "key-MD5", e.md5}})).code, S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{p + "algorithm", "AES128"}, {p + "key", e.key}, {p + "key-MD5", e.md5}})).code,
            S3ErrorCode::kInvalidArgument);
  // A 128-bit key, and a key that is not base64.
  Encoded short_key = Encode(std::string(16, 'k'));
  EXPECT_EQ(MustRefuse(Req(CustomerHeaders(short_key))).code, S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{p + "algorithm", "AES256"}, {p + "key", "!!!"}, {p + "key-MD5", e.md5}})).code,
            S3ErrorCode::kInvalidArgument);
  // SSE-C combined with x-amz-server-side-encryption.
  std::vector<http::Header> both = CustomerHeaders(e);
  both.push_back({"x-amz-server-side-encryption", "AES256"});
  EXPECT_EQ(MustRefuse(Req(both)).code, S3ErrorCode::kInvalidArgument);
}

TEST(SseTest, ParsesKmsAndRefusesDsseAndUnknownAlgorithms) {
  EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption", "aws:kms:dsse"}})).code, S3ErrorCode::kNotImplemented);
  // A key id or context without aws:kms (or with AES256) is refused.
  EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption-aws-kms-key-id", "k"}})).code,
            S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption", "AES256"},
                            {"x-amz-server-side-encryption-aws-kms-key-id", "k"}})).code,
            S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption", "AES128"}})).code, S3ErrorCode::kInvalidArgument);
  // The context must be base64 of a JSON object of strings.
  for (const char* bad : {"!!!", "bm90IGpzb24=" /* not json */, "WzFd" /* [1] */, "eyJhIjoxfQ==" /* {"a":1} */}) {
    EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption", "aws:kms"},
                              {"x-amz-server-side-encryption-context", bad}})).code,
              S3ErrorCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(MustRefuse(Req({{"x-amz-server-side-encryption", "aws:kms"},
                            {"x-amz-server-side-encryption-bucket-key-enabled", "yes"}})).code,
            S3ErrorCode::kInvalidArgument);
  RequestSse sse;
  http::Request aes = Req({{"x-amz-server-side-encryption", "AES256"}});
  EXPECT_FALSE(ParseRequestSse(aes, true, false, false, &sse).has_value());
  EXPECT_TRUE(sse.sse_s3);
  EXPECT_FALSE(sse.kms.has_value());
  RequestSse kms;
  http::Request k = Req({{"x-amz-server-side-encryption", "aws:kms"},
                         {"x-amz-server-side-encryption-aws-kms-key-id", "acme"},
                         {"x-amz-server-side-encryption-context", "eyJhIjoiYiJ9"},
                         {"x-amz-server-side-encryption-bucket-key-enabled", "TRUE"}});
  ASSERT_FALSE(ParseRequestSse(k, true, false, false, &kms).has_value());
  ASSERT_TRUE(kms.kms.has_value());
  EXPECT_EQ(kms.kms->key_id, "acme");
  EXPECT_EQ(kms.kms->context, "eyJhIjoiYiJ9");
  EXPECT_EQ(kms.kms->bucket_key_enabled, std::optional<bool>(true));
  // Reads refuse x-amz-server-side-encryption (as S3); other operations
  // (UploadPart) ignore it.
  http::Request kms_read = Req({{"x-amz-server-side-encryption", "aws:kms"}});
  RequestSse r;
  std::optional<S3Error> refused = ParseRequestSse(kms_read, false, false, false, &r, /*read=*/true);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, S3ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseRequestSse(kms_read, false, false, false, &r).has_value());
}

TEST(SseTest, KmsResponseHeaders) {
  std::vector<http::Header> h;
  catalog::SseKms kms{"acme", "eyJhIjoiYiJ9", true};
  AddSseResponseHeaders(h, false, std::nullopt, kms, /*with_context=*/true);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].value, "aws:kms");
  EXPECT_EQ(h[1].name, "x-amz-server-side-encryption-aws-kms-key-id");
  EXPECT_EQ(h[1].value, "acme");
  EXPECT_EQ(h[2].name, "x-amz-server-side-encryption-bucket-key-enabled");
  EXPECT_EQ(h[3].value, "eyJhIjoiYiJ9");
  std::vector<http::Header> read;
  AddSseResponseHeaders(read, false, std::nullopt, catalog::SseKms{"acme", "eyJhIjoiYiJ9", false});
  EXPECT_EQ(read.size(), 2u);
}

TEST(SseTest, CustomerKeysNeedTlsLoopbackOrTheFlag) {
  Encoded e = Encode(kRaw);
  for (const char* peer : {"127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"}) {
    RequestSse sse;
    http::Request r = Req(CustomerHeaders(e), peer);
    EXPECT_FALSE(ParseRequestSse(r, true, false, false, &sse).has_value()) << peer;
  }
  http::Request remote = Req(CustomerHeaders(e), "192.0.2.7");
  EXPECT_EQ(MustRefuse(remote).code, S3ErrorCode::kInvalidRequest);
  RequestSse sse;
  EXPECT_FALSE(ParseRequestSse(remote, true, false, true, &sse).has_value());
  EXPECT_TRUE(sse.customer.has_value());
  // Over the server's own TLS listener, any peer, without the flag.
  http::Request tls = Req(CustomerHeaders(e), "192.0.2.7");
  tls.secure = true;
  RequestSse over_tls;
  EXPECT_FALSE(ParseRequestSse(tls, true, false, false, &over_tls).has_value());
  EXPECT_TRUE(over_tls.customer.has_value());
}

TEST(SseTest, WipesOnlyTheKeyHeaders) {
  Encoded e = Encode(kRaw);
  std::vector<http::Header> h = CustomerHeaders(e);
  for (auto& x : CustomerHeaders(e, "X-Amz-Copy-Source-Server-Side-Encryption-Customer-")) h.push_back(x);
  h.push_back({"x-amz-meta-key", "keep"});
  http::Request r = Req(h);
  WipeCustomerKeyHeaders(r);
  EXPECT_EQ(r.FindHeader("x-amz-server-side-encryption-customer-key").value_or("?"), "");
  EXPECT_EQ(r.FindHeader("x-amz-copy-source-server-side-encryption-customer-key").value_or("?"), "");
  EXPECT_EQ(r.FindHeader("x-amz-server-side-encryption-customer-key-md5").value_or(""), e.md5);
  EXPECT_EQ(r.FindHeader("x-amz-server-side-encryption-customer-algorithm").value_or(""), "AES256");
  EXPECT_EQ(r.FindHeader("x-amz-meta-key").value_or(""), "keep");
}

TEST(SseTest, CheckCustomerKeyAnswersAsS3) {
  Encoded e = Encode(kRaw);
  RequestSse sse;
  http::Request r = Req(CustomerHeaders(e));
  ASSERT_FALSE(ParseRequestSse(r, false, false, false, &sse).has_value());
  const std::string salt(16, 's');
  const std::string verifier = crypto::CustomerKeyVerifier(sse.customer->key, salt);
  EXPECT_FALSE(CheckCustomerKey(sse.customer, salt, verifier).has_value());
  EXPECT_FALSE(CheckCustomerKey(std::nullopt, "", "").has_value());
  EXPECT_EQ(CheckCustomerKey(std::nullopt, salt, verifier)->code, S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(CheckCustomerKey(sse.customer, "", "")->code, S3ErrorCode::kInvalidRequest);
  RequestSse other;
  http::Request r2 = Req(CustomerHeaders(Encode(std::string(32, 'w'))));
  ASSERT_FALSE(ParseRequestSse(r2, false, false, false, &other).has_value());
  std::optional<S3Error> wrong = CheckCustomerKey(other.customer, salt, verifier);
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->code, S3ErrorCode::kAccessDenied);
  EXPECT_EQ(wrong->HttpStatus(), 403);
}

}  // namespace
}  // namespace confiance::s3

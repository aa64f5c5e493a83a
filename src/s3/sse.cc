// File: s3/sse.cc
// Messages are S3's own for each SSE refusal (as recorded from S3 and
// mirrored by Ceph RGW, which the s3-tests check).
#include "s3/sse.h"

#include <openssl/crypto.h>

#include <strings.h>

#include "crypto/customer_key.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kSsePrefix = "x-amz-server-side-encryption-customer-";
constexpr std::string_view kCopySsePrefix = "x-amz-copy-source-server-side-encryption-customer-";

S3Error Invalid(std::string message, std::string argument) {
  S3Error e = MakeError(S3ErrorCode::kInvalidArgument, std::move(message));
  e.details.emplace_back("ArgumentName", std::move(argument));
  return e;
}

std::optional<std::string_view> Find(const http::Request& request, std::string_view prefix, std::string_view name) {
  std::string header(prefix);
  header += name;
  return request.FindHeader(header);
}

// One set of customer headers (plain or copy-source).
std::optional<S3Error> ParseCustomerKey(const http::Request& request, std::string_view prefix, bool allow_http,
                                        std::optional<CustomerKey>* out) {
  std::optional<std::string_view> algorithm = Find(request, prefix, "algorithm");
  std::optional<std::string_view> key = Find(request, prefix, "key");
  std::optional<std::string_view> md5 = Find(request, prefix, "key-md5");
  if (!algorithm && !key && !md5) return std::nullopt;
  if (!CustomerKeyTransportAllowed(request, allow_http)) {
    return MakeError(S3ErrorCode::kInvalidRequest,
                     "Requests specifying Server Side Encryption with Customer provided keys must be made over a "
                     "secure connection.");
  }
  const std::string algorithm_name = std::string(prefix) + "algorithm";
  if (!algorithm || *algorithm != "AES256") {
    return Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide a valid "
                   "encryption algorithm.",
                   algorithm_name);
  }
  const std::string key_name = std::string(prefix) + "key";
  if (!key || key->empty()) {
    return Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide an "
                   "appropriate secret key.",
                   key_name);
  }
  Result<std::string> raw = crypto::Base64Decode(*key);
  if (!raw.ok() || raw->size() != crypto::kCustomerKeySize) {
    if (raw.ok()) OPENSSL_cleanse(raw->data(), raw->size());
    return Invalid("The secret key was invalid for the specified algorithm.", key_name);
  }
  CustomerKey parsed;
  parsed.key = crypto::SecretBytes(std::as_bytes(std::span(raw->data(), raw->size())));
  const std::array<uint8_t, 16> digest = crypto::Md5Digest(*raw);
  OPENSSL_cleanse(raw->data(), raw->size());
  const std::string md5_name = std::string(prefix) + "key-MD5";
  if (!md5 || md5->empty()) {
    return Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide the "
                   "client calculated MD5 of the secret key.",
                   md5_name);
  }
  const std::string want = crypto::Base64Encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  if (!crypto::ConstantTimeEqual(want, *md5)) {
    return Invalid("The calculated MD5 hash of the key did not match the hash that was provided.", md5_name);
  }
  parsed.key_md5 = want;
  *out = std::move(parsed);
  return std::nullopt;
}

constexpr std::string_view kKmsRequires =
    "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms";

std::optional<S3Error> ParseKms(const http::Request& request, RequestSse* out) {
  KmsRequest kms;
  if (std::optional<std::string_view> id = request.FindHeader("x-amz-server-side-encryption-aws-kms-key-id")) {
    kms.key_id = std::string(*id);
    if (kms.key_id.empty()) {
      return Invalid("KMS key id must not be empty", "x-amz-server-side-encryption-aws-kms-key-id");
    }
  }
  if (std::optional<std::string_view> c = request.FindHeader("x-amz-server-side-encryption-context")) {
    if (!ValidKmsContext(*c)) {
      return Invalid("Invalid encryption context: it must be the base64 of a JSON object of strings",
                     "x-amz-server-side-encryption-context");
    }
    kms.context = std::string(*c);
  }
  if (std::optional<std::string_view> bk = request.FindHeader("x-amz-server-side-encryption-bucket-key-enabled")) {
    if (strcasecmp(std::string(*bk).c_str(), "true") == 0) {
      kms.bucket_key_enabled = true;
    } else if (strcasecmp(std::string(*bk).c_str(), "false") == 0) {
      kms.bucket_key_enabled = false;
    } else {
      return Invalid("x-amz-server-side-encryption-bucket-key-enabled must be true or false",
                     "x-amz-server-side-encryption-bucket-key-enabled");
    }
  }
  out->kms = std::move(kms);
  return std::nullopt;
}

bool IsLoopback(std::string_view address) {
  if (address.starts_with("::ffff:")) address.remove_prefix(7);
  return address == "::1" || address.starts_with("127.");
}

}  // namespace

bool CustomerKeyTransportAllowed(const http::Request& request, bool allow_http) {
  return request.secure || allow_http || IsLoopback(request.remote_address);
}

std::optional<S3Error> ParseRequestSse(const http::Request& request, bool write, bool copy, bool allow_http,
                                       RequestSse* out, bool read) {
  if (std::optional<S3Error> e = ParseCustomerKey(request, kSsePrefix, allow_http, &out->customer)) return e;
  if (copy) {
    if (std::optional<S3Error> e = ParseCustomerKey(request, kCopySsePrefix, allow_http, &out->copy_source)) {
      return e;
    }
  }
  std::optional<std::string_view> sse = request.FindHeader("x-amz-server-side-encryption");
  if (read && sse) {
    // S3: encryption is decided at write time; a read that names it is refused.
    S3Error e = Invalid("x-amz-server-side-encryption header is not supported for this operation.",
                        "x-amz-server-side-encryption");
    return e;
  }
  if (!write) return std::nullopt;
  const bool kms_headers = request.FindHeader("x-amz-server-side-encryption-aws-kms-key-id").has_value() ||
                           request.FindHeader("x-amz-server-side-encryption-context").has_value();
  if (sse && *sse == "aws:kms:dsse") {
    return MakeError(S3ErrorCode::kNotImplemented,
                     "Dual-layer server-side encryption with KMS keys (aws:kms:dsse) is not implemented. "
                     "Use aws:kms, AES256 (SSE-S3, the default) or SSE-C.");
  }
  if (sse && *sse != "AES256" && *sse != "aws:kms") {
    S3Error e = Invalid("The encryption method specified is not supported", "x-amz-server-side-encryption");
    e.details.emplace_back("ArgumentValue", std::string(*sse));
    return e;
  }
  if (sse && out->customer) {
    return Invalid("Server Side Encryption with Customer provided key is incompatible with the encryption "
                   "method specified",
                   "x-amz-server-side-encryption");
  }
  if (sse && *sse == "aws:kms") return ParseKms(request, out);
  if (kms_headers) {
    // A KMS key id or context without aws:kms: S3 refuses it.
    return Invalid(std::string(kKmsRequires), "x-amz-server-side-encryption");
  }
  out->sse_s3 = sse.has_value();
  return std::nullopt;
}

void WipeCustomerKeyHeaders(http::Request& request) {
  for (http::Header& h : request.headers) {
    const bool key = (h.name.size() == kSsePrefix.size() + 3 &&
                      strncasecmp(h.name.c_str(), kSsePrefix.data(), kSsePrefix.size()) == 0) ||
                     (h.name.size() == kCopySsePrefix.size() + 3 &&
                      strncasecmp(h.name.c_str(), kCopySsePrefix.data(), kCopySsePrefix.size()) == 0);
    if (!key || strcasecmp(h.name.c_str() + h.name.size() - 3, "key") != 0) continue;
    if (!h.value.empty()) OPENSSL_cleanse(h.value.data(), h.value.size());
    h.value.clear();
  }
}

std::optional<S3Error> CheckCustomerKey(const std::optional<CustomerKey>& key, std::string_view salt,
                                        std::string_view verifier) {
  if (salt.empty()) {
    if (!key) return std::nullopt;
    return MakeError(S3ErrorCode::kInvalidRequest, "The encryption parameters are not applicable to this object.");
  }
  if (!key) {
    return MakeError(S3ErrorCode::kInvalidRequest,
                     "The object was stored using a form of Server Side Encryption. The correct parameters must be "
                     "provided to retrieve the object.");
  }
  if (!crypto::CustomerKeyMatches(key->key, salt, verifier)) return MakeError(S3ErrorCode::kAccessDenied);
  return std::nullopt;
}

void AddSseResponseHeaders(std::vector<http::Header>& headers, bool sse_c, const std::optional<CustomerKey>& key,
                           const catalog::SseKms& kms, bool with_context) {
  if (!kms.empty()) {
    headers.push_back({"x-amz-server-side-encryption", "aws:kms"});
    headers.push_back({"x-amz-server-side-encryption-aws-kms-key-id", kms.key_id});
    if (kms.bucket_key_enabled) headers.push_back({"x-amz-server-side-encryption-bucket-key-enabled", "true"});
    if (with_context && !kms.context.empty()) {
      headers.push_back({"x-amz-server-side-encryption-context", kms.context});
    }
    return;
  }
  if (!sse_c) {
    headers.push_back({"x-amz-server-side-encryption", "AES256"});
    return;
  }
  headers.push_back({"x-amz-server-side-encryption-customer-algorithm", "AES256"});
  if (key) headers.push_back({"x-amz-server-side-encryption-customer-key-MD5", key->key_md5});
}

}  // namespace confiance::s3

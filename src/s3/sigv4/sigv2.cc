// File: s3/sigv4/sigv2.cc
#include "s3/sigv4/sigv2.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/errors.h"

namespace confiance::sigv2 {
namespace {

using sigv4::ErrorKind;
using sigv4::MakeError;

// The query parameters SigV2 signs, as botocore (HmacV1Auth.QSAOfInterest)
// and S3 list them. Anything else in the query is not signed.
constexpr std::array<std::string_view, 35> kSubResources = {
    "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle",
    "location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy",
    "replication", "requestPayment", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "response-content-language", "response-content-type", "response-expires",
    "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
    "versionId", "versioning", "versions", "website",
};

bool IsSubResource(std::string_view name) {
  return std::find(kSubResources.begin(), kSubResources.end(), name) != kSubResources.end();
}

// Raw "name=value" components of a query, names and values decoded.
Result<std::vector<std::pair<std::string, std::optional<std::string>>>> QueryPairs(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    std::string_view part = raw_query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? raw_query.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    ASSIGN_OR_RETURN(std::string name, sigv4::PercentDecode(part.substr(0, eq), false));
    std::optional<std::string> value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(std::string v, sigv4::PercentDecode(part.substr(eq + 1), false));
      value = std::move(v);
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::optional<std::string> QueryValue(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) return v.value_or("");
  }
  return std::nullopt;
}

std::string_view HeaderValue(std::span<const sigv4::Header> headers, std::string_view name) {
  const sigv4::Header* h = sigv4::FindHeader(headers, name);
  return h == nullptr ? std::string_view() : TrimSpaceAndTab(h->value);
}

struct Claims {
  std::string access_key;
  std::string signature;  // base64, as sent
  bool presigned = false;
  std::string date_or_expires;
  TimePoint request_time;  // header: the signed time; presigned: the expiry
};

Result<Claims> ClaimFromHeader(const RequestView& request) {
  std::string_view auth = HeaderValue(request.headers, "authorization");
  Claims c;
  std::string_view rest = auth.substr(4);  // after "AWS "
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return MakeError(ErrorKind::kAuthorizationHeaderMalformed,
                     "AWS authorization header is invalid. Expected AwsAccessKeyId:signature");
  }
  c.access_key = std::string(TrimSpaceAndTab(rest.substr(0, colon)));
  c.signature = std::string(TrimSpaceAndTab(rest.substr(colon + 1)));
  // x-amz-date, when sent, is the request time and Date is not signed.
  // Present, even empty, it is the time source.
  const bool has_amz_date = sigv4::FindHeader(request.headers, "x-amz-date") != nullptr;
  std::string_view when = HeaderValue(request.headers, has_amz_date ? "x-amz-date" : "date");
  c.date_or_expires = has_amz_date ? std::string() : std::string(when);
  Result<TimePoint> t = sigv4::ParseHttpDate(when);
  if (!t.ok() && t.status().code() != StatusCode::kOutOfRange && has_amz_date) t = sigv4::ParseAmzDate(when);
  if (!t.ok() && t.status().code() == StatusCode::kOutOfRange) {
    return MakeError(ErrorKind::kRequestTimeTooSkewed,
                     "The difference between the request time and the current time is too large.");
  }
  if (when.empty() || !t.ok() || *t < TimePoint{}) {
    return MakeError(ErrorKind::kMissingDate, "AWS authentication requires a valid Date or x-amz-date header");
  }
  c.request_time = *t;
  return c;
}

Result<Claims> ClaimFromQuery(const RequestView& request) {
  Result<std::vector<std::pair<std::string, std::optional<std::string>>>> pairs = QueryPairs(request.raw_query);
  if (!pairs.ok()) return MakeError(ErrorKind::kInvalidUri, "bad percent-encoding in the query");
  std::optional<std::string> ak = QueryValue(*pairs, "AWSAccessKeyId");
  std::optional<std::string> sig = QueryValue(*pairs, "Signature");
  std::optional<std::string> expires = QueryValue(*pairs, "Expires");
  if (!ak || ak->empty() || !sig || sig->empty() || !expires) {
    return MakeError(ErrorKind::kAuthorizationQueryMalformed,
                     "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
  }
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
  if (ec != std::errc() || end != expires->data() + expires->size() || seconds < 0) {
    return MakeError(ErrorKind::kAuthorizationQueryMalformed, "Invalid Expires parameter: " + *expires);
  }
  Claims c;
  c.access_key = std::move(*ak);
  c.signature = std::move(*sig);
  c.presigned = true;
  c.date_or_expires = std::move(*expires);
  c.request_time = TimePoint{} + std::chrono::seconds(seconds);
  return c;
}

}  // namespace

bool IsSigV2(const RequestView& request) {
  if (const sigv4::Header* h = sigv4::FindHeader(request.headers, "authorization")) {
    std::string_view v = TrimSpaceAndTab(h->value);
    return v.size() > 4 && v.substr(0, 4) == "AWS ";
  }
  Result<std::vector<std::pair<std::string, std::optional<std::string>>>> pairs = QueryPairs(request.raw_query);
  if (!pairs.ok() || QueryValue(*pairs, "X-Amz-Algorithm")) return false;
  return QueryValue(*pairs, "AWSAccessKeyId").has_value() || QueryValue(*pairs, "Signature").has_value();
}

Result<std::string> CanonicalizedResource(std::string_view bucket_prefix, std::string_view raw_path,
                                          std::string_view raw_query) {
  std::string out(bucket_prefix);
  out += raw_path.empty() ? std::string_view("/") : raw_path;
  Result<std::vector<std::pair<std::string, std::optional<std::string>>>> pairs = QueryPairs(raw_query);
  if (!pairs.ok()) return MakeError(ErrorKind::kInvalidUri, "bad percent-encoding in the query");
  std::vector<std::pair<std::string, std::optional<std::string>>> signed_pairs;
  for (auto& p : *pairs) {
    if (IsSubResource(p.first)) signed_pairs.push_back(std::move(p));
  }
  std::stable_sort(signed_pairs.begin(), signed_pairs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < signed_pairs.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += signed_pairs[i].first;
    if (signed_pairs[i].second) {
      out += '=';
      out += *signed_pairs[i].second;
    }
  }
  return out;
}

std::string CanonicalizedAmzHeaders(std::span<const sigv4::Header> headers) {
  std::map<std::string, std::string> amz;
  for (const sigv4::Header& h : headers) {
    std::string name = sigv4::ToLower(h.name);
    if (name.rfind("x-amz-", 0) != 0) continue;
    auto [it, inserted] = amz.try_emplace(std::move(name));
    if (!inserted) it->second += ',';
    it->second += sigv4::TrimAll(h.value);
  }
  std::string out;
  for (const auto& [name, value] : amz) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  return out;
}

Result<std::string> StringToSign(const RequestView& request, std::string_view bucket_prefix,
                                 std::string_view date_or_expires) {
  ASSIGN_OR_RETURN(std::string resource, CanonicalizedResource(bucket_prefix, request.raw_path, request.raw_query));
  std::string out(request.method);
  out += '\n';
  out += HeaderValue(request.headers, "content-md5");
  out += '\n';
  out += HeaderValue(request.headers, "content-type");
  out += '\n';
  out += date_or_expires;
  out += '\n';
  out += CanonicalizedAmzHeaders(request.headers);
  out += resource;
  return out;
}

std::string Sign(std::string_view secret, std::string_view string_to_sign) {
  std::array<uint8_t, 20> mac = crypto::HmacSha1(secret, string_to_sign);
  return crypto::Base64Encode(std::as_bytes(std::span(mac)));
}

Result<sigv4::AuthContext> Verify(const RequestView& request, std::string_view bucket_prefix,
                                  const sigv4::SecretLookup& lookup, TimePoint now,
                                  const sigv4::VerifyOptions& options) {
  const bool header = sigv4::FindHeader(request.headers, "authorization") != nullptr;
  ASSIGN_OR_RETURN(Claims claims, header ? ClaimFromHeader(request) : ClaimFromQuery(request));
  Result<std::string> secret = lookup(claims.access_key);
  if (!secret.ok()) {
    if (secret.status().code() == StatusCode::kNotFound) {
      return MakeError(ErrorKind::kInvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.");
    }
    return secret.status();
  }
  if (claims.presigned) {
    if (now > claims.request_time) return MakeError(ErrorKind::kRequestExpired, "Request has expired");
  } else if (claims.request_time > now + options.max_skew || claims.request_time < now - options.max_skew) {
    return MakeError(ErrorKind::kRequestTimeTooSkewed,
                     "The difference between the request time and the current time is too large.");
  }
  ASSIGN_OR_RETURN(std::string to_sign, StringToSign(request, bucket_prefix, claims.date_or_expires));
  bool match = crypto::ConstantTimeEqual(Sign(*secret, to_sign), claims.signature);
  // A path-style request to a bucket ("/bucket"): botocore signs it as
  // "/bucket/", the resource S3 documents for a bucket. Both name it.
  const std::string_view path = request.raw_path;
  if (!match && bucket_prefix.empty() && path.size() > 1 && path.find('/', 1) == std::string_view::npos) {
    std::string with_slash(path);
    with_slash += '/';
    RequestView slashed = request;
    slashed.raw_path = with_slash;
    ASSIGN_OR_RETURN(to_sign, StringToSign(slashed, bucket_prefix, claims.date_or_expires));
    match = crypto::ConstantTimeEqual(Sign(*secret, to_sign), claims.signature);
  }
  OPENSSL_cleanse(secret->data(), secret->size());
  if (!match) {
    return MakeError(ErrorKind::kSignatureDoesNotMatch,
                     "The request signature we calculated does not match the signature you provided.");
  }
  sigv4::AuthContext ctx;
  ctx.scheme = claims.presigned ? sigv4::AuthScheme::kPresigned : sigv4::AuthScheme::kHeader;
  ctx.access_key = std::move(claims.access_key);
  ctx.seed_signature = std::move(claims.signature);
  ctx.payload_mode = sigv4::PayloadMode::kUnsigned;
  return ctx;
}

}  // namespace confiance::sigv2

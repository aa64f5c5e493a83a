// File: s3/sigv4/sign.cc
#include "s3/sigv4/sign.h"

#include <algorithm>
#include <cstdio>

#include "s3/sigv4/errors.h"

namespace confiance::sigv4 {
namespace {

std::vector<std::string> AllHeaderNames(std::span<const Header> headers) {
  std::vector<std::string> names;
  for (const Header& h : headers) names.push_back(ToLower(h.name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string JoinSemicolon(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out.push_back(';');
    out += n;
  }
  return out;
}

CredentialScope ScopeOf(const ClientCredentials& c, std::string_view amz_date) {
  return CredentialScope{std::string(amz_date.substr(0, 8)), std::string(c.region), "s3"};
}

std::string HexSize(size_t n) {
  char buf[24];
  int len = std::snprintf(buf, sizeof(buf), "%zx", n);
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace

Result<SignedRequest> SignRequest(const RequestView& request, std::string_view payload_hash,
                                  const ClientCredentials& credentials,
                                  std::string_view amz_date) {
  std::vector<std::string> names = AllHeaderNames(request.headers);
  ASSIGN_OR_RETURN(std::string canonical,
                   CanonicalRequest(request, names, payload_hash, /*presigned=*/false));
  CredentialScope scope = ScopeOf(credentials, amz_date);
  SigningKey key = DeriveSigningKey(credentials.secret, scope);
  SignedRequest out;
  out.signature = SignatureHex(key, StringToSign(amz_date, scope, canonical));
  out.authorization = std::string(kAlgorithm) + " Credential=" + std::string(credentials.access_key) +
                      "/" + scope.ToString() + ", SignedHeaders=" + JoinSemicolon(names) +
                      ", Signature=" + out.signature;
  return out;
}

Result<std::string> Presign(const RequestView& request, const ClientCredentials& credentials,
                            std::string_view amz_date, int64_t expires_seconds) {
  std::vector<std::string> names = AllHeaderNames(request.headers);
  CredentialScope scope = ScopeOf(credentials, amz_date);
  std::string query(request.raw_query);
  if (!query.empty()) query.push_back('&');
  query += "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=";
  query += UriEncode(std::string(credentials.access_key) + "/" + scope.ToString(), false);
  query += "&X-Amz-Date=";
  query += amz_date;
  query += "&X-Amz-Expires=" + std::to_string(expires_seconds);
  query += "&X-Amz-SignedHeaders=" + UriEncode(JoinSemicolon(names), false);
  RequestView signed_view = request;
  signed_view.raw_query = query;
  ASSIGN_OR_RETURN(std::string canonical,
                   CanonicalRequest(signed_view, names, kUnsignedPayload, /*presigned=*/true));
  SigningKey key = DeriveSigningKey(credentials.secret, scope);
  query += "&X-Amz-Signature=" + SignatureHex(key, StringToSign(amz_date, scope, canonical));
  return query;
}

std::string EncodeAwsChunked(std::string_view payload, size_t chunk_size,
                             const AuthContext& signing, std::span<const Header> trailers) {
  const bool signed_chunks = signing.payload_mode != PayloadMode::kStreamingUnsignedTrailer;
  std::string previous = signing.seed_signature;
  std::string out;
  size_t offset = 0;
  while (true) {
    std::string_view data = payload.substr(offset, chunk_size);
    out += HexSize(data.size());
    if (signed_chunks) {
      previous = ChunkSignatureHex(signing.signing_key, signing.amz_date, signing.scope, previous,
                                   Sha256Of(data));
      out += ";chunk-signature=" + previous;
    }
    out += "\r\n";
    if (data.empty()) break;
    out += data;
    out += "\r\n";
    offset += data.size();
  }
  if (signing.payload_mode == PayloadMode::kStreamingSigned) return out + "\r\n";
  std::string canonical;
  for (const Header& t : trailers) {
    canonical += ToLower(t.name) + ":" + std::string(t.value) + "\n";
    out += std::string(t.name) + ":" + std::string(t.value) + "\r\n";
  }
  if (signing.payload_mode == PayloadMode::kStreamingSignedTrailer) {
    out += "x-amz-trailer-signature:" +
           TrailerSignatureHex(signing.signing_key, signing.amz_date, signing.scope, previous,
                               canonical) +
           "\r\n";
  }
  return out + "\r\n";
}

}  // namespace confiance::sigv4
